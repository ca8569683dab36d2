"""The From decision's services over in-memory fakes: the small pools kept equal to the records by
``RecordKeeper.settle_pools``, and the call path's reads (what the container's memory lets it foresee)."""

from __future__ import annotations

import random

import pytest

from callerid.domain.errors import NoCallerIdAvailable
from callerid.domain.identity import Caller, Role, WorkerRef
from callerid.domain.locks import CallerIdLock, PhoneState
from callerid.domain.numbers import NumberStatus, OutboundAssignment
from callerid.domain.pools import presence_keys
from callerid.domain.reputation import NO_LIMITS, Guard, ReputationLimits
from callerid.domain.resolution import Reason
from callerid.domain.workers import WorkerState
from callerid.service.builder import Options, Services
from callerid.service.outbound import CallPathMemory
from tests.unit.factories import ACCOUNT, number
from tests.unit.fakes import FakeTwilio, FakeWorld

WORKER = "WK" + "1" * 32


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class World:
    def __init__(self, limits: ReputationLimits = NO_LIMITS) -> None:
        self.fake = FakeWorld()
        self.store, self.phones, self.pools = self.fake.store, self.fake.phones, self.fake.pools
        self.clock = Clock()
        self.limits = limits
        services = self.container()
        self.directory, self.calls = services.numbers, services.outbound_calls

    def container(self) -> Services:
        """A container's services (the call path's memory is its own); the numbers were read from Twilio."""
        options = Options(number_cache_ttl_seconds=1e12, limits=self.limits)
        return self.fake.services(lambda: FakeTwilio(ACCOUNT), options, clock=self.clock)

    def add(self, phone, **kwargs):
        record = self.directory.add(number(phone, **kwargs))
        self.store.mark_refreshed(ACCOUNT, 1.0)
        return record

    def worker(self, **state):
        self.store.workers[(ACCOUNT, WORKER)] = WorkerState(**state)

    def start(self, to="+14155552671", **kwargs):
        self.clock.now += 1
        call = self.calls.start(Caller(ACCOUNT, "agent", frozenset({Role.AGENT}), WORKER), to, **kwargs)
        self.phones.release(call.lock.phone_number, call.lock.holder, call.lock.lease_id)
        return call

    def pool(self, key):
        return set(self.pools.items.get((ACCOUNT, key), {}))


@pytest.fixture
def world():
    return World()


def test_a_number_joins_the_presence_pools_of_its_place(world):
    world.add("+16465550100")
    keys = presence_keys(world.store.head(ACCOUNT).pool[0].place)
    assert keys == ["POOL#AC#1646", "POOL#LOC#New York, NY", "POOL#ST#US-NY", "POOL#TZ#America/New_York", "POOL#CC#US"]
    assert all(world.pool(k) == {"+16465550100"} for k in keys)


def test_an_inactive_or_released_number_leaves_its_pools(world):
    record = world.add("+16465550100")
    world.directory.change(ACCOUNT, record.sid, {"status": NumberStatus.INACTIVE})
    assert world.pool("POOL#AC#1646") == set()
    active = world.directory.change(ACCOUNT, record.sid, {"status": NumberStatus.ACTIVE})
    assert world.pool("POOL#AC#1646") == {"+16465550100"}
    world.directory.release(ACCOUNT, active.record.sid, lambda r: None)
    assert world.pool("POOL#AC#1646") == set()


def test_an_assignment_moves_the_number_between_assignment_pools(world):
    record = world.add("+13125550100")
    world.directory.change(ACCOUNT, record.sid, {"outbound_assignment": OutboundAssignment(team="sales")})
    assert world.pool("ASSIGN#TEAM#sales") == {"+13125550100"}
    world.directory.change(ACCOUNT, record.sid, {"outbound_assignment": OutboundAssignment(worker_sid=WORKER)})
    assert world.pool("ASSIGN#TEAM#sales") == set() and world.pool(f"ASSIGN#WK#{WORKER}") == {"+13125550100"}
    world.directory.change(ACCOUNT, record.sid, {"outbound_assignment": None})
    assert world.pool(f"ASSIGN#WK#{WORKER}") == set()


def test_local_presence_reaches_numbers_outside_the_head_pool(world):
    for n in range(100):
        world.add(f"+1206555{n:04d}")
    world.add("+16465550100")
    assert "+16465550100" not in {c.phone_number for c in world.store.head(ACCOUNT).pool}
    world.worker(local_presence=True)
    call = world.start("+16465552671")
    assert (call.lock.phone_number, call.choice.reason) == ("+16465550100", Reason.LOCAL_PRESENCE_AREA_CODE)


