"""The verification call a ValidationRequest places: it rings ``CallDelay`` seconds after the request, the person
who answers enters digits once — played through ``POST /_emulator/verification-calls/{callSid}``, or, when nobody
plays them, the right code ``verification_answer_seconds`` after it rings — the right code creates the
OutgoingCallerId, and Twilio reports the outcome to the StatusCallback, signed with the account's auth token."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

from local.emulator.common import get_signed, post_signed
from local.emulator.state import VerificationCall, World


def place_call(state: World, call: VerificationCall) -> None:
    """Ring the call; it answers itself with the right code unless its digits are played first."""
    threading.Thread(target=_answer_unless_played, args=(state, call), daemon=True).start()


def play_digits(state: World, call_sid: str, digits: str) -> VerificationCall | None:
    """Enter ``digits`` on the pending call (once it rings) and post its status callback; None when there is no such
    call or it was answered already."""
    call = state.claim_verification_call(call_sid)
    if call is not None:
        _finish(state, call, digits)
    return call


def _answer_unless_played(state: World, call: VerificationCall) -> None:
    if state.claim_when_unanswered(call):
        _finish(state, call, call.validation_code)


def _finish(state: World, call: VerificationCall, digits: str) -> None:
    time.sleep(max(call.rings_at - time.monotonic(), 0.0))
    state.settle_verification_call(call, digits)
    if call.status_callback:
        call.callback_status = _report(state, call, call.status_callback)


def _report(state: World, call: VerificationCall, url: str) -> int | None:
    """Twilio's status callback after a verification call: the call's standard parameters (those the emulator
    knows) with ``VerificationStatus``, and ``OutgoingCallerIdSid`` on success. Answers the HTTP status it got."""
    params = {
        "AccountSid": call.account_sid,
        "ApiVersion": "2010-04-01",
        "CallSid": call.call_sid,
        "CallStatus": "completed",
        "Called": call.phone_number,
        "To": call.phone_number,
        "VerificationStatus": call.status,
    }
    if call.outgoing_caller_id_sid:
        params["OutgoingCallerIdSid"] = call.outgoing_caller_id_sid
    send = get_signed if call.status_callback_method == "GET" else post_signed
    try:
        response = send(state.accounts[call.account_sid].auth_token, url, params)
    except requests.RequestException:
        return None  # recorded as no answer; the emulator does not retry
    return int(response.status_code)


def verification_call_json(call: VerificationCall) -> dict[str, Any]:
    return {
        "callSid": call.call_sid,
        "accountSid": call.account_sid,
        "status": call.status,
        "phoneNumber": call.phone_number,
        "friendlyName": call.friendly_name,
        "validationCode": call.validation_code,
        "callDelay": call.call_delay,
        "extension": call.extension,
        "statusCallback": call.status_callback,
        "statusCallbackMethod": call.status_callback_method,
        "answered": call.claimed,
        "outgoingCallerIdSid": call.outgoing_caller_id_sid,
        "callbackStatus": call.callback_status,
    }
