"""Events v1 (Event Streams): Sinks (create, list with InUse / Status, fetch, update, delete), Subscriptions (create
with Types, list with SinkSid, fetch, update, delete) and their SubscribedEvents, and the event Types the emulator
knows (Voice Insights call summaries). Per account, by Basic auth; another account's sink or subscription is 404. A
webhook sink is ``active`` once created (Twilio validates it first); other sink types stay ``initialized`` and
receive nothing. What a subscribed webhook sink receives is played by ``streams``."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Blueprint, Response, jsonify, request

from local.emulator import common
from local.emulator.common import caller, caller_owns, not_found, twilio_error, world
from local.emulator.state import Sink, Subscription, iso8601, sid

routes = Blueprint("events", __name__)
EVENTS = "https://events.twilio.com"
SINK_TYPES = ("kinesis", "webhook", "segment", "email")
CALL_SUMMARY = "VoiceInsights.CallSummary"
# The event types the emulator knows: type -> (schema, description).
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "com.twilio.voice.insights.call-summary.partial": (CALL_SUMMARY, "Partial Call Summary"),
    "com.twilio.voice.insights.call-summary.predicted-complete": (CALL_SUMMARY, "Predicted Complete Call Summary"),
    "com.twilio.voice.insights.call-summary.complete": (CALL_SUMMARY, "Complete Call Summary"),
}
DEFAULT_SCHEMA_VERSION = 1


def v1_page(key: str, rows: list[dict[str, Any]]) -> Response:
    return common.v1_page(EVENTS, key, rows)


# Sinks


@routes.post("/v1/Sinks")
def create_sink() -> Response:
    account = caller()
    if isinstance(account, Response):
        return account
    form = request.form
    missing = next((p for p in ("Description", "SinkConfiguration", "SinkType") if not form.get(p)), None)
    if missing:
        return twilio_error(400, 20001, f"Missing required parameter {missing} in the post body")
    if form["SinkType"] not in SINK_TYPES:
        return twilio_error(400, 20001, f"SinkType must be one of {', '.join(SINK_TYPES)}")
    configuration = sink_configuration(form["SinkType"], form["SinkConfiguration"])
    if isinstance(configuration, Response):
        return configuration
    webhook = form["SinkType"] == "webhook"
    sink = Sink(
        sid("DG"),
        account.sid,
        form["Description"],
        form["SinkType"],
        configuration,
        "active" if webhook else "initialized",
    )
    with world().lock:
        world().sinks[sink.sid] = sink
    response = jsonify(sink_json(sink))
    response.status_code = 201
    return response


def sink_configuration(sink_type: str, given: str) -> dict[str, Any] | Response:
    """The decoded SinkConfiguration; a webhook's needs an http(s) ``destination`` and a ``method`` (POST or GET),
    and ``batch_events`` is a boolean when given."""
    try:
        configuration = json.loads(given)
    except ValueError:
        return twilio_error(400, 20001, "SinkConfiguration must be a JSON object")
    if not isinstance(configuration, dict):
        return twilio_error(400, 20001, "SinkConfiguration must be a JSON object")
    if sink_type != "webhook":
        return configuration
    destination, method = configuration.get("destination"), configuration.get("method")
    if not isinstance(destination, str) or not destination.startswith(("http://", "https://")):
        return twilio_error(400, 20001, "A webhook sink's destination must be an http(s) URL")
    if not isinstance(method, str) or method.upper() not in ("POST", "GET"):
        return twilio_error(400, 20001, "A webhook sink's method must be POST or GET")
    if "batch_events" in configuration and not isinstance(configuration["batch_events"], bool):
        return twilio_error(400, 20001, "A webhook sink's batch_events must be true or false")
    return {**configuration, "method": method.upper()}


@routes.get("/v1/Sinks")
def list_sinks() -> Response:
    account = caller()
    if isinstance(account, Response):
        return account
    in_use, status = request.args.get("InUse"), request.args.get("Status")
    if in_use is not None and in_use.lower() not in ("true", "false"):
        return twilio_error(400, 20001, "InUse must be true or false")
    with world().lock:
        used = {s.sink_sid for s in world().subscriptions.values()}
        rows = [
            sink_json(s)
            for s in sorted(world().sinks.values(), key=lambda s: s.created)
            if s.account_sid == account.sid
            and status in (None, s.status)
            and (in_use is None or (s.sid in used) == (in_use.lower() == "true"))
        ]
    return v1_page("sinks", rows)


def own_sink(sink_sid: str) -> Sink | Response:
    return caller_owns(world().sinks.get(sink_sid))


@routes.get("/v1/Sinks/<sink_sid>")
def fetch_sink(sink_sid: str) -> Response:
    sink = own_sink(sink_sid)
    return sink if isinstance(sink, Response) else jsonify(sink_json(sink))


@routes.post("/v1/Sinks/<sink_sid>")
def update_sink(sink_sid: str) -> Response:
    sink = own_sink(sink_sid)
    if isinstance(sink, Response):
        return sink
    if not request.form.get("Description"):
        return twilio_error(400, 20001, "Missing required parameter Description in the post body")
    with world().lock:
        sink.description, sink.updated = request.form["Description"], time.time()
        return jsonify(sink_json(sink))


@routes.delete("/v1/Sinks/<sink_sid>")
def delete_sink(sink_sid: str) -> Response:
    with world().lock:
        sink = own_sink(sink_sid)
        if isinstance(sink, Response):
            return sink
        if any(s.sink_sid == sink.sid for s in world().subscriptions.values()):
            return twilio_error(400, 20001, f"Sink {sink.sid} is used by a subscription; delete the subscription first")
        del world().sinks[sink.sid]
    return Response(status=204)


def sink_json(sink: Sink) -> dict[str, Any]:
    url = f"{EVENTS}/v1/Sinks/{sink.sid}"
    return {
        "date_created": iso8601(sink.created),
        "date_updated": iso8601(sink.updated),
        "description": sink.description,
        "links": {"sink_test": f"{url}/Test", "sink_validate": f"{url}/Validate"},
        "sid": sink.sid,
        "sink_configuration": sink.configuration,
        "sink_type": sink.sink_type,
        "status": sink.status,
        "url": url,
    }


# Subscriptions


@routes.post("/v1/Subscriptions")
def create_subscription() -> Response:
    account = caller()
    if isinstance(account, Response):
        return account
    form = request.form
    missing = next((p for p in ("Description", "SinkSid", "Types") if not form.get(p)), None)
    if missing:
        return twilio_error(400, 20001, f"Missing required parameter {missing} in the post body")
    types: dict[str, int] = {}
    for given in form.getlist("Types"):
        parsed = subscribed_type(given)
        if isinstance(parsed, Response):
            return parsed
        types[parsed[0]] = parsed[1]
    with world().lock:
        sink = world().sinks.get(form["SinkSid"])
        if sink is None or sink.account_sid != account.sid:
            return twilio_error(400, 20001, f"Sink {form['SinkSid']} not found")
        if sink.status != "active":
            return twilio_error(400, 20001, f"Sink {sink.sid} is not active")
        subscription = Subscription(sid("DF"), account.sid, form["Description"], sink.sid, types)
        world().subscriptions[subscription.sid] = subscription
        response = jsonify(subscription_json(subscription))
    response.status_code = 201
    return response


def subscribed_type(given: str) -> tuple[str, int] | Response:
    """One ``Types`` value: a JSON object with a known ``type`` and, optionally, its ``schema_version``."""
    try:
        parsed = json.loads(given)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
        return twilio_error(400, 20001, 'Each Types value must be a JSON object {"type", "schema_version"}')
    return typed_version(parsed["type"], parsed.get("schema_version", DEFAULT_SCHEMA_VERSION))


def typed_version(event_type: str, version: Any) -> tuple[str, int] | Response:
    if event_type not in EVENT_TYPES:
        return twilio_error(400, 20001, f"Unknown event type {event_type}")
    if isinstance(version, str) and version.isdigit():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return twilio_error(400, 20001, "schema_version must be a positive integer")
    return event_type, version


@routes.get("/v1/Subscriptions")
def list_subscriptions() -> Response:
    account = caller()
    if isinstance(account, Response):
        return account
    sink_sid = request.args.get("SinkSid")
    with world().lock:
        rows = [
            subscription_json(s)
            for s in sorted(world().subscriptions.values(), key=lambda s: s.created)
            if s.account_sid == account.sid and sink_sid in (None, s.sink_sid)
        ]
    return v1_page("subscriptions", rows)


def own_subscription(subscription_sid: str) -> Subscription | Response:
    return caller_owns(world().subscriptions.get(subscription_sid))


@routes.get("/v1/Subscriptions/<subscription_sid>")
def fetch_subscription(subscription_sid: str) -> Response:
    found = own_subscription(subscription_sid)
    return found if isinstance(found, Response) else jsonify(subscription_json(found))


@routes.post("/v1/Subscriptions/<subscription_sid>")
def update_subscription(subscription_sid: str) -> Response:
    found = own_subscription(subscription_sid)
    if isinstance(found, Response):
        return found
    with world().lock:
        if "Description" in request.form:
            found.description, found.updated = request.form["Description"], time.time()
        return jsonify(subscription_json(found))


@routes.delete("/v1/Subscriptions/<subscription_sid>")
def delete_subscription(subscription_sid: str) -> Response:
    with world().lock:
        found = own_subscription(subscription_sid)
        if isinstance(found, Response):
            return found
        del world().subscriptions[found.sid]
    return Response(status=204)


def subscription_json(subscription: Subscription) -> dict[str, Any]:
    url = f"{EVENTS}/v1/Subscriptions/{subscription.sid}"
    return {
        "account_sid": subscription.account_sid,
        "date_created": iso8601(subscription.created),
        "date_updated": iso8601(subscription.updated),
        "description": subscription.description,
        "links": {"subscribed_events": f"{url}/SubscribedEvents"},
        "sid": subscription.sid,
        "sink_sid": subscription.sink_sid,
        "url": url,
    }


# SubscribedEvents


@routes.get("/v1/Subscriptions/<subscription_sid>/SubscribedEvents")
def list_subscribed_events(subscription_sid: str) -> Response:
    found = own_subscription(subscription_sid)
    if isinstance(found, Response):
        return found
    with world().lock:
        rows = [subscribed_event_json(found, t) for t in found.types]
    return v1_page("types", rows)


@routes.post("/v1/Subscriptions/<subscription_sid>/SubscribedEvents")
def create_subscribed_event(subscription_sid: str) -> Response:
    found = own_subscription(subscription_sid)
    if isinstance(found, Response):
        return found
    if not request.form.get("Type"):
        return twilio_error(400, 20001, "Missing required parameter Type in the post body")
    parsed = typed_version(request.form["Type"], request.form.get("SchemaVersion", DEFAULT_SCHEMA_VERSION))
    if isinstance(parsed, Response):
        return parsed
    with world().lock:
        found.types[parsed[0]], found.updated = parsed[1], time.time()
        response = jsonify(subscribed_event_json(found, parsed[0]))
    response.status_code = 201
    return response


@routes.route("/v1/Subscriptions/<subscription_sid>/SubscribedEvents/<event_type>", methods=["GET", "POST", "DELETE"])
def subscribed_event(subscription_sid: str, event_type: str) -> Response:
    found = own_subscription(subscription_sid)
    if isinstance(found, Response):
        return found
    with world().lock:
        if event_type not in found.types:
            return not_found()
        if request.method == "DELETE":
            del found.types[event_type]
            return Response(status=204)
        if request.method == "POST" and "SchemaVersion" in request.form:
            parsed = typed_version(event_type, request.form["SchemaVersion"])
            if isinstance(parsed, Response):
                return parsed
            found.types[event_type] = parsed[1]
        return jsonify(subscribed_event_json(found, event_type))


def subscribed_event_json(subscription: Subscription, event_type: str) -> dict[str, Any]:
    return {
        "account_sid": subscription.account_sid,
        "schema_version": subscription.types[event_type],
        "subscription_sid": subscription.sid,
        "type": event_type,
        "url": f"{EVENTS}/v1/Subscriptions/{subscription.sid}/SubscribedEvents/{event_type}",
    }


# Types


@routes.get("/v1/Types")
def list_types() -> Response:
    account = caller()
    if isinstance(account, Response):
        return account
    schema = request.args.get("SchemaId")
    rows = [type_json(t) for t, (s, _) in EVENT_TYPES.items() if schema in (None, s)]
    return v1_page("types", rows)


@routes.get("/v1/Types/<event_type>")
def fetch_type(event_type: str) -> Response:
    account = caller()
    if isinstance(account, Response):
        return account
    return jsonify(type_json(event_type)) if event_type in EVENT_TYPES else not_found()


def type_json(event_type: str) -> dict[str, Any]:
    schema, description = EVENT_TYPES[event_type]
    return {
        "date_created": "2020-08-13T13:28:20Z",
        "date_updated": "2020-08-13T13:28:20Z",
        "description": description,
        "documentation_url": "https://www.twilio.com/docs/voice/voice-insights/event-streams/call-insights-events",
        "links": {"schema": f"{EVENTS}/v1/Schemas/{schema}"},
        "schema_id": schema,
        "status": "available",
        "type": event_type,
        "url": f"{EVENTS}/v1/Types/{event_type}",
    }
