"""In-memory stand-ins for the store and Twilio (the ``service.ports`` protocols), faithful to what the services rely
on: conditional writes by revision, the phone's lock condition (``DialRules.verdict`` + ``may_acquire``), paged
reads in phone-number order, counters, the pool's bound, Twilio's pages."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from callerid.domain.errors import CallerIdInUse, ConcurrentUpdate, DestinationNotAllowed, NotFound
from callerid.domain.identity import WorkerRef
from callerid.domain.locks import CallerIdLock, may_acquire
from callerid.domain.numbers import (
    DialRule,
    DialRules,
    NumberQuery,
    NumberRecord,
    NumberSource,
    NumberStatus,
    TwilioFacts,
    Verdict,
)
from callerid.domain.reputation import PhoneState as PhoneView
from callerid.domain.reputation import Usage, day_of, guard_of
from callerid.store.health import NumberHealth
from callerid.store.models import count_attribute, shared_count_attribute
from callerid.store.numbers import POOL_SIZE, CallPathRead, Head, RefreshState, parse_entry, parse_pool
from callerid.store.workers import WorkerState
from callerid.twilio.records import TwilioPage


@dataclass
class HeadState:
    primary: str | None = None
    refreshed_at: float = 0.0
    pool: dict[str, str] = field(default_factory=dict)
    counters: Counter[str] = field(default_factory=Counter)
    refresh: RefreshState | None = None


class FakeNumberStore:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], tuple[NumberRecord, str | None]] = {}
        self.sids: dict[tuple[str, str], str] = {}
        self.shared: dict[tuple[str, str], NumberRecord] = {}
        self.heads: dict[str, HeadState] = {}
        self.workers: dict[tuple[str, str], WorkerState] = {}
        self.seen_chunks: dict[tuple[str, int], tuple[str, list[str]]] = {}
        self.leases: dict[str, tuple[str, float]] = {}
        self.writes = Counter[str]()
        # The same world's pools and phones, for the call path's one read.
        self.pools: FakePools | None = None
        self.phones: FakePhones | None = None

    # records
    def get(self, account_sid, phone_number, *, primary=None):
        found = self.records.get((account_sid, phone_number))
        return replace(found[0], is_primary=found[0].phone_number == primary) if found else None

    def phone_of(self, account_sid, sid):
        return self.sids.get((account_sid, sid))

    def fingerprints(self, account_sid, phone_numbers):
        return {
            p: (self.records[(account_sid, p)][0], self.records[(account_sid, p)][1] or "")
            for p in phone_numbers
            if (account_sid, p) in self.records
        }

    def insert(self, record, *, expected_revision=None, fingerprint=None):
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
        self.records[key] = (record, fingerprint)
        self.sids[(record.owner_workspace, record.sid)] = record.phone_number
        self.writes["insert"] += 1
        return True

    def insert_many(self, records):
        for record, fingerprint in records:
            self.records[(record.owner_workspace, record.phone_number)] = (record, fingerprint)
            self.sids[(record.owner_workspace, record.sid)] = record.phone_number
        self.writes["insert_many"] += 1

    def replace(self, record, *, expected_revision, fingerprint=None):
        key = (record.owner_workspace, record.phone_number)
        current, stored_fingerprint = self.records[key]
        if current.revision != expected_revision:
            raise ConcurrentUpdate("changed")
        written = replace(record, revision=expected_revision + 1, is_primary=False)
        self.records[key] = (written, fingerprint if fingerprint is not None else stored_fingerprint)
        self.writes["replace"] += 1
        return written

    def point_sid(self, account_sid, sid, phone_number):
        self.sids[(account_sid, sid)] = phone_number

    def put_shared(self, record):
        self.shared[(record.owner_workspace, record.phone_number)] = replace(record, is_primary=False)

    def delete_shared(self, owner, phone_number):
        self.shared.pop((owner, phone_number), None)

    # head
    def _head(self, account_sid) -> HeadState:
        return self.heads.setdefault(account_sid, HeadState())

    def head(self, account_sid):
        state = self.heads.get(account_sid)
        if state is None:
            return Head(account_sid)
        counts = {
            (source, status): state.counters[count_attribute(source, status)]
            for source in NumberSource
            for status in (NumberStatus.ACTIVE, NumberStatus.INACTIVE)
        }
        shared = {source: state.counters[shared_count_attribute(source)] for source in NumberSource}
        return Head(
            account_sid,
            True,
            state.primary,
            state.refreshed_at,
            parse_pool(account_sid, state.pool),
            counts,
            shared,
            state.refresh,
        )

    def call_path_read(self, account_sid, worker_sid, ancestors, *, pools=(), phones=(), now=0.0):
        self.writes["call_path_read"] += 1
        read = self.pools_read(account_sid, pools, phones, now=now, count=False)
        read.head = self.head(account_sid)
        read.inherited = [self.head(a) for a in ancestors if a in self.heads]
        read.worker = self.workers.get((account_sid, worker_sid), WorkerState())
        return read

    def pools_read(self, account_sid, pools, phones, *, now, with_keys=None, count=True):
        if count:
            self.writes["pools_read"] += 1
        read = CallPathRead(Head(account_sid))
        for key in pools:
            if self.pools is not None and (account_sid, key) in self.pools.items:
                entries = self.pools.items[(account_sid, key)]
                read.pools[key] = tuple(parse_entry(account_sid, p, e) for p, e in sorted(entries.items()))
        if self.phones is not None:
            read.phones.update(self.phones.states(phones, now))
        return read

    def ensure_head(self, account_sid):
        self._head(account_sid)

    def adjust_counts(self, account_sid, deltas):
        self._head(account_sid).counters.update(deltas)

    def set_pool_entry(self, account_sid, phone_number, entry):
        pool = self._head(account_sid).pool
        if phone_number not in pool and len(pool) >= POOL_SIZE:
            return False
        pool[phone_number] = entry
        return True

    def remove_pool_entry(self, account_sid, phone_number):
        self._head(account_sid).pool.pop(phone_number, None)

    def set_primary(self, account_sid, phone_number):
        self._head(account_sid).primary = phone_number

    def clear_primary(self, account_sid, phone_number):
        head = self._head(account_sid)
        if head.primary != phone_number:
            return False
        head.primary = None
        return True

    def mark_refreshed(self, account_sid, now):
        head = self._head(account_sid)
        head.refreshed_at, head.refresh = now, None

    def save_refresh(self, account_sid, state):
        self._head(account_sid).refresh = state

    def save_seen(self, account_sid, first_chunk, phase, sids):
        self.seen_chunks[(account_sid, first_chunk)] = (phase, list(sids))
        return 1

    def seen(self, account_sid, chunks, phase):
        self.writes["seen"] += 1
        seen: set[str] = set()
        for n in range(chunks):
            stored_phase, sids = self.seen_chunks.get((account_sid, n), ("", []))
            if stored_phase == phase:
                seen.update(sids)
        return seen

    def forget_seen(self, account_sid, chunks):
        for n in range(chunks):
            self.seen_chunks.pop((account_sid, n), None)

    # listing
    def _own(self, account_sid, query):
        rows = [r for (a, _), (r, _) in self.records.items() if a == account_sid]
        return [r for r in sorted(rows, key=lambda r: r.phone_number) if query.matches(r)]

    def _shared(self, owner, query):
        rows = [r for (o, _), r in self.shared.items() if o == owner]
        return [r for r in sorted(rows, key=lambda r: r.phone_number) if query.matches(r)]

    def listed(self, account_sid, query, *, skip, take, version=0):
        self.writes["listed"] += 1
        return self._own(account_sid, query)[skip : skip + take]

    def listed_shared(self, owner, query, *, skip, take):
        return self._shared(owner, query)[skip : skip + take]

    def count(self, account_sid, query):
        return len(self._own(account_sid, query))

    def count_shared(self, owner, query):
        return len(self._shared(owner, query))

    def dialable(self, account_sid, *, exclude, take):
        rows = [r for r in self._own(account_sid, NumberQuery(status=NumberStatus.ACTIVE)) if r.voice]
        return [r for r in rows if r.phone_number not in exclude][:take]

    def live_sids(self, account_sid, source):
        self.writes["live_sids"] += 1
        return {
            r.sid: r.phone_number
            for (a, _), (r, _) in self.records.items()
            if a == account_sid and r.source is source and r.status is not NumberStatus.RELEASED
        }

    # refresh lease
    def take_refresh_lease(self, account_sid, holder, now, seconds):
        current = self.leases.get(account_sid)
        if current is not None and current[1] >= now:
            return False
        self.leases[account_sid] = (holder, now + seconds)
        return True

    def release_refresh_lease(self, account_sid, holder):
        if self.leases.get(account_sid, ("", 0))[0] == holder:
            del self.leases[account_sid]


@dataclass
class PhoneState:
    rules: dict[str, DialRule] = field(default_factory=dict)
    lock: CallerIdLock | None = None
    usage: Usage = field(default_factory=Usage)


class FakePools:
    """The small presence and assignment pools: entries per (workspace, key), at most POOL_SIZE each."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, str]] = {}

    def set_entry(self, account_sid, key, phone, entry, *, exists=False):
        pool = self.items.setdefault((account_sid, key), {})
        if phone not in pool and len(pool) >= POOL_SIZE:
            return False
        pool[phone] = entry
        return True

    def set_entries(self, account_sid, key, entries):
        for phone, entry in entries.items():
            self.set_entry(account_sid, key, phone, entry)

    def remove_entry(self, account_sid, key, phone):
        self.items.get((account_sid, key), {}).pop(phone, None)


