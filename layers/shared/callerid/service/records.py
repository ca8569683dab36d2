"""Writing a workspace's records and what follows from them: the one place that keeps the items derived from a record
equal to it (the phone's dial rule, the owner's shared copy, the head's counters, the fallback pool, the small
pools), and the one save-and-retry loop every rewrite of a record goes through. See docs/design.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from callerid.domain.audit import AuditEntry
from callerid.domain.catalogue import CounterKey, count_deltas
from callerid.domain.errors import ConcurrentUpdate
from callerid.domain.numbers import Candidate, NumberRecord, NumberStatus, TwilioFacts, dial_rule
from callerid.domain.phone import describe_number
from callerid.domain.pools import POOL_SIZE, candidate_of, pool_keys
from callerid.service.ports import Heads, NumberRecords, PhoneRules, Pools, SharedCopies

SAVE_ATTEMPTS = 8


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


@dataclass(frozen=True, slots=True)
class Saved:
    """A record as it was read (``before``) and as written (``after``; ``before`` itself when nothing changed)."""

    before: NumberRecord
    after: NumberRecord


class RecordKeeper:
    def __init__(
        self, records: NumberRecords, shared: SharedCopies, heads: Heads, rules: PhoneRules, pools: Pools
    ) -> None:
        self.records = records
        self.shared = shared
        self.heads = heads
        self.rules = rules
        self.pools = pools

    def save(
        self,
        read: Callable[[], NumberRecord | None],
        change: Callable[[NumberRecord], NumberRecord | None],
        *,
        fingerprint: str | None = None,
        what: str = "The number",
        audit: Callable[[NumberRecord, NumberRecord], AuditEntry | None] | None = None,
    ) -> Saved | None:
        """Read the record, change it and write it conditionally on the revision read, again from the read while
        another writer got there first; then settle what follows (a new SID's pointer, the derived items, the
        fallback pool when the number stops being dialable). ``None`` when ``read`` finds no record; ``change``
        answering ``None`` writes nothing. ``audit`` gives the write's audit entry (from the record read and the
        record to write), written in the same transaction."""
        for _ in range(SAVE_ATTEMPTS):
            current = read()
            if current is None:
                return None
            fresh = change(current)
            if fresh is None:
                return Saved(current, current)
            try:
                entry = audit(current, fresh) if audit else None
                written = self.records.replace(
                    fresh, expected_revision=current.revision, fingerprint=fingerprint, audit=entry
                )
            except ConcurrentUpdate:
                continue
            if written.sid != current.sid:
                self.records.point_sid(written.owner_workspace, written.sid, written.phone_number)
            self.settle(current, written)
            if current.dialable and not written.dialable:
                self.refill_pool(written.owner_workspace)
            return Saved(current, written)
        raise ConcurrentUpdate(f"{what} kept changing; try again.")

    def settle(self, old: NumberRecord | None, new: NumberRecord) -> None:
        """Bring the items derived from ``new`` (which replaced ``old``) into line with it."""
        owner, phone = new.owner_workspace, new.phone_number
        self.rules.write_rule(phone, owner, dial_rule(new))
        if new.shared_with_descendants:
            self.shared.put_shared(new)
        elif old is not None and old.shared_with_descendants:
            self.shared.delete_shared(owner, phone)
        self.heads.adjust_counts(owner, count_deltas(old, new))
        if new.dialable:
            self.heads.add_to_pool(owner, candidate_of(new))
        elif old is not None and old.dialable:
            self.heads.remove_from_pool(owner, phone)
        if new.status is NumberStatus.RELEASED:
            self.heads.clear_primary(owner, phone)
        self.settle_pools(old, new)

    def settle_new(self, records: list[NumberRecord]) -> None:
        """``settle`` for many new records at once (a refresh page): batched rules, one counter update, pool entries
        while the pool has room."""
        if not records:
            return
        owner = records[0].owner_workspace
        self.rules.write_rules([(r.phone_number, owner, dial_rule(r)) for r in records])
        deltas: Counter[CounterKey] = Counter()
        for record in records:
            deltas.update(count_deltas(None, record))
        self.heads.adjust_counts(owner, dict(deltas))
        room = POOL_SIZE - len(self.heads.head(owner).pool)
        for record in [r for r in records if r.dialable][: max(room, 0)]:
            self.heads.add_to_pool(owner, candidate_of(record))
        self.settle_pools_new(records)

    def settle_pools(self, old: NumberRecord | None, new: NumberRecord) -> None:
        """Keep the record's presence pools (its area code, locality, state, time zone, country) and assignment
        pools (its worker, team, queue) equal to it: the entry leaves the pools it no longer belongs to and is
        written where it belongs (a pool that is full, 100 numbers, leaves it out)."""
        owner, phone = new.owner_workspace, new.phone_number
        before = pool_keys(old) if old is not None else set()
        after = pool_keys(new)
        for key in sorted(before - after):
            self.pools.remove_entry(owner, key, phone)
        candidate = candidate_of(new)
        unchanged = old is not None and before == after and candidate_of(old) == candidate
        if not unchanged:
            for key in sorted(after):
                self.pools.set_entry(owner, key, candidate, exists=key in before)

    def settle_pools_new(self, records: list[NumberRecord]) -> None:
        """``settle_pools`` for many new records (a refresh page): one write per pool while it has room."""
        if not records:
            return
        owner = records[0].owner_workspace
        by_pool: dict[str, dict[str, Candidate]] = {}
        for record in records:
            candidate = candidate_of(record)
            for key in pool_keys(record):
                by_pool.setdefault(key, {})[record.phone_number] = candidate
        for key, candidates in sorted(by_pool.items()):
            self.pools.set_entries(owner, key, list(candidates.values())[:POOL_SIZE])

    def refill_pool(self, account_sid: str) -> None:
        """Top the fallback pool up from the workspace's dialable records when it has room and more exist: after
        numbers left it, nothing dialable is left out of the call path's fallback."""
        head = self.heads.head(account_sid)
        dialable = sum(n for (_, status), n in head.counts.items() if status is NumberStatus.ACTIVE)
        room = POOL_SIZE - len(head.pool)
        if room <= 0 or dialable <= len(head.pool):
            return
        pooled = {c.phone_number for c in head.pool}
        for record in self.records.dialable(account_sid, exclude=pooled, take=room):
            self.heads.add_to_pool(account_sid, candidate_of(record))

    def mark_released(self, account_sid: str, phone_number: str) -> NumberRecord | None:
        """Mark the record released (kept for history; no longer listed or dialable)."""

        def released(current: NumberRecord) -> NumberRecord | None:
            return None if current.status is NumberStatus.RELEASED else replace(current, status=NumberStatus.RELEASED)

        saved = self.save(lambda: self.records.get(account_sid, phone_number), released)
        return saved.after if saved else None
