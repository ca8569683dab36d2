"""Api 2010 OutgoingCallerIds: list (PhoneNumber, FriendlyName), fetch, update (FriendlyName), delete; and POST,
the ValidationRequest that places the verification "call" and posts a signed status callback."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Blueprint, Response, jsonify, request

from local.emulator.common import (
    API,
    account_page,
    account_record,
    authorised_for,
    post_signed,
    too_long,
    twilio_error,
    world,
)
from local.emulator.state import Account, CallerId, World, rfc2822, sid

routes = Blueprint("callerids", __name__)
CALLER_IDS = f"{API}/Accounts/<account_sid>/OutgoingCallerIds"


@routes.get(f"{CALLER_IDS}.json")
def list_caller_ids(account_sid: str) -> Response:
    phone, friendly = request.args.get("PhoneNumber"), request.args.get("FriendlyName")
    return account_page(
        account_sid,
        "outgoing_caller_ids",
        lambda w: w.caller_ids_of(account_sid),
        caller_id_json,
        lambda c: phone in (None, c.phone_number) and friendly in (None, c.friendly_name),
    )


@routes.get(f"{CALLER_IDS}/<caller_id_sid>.json")
def fetch_caller_id(account_sid: str, caller_id_sid: str) -> Response:
    found = account_record(account_sid, lambda w: w.caller_ids.get(caller_id_sid))
    return found if isinstance(found, Response) else jsonify(caller_id_json(found))


@routes.post(f"{CALLER_IDS}/<caller_id_sid>.json")
def update_caller_id(account_sid: str, caller_id_sid: str) -> Response:
    found = account_record(account_sid, lambda w: w.caller_ids.get(caller_id_sid))
    if isinstance(found, Response):
        return found
    friendly = request.form.get("FriendlyName")
    refused = too_long(friendly)
    if refused is not None:
        return refused
    with world().lock:
        if friendly is not None:
            found.friendly_name, found.updated = friendly, time.time()
        return jsonify(caller_id_json(found))


@routes.delete(f"{CALLER_IDS}/<caller_id_sid>.json")
def delete_caller_id(account_sid: str, caller_id_sid: str) -> Response:
    with world().lock:
        found = account_record(account_sid, lambda w: w.caller_ids.get(caller_id_sid))
        if isinstance(found, Response):
            return found
        del world().caller_ids[found.sid]
    return Response(status=204)


@routes.post(f"{CALLER_IDS}.json")
def create_validation_request(account_sid: str) -> Response:
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    phone = request.form.get("PhoneNumber", "")
    if not phone.startswith("+") or not phone[1:].isdigit():
        return twilio_error(400, 21210, "PhoneNumber is not a valid phone number")
    call_sid = sid("CA")
    code = f"{int.from_bytes(call_sid.encode(), 'big') % 1_000_000:06d}"
    callback = request.form.get("StatusCallback")
    friendly = request.form.get("FriendlyName") or phone
    delay = min(max(int(request.form.get("CallDelay", "0") or 0), 0), 60)
    if callback:
        threading.Thread(
            target=place_verification_call,
            args=(world(), target, phone, friendly, call_sid, callback, delay),
            daemon=True,
        ).start()
    return jsonify(
        {
            "account_sid": account_sid,
            "call_sid": call_sid,
            "friendly_name": friendly,
            "phone_number": phone,
            "validation_code": code,
        }
    )


def place_verification_call(
    state: World, account: Account, phone: str, friendly: str, call_sid: str, callback: str, delay: int
) -> None:
    """The emulated verification call: the "user" enters the code, the caller ID is created, Twilio posts the
    signed status callback."""
    time.sleep(delay + 0.05)
    caller_id = state.add_caller_id(account.sid, phone, friendly)
    params = {
        "AccountSid": account.sid,
        "CallSid": call_sid,
        "VerificationStatus": "success",
        "OutgoingCallerIdSid": caller_id.sid,
        "To": phone,
        "Called": phone,
    }
    post_signed(account.auth_token, callback, params)


def caller_id_json(caller_id: CallerId) -> dict[str, Any]:
    return {
        "sid": caller_id.sid,
        "date_created": rfc2822(caller_id.created),
        "date_updated": rfc2822(caller_id.updated),
        "friendly_name": caller_id.friendly_name,
        "account_sid": caller_id.account_sid,
        "phone_number": caller_id.phone_number,
        "uri": f"{API}/Accounts/{caller_id.account_sid}/OutgoingCallerIds/{caller_id.sid}.json",
    }