class FakePhones:
    def __init__(self) -> None:
        self.items: dict[str, PhoneState] = {}
        self.attempts = 0

    def rules(self, phone_number):
        return DialRules(dict(self.items.get(phone_number, PhoneState()).rules))

    def write_rule(self, phone_number, account_sid, rule):
        state = self.items.setdefault(phone_number, PhoneState())
        current = state.rules.get(account_sid)
        if current is not None and current.revision > rule.revision:
            return False
        state.rules[account_sid] = rule
        return True

    def write_rules(self, rules):
        for phone, account, rule in rules:
            self.write_rule(phone, account, rule)

    def acquire(
        self,
        phone_number,
        worker,
        *,
        ancestors,
        country,
        ttl_seconds,
        now,
        diagnose=True,
        task_sid=None,
        limits=None,
        within_limits=False,
    ):
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
            return lock
        if not diagnose or verdict in (Verdict.OWN, Verdict.SHARED):
            raise CallerIdInUse(f"{phone_number} is not free")
        if verdict is Verdict.COUNTRY:
            raise DestinationNotAllowed("not to that country")
        raise NotFound("not yours")

    def release(self, phone_number, worker, lease_id):
        state = self.items.get(phone_number)
        if state is None or state.lock is None or state.lock.holder != worker or state.lock.lease_id != lease_id:
            return False
        state.lock = None
        return True

    def release_for_call(self, phone_number, call_began, account_sid):
        state = self.items.get(phone_number)
        lock = state.lock if state else None
        if lock is None or lock.holder.account_sid != account_sid or not lock.ended_before(call_began):
            return False
        state.lock = None
        return True

    def held_by(self, worker):
        return [s.lock for s in self.items.values() if s.lock is not None and s.lock.holder == worker]

    def get(self, phone_number):
        state = self.items.get(phone_number)
        return state.lock if state else None

    def get_many(self, phone_numbers: Iterable[str]):
        return {p: lock for p in phone_numbers if (lock := self.get(p)) is not None}

    def states(self, phone_numbers, now):
        found = {}
        for phone in phone_numbers:
            state = self.items.get(phone)
            if state is not None:
                usage = replace(state.usage, day=day_of(now), calls=state.usage.calls_on(day_of(now)))
                found[phone] = PhoneView(state.lock, usage)
        return found

    def start_cooling(self, phone_number, until, now):
        state = self.items.get(phone_number)
        if state is None or (state.usage.cooling_until is not None and state.usage.cooling_until >= now):
            return False
        state.usage = replace(state.usage, cooling_until=until)
        return True


