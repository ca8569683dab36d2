"""In-memory stand-ins for the store and Twilio (the ``service.ports`` protocols), faithful to what the services rely
on: conditional writes by revision, the phone's lock condition (``DialRules.verdict`` + ``may_acquire``), paged
reads in phone-number order, counters, the pool's bound, Twilio's pages."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from callerid import deadline
from callerid.domain.audit import AuditEntry
from callerid.domain.calls import CallOutcome, CallRecord, DailyCounts, OutcomeWrite
from callerid.domain.catalogue import CallPathRead, CounterKey, Head, RefreshState
from callerid.domain.errors import (
    AlreadyVerified,
    CallerIdInUse,
    ConcurrentUpdate,
    DestinationNotAllowed,
    NotFound,
    TwilioRefused,
    UpstreamUnavailable,
)
from callerid.domain.identity import WorkerRef
from callerid.domain.locks import CallerIdLock, may_acquire
from callerid.domain.locks import PhoneState as PhoneView
from callerid.domain.numbers import (
    Candidate,
    DialRule,
    DialRules,
    NumberQuery,
    NumberRecord,
    NumberSource,
    NumberStatus,
    TwilioFacts,
    Verdict,
)
from callerid.domain.people import Person, Queue
from callerid.domain.pools import POOL_SIZE
from callerid.domain.reputation import (
    BLOCKING_SIP_CODES,
    NO_LIMITS,
    Guard,
    NumberHealth,
    ReputationLimits,
    Usage,
    day_of,
    guard_of,
)
from callerid.domain.trust import TrustKind, TrustProduct
from callerid.domain.verification import FAILED, PENDING, SUCCESS, Verification
from callerid.domain.workers import WorkerState
from callerid.service.builder import Options, Services, Stores
from callerid.service.ports import (
    CallerIdConfirmation,
    CallerIdGateway,
    NumberSourceGateway,
    PeopleGateway,
    TrustHub,
)
from callerid.twilio.records import OutgoingCallerId, TwilioPage, ValidationCall


@dataclass
class HeadState:
    primary: str | None = None
    refreshed_at: float = 0.0
    pool: dict[str, Candidate] = field(default_factory=dict)
    counters: Counter[CounterKey] = field(default_factory=Counter)
    refresh: RefreshState | None = None
    listing_version: int = 0


class FakeNumberStore:
    """The workspace items of the table: records, shared copies, heads, listing, the refresh's items and the call
    path's read (``NumberRecords``, ``SharedCopies``, ``Heads``, ``Listing``, ``RefreshRecords``,
    ``RefreshProgress``, ``CallPathReads``)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], tuple[NumberRecord, str | None]] = {}
        self.sids: dict[tuple[str, str], str] = {}
        self.shared: dict[tuple[str, str], NumberRecord] = {}
        self.heads: dict[str, HeadState] = {}
        self.workers: dict[tuple[str, str], WorkerState] = {}
        # A lagging replica: what the call path's eventually consistent read answers for these workers instead of
        # what was written last (DynamoDB may miss a write made within about a second).
        self.lagging: dict[tuple[str, str], WorkerState] = {}
        self.seen_chunks: dict[tuple[str, int], tuple[str, list[str]]] = {}
        self.leases: dict[str, tuple[str, float]] = {}
        self.writes = Counter[str]()
        # The records each listing of shared numbers was told the answer held already (``listed_shared``'s held).
        self.held_before_shared: list[int] = []
        # The same world's pools and phones, for the call path's one read.
        self.pools: FakePools | None = None
        self.phones: FakePhones | None = None

    # records
    def get(self, account_sid: str, phone_number: str, *, primary: str | None = None) -> NumberRecord | None:
        found = self.records.get((account_sid, phone_number))
        return replace(found[0], is_primary=found[0].phone_number == primary) if found else None

    def phone_of(self, account_sid: str, sid: str) -> str | None:
        return self.sids.get((account_sid, sid))

    def fingerprints(self, account_sid: str, phone_numbers: Iterable[str]) -> dict[str, tuple[NumberRecord, str]]:
        return {
            p: (self.records[(account_sid, p)][0], self.records[(account_sid, p)][1] or "")
            for p in phone_numbers
            if (account_sid, p) in self.records
        }

    def insert(
        self,
        record: NumberRecord,
        *,
        expected_revision: int | None = None,
        fingerprint: str | None = None,
        audit: AuditEntry | None = None,
    ) -> bool:
        key = (record.owner_workspace, record.phone_number)
        existing = self.records.get(key)
        if expected_revision is None and existing is not None:
            return False
        if expected_revision is not None and (
            existing is None
            or existing[0].status is not NumberStatus.RELEASED
            or existing[0].revision != expected_revision
        ):
            return False
        if audit is not None:
            assert self.phones is not None
            self.phones.audit_log.write(audit)  # all or nothing: a failing entry leaves no record
        self.records[key] = (record, fingerprint)
        self.sids[(record.owner_workspace, record.sid)] = record.phone_number
        self.writes["insert"] += 1
        return True

    def insert_many(self, records: list[tuple[NumberRecord, str | None]]) -> None:
        for record, fingerprint in records:
            self.records[(record.owner_workspace, record.phone_number)] = (record, fingerprint)
            self.sids[(record.owner_workspace, record.sid)] = record.phone_number
        self.writes["insert_many"] += 1

    def replace(
        self,
        record: NumberRecord,
        *,
        expected_revision: int,
        fingerprint: str | None = None,
        audit: AuditEntry | None = None,
        retract: AuditEntry | None = None,
    ) -> NumberRecord:
        key = (record.owner_workspace, record.phone_number)
        current, stored_fingerprint = self.records[key]
        if current.revision != expected_revision:
            raise ConcurrentUpdate("changed")
        if audit is not None:
            assert self.phones is not None
            self.phones.audit_log.write(audit)  # all or nothing: a failing entry leaves the record
        if retract is not None:
            assert self.phones is not None
            self.phones.audit_log.remove(retract)
        written = replace(record, revision=expected_revision + 1, is_primary=False)
        self.records[key] = (written, fingerprint if fingerprint is not None else stored_fingerprint)
        self.writes["replace"] += 1
        return written

    def point_sid(self, account_sid: str, sid: str, phone_number: str) -> None:
        self.sids[(account_sid, sid)] = phone_number

    def put_shared(self, record: NumberRecord) -> None:
        self.shared[(record.owner_workspace, record.phone_number)] = replace(record, is_primary=False)

    def delete_shared(self, owner: str, phone_number: str) -> None:
        self.shared.pop((owner, phone_number), None)

    # head
    def _head(self, account_sid: str) -> HeadState:
        return self.heads.setdefault(account_sid, HeadState())

    def head(self, account_sid: str) -> Head:
        state = self.heads.get(account_sid)
        if state is None:
            return Head(account_sid)
        counts = {
            (source, status): state.counters[(source, status)]
            for source in NumberSource
            for status in (NumberStatus.ACTIVE, NumberStatus.INACTIVE)
        }
        shared = {source: state.counters[(source, None)] for source in NumberSource}
        pool = tuple(candidate for _, candidate in sorted(state.pool.items()))
        return Head(
            account_sid,
            True,
            state.primary,
            state.refreshed_at,
            pool,
            counts,
            shared,
            state.refresh,
            state.listing_version,
        )

    def call_path_read(
        self,
        account_sid: str,
        worker_sid: str,
        ancestors: list[str],
        *,
        pools: Iterable[str] = (),
        phones: Iterable[str] = (),
        now: float = 0.0,
    ) -> CallPathRead:
        self.writes["call_path_read"] += 1
        read = self._pools_read(account_sid, pools, phones, now)
        read.head = self.head(account_sid)
        read.inherited = [self.head(a) for a in ancestors if a in self.heads]
        key = (account_sid, worker_sid)
        read.worker = self.lagging.get(key) or self.workers.get(key, WorkerState())
        return read

    def pools_read(
        self,
        account_sid: str,
        pools: Iterable[str],
        phones: Iterable[str],
        *,
        now: float,
        with_keys: list[tuple[str, str]] | None = None,
        consistent: bool = False,
    ) -> CallPathRead:
        self.writes["pools_read"] += 1
        return self._pools_read(account_sid, pools, phones, now)

    def _pools_read(self, account_sid: str, pools: Iterable[str], phones: Iterable[str], now: float) -> CallPathRead:
        read = CallPathRead(Head(account_sid))
        for key in pools:
            if self.pools is not None and (account_sid, key) in self.pools.items:
                entries = self.pools.items[(account_sid, key)]
                read.pools[key] = tuple(candidate for _, candidate in sorted(entries.items()))
        if self.phones is not None:
            read.phones.update(self.phones.states(phones, now))
        return read

    def ensure_head(self, account_sid: str) -> None:
        self._head(account_sid)

    def adjust_counts(self, account_sid: str, deltas: dict[CounterKey, int]) -> None:
        state = self._head(account_sid)
        state.counters.update(deltas)
        state.listing_version += 1

    def add_to_pool(self, account_sid: str, candidate: Candidate) -> bool:
        pool = self._head(account_sid).pool
        if candidate.phone_number not in pool and len(pool) >= POOL_SIZE:
            return False
        pool[candidate.phone_number] = candidate
        return True

    def remove_from_pool(self, account_sid: str, phone_number: str) -> None:
        self._head(account_sid).pool.pop(phone_number, None)

    def set_primary(self, account_sid: str, phone_number: str, *, audit: AuditEntry | None = None) -> None:
        if audit is not None:
            assert self.phones is not None
            self.phones.audit_log.write(audit)  # all or nothing: a failing entry leaves the primary
        self._head(account_sid).primary = phone_number

    def clear_primary(self, account_sid: str, phone_number: str) -> bool:
        head = self._head(account_sid)
        if head.primary != phone_number:
            return False
        head.primary = None
        return True

    def mark_refreshed(self, account_sid: str, now: float) -> None:
        head = self._head(account_sid)
        head.refreshed_at, head.refresh = now, None

    def save_refresh(self, account_sid: str, state: RefreshState) -> None:
        self._head(account_sid).refresh = state

    def save_seen(self, account_sid: str, first_chunk: int, phase: str, sids: list[str]) -> int:
        self.seen_chunks[(account_sid, first_chunk)] = (phase, list(sids))
        return 1

    def seen(self, account_sid: str, chunks: int, phase: str) -> set[str]:
        self.writes["seen"] += 1
        seen: set[str] = set()
        for n in range(chunks):
            stored_phase, sids = self.seen_chunks.get((account_sid, n), ("", []))
            if stored_phase == phase:
                seen.update(sids)
        return seen

    def forget_seen(self, account_sid: str, chunks: int) -> None:
        for n in range(chunks):
            self.seen_chunks.pop((account_sid, n), None)

    # listing
    def _own(self, account_sid: str, query: NumberQuery) -> list[NumberRecord]:
        rows = [r for (a, _), (r, _) in self.records.items() if a == account_sid]
        return [r for r in sorted(rows, key=lambda r: r.phone_number) if query.matches(r)]

    def _shared(self, owner: str, query: NumberQuery) -> list[NumberRecord]:
        rows = [r for (o, _), r in self.shared.items() if o == owner]
        return [r for r in sorted(rows, key=lambda r: r.phone_number) if query.matches(r)]

    def listed(
        self, account_sid: str, query: NumberQuery, *, skip: int, take: int, version: int = 0, brief: bool = False
    ) -> list[NumberRecord]:
        self.writes["listed"] += 1
        return self._own(account_sid, query)[skip : skip + take]

    def listed_shared(
        self, owner: str, query: NumberQuery, *, skip: int, take: int, brief: bool = False, held: int = 0
    ) -> list[NumberRecord]:
        self.held_before_shared.append(held)
        return self._shared(owner, query)[skip : skip + take]

    def count(self, account_sid: str, query: NumberQuery) -> int:
        return len(self._own(account_sid, query))

    def count_shared(self, owner: str, query: NumberQuery) -> int:
        return len(self._shared(owner, query))

    def dialable(self, account_sid: str, *, exclude: set[str], take: int) -> list[NumberRecord]:
        rows = [r for r in self._own(account_sid, NumberQuery(status=NumberStatus.ACTIVE)) if r.voice]
        return [r for r in rows if r.phone_number not in exclude][:take]

    def live_sids(self, account_sid: str, source: NumberSource) -> dict[str, str]:
        self.writes["live_sids"] += 1
        return {
            r.sid: r.phone_number
            for (a, _), (r, _) in self.records.items()
            if a == account_sid and r.source is source and r.status is not NumberStatus.RELEASED
        }

    # refresh lease
    def take_refresh_lease(self, account_sid: str, holder: str, now: float, seconds: float) -> bool:
        current = self.leases.get(account_sid)
        if current is not None and current[1] >= now:
            return False
        self.leases[account_sid] = (holder, now + seconds)
        return True

    def release_refresh_lease(self, account_sid: str, holder: str) -> None:
        if self.leases.get(account_sid, ("", 0))[0] == holder:
            del self.leases[account_sid]


