"""Api 2010: Accounts/{Sid}.json. The account's resources have their own modules: ``numbers``
(IncomingPhoneNumbers), ``available`` (AvailablePhoneNumbers), ``callerids`` (OutgoingCallerIds and the
ValidationRequests that create them), ``calls`` (Calls)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from local.emulator.common import API, authorised_for
from local.emulator.state import Account, rfc2822

routes = Blueprint("api2010", __name__)


@routes.get(f"{API}/Accounts/<account_sid>.json")
def fetch_account(account_sid: str) -> Response:
    target = authorised_for(account_sid)
    return target if isinstance(target, Response) else jsonify(account_json(target))


def account_json(account: Account) -> dict[str, Any]:
    base = f"{API}/Accounts/{account.sid}"
    return {
        "auth_token": account.auth_token,
        "date_created": rfc2822(account.created),
        "date_updated": rfc2822(account.created),
        "friendly_name": account.friendly_name,
        "owner_account_sid": account.owner_account_sid,
        "sid": account.sid,
        "status": "active",
        "subresource_uris": {
            "available_phone_numbers": f"{base}/AvailablePhoneNumbers.json",
            "calls": f"{base}/Calls.json",
            "incoming_phone_numbers": f"{base}/IncomingPhoneNumbers.json",
            "outgoing_caller_ids": f"{base}/OutgoingCallerIds.json",
        },
        "type": "Full",
        "uri": f"{base}.json",
    }
