"""What a Twilio Event Streams webhook sink receives (PRODUCT.md, outcome source 3): a JSON array of CloudEvents
(``specversion``, ``id``, ``source``, ``type``, ``data``), of which this backend reads Voice Insights call summaries
(``com.twilio.voice.insights.call-summary.complete``, Twilio's published schema ``com.twilio.voice.insights.call-
summary``): the call SID, the account, ``from.caller`` / ``to.callee``, ``call_state``, ``connect_duration``,
``answered_by`` and ``properties.last_sip_response_num``. Other event types are read no further."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from callerid.domain.calls import SUMMARY_STATES, CallOutcome
from callerid.domain.errors import InvalidRequest

CALL_SUMMARY_COMPLETE = "com.twilio.voice.insights.call-summary.complete"
# A sink's batch: Twilio sends a few events per delivery; more than this is no delivery of Twilio's.
MAX_EVENTS = 500
REQUIRED = ("specversion", "id", "source", "type")


@dataclass(frozen=True, slots=True)
class CloudEvent:
    event_type: str
    event_id: str
    data: dict[str, Any]

    @property
    def account_sid(self) -> str | None:
        """The account the event is about (``account_sid``, or ``accountSid`` in other Twilio schemas)."""
        value = self.data.get("account_sid", self.data.get("accountSid"))
        return value if isinstance(value, str) and value else None


def read_events(body: str) -> list[CloudEvent]:
    """The delivery's events; ``InvalidRequest`` when the body is not a JSON array of CloudEvents."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise InvalidRequest("The body must be a JSON array of CloudEvents.") from exc
    if not isinstance(parsed, list) or not parsed or len(parsed) > MAX_EVENTS:
        raise InvalidRequest(f"The body must be a JSON array of 1 to {MAX_EVENTS} CloudEvents.")
    events = []
    for n, raw in enumerate(parsed):
        if not isinstance(raw, dict) or any(not isinstance(raw.get(k), str) or not raw.get(k) for k in REQUIRED):
            raise InvalidRequest(f"Event {n}: a CloudEvent has string specversion, id, source and type.")
        data = raw.get("data", {})
        if not isinstance(data, dict):
            raise InvalidRequest(f"Event {n}: its data must be a JSON object.")
        events.append(CloudEvent(raw["type"], raw["id"], data))
    return events


def signing_account(events: list[CloudEvent]) -> str | None:
    """The one account a delivery is about (a sink belongs to one account): ``None`` when no event names one;
    ``InvalidRequest`` when they name several."""
    accounts = {e.account_sid for e in events if e.account_sid}
    if len(accounts) > 1:
        raise InvalidRequest("A delivery's events must all be about one account.")
    return next(iter(accounts), None)


def summary_outcome(event: CloudEvent) -> CallOutcome | None:
    """A complete call summary of an outbound call as a ``CallOutcome`` (``event-streams``), or ``None`` for any
    other event, an inbound call, or a summary without what an outcome needs."""
    if event.event_type != CALL_SUMMARY_COMPLETE:
        return None
    data = event.data
    found = data.get("properties")
    properties: dict[str, Any] = found if isinstance(found, dict) else {}
    direction = str(properties.get("direction") or "")
    call_sid, account = data.get("call_sid"), event.account_sid
    status = SUMMARY_STATES.get(str(data.get("call_state") or ""))
    caller = party(data.get("from"), "caller")
    if direction.startswith("inbound") or not isinstance(call_sid, str) or not call_sid or not account:
        return None
    if status is None or caller is None:
        return None
    duration = whole(data.get("connect_duration")) if status == "completed" else None
    code = whole(properties.get("last_sip_response_num"))
    return CallOutcome(
        account,
        call_sid,
        caller,
        party(data.get("to"), "callee"),
        status,
        "event-streams",
        duration,
        code if code and 100 <= code <= 699 else None,
    )


def party(value: object, role: str) -> str | None:
    number = value.get(role) if isinstance(value, dict) else None
    return number if isinstance(number, str) and number else None


def whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value <= 7 * 86_400:
        return value
    if isinstance(value, float) and 0 <= value <= 7 * 86_400:
        return int(value)
    return None