@dataclass
class PhoneState:
    rules: dict[str, DialRule] = field(default_factory=dict)
    lock: CallerIdLock | None = None
    usage: Usage = field(default_factory=Usage)


class FakePools:
    """The small presence and assignment pools (``Pools``): candidates per (workspace, key), at most POOL_SIZE."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Candidate]] = {}

    def set_entry(self, account_sid: str, key: str, candidate: Candidate, *, exists: bool = False) -> bool:
        pool = self.items.setdefault((account_sid, key), {})
        if candidate.phone_number not in pool and len(pool) >= POOL_SIZE:
            return False
        pool[candidate.phone_number] = candidate
        return True

    def set_entries(self, account_sid: str, key: str, candidates: Sequence[Candidate]) -> None:
        for candidate in candidates:
            self.set_entry(account_sid, key, candidate)

    def remove_entry(self, account_sid: str, key: str, phone: str) -> None:
        self.items.get((account_sid, key), {}).pop(phone, None)


class FakeAuditLog:
    """The audit log in memory (``AuditEntries``); the fake stores write an entry before their change, and a
    failing entry (``fail``) stops the change, as the store's one transaction does."""

    def __init__(self) -> None:
        self.written: list[AuditEntry] = []
        self.fail = False

    def write(self, entry: AuditEntry) -> None:
        if self.fail:
            raise UpstreamUnavailable("The audit entry could not be written.")
        self.written.append(entry)

    def remove(self, entry: AuditEntry) -> None:
        if self.fail:
            raise UpstreamUnavailable("The audit entry could not be deleted.")
        self.written.remove(entry)

    def entries(
        self, account_sid: str, *, target: str | None, actor: str | None, skip: int, take: int
    ) -> tuple[list[AuditEntry], bool]:
        rows = [
            e
            for e in sorted(self.written, key=lambda e: (e.at, e.entry_id), reverse=True)
            if e.account_sid == account_sid
            and (not target or target in (e.target.sid, e.target.phone_number))
            and (not actor or e.actor.worker_sid == actor)
        ]
        return rows[skip : skip + take], len(rows) > skip + take


