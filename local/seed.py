"""The demo workspace of PRODUCT.md: a parent account and a subaccount, numbers in several area codes, one
verified caller ID, agents and a supervisor with ready tokens."""

from __future__ import annotations

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
    {"account": "owl-parent", "identity": "alice", "roles": ["agent"]},
    {"account": "owl-parent", "identity": "bob", "roles": ["agent"]},
    {"account": "owl-parent", "identity": "sam", "roles": ["supervisor"]},
    {"account": "owl-west", "identity": "carol", "roles": ["agent"]},
]


def seed_emulator(emulator_url: str, token_ttl_seconds: int = 12 * 3600) -> dict[str, Any]:
    """Create the demo accounts and mint a token per demo worker; answers the facts ``.dev/stack.json`` holds."""
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
        workers.append(
            {
                "sid": body["workerSid"],
                "identity": worker["identity"],
                "roles": worker["roles"],
                "accountSid": account["sid"],
                "token": body["token"],
            }
        )
    return {"accounts": accounts, "workers": workers}
