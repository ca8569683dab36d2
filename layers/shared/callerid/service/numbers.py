"""A workspace's numbers: listing, the detail and configuration routes, and what follows from every record write.

``settle`` is the one place that keeps the items derived from a record equal to it: the phone item's dial rule
(what the call path's lock condition checks), the owner's shared index, the head's counters and the fallback
pool. Each record write is conditional on the revision read; ``settle`` follows it.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from callerid.domain.errors import CallerIdInUse, ConcurrentUpdate, InvalidRequest, NotFound, NumberExists
from callerid.domain.locks import CallerIdLock
from callerid.domain.numbers import (
    NumberPage,
    NumberQuery,
    NumberRecord,
    NumberSource,
    NumberStatus,
    OutboundAssignment,
    TwilioFacts,
    dial_rule,
)
from callerid.domain.phone import describe_number, normalise_e164
from callerid.service.ports import NumberStore, PhoneStore, PoolStore
from callerid.store.models import count_attribute, shared_count_attribute
from callerid.store.numbers import POOL_SIZE, pool_entry
from callerid.store.pools import pool_keys

if TYPE_CHECKING:
    from callerid.service.refresh import TwilioRefresh

SAVE_ATTEMPTS = 8
# What PATCH may change; anything else is an unknown field (400).
PATCHABLE = frozenset(
    {
        "label",
        "inbound_agent",
        "allowed_inbound_countries",
        "allowed_outbound_countries",
        "status",
        "outbound_shareable",
        "outbound_assignment",
    }
)


def described(account_sid: str, facts: TwilioFacts) -> NumberRecord:
    """A new record, with the facts the call path needs derived now (geocoding is too slow per call)."""
    return with_geography(
        NumberRecord(
            sid=facts.sid,
            phone_number=facts.phone_number,
            friendly_name=facts.friendly_name,
            source=facts.source,
            owner_workspace=account_sid,
            voice=facts.voice,
            sms=facts.sms,
            created_at=facts.created_at,
        )
    )


def with_geography(record: NumberRecord) -> NumberRecord:
    facts = describe_number(record.phone_number)
    return replace(
        record, country=facts.country, area_code=facts.area_code, locality=facts.locality, time_zones=facts.time_zones
    )


def byot_sid(account_sid: str, phone_number: str) -> str:
    """A BYOT number has no Twilio SID; its own is stable per workspace and phone."""
    return "BY" + hashlib.sha256(f"{account_sid}:{phone_number}".encode()).hexdigest()[:32]


def count_deltas(old: NumberRecord | None, new: NumberRecord) -> dict[str, int]:
    deltas: Counter[str] = Counter()
    for record, sign in ((old, -1), (new, 1)):
        if record is None:
            continue
        if record.status is not NumberStatus.RELEASED:
            deltas[count_attribute(record.source, record.status)] += sign
        if record.shared_with_descendants:
            deltas[shared_count_attribute(record.source)] += sign
    return {name: delta for name, delta in deltas.items() if delta}


@dataclass(frozen=True, slots=True)
class ListedNumbers:
    page: NumberPage
    locks: dict[str, CallerIdLock]
    stale: bool = False


class NumberDirectory:
    def __init__(
        self,
        store: NumberStore,
        phones: PhoneStore,
        *,
        ancestors: Callable[[str], list[str]] = lambda account_sid: [],
        clock: Callable[[], float] = time.time,
        pools: PoolStore | None = None,
    ) -> None:
        self.store = store
        self.phones = phones
        self.ancestors = ancestors
        self.clock = clock
        self.refresh: TwilioRefresh | None = None
        self.pools = pools

    # ----- what follows from a record -----

    def settle(self, old: NumberRecord | None, new: NumberRecord) -> None:
        """Bring the items derived from ``new`` (which replaced ``old``) into line with it."""
        owner, phone = new.owner_workspace, new.phone_number
        self.phones.write_rule(phone, owner, dial_rule(new))
        if new.shared_with_descendants:
            self.store.put_shared(new)
        elif old is not None and old.shared_with_descendants:
            self.store.delete_shared(owner, phone)
        self.store.adjust_counts(owner, count_deltas(old, new))
        if new.dialable:
            self.store.set_pool_entry(owner, phone, pool_entry(new))
        elif old is not None and old.dialable:
            self.store.remove_pool_entry(owner, phone)
        if new.status is NumberStatus.RELEASED:
            self.store.clear_primary(owner, phone)
        self.settle_pools(old, new)

    def settle_new(self, records: list[NumberRecord]) -> None:
        """``settle`` for many new records at once (a refresh page): batched rules, one counter update, pool entries
        while the pool has room."""
        if not records:
            return
        owner = records[0].owner_workspace
        self.phones.write_rules([(r.phone_number, owner, dial_rule(r)) for r in records])
        deltas: Counter[str] = Counter()
        for record in records:
            deltas.update(count_deltas(None, record))
        self.store.adjust_counts(owner, dict(deltas))
        room = POOL_SIZE - len(self.store.head(owner).pool)
        for record in [r for r in records if r.dialable][: max(room, 0)]:
            self.store.set_pool_entry(owner, record.phone_number, pool_entry(record))
        self.settle_pools_new(records)

    # ----- the small pools: local presence and assignments -----

    def settle_pools(self, old: NumberRecord | None, new: NumberRecord) -> None:
        """Keep the record's presence pools (its area code, locality, state, time zone, country) and assignment
        pools (its worker, team, queue) equal to it: the entry leaves the pools it no longer belongs to and is
        written where it belongs (a pool that is full, 100 numbers, leaves it out)."""
        if self.pools is None:
            return
        owner, phone = new.owner_workspace, new.phone_number
        before = pool_keys(old) if old is not None else set()
        after = pool_keys(new)
        for key in sorted(before - after):
            self.pools.remove_entry(owner, key, phone)
        entry = pool_entry(new)
        unchanged = old is not None and before == after and pool_entry(old) == entry
        if not unchanged:
            for key in sorted(after):
                self.pools.set_entry(owner, key, phone, entry, exists=key in before)

    def settle_pools_new(self, records: list[NumberRecord]) -> None:
        """``settle_pools`` for many new records (a refresh page): one write per pool while it has room."""
        if self.pools is None or not records:
            return
        owner = records[0].owner_workspace
        by_pool: dict[str, dict[str, str]] = {}
        for record in records:
            entry = pool_entry(record)
            for key in pool_keys(record):
                by_pool.setdefault(key, {})[record.phone_number] = entry
        for key, entries in sorted(by_pool.items()):
            self.pools.set_entries(owner, key, dict(list(entries.items())[:POOL_SIZE]))

    # ----- reading -----

    def fresh_head(self, account_sid: str) -> tuple[Any, bool]:
        if self.refresh is None:
            return self.store.head(account_sid), False
        freshness = self.refresh.ensure(account_sid)
        return freshness.head, freshness.stale

    def page(self, account_sid: str, query: NumberQuery, *, with_shared: bool = True) -> ListedNumbers:
        """One page of what the workspace may dial from: its own records, then (``with_shared``) the active numbers
        its ancestors share. Reads as far as the page reaches; totals come from the heads' counters (``search``
        and ``friendly_name`` count)."""
        head, stale = self.fresh_head(account_sid)
        if not query.sources():  # verified caller IDs asked for while they are left out: nothing to read
            return ListedNumbers(NumberPage((), query.page, query.per_page, 0), {}, stale)
        lineage = []
        for ancestor in self.ancestors(account_sid) if with_shared else []:
            ancestor_head, ancestor_stale = self.fresh_head(ancestor)
            lineage.append(ancestor_head)
            stale = stale or ancestor_stale
        counted = bool(query.needle) or query.friendly_name is not None
        own_total = self.store.count(account_sid, query) if counted else head.total(query)
        shared_totals = [
            self.store.count_shared(h.account_sid, query) if counted else h.shared_total(query) for h in lineage
        ]
        skip, take = query.offset, query.per_page
        numbers: list[NumberRecord] = []
        if skip < own_total:
            own = self.store.listed(account_sid, query, skip=skip, take=take, version=head.listing_version)
            numbers += [replace(n, is_primary=n.phone_number == head.primary) for n in own]
        skip = max(0, skip - own_total)
        for ancestor_head, total in zip(lineage, shared_totals, strict=True):
            if len(numbers) >= take:
                break
            if skip >= total:
                skip -= total
                continue
            numbers += self.store.listed_shared(ancestor_head.account_sid, query, skip=skip, take=take - len(numbers))
            skip = 0
        seen: set[str] = set()
        unique = [n for n in numbers if not (n.phone_number in seen or seen.add(n.phone_number))]  # type: ignore[func-returns-value]
        locks = self.phones.get_many(n.phone_number for n in unique)
        now = self.clock()
        live = {phone: lock for phone, lock in locks.items() if lock.is_live(now)}
        page = NumberPage(tuple(unique), query.page, query.per_page, own_total + sum(shared_totals))
        return ListedNumbers(page, live, stale)

    def selectable(self, account_sid: str, phone_number: str, *, include_outgoing_only: bool) -> bool:
        """Whether list-numbers offers ``phone_number`` to this workspace as a caller ID: its own dialable number,
        or one an ancestor shares (read from the phone's rules: one GetItem, after the workspace's first read from
        Twilio)."""
        self.fresh_head(account_sid)
        held = self.phones.rules(phone_number).holder(account_sid, self.ancestors(account_sid))
        if held is None:
            return False
        owner, rule = held
        usable = rule.dialable if owner == account_sid else rule.shareable
        return usable and (include_outgoing_only or not rule.outgoing_only)

    def may_dial(self, account_sid: str, phone_number: str) -> bool:
        """Whether the workspace has the phone, or an ancestor shares it with it: what a webhook of that account
        may touch (no Twilio request)."""
        return self.phones.rules(phone_number).holder(account_sid, self.ancestors(account_sid)) is not None

    def get(self, account_sid: str, sid: str) -> NumberRecord:
        """The workspace's own listed record with this SID, or an ancestor's shared one; 404 otherwise."""
        own = self._own(account_sid, sid)
        if own is not None:
            return own
        for ancestor in self.ancestors(account_sid):
            phone = self.store.phone_of(ancestor, sid)
            record = self.store.get(ancestor, phone) if phone else None
            if record is not None and record.sid == sid and record.shared_with_descendants:
                return record
        raise NotFound("No such number in this workspace.")

    def own(self, account_sid: str, sid: str) -> NumberRecord:
        """A record the workspace itself owns (what it may change); 404 for anything else."""
        record = self._own(account_sid, sid)
        if record is None:
            raise NotFound("No such number in this workspace.")
        return record

    def _own(self, account_sid: str, sid: str) -> NumberRecord | None:
        phone = self.store.phone_of(account_sid, sid)
        if phone is None:
            return None
        head = self.store.head(account_sid)
        record = self.store.get(account_sid, phone, primary=head.primary)
        if record is None or record.sid != sid or record.status is NumberStatus.RELEASED:
            return None
        return record

    def lock_of(self, phone_number: str) -> CallerIdLock | None:
        lock = self.phones.get(phone_number)
        return lock if lock is not None and lock.is_live(self.clock()) else None

    # ----- writing -----

    def change(self, account_sid: str, sid: str, changes: dict[str, Any]) -> NumberRecord:
        """Apply ``changes`` (PATCH fields) to the record, re-reading on a concurrent write so that both writers'
        fields survive."""
        unknown = set(changes) - PATCHABLE
        if unknown:
            raise InvalidRequest(f"Unknown field: {sorted(unknown)[0]}.")
        if changes.get("status") == NumberStatus.RELEASED:
            raise InvalidRequest("status must be active or inactive; DELETE releases a number.")
        return self.rewrite(account_sid, sid, changes)

    def rewrite(self, account_sid: str, sid: str, changes: dict[str, Any]) -> NumberRecord:
        """Write ``changes`` over the record, re-reading it when another writer got there first."""
        for _ in range(SAVE_ATTEMPTS):
            current = self.own(account_sid, sid)
            updated = replace(current, **changes)
            try:
                written = self.store.replace(updated, expected_revision=current.revision)
            except ConcurrentUpdate:
                continue
            self.settle(current, written)
            if current.dialable and not written.dialable:
                self.refill_pool(account_sid)
            return replace(written, is_primary=current.is_primary)
        raise ConcurrentUpdate("The number kept changing; try again.")

    def make_primary(self, account_sid: str, sid: str) -> NumberRecord:
        record = self.own(account_sid, sid)
        self.store.ensure_head(account_sid)
        self.store.set_primary(account_sid, record.phone_number)
        return replace(record, is_primary=True)

    def add(self, record: NumberRecord) -> NumberRecord:
        """A new record (bought, imported or verified), listed and dialable at once; a released one of the same
        phone is revived over its revision (its rule is written over the old one). When the workspace already has
        a live record of the phone, that one is answered unchanged."""
        added = self._insert(record)
        if added is None:
            existing = self.store.get(record.owner_workspace, record.phone_number)
            if existing is not None:
                head = self.store.head(record.owner_workspace)
                return replace(existing, is_primary=existing.phone_number == head.primary)
            raise ConcurrentUpdate(f"{record.phone_number} changed while it was being added; try again.")
        return added

    def _insert(self, record: NumberRecord) -> NumberRecord | None:
        """Write the new record and what follows from it; ``None`` when a live record of the phone exists."""
        self.store.ensure_head(record.owner_workspace)
        previous = self.store.get(record.owner_workspace, record.phone_number)
        if previous is not None and previous.status is not NumberStatus.RELEASED:
            return None
        fresh = replace(record, revision=previous.revision + 1 if previous else 0)
        expected = previous.revision if previous else None
        if not self.store.insert(fresh, expected_revision=expected):
            return None
        self.settle(None, fresh)
        return fresh

    def refill_pool(self, account_sid: str) -> None:
        """Top the fallback pool up from the workspace's dialable records when it has room and more exist: after
        numbers left it, nothing dialable is left out of the call path's fallback."""
        head = self.store.head(account_sid)
        dialable = sum(n for (_, status), n in head.counts.items() if status is NumberStatus.ACTIVE)
        room = POOL_SIZE - len(head.pool)
        if room <= 0 or dialable <= len(head.pool):
            return
        pooled = {c.phone_number for c in head.pool}
        for record in self.store.dialable(account_sid, exclude=pooled, take=room):
            self.store.set_pool_entry(account_sid, record.phone_number, pool_entry(record))

    def register_byot(self, account_sid: str, phone: str, provider: str, connection: str) -> NumberRecord:
        """Register a number from another carrier. Nothing proves who holds it, so a phone another workspace
        already has (a Twilio number, a verified or registered one) is refused: it would share that phone's lock
        and health."""
        e164 = normalise_e164(phone)
        existing = self.store.get(account_sid, e164)
        if existing is not None and existing.status is not NumberStatus.RELEASED:
            raise NumberExists(f"{e164} is already one of this workspace's numbers.")
        others = [a for a, rule in self.phones.rules(e164).by_workspace.items() if a != account_sid and rule.listed]
        if others:
            raise NumberExists(f"{e164} is another account's number; it cannot be registered here.")
        record = with_geography(
            NumberRecord(
                sid=byot_sid(account_sid, e164),
                phone_number=e164,
                friendly_name=e164,
                source=NumberSource.BYOT,
                owner_workspace=account_sid,
                provider=provider,
                connection=connection,
                created_at=iso_now(self.clock()),
                sms=False,
            )
        )
        added = self._insert(record)
        if added is None:
            raise NumberExists(f"{e164} is already one of this workspace's numbers.")
        return added

    def add_verified_caller_id(
        self, account_sid: str, sid: str, phone_number: str, friendly_name: str | None = None
    ) -> NumberRecord:
        """A caller ID that just passed verification is usable at once (unless the workspace owns the number at
        Twilio, which needs no verification)."""
        facts = TwilioFacts(
            sid, phone_number, friendly_name or phone_number, NumberSource.VERIFIED, created_at=iso_now(self.clock())
        )
        return self.add(described(account_sid, facts))

    def release(
        self,
        account_sid: str,
        sid: str,
        remove_at_source: Callable[[NumberRecord], None],
        *,
        while_locked: bool = False,
    ) -> NumberRecord:
        """Release the number: refused while a call holds its lock, unless ``while_locked`` (the call keeps its
        lock until it ends). The record is marked released first, conditionally on its revision, with its rule
        withdrawn (no new lock; a concurrent change of the number conflicts instead of bringing the rule back);
        the lock is checked again, then the number is removed where it lives (``remove_at_source``). A refusal or
        a failure there puts the record back as it was."""
        record = self.own(account_sid, sid)
        if not while_locked:
            self._refuse_if_locked(record)
        released = self.store.replace(replace(record, status=NumberStatus.RELEASED), expected_revision=record.revision)
        self.settle(record, released)
        try:
            if not while_locked:
                self._refuse_if_locked(record)
            remove_at_source(record)
        except BaseException:
            self._restore(record, released)
            raise
        self.refill_pool(account_sid)
        return released

    def _restore(self, record: NumberRecord, released: NumberRecord) -> None:
        restored = self.store.replace(replace(record, revision=released.revision), expected_revision=released.revision)
        self.settle(released, restored)
        if record.is_primary:
            self.store.set_primary(record.owner_workspace, record.phone_number)

    def _refuse_if_locked(self, record: NumberRecord) -> None:
        lock = self.lock_of(record.phone_number)
        if lock is not None:
            raise CallerIdInUse(f"{record.phone_number} is on a call ({lock.holder.worker_sid}); release it after.")

    def mark_released(self, account_sid: str, phone_number: str) -> NumberRecord | None:
        """Mark the record released (kept for history; no longer listed or dialable)."""
        for _ in range(SAVE_ATTEMPTS):
            current = self.store.get(account_sid, phone_number)
            if current is None or current.status is NumberStatus.RELEASED:
                return current
            released = replace(current, status=NumberStatus.RELEASED)
            try:
                written = self.store.replace(released, expected_revision=current.revision)
            except ConcurrentUpdate:
                continue
            self.settle(current, written)
            self.refill_pool(account_sid)
            return written
        raise ConcurrentUpdate("The number kept changing; try again.")

    def resync(self, account_sid: str, sid: str, facts: TwilioFacts | None) -> NumberRecord:
        """Write Twilio's current facts over the record (``None``: Twilio no longer has it: released)."""
        record = self.own(account_sid, sid)
        if facts is None:
            self.mark_released(account_sid, record.phone_number)
            raise NotFound("Twilio no longer has this number; it is released.")
        for _ in range(SAVE_ATTEMPTS):
            current = self.own(account_sid, sid)
            fresh = replace(current, friendly_name=facts.friendly_name, voice=facts.voice, sms=facts.sms)
            try:
                written = self.store.replace(fresh, expected_revision=current.revision, fingerprint=facts.fingerprint())
            except ConcurrentUpdate:
                continue
            self.settle(current, written)
            return replace(written, is_primary=current.is_primary)
        raise ConcurrentUpdate("The number kept changing; try again.")


def iso_now(now: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z")


def assignment_of(value: dict[str, Any] | None) -> OutboundAssignment | None:
    if not value:
        return None
    return OutboundAssignment(value.get("worker_sid"), value.get("team"), value.get("queue_sid"))
