"""TaskRouter events: what an event says (``domain.taskrouter``), the rule that lets a task's end free a lock
(``domain.locks.ended_by_task``), and their effects (``service.taskrouter``) over in-memory fakes."""

from __future__ import annotations

import json

import pytest

from callerid.domain.errors import InvalidRequest, NotFound
from callerid.domain.locks import CallerIdLock, ended_by_task
from callerid.domain.taskrouter import TASK_END_EVENTS, read_event, team_of_json
from callerid.service.taskrouter import TaskRouterEffects
from tests.unit.factories import ACCOUNT, ALICE, BOB
from tests.unit.fakes import FakePhones, PhoneState

NOW = 1_800_000_000.0
WORKSPACE = "WS" + "a" * 32
OTHER_WORKSPACE = "WS" + "b" * 32
PHONE = "+12125550100"
TASK = "WT" + "1" * 32
OTHER_TASK = "WT" + "2" * 32


def lock(holder=ALICE, acquired=NOW - 100, expires=NOW + 200, task_sid=None):
    return CallerIdLock(PHONE, holder, "lease-1", acquired, expires, task_sid)


def event(event_type="task.wrapup", *, age=60, worker=ALICE, attributes=None, task_sid=TASK, **fields):
    """An event as the webhook reads it: the task began ``age`` seconds before ``NOW``."""
    task_attributes = {"direction": "outbound", "from": "(212) 555-0100", "to": "+14155552671"}
    return read_event(
        sid="EA" + "0" * 32,
        event_type=event_type,
        account_sid=fields.pop("account_sid", ACCOUNT),
        workspace_sid=fields.pop("workspace_sid", WORKSPACE),
        timestamp=fields.pop("timestamp", str(int(NOW))),
        timestamp_ms=fields.pop("timestamp_ms", None),
        worker_sid=worker.worker_sid if worker else None,
        task_sid=task_sid,
        task_age=fields.pop("task_age", str(age)),
        task_attributes=fields.pop("task_attributes", json.dumps(attributes or task_attributes)),
        worker_attributes=fields.pop("worker_attributes", None),
    )


# -- the release rule


def test_the_holders_task_that_began_after_the_lock_was_taken_frees_it():
    assert ended_by_task(lock(acquired=NOW - 100), ALICE, TASK, NOW - 60, NOW)


def test_another_workers_task_frees_nothing():
    assert not ended_by_task(lock(holder=BOB), ALICE, TASK, NOW - 60, NOW)


def test_a_lock_taken_after_the_task_began_belongs_to_a_later_call():
    assert not ended_by_task(lock(acquired=NOW - 30), ALICE, TASK, NOW - 60, NOW)


def test_a_lock_taken_within_the_second_the_task_began_counts_as_before_it():
    """Twilio's Timestamp has whole seconds: the second the task began is all the rule can know."""
    assert ended_by_task(lock(acquired=NOW - 59.5), ALICE, TASK, NOW - 60, NOW)


def test_a_lock_pinned_to_the_task_is_freed_by_that_task_whatever_the_times():
    assert ended_by_task(lock(acquired=NOW - 5, task_sid=TASK), ALICE, TASK, NOW - 60, NOW)


def test_a_lock_pinned_to_another_task_is_never_freed():
    assert not ended_by_task(lock(acquired=NOW - 100, task_sid=OTHER_TASK), ALICE, TASK, NOW - 60, NOW)
    assert not ended_by_task(lock(acquired=NOW - 100, task_sid=OTHER_TASK), ALICE, None, NOW - 60, NOW)


def test_an_expired_lock_is_not_the_tasks_to_free():
    assert not ended_by_task(lock(expires=NOW - 1), ALICE, TASK, NOW - 60, NOW)


# -- reading the event


def test_an_outbound_call_task_names_its_from_as_e164():
    read = event()
    assert (read.ends_task, read.outbound_from, read.task_began) == (True, PHONE, NOW - 60)


def test_timestamp_ms_is_preferred_to_whole_seconds():
    assert event(timestamp_ms=str(int(NOW * 1000) + 250)).occurred_at == NOW + 0.25


@pytest.mark.parametrize("attributes", [{"direction": "inbound", "from": PHONE}, {"from": PHONE}])
def test_a_task_that_is_not_an_outbound_call_names_no_caller_id(attributes):
    assert event(attributes=attributes).outbound_from is None


def test_a_from_that_is_no_phone_number_names_no_caller_id():
    assert event(attributes={"direction": "outbound", "from": "client:alice"}).outbound_from is None


