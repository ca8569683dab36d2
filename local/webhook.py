"""Play Twilio's part by hand: post a correctly signed webhook to the local API (used by the walks in docs/).
Reads the running stack from ``.dev/stack.json`` (or ``STACK_FILE``).

    python -m local.webhook call-status --from +12125550100 --status completed
    python -m local.webhook voice --to +12065550100 --from +442079460958
    python -m local.webhook taskrouter-event --worker alice --from +12125550100 --event-type task.wrapup
    python -m local.webhook taskrouter-event --worker alice --event-type worker.attributes.update --team sales

``--team`` first changes the worker at TaskRouter, as an admin would (the emulator's TaskRouter Workers API, with
``If-Match``), so the worker Flex and the backend read carries the team too, then posts the event with the
worker's attributes as TaskRouter now holds them. Each line printed is one request and its answer.
"""

from __future__ import annotations

import argparse
import json
import secrets
import time
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

import requests

from local.emulator.app import post_signed
from local.stack import stack_file

TASKROUTER_UPDATE_ATTEMPTS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description="Post a signed Twilio webhook to the local API")
    parser.add_argument("kind", choices=["call-status", "voice", "taskrouter-event"])
    parser.add_argument("--from", dest="from_number", help="the caller ID the call showed (the task's from)")
    parser.add_argument("--to", default="+14155552671", help="who was called (voice: one of the numbers)")
    parser.add_argument("--status", default="completed")
    parser.add_argument("--duration", default="0")
    parser.add_argument("--call-sid", default=None)
    parser.add_argument("--subaccount", action="store_true", help="sign as the demo subaccount (another tenant)")
    parser.add_argument("--worker", default="alice", help="taskrouter-event: the demo worker (identity)")
    parser.add_argument("--event-type", default="task.wrapup", help="taskrouter-event: EventType")
    parser.add_argument("--task-sid", default=None, help="taskrouter-event: TaskSid (random by default)")
    parser.add_argument("--age", default="30", help="taskrouter-event: TaskAge, seconds since the task began")
    parser.add_argument(
        "--team", default=None, help="taskrouter-event: set the worker's team_name at TaskRouter first ('' clears it)"
    )
    args = parser.parse_args()
    facts = json.loads(stack_file().read_text())
    account = next(a for a in facts["accounts"] if (a["parentSid"] is not None) == args.subaccount)
    if args.kind == "taskrouter-event":
        post(facts, account, args.kind + "s", taskrouter_event(facts, account, args))
        return
    if not args.from_number:
        parser.error("--from is required")
    params = {
        "AccountSid": account["sid"],
        "CallSid": args.call_sid or "CA" + secrets.token_hex(16),
        "CallStatus": args.status,
        "From": args.from_number,
        "To": args.to,
        "Direction": "outbound-api",
        "Timestamp": formatdate(usegmt=True),
        "CallDuration": args.duration,
    }
    if args.kind == "voice":
        params.update({"CallStatus": "ringing", "Direction": "inbound", "Called": args.to, "Caller": args.from_number})
        del params["Timestamp"], params["CallDuration"]
    post(facts, account, args.kind, params)


def taskrouter_event(facts: dict[str, Any], account: dict[str, Any], args: argparse.Namespace) -> dict[str, str]:
    """A TaskRouter event of the demo worker ``--worker``, in the account's workspace."""
    worker = next(w for w in facts["workers"] if w["identity"] == args.worker and w["accountSid"] == account["sid"])
    now = time.time()
    params = {
        "Sid": "EA" + secrets.token_hex(16),
        "EventType": args.event_type,
        "AccountSid": account["sid"],
        # The parent's workspace (the one .dev/stack.json names): a subaccount's event of it is another tenant's.
        "WorkspaceSid": facts["taskrouterWorkspaceSid"],
        "Timestamp": str(int(now)),
        "TimestampMs": str(int(now * 1000)),
        "WorkerSid": worker["sid"],
    }
    if args.team is not None:  # --team "" reports a worker with no team
        attributes = set_team(facts, account, worker, args.team)
        params["WorkerAttributes"] = json.dumps(attributes)
    if args.from_number:
        task = {"direction": "outbound", "from": args.from_number, "to": args.to}
        params.update(
            {
                "TaskSid": args.task_sid or "WT" + secrets.token_hex(16),
                "TaskAge": args.age,
                "TaskAttributes": json.dumps(task),
            }
        )
    return params


def set_team(facts: dict[str, Any], account: dict[str, Any], worker: dict[str, Any], team: str) -> dict[str, Any]:
    """Merge ``team_name`` into the worker's TaskRouter attributes (``""`` removes it) through TaskRouter's Workers
    API, with ``If-Match`` on the worker's ETag as the backend writes them, so a selection made meanwhile is kept.
    TaskRouter then posts ``worker.attributes.update`` to the workspace's callback itself. Answers the attributes
    as TaskRouter holds them."""
    workspace = account.get("taskrouterWorkspaceSid") or facts["taskrouterWorkspaceSid"]
    url = f"{facts['emulatorUrl']}/v1/Workspaces/{workspace}/Workers/{worker['sid']}"
    auth = (account["sid"], account["authToken"])
    for _ in range(TASKROUTER_UPDATE_ATTEMPTS):
        fetched = requests.get(url, auth=auth, timeout=10)
        fetched.raise_for_status()
        attributes = {k: v for k, v in json.loads(fetched.json()["attributes"] or "{}").items() if k != "team_name"}
        if team:
            attributes["team_name"] = team
        updated = requests.post(
            url,
            auth=auth,
            data={"Attributes": json.dumps(attributes)},
            headers={"If-Match": fetched.headers["ETag"]},
            timeout=30,
        )
        if updated.status_code != 412:  # 412: changed since it was read; read it again
            updated.raise_for_status()
            print(f"TaskRouter worker {worker['identity']}: team_name {json.dumps(team or None)}")
            return dict(json.loads(updated.json()["attributes"]))
    raise SystemExit(f"TaskRouter kept refusing the update of {worker['identity']} (412 Precondition Failed)")


def post(facts: dict[str, Any], account: dict[str, Any], path: str, params: dict[str, str]) -> None:
    url = f"{facts['publicBaseUrl']}/webhooks/twilio/{path}"
    response = post_signed(account["authToken"], url, params, post=requests.post)
    print(f"POST {urlsplit(url).path} -> {response.status_code} {response.text}".rstrip())


if __name__ == "__main__":
    main()