class FakePhones:
    """Phone items (``PhoneRules``, ``PhoneLocks``, ``PhoneUsage``)."""

    def __init__(self) -> None:
        self.items: dict[str, PhoneState] = {}
        self.attempts = 0
        self.audit_log = FakeAuditLog()
        self.records: list[CallRecord] = []

    def rules(self, phone_number: str) -> DialRules:
        return DialRules(dict(self.items.get(phone_number, PhoneState()).rules))

    def write_rule(self, phone_number: str, account_sid: str, rule: DialRule) -> bool:
        state = self.items.setdefault(phone_number, PhoneState())
        current = state.rules.get(account_sid)
        if current is not None and current.revision > rule.revision:
            return False
        state.rules[account_sid] = rule
        return True

    def write_rules(self, rules: list[tuple[str, str, DialRule]]) -> None:
        for phone, account, rule in rules:
            self.write_rule(phone, account, rule)

    def acquire(
        self,
        phone_number: str,
        worker: WorkerRef,
        *,
        ancestors: Iterable[str],
        country: str | None,
        ttl_seconds: int,
        now: float,
        diagnose: bool = True,
        task_sid: str | None = None,
        limits: ReputationLimits | None = None,
        within_limits: bool = False,
        record: CallRecord | None = None,
        guard_read: Guard | None = None,
    ) -> CallerIdLock:
        self.attempts += 1
        state = self.items.get(phone_number, PhoneState())
        verdict = DialRules(state.rules).verdict(worker.account_sid, tuple(ancestors), country)
        free = may_acquire(state.lock, worker, now)
        guard = guard_of(state.usage, limits, now) if limits is not None else None
        if within_limits and guard is not None:
            free = False
        if verdict in (Verdict.OWN, Verdict.SHARED) and free:
            lock = CallerIdLock(phone_number, worker, uuid.uuid4().hex, now, now + ttl_seconds, task_sid, guard)
            used = state.usage
            day = day_of(now)
            state.usage = replace(used, last_used=now, day=day, calls=used.calls_on(day) + 1)
            self.items.setdefault(phone_number, state).lock = lock
            if record is not None:
                self.records.append(record)
            return lock
        if not diagnose or verdict in (Verdict.OWN, Verdict.SHARED):
            raise CallerIdInUse(f"{phone_number} is not free")
        if verdict is Verdict.COUNTRY:
            raise DestinationNotAllowed("not to that country")
        raise NotFound("not yours")

    def release(self, phone_number: str, worker: WorkerRef, lease_id: str, *, audit: AuditEntry | None = None) -> bool:
        state = self.items.get(phone_number)
        if state is None or state.lock is None or state.lock.holder != worker or state.lock.lease_id != lease_id:
            return False
        if audit is not None:
            self.audit_log.write(audit)  # all or nothing: a failing entry leaves the lock
        state.lock = None
        return True

    def release_for_call(self, phone_number: str, call_began: float, account_sid: str) -> bool:
        state = self.items.get(phone_number)
        lock = state.lock if state else None
        if state is None or lock is None or lock.holder.account_sid != account_sid or not lock.ended_before(call_began):
            return False
        state.lock = None
        return True

    def held_by(self, worker: WorkerRef) -> list[CallerIdLock]:
        return [s.lock for s in self.items.values() if s.lock is not None and s.lock.holder == worker]

    def get(self, phone_number: str) -> CallerIdLock | None:
        state = self.items.get(phone_number)
        return state.lock if state else None

    def get_many(self, phone_numbers: Iterable[str]) -> dict[str, CallerIdLock]:
        return {p: lock for p in phone_numbers if (lock := self.get(p)) is not None}

    def states(self, phone_numbers: Iterable[str], now: float) -> dict[str, PhoneView]:
        found = {}
        for phone in phone_numbers:
            state = self.items.get(phone)
            if state is not None:
                usage = replace(state.usage, day=day_of(now), calls=state.usage.calls_on(day_of(now)))
                found[phone] = PhoneView(state.lock, usage)
        return found

    def start_cooling(self, phone_number: str, until: float, now: float, why: str | None = None) -> bool:
        state = self.items.get(phone_number)
        if state is None or (state.usage.cooling_until is not None and state.usage.cooling_until >= now):
            return False
        state.usage = replace(state.usage, cooling_until=until, cooling_why=why)
        return True