class FakeTwilio:
    """One account's numbers and caller IDs at Twilio (other accounts have none), in pages of ``page_size``."""

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

    def number_page(self, account_sid, source, next_page):
        from callerid.domain.errors import UpstreamUnavailable

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

    def still_held(self, account_sid, source, sid):
        return sid in (self.numbers if source is NumberSource.TWILIO else self.caller_ids)

    def release_number(self, account_sid, sid):
        if self.fail:
            from callerid.domain.errors import UpstreamUnavailable

            raise UpstreamUnavailable("Twilio is down")
        if self.numbers.pop(sid, None) is None:
            raise NotFound("gone")
        self.removed.append(sid)

    def delete_caller_id(self, account_sid, sid):
        if self.caller_ids.pop(sid, None) is None:
            raise NotFound("gone")
        self.removed.append(sid)

    def incoming_number(self, account_sid, sid):
        if sid not in self.numbers:
            raise NotFound("gone")
        return self.numbers[sid]

    def caller_id_facts(self, account_sid, sid):
        if sid not in self.caller_ids:
            raise NotFound("gone")
        return self.caller_ids[sid]


class FakeHealth:
    def __init__(self) -> None:
        self.by_phone: dict[str, NumberHealth] = {}

    def get(self, phone_number):
        return self.by_phone.get(phone_number, NumberHealth())


