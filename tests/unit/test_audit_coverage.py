"""The audit log covers every write a person makes (PRODUCT.md's list), each all or nothing: with the entry
written, the change happened; when the entry cannot be written, nothing changed (numbers bought, imported or
registered, released, Trust Hub products, verified caller IDs started, renamed and deleted, other workers'
selections). Lock release, PATCH and primary: ``test_number_services.py``."""

from __future__ import annotations

import json

import pytest

from callerid.domain.audit import Actor, TargetKind
from callerid.domain.errors import UpstreamUnavailable
from callerid.domain.identity import WorkerRef
from callerid.domain.numbers import NumberQuery, NumberSource, NumberStatus
from callerid.domain.trust import TrustKind
from callerid.service.builder import Options
from callerid.twilio.records import NumberHooks, NumberOrder, WorkerSnapshot
from tests.unit.fakes import FakeCallerIdTwilio, FakeTrustHub, FakeWorld

ACCOUNT = "AC" + "a" * 32
BOSS = Actor("WK" + "b" * 32, "sam")
ALICE = WorkerRef(ACCOUNT, "WK" + "a" * 32)
HOOKS = NumberHooks("https://x/voice", "https://x/status")
HOOK = "https://x/webhooks/twilio/verification-status"
DESK = "+17025550100"


class Twilio(FakeCallerIdTwilio, FakeTrustHub):
    """One account at Twilio: numbers for sale and owned, caller IDs, Trust Hub, and Alice's TaskRouter worker."""

    def __init__(self) -> None:
        FakeCallerIdTwilio.__init__(self, ACCOUNT)
        FakeTrustHub.__init__(self)
        self.attributes, self.version = json.dumps({"contact_uri": "client:alice"}), 1
        self.taskrouter_down = False
        self.renames: list[str] = []

    def buy_number(self, account_sid, order, hooks):
        return self.add(order.phone_number)

    def point_number(self, account_sid, sid, hooks):
        return self.numbers[sid], None

    def rename_caller_id(self, account_sid, sid, friendly_name):
        self.renames.append(friendly_name)
        super().rename_caller_id(account_sid, sid, friendly_name)

    def fetch_worker(self, account_sid, worker_sid):
        return WorkerSnapshot(worker_sid, self.attributes, f'"{self.version}"')

    def update_worker_attributes(self, account_sid, worker_sid, attributes, etag):
        if self.taskrouter_down:
            raise UpstreamUnavailable("TaskRouter is down")
        self.attributes, self.version = attributes, self.version + 1
        return WorkerSnapshot(worker_sid, attributes, f'"{self.version}"')


class World:
    def __init__(self) -> None:
        fake = FakeWorld()
        self.store, self.audit, self.twilio = fake.store, fake.audit_log, Twilio()
        self.workers = fake.workers
        services = fake.services(lambda: self.twilio, Options(number_cache_ttl_seconds=300), clock=lambda: 1e6)
        self.directory, self.management, self.trust = services.numbers, services.management, services.trust
        self.caller_ids, self.selections = services.caller_ids, services.selections

    def owned(self, phone: str = "+12065550100", source: NumberSource = NumberSource.TWILIO) -> str:
        facts = self.twilio.add(phone, source=source)
        self.directory.page(ACCOUNT, NumberQuery())
        return facts.sid

    def status(self, phone: str) -> NumberStatus | None:
        record = self.store.get(ACCOUNT, phone)
        return record.status if record else None


@pytest.fixture
def world() -> World:
    return World()


def only_entry(world: World):
    (entry,) = world.audit.written
    assert entry.actor == BOSS and entry.account_sid == ACCOUNT
    return entry


# ----- numbers added --------------------------------------------------------------------------------------------


def test_buying_importing_and_registering_are_audited_with_the_record(world):
    bought = world.management.provision_joined(ACCOUNT, NumberOrder(phone_number="+12065550111"), HOOKS, BOSS)
    assert only_entry(world).action == "number.provision"
    assert only_entry(world).target.sid == bought.record.sid
    world.audit.written.clear()
    sid = world.twilio.add("+12065550122").sid  # owned at Twilio, not yet here
    world.management.import_number(ACCOUNT, sid, HOOKS, BOSS)
    entry = only_entry(world)
    assert (entry.action, entry.target.phone_number, entry.target.kind) == (
        "number.import",
        "+12065550122",
        TargetKind.PHONE_NUMBER,
    )
    world.audit.written.clear()
    world.directory.register_byot(ACCOUNT, "+13125550100", "Acme", "sip:x", BOSS)
    entry = only_entry(world)
    assert (entry.action, entry.changes["source"]) == ("number.register", (None, "byot"))


def test_a_number_whose_entry_cannot_be_written_is_not_added(world):
    world.audit.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.directory.register_byot(ACCOUNT, "+13125550100", "Acme", "sip:x", BOSS)
    with pytest.raises(UpstreamUnavailable):
        world.management.provision_joined(ACCOUNT, NumberOrder(phone_number="+12065550111"), HOOKS, BOSS)
    assert world.status("+13125550100") is None and world.status("+12065550111") is None
    assert world.audit.written == []


