"""The demo workspace of PRODUCT.md: a parent account and a subaccount, numbers in several area codes, one
verified caller ID, agents and a supervisor with ready tokens, each worker in a team (TaskRouter ``team_name``),
and each account's TaskRouter workspace posting its events to the API's TaskRouter webhook."""

from __future__ import annotations

import json
from typing import Any

import requests

DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {
        "key": "owl-parent",
        "friendlyName": "Owl Contact Centre",
        "numbers": [
            {"phoneNumber": "+14155550100", "friendlyName": "San Francisco main"},
            {"phoneNumber": "+14155550101", "friendlyName": "San Francisco sales"},
            {"phoneNumber": "+12125550100", "friendlyName": "New York (212)"},
            {"phoneNumber": "+16465550100", "friendlyName": "New York (646)"},
            {"phoneNumber": "+13125550100", "friendlyName": "Chicago"},
            {"phoneNumber": "+12065550100", "friendlyName": "Seattle"},
            {"phoneNumber": "+18335550100", "friendlyName": "Toll-free support", "sms": False},
        ],
        "callerIds": [{"phoneNumber": "+15035550100", "friendlyName": "Portland office (verified)"}],
        # Trust Hub (docs/trust-hub.md): an approved Voice Integrity product with the main number in it, which
        # `make dev` names in TRUST_PRODUCT_SIDS, and a SHAKEN/STIR product still in draft.
        "trustProducts": [
            {
                "friendlyName": "Owl Voice Integrity",
                "kind": "voice_integrity",
                "status": "twilio-approved",
                "phoneNumbers": ["+14155550100"],
            },
            {"friendlyName": "Owl SHAKEN/STIR", "kind": "shaken_stir", "status": "draft"},
        ],
    },
    {
        "key": "owl-west",
        "parent": "owl-parent",
        "friendlyName": "Owl West (subaccount)",
        "numbers": [
            {"phoneNumber": "+12065550111", "friendlyName": "Seattle West"},
            {"phoneNumber": "+13105550100", "friendlyName": "Los Angeles"},
        ],
    },
]

DEMO_WORKERS: list[dict[str, Any]] = [
    {"account": "owl-parent", "identity": "alice", "roles": ["agent"], "team": "sales"},
    {"account": "owl-parent", "identity": "bob", "roles": ["agent"], "team": "support"},
    {"account": "owl-parent", "identity": "sam", "roles": ["supervisor"], "team": "support"},
    {"account": "owl-west", "identity": "carol", "roles": ["agent"], "team": "sales"},
]


TASKROUTER = "/v1/Workspaces"
TASKROUTER_EVENTS_PATH = "/webhooks/twilio/taskrouter-events"


def seed_emulator(
    emulator_url: str, token_ttl_seconds: int = 12 * 3600, public_base_url: str | None = None
) -> dict[str, Any]:
    """Create the demo accounts and mint a token per demo worker; answers the facts ``.dev/stack.json`` holds.
    With ``public_base_url``, each account's TaskRouter workspace posts its events to that API's webhook (set
    through TaskRouter's own UpdateWorkspace, after the workers' teams, so seeding posts no event to an API that
    is not up yet)."""
    created = requests.post(f"{emulator_url}/_emulator/seed", json={"accounts": DEMO_ACCOUNTS}, timeout=10)
    created.raise_for_status()
    accounts = created.json()["accounts"]
    by_key = {a["key"]: a for a in accounts}
    workers = []
    for worker in DEMO_WORKERS:
        account = by_key[worker["account"]]
        minted = requests.post(
            f"{emulator_url}/_emulator/tokens",
            json={
                "accountSid": account["sid"],
                "identity": worker["identity"],
                "roles": worker["roles"],
                "ttl": token_ttl_seconds,
            },
            timeout=10,
        )
        minted.raise_for_status()
        body = minted.json()
        set_team(emulator_url, account, body["workerSid"], worker["team"])
        workers.append(
            {
                "sid": body["workerSid"],
                "identity": worker["identity"],
                "roles": worker["roles"],
                "accountSid": account["sid"],
                "token": body["token"],
            }
        )
    if public_base_url:
        for account in accounts:
            set_event_callback(emulator_url, account, f"{public_base_url.rstrip('/')}{TASKROUTER_EVENTS_PATH}")
    return {"accounts": accounts, "workers": workers}


def set_team(emulator_url: str, account: dict[str, Any], worker_sid: str, team: str) -> None:
    """Merge ``team_name`` into the worker's TaskRouter attributes (the TaskRouter API, as an admin would)."""
    auth = (account["sid"], account["authToken"])
    url = f"{emulator_url}{TASKROUTER}/{account['taskrouterWorkspaceSid']}/Workers/{worker_sid}"
    fetched = requests.get(url, auth=auth, timeout=10)
    fetched.raise_for_status()
    attributes = {**json.loads(fetched.json()["attributes"] or "{}"), "team_name": team}
    requests.post(url, auth=auth, data={"Attributes": json.dumps(attributes)}, timeout=10).raise_for_status()


def set_event_callback(emulator_url: str, account: dict[str, Any], callback_url: str) -> None:
    """The workspace's Event Callback URL (TaskRouter's UpdateWorkspace), every event type."""
    auth = (account["sid"], account["authToken"])
    url = f"{emulator_url}{TASKROUTER}/{account['taskrouterWorkspaceSid']}"
    requests.post(url, auth=auth, data={"EventCallbackUrl": callback_url}, timeout=10).raise_for_status()
