"""The number services over in-memory stores (``tests/unit/fakes.py``): the refresh from Twilio, what follows
from a record write, listing, the call path's From decision and the management routes' rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from callerid import deadline
from callerid.domain.audit import Actor
from callerid.domain.errors import (
    CallerIdInUse,
    DestinationNotAllowed,
    NoCallerIdAvailable,
    NotFound,
    NumberExists,
    UpstreamUnavailable,
)
from callerid.domain.identity import Caller, Role
from callerid.domain.numbers import NumberQuery, NumberSource, NumberStatus
from callerid.domain.pools import POOL_SIZE
from callerid.domain.resolution import Reason
from callerid.domain.workers import WorkerState
from callerid.service.builder import Options
from tests.unit.fakes import FakeTwilio, FakeWorld, worker

ACCOUNT = "AC" + "a" * 32
CHILD = "AC" + "c" * 32
TO = "+14155552671"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class World:
    def __init__(self, page_size: int = 1000, remaining: Callable[[], float | None] = deadline.remaining) -> None:
        self.clock = Clock()
        fake = FakeWorld()
        self.store, self.phones, self.twilio = fake.store, fake.phones, FakeTwilio(ACCOUNT, page_size)
        self.audit = fake.audit_log
        ancestors = {CHILD: [ACCOUNT]}
        options = Options(number_cache_ttl_seconds=300, ancestors=lambda a: ancestors.get(a, []))
        services = fake.services(lambda: self.twilio, options, clock=self.clock, remaining=remaining)
        self.directory, self.refresh = services.numbers, services.refresh
        self.calls, self.management = services.outbound_calls, services.management

    def numbers(self, count: int, start: int = 0) -> list[str]:
        phones = [f"+1206555{n:04d}" for n in range(start, start + count)]
        for phone in phones:
            self.twilio.add(phone)
        return phones

    def listed(self, account: str = ACCOUNT, **query) -> list[str]:
        return [n.phone_number for n in self.directory.page(account, NumberQuery(per_page=1000, **query)).page.numbers]

    def sid(self, phone: str, account: str = ACCOUNT) -> str:
        return self.store.get(account, phone).sid

    def start(self, n: int = 1, account: str = ACCOUNT, **kwargs):
        caller = Caller(account, "agent", frozenset({Role.AGENT}), f"WK{n:032d}")
        return self.calls.start(caller, TO, **kwargs)


@pytest.fixture
def world() -> World:
    return World()


# ----- the refresh from Twilio ------------------------------------------------------------------------------------


def test_the_first_list_reads_every_page_and_later_ones_within_the_ttl_read_nothing():
    world = World(page_size=1000)
    phones = world.numbers(2500)
    assert world.listed() == sorted(phones)[:1000]
    assert world.twilio.pages_read == 3 + 1  # ⌈2500 / 1000⌉ pages of numbers, one of caller IDs
    world.clock.now += 299
    assert world.directory.page(ACCOUNT, NumberQuery(page=3, per_page=1000)).page.numbers[-1].phone_number == phones[-1]
    assert world.twilio.pages_read == 4
    head = world.store.head(ACCOUNT)
    assert head.own_numbers == 2500 and len(head.pool) == POOL_SIZE


def test_a_refresh_writes_only_what_changed_and_keeps_what_this_backend_owns(world):
    phones = world.numbers(5)
    world.listed()
    world.directory.change(ACCOUNT, world.sid(phones[0]), {"label": "Sales", "outbound_shareable": True})
    renamed = replace(world.twilio.numbers[world.sid(phones[0])], friendly_name="Renamed at Twilio")
    world.twilio.numbers[renamed.sid] = renamed
    gone = world.sid(phones[1])
    del world.twilio.numbers[gone]
    before = dict(world.store.writes)
    world.clock.now += 301
    world.listed()
    written = {k: v - before.get(k, 0) for k, v in world.store.writes.items() if v != before.get(k, 0)}
    assert written == {"replace": 2, "live_sids": 1, "listed": 1}, "one rename, one release; nothing else written"
    record = world.store.get(ACCOUNT, phones[0])
    assert (record.friendly_name, record.label, record.outbound_shareable) == ("Renamed at Twilio", "Sales", True)
    assert world.store.get(ACCOUNT, phones[1]).status is NumberStatus.RELEASED
    assert phones[1] not in world.listed()
    assert world.store.head(ACCOUNT).counts[(NumberSource.TWILIO, NumberStatus.ACTIVE)] == 4


def test_a_pass_that_runs_out_of_time_goes_on_where_it_stopped():
    world = World(page_size=1000)
    world.numbers(2500)

    class Nearly:
        def get_remaining_time_in_millis(self) -> int:
            return 3_000  # less than the margin a pass keeps: it stops after each page

    with deadline.invocation(Nearly(), margin=0):
        listed = world.directory.page(ACCOUNT, NumberQuery(per_page=1000))
    assert listed.stale and world.twilio.pages_read == 1
    assert world.store.head(ACCOUNT).refresh.next_page == "1000"
    with deadline.invocation(Nearly(), margin=0):
        world.directory.page(ACCOUNT, NumberQuery(per_page=1000))
    world.directory.page(ACCOUNT, NumberQuery(per_page=1000))
    assert world.twilio.pages_read == 4, "no page read twice"
    head = world.store.head(ACCOUNT)
    assert head.refresh is None and head.refreshed_at > 0 and head.own_numbers == 2500
    assert world.store.seen_chunks == {}


class SlowInvocation:
    """An invocation of ``timeout`` seconds (less ``deadline.MARGIN_SECONDS``) on a fake clock, where the store takes
    ``seconds_per_page`` to write each page of new numbers: it records how much was left when the pass stored its
    cursor."""

    def __init__(self, world_store, timeout: float, seconds_per_page: float) -> None:
        self.left = timeout - deadline.MARGIN_SECONDS
        self.saved_with: list[float] = []
        insert_many, save_refresh = world_store.insert_many, world_store.save_refresh

        def slow_insert(records):
            self.left -= seconds_per_page
            return insert_many(records)

        def save(account_sid, state):
            self.saved_with.append(self.left)
            return save_refresh(account_sid, state)

        world_store.insert_many, world_store.save_refresh = slow_insert, save

    def __call__(self) -> float:
        return self.left


def test_a_pass_on_a_slow_store_stops_and_stores_its_cursor_before_the_deadline():
    """A page of new numbers taking 4.6 s: after two pages 4.3 s are left, more than the fixed margin (4 s) but not
    enough for a third page; the pass used to start it and end past Lambda's timeout (the bench's 502 at 50,000)."""
    invocations: list[SlowInvocation] = []
    world = World(page_size=1000, remaining=lambda: invocations[-1]())
    world.numbers(5000)
    invocations.append(SlowInvocation(world.store, timeout=15.0, seconds_per_page=4.6))
    listed = world.directory.page(ACCOUNT, NumberQuery(per_page=10))
    assert listed.stale and world.twilio.pages_read == 2
    assert world.store.head(ACCOUNT).refresh.next_page == "2000"
    assert invocations[-1].saved_with and min(invocations[-1].saved_with) >= 0, "the cursor was stored in time"
    while world.store.head(ACCOUNT).refresh is not None:
        invocations.append(SlowInvocation(world.store, timeout=15.0, seconds_per_page=4.6))
        world.directory.page(ACCOUNT, NumberQuery(per_page=10))
        assert invocations[-1]() >= 0, "every invocation ended before its deadline"
    assert world.twilio.pages_read == 5 + 1, "each page read once, then the caller IDs' page"
    assert world.store.head(ACCOUNT).own_numbers == 5000


class Nearly:
    """An invocation with less time left than a pass keeps as its margin: the pass stops after each page."""

    def get_remaining_time_in_millis(self) -> int:
        return 3_000


def test_a_pass_spanning_invocations_reads_back_no_seen_sids_when_nothing_vanished():
    world = World(page_size=1000)
    world.numbers(2500)
    world.listed()
    world.clock.now += 301
    for _ in range(3):
        with deadline.invocation(Nearly(), margin=0):
            world.directory.page(ACCOUNT, NumberQuery(per_page=10))
    world.directory.page(ACCOUNT, NumberQuery(per_page=10))
    head = world.store.head(ACCOUNT)
    assert head.refresh is None and head.own_numbers == 2500
    assert world.store.writes["seen"] == 0 and world.store.writes["live_sids"] == 0
    assert world.store.seen_chunks == {}


def a_pass_stopped_after_page_one_with_a_number_gone(world: World) -> tuple[list[str], str]:
    """2,500 numbers listed; one vanishes at Twilio; the next refresh reads page 1, stores its SIDs and stops."""
    phones = world.numbers(2500)
    world.listed()
    gone = phones[10]
    del world.twilio.numbers[world.sid(gone)]
    world.clock.now += 301
    with deadline.invocation(Nearly(), margin=0):
        world.directory.page(ACCOUNT, NumberQuery(per_page=10))
    return phones, gone


def released(world: World, phones: list[str]) -> list[str]:
    return [p for p in phones if world.store.get(ACCOUNT, p).status is NumberStatus.RELEASED]


def test_a_pass_spanning_invocations_releases_only_what_vanished_using_the_sids_it_stored():
    world = World(page_size=1000)
    phones, gone = a_pass_stopped_after_page_one_with_a_number_gone(world)
    world.directory.page(ACCOUNT, NumberQuery(per_page=10))  # the rest, in one go
    assert world.store.writes["seen"] == 1 and world.store.writes["live_sids"] == 1
    assert released(world, phones) == [gone], "the numbers read in the earlier invocation were seen, so they stay"
    assert world.store.head(ACCOUNT).own_numbers == 2499 and world.store.seen_chunks == {}


def test_a_pass_stored_before_the_counts_were_kept_reads_its_sids_back():
    world = World(page_size=1000)
    phones, gone = a_pass_stopped_after_page_one_with_a_number_gone(world)
    head = world.store.head(ACCOUNT)
    world.store.save_refresh(ACCOUNT, replace(head.refresh, kept=()))  # as the code before this one stored it
    world.directory.page(ACCOUNT, NumberQuery(per_page=10))
    assert released(world, phones) == [gone] and world.store.writes["seen"] >= 1


def test_twilio_down_serves_what_is_stored_and_fails_only_an_empty_workspace(world):
    world.numbers(3)
    world.twilio.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.listed()
    world.twilio.fail = False
    world.listed()
    world.twilio.fail = True
    world.clock.now += 301
    listed = world.directory.page(ACCOUNT, NumberQuery())
    assert listed.stale and len(listed.page.numbers) == 3


# ----- listing ---------------------------------------------------------------------------------------------------


def test_pages_follow_the_records_and_totals_come_from_the_counters(world):
    phones = world.numbers(7)
    world.listed()
    world.directory.change(ACCOUNT, world.sid(phones[6]), {"status": NumberStatus.INACTIVE})
    page = world.directory.page(ACCOUNT, NumberQuery(page=2, per_page=3)).page
    assert [n.phone_number for n in page.numbers] == phones[3:6] and page.total == 7
    inactive = world.directory.page(ACCOUNT, NumberQuery(status=NumberStatus.INACTIVE)).page
    assert [n.phone_number for n in inactive.numbers] == [phones[6]] and inactive.total == 1
    searched = world.directory.page(ACCOUNT, NumberQuery(search=phones[2][-4:])).page
    assert [n.phone_number for n in searched.numbers] == [phones[2]] and searched.total == 1


def test_a_descendant_lists_its_own_numbers_then_what_its_ancestor_shares(world):
    parent_phones = world.numbers(3)
    world.listed()
    world.directory.change(ACCOUNT, world.sid(parent_phones[1]), {"outbound_shareable": True})
    own = world.directory.register_byot(CHILD, "+17025550100", "Acme", "sip:x").phone_number
    listed = world.directory.page(CHILD, NumberQuery(per_page=10)).page
    assert [n.phone_number for n in listed.numbers] == [own, parent_phones[1]] and listed.total == 2
    second = world.directory.page(CHILD, NumberQuery(page=2, per_page=1)).page
    assert [n.phone_number for n in second.numbers] == [parent_phones[1]]
    # The shared numbers' pages keep the time to answer the records already held too (the own one, then none).
    assert world.store.held_before_shared == [1, 0]


def test_a_list_without_locks_has_a_tag_that_changes_with_anything_it_shows(world):
    phones = world.numbers(3)
    query = NumberQuery(per_page=10)
    first = world.directory.page(ACCOUNT, query, with_locks=False)
    assert first.tag and not first.unchanged and len(first.page.numbers) == 3
    again = world.directory.page(ACCOUNT, query, with_locks=False, unless_tag=first.tag)
    assert again.unchanged and again.tag == first.tag and not again.page.numbers
    assert world.directory.page(ACCOUNT, query, with_locks=False, unless_tag=f'W/{first.tag}, "x"').unchanged
    assert world.directory.page(ACCOUNT, query, with_locks=False, unless_tag="*").unchanged
    assert not world.directory.page(ACCOUNT, query, with_locks=False, unless_tag='"other"').unchanged
    # the filters and the paging are in it, and so is the account
    assert world.directory.page(ACCOUNT, NumberQuery(per_page=2), with_locks=False).tag != first.tag
    assert world.directory.page(CHILD, query, with_locks=False).tag != first.tag
    tags = {first.tag}
    # a field no counter follows, the primary, an ancestor's shared number: each changes the tag
    world.directory.change(ACCOUNT, world.sid(phones[0]), {"label": "Sales"})
    tags.add(world.directory.page(ACCOUNT, query, with_locks=False).tag)
    world.directory.make_primary(ACCOUNT, world.sid(phones[1]))
    tags.add(world.directory.page(ACCOUNT, query, with_locks=False).tag)
    assert len(tags) == 3
    child = world.directory.page(CHILD, query, with_locks=False).tag
    world.directory.change(ACCOUNT, world.sid(phones[2]), {"outbound_shareable": True})
    assert world.directory.page(CHILD, query, with_locks=False).tag != child
    # with lock state the answer has no tag (locks change without the listing) and always lists
    locked = world.directory.page(ACCOUNT, query, unless_tag=first.tag)
    assert locked.tag == "" and not locked.unchanged and len(locked.page.numbers) == 3


# ----- the call path ---------------------------------------------------------------------------------------------


def test_the_call_path_reads_once_and_writes_once(world):
    phones = world.numbers(3)
    world.listed()
    reads = world.store.writes["call_path_read"]
    call = world.start()
    assert call.choice.reason is Reason.FALLBACK and call.lock.phone_number in phones
    assert world.store.writes["call_path_read"] == reads + 1 and world.phones.attempts == 1


def test_selection_then_primary_then_fallback(world):
    phones = world.numbers(3)
    world.listed()
    world.directory.make_primary(ACCOUNT, world.sid(phones[2]))
    world.store.workers[(ACCOUNT, f"WK{1:032d}")] = WorkerState(caller_id=phones[1])
    assert (world.start(1).choice.reason, world.start(1).lock.phone_number) == (Reason.WORKER_SELECTION, phones[1])
    assert (world.start(2).choice.reason, world.start(2).lock.phone_number) == (Reason.PRIMARY, phones[2])
    assert world.start(3).choice.reason is Reason.FALLBACK


def test_a_number_made_inactive_is_skipped_at_once_though_the_pool_still_names_it(world):
    phones = world.numbers(2)
    world.listed()
    world.store.workers[(ACCOUNT, f"WK{1:032d}")] = WorkerState(caller_id=phones[0])
    world.directory.change(ACCOUNT, world.sid(phones[0]), {"status": NumberStatus.INACTIVE})
    call = world.start(1)
    assert (call.choice.reason, call.lock.phone_number) == (Reason.FALLBACK, phones[1])
    with pytest.raises(NotFound):
        world.start(2, explicit_from=phones[0])


def test_explicit_refusals_say_why(world):
    phones = world.numbers(2)
    world.listed()
    world.directory.change(ACCOUNT, world.sid(phones[1]), {"allowed_outbound_countries": ("CA",)})
    world.start(1, explicit_from=phones[0])
    with pytest.raises(CallerIdInUse):
        world.start(2, explicit_from=phones[0])
    with pytest.raises(DestinationNotAllowed):
        world.start(2, explicit_from=phones[1])
    with pytest.raises(NotFound):
        world.start(2, explicit_from="+17025550100")


def test_when_every_number_is_on_a_call_nothing_is_available(world):
    phones = world.numbers(2)
    world.listed()
    for n, phone in enumerate(phones, start=1):
        world.start(n, explicit_from=phone)
    with pytest.raises(NoCallerIdAvailable):
        world.start(9)


def test_a_descendant_dials_what_its_ancestor_shares_and_nothing_else(world):
    phones = world.numbers(2)
    world.listed()
    world.directory.change(ACCOUNT, world.sid(phones[0]), {"outbound_shareable": True})
    world.directory.fresh_head(CHILD)
    call = world.start(1, account=CHILD)
    assert call.lock.phone_number == phones[0]
    with pytest.raises(NotFound):
        world.start(2, account=CHILD, explicit_from=phones[1])


# ----- management ------------------------------------------------------------------------------------------------


def test_counters_follow_every_change(world):
    phones = world.numbers(3)
    world.listed()
    world.directory.change(ACCOUNT, world.sid(phones[0]), {"status": NumberStatus.INACTIVE})
    world.directory.change(ACCOUNT, world.sid(phones[1]), {"outbound_shareable": True})
    world.directory.register_byot(ACCOUNT, "+17025550100", "Acme", "sip:x")
    world.management.release(ACCOUNT, world.sid(phones[2]))
    head = world.store.head(ACCOUNT)
    assert head.counts[(NumberSource.TWILIO, NumberStatus.ACTIVE)] == 1
    assert head.counts[(NumberSource.TWILIO, NumberStatus.INACTIVE)] == 1
    assert head.counts[(NumberSource.BYOT, NumberStatus.ACTIVE)] == 1
    assert head.shared_counts[NumberSource.TWILIO] == 1
    assert {c.phone_number for c in head.pool} == {phones[1], "+17025550100"}


def test_a_number_on_a_call_is_not_released_and_stays_dialable(world):
    phones = world.numbers(1)
    world.listed()
    world.start(1, explicit_from=phones[0])
    with pytest.raises(CallerIdInUse):
        world.management.release(ACCOUNT, world.sid(phones[0]))
    assert world.twilio.removed == []
    world.phones.items[phones[0]].lock = None
    assert world.start(2, explicit_from=phones[0]).lock.phone_number == phones[0]


def test_a_failure_at_twilio_leaves_the_number_as_it_was(world):
    phones = world.numbers(1)
    world.listed()
    world.twilio.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.management.release(ACCOUNT, world.sid(phones[0]))
    world.twilio.fail = False
    assert world.store.get(ACCOUNT, phones[0]).status is NumberStatus.ACTIVE
    assert world.start(1, explicit_from=phones[0]).lock.phone_number == phones[0]


def test_a_released_primary_leaves_no_primary(world):
    phones = world.numbers(2)
    world.listed()
    world.directory.make_primary(ACCOUNT, world.sid(phones[0]))
    world.management.release(ACCOUNT, world.sid(phones[0]))
    assert world.store.head(ACCOUNT).primary is None
    assert world.twilio.removed == [f"PN{phones[0].strip('+').rjust(32, '0')}"]


def test_byot_numbers_are_registered_once_and_may_come_back_after_release(world):
    world.listed()
    sid = world.directory.register_byot(ACCOUNT, "(702) 555-0100", "Acme", "sip:x").sid
    with pytest.raises(NumberExists):
        world.directory.register_byot(ACCOUNT, "+17025550100", "Acme", "sip:x")
    world.management.release(ACCOUNT, sid)
    assert world.directory.register_byot(ACCOUNT, "+17025550100", "Acme", "sip:y").connection == "sip:y"


def test_another_workspace_can_neither_see_nor_change_a_number(world):
    phones = world.numbers(1)
    world.listed()
    sid = world.sid(phones[0])
    with pytest.raises(NotFound):
        world.directory.get(CHILD, sid)
    world.directory.change(ACCOUNT, sid, {"outbound_shareable": True})
    assert world.directory.get(CHILD, sid).owner_workspace == ACCOUNT
    for change in (
        lambda: world.directory.change(CHILD, sid, {"label": "x"}),
        lambda: world.directory.make_primary(CHILD, sid),
        lambda: world.management.release(CHILD, sid),
    ):
        with pytest.raises(NotFound):
            change()


def test_a_webhook_may_touch_only_what_its_account_may_dial(world):
    phones = world.numbers(2)
    world.listed()
    world.directory.change(ACCOUNT, world.sid(phones[0]), {"outbound_shareable": True})
    assert world.directory.may_dial(CHILD, phones[0]) and not world.directory.may_dial(CHILD, phones[1])
    assert world.directory.may_dial(ACCOUNT, phones[1])
    assert worker(1, CHILD).account_sid == CHILD


def test_the_pool_is_topped_up_when_numbers_leave_it():
    world = World()
    phones = world.numbers(POOL_SIZE + 5)
    world.listed()
    pooled = {c.phone_number for c in world.store.head(ACCOUNT).pool}
    for phone in sorted(pooled)[:10]:
        world.directory.change(ACCOUNT, world.sid(phone), {"status": NumberStatus.INACTIVE})
    pool = {c.phone_number for c in world.store.head(ACCOUNT).pool}
    assert len(pool) == POOL_SIZE - 5 and set(phones) - pooled <= pool
    assert world.start().lock.phone_number in pool


# ----- the supervisor's lock release -------------------------------------------------------------------------------

BOSS = Actor("WK" + "b" * 32, "boss")


def test_a_supervisor_frees_a_live_lock_once_and_only_on_its_own_numbers(world):
    phones = world.numbers(1)
    world.listed()
    sid = world.sid(phones[0])
    with pytest.raises(NotFound):
        world.directory.free_lock(ACCOUNT, sid, BOSS)  # no lock yet
    held = world.start(1, explicit_from=phones[0]).lock
    world.directory.change(ACCOUNT, sid, {"outbound_shareable": True})
    with pytest.raises(NotFound):
        world.directory.free_lock(CHILD, sid, BOSS)  # shared with the child, still not the child's to free
    assert world.directory.lock_of(phones[0]) == held
    assert world.directory.free_lock(ACCOUNT, sid, BOSS) == held
    assert world.directory.lock_of(phones[0]) is None
    with pytest.raises(NotFound):
        world.directory.free_lock(ACCOUNT, sid, BOSS)
    assert world.start(2, explicit_from=phones[0]).lock.holder.worker_sid == f"WK{2:032d}"
    (entry,) = world.audit.written  # refusals leave no entry
    assert (entry.account_sid, entry.actor, entry.action) == (ACCOUNT, BOSS, "lock.release")
    assert (entry.target.sid, entry.target.phone_number) == (sid, phones[0])
    assert entry.changes == {"lockedBy": (held.holder.worker_sid, None)}


def test_a_lock_release_whose_audit_entry_cannot_be_written_does_not_happen(world):
    phones = world.numbers(1)
    world.listed()
    held = world.start(1, explicit_from=phones[0]).lock
    world.audit.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.directory.free_lock(ACCOUNT, world.sid(phones[0]), BOSS)
    assert world.directory.lock_of(phones[0]) == held and world.audit.written == []


def test_an_expired_lock_is_no_lock_to_free(world):
    phones = world.numbers(1)
    world.listed()
    world.start(1, explicit_from=phones[0])
    world.clock.now += 24 * 3600
    with pytest.raises(NotFound):
        world.directory.free_lock(ACCOUNT, world.sid(phones[0]), BOSS)


def test_a_patch_is_audited_with_what_changed_and_only_when_something_did(world):
    phones = world.numbers(1)
    world.listed()
    sid = world.sid(phones[0])
    world.directory.change(ACCOUNT, sid, {"label": "Sales", "outbound_shareable": True}, BOSS)
    world.directory.change(ACCOUNT, sid, {"label": "Sales"}, BOSS)  # nothing changed: no entry
    (entry,) = world.audit.written
    assert (entry.action, entry.target.sid, entry.target.phone_number) == ("number.update", sid, phones[0])
    assert entry.changes == {"label": (None, "Sales"), "outboundShareable": (False, True)}


def test_a_patch_whose_audit_entry_cannot_be_written_does_not_happen(world):
    phones = world.numbers(1)
    world.listed()
    sid = world.sid(phones[0])
    world.audit.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.directory.change(ACCOUNT, sid, {"label": "Sales"}, BOSS)
    assert world.store.get(ACCOUNT, phones[0]).label is None


def test_making_a_number_primary_is_audited_once_and_not_at_all_when_its_entry_fails(world):
    phones = world.numbers(2)
    world.listed()
    world.audit.fail = True
    with pytest.raises(UpstreamUnavailable):
        world.directory.make_primary(ACCOUNT, world.sid(phones[0]), BOSS)
    assert world.store.head(ACCOUNT).primary is None
    world.audit.fail = False
    world.directory.make_primary(ACCOUNT, world.sid(phones[0]), BOSS)
    world.directory.make_primary(ACCOUNT, world.sid(phones[0]), BOSS)  # already primary: no second entry
    (entry,) = world.audit.written
    assert (entry.action, entry.target.phone_number, entry.changes) == (
        "number.primary",
        phones[0],
        {"isPrimary": (False, True)},
    )