@pytest.mark.parametrize(
    "fields",
    [
        {"timestamp": None},
        {"timestamp": "yesterday"},
        {"timestamp": "1e40"},
        {"task_age": None},
        {"task_age": "-5"},
        {"task_age": "²"},  # a digit to str.isdigit(), not to int(): was a 500
        {"task_age": "①"},
        {"task_attributes": "{not json"},
        {"task_attributes": "[" * 100_000},  # deeper than the JSON parser recurses: was a 500
        {"worker_attributes": '{"a":' * 50_000},
        {"task_attributes": "[1, 2]"},
        {"worker_attributes": "nope"},
    ],
)
def test_what_an_acted_on_event_cannot_carry_is_bad_input(fields):
    with pytest.raises(InvalidRequest):
        event(**fields)


def test_an_event_type_nothing_acts_on_is_read_no_further():
    read = event("task.created", timestamp="garbage", task_attributes="{not json", worker=None)
    assert not read.acts


def test_every_task_ending_twilio_names_is_acted_on():
    assert {
        "task.wrapup",
        "task.completed",
        "task.canceled",
        "reservation.wrapup",
        "reservation.completed",
        "reservation.rejected",
        "reservation.timeout",
        "reservation.canceled",
    } == TASK_END_EVENTS


def test_a_workers_team_is_its_team_name_attribute():
    read = event("worker.attributes.update", worker_attributes=json.dumps({"team_name": " sales "}))
    assert (read.acts, read.carries_team, read.team) == (True, True, "sales")
    assert team_of_json(json.dumps({"team_name": 7})) is None
    assert team_of_json("not json") is None


# -- the effects


class Teams:
    def __init__(self) -> None:
        self.teams: dict[object, tuple[str | None, float]] = {}

    def save_team(self, worker, team, *, at):
        stored = self.teams.get(worker)
        if stored is not None and stored[1] >= at:
            return False
        self.teams[worker] = (team, at)
        return True


def effects(held: CallerIdLock | None = None, workspace=WORKSPACE):
    phones, teams = FakePhones(), Teams()
    if held is not None:
        phones.items[held.phone_number] = PhoneState(lock=held)

    def workspace_of(account_sid):
        if account_sid != ACCOUNT:
            raise NotFound("not ours")
        return workspace

    return TaskRouterEffects(phones, teams, workspace_of, clock=lambda: NOW), phones, teams


@pytest.mark.parametrize("event_type", sorted(TASK_END_EVENTS))
def test_the_end_of_the_holders_outbound_task_frees_its_lock(event_type):
    service, phones, _ = effects(lock())
    assert service.handle(event(event_type))["released"] is True
    assert phones.get(PHONE) is None


@pytest.mark.parametrize(
    ("held", "kwargs"),
    [
        (lock(), {"attributes": {"direction": "inbound", "from": PHONE}}),
        (lock(), {"attributes": {"direction": "outbound", "from": "+13125550100"}}),
        (lock(holder=BOB), {}),
        (lock(acquired=NOW - 10), {}),
        (lock(task_sid=OTHER_TASK), {}),
        (lock(expires=NOW - 1), {}),
        (lock(), {"worker": None}),
    ],
    ids=["not-outbound", "other-from", "other-worker", "taken-after", "pinned-other", "expired", "no-worker"],
)
def test_a_task_end_that_is_not_the_locks_call_frees_nothing(held, kwargs):
    service, phones, _ = effects(held)
    outcome = service.handle(event(**kwargs))
    assert outcome.get("released") is False
    assert phones.get(PHONE) == held


def test_a_pinned_lock_is_freed_by_its_own_task():
    service, phones, _ = effects(lock(acquired=NOW - 10, task_sid=TASK))
    assert service.handle(event())["released"] is True
    assert phones.get(PHONE) is None


def test_an_event_of_another_workspace_of_the_account_changes_nothing():
    service, phones, teams = effects(lock(), workspace=OTHER_WORKSPACE)
    outcome = service.handle(event(worker_attributes=json.dumps({"team_name": "sales"})))
    assert outcome == {"applied": False, "why": "workspace"}
    assert phones.get(PHONE) is not None and teams.teams == {}


def test_another_accounts_event_frees_nothing_of_ours():
    other = "AC" + "f" * 32
    service, phones, _ = effects(lock())
    assert service.handle(event(account_sid=other))["applied"] is False
    assert phones.get(PHONE) is not None


def test_a_workers_team_follows_its_events_and_an_older_one_is_ignored():
    service, _, teams = effects()
    newer = event("worker.attributes.update", worker_attributes=json.dumps({"team_name": "support"}))
    older = event(
        "worker.attributes.update", timestamp=str(int(NOW) - 60), worker_attributes=json.dumps({"team_name": "sales"})
    )
    assert service.handle(newer)["team"] is True
    assert service.handle(older)["team"] is False
    assert teams.teams[ALICE] == ("support", NOW)


def test_a_task_end_carrying_worker_attributes_also_keeps_the_team():
    service, _, teams = effects(lock())
    outcome = service.handle(event(worker_attributes=json.dumps({"team_name": "sales"})))
    assert outcome == {"applied": True, "released": True, "team": True}
    assert teams.teams[ALICE][0] == "sales"
