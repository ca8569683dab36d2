"""Outbound calls' outcomes through HTTP (PRODUCT.md, "Outbound calls: records, outcomes, callbacks"): the emulator
plays Flex's dialpad calls (a task, its customer leg, its end) and posts what Twilio posts: TaskRouter's events to
the workspace's Event Callback URL and Voice Insights call summaries to an Event Streams webhook sink. Each source
alone, and sources racing on one call, count the call once; health, daily counts and the number's recent calls
follow; forged, unsigned, wrong-account and malformed deliveries change nothing."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from email.utils import formatdate

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.integration.apis import another_api
from tests.integration.test_from_decision import Workspace
from tests.integration.test_reputation import BLOCKING

TO = "+14155552671"
STREAMS = "/webhooks/twilio/event-streams"
TASKROUTER = "/webhooks/twilio/taskrouter-events"
SUMMARY = "com.twilio.voice.insights.call-summary.complete"


class Calls:
    """A subaccount of a test's own, its numbers, its agent, and how its calls' outcomes reach the stack."""

    def __init__(self, stack, *, taskrouter: bool = True, sink: bool = False, api: str | None = None) -> None:
        self.stack = stack
        self.api = api or stack.api
        self.workspace = Workspace(stack, "+1206555{n}", "+1206555{n}")
        self.sid = self.workspace.sid
        self.auth = (self.sid, stack.auth_token(self.sid))
        self.base = api or stack.facts["publicBaseUrl"]
        if taskrouter:
            self.set_callback(f"{self.base}{TASKROUTER}")
        if sink:
            self.subscribe(f"{self.base}{STREAMS}")

    def set_callback(self, url: str) -> None:
        workspace = self.workspace.account["taskrouterWorkspaceSid"]
        answer = requests.post(
            f"{self.stack.emulator}/v1/Workspaces/{workspace}",
            auth=self.auth,
            data={"EventCallbackUrl": url},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text

    def subscribe(self, destination: str) -> None:
        """A webhook sink and its Voice Insights subscription, made with Twilio's Events API as an operator does."""
        configuration = json.dumps({"destination": destination, "method": "POST", "batch_events": False})
        sink = requests.post(
            f"{self.stack.emulator}/v1/Sinks",
            auth=self.auth,
            data={"Description": "caller-id", "SinkType": "webhook", "SinkConfiguration": configuration},
            timeout=10,
        )
        assert sink.status_code == 201, sink.text
        subscription = requests.post(
            f"{self.stack.emulator}/v1/Subscriptions",
            auth=self.auth,
            data={
                "Description": "call summaries",
                "SinkSid": sink.json()["sid"],
                "Types": json.dumps({"type": SUMMARY, "schema_version": 1}),
            },
            timeout=10,
        )
        assert subscription.status_code == 201, subscription.text

    def request(self, method: str, path: str, agent, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.api}{path}", headers=agent.headers, timeout=30, **kwargs)

    def start(self, phone: str, to: str = TO) -> dict:
        answer = self.request("POST", "/v1/outbound-calls", self.workspace.agent, json={"to": to, "from": phone})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def task(self, phone: str, leg: str = "attributes", to: str = TO) -> tuple[str, str | None]:
        created = requests.post(
            f"{self.stack.emulator}/_emulator/outbound-tasks",
            json={"workerSid": self.workspace.agent.worker_sid, "from": phone, "to": to, "customerLeg": leg},
            timeout=30,
        )
        assert created.status_code == 200, created.text
        return created.json()["task"]["taskSid"], created.json()["callSid"]

    def end(self, task_sid: str, ending: str = "wrapup", **outcome) -> dict:
        ended = requests.post(
            f"{self.stack.emulator}/_emulator/outbound-tasks/{task_sid}/end",
            json={"ending": ending, **outcome},
            timeout=60,
        )
        assert ended.status_code == 200, ended.text
        return dict(ended.json())

    def place(self, phone: str, leg: str = "attributes", **outcome) -> tuple[str | None, dict]:
        """One dialpad call from ``phone``: the From decision, its task and leg, its end as ``outcome`` says."""
        self.start(phone)
        task_sid, call_sid = self.task(phone, leg)
        return call_sid, self.end(task_sid, **outcome)

    def number_sid(self, phone: str) -> str:
        return str(self.workspace.sids[phone])

    def health(self, phone: str, **params) -> dict:
        answer = self.request(
            "GET", f"/v1/phone-numbers/{self.number_sid(phone)}/health", self.workspace.supervisor, params=params
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def recent(self, phone: str, **params) -> dict:
        answer = self.request(
            "GET", f"/v1/phone-numbers/{self.number_sid(phone)}/calls", self.workspace.supervisor, params=params
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def summary(
    account_sid: str, call_sid: str, phone: str, *, state="completed", duration=60, sip=200, to=TO, **extra
) -> dict:
    """A Voice Insights call summary as a CloudEvent (the shape of Twilio's published schema)."""
    return {
        "specversion": "1.0",
        "type": SUMMARY,
        "source": f"/v1/Voice/{call_sid}/Summary",
        "id": "EZ" + uuid.uuid4().hex,
        "dataschema": "https://events-schemas.twilio.com/VoiceInsights.CallSummary/1",
        "datacontenttype": "application/json",
        "time": "2026-12-06T00:00:00.000Z",
        "data": {
            "call_sid": call_sid,
            "account_sid": account_sid,
            "call_type": "carrier",
            "call_state": state,
            "connect_duration": duration if state == "completed" else 0,
            "duration": duration,
            "answered_by": "unknown",
            "from": {"caller": phone, "connection": "pstn"},
            "to": {"callee": to, "connection": "pstn"},
            "properties": {"last_sip_response_num": sip, "direction": "outbound_api"},
            **extra,
        },
    }


def deliver(stack, events: list, token: str, *, api: str | None = None, signature: str | None = None, body=None):
    """Post ``events`` as an Event Streams webhook sink receives them: ``bodySHA256`` on the URL, the URL signed."""
    raw = body if body is not None else json.dumps(events)
    query = f"bodySHA256={hashlib.sha256(raw.encode()).hexdigest()}"
    signed_url = f"{api or stack.facts['publicBaseUrl']}{STREAMS}?{query}"
    sig = signature if signature is not None else RequestValidator(token).compute_signature(signed_url, {})
    assert signature is not None or RequestValidator(token).validate(signed_url, raw, sig)  # as Twilio signs it
    return requests.post(
        f"{api or stack.api}{STREAMS}?{query}",
        data=raw.encode(),
        headers={"Content-Type": "application/json", "X-Twilio-Signature": sig},
        timeout=30,
    )


def call_status(stack, calls: Calls, call_sid: str, phone: str, status="completed", duration="60", to=TO, **extra):
    params = {
        "AccountSid": calls.sid,
        "CallSid": call_sid,
        "CallStatus": status,
        "From": phone,
        "To": to,
        "Direction": "outbound-api",
        "Timestamp": formatdate(usegmt=True),
        "CallDuration": duration,
        **extra,
    }
    return stack.webhook("/webhooks/twilio/call-status", params, token=stack.auth_token(calls.sid))


def counts(report: dict) -> tuple[int, int, int, int]:
    return report["attempts"], report["answered"], report["blocked"], report["shortCalls"]


@pytest.mark.parametrize(
    ("outcome", "expected", "counted"),
    [
        ({"outcome": "completed", "durationSeconds": 42}, "answered", (1, 1, 0, 0)),
        ({"outcome": "completed", "durationSeconds": 3}, "answered", (1, 1, 0, 1)),
        ({"outcome": "no-answer"}, "no_answer", (1, 0, 0, 0)),
        ({"outcome": "busy"}, "busy", (1, 0, 0, 0)),
        ({"outcome": "failed", "sipCode": 500}, "failed", (1, 0, 0, 0)),
        ({"outcome": "canceled"}, "canceled", (1, 0, 0, 0)),
    ],
)
def test_taskrouter_alone_counts_the_customer_legs_outcome_once(stack, outcome, expected, counted):
    calls = Calls(stack)
    phone = calls.workspace.p[0]
    stack.clear_twilio_requests()
    call_sid, ended = calls.place(phone, **outcome)
    assert ended["deliveries"] == []  # no sink: TaskRouter is the only source
    fetched = [r for r in stack.twilio_requests() if r["path"].endswith(f"/Calls/{call_sid}.json")]
    assert len(fetched) == 1, "one GET of the leg per call, whatever the number of ending events"
    assert counts(calls.health(phone)) == counted
    (recent,) = calls.recent(phone)["calls"]
    assert (recent["callSid"], recent["outcome"], recent["to"]) == (call_sid, expected, TO)
    assert recent["durationSeconds"] == outcome.get("durationSeconds")
    assert recent["workerSid"] == calls.workspace.agent.worker_sid
    # The rest of the task's endings change nothing.
    calls.end(calls.task(phone)[0], "completed")  # another call, to be sure the first stays counted once
    assert calls.health(phone)["attempts"] == 2


def test_a_leg_only_in_twilios_call_list_is_found_by_its_numbers(stack):
    calls = Calls(stack)
    phone = calls.workspace.p[0]
    stack.clear_twilio_requests()
    call_sid, _ = calls.place(phone, "listOnly", outcome="busy")
    paths = [r["path"] for r in stack.twilio_requests() if "/Calls" in r["path"]]
    assert paths.count(f"/2010-04-01/Accounts/{calls.sid}/Calls.json") >= 1
    assert paths.count(f"/2010-04-01/Accounts/{calls.sid}/Calls/{call_sid}.json") == 1
    assert counts(calls.health(phone)) == (1, 0, 0, 0)
    assert calls.recent(phone)["calls"][0]["outcome"] == "busy"


def test_a_task_with_no_customer_leg_counts_as_not_answered(stack):
    calls = Calls(stack)
    phone = calls.workspace.p[0]
    call_sid, _ = calls.place(phone, "none")
    assert call_sid is None
    report = calls.health(phone)
    assert counts(report) == (1, 0, 0, 0)
    assert report["recent"]["answerRate"] == 0.0


def test_event_streams_alone_counts_the_call_and_its_carrier_block(stack):
    calls = Calls(stack, taskrouter=False, sink=True)
    phone = calls.workspace.p[0]
    call_sid, ended = calls.place(phone, outcome="failed", sipCode=608)
    assert [(d["type"], d["status"]) for d in ended["deliveries"]] == [(SUMMARY, 204)]
    report = calls.health(phone, days=7)
    assert counts(report) == (1, 0, 1, 0)
    assert report["daily"][-1]["calls"] == 1 and report["daily"][-1]["blocked"] == 1
    (recent,) = calls.recent(phone)["calls"]
    assert (recent["callSid"], recent["outcome"], recent["sipCode"]) == (call_sid, "blocked", 608)


def test_both_sources_count_the_call_once_and_the_summary_adds_the_sip_code(stack):
    calls = Calls(stack, sink=True)
    phone = calls.workspace.p[0]
    call_sid, ended = calls.place(phone, outcome="failed", sipCode=607)
    assert {e["status"] for e in ended["events"]} == {204} and ended["deliveries"][0]["status"] == 204
    report = calls.health(phone, days=1)
    assert counts(report) == (1, 0, 1, 0), "TaskRouter counted the failure, the summary made it blocked, once"
    assert report["daily"] == [{**report["daily"][0], "calls": 1, "answered": 0, "blocked": 1, "short": 0}]
    assert calls.recent(phone)["calls"][0]["sipCode"] == 607
    # A redelivered summary (a sink's retry) changes nothing.
    again = summary(calls.sid, call_sid, phone, state="fail", sip=607)
    assert deliver(stack, [again], stack.auth_token(calls.sid)).status_code == 204
    assert counts(calls.health(phone)) == (1, 0, 1, 0)


def test_three_sources_racing_on_each_call_count_it_once(stack):
    calls = Calls(stack, taskrouter=False)  # the test posts every source itself, all at once
    phone = calls.workspace.p[0]
    token = stack.auth_token(calls.sid)
    legs = []
    for n in range(4):
        to = f"+1415555{2600 + n}"
        calls.start(phone, to)
        task_sid, call_sid = calls.task(phone, to=to)
        calls.end(task_sid, outcome="completed", durationSeconds=30 + n)
        legs.append((task_sid, call_sid, to))
    posts = []
    for task_sid, call_sid, to in legs:
        attributes = {"direction": "outbound", "from": phone, "to": to}
        attributes["conference"] = {"participants": {"customer": call_sid}}
        event = {
            "Sid": "EA" + uuid.uuid4().hex,
            "EventType": "task.completed",
            "AccountSid": calls.sid,
            "WorkspaceSid": calls.workspace.account["taskrouterWorkspaceSid"],
            "Timestamp": str(int(time.time())),
            "TaskSid": task_sid,
            "TaskAge": "60",
            "TaskAttributes": json.dumps(attributes),
            "WorkerSid": calls.workspace.agent.worker_sid,
        }
        posts += [
            lambda e=event: stack.webhook(TASKROUTER, e, token=token),
            lambda c=call_sid, t=to: call_status(stack, calls, c, phone, duration="31", to=t),
            lambda c=call_sid, t=to: deliver(stack, [summary(calls.sid, c, phone, duration=31, to=t)], token),
        ]
    answers: list[int] = []
    barrier = threading.Barrier(len(posts))

    def run(post) -> None:
        barrier.wait()
        answers.append(post().status_code)

    threads = [threading.Thread(target=run, args=(p,)) for p in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(answers)) == [204], answers
    report = calls.health(phone, days=1)
    assert counts(report) == (4, 4, 0, 0)
    assert report["daily"][0]["calls"] == 4
    recent = calls.recent(phone)["calls"]
    assert sorted(r["callSid"] for r in recent) == sorted(c for _, c, _ in legs)
    assert {r["outcome"] for r in recent} == {"answered"}


@pytest.fixture(scope="module")
def blocking(local_stack) -> Iterator[str]:
    yield from another_api(local_stack, BLOCKING)


def test_carrier_blocks_in_call_summaries_make_the_number_suspected_blocked_and_rest(stack, blocking):
    calls = Calls(stack, taskrouter=False, api=blocking)
    blocked, fine = calls.workspace.p
    token = stack.auth_token(calls.sid)
    for _ in range(2):
        call_sid = "CA" + uuid.uuid4().hex
        events = [summary(calls.sid, call_sid, blocked, state="fail", duration=0, sip=608)]
        assert deliver(stack, events, token, api=blocking).status_code == 204
    report = calls.health(blocked)
    assert report["recent"]["blocked"] == 2
    assert report["state"] == "suspected_blocked" and report["coolingUntil"] is not None
    answer = calls.request("POST", "/v1/outbound-calls", calls.workspace.agent, json={"to": TO})
    assert (answer.json()["from"], answer.json()["guard"]) == (fine, None), "the suspected number rests"


def test_the_health_routes_days_and_the_recent_calls_pages(stack):
    calls = Calls(stack)
    phone = calls.workspace.p[0]
    for outcome in ({"outcome": "no-answer"}, {"outcome": "completed", "durationSeconds": 90}):
        calls.place(phone, **outcome)
    report = calls.health(phone, days=30)
    assert len(report["daily"]) == 30 and report["daily"][-1]["calls"] == 2 and report["daily"][-1]["answered"] == 1
    assert sum(d["calls"] for d in report["daily"]) == 2
    assert calls.health(phone)["daily"] is None
    for days in ("0", "91", "x"):
        answer = stack.call(
            "GET",
            f"/v1/phone-numbers/{calls.number_sid(phone)}/health",
            calls.workspace.supervisor,
            params={"days": days},
        )
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_request"
    first = calls.recent(phone, perPage=1)
    assert first["meta"] == {"page": 1, "perPage": 1, "hasMore": True}
    assert first["calls"][0]["outcome"] == "answered", "newest first"
    second = calls.recent(phone, perPage=1, page=2)
    assert second["calls"][0]["outcome"] == "no_answer" and second["meta"]["hasMore"] is False
    # An agent may not read them; another workspace's supervisor does not see the number.
    path = f"/v1/phone-numbers/{calls.number_sid(phone)}/calls"
    assert stack.call("GET", path, calls.workspace.agent).status_code == 403
    other = stack.agent(("supervisor",), account_sid=stack.child["sid"])
    assert stack.call("GET", path, other).status_code == 404


def test_forged_unsigned_wrong_account_and_malformed_deliveries_change_nothing(stack):
    calls = Calls(stack, taskrouter=False)
    phone = calls.workspace.p[0]
    token = stack.auth_token(calls.sid)
    other_sid = stack.child["sid"]
    event = summary(calls.sid, "CA" + uuid.uuid4().hex, phone, state="fail", sip=608)
    assert deliver(stack, [event], "0" * 32).status_code == 403  # forged: another token
    assert deliver(stack, [event], token, signature="").status_code == 403  # unsigned
    unsigned = requests.post(
        f"{stack.api}{STREAMS}", data=json.dumps([event]), headers={"Content-Type": "application/json"}, timeout=10
    )
    assert unsigned.status_code == 403, "no bodySHA256, no signature"
    # Signed by another account (its own token), about this account's number: refused or counted for nobody.
    assert deliver(stack, [event], stack.auth_token(other_sid)).status_code == 403
    theirs = summary(other_sid, "CA" + uuid.uuid4().hex, phone, state="fail", sip=608)
    assert deliver(stack, [theirs], stack.auth_token(other_sid)).status_code == 204
    # A delivery altered on the way: the signed URL's bodySHA256 no longer matches the body.
    signed = json.dumps([summary(calls.sid, "CA" + uuid.uuid4().hex, phone, duration=5)])
    query = f"bodySHA256={hashlib.sha256(signed.encode()).hexdigest()}"
    signature = RequestValidator(token).compute_signature(f"{stack.facts['publicBaseUrl']}{STREAMS}?{query}", {})
    altered = requests.post(
        f"{stack.api}{STREAMS}?{query}",
        data=json.dumps([event]),
        headers={"Content-Type": "application/json", "X-Twilio-Signature": signature},
        timeout=10,
    )
    assert altered.status_code == 403
    assert counts(calls.health(phone)) == (0, 0, 0, 0)
    assert deliver(stack, [event], token).status_code == 204  # the genuine delivery
    for body in ("not json", "{}", "[]", '[{"type": "x"}]', '[{"specversion": "1.0", "id": "1", "source": "s"}]'):
        answer = deliver(stack, [], token, body=body)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"]["code"] in ("invalid_request", "invalid_json")
    other_types = [{**event, "type": "com.twilio.voice.insights.call-summary.partial"}]
    assert deliver(stack, other_types, token).status_code == 204
    # TaskRouter's source: a real leg that ended, named by forged, another tenant's and unreadable events.
    calls.start(phone)
    task_sid, leg = calls.task(phone)
    calls.end(task_sid, outcome="failed", sipCode=608)
    attributes = {"direction": "outbound", "from": phone, "to": TO, "conference": {"participants": {"customer": leg}}}

    def task_event(account_sid: str, **extra) -> dict:
        return {
            "Sid": "EA" + uuid.uuid4().hex,
            "EventType": "task.completed",
            "AccountSid": account_sid,
            "WorkspaceSid": calls.workspace.account["taskrouterWorkspaceSid"],
            "Timestamp": str(int(time.time())),
            "TaskSid": task_sid,
            "TaskAge": "60",
            "TaskAttributes": json.dumps(attributes),
            "WorkerSid": calls.workspace.agent.worker_sid,
            **extra,
        }

    assert stack.webhook(TASKROUTER, task_event(calls.sid), token=token, signature="forged").status_code == 403
    assert stack.webhook(TASKROUTER, task_event(calls.sid), token=stack.auth_token(other_sid)).status_code == 403
    theirs_event = task_event(other_sid)
    assert stack.webhook(TASKROUTER, theirs_event, token=stack.auth_token(other_sid)).status_code == 204
    unreadable = task_event(calls.sid, TaskAttributes="not json")
    assert stack.webhook(TASKROUTER, unreadable, token=token).status_code == 400
    path = f"/v1/phone-numbers/{calls.number_sid(phone)}/calls"
    assert requests.get(f"{stack.api}{path}", timeout=10).status_code == 401
    report = calls.health(phone)
    assert counts(report) == (1, 0, 1, 0), "only the one correctly signed delivery of this account counted"


def test_each_sources_requests_per_call(stack, capsys):
    """What one call's outcome costs, per source (the figures of docs/decisions.md, "Call outcomes")."""
    token = stack.auth_token
    figures = {}

    def measured(run) -> tuple[dict, int]:
        stack.clear_dynamodb_requests()
        stack.clear_twilio_requests()
        run()
        twilio = [r for r in stack.twilio_requests() if not r["path"].startswith("/_emulator")]
        return dict(stack.dynamodb_requests()["byOperation"]), len(twilio)

    alone = Calls(stack, taskrouter=False)
    phone = alone.workspace.p[0]
    alone.start(phone)
    sid = "CA" + uuid.uuid4().hex
    figures["call-status"] = measured(lambda: call_status(stack, alone, sid, phone, status="busy", duration="0"))
    later = summary(alone.sid, sid, phone, state="busy", duration=0, sip=486)
    figures["event-streams, a later source adding the SIP code"] = measured(
        lambda: deliver(stack, [later], token(alone.sid))
    )
    alone.start(phone)
    event = summary(alone.sid, "CA" + uuid.uuid4().hex, phone, state="busy", duration=0, sip=486)
    figures["event-streams"] = measured(lambda: deliver(stack, [event], token(alone.sid)))
    figures["event-streams, a later source"] = measured(lambda: deliver(stack, [event], token(alone.sid)))

    tasks = Calls(stack)
    phone = tasks.workspace.p[0]
    tasks.start(phone)
    task_sid, _ = tasks.task(phone)
    figures["taskrouter (every ending event of the task)"] = measured(lambda: tasks.end(task_sid, outcome="busy"))
    with capsys.disabled():
        for source, (dynamodb, twilio) in figures.items():
            print(f"\n{source}: Twilio {twilio}, DynamoDB {sum(dynamodb.values())} {dynamodb}")
    status_dynamodb, status_twilio = figures["call-status"]
    assert status_twilio == 0 and status_dynamodb["TransactWriteItems"] == 1
    streams_dynamodb, streams_twilio = figures["event-streams"]
    assert streams_twilio == 0 and streams_dynamodb.get("TransactWriteItems") == 1
    detail_dynamodb, _ = figures["event-streams, a later source adding the SIP code"]
    assert detail_dynamodb["TransactWriteItems"] == 2, "the cancelled count, then the detail"
    later_dynamodb, _ = figures["event-streams, a later source"]
    assert "TransactWriteItems" not in later_dynamodb or later_dynamodb["TransactWriteItems"] == 1
    task_dynamodb, task_twilio = figures["taskrouter (every ending event of the task)"]
    assert task_twilio <= 2, "one GET of the leg (+ the subaccount's workspace, once per container)"
    assert task_dynamodb.get("TransactWriteItems", 0) >= 1