class FakeWorkers:
    """Workers' selections and teams (``Workers``), in the dict the call path's read sees."""

    def __init__(
        self, states: dict[tuple[str, str], WorkerState] | None = None, audit_log: FakeAuditLog | None = None
    ) -> None:
        self.states = states if states is not None else {}
        self.audit_log = audit_log or FakeAuditLog()
        self.reads = 0

    def get(self, worker: WorkerRef) -> WorkerState:
        """Strongly consistent, as the store's: never the lagging replica's answer."""
        self.reads += 1
        return self.states.get((worker.account_sid, worker.worker_sid), WorkerState())

    def save_selection(
        self,
        worker: WorkerRef,
        caller_id: str | None,
        local_presence: bool,
        *,
        expected_version: int,
        audit: AuditEntry | None = None,
        retract: AuditEntry | None = None,
    ) -> WorkerState:
        current = self.get(worker)
        if current.version != expected_version:
            raise ConcurrentUpdate("moved on")
        if audit is not None:
            self.audit_log.write(audit)  # all or nothing: a failing entry leaves the selection
        if retract is not None:
            self.audit_log.remove(retract)
        saved = replace(current, caller_id=caller_id, local_presence=local_presence, version=expected_version + 1)
        self.states[(worker.account_sid, worker.worker_sid)] = saved
        return saved

    def save_team(self, worker: WorkerRef, team: str | None, *, at: float) -> bool:
        self.states[(worker.account_sid, worker.worker_sid)] = replace(self.get(worker), team=team)
        return True


