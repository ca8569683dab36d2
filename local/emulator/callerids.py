"""Api 2010 OutgoingCallerIds: list (PhoneNumber, FriendlyName), fetch, update (FriendlyName), delete; and POST,
the ValidationRequest that places the verification call (``verification``), which creates the caller ID when the
right code is entered and posts a signed status callback."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from flask import Blueprint, Response, jsonify, request
from phonenumbers import PhoneNumberFormat
from werkzeug.datastructures import MultiDict

from local.emulator.common import (
    API,
    account_page,
    account_record,
    authorised_for,
    too_long,
    twilio_error,
    world,
)
from local.emulator.state import CallerId, VerificationCall, rfc2822, sid
from local.emulator.verification import place_call

routes = Blueprint("callerids", __name__)
CALLER_IDS = f"{API}/Accounts/<account_sid>/OutgoingCallerIds"
E164 = PhoneNumberFormat.E164
MAX_CALL_DELAY = 60
# What may follow the connected verification call, as in Twilio's SendDigits: digits, * and #, w for a pause.
DIAL_DIGITS = set("0123456789*#w")


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
    """Twilio's CreateValidationRequest: places the verification call and answers the code to enter on it."""
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    call = verification_call_of(account_sid, request.form)
    if isinstance(call, Response):
        return call
    with world().lock:
        if world().caller_id_of(account_sid, call.phone_number) is not None:
            return twilio_error(400, 21450, "Phone number is already verified.")
        world().add_verification_call(call)
    place_call(world(), call)
    return jsonify(
        {
            "account_sid": call.account_sid,
            "call_sid": call.call_sid,
            "friendly_name": call.friendly_name,
            "phone_number": call.phone_number,
            "validation_code": call.validation_code,
        }
    )


def verification_call_of(account_sid: str, form: MultiDict[str, str]) -> VerificationCall | Response:
    """The call a ValidationRequest's form asks for, or Twilio's error for the first parameter it refuses."""
    phone = form.get("PhoneNumber")
    if not phone:
        return twilio_error(400, 20001, "Missing required parameter PhoneNumber in the post body")
    if not is_e164(phone):
        return twilio_error(400, 21217, f"Phone number {phone} does not appear to be valid")
    friendly = form.get("FriendlyName") or None
    delay = call_delay(form.get("CallDelay"))
    callback = form.get("StatusCallback") or None
    method = form.get("StatusCallbackMethod", "POST").upper()
    extension = form.get("Extension") or None
    refused = too_long(friendly)
    if refused is not None:
        return refused
    if isinstance(delay, Response):
        return delay
    if callback is not None and not is_url(callback):
        return twilio_error(400, 21609, "StatusCallback is not a valid URL")
    if method not in {"GET", "POST"}:
        return twilio_error(400, 20001, "StatusCallbackMethod must be GET or POST")
    if extension is not None and not set(extension) <= DIAL_DIGITS:
        return twilio_error(400, 20001, "Extension must be digits to dial (0-9, *, #, w)")
    return VerificationCall(
        call_sid=sid("CA"),
        account_sid=account_sid,
        phone_number=phone,
        friendly_name=friendly or phone,
        validation_code=f"{secrets.randbelow(1_000_000):06d}",
        status_callback=callback,
        status_callback_method=method,
        call_delay=delay,
        extension=extension,
    )


def is_e164(phone: str) -> bool:
    """A number in E.164 as given: ``+``, country code and subscriber number, nothing else."""
    try:
        parsed = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(parsed) and phonenumbers.format_number(parsed, E164) == phone


def call_delay(given: str | None) -> int | Response:
    """CallDelay: whole seconds, 0 to 60, 0 unless given."""
    if not given:
        return 0
    if not given.isdigit() or int(given) > MAX_CALL_DELAY:
        return twilio_error(400, 20001, f"CallDelay must be an integer between 0 and {MAX_CALL_DELAY}")
    return int(given)


def is_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


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
