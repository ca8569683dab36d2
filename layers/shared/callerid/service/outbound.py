"""StartOutboundCall's From rewrite: resolve the number and lock it, with no Twilio request and without reading
any number's record.

Steady state costs two DynamoDB requests whatever the size of the workspace: one BatchGetItem and one conditional
UpdateItem on the phone item, whose condition both takes the lock and checks that the worker may call the
destination from that number (and, for a choice within the reputation limits, that the number does not rest).
The BatchGetItem reads the worker's state, the workspace's head (primary, fallback pool), its ancestors' heads,
the presence pools of the destination's place (when the worker's local presence is on), the assignment pools of
the worker, its team and the call's queue, and the phone items (locks and usage) of a window of the candidates
(``CallPathMemory.window``: a random sample, sized to 12 read units, eventually consistent).

Which keys to read comes from what this container's previous calls read (``CallPathMemory``): the worker's
local-presence preference and team, and the numbers in each pool. A key it could not know (the first call of a
worker whose preference is on, a team that changed) costs one more BatchGetItem; a number new in a pool is tried
without its usage read. A number another worker took since the read costs one more write; after every three such
refusals (three times at most) a few of the candidates' phone items are read again (one strongly consistent
BatchGetItem), so a call whose read was far out of date does not try numbers one by one.

A stale read of a number is judged again by the conditional write; a stale read of the worker's selection is not.
So the client may say which selection it saw (``selection_version``, from the selection routes' answers): when the
read's worker state is older, the worker's item is read again, strongly consistent (one GetItem, only then). See
docs/design.md.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from callerid.domain.calls import DAY_SECONDS, CallRecord
from callerid.domain.catalogue import CallPathRead
from callerid.domain.errors import CallerIdInUse, DestinationNotAllowed, NoCallerIdAvailable, NotFound
from callerid.domain.geography import Place
from callerid.domain.identity import Caller, WorkerRef
from callerid.domain.locks import CallerIdLock, PhoneState
from callerid.domain.numbers import Candidate
from callerid.domain.phone import destination, normalise_e164
from callerid.domain.pools import presence_keys, queue_assignment_key, team_assignment_key, worker_assignment_key
from callerid.domain.reputation import NO_LIMITS, ReputationLimits
from callerid.domain.resolution import Choice, Reason, ResolutionRequest, plan_from_number
from callerid.service.ports import CallPathReads, Heads, PhoneLocks, WorkerStates

# After this many numbers refused, the call path reads its candidates' phone items again (at most MAX_REREADS times).
REREAD_AFTER_REFUSALS = 3
MAX_REREADS = 3
# The memory's keys for the numbers of a workspace's head pool, and of those an ancestor's head shares with its
# descendants.
HEAD_POOL = "NUMBERS"
SHARED_POOL = "NUMBERS#SHARED"
# What the memory keeps at most (entries of pools and workers); beyond it, it starts again.
MEMORY_LIMIT = 20_000
# The call path's read costs at most READ_UNITS read units in steady state (PRODUCT.md, "Scale"), as DynamoDB bills
# an eventually consistent read: the workspace's head, an ancestor's head and a small pool (at most 100 entries,
# under 8 KB) one each; the worker and a phone item (under 4 KB) half each. Phone items fill what is left, at least
# PHONE_WINDOW_MIN of them (a worker with local presence, a team and a queue may then read a little more).
READ_UNITS = 12.0
ITEM_UNITS = 0.5
POOL_UNITS = 1.0
PHONE_WINDOW_MIN = 6
# After REREAD_AFTER_REFUSALS refusals, the re-read (strongly consistent: it follows a stale picture) asks for the
# states of at most this many of the plan's numbers (a random sample of the rest, then of those it tried).
REREAD_PHONES = 10


@dataclass(frozen=True, slots=True)
class OutboundCall:
    choice: Choice
    lock: CallerIdLock


@dataclass
class CallPathMemory:
    """What the call path learnt in this container: per worker its local-presence preference and team, per pool
    (workspace head or small pool) the numbers in it. It only decides which keys the next read asks for; nothing
    is decided from it."""

    workers: dict[tuple[str, str], tuple[bool, str | None, str | None]] = field(default_factory=dict)
    primaries: dict[str, str | None] = field(default_factory=dict)
    pools: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # Per number, the last lock this container saw on it (a read, a refused write, a lock it granted): its holder
    # (``None``: unknown) and when it ends at the latest. It tells the plan how many other agents are likely on calls
    # from numbers the read did not ask for (``racing``); the conditional write still decides.
    in_use: dict[str, tuple[WorkerRef | None, float]] = field(default_factory=dict)
    guard: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, phones: Mapping[str, PhoneState], now: float) -> None:
        """What a read showed: numbers locked (until their lock's expiry), and free ones."""
        with self.guard:
            if len(self.in_use) > MEMORY_LIMIT:
                self.in_use.clear()
            for phone, state in phones.items():
                if state.lock is not None and state.lock.is_live(now):
                    self.in_use[phone] = (state.lock.holder, state.lock.expires_at)
                else:
                    self.in_use.pop(phone, None)

    def taken(self, phone: str, holder: WorkerRef | None, until: float) -> None:
        """A lock this container granted (``holder``), or a write refused for a lock it did not see (``None``)."""
        with self.guard:
            self.in_use[phone] = (holder, until)

    def elsewhere(self, phones: Iterable[str], worker: WorkerRef, now: float) -> int:
        """How many of ``phones`` were last seen on another worker's lock that may still be live."""
        count = 0
        for phone in phones:
            holder, until = self.in_use.get(phone, (None, 0.0))
            count += until > now and holder != worker
        return count

    @staticmethod
    def window(groups: Iterable[Iterable[str]], size: int, draw: Callable[[], int]) -> list[str]:
        """At most ``size`` numbers of ``groups`` (in order of preference: the first group's before the next's);
        of a group larger than the room left, a random sample. Each request reads its own sample, so agents racing
        from one pool pick among different numbers, and as often as each other any free number."""
        chosen: dict[str, None] = {}
        for group in groups:
            room = size - len(chosen)
            if room <= 0:
                break
            rest = [p for p in dict.fromkeys(group) if p not in chosen]
            if len(rest) > room:
                rest = sorted(rest, key=lambda _: draw())[:room]
            chosen.update(dict.fromkeys(rest))
        return list(chosen)

    def learn(self, account_sid: str, worker_sid: str, read: CallPathRead) -> None:
        with self.guard:
            if len(self.pools) + len(self.workers) > MEMORY_LIMIT:
                self.pools.clear()
                self.workers.clear()
                self.primaries.clear()
            state = read.worker
            self.workers[(account_sid, worker_sid)] = (state.local_presence, state.team, state.caller_id)
            self.primaries[account_sid] = read.head.primary
            self.pools[(account_sid, HEAD_POOL)] = tuple(c.phone_number for c in read.head.pool)
            for head in read.inherited:
                # Apart from the ancestor's own entry: its own workers' calls read its whole pool.
                self.pools[(head.account_sid, SHARED_POOL)] = tuple(c.phone_number for c in head.pool if c.shared)
        self.learn_pools(account_sid, read.pools)

    def learn_pools(self, account_sid: str, pools: dict[str, tuple[Candidate, ...]]) -> None:
        with self.guard:
            for key, candidates in pools.items():
                self.pools[(account_sid, key)] = tuple(c.phone_number for c in candidates)

    def phones(self, pools: Iterable[tuple[str, str]]) -> list[str]:
        found: list[str] = []
        for pool in pools:
            found += self.pools.get(pool, ())
        return found

    def groups(self, pools: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
        return [self.pools.get(pool, ()) for pool in pools]


def without_held(plan: list[Choice], request: ResolutionRequest) -> list[Choice]:
    """The plan less the numbers a read made just now shows on other agents' calls (trying them again would only
    cost refused writes)."""
    kept = []
    for choice in plan:
        state = request.phones.get(choice.phone_number)
        if state is None or state.lock is None or not state.lock.blocks(request.worker, request.now):
            kept.append(choice)
    return kept


class OutboundCalls:
    def __init__(
        self,
        reads: CallPathReads,
        heads: Heads,
        locks: PhoneLocks,
        workers: WorkerStates,
        *,
        lock_ttl_seconds: int,
        build: Callable[[str], object],
        ancestors: Callable[[str], list[str]] = lambda account_sid: [],
        clock: Callable[[], float] = time.time,
        limits: ReputationLimits = NO_LIMITS,
        spread: Callable[[], int] = lambda: random.randrange(1 << 30),
        call_record_days: int = 30,
    ) -> None:
        self.call_record_days = call_record_days
        self.reads = reads
        self.heads = heads
        self.locks = locks
        self.workers = workers
        self.lock_ttl_seconds = lock_ttl_seconds
        self.build = build
        self.ancestors = ancestors
        self.clock = clock
        self.limits = limits
        self.spread = spread
        self.memory = CallPathMemory()

    def start(
        self,
        caller: Caller,
        to: str,
        explicit_from: str | None = None,
        *,
        queue_sid: str | None = None,
        task_sid: str | None = None,
        selection_version: int | None = None,
    ) -> OutboundCall:
        """Resolve the call's From number and lock it. ``selection_version``: the version of the worker's selection
        the client last saw (the selection routes answer it); a read that shows an older one is re-read."""
        worker = caller.worker()
        dialled = destination(to)
        wanted = normalise_e164(explicit_from) if explicit_from is not None else None
        ancestors = self.ancestors(worker.account_sid)
        now = self.clock()

        def lock(choice: Choice, *, diagnose: bool = True) -> CallerIdLock:
            return self.locks.acquire(
                choice.phone_number,
                worker,
                ancestors=ancestors,
                country=dialled.country,
                ttl_seconds=self.lock_ttl_seconds,
                now=now,
                diagnose=diagnose,
                task_sid=task_sid,
                limits=None if choice.reason is Reason.EXPLICIT else self.limits,
                within_limits=choice.within_limits,
                record=CallRecord(
                    workspace=worker.account_sid,
                    worker_sid=worker.worker_sid,
                    from_number=choice.phone_number,
                    to=dialled.e164,
                    reason=str(choice.reason.value),
                    started_at=now,
                    expires_at=now + self.call_record_days * DAY_SECONDS,
                    task_sid=task_sid,
                    queue_sid=queue_sid,
                ),
                guard_read=choice.guard,
            )

        if wanted is not None:
            explicit = Choice(wanted, Reason.EXPLICIT)
            try:
                return OutboundCall(explicit, lock(explicit))
            except NotFound:
                if self.heads.head(worker.account_sid).refreshed_at > 0:
                    raise
                self.build(worker.account_sid)
                return OutboundCall(explicit, lock(explicit))
        read = self._read(worker, ancestors, dialled.place, queue_sid, now, selection_version)
        if read.head.refreshed_at == 0:
            # Only before anyone in the workspace has listed numbers: read them from Twilio once.
            self.build(worker.account_sid)
            read = self._read(worker, ancestors, dialled.place, queue_sid, now, selection_version)
        state = read.worker
        presence = tuple(c for key in presence_keys(dialled.place) for c in read.pools.get(key, ()))
        assigned = (
            read.pools.get(worker_assignment_key(worker.worker_sid), ()),
            read.pools.get(team_assignment_key(state.team), ()) if state.team else (),
            read.pools.get(queue_assignment_key(queue_sid), ()) if queue_sid else (),
        )
        pool = read.head.pool + tuple(c for h in read.inherited for c in h.pool if c.shared)
        everything: list[Candidate] = [*pool, *presence, *(c for group in assigned for c in group)]
        numbers = {c.phone_number for c in everything}
        request = ResolutionRequest(
            worker=worker,
            destination=dialled,
            selection=state.caller_id,
            local_presence=state.local_presence,
            primary=read.head.primary,
            pool=pool,
            presence=presence if state.local_presence else (),
            assigned=assigned,
            phones=read.phones,
            limits=self.limits,
            now=now,
            spread=self.spread(),
            racing=self.memory.elsewhere(numbers - read.phones.keys(), worker, now),
        )
        plan = plan_from_number(request)
        tried: set[str] = set()
        unread: set[str] = set()
        refused = rereads = 0
        while plan:
            choice = plan.pop(0)
            if choice.phone_number in tried:
                continue
            tried.add(choice.phone_number)
            if choice.phone_number not in request.phones:
                unread.add(choice.phone_number)
            try:
                granted = OutboundCall(choice, lock(choice, diagnose=False))
                self.memory.taken(choice.phone_number, worker, granted.lock.expires_at)
                return granted
            except CallerIdInUse:
                self.memory.taken(choice.phone_number, None, now + self.lock_ttl_seconds)
                refused += 1
                # The read is out of date (other agents took what it saw free), or a number tried without its
                # state read may have been refused only for resting (it is still dialable as a resting choice).
                stale = refused % REREAD_AFTER_REFUSALS == 0 and rereads < MAX_REREADS and plan
                unread_last = not plan and unread and rereads <= MAX_REREADS
                if stale or unread_last:
                    rereads += 1
                    groups = ([c.phone_number for c in plan], sorted(tried))
                    phones = self.memory.window(groups, REREAD_PHONES, self.spread)
                    fresh = self.reads.pools_read(worker.account_sid, (), phones, now=now, consistent=True)
                    self.memory.saw(fresh.phones, now)
                    phones_now = {**request.phones, **fresh.phones}
                    racing = self.memory.elsewhere(numbers - phones_now.keys(), worker, now)
                    request = replace(request, phones=phones_now, spread=self.spread(), racing=racing)
                    plan, tried, unread = without_held(plan_from_number(request), request), set(), set()
                else:
                    # Start again at another random one of the equals left: agents refused at neighbouring
                    # numbers would otherwise keep racing each other down the same run.
                    request = replace(request, spread=self.spread())
                    plan = [c for c in plan_from_number(request) if c.phone_number not in tried]
        if everything and not any(c.may_call(dialled.country) for c in everything):
            raise DestinationNotAllowed(f"No caller ID of this workspace may call {dialled.country or 'there'}.")
        raise NoCallerIdAvailable("Every number this agent may call from is on another agent's call.")

    def _read(
        self,
        worker: WorkerRef,
        ancestors: list[str],
        place: Place,
        queue_sid: str | None,
        now: float,
        selection_version: int | None = None,
    ) -> CallPathRead:
        """The call path's read: one BatchGetItem, a second only for pools the memory could not foresee, and a
        strongly consistent read of the worker only when the first shows a selection older than
        ``selection_version``."""
        account = worker.account_sid
        known = self.memory.workers.get((account, worker.worker_sid))
        local_presence, team, selection = known or (False, None, None)
        pools = self._pools(worker, place, queue_sid, local_presence, team)
        first = tuple(p for p in (selection, self.memory.primaries.get(account)) if p)
        groups = [first, *self.memory.groups([(account, k) for k in pools] + [(account, HEAD_POOL)])]
        groups += self.memory.groups((a, SHARED_POOL) for a in ancestors)
        left = READ_UNITS - ITEM_UNITS - POOL_UNITS * (1 + len(ancestors) + len(pools))
        size = max(PHONE_WINDOW_MIN, int(left / ITEM_UNITS))
        phones = self.memory.window(groups, size, self.spread)
        read = self.reads.call_path_read(account, worker.worker_sid, ancestors, pools=pools, phones=phones, now=now)
        if selection_version is not None and read.worker.version < selection_version:
            # The client saw a later selection than the read (eventually consistent: a write made within about a
            # second may be missing from it); the conditional write judges the number, never the worker's choice.
            read.worker = self.workers.get(worker)
        self.memory.learn(account, worker.worker_sid, read)
        self.memory.saw(read.phones, now)
        missing = []
        if read.worker.local_presence and not local_presence:
            missing += presence_keys(place)
        if read.worker.team and read.worker.team != team:
            missing.append(team_assignment_key(read.worker.team))
        if missing:
            unread = [p for p in (read.worker.caller_id, read.head.primary) if p and p not in read.phones]
            more = self.reads.pools_read(account, missing, unread, now=now)
            read.pools.update(more.pools)
            read.phones.update(more.phones)
            self.memory.learn_pools(account, more.pools)
        return read

    @staticmethod
    def _pools(
        worker: WorkerRef, place: Place, queue_sid: str | None, local_presence: bool, team: str | None
    ) -> list[str]:
        pools = presence_keys(place) if local_presence else []
        pools.append(worker_assignment_key(worker.worker_sid))
        if team:
            pools.append(team_assignment_key(team))
        if queue_sid:
            pools.append(queue_assignment_key(queue_sid))
        return pools

    def release_own(self, caller: Caller) -> list[str]:
        """Release the locks the caller holds; answers every number released (none when nothing was)."""
        worker = caller.worker()
        return [lock.phone_number for lock in self.locks.held_by(worker) if self._release(lock)]

    def _release(self, lock: CallerIdLock) -> bool:
        return self.locks.release(lock.phone_number, lock.holder, lock.lease_id)