class FakeTwilio:
    """One account's numbers and caller IDs at Twilio (other accounts have none), in pages of ``page_size``
    (``NumberSourceGateway``, ``TwilioNumbers``' reads and removals)."""

    def __init__(self, account_sid: str, page_size: int = 1000) -> None:
        self.account_sid = account_sid
        self.numbers: dict[str, TwilioFacts] = {}
        self.caller_ids: dict[str, TwilioFacts] = {}
        self.page_size = page_size
        self.pages_read = 0
        self.fail = False
        self.removed: list[str] = []

    def add(self, phone: str, *, source: NumberSource = NumberSource.TWILIO, name: str | None = None) -> TwilioFacts:
        prefix = "PN" if source is NumberSource.TWILIO else "PC"
        facts = TwilioFacts(prefix + phone.strip("+").rjust(32, "0"), phone, name or phone, source)
        (self.numbers if source is NumberSource.TWILIO else self.caller_ids)[facts.sid] = facts
        return facts

    def number_page(self, account_sid: str, source: NumberSource, next_page: str | None) -> TwilioPage:
        if self.fail:
            raise UpstreamUnavailable("Twilio is down")
        self.pages_read += 1
        if account_sid != self.account_sid:
            return TwilioPage([], None)
        rows = sorted(
            (self.numbers if source is NumberSource.TWILIO else self.caller_ids).values(), key=lambda f: f.sid
        )
        start = int(next_page or 0)
        end = start + self.page_size
        return TwilioPage(rows[start:end], str(end) if end < len(rows) else None)

    def still_held(self, account_sid: str, source: NumberSource, sid: str) -> bool:
        return sid in (self.numbers if source is NumberSource.TWILIO else self.caller_ids)

    def release_number(self, account_sid: str, sid: str) -> None:
        if self.fail:
            raise UpstreamUnavailable("Twilio is down")
        if self.numbers.pop(sid, None) is None:
            raise NotFound("gone")
        self.removed.append(sid)

    def delete_caller_id(self, account_sid: str, sid: str) -> None:
        if self.caller_ids.pop(sid, None) is None:
            raise NotFound("gone")
        self.removed.append(sid)

    def incoming_number(self, account_sid: str, sid: str) -> TwilioFacts:
        if sid not in self.numbers:
            raise NotFound("gone")
        return self.numbers[sid]

    def caller_id_facts(self, account_sid: str, sid: str) -> TwilioFacts:
        if sid not in self.caller_ids:
            raise NotFound("gone")
        return self.caller_ids[sid]


