"""The calls Flex places and what Event Streams sends about them, as the emulator plays them: each outbound task's
customer leg is an Api 2010 Call whose list, filters and fetch answer like Twilio's (held against Twilio's OpenAPI
specs), its end takes an outcome, and a webhook sink subscribed (through Events v1, held against its spec) to Voice
Insights call summaries receives the leg's summary as Twilio sends it: a JSON array of CloudEvents posted to the
sink's destination with ``bodySHA256`` added, signed so that the ``twilio`` library's ``RequestValidator`` accepts it
under the account's auth token and no other."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from openapi_core.contrib.requests import RequestsOpenAPIResponse
from openapi_schema_validator import OAS30Validator
from twilio.request_validator import RequestValidator

from tests.contract.conftest import API
from tests.contract.test_emulator_matches_twilio import exchange, twilio_error, valid

EVENTS = "https://events.twilio.com"
COMPLETE = "com.twilio.voice.insights.call-summary.complete"
FROM, TO = "+12125550100", "+14155552671"


class JsonReceiver:
    """A webhook sink on loopback: records each request (path with query, raw body, headers), answers ``status``."""

    def __init__(self, status: int = 204) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                received.append((self.path, body, self.headers))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/twilio/event-streams"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def worker_of(stack, tenant, identity="dana"):
    return requests.post(
        f"{stack.emulator}/_emulator/tokens", json={"accountSid": tenant.sid, "identity": identity}, timeout=10
    ).json()["workerSid"]


def place(stack, worker_sid, **body):
    answer = requests.post(
        f"{stack.emulator}/_emulator/outbound-tasks",
        json={"workerSid": worker_sid, "from": FROM, "to": TO, **body},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def end(stack, task_sid, **body):
    answer = requests.post(
        f"{stack.emulator}/_emulator/outbound-tasks/{task_sid}/end", json={"ending": "wrapup", **body}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def fetch_call(stack, api_2010, tenant, call_sid):
    request, response = exchange(stack, "GET", tenant.url(f"Calls/{call_sid}.json"), base=API, auth=tenant.auth)
    assert response.status_code == 200, response.text
    valid(api_2010, request, response)
    return response.json()


def test_a_dialpad_calls_task_has_its_customer_leg_in_progress(local_stack, api_2010, tenant):
    placed = place(local_stack, worker_of(local_stack, tenant))
    attributes = placed["task"]["attributes"]
    assert attributes["conference"]["participants"]["customer"] == placed["callSid"]
    assert re.fullmatch(r"CA[0-9a-f]{32}", placed["callSid"]) and re.fullmatch(
        r"CF[0-9a-f]{32}", attributes["conference"]["sid"]
    )
    call = fetch_call(local_stack, api_2010, tenant, placed["callSid"])
    assert (call["status"], call["direction"], call["from"], call["to"]) == ("in-progress", "outbound-api", FROM, TO)
    assert (call["account_sid"], call["duration"], call["end_time"], call["answered_by"]) == (
        tenant.sid,
        None,
        None,
        None,
    )


def test_a_task_can_end_before_flex_writes_its_leg_or_with_no_leg(local_stack, api_2010, tenant):
    worker = worker_of(local_stack, tenant)
    unlisted = place(local_stack, worker, customerLeg="listOnly")
    assert "conference" not in unlisted["task"]["attributes"]
    assert fetch_call(local_stack, api_2010, tenant, unlisted["callSid"])["status"] == "in-progress"
    end(local_stack, unlisted["task"]["taskSid"], outcome="no-answer")
    assert fetch_call(local_stack, api_2010, tenant, unlisted["callSid"])["status"] == "no-answer"
    legless = place(local_stack, worker, customerLeg="none", to="+13125550188")
    assert legless["callSid"] is None and "conference" not in legless["task"]["attributes"]
    assert end(local_stack, legless["task"]["taskSid"])["deliveries"] == []
    _, listed = exchange(
        local_stack, "GET", tenant.url("Calls.json"), base=API, auth=tenant.auth, params={"To": "+13125550188"}
    )
    assert listed.json()["calls"] == []


@pytest.mark.parametrize(
    ("body", "status", "duration"),
    [
        ({}, "completed", "60"),
        ({"outcome": "completed", "durationSeconds": 4}, "completed", "4"),
        ({"outcome": "no-answer"}, "no-answer", "0"),
        ({"outcome": "busy"}, "busy", "0"),
        ({"outcome": "failed", "sipCode": 608}, "failed", "0"),
        ({"outcome": "canceled"}, "canceled", "0"),
    ],
    ids=["default", "short", "no-answer", "busy", "failed 608", "canceled"],
)
def test_the_end_gives_the_leg_its_outcome(local_stack, api_2010, tenant, body, status, duration):
    placed = place(local_stack, worker_of(local_stack, tenant), ageSeconds=90)
    ended = end(local_stack, placed["task"]["taskSid"], **body)
    assert ended["callSid"] == placed["callSid"] and ended["deliveries"] == []
    call = fetch_call(local_stack, api_2010, tenant, placed["callSid"])
    assert (call["status"], call["duration"]) == (status, duration)
    started = datetime.strptime(call["start_time"], "%a, %d %b %Y %H:%M:%S %z")
    finished = datetime.strptime(call["end_time"], "%a, %d %b %Y %H:%M:%S %z")
    assert finished - started >= timedelta(seconds=int(duration))
    again = end(local_stack, placed["task"]["taskSid"], ending="completed", outcome="busy")
    assert again["deliveries"] == [] and fetch_call(local_stack, api_2010, tenant, placed["callSid"]) == call


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "answered"},
        {"outcome": "busy", "durationSeconds": 3},
        {"durationSeconds": -1},
        {"durationSeconds": "60"},
        {"outcome": "failed", "sipCode": 99},
        {"outcome": "completed", "sipCode": 603},
        {"outcome": "failed", "sipCode": True},
    ],
)
def test_an_outcome_the_emulator_cannot_play_is_400(local_stack, tenant, body):
    placed = place(local_stack, worker_of(local_stack, tenant))
    answer = requests.post(
        f"{local_stack.emulator}/_emulator/outbound-tasks/{placed['task']['taskSid']}/end",
        json={"ending": "wrapup", **body},
        timeout=10,
    )
    twilio_error(answer, 400, 20001)


def test_the_calls_list_filters_and_pages_like_twilio(local_stack, api_2010, tenant):
    worker = worker_of(local_stack, tenant)
    old = place(local_stack, worker, ageSeconds=3 * 86_400)
    others = [place(local_stack, worker, to="+13125550199")["callSid"] for _ in range(2)]
    recent = place(local_stack, worker)
    end(local_stack, recent["task"]["taskSid"], outcome="busy")
    url = tenant.url("Calls.json")

    def listed(**params):
        """The SIDs listed; the request is held against the spec unless it passes a date where the spec says
        date-time (Twilio's documentation gives dates: ``StartTime>=YYYY-MM-DD``)."""
        request, response = exchange(local_stack, "GET", url, base=API, auth=tenant.auth, params=params)
        assert response.status_code == 200, response.text
        if any(len(str(v)) == 10 for k, v in params.items() if "Time" in k):
            api_2010.validate_response(request, RequestsOpenAPIResponse(response))
        else:
            valid(api_2010, request, response)
        return [c["sid"] for c in response.json()["calls"]]

    today = datetime.now(UTC).date()
    assert listed(From=FROM, To=TO) == [recent["callSid"], old["callSid"]]  # newest first
    assert sorted(listed(To="+13125550199")) == sorted(others)
    assert listed(To=TO, Status="busy") == [recent["callSid"]]
    assert listed(To=TO, **{"StartTime>": today.isoformat()}) == [recent["callSid"]]
    assert listed(To=TO, **{"StartTime<": today.isoformat()}) == [old["callSid"]]
    assert listed(To=TO, StartTime=(today - timedelta(days=3)).isoformat()) == [old["callSid"]]
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listed(To=TO, **{"StartTime>": an_hour_ago}) == [recent["callSid"]]
    assert listed(To=TO, StartTime=an_hour_ago) == ([recent["callSid"]] if an_hour_ago[:10] == str(today) else [])
    assert listed(To=TO, **{"EndTime>": today.isoformat()}) == [recent["callSid"]]
    assert listed(From="+19995550100") == []
    # What a query string reads as ``StartTime>=…`` is the parameter ``StartTime>``.
    raw = requests.get(
        f"{local_stack.emulator}{urlsplit(url).path}?To=%2B14155552671&StartTime>={today}", auth=tenant.auth
    )
    assert [c["sid"] for c in raw.json()["calls"]] == [recent["callSid"]]

    request, first = exchange(local_stack, "GET", url, base=API, auth=tenant.auth, params={"From": FROM, "PageSize": 2})
    valid(api_2010, request, first)
    assert len(first.json()["calls"]) == 2 and "From=%2B12125550100" in first.json()["next_page_uri"]
    request, rest = exchange(local_stack, "GET", API + first.json()["next_page_uri"], base=API, auth=tenant.auth)
    valid(api_2010, request, rest)
    seen = [c["sid"] for c in first.json()["calls"] + rest.json()["calls"]]
    assert sorted(seen) == sorted([old["callSid"], recent["callSid"], *others])


def test_a_time_the_calls_list_cannot_read_is_400(local_stack, tenant):
    response = requests.get(
        f"{local_stack.emulator}/2010-04-01/Accounts/{tenant.sid}/Calls.json",
        params={"StartTime>": "yesterday"},
        auth=tenant.auth,
        timeout=10,
    )
    twilio_error(response, 400, 20001)


def test_an_unknown_or_another_accounts_call_is_not_found(local_stack, api_2010, tenant):
    placed = place(local_stack, worker_of(local_stack, tenant))
    for account_sid in (tenant.child_sid,):
        request, response = exchange(
            local_stack, "GET", tenant.url(f"Calls/{placed['callSid']}.json", account_sid), base=API, auth=tenant.auth
        )
        api_2010.validate_request(request)
        twilio_error(response, 404, 20404)
    request, response = exchange(
        local_stack, "GET", tenant.url("Calls/CA" + "0" * 32 + ".json"), base=API, auth=tenant.auth
    )
    twilio_error(response, 404, 20404)
    stranger = requests.get(
        f"{local_stack.emulator}/2010-04-01/Accounts/{tenant.sid}/Calls/{placed['callSid']}.json",
        auth=(tenant.sid, "wrong"),
        timeout=10,
    )
    twilio_error(stranger, 401, 20003)


# Events v1


def create_sink(stack, events, tenant, destination, method="POST"):
    configuration = json.dumps({"destination": destination, "method": method, "batch_events": False})
    form = {"Description": "caller-id outcomes", "SinkConfiguration": configuration, "SinkType": "webhook"}
    request, response = exchange(stack, "POST", f"{EVENTS}/v1/Sinks", base=EVENTS, auth=tenant.auth, data=form)
    assert response.status_code == 201, response.text
    valid(events, request, response)
    return response.json()


def subscribe(stack, events, tenant, sink_sid, *types):
    form = {
        "Description": "call summaries",
        "SinkSid": sink_sid,
        "Types": [json.dumps({"type": t, "schema_version": 1}) for t in types or (COMPLETE,)],
    }
    request, response = exchange(stack, "POST", f"{EVENTS}/v1/Subscriptions", base=EVENTS, auth=tenant.auth, data=form)
    assert response.status_code == 201, response.text
    valid(events, request, response)
    return response.json()


def test_sinks_and_subscriptions_are_made_read_and_deleted_like_twilios(local_stack, events, tenant):
    sink = create_sink(local_stack, events, tenant, "https://example.com/webhooks/twilio/event-streams")
    assert (sink["status"], sink["sink_type"]) == ("active", "webhook") and sink["sid"].startswith("DG")
    assert sink["sink_configuration"]["destination"] == "https://example.com/webhooks/twilio/event-streams"
    subscription = subscribe(local_stack, events, tenant, sink["sid"])
    assert (subscription["sink_sid"], subscription["account_sid"]) == (sink["sid"], tenant.sid)

    def read(url, **params):
        request, response = exchange(local_stack, "GET", url, base=EVENTS, auth=tenant.auth, params=params or None)
        assert response.status_code == 200, response.text
        valid(events, request, response)
        return response.json()

    assert [s["sid"] for s in read(f"{EVENTS}/v1/Sinks")["sinks"]] == [sink["sid"]]
    assert [s["sid"] for s in read(f"{EVENTS}/v1/Sinks", InUse="false")["sinks"]] == []
    assert read(f"{EVENTS}/v1/Sinks/{sink['sid']}") == sink
    listed = read(f"{EVENTS}/v1/Subscriptions", SinkSid=sink["sid"])
    assert [s["sid"] for s in listed["subscriptions"]] == [subscription["sid"]]
    assert listed["meta"]["key"] == "subscriptions"
    assert read(f"{EVENTS}/v1/Subscriptions/{subscription['sid']}") == subscription
    types = read(f"{EVENTS}/v1/Subscriptions/{subscription['sid']}/SubscribedEvents")["types"]
    assert [(t["type"], t["schema_version"]) for t in types] == [(COMPLETE, 1)]
    assert COMPLETE in {t["type"] for t in read(f"{EVENTS}/v1/Types")["types"]}

    _, in_use = exchange(local_stack, "DELETE", f"{EVENTS}/v1/Sinks/{sink['sid']}", base=EVENTS, auth=tenant.auth)
    twilio_error(in_use, 400, 20001)
    for url in (f"{EVENTS}/v1/Subscriptions/{subscription['sid']}", f"{EVENTS}/v1/Sinks/{sink['sid']}"):
        request, deleted = exchange(local_stack, "DELETE", url, base=EVENTS, auth=tenant.auth)
        assert deleted.status_code == 204
        valid(events, request, deleted)
        _, gone = exchange(local_stack, "GET", url, base=EVENTS, auth=tenant.auth)
        twilio_error(gone, 404, 20404)


def test_another_accounts_sink_is_not_found(local_stack, events, tenant, auth):
    sink = create_sink(local_stack, events, tenant, "https://example.com/events")
    for method in ("GET", "DELETE"):
        twilio_error(
            requests.request(method, f"{local_stack.emulator}/v1/Sinks/{sink['sid']}", auth=auth, timeout=10),
            404,
            20404,
        )
    theirs = {"Description": "x", "SinkSid": sink["sid"], "Types": json.dumps({"type": COMPLETE})}
    twilio_error(
        requests.post(f"{local_stack.emulator}/v1/Subscriptions", auth=auth, data=theirs, timeout=10), 400, 20001
    )
    twilio_error(requests.get(f"{local_stack.emulator}/v1/Sinks", timeout=10), 401, 20003)


@pytest.mark.parametrize(
    "form",
    [
        {
            "Description": "x",
            "SinkType": "webhook",
            "SinkConfiguration": '{"destination": "ftp://x", "method": "POST"}',
        },
        {
            "Description": "x",
            "SinkType": "webhook",
            "SinkConfiguration": '{"destination": "https://x", "method": "PUT"}',
        },
        {"Description": "x", "SinkType": "pigeon", "SinkConfiguration": "{}"},
        {"SinkType": "webhook", "SinkConfiguration": '{"destination": "https://x", "method": "POST"}'},
    ],
    ids=["not http", "PUT", "unknown type", "no description"],
)
def test_a_sink_twilio_refuses_is_400(local_stack, tenant, form):
    twilio_error(requests.post(f"{local_stack.emulator}/v1/Sinks", auth=tenant.auth, data=form, timeout=10), 400, 20001)


# Deliveries


def summary_schema(insights_spec):
    return {"$ref": "#/components/schemas/insights.v1.call.summary", "components": insights_spec["components"]}


def test_a_subscribed_sink_receives_the_call_summary_signed_as_twilio_signs_it(
    local_stack, events, insights_spec, tenant
):
    receiver = JsonReceiver()
    try:
        sink = create_sink(local_stack, events, tenant, receiver.url)
        subscribe(local_stack, events, tenant, sink["sid"])
        placed = place(local_stack, worker_of(local_stack, tenant), ageSeconds=20)
        ended = end(local_stack, placed["task"]["taskSid"], outcome="failed", sipCode=608)
    finally:
        receiver.close()
    expected = {"sinkSid": sink["sid"], "type": COMPLETE, "callSid": placed["callSid"], "status": 204}
    assert ended["deliveries"] == [expected]
    logged = requests.get(f"{local_stack.emulator}/_emulator/event-streams/deliveries", timeout=10).json()
    assert expected in logged["deliveries"]

    ((path, body, headers),) = receiver.received
    assert headers["Content-Type"] == "application/json"
    query = parse_qs(urlsplit(path).query)
    assert list(query) == ["bodySHA256"]
    url = receiver.url + "?" + urlsplit(path).query  # the sink's destination with the query it received
    assert RequestValidator(tenant.auth[1]).validate(url, body, headers["X-Twilio-Signature"])
    assert not RequestValidator("0" * 32).validate(url, body, headers["X-Twilio-Signature"])
    assert not RequestValidator(tenant.auth[1]).validate(url, body.replace("608", "200"), headers["X-Twilio-Signature"])

    (event,) = json.loads(body)
    assert {k: event[k] for k in ("specversion", "type", "source", "datacontenttype")} == {
        "specversion": "1.0",
        "type": COMPLETE,
        "source": f"/v1/Voice/{placed['callSid']}/Summary",
        "datacontenttype": "application/json",
    }
    assert event["dataschema"] == "https://events-schemas.twilio.com/VoiceInsights.CallSummary/1"
    assert re.fullmatch(r"EZ[0-9a-f]{32}", event["id"]) and event["time"].endswith("Z")
    data = event["data"]
    OAS30Validator(summary_schema(insights_spec)).validate(data)
    assert (data["call_sid"], data["account_sid"], data["call_state"]) == (placed["callSid"], tenant.sid, "fail")
    assert (data["from"]["caller"], data["to"]["callee"], data["processing_state"]) == (FROM, TO, "complete")
    assert (data["duration"] >= 20, data["connect_duration"]) == (True, 0)
    assert data["properties"]["last_sip_response_num"] == 608
    assert data["properties"]["direction"] == "outbound_api"


@pytest.mark.parametrize(
    ("body", "state", "connected", "sip"),
    [
        ({"durationSeconds": 5}, "completed", 5, 200),
        ({"outcome": "no-answer"}, "noanswer", 0, 487),
        ({"outcome": "busy", "sipCode": 603}, "busy", 0, 603),
        ({"outcome": "canceled"}, "canceled", 0, 487),
    ],
    ids=["completed", "no-answer", "busy 603", "canceled"],
)
def test_the_summary_carries_each_outcome(local_stack, events, insights_spec, tenant, body, state, connected, sip):
    receiver = JsonReceiver(status=200)
    try:
        sink = create_sink(local_stack, events, tenant, receiver.url)
        subscribe(local_stack, events, tenant, sink["sid"])
        placed = place(local_stack, worker_of(local_stack, tenant))
        end(local_stack, placed["task"]["taskSid"], **body)
    finally:
        receiver.close()
    ((_, raw, _),) = receiver.received
    data = json.loads(raw)[0]["data"]
    OAS30Validator(summary_schema(insights_spec)).validate(data)
    assert (data["call_state"], data["connect_duration"], data["properties"]["last_sip_response_num"]) == (
        state,
        connected,
        sip,
    )


def test_a_sink_that_answers_404_or_not_at_all_is_recorded(local_stack, events, tenant):
    """The backend's route may not exist yet (404), or nothing listens (no answer): recorded, the end still answers."""
    receiver = JsonReceiver(status=404)
    try:
        missing = create_sink(local_stack, events, tenant, receiver.url)
        subscribe(local_stack, events, tenant, missing["sid"])
        closed = create_sink(local_stack, events, tenant, "http://127.0.0.1:9/webhooks/twilio/event-streams")
        subscribe(local_stack, events, tenant, closed["sid"])
        placed = place(local_stack, worker_of(local_stack, tenant))
        ended = end(local_stack, placed["task"]["taskSid"])
    finally:
        receiver.close()
    assert {(d["sinkSid"], d["status"]) for d in ended["deliveries"]} == {(missing["sid"], 404), (closed["sid"], None)}


def test_only_the_calls_account_sinks_subscribed_to_summaries_receive_it(local_stack, events, tenant):
    other_type = "com.twilio.voice.insights.call-summary.partial"
    receiver = JsonReceiver()
    try:
        partial_only = create_sink(local_stack, events, tenant, receiver.url)
        subscribe(local_stack, events, tenant, partial_only["sid"], other_type)
        create_sink(local_stack, events, tenant, receiver.url)  # no subscription
        placed = place(local_stack, worker_of(local_stack, tenant))
        ended = end(local_stack, placed["task"]["taskSid"])
    finally:
        receiver.close()
    assert [(d["sinkSid"], d["type"]) for d in ended["deliveries"]] == [(partial_only["sid"], other_type)]
    (event,) = json.loads(receiver.received[0][1])
    assert (event["type"], event["data"]["processing_state"]) == (other_type, "partial")