def worker(n: int, account: str) -> WorkerRef:
    return WorkerRef(account, f"WK{n:032d}")


class FakeVerifications:
    """``store.verifications`` in memory, with its conditions: no pending over a success, a failure only for the
    pending call."""

    def __init__(self) -> None:
        from callerid.store.verifications import Verification

        self.items: dict[tuple[str, str], Verification] = {}

    def start(self, account_sid, phone_number, call_sid, *, now, expires_at):
        from callerid.domain.errors import AlreadyVerified
        from callerid.store.verifications import Verification

        current = self.items.get((account_sid, phone_number))
        if current is not None and current.status == "success":
            raise AlreadyVerified("verified")
        self.items[(account_sid, phone_number)] = Verification(phone_number, "pending", None, call_sid, now, expires_at)

    def record_success(self, account_sid, verification):
        self.items[(account_sid, verification.phone_number)] = verification

    def record_failure(self, account_sid, phone_number, call_sid, now):
        current = self.items.get((account_sid, phone_number))
        if current is None or current.status != "pending" or current.call_sid != call_sid:
            return False
        self.items[(account_sid, phone_number)] = replace(current, status="failed", updated_at=now)
        return True

    def get(self, account_sid, phone_number):
        return self.items.get((account_sid, phone_number))

    def forget(self, account_sid, phone_number):
        self.items.pop((account_sid, phone_number), None)


class FakeCallerIdTwilio(FakeTwilio):
    """Twilio's verification calls for one account: each request gets a call SID and a code."""

    def __init__(self, account_sid: str) -> None:
        super().__init__(account_sid)
        self.calls: list[dict] = []

    def validation_request(self, account_sid, phone_number, *, friendly_name, call_delay, extension, status_callback):
        from callerid.twilio.records import ValidationCall

        call = ValidationCall(f"CA{len(self.calls):032d}", f"{len(self.calls) + 100000:06d}")
        self.calls.append({"phone": phone_number, "callback": status_callback, "call": call})
        return call

    def rename_caller_id(self, account_sid, sid, friendly_name):
        self.caller_ids[sid] = replace(self.caller_ids[sid], friendly_name=friendly_name)
