"""Api 2010 IncomingPhoneNumbers: list (PhoneNumber, FriendlyName, Origin), buy (PhoneNumber or AreaCode), fetch,
update (the voice and status-callback settings, FriendlyName) and release (DELETE)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, jsonify, request

from local.emulator import stock
from local.emulator.common import API, account_page, account_record, authorised_for, too_long, twilio_error, world
from local.emulator.state import Number, World, rfc2822

routes = Blueprint("numbers", __name__)
NUMBERS = f"{API}/Accounts/<account_sid>/IncomingPhoneNumbers"
# Form parameter → Number attribute, for what a purchase or an update may set.
SETTINGS = {
    "FriendlyName": "friendly_name",
    "VoiceUrl": "voice_url",
    "VoiceMethod": "voice_method",
    "VoiceFallbackUrl": "voice_fallback_url",
    "VoiceFallbackMethod": "voice_fallback_method",
    "StatusCallback": "status_callback",
    "StatusCallbackMethod": "status_callback_method",
}
METHODS = ("VoiceMethod", "VoiceFallbackMethod", "StatusCallbackMethod")
URLS = ("VoiceUrl", "VoiceFallbackUrl", "StatusCallback")


@routes.get(f"{NUMBERS}.json")
def list_numbers(account_sid: str) -> Response:
    return account_page(
        account_sid, "incoming_phone_numbers", lambda w: w.numbers_of(account_sid), number_json, number_filter()
    )


def number_filter() -> Callable[[Number], bool] | None:
    """PhoneNumber matches anywhere in the number (``*`` for any digit), FriendlyName exactly; every number's
    Origin is ``twilio``."""
    phone, friendly, origin = (request.args.get(k) for k in ("PhoneNumber", "FriendlyName", "Origin"))
    if phone is None and friendly is None and origin is None:
        return None
    partial = re.compile("".join(r"\d" if c == "*" else re.escape(c) for c in phone or ""))
    return lambda n: (
        partial.search(n.phone_number) is not None
        and friendly in (None, n.friendly_name)
        and origin in (None, "twilio")
    )


@routes.post(f"{NUMBERS}.json")
def buy_number(account_sid: str) -> Response:
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    settings = settings_of(request.form)
    if isinstance(settings, Response):
        return settings
    phone, area_code = request.form.get("PhoneNumber"), request.form.get("AreaCode")
    with world().lock:
        if phone:
            bought = buy_phone_number(world(), account_sid, phone)
        elif area_code:
            bought = buy_in_area_code(world(), account_sid, area_code)
        else:
            # What Twilio answered in twilio/twilio-cli#98 (its code is the status).
            return twilio_error(400, 400, "did or area_code is required")
        if isinstance(bought, Response):
            return bought
        configure(bought, settings)
        created = jsonify(number_json(bought))
    created.status_code = 201
    return created


def buy_phone_number(state: World, account_sid: str, phone: str) -> Number | Response:
    """The number, when Twilio sells it and nobody owns it; buying a number the account owns already answers that
    number, as Twilio does."""
    if not re.fullmatch(r"\+\d+", phone) or stock.kind_of(phone) is None:
        return twilio_error(400, 21421, "PhoneNumber is invalid")
    owned = state.owners.get(phone)
    if owned is not None and owned.account_sid == account_sid:
        return owned
    offer = None if owned else stock.find(phone)
    if offer is None:
        return twilio_error(400, 21422, "PhoneNumber is not available")
    return sell(state, account_sid, offer)


def buy_in_area_code(state: World, account_sid: str, area_code: str) -> Number | Response:
    """The first number nobody owns in the North American area code."""
    if not stock.is_area_code(area_code):
        return twilio_error(400, 21451, "Invalid area code")
    offer = stock.in_area_code(area_code, state.owners)
    return twilio_error(400, 21452, "No phone numbers found") if offer is None else sell(state, account_sid, offer)


def sell(state: World, account_sid: str, offer: stock.Offer) -> Number:
    capabilities = offer.stock.capabilities
    return state.add_number(
        account_sid, offer.phone_number, offer.friendly_name, voice="voice" in capabilities, sms="sms" in capabilities
    )


@routes.get(f"{NUMBERS}/<number_sid>.json")
def fetch_number(account_sid: str, number_sid: str) -> Response:
    found = account_record(account_sid, lambda w: w.numbers.get(number_sid))
    return found if isinstance(found, Response) else jsonify(number_json(found))


@routes.post(f"{NUMBERS}/<number_sid>.json")
def update_number(account_sid: str, number_sid: str) -> Response:
    found = account_record(account_sid, lambda w: w.numbers.get(number_sid))
    if isinstance(found, Response):
        return found
    if request.form.get("AccountSid", account_sid) != account_sid:
        return twilio_error(400, 20001, "Moving a number to another account (AccountSid) is not emulated")
    settings = settings_of(request.form)
    if isinstance(settings, Response):
        return settings
    with world().lock:
        configure(found, settings)
        return jsonify(number_json(found))


@routes.delete(f"{NUMBERS}/<number_sid>.json")
def release_number(account_sid: str, number_sid: str) -> Response:
    with world().lock:
        found = account_record(account_sid, lambda w: w.numbers.get(number_sid))
        if isinstance(found, Response):
            return found
        world().release_number(found)
    return Response(status=204)


def settings_of(form: Mapping[str, str]) -> dict[str, str] | Response:
    """The settings the form sets (methods in capitals; an empty URL clears it), or Twilio's 400: a method other
    than GET or POST, a URL that is not http(s) (21502, "Invalid callback url")."""
    chosen = {attribute: form[param] for param, attribute in SETTINGS.items() if param in form}
    for param in URLS:
        if form.get(param) and not re.match(r"https?://[^/\s]+", form[param]):
            return twilio_error(400, 21502, f"Invalid callback url: {param} must be an http(s) URL")
    for param in METHODS:
        if param in form and form[param].upper() not in ("GET", "POST"):
            return twilio_error(400, 20001, f"{param} must be GET or POST")
        if param in form:
            chosen[SETTINGS[param]] = form[param].upper()
    return too_long(chosen.get("friendly_name")) or chosen


def configure(number: Number, settings: Mapping[str, str]) -> None:
    for attribute, value in settings.items():
        setattr(number, attribute, value)
    if settings:
        number.updated = time.time()


def number_json(number: Number) -> dict[str, Any]:
    return {
        "account_sid": number.account_sid,
        "address_requirements": "none",
        "address_sid": None,
        "api_version": "2010-04-01",
        "beta": False,
        "capabilities": {"voice": number.voice, "sms": number.sms, "mms": False, "fax": False},
        "date_created": rfc2822(number.created),
        "date_updated": rfc2822(number.updated),
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
        "status_callback_method": number.status_callback_method,
        "trunk_sid": None,
        "uri": f"{API}/Accounts/{number.account_sid}/IncomingPhoneNumbers/{number.sid}.json",
        "voice_application_sid": None,
        "voice_caller_id_lookup": False,
        "voice_fallback_method": number.voice_fallback_method,
        "voice_fallback_url": number.voice_fallback_url,
        "voice_method": number.voice_method,
        "voice_url": number.voice_url,
        "voice_receive_mode": "voice",
        "bundle_sid": None,
        "status": "in-use",
        "type": "local",
    }