class FakeHealth:
    """Numbers' call outcomes (``HealthRecords``): counted once per account and call SID, as the store's marker."""

    def __init__(self) -> None:
        self.by_phone: dict[str, NumberHealth] = {}
        self.counted_calls: dict[tuple[str, str], dict[str, Any]] = {}
        self.days: dict[tuple[str, str], DailyCounts] = {}

    def get(self, phone_number: str) -> NumberHealth:
        return self.by_phone.get(phone_number, NumberHealth())

    def counted(self, account_sid: str, call_sid: str) -> bool:
        return (account_sid, call_sid) in self.counted_calls

    def record_outcome(
        self,
        phone_number: str,
        outcome: CallOutcome,
        *,
        now: float,
        limits: ReputationLimits = NO_LIMITS,
        record: tuple[str, str] | None = None,
    ) -> OutcomeWrite:
        key = (outcome.account_sid, outcome.call_sid)
        day = datetime.fromtimestamp(now, UTC).date().isoformat()
        if key in self.counted_calls:
            return self._detail(phone_number, outcome, self.counted_calls[key])
        short = outcome.short(limits.short_call_seconds)
        health = self.get(phone_number)
        window = health.recent.add(outcome.answered, limits.window_attempts, blocked=outcome.blocked, short=short)
        self.by_phone[phone_number] = NumberHealth(
            health.attempts + 1,
            health.answered + int(outcome.answered),
            window,
            health.blocked + int(outcome.blocked),
            health.short_calls + int(short),
        )
        was = self.days.get((phone_number, day), DailyCounts(day))
        self.days[(phone_number, day)] = DailyCounts(
            day,
            was.calls + 1,
            was.answered + int(outcome.answered),
            was.blocked + int(outcome.blocked),
            was.short + int(short),
        )
        self.counted_calls[key] = {"answered": outcome.answered, "blocked": outcome.blocked, "sip": outcome.sip_code}
        self.counted_calls[key]["day"] = day
        return OutcomeWrite(True, False, window)

    def _detail(self, phone_number: str, outcome: CallOutcome, counted: dict[str, Any]) -> OutcomeWrite:
        if outcome.sip_code is None or counted["sip"] is not None:
            return OutcomeWrite(False)
        counted["sip"] = outcome.sip_code
        if counted["answered"] or counted["blocked"] or outcome.sip_code not in BLOCKING_SIP_CODES:
            return OutcomeWrite(False, True)
        counted["blocked"] = True
        health = self.get(phone_number)
        window = health.recent.mark_blocked()
        self.by_phone[phone_number] = replace(health, recent=window, blocked=health.blocked + 1)
        was = self.days[(phone_number, counted["day"])]
        self.days[(phone_number, counted["day"])] = replace(was, blocked=was.blocked + 1)
        return OutcomeWrite(False, True, window)

    def daily(self, phone_number: str, days: int, now: float) -> list[DailyCounts]:
        today = datetime.fromtimestamp(now, UTC).date()
        dates = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
        return [self.days.get((phone_number, d), DailyCounts(d)) for d in dates]