def test_the_first_call_with_local_presence_reads_twice_and_later_calls_once(world):
    world.add("+14155550100")
    world.add("+16465550100")
    world.worker(local_presence=True)
    world.start("+16465552671")
    assert (world.store.writes["call_path_read"], world.store.writes["pools_read"]) == (1, 1)
    call = world.start("+16465552671")
    assert call.choice.reason is Reason.LOCAL_PRESENCE_AREA_CODE
    assert (world.store.writes["call_path_read"], world.store.writes["pools_read"]) == (2, 1)


def test_a_team_change_costs_one_more_read_once(world):
    world.add("+14155550100")
    team_number = world.add("+13125550100")
    world.directory.change(ACCOUNT, team_number.sid, {"outbound_assignment": OutboundAssignment(team="sales")})
    world.worker(team="sales")
    assert world.start().choice.reason is Reason.ASSIGNMENT
    assert world.start().choice.reason is Reason.ASSIGNMENT
    assert world.store.writes["pools_read"] == 1
    world.worker(team="support")
    assert world.start().choice.reason is Reason.FALLBACK
    assert world.store.writes["pools_read"] == 2


def test_the_queue_of_the_call_picks_its_assigned_number(world):
    world.add("+14155550100")
    queued = world.add("+13125550100")
    queue = "WQ" + "7" * 32
    world.directory.change(ACCOUNT, queued.sid, {"outbound_assignment": OutboundAssignment(queue_sid=queue)})
    assert world.start(queue_sid=queue).lock.phone_number == "+13125550100"
    assert world.start().lock.phone_number == "+14155550100"


def test_the_guard_says_why_the_only_number_rests_and_explicit_ignores_it():
    world = World(ReputationLimits(daily_call_cap=1))
    world.add("+14155550100")
    assert world.start().lock.guard is None
    assert world.start().lock.guard is Guard.CAPPED
    assert world.start(explicit_from="+14155550100").lock.guard is None


def test_rotation_takes_the_least_recently_used_number():
    world = World()
    for phone in ("+14155550100", "+14155550101", "+14155550102"):
        world.add(phone)
    used = [world.start().lock.phone_number for _ in range(6)]
    assert used[:3] == used[3:] and len(set(used[:3])) == 3


def test_spacing_sends_the_call_to_another_number_then_to_the_least_used_resting_one():
    world = World(ReputationLimits(min_seconds_between_calls=60))
    world.add("+14155550100")
    world.add("+14155550101")
    first, second = world.start(), world.start()
    assert {first.lock.phone_number, second.lock.phone_number} == {"+14155550100", "+14155550101"}
    assert (first.lock.guard, second.lock.guard) == (None, None)
    third = world.start()
    assert (third.lock.phone_number, third.lock.guard) == (first.lock.phone_number, Guard.SPACING)
    world.clock.now += 60
    assert world.start().lock.guard is None


def test_a_cooling_number_rests_for_the_cooldown():
    world = World(ReputationLimits(min_answer_rate=0.5))
    world.add("+14155550100")
    world.add("+14155550101")
    world.phones.start_cooling("+14155550100", world.clock.now + 100, world.clock.now)
    assert {world.start().lock.phone_number for _ in range(3)} == {"+14155550101"}
    world.clock.now += 101
    assert "+14155550100" in {world.start().lock.phone_number for _ in range(2)}


def test_pool_entries_carry_the_place(world):
    world.add("+442079460100")
    (candidate,) = world.store.head(ACCOUNT).pool
    assert (candidate.place.area, candidate.place.country) == ("4420", "GB")


def test_a_resting_number_whose_state_the_call_path_did_not_read_still_goes_out_as_resting():
    """A new container knows no phone to read: its lock write refuses the resting number, and before answering
    422 it reads the numbers it tried and takes the resting one with its guard."""
    world = World(ReputationLimits(min_seconds_between_calls=60))
    world.add("+14155550100")
    assert world.start().lock.guard is None
    world.calls = world.container().outbound_calls  # another container: its memory is empty
    call = world.start()
    assert (call.lock.phone_number, call.lock.guard) == ("+14155550100", Guard.SPACING)


def test_numbers_a_fresh_read_shows_on_other_agents_calls_are_not_tried_again():
    world = World()
    phones = [f"+1415555{n:04d}" for n in range(6)]
    for phone in phones:
        world.add(phone)
    colleague = Caller(ACCOUNT, "agent", frozenset({Role.AGENT}), "WK" + "2" * 32).worker()
    for phone in phones:
        world.phones.acquire(phone, colleague, ancestors=(), country="US", ttl_seconds=300, now=world.clock.now)
    before = world.phones.attempts
    with pytest.raises(NoCallerIdAvailable):
        world.start()
    assert world.phones.attempts - before == 3, "three refused writes, then a read shows every number taken"


