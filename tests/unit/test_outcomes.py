"""Outcome sources in memory: each source's reading (call summaries, TaskRouter's customer leg), and the recorder
that counts a call once per call SID across sources, lets a later source add only the SIP code, and rests a
number that carriers seem to block."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from callerid.domain.calls import CallOutcome
from callerid.domain.errors import InvalidRequest
from callerid.domain.reputation import ReputationLimits
from callerid.domain.streams import read_events, signing_account, summary_outcome
from callerid.domain.taskrouter import read_event
from callerid.service.outcomes import OutcomeRecorder
from callerid.service.taskrouter import TaskRouterEffects
from callerid.twilio.records import EndedCall
from tests.unit.fakes import FakeHealth

ACCOUNT, OTHER = "AC" + "1" * 32, "AC" + "2" * 32
PHONE, TO = "+12065550100", "+14155552671"
WORKSPACE = "WS" + "3" * 32
LIMITS = ReputationLimits(min_attempts=2, window_attempts=4, max_blocked_rate=0.5, cooldown_seconds=600)


@dataclass
class Usage:
    cooled: list[tuple[str, float, str | None]] = field(default_factory=list)

    def start_cooling(self, phone_number: str, until: float, now: float, why: str | None = None) -> bool:
        self.cooled.append((phone_number, until, why))
        return True


def recorder(health: FakeHealth, usage: Usage | None = None) -> OutcomeRecorder:
    return OutcomeRecorder(
        health,
        usage or Usage(),  # type: ignore[arg-type]
        None,
        lambda account, phone: account == ACCOUNT and phone == PHONE,
        clock=lambda: 1_000_000.0,
        limits=LIMITS,
    )


def outcome(sid: str, status: str, source: str, sip: int | None = None, duration: int | None = None) -> CallOutcome:
    return CallOutcome(ACCOUNT, sid, PHONE, TO, status, source, duration, sip)


def test_a_call_is_counted_once_whichever_source_comes_first_and_a_later_one_adds_the_sip_code():
    health = FakeHealth()
    outcomes = recorder(health)
    assert outcomes.record(outcome("CA1", "failed", "taskrouter"))["counted"] is True
    assert outcomes.record(outcome("CA1", "failed", "call-status"))["counted"] is False
    added = outcomes.record(outcome("CA1", "failed", "event-streams", sip=608))
    assert (added["counted"], added["detailed"]) == (False, True)
    assert outcomes.record(outcome("CA1", "failed", "event-streams", sip=608))["detailed"] is False
    report = health.get(PHONE)
    assert (report.attempts, report.answered, report.blocked, report.recent.outcomes) == (1, 0, 1, "b")
    (day,) = health.days.values()
    assert (day.calls, day.blocked) == (1, 1)


def test_blocked_outcomes_make_the_number_suspected_blocked_and_cool_it():
    health, usage = FakeHealth(), Usage()
    outcomes = recorder(health, usage)
    assert outcomes.record(outcome("CA1", "completed", "call-status", duration=60))["cooling"] is False
    answer = outcomes.record(outcome("CA2", "failed", "event-streams", sip=603))
    assert answer["suspectedBlocked"] is True and answer["cooling"] is True
    assert usage.cooled == [(PHONE, 1_000_600.0, "suspected_blocked")]


def test_an_outcome_for_a_number_the_account_may_not_dial_counts_nothing():
    health = FakeHealth()
    outcomes = recorder(health)
    assert outcomes.record(CallOutcome(OTHER, "CA1", PHONE, TO, "busy", "event-streams"))["counted"] is False
    assert outcomes.record(CallOutcome(ACCOUNT, "CA2", "client:alice", TO, "busy", "call-status"))["counted"] is False
    assert health.get(PHONE).attempts == 0


def event(event_type: str = "com.twilio.voice.insights.call-summary.complete", **data) -> dict:
    base = {
        "call_sid": "CA" + "9" * 32,
        "account_sid": ACCOUNT,
        "call_state": "completed",
        "connect_duration": 42,
        "from": {"caller": PHONE},
        "to": {"callee": TO},
        "properties": {"last_sip_response_num": 200, "direction": "outbound_api"},
    }
    return {"specversion": "1.0", "id": "EZ1", "source": "/v1/Voice", "type": event_type, "data": {**base, **data}}


def test_a_complete_call_summary_is_an_outcome_and_other_events_are_none():
    (read,) = read_events(json.dumps([event()]))
    assert summary_outcome(read) == CallOutcome(
        ACCOUNT, "CA" + "9" * 32, PHONE, TO, "completed", "event-streams", 42, 200
    )
    failed = read_events(json.dumps([event(call_state="fail", properties={"last_sip_response_num": 607})]))[0]
    assert (summary_outcome(failed).status, summary_outcome(failed).sip_code, summary_outcome(failed).blocked) == (
        "failed",
        607,
        True,
    )
    partial = read_events(json.dumps([event("com.twilio.voice.insights.call-summary.partial")]))[0]
    inbound = read_events(json.dumps([event(properties={"direction": "inbound"})]))[0]
    assert summary_outcome(partial) is None and summary_outcome(inbound) is None
    assert signing_account([partial, inbound]) == ACCOUNT


@pytest.mark.parametrize(
    "body",
    ["", "nope", "{}", "[]", "[1]", '[{"type": "x"}]', json.dumps([{**event(), "data": []}])],
)
def test_a_body_that_is_not_a_json_array_of_cloudevents_is_refused(body):
    with pytest.raises(InvalidRequest):
        read_events(body)


def test_a_delivery_about_two_accounts_is_refused():
    with pytest.raises(InvalidRequest):
        signing_account(read_events(json.dumps([event(), event(account_sid=OTHER)])))


@dataclass
class Calls:
    """Twilio's Calls resource (``CallsGateway``), counting its requests."""

    calls: dict[str, EndedCall] = field(default_factory=dict)
    listed: dict[tuple[str, str], str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def find_call(self, account_sid: str, from_number: str, to: str, started_after: float) -> str | None:
        self.requests.append("list")
        return self.listed.get((from_number, to))

    def call_ended(self, account_sid: str, call_sid: str) -> EndedCall | None:
        self.requests.append("fetch")
        return self.calls.get(call_sid)


@dataclass
class NoLocks:
    def get(self, phone_number: str) -> None:
        return None


def ended_task(attributes: dict, event_type: str = "task.completed", task_sid: str = "WT" + "4" * 32):
    return read_event(
        sid="EA" + "5" * 32,
        event_type=event_type,
        account_sid=ACCOUNT,
        workspace_sid=WORKSPACE,
        timestamp="1000000",
        worker_sid="WK" + "6" * 32,
        task_sid=task_sid,
        task_age="60",
        task_attributes=json.dumps({"direction": "outbound", "from": PHONE, "to": TO, **attributes}),
    )


def effects(health: FakeHealth, calls: Calls) -> TaskRouterEffects:
    return TaskRouterEffects(
        NoLocks(),  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        lambda account: WORKSPACE,
        clock=lambda: 1_000_000.0,
        outcomes=recorder(health),
        calls=lambda: calls,
    )


def test_a_tasks_customer_leg_is_fetched_once_and_counted_once_across_its_endings():
    health, calls = FakeHealth(), Calls()
    leg = "CA" + "7" * 32
    calls.calls[leg] = EndedCall("completed", PHONE, TO, 3)
    attributes = {"conference": {"participants": {"customer": leg}}}
    source = effects(health, calls)
    for event_type in ("reservation.wrapup", "task.wrapup", "reservation.completed", "task.completed"):
        source.handle(ended_task(attributes, event_type))
    assert calls.requests == ["fetch"]
    assert (health.get(PHONE).attempts, health.get(PHONE).answered, health.get(PHONE).short_calls) == (1, 1, 1)


def test_a_leg_missing_from_the_attributes_is_found_in_the_call_list_and_none_is_not_answered():
    health, calls = FakeHealth(), Calls()
    calls.listed[(PHONE, TO)] = leg = "CA" + "8" * 32
    calls.calls[leg] = EndedCall("busy", PHONE, TO)
    effects(health, calls).handle(ended_task({}))
    assert calls.requests == ["list", "fetch"]
    assert health.counted(ACCOUNT, leg)
    del calls.listed[(PHONE, TO)]
    effects(health, calls).handle(ended_task({}, task_sid="WT" + "9" * 32))
    assert health.counted(ACCOUNT, "WT" + "9" * 32)
    assert (health.get(PHONE).attempts, health.get(PHONE).answered) == (2, 0)


def test_a_leg_still_in_progress_counts_nothing_yet():
    health, calls = FakeHealth(), Calls()
    leg = "CA" + "7" * 32
    calls.calls[leg] = EndedCall("in-progress", PHONE, TO)
    effects(health, calls).handle(ended_task({"conference": {"participants": {"customer": leg}}}))
    assert health.get(PHONE).attempts == 0