def worker(n: int, account: str) -> WorkerRef:
    return WorkerRef(account, f"WK{n:032d}")


class FakeVerifications:
    """``Verifications`` in memory, with the store's conditions: no pending over a success, a failure only for the
    pending call."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Verification] = {}
        self.audit_log = FakeAuditLog()

    def start(
        self,
        account_sid: str,
        phone_number: str,
        call_sid: str,
        *,
        now: float,
        expires_at: float,
        audit: AuditEntry | None = None,
    ) -> None:
        current = self.items.get((account_sid, phone_number))
        if current is not None and current.status == SUCCESS:
            raise AlreadyVerified("verified")
        if audit is not None:
            self.audit_log.write(audit)  # all or nothing: a failing entry leaves no verification
        self.items[(account_sid, phone_number)] = Verification(phone_number, PENDING, None, call_sid, now, expires_at)

    def record_success(self, account_sid: str, verification: Verification) -> None:
        self.items[(account_sid, verification.phone_number)] = verification

    def record_failure(self, account_sid: str, phone_number: str, call_sid: str, now: float) -> bool:
        current = self.items.get((account_sid, phone_number))
        if current is None or current.status != PENDING or current.call_sid != call_sid:
            return False
        self.items[(account_sid, phone_number)] = replace(current, status=FAILED, updated_at=now)
        return True

    def get(self, account_sid: str, phone_number: str) -> Verification | None:
        return self.items.get((account_sid, phone_number))

    def forget(self, account_sid: str, phone_number: str) -> None:
        self.items.pop((account_sid, phone_number), None)


class FakeCallerIdTwilio(FakeTwilio):
    """Twilio's verification calls for one account: each request gets a call SID and a code."""

    def __init__(self, account_sid: str) -> None:
        super().__init__(account_sid)
        self.calls: list[dict[str, Any]] = []

    def validation_request(
        self,
        account_sid: str,
        phone_number: str,
        *,
        friendly_name: str | None,
        call_delay: int,
        extension: str | None,
        status_callback: str,
    ) -> ValidationCall:
        call = ValidationCall(f"CA{len(self.calls):032d}", f"{len(self.calls) + 100000:06d}")
        self.calls.append({"phone": phone_number, "callback": status_callback, "call": call})
        return call

    def rename_caller_id(self, account_sid: str, sid: str, friendly_name: str) -> None:
        self.caller_ids[sid] = replace(self.caller_ids[sid], friendly_name=friendly_name)

    def outgoing_caller_id(self, account_sid: str, sid: str) -> OutgoingCallerId:
        facts = self.caller_ids.get(sid)
        if facts is None:
            raise NotFound("no such caller ID")
        return OutgoingCallerId(facts.sid, facts.phone_number, facts.friendly_name, None)


@dataclass
class FakeWorld:
    """One in-memory table and Twilio, with every service wired by the same builder as ``runtime.py``."""

    store: FakeNumberStore = field(default_factory=FakeNumberStore)
    phones: FakePhones = field(default_factory=FakePhones)
    pools: FakePools = field(default_factory=FakePools)
    health: FakeHealth = field(default_factory=FakeHealth)
    verifications: FakeVerifications = field(default_factory=FakeVerifications)

    def __post_init__(self) -> None:
        self.store.pools, self.store.phones = self.pools, self.phones
        self.audit_log = self.phones.audit_log
        self.verifications.audit_log = self.audit_log
        self.workers = FakeWorkers(self.store.workers, self.audit_log)

    def stores(self) -> Stores:
        store, phones = self.store, self.phones
        return Stores(
            records=store,
            shared=store,
            heads=store,
            listing=store,
            bulk=store,
            progress=store,
            call_path=store,
            pools=self.pools,
            rules=phones,
            locks=phones,
            usage=phones,
            workers=self.workers,
            health=self.health,
            verifications=self.verifications,
            audit=self.audit_log,
        )

    def services(
        self,
        twilio: Callable[[], Any],
        options: Options | None = None,
        *,
        clock: Callable[[], float],
        remaining: Callable[[], float | None] = deadline.remaining,
    ) -> Services:
        return Services(
            self.stores(), twilio, options or Options(), clock=clock, sleep=lambda seconds: None, remaining=remaining
        )