def test_each_call_is_recorded_with_its_lock():
    world = World()
    world.add("+14155550100")
    queue, task = "WQ" + "7" * 32, "WT" + "8" * 32
    call = world.start("+1 646 555 2671", queue_sid=queue, task_sid=task)
    (record,) = world.phones.records
    assert (record.workspace, record.worker_sid, record.from_number, record.to) == (
        ACCOUNT,
        WORKER,
        call.lock.phone_number,
        "+16465552671",
    )
    assert (record.reason, record.task_sid, record.queue_sid) == (call.choice.reason.value, task, queue)
    assert record.started_at == call.lock.acquired_at
    assert record.expires_at == record.started_at + 30 * 86_400


def test_each_read_asks_for_its_own_random_sample_of_a_large_pool_after_the_selection_and_primary():
    pool = [f"+1415555{n:04d}" for n in range(40)]
    draw = random.Random(18).randrange
    windows = [CallPathMemory.window([("+13125550100",), pool], 19, lambda: draw(1 << 30)) for _ in range(2)]
    assert all(w[0] == "+13125550100" and len(w) == 19 and set(w[1:]) < set(pool) for w in windows)
    assert windows[0] != windows[1]
    assert CallPathMemory.window([pool[:5], pool[:10]], 19, lambda: 0) == pool[:10], "a small pool is read whole"


def test_the_container_counts_numbers_beyond_the_read_seen_on_other_agents_calls_until_seen_free():
    memory = CallPathMemory()
    colleague, me = WorkerRef(ACCOUNT, "WK" + "2" * 32), WorkerRef(ACCOUNT, WORKER)
    now = 1_800_000_000.0
    pool = [f"+1415555{n:04d}" for n in range(30)]
    memory.saw({p: PhoneState(CallerIdLock(p, colleague, "lease", now - 5, now + 295)) for p in pool[:10]}, now)
    memory.taken(pool[10], None, now + 300)  # a write refused: someone holds it
    memory.taken(pool[11], me, now + 300)  # this worker's own call
    assert (memory.elsewhere(pool, me, now), memory.elsewhere(pool, colleague, now)) == (11, 2)
    memory.saw({pool[0]: PhoneState()}, now)  # seen free again
    assert memory.elsewhere(pool, me, now) == 10
    assert memory.elsewhere(pool, me, now + 400) == 0, "a lock seen is over by its expiry at the latest"


class TestASelectionSavedJustBeforeTheCall:
    """The call path's read is eventually consistent: a selection saved a moment before the call may be missing from
    it (``FakeNumberStore.lagging``). The client says which selection it saw; an older read is read again."""

    OLD, NEW = "+13125550100", "+12125550100"

    @pytest.fixture
    def world(self):
        world = World()
        for phone in ("+14155550100", self.OLD, self.NEW):
            world.add(phone)
        world.worker(caller_id=self.OLD, version=1)
        world.worker(caller_id=self.NEW, version=2)
        world.store.lagging[(ACCOUNT, WORKER)] = WorkerState(caller_id=self.OLD, version=1)
        return world

    def test_a_call_that_saw_the_new_selection_uses_it_after_one_consistent_read(self, world):
        call = world.start(selection_version=2)
        assert (call.lock.phone_number, call.choice.reason) == (self.NEW, Reason.WORKER_SELECTION)
        assert world.fake.workers.reads == 1
        assert (world.store.writes["call_path_read"], world.store.writes["pools_read"]) == (1, 0)

    def test_without_a_version_the_call_uses_what_the_read_shows(self, world):
        call = world.start()
        assert (call.lock.phone_number, call.choice.reason) == (self.OLD, Reason.WORKER_SELECTION)
        assert world.fake.workers.reads == 0

    def test_a_read_as_new_as_the_version_is_not_read_again(self, world):
        assert world.start(selection_version=1).lock.phone_number == self.OLD
        del world.store.lagging[(ACCOUNT, WORKER)]
        assert world.start(selection_version=2).lock.phone_number == self.NEW
        assert world.start(selection_version=0).lock.phone_number == self.NEW
        assert world.fake.workers.reads == 0

    def test_an_explicit_from_reads_no_selection(self, world):
        assert world.start(explicit_from=self.OLD, selection_version=2).choice.reason is Reason.EXPLICIT
        assert world.fake.workers.reads == 0

    def test_local_presence_turned_on_just_before_the_call_reads_the_presence_pools(self, world):
        world.add("+16465550100")
        world.worker(local_presence=True, version=3)
        call = world.start("+16465552671", selection_version=3)
        assert call.choice.reason is Reason.LOCAL_PRESENCE_AREA_CODE
        assert (world.fake.workers.reads, world.store.writes["pools_read"]) == (1, 1)