# ----- releases ---------------------------------------------------------------------------------------------------


def test_a_release_is_audited_and_one_twilio_refused_leaves_no_entry(world):
    sid = world.owned()
    world.twilio.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.management.release(ACCOUNT, sid, BOSS)
    assert world.status("+12065550100") is NumberStatus.ACTIVE and world.audit.written == []  # put back, retracted
    world.twilio.fail = False
    world.management.release(ACCOUNT, sid, BOSS)
    entry = only_entry(world)
    assert (entry.action, entry.changes) == ("number.release", {"status": ("active", "released")})


def test_a_release_whose_entry_cannot_be_written_does_not_happen(world):
    sid = world.owned()
    world.audit.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.management.release(ACCOUNT, sid, BOSS)
    assert world.status("+12065550100") is NumberStatus.ACTIVE and sid in world.twilio.numbers


# ----- Trust Hub ----------------------------------------------------------------------------------------------------


def test_trust_products_are_audited_and_undone_at_twilio_when_the_entry_fails(world):
    sid = world.owned()
    product = world.twilio.product(1, TrustKind.VOICE_INTEGRITY)
    world.audit.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.trust.set_products(ACCOUNT, sid, [product], BOSS)
    assert world.twilio.of(sid) == set() and world.directory.get(ACCOUNT, sid).trust == ()
    world.audit.fail = False
    world.trust.set_products(ACCOUNT, sid, [product], BOSS)
    entry = only_entry(world)
    assert entry.action == "number.trust" and entry.changes["trust"][0] == []
    assert entry.changes["trust"][1][0]["productSid"] == product


# ----- verified caller IDs ----------------------------------------------------------------------------------------


def test_starting_a_verification_is_audited_and_refused_without_its_entry(world):
    world.audit.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.caller_ids.start(
            ACCOUNT, DESK, friendly_name=None, call_delay=0, extension=None, status_callback=HOOK, actor=BOSS
        )
    assert world.caller_ids.verifications.get(ACCOUNT, DESK) is None
    world.audit.fail = False
    _, call = world.caller_ids.start(
        ACCOUNT, DESK, friendly_name=None, call_delay=0, extension=None, status_callback=HOOK, actor=BOSS
    )
    entry = only_entry(world)
    assert (entry.action, entry.target.kind, entry.target.sid, entry.target.phone_number) == (
        "caller_id.verify",
        TargetKind.CALLER_ID,
        call.call_sid,
        DESK,
    )


def test_renaming_a_caller_id_is_audited_and_twilio_gets_its_name_back_when_the_entry_fails(world):
    sid = world.owned(DESK, NumberSource.VERIFIED)
    world.audit.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.caller_ids.rename(ACCOUNT, sid, "Front desk", BOSS)
    assert world.twilio.caller_ids[sid].friendly_name == DESK and world.twilio.renames == ["Front desk", DESK]
    assert world.store.get(ACCOUNT, DESK).friendly_name == DESK
    world.audit.fail = False
    world.caller_ids.rename(ACCOUNT, sid, "Front desk", BOSS)
    entry = only_entry(world)
    assert (entry.action, entry.target.kind, entry.changes) == (
        "caller_id.rename",
        TargetKind.CALLER_ID,
        {"friendlyName": (DESK, "Front desk")},
    )


def test_deleting_a_caller_id_is_audited_and_kept_at_twilio_when_the_entry_fails(world):
    sid = world.owned(DESK, NumberSource.VERIFIED)
    world.audit.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.caller_ids.delete(ACCOUNT, sid, BOSS)
    assert sid in world.twilio.caller_ids and world.status(DESK) is NumberStatus.ACTIVE
    world.audit.fail = False
    world.caller_ids.delete(ACCOUNT, sid, BOSS)
    assert only_entry(world).action == "caller_id.delete" and sid not in world.twilio.caller_ids


# ----- other workers' selections ----------------------------------------------------------------------------------


def test_a_supervisors_choice_for_another_worker_is_audited_with_what_changed(world):
    world.owned()
    world.selections.put(ALICE, "+12065550100", True, BOSS)
    entry = only_entry(world)
    assert (entry.action, entry.target.kind, entry.target.sid) == (
        "worker.selection",
        TargetKind.WORKER,
        ALICE.worker_sid,
    )
    assert entry.changes == {"callerId": (None, "+12065550100"), "localPresence": (False, True)}
    world.selections.put(ALICE, "+12065550100", True, BOSS)  # nothing changed: no second entry
    world.selections.put(ALICE, None, None)  # the worker's own choice (no actor): not audited
    assert len(world.audit.written) == 1


def test_a_selection_without_its_entry_or_refused_by_taskrouter_leaves_nothing(world):
    world.owned()
    world.audit.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.selections.put(ALICE, "+12065550100", False, BOSS)
    assert world.workers.get(ALICE).caller_id is None
    world.audit.fail = False
    world.twilio.taskrouter_down = True
    with pytest.raises(UpstreamUnavailable):
        world.selections.put(ALICE, "+12065550100", False, BOSS)
    assert world.workers.get(ALICE).caller_id is None and world.audit.written == []  # rolled back, retracted