def twilio_ports(twilio: FakeCallerIdTwilio) -> tuple[NumberSourceGateway, CallerIdGateway, CallerIdConfirmation]:
    """The Twilio fakes as the ports they stand for (mypy checks them here; the store's fakes in ``Stores``)."""
    return twilio, twilio, twilio


class FakeTrustHub:
    """Trust Hub's products and their phone numbers, refusing as Twilio does (a product under review or rejected,
    a policy that takes no phone numbers, a duplicate; an unknown product); counts its requests (``TrustHub``)."""

    def __init__(self) -> None:
        self.products: dict[str, TrustProduct] = {}
        self.assigned: dict[str, dict[str, str]] = {}  # product → number SID → assignment SID
        self.requests = 0
        self.fail = False

    def product(self, n: int, kind: TrustKind = TrustKind.VOICE_INTEGRITY, status: str = "twilio-approved") -> str:
        sid = f"BU{n:032x}"
        self.products[sid] = TrustProduct(sid, kind, status)
        self.assigned.setdefault(sid, {})
        return sid

    def _known(self, product_sid: str) -> TrustProduct:
        self.requests += 1
        if self.fail:
            raise UpstreamUnavailable("Trust Hub is down")
        if product_sid not in self.products:
            raise TwilioRefused(f"Twilio has no trust product {product_sid} for this account.")
        return self.products[product_sid]

    def trust_product(self, product_sid: str) -> TrustProduct:
        return self._known(product_sid)

    def trust_assignments(self, product_sid: str, number_sid: str | None = None) -> dict[str, str]:
        self._known(product_sid)
        rows = self.assigned[product_sid]
        return {n: a for n, a in rows.items() if number_sid in (None, n)}

    def assign_trust(self, product_sid: str, number_sid: str) -> str:
        product = self._known(product_sid)
        if product.kind is TrustKind.OTHER or product.status not in ("draft", "twilio-approved"):
            raise TwilioRefused(f"Twilio refused trust product {product_sid}: {product.status} (Twilio error 20001).")
        if number_sid in self.assigned[product_sid]:
            raise TwilioRefused(f"Twilio refused trust product {product_sid}: duplicate (Twilio error 20001).")
        assignment = f"RA{len(self.assigned[product_sid]) + 1:032x}"
        self.assigned[product_sid][number_sid] = assignment
        return assignment

    def unassign_trust(self, product_sid: str, assignment_sid: str) -> None:
        self._known(product_sid)
        rows = self.assigned[product_sid]
        for number, assignment in list(rows.items()):
            if assignment == assignment_sid:
                del rows[number]

    def of(self, number_sid: str) -> set[str]:
        return {p for p, rows in self.assigned.items() if number_sid in rows}


def trust_port(hub: FakeTrustHub) -> TrustHub:
    """The fake as the port it stands for (mypy checks it here)."""
    return hub


class FakePeople:
    """TaskRouter's workers and queues and the account's name, per account (``PeopleGateway``), counting reads."""

    def __init__(self) -> None:
        self.workers: dict[str, list[Person]] = {}
        self.queues: dict[str, list[Queue]] = {}
        self.names: dict[str, str] = {}
        self.reads = 0
        self.fail = False

    def _read(self) -> None:
        if self.fail:
            raise UpstreamUnavailable("Twilio is down")
        self.reads += 1

    def list_workers(self, account_sid: str) -> list[Person]:
        self._read()
        return list(self.workers.get(account_sid, []))

    def list_task_queues(self, account_sid: str) -> list[Queue]:
        self._read()
        return list(self.queues.get(account_sid, []))

    def account_name(self, account_sid: str) -> str:
        self._read()
        return self.names.get(account_sid, account_sid)


def people_port(fake: FakePeople) -> PeopleGateway:
    return fake
