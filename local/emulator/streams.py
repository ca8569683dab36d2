"""What Event Streams delivers to a webhook sink: Voice Insights call summaries of an account's calls, to each of the
account's active webhook sinks with a subscription to a call-summary type, one POST per sink and type.

As Twilio does it (https://www.twilio.com/docs/events/webhook-quickstart, and "A few notes" on
https://www.twilio.com/docs/usage/webhooks/webhooks-security): the body is a JSON array of CloudEvents (one here),
``Content-Type: application/json``; the request goes to the sink's destination with a ``bodySHA256`` query parameter
(the hex SHA-256 of the body) added, and ``X-Twilio-Signature`` signs that whole URL (no POST parameters) with the
account's auth token, as the ``twilio`` library's ``RequestValidator`` computes it — so
``RequestValidator(token).validate(destination + "?" + query, raw_body, signature)`` holds. User info in the
destination is sent as Basic auth and left out of the signed URL. The summary is posted before the call's end is
answered (Twilio sends the complete summary up to 30 minutes later), once, with no retry; a GET sink is not
played."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import phonenumbers
import requests
from twilio.request_validator import RequestValidator

from local.emulator.events import CALL_SUMMARY
from local.emulator.state import Call, StreamDelivery, World, iso8601, sid

PARTIAL = "com.twilio.voice.insights.call-summary.partial"
PREDICTED = "com.twilio.voice.insights.call-summary.predicted-complete"
COMPLETE = "com.twilio.voice.insights.call-summary.complete"
# In the order Voice Insights emits them.
SUMMARY_TYPES = (PARTIAL, PREDICTED, COMPLETE)
# The Calls resource's terminal status -> the summary's call_state.
CALL_STATES = {
    "completed": "completed",
    "no-answer": "noanswer",
    "busy": "busy",
    "failed": "fail",
    "canceled": "canceled",
}
DISCONNECTED_BY = {"no-answer": "caller", "canceled": "caller"}
SINK_TIMEOUT_SECONDS = 5  # "The maximum timeout for a webhook Sink response is 5 seconds."


def deliver_call_summaries(state: World, call: Call) -> list[StreamDelivery]:
    """Post the ended call's summary to every sink of its account subscribed to it; record and answer each
    delivery with the sink's answer status (None: no answer)."""
    with state.lock:
        token = state.accounts[call.account_sid].auth_token
        targets: dict[tuple[str, str], tuple[str, int]] = {}
        for subscription in sorted(state.subscriptions.values(), key=lambda s: s.created):
            sink = state.sinks.get(subscription.sink_sid)
            if sink is None or sink.account_sid != call.account_sid or sink.status != "active":
                continue
            if sink.sink_type != "webhook" or sink.configuration.get("method") != "POST":
                continue
            for event_type in SUMMARY_TYPES:
                if event_type in subscription.types:
                    version = subscription.types[event_type]
                    targets.setdefault((sink.sid, event_type), (sink.configuration["destination"], version))
        summary = call_summary(call)
    deliveries = []
    for event_type in SUMMARY_TYPES:
        for (sink_sid, wanted), (destination, version) in targets.items():
            if wanted != event_type:
                continue
            body = json.dumps([cloud_event(call, event_type, version, summary)])
            status = post_event(token, destination, body)
            deliveries.append(StreamDelivery(sink_sid, event_type, call.sid, status))
    with state.lock:
        state.stream_deliveries.extend(deliveries)
    return deliveries


def signed_url(destination: str, body: str) -> tuple[str, tuple[str, str] | None]:
    """The URL Twilio posts to and signs (the destination without user info, plus ``bodySHA256``), and the user
    info as Basic auth credentials."""
    parts = urlsplit(destination)
    credentials = (parts.username or "", parts.password or "") if parts.username is not None else None
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    digest = hashlib.sha256(body.encode()).hexdigest()
    query = f"{parts.query}&bodySHA256={digest}" if parts.query else f"bodySHA256={digest}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, "")), credentials


def post_event(auth_token: str, destination: str, body: str) -> int | None:
    url, credentials = signed_url(destination, body)
    signature = RequestValidator(auth_token).compute_signature(url, {})
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": signature}
    try:
        response = requests.post(
            url, data=body.encode(), headers=headers, auth=credentials, timeout=SINK_TIMEOUT_SECONDS
        )
    except requests.RequestException:
        return None
    return int(response.status_code)


def cloud_event(call: Call, event_type: str, version: int, summary: dict[str, Any]) -> dict[str, Any]:
    state = "complete" if event_type == COMPLETE else "partial"
    return {
        "specversion": "1.0",
        "type": event_type,
        "source": f"/v1/Voice/{call.sid}/Summary",
        "id": sid("EZ"),
        "dataschema": f"https://events-schemas.twilio.com/{CALL_SUMMARY}/{version}",
        "datacontenttype": "application/json",
        "time": datetime.fromtimestamp(time.time(), UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "data": {**summary, "processing_state": state},
    }


def call_summary(call: Call) -> dict[str, Any]:
    """Voice Insights' summary of a PSTN call the REST API placed (``call_type`` carrier, direction outbound_api);
    ``properties.last_sip_response_num`` carries the call's final SIP response."""
    end = call.end_time if call.end_time is not None else time.time()
    connected = call.duration or 0
    return {
        "call_sid": call.sid,
        "account_sid": call.account_sid,
        "parent_call_sid": "",
        "parent_account_sid": "",
        "created_time": iso8601(call.created),
        "start_time": iso8601(call.start_time),
        "end_time": iso8601(end),
        "duration": max(int(end - call.start_time), connected),
        "connect_duration": connected,
        "call_type": "carrier",
        "call_state": CALL_STATES.get(call.status, call.status),
        "answered_by": "unknown",
        "from": party(call.from_number, "caller"),
        "to": party(call.to, "callee"),
        "processing_version": 1,
        "sip_edge": None,
        "carrier_edge": {"properties": {"direction": "outbound", "media_region": "us1", "signaling_region": "us1"}},
        "sdk_edge": None,
        "client_edge": None,
        "tags": [],
        "attributes": {"conference_participant": True},
        "properties": {
            "last_sip_response_num": call.sip_code or 0,
            "pdd_ms": 0,
            "disconnected_by": DISCONNECTED_BY.get(call.status, "callee"),
            "direction": "outbound_api",
        },
        "trust": None,
        "annotation": None,
        "url": f"https://insights.twilio.com/v1/Voice/{call.sid}/Summary",
    }


def party(phone: str, role: str) -> dict[str, Any]:
    """``from`` (role ``caller``) or ``to`` (``callee``) of a summary: the number, its prefix and country."""
    try:
        parsed = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return {role: phone, "connection": "unknown"}
    national = str(parsed.national_number)
    prefix = f"{parsed.country_code}{national[:3] if parsed.country_code == 1 else ''}"
    return {
        role: phone,
        "connection": "pstn",
        "number_prefix": prefix,
        "country_code": phonenumbers.region_code_for_number(parsed) or "",
    }
