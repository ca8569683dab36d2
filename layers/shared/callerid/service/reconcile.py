"""The reconcile: a workspace's derived items recounted and rebuilt from its records (the head's counters, the
fallback pool, the presence and assignment pools), and the scheduled pass over every workspace that stops before its
deadline and resumes where it stopped. Writes go through the same repositories (and ``RecordKeeper``) as the
records' own writers; a dry run computes the same changes and writes nothing. See docs/operations.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from callerid.domain.catalogue import CounterKey, count_deltas
from callerid.domain.numbers import Candidate, NumberRecord
from callerid.domain.pools import POOL_SIZE, candidate_of, pool_keys
from callerid.service.ports import Heads, Pools, ReconcileReads
from callerid.service.records import RecordKeeper


@dataclass(frozen=True, slots=True)
class Change:
    account_sid: str
    what: str  # "counter" | "pool-add" | "pool-remove" | "pool-fix" | "fallback-add" | "fallback-remove"
    detail: str

    def __str__(self) -> str:
        return f"{self.account_sid} {self.what} {self.detail}"


@dataclass(slots=True)
class Pass:
    """What a pass over the workspaces did: the workspaces it finished, the changes, and where it stopped."""

    workspaces: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    complete: bool = True


def expected_counts(records: list[NumberRecord]) -> Counter[CounterKey]:
    counts: Counter[CounterKey] = Counter()
    for record in records:
        counts.update(count_deltas(None, record))
    return counts


class Reconciler:
    def __init__(self, reads: ReconcileReads, heads: Heads, pools: Pools, keeper: RecordKeeper) -> None:
        self.reads = reads
        self.heads = heads
        self.pools = pools
        self.keeper = keeper

    def reconcile(self, account_sid: str, *, dry_run: bool = False) -> list[Change]:
        """Bring the workspace's counters and pools into line with its records; answer what changed (or, dry,
        what would)."""
        before = self.heads.head(account_sid)
        records = self.reads.all_records(account_sid)
        changes = self._counters(account_sid, records, dry_run, before.listing_version)
        changes += self._pools(account_sid, records, dry_run)
        changes += self._fallback(account_sid, records, dry_run)
        return changes

    def _counters(self, account_sid: str, records: list[NumberRecord], dry_run: bool, version: int) -> list[Change]:
        head = self.heads.head(account_sid)
        if not head.exists and not records:
            return []
        if head.listing_version != version:
            # A writer changed a counter while the records were read: the count may already be out of date. The
            # next run (or the next day's) recounts.
            return [Change(account_sid, "counter-skipped", "the counters changed during the recount")]
        want = expected_counts(records)
        have: Counter[CounterKey] = Counter()
        for (source, status), n in head.counts.items():
            have[(source, status)] += n
        for source, n in head.shared_counts.items():
            have[(source, None)] += n
        deltas = {key: want[key] - have[key] for key in set(want) | set(have) if want[key] != have[key]}
        if not deltas:
            return []
        if not dry_run:
            self.heads.adjust_counts(account_sid, deltas)
        return [
            Change(
                account_sid,
                "counter",
                f"{key[0].value}/{key[1].value if key[1] else 'shared'}: {have[key]} -> {want[key]}",
            )
            for key, _ in sorted(deltas.items(), key=lambda kv: str(kv[0]))
        ]

    def _pools(self, account_sid: str, records: list[NumberRecord], dry_run: bool) -> list[Change]:
        expected: dict[str, dict[str, Candidate]] = {}
        for record in sorted(records, key=lambda r: r.phone_number):
            for key in pool_keys(record):
                expected.setdefault(key, {})[record.phone_number] = candidate_of(record)
        actual = self.reads.pool_entries(account_sid)
        changes: list[Change] = []
        for key in sorted(set(expected) | set(actual)):
            want, have = expected.get(key, {}), actual.get(key, {})
            for phone in sorted(set(have) - set(want)):
                changes.append(Change(account_sid, "pool-remove", f"{key} {phone}"))
                if not dry_run:
                    self.pools.remove_entry(account_sid, key, phone)
            room = POOL_SIZE - len(set(have) & set(want))
            for phone, candidate in sorted(want.items()):
                if phone in have:
                    if have[phone] != candidate:
                        changes.append(Change(account_sid, "pool-fix", f"{key} {phone}"))
                        if not dry_run:
                            self.pools.set_entry(account_sid, key, candidate, exists=True)
                elif room > 0:
                    room -= 1
                    changes.append(Change(account_sid, "pool-add", f"{key} {phone}"))
                    if not dry_run:
                        self.pools.set_entry(account_sid, key, candidate)
        return changes

    def _fallback(self, account_sid: str, records: list[NumberRecord], dry_run: bool) -> list[Change]:
        dialable = {r.phone_number: candidate_of(r) for r in records if r.dialable}
        head = self.heads.head(account_sid)
        changes: list[Change] = []
        pooled = {c.phone_number: c for c in head.pool}
        for phone in sorted(set(pooled) - set(dialable)):
            changes.append(Change(account_sid, "fallback-remove", phone))
            if not dry_run:
                self.heads.remove_from_pool(account_sid, phone)
        for phone in sorted(set(pooled) & set(dialable)):
            if pooled[phone] != dialable[phone]:
                changes.append(Change(account_sid, "fallback-fix", phone))
                if not dry_run:
                    self.heads.add_to_pool(account_sid, dialable[phone])
        room = POOL_SIZE - len(set(pooled) & set(dialable))
        for phone in sorted(set(dialable) - set(pooled))[: max(room, 0)]:
            changes.append(Change(account_sid, "fallback-add", phone))
            if not dry_run:
                self.heads.add_to_pool(account_sid, dialable[phone])
        return changes

    def scheduled(self, remaining: Callable[[], float | None], *, per_workspace: float = 5.0) -> Pass:
        """Reconcile every workspace, a scan page at a time from the checkpoint, stopping while ``remaining()``
        seconds are fewer than ``per_workspace``; the checkpoint then names the page and the last workspace of it
        finished. A finished pass clears it (the next starts over)."""
        done = Pass()
        cursor, after = self.reads.checkpoint() or (None, None)
        while True:
            accounts, following = self.reads.workspaces(cursor)
            for account in accounts:
                if after is not None and account <= after:
                    continue
                left = remaining()
                if left is not None and left < per_workspace:
                    done.complete = False
                    return done
                done.changes += self.reconcile(account)
                done.workspaces.append(account)
                after = account
                self.reads.save_checkpoint(cursor, after)
            if following is None:
                self.reads.clear_checkpoint()
                return done
            cursor, after = following, None
            self.reads.save_checkpoint(cursor, after)
