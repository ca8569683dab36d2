"""A workspace's catalogue as the services see it: its head (primary, counters, fallback pool, refresh state), the
refresh pass under way, and what the call path's one read found. See docs/design.md."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from callerid.domain.locks import PhoneState
from callerid.domain.numbers import Candidate, NumberQuery, NumberRecord, NumberSource, NumberStatus
from callerid.domain.workers import WorkerState

# A head's counter: the workspace's own numbers of one source and status, or (status ``None``) the numbers of one
# source it shares with its descendants.
CounterKey = tuple[NumberSource, NumberStatus | None]


@dataclass(frozen=True, slots=True)
class RefreshState:
    """A refresh pass that stopped before its end: where to go on from."""

    pass_id: str
    phase: str
    next_page: str | None
    chunks: int
    read: int
    # SIDs kept (standing for a record) per source in the invocations before this one; their SIDs are stored in
    # the ``chunks`` seen items, read back only when a source's counter says some of its numbers vanished.
    kept: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Head:
    account_sid: str
    exists: bool = False
    primary: str | None = None
    refreshed_at: float = 0.0
    pool: tuple[Candidate, ...] = ()
    counts: dict[tuple[NumberSource, NumberStatus], int] = field(default_factory=dict)
    shared_counts: dict[NumberSource, int] = field(default_factory=dict)
    refresh: RefreshState | None = None
    listing_version: int = 0

    def total(self, query: NumberQuery) -> int:
        return sum(self.counts.get((s, st), 0) for s in query.sources() for st in query.statuses())

    def shared_total(self, query: NumberQuery) -> int:
        if NumberStatus.ACTIVE not in query.statuses():
            return 0
        return sum(self.shared_counts.get(s, 0) for s in query.sources())

    @property
    def own_numbers(self) -> int:
        return sum(self.counts.values())


@dataclass(slots=True)
class CallPathRead:
    """What the call path's one BatchGetItem found."""

    head: Head
    inherited: list[Head] = field(default_factory=list)
    worker: WorkerState = field(default_factory=WorkerState)
    pools: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)
    phones: dict[str, PhoneState] = field(default_factory=dict)


def count_deltas(old: NumberRecord | None, new: NumberRecord) -> dict[CounterKey, int]:
    """How the head's counters change when ``new`` replaces ``old``."""
    deltas: Counter[CounterKey] = Counter()
    for record, sign in ((old, -1), (new, 1)):
        if record is None:
            continue
        if record.status is not NumberStatus.RELEASED:
            deltas[(record.source, record.status)] += sign
        if record.shared_with_descendants:
            deltas[(record.source, None)] += sign
    return {key: delta for key, delta in deltas.items() if delta}
