"""The selection service with in-memory stores: DynamoDB's versioned selection and TaskRouter's ETag'd worker."""

from __future__ import annotations

import json

import pytest

from callerid.domain.errors import ConcurrentUpdate, NotFound, UpstreamUnavailable
from callerid.domain.workers import WorkerState
from callerid.service.selection import CallerIdSelections
from callerid.twilio.records import WorkerChanged, WorkerSnapshot
from tests.unit.factories import ALICE

NUMBERS = ("+12125550100", "+13125550100", "+14155550100")


class Workers:
    def __init__(self) -> None:
        self.state = WorkerState()
        self.team: tuple[str | None, float] | None = None

    def save_team(self, worker, team, *, at):
        if self.team is not None and self.team[1] >= at:
            return False
        self.team = (team, at)
        return True

    def get(self, worker):
        return self.state

    def save_selection(self, worker, caller_id, local_presence, *, expected_version, audit=None, retract=None):
        if self.state.version != expected_version:
            raise ConcurrentUpdate("moved on")
        self.state = WorkerState(caller_id, local_presence, version=expected_version + 1)
        return self.state


class TaskRouter:
    def __init__(self) -> None:
        self.attributes, self.version = json.dumps({"contact_uri": "client:alice"}), 1
        self.before_next_update = None  # a callable run (once) before the next update is applied

    def fetch_worker(self, account_sid, worker_sid):
        if worker_sid != ALICE.worker_sid:
            raise NotFound("no such worker")
        return WorkerSnapshot(worker_sid, self.attributes, f'"{self.version}"')

    def update_worker_attributes(self, account_sid, worker_sid, attributes, etag):
        hook, self.before_next_update = self.before_next_update, None
        if hook:
            hook()
        if etag != f'"{self.version}"':
            raise WorkerChanged(worker_sid)
        self.attributes, self.version = attributes, self.version + 1
        return WorkerSnapshot(worker_sid, attributes, f'"{self.version}"')

    def selected(self):
        return json.loads(self.attributes).get("selectedCallerId")


class Numbers:
    def selectable(self, account_sid, phone_number, *, include_outgoing_only):
        return phone_number in NUMBERS


@pytest.fixture
def stores():
    workers, taskrouter = Workers(), TaskRouter()
    service = CallerIdSelections(
        workers, Numbers(), lambda: taskrouter, include_outgoing_only=True, sleep=lambda _: None
    )
    return service, workers, taskrouter


def test_a_selection_lands_in_both_stores(stores):
    service, workers, taskrouter = stores
    service.put(ALICE, "(212) 555-0100", False)
    assert workers.state.caller_id == taskrouter.selected() == "+12125550100"
    assert json.loads(taskrouter.attributes)["contact_uri"] == "client:alice"


def test_a_failed_mirror_rolls_back_and_mirrors_what_is_restored(stores):
    """Another writer had already put this selection into TaskRouter when this writer's own write failed: the
    rollback must bring TaskRouter back too, or the two stores end apart."""
    service, workers, taskrouter = stores
    service.put(ALICE, "+12125550100", False)

    def someone_mirrors_it_then_twilio_fails():
        taskrouter.attributes = json.dumps({"contact_uri": "client:alice", "selectedCallerId": "+13125550100"})
        taskrouter.version += 1
        raise UpstreamUnavailable("Twilio failed")

    taskrouter.before_next_update = someone_mirrors_it_then_twilio_fails
    with pytest.raises(UpstreamUnavailable):
        service.put(ALICE, "+13125550100", False)
    assert workers.state.caller_id == taskrouter.selected() == "+12125550100"


def test_a_failure_other_than_twilios_rolls_back_too(stores):
    service, workers, taskrouter = stores
    service.put(ALICE, "+12125550100", False)

    def worker_deleted():
        raise NotFound("the worker was deleted")

    taskrouter.before_next_update = worker_deleted
    with pytest.raises(NotFound):
        service.put(ALICE, "+14155550100", True)
    assert workers.state.caller_id == "+12125550100" and workers.state.local_presence is False


def test_an_unknown_worker_is_404_and_nothing_is_written(stores):
    from callerid.domain.identity import WorkerRef

    service, workers, _ = stores
    with pytest.raises(NotFound):
        service.put(WorkerRef(ALICE.account_sid, "WK" + "9" * 32), "+12125550100", False)
    assert workers.state == WorkerState()


def test_a_selection_records_the_workers_team_from_its_taskrouter_attributes(stores):
    service, workers, taskrouter = stores
    taskrouter.attributes = json.dumps({"contact_uri": "client:alice", "team_name": "sales"})
    service.put(ALICE, "+12125550100", False)
    assert workers.team is not None and workers.team[0] == "sales"


def test_a_selection_refused_records_no_team(stores):
    service, workers, _ = stores
    with pytest.raises(NotFound):
        service.put(ALICE, "+16465550100", False)
    assert workers.team is None
