"""Api 2010: Accounts/{Sid}.json, IncomingPhoneNumbers.json, OutgoingCallerIds.json (list, fetch, and POST: the
ValidationRequest that places the verification "call" and posts a signed status callback)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request

from local.emulator.common import API, api_page, authorised_for, post_signed, twilio_error, world
from local.emulator.state import Account, CallerId, Number, World, rfc2822, sid

routes = Blueprint("api2010", __name__)
Owned = TypeVar("Owned", Number, CallerId)


@routes.get(f"{API}/Accounts/<account_sid>.json")
def fetch_account(account_sid: str) -> Response:
    target = authorised_for(account_sid)
    return target if isinstance(target, Response) else jsonify(account_json(target))


@routes.get(f"{API}/Accounts/<account_sid>/IncomingPhoneNumbers.json")
def list_numbers(account_sid: str) -> Response:
    return account_page(account_sid, "incoming_phone_numbers", lambda w: w.numbers.values(), number_json)


@routes.get(f"{API}/Accounts/<account_sid>/OutgoingCallerIds.json")
def list_caller_ids(account_sid: str) -> Response:
    return account_page(account_sid, "outgoing_caller_ids", lambda w: w.caller_ids.values(), caller_id_json)


def account_page(
    account_sid: str, key: str, records: Callable[[World], Iterable[Owned]], to_json: Callable[[Owned], dict[str, Any]]
) -> Response:
    """One page of an account's records (by SID), for its own or its owner's credentials."""
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    with world().lock:
        rows = sorted((r for r in records(world()) if r.account_sid == account_sid), key=lambda r: r.sid)
    return api_page(key, [to_json(r) for r in rows])


@routes.get(f"{API}/Accounts/<account_sid>/OutgoingCallerIds/<caller_id_sid>.json")
def fetch_caller_id(account_sid: str, caller_id_sid: str) -> Response:
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    with world().lock:
        found = world().caller_ids.get(caller_id_sid)
    if found is None or found.account_sid != account_sid:
        return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
    return jsonify(caller_id_json(found))


@routes.post(f"{API}/Accounts/<account_sid>/OutgoingCallerIds.json")
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
            "incoming_phone_numbers": f"{base}/IncomingPhoneNumbers.json",
            "outgoing_caller_ids": f"{base}/OutgoingCallerIds.json",
        },
        "type": "Full",
        "uri": f"{base}.json",
    }


def number_json(number: Number) -> dict[str, Any]:
    return {
        "account_sid": number.account_sid,
        "address_requirements": "none",
        "address_sid": None,
        "api_version": "2010-04-01",
        "beta": False,
        "capabilities": {"voice": number.voice, "sms": number.sms, "mms": False, "fax": False},
        "date_created": rfc2822(number.created),
        "date_updated": rfc2822(number.created),
        "emergency_status": "Inactive",
        "emergency_address_sid": None,
        "emergency_address_status": "unregistered",
        "friendly_name": number.friendly_name,
        "identity_sid": None,
        "origin": "twilio",
        "phone_number": number.phone_number,
        "sid": number.sid,
        "sms_application_sid": None,
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": "POST",
        "sms_url": "",
        "status_callback": number.status_callback,
        "status_callback_method": "POST",
        "trunk_sid": None,
        "uri": f"{API}/Accounts/{number.account_sid}/IncomingPhoneNumbers/{number.sid}.json",
        "voice_application_sid": None,
        "voice_caller_id_lookup": False,
        "voice_fallback_method": "POST",
        "voice_fallback_url": None,
        "voice_method": "POST",
        "voice_url": number.voice_url,
        "voice_receive_mode": "voice",
        "bundle_sid": None,
        "status": "in-use",
        "type": "local",
    }


def caller_id_json(caller_id: CallerId) -> dict[str, Any]:
    return {
        "sid": caller_id.sid,
        "date_created": rfc2822(caller_id.created),
        "date_updated": rfc2822(caller_id.created),
        "friendly_name": caller_id.friendly_name,
        "account_sid": caller_id.account_sid,
        "phone_number": caller_id.phone_number,
        "uri": f"{API}/Accounts/{caller_id.account_sid}/OutgoingCallerIds/{caller_id.sid}.json",
    }
