"""Api 2010 Calls: list (From, To, Status, ParentCallSid, StartTime / StartTime< / StartTime>, EndTime likewise; newest
first) and fetch. The calls are the customer legs of the outbound-call tasks the emulator plays (``tasks``): Flex's
Orchestrator dials the customer into the task's conference through the REST API, so Twilio reports the leg as
``outbound-api``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from local.emulator.common import API, account_page, account_record, authorised_for, twilio_error
from local.emulator.state import Call, World, rfc2822

routes = Blueprint("calls", __name__)
CALLS = f"{API}/Accounts/<account_sid>/Calls"
DAY = 86_400.0


@routes.get(f"{CALLS}.json")
def list_calls(account_sid: str) -> Response:
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    keep = call_filter()
    if isinstance(keep, Response):
        return keep
    return account_page(account_sid, "calls", lambda w: calls_of(w, account_sid), call_json, keep)


@routes.get(f"{CALLS}/<call_sid>.json")
def fetch_call(account_sid: str, call_sid: str) -> Response:
    found = account_record(account_sid, lambda w: w.calls.get(call_sid))
    return found if isinstance(found, Response) else jsonify(call_json(found))


def calls_of(state: World, account_sid: str) -> list[Call]:
    """The account's calls, newest first (as Twilio lists them)."""
    with state.lock:
        mine = [c for c in state.calls.values() if c.account_sid == account_sid]
    return sorted(mine, key=lambda c: (c.start_time, c.sid), reverse=True)


def call_filter() -> Callable[[Call], bool] | Response:
    """The request's filters as one test, or Twilio's 400 for a time it cannot read. A time filter takes a date
    (``YYYY-MM-DD``, UTC) or an ISO 8601 date-time: ``StartTime`` keeps the calls that started on that UTC day,
    ``StartTime>`` (what ``StartTime>=…`` in a query string sends) those that started at or after it,
    ``StartTime<`` those that started at or before it; ``EndTime`` likewise for the end."""
    args = request.args
    exact = {k: args[k] for k in ("From", "To", "Status", "ParentCallSid") if k in args}
    bounds: list[tuple[str, str, float]] = []
    for name in ("StartTime", "EndTime"):
        for suffix in ("", ">", "<"):
            given = args.get(name + suffix)
            if given is None:
                continue
            moment = parse_moment(given)
            if moment is None:
                return twilio_error(400, 20001, f"{name}{suffix} must be a date (YYYY-MM-DD) or an ISO 8601 date-time")
            bounds.append((name, suffix, moment))

    def keep(call: Call) -> bool:
        fields = {"From": call.from_number, "To": call.to, "Status": call.status, "ParentCallSid": None}
        if any(fields[k] != v for k, v in exact.items()):
            return False
        for name, suffix, moment in bounds:
            at = call.start_time if name == "StartTime" else call.end_time
            if at is None:
                return False
            if suffix == ">" and at < moment:
                return False
            if suffix == "<" and at > moment:
                return False
            if suffix == "" and not day_start(moment) <= at < day_start(moment) + DAY:
                return False
        return True

    return keep


def parse_moment(given: str) -> float | None:
    """Seconds since the epoch of a date (its midnight, UTC) or an ISO 8601 date-time (UTC unless it says)."""
    try:
        if len(given) == 10:
            return datetime.combine(date.fromisoformat(given), datetime.min.time(), UTC).timestamp()
        parsed = datetime.fromisoformat(given.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def day_start(moment: float) -> float:
    return moment - moment % DAY


def call_json(call: Call) -> dict[str, Any]:
    base = f"{API}/Accounts/{call.account_sid}/Calls/{call.sid}"
    return {
        "account_sid": call.account_sid,
        "annotation": None,
        "answered_by": None,
        "api_version": "2010-04-01",
        "caller_name": None,
        "date_created": rfc2822(call.created),
        "date_updated": rfc2822(call.updated),
        "direction": call.direction,
        "duration": None if call.duration is None else str(call.duration),
        "end_time": None if call.end_time is None else rfc2822(call.end_time),
        "forwarded_from": None,
        "from": call.from_number,
        "from_formatted": formatted(call.from_number),
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": call.sid,
        "start_time": rfc2822(call.start_time),
        "status": call.status,
        "subresource_uris": {
            "notifications": f"{base}/Notifications.json",
            "recordings": f"{base}/Recordings.json",
            "payments": f"{base}/Payments.json",
            "events": f"{base}/Events.json",
            "siprec": f"{base}/Siprec.json",
            "streams": f"{base}/Streams.json",
            "transcriptions": f"{base}/Transcriptions.json",
            "user_defined_message_subscriptions": f"{base}/UserDefinedMessageSubscriptions.json",
            "user_defined_messages": f"{base}/UserDefinedMessages.json",
        },
        "to": call.to,
        "to_formatted": formatted(call.to),
        "trunk_sid": None,
        "uri": f"{base}.json",
    }


def formatted(phone: str) -> str:
    """North American numbers as ``(415) 555-2671``, others in E.164 (as the Calls resource shows them)."""
    if phone.startswith("+1") and len(phone) == 12:
        return f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"
    return phone
