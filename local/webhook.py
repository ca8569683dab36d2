"""Play Twilio's part by hand: post a correctly signed webhook to the local API (used by the README's
walk-through). Reads the running stack from ``.dev/stack.json``.

    python -m local.webhook call-status --from +12125550100 --status completed
    python -m local.webhook voice --to +12065550100 --from +442079460958
"""

from __future__ import annotations

import argparse
import json
import secrets
from email.utils import formatdate

import requests

from local.emulator.app import post_signed
from local.template import ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description="Post a signed Twilio webhook to the local API")
    parser.add_argument("kind", choices=["call-status", "voice"])
    parser.add_argument("--from", dest="from_number", required=True, help="the caller ID the call showed")
    parser.add_argument("--to", default="+14155552671", help="who was called (voice: one of the numbers)")
    parser.add_argument("--status", default="completed")
    parser.add_argument("--duration", default="0")
    parser.add_argument("--call-sid", default=None)
    parser.add_argument("--subaccount", action="store_true", help="sign as the demo subaccount (another tenant)")
    args = parser.parse_args()
    facts = json.loads((ROOT / ".dev" / "stack.json").read_text())
    account = next(a for a in facts["accounts"] if (a["parentSid"] is not None) == args.subaccount)
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
    url = f"{facts['publicBaseUrl']}/webhooks/twilio/{args.kind}"
    response = post_signed(account["authToken"], url, params, post=requests.post)
    print(f"POST {url} -> {response.status_code} {response.text}")


if __name__ == "__main__":
    main()
