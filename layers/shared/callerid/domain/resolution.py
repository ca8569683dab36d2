"""Which number an outbound call shows: an ordered list of small steps (PRODUCT.md, "How the From number is chosen").

``plan_from_number`` turns the request and what the call path read (the worker's selection and team, the
workspace's head: primary and fallback pool, its ancestors' shared pools, the presence and assignment pools of
this call, and the phone items of the candidates: their locks and usage) into an ordered, de-duplicated list of
choices. The caller (``service.outbound``) tries to lock them in that order; each lock is a conditional write that
checks again that the worker may call the destination from that number (``DialRules.verdict``) and, for a choice
made within the reputation limits, that the number does not rest, so a choice made from a slightly stale read is
never wrong, only skipped.

Steps 2-6 order their own candidates (closest, assigned to the worker before its team before the queue,
unassigned before assigned) and, among equals, the least recently used first. The plan then puts, whatever the
step: first the numbers free and within their limits (or not read: new in a pool, or beyond the window of phone
items the call path reads; those rank after their read equals), then resting numbers, least used first (``guard``
says why they rest), and last the numbers the read saw locked by another worker (the lock may have ended since).
Among the free equals of a step, each request starts at a random one of the least recently used it read (as many
as twice the other agents on calls from these numbers, plus one: those the read saw and ``racing``, those the
caller knows of beyond it), so agents racing from one pool diverge instead of all writing the same first number,
and an agent dialling alone rotates strictly.
Numbers on other agents' calls come last, the longest-held first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from enum import StrEnum

from callerid.domain.errors import DestinationNotAllowed, NoCallerIdAvailable
from callerid.domain.geography import Closeness
from callerid.domain.identity import WorkerRef
from callerid.domain.locks import PhoneState
from callerid.domain.numbers import Candidate
from callerid.domain.phone import Destination
from callerid.domain.reputation import NO_LIMITS, Guard, ReputationLimits, day_of, guard_of

# How many of a step's least recently used free equals a request may start at: one more than twice the numbers the
# read saw on other agents' calls (those agents are the ones likely to race this request; alone, an agent takes
# the least recently used), at most a pool.
SPREAD_PER_OTHER_CALL = 2
SPREAD_WIDTH = 100
# Answer rates that differ by less than this rank as equals (then the least recently used wins).
RATE_STEP = 0.05


class Reason(StrEnum):
    EXPLICIT = "explicit"
    LOCAL_PRESENCE_AREA_CODE = "local_presence_area_code"
    LOCAL_PRESENCE_LOCALITY = "local_presence_locality"
    LOCAL_PRESENCE_TIMEZONE = "local_presence_timezone"
    LOCAL_PRESENCE_COUNTRY = "local_presence_country"
    WORKER_SELECTION = "worker_selection"
    ASSIGNMENT = "assignment"
    PRIMARY = "primary"
    FALLBACK = "fallback"


PRESENCE_REASONS = {
    Closeness.AREA: Reason.LOCAL_PRESENCE_AREA_CODE,
    Closeness.LOCALITY: Reason.LOCAL_PRESENCE_LOCALITY,
    Closeness.STATE: Reason.LOCAL_PRESENCE_LOCALITY,
    Closeness.TIMEZONE: Reason.LOCAL_PRESENCE_TIMEZONE,
    Closeness.COUNTRY: Reason.LOCAL_PRESENCE_COUNTRY,
}


@dataclass(frozen=True, slots=True)
class Choice:
    phone_number: str
    reason: Reason
    # Equals within a step share a rank (the plan spreads racing agents over them).
    rank: tuple[float, ...] = ()
    # Tried with a lock that refuses a resting number; a resting choice is tried without, and says why it rests.
    within_limits: bool = True
    guard: Guard | None = None


@dataclass(frozen=True, slots=True)
class ResolutionRequest:
    worker: WorkerRef
    destination: Destination
    selection: str | None = None
    local_presence: bool = False
    primary: str | None = None
    # The workspace's fallback pool, then its ancestors' shared pools, nearest first.
    pool: tuple[Candidate, ...] = ()
    # The presence pools of the destination's place (own workspace), closest first.
    presence: tuple[Candidate, ...] = ()
    # Numbers assigned to the worker, to its team, to the call's queue: one group each, in that order.
    assigned: tuple[tuple[Candidate, ...], ...] = ()
    # What the read saw of the candidates' phone items (locks, usage); a candidate missing here was not read.
    phones: Mapping[str, PhoneState] = field(default_factory=dict)
    limits: ReputationLimits = NO_LIMITS
    now: float = 0.0
    # Per request (random): where among its least recently used equals this request starts.
    spread: int = 0
    # Other agents likely on calls from these numbers beyond those ``phones`` shows (the call path reads only a
    # window of the candidates' phone items): they widen the spread as those the read saw do.
    racing: int = 0

    def last_used(self, phone: str) -> float:
        """When the number was last used, as read; a number not read (the read asks for a few candidates' phone
        items) ranks after its read equals, whose state the read has shown."""
        state = self.phones.get(phone)
        return state.usage.last_used or 0.0 if state else math.inf

    def answer_rate(self, phone: str) -> float:
        """The recent answer rate local presence ranks by; a number without enough recent attempts counts as
        unblemished (1.0): the cooling rule, too, judges only a full enough window."""
        state = self.phones.get(phone)
        rate = state.usage.recent_rate if state else None
        return 1.0 if rate is None else rate


Step = Callable[[ResolutionRequest, Sequence[Candidate]], Iterable[Choice]]


def allowed(request: ResolutionRequest, candidates: Iterable[Candidate]) -> list[Candidate]:
    country = request.destination.country
    return [c for c in candidates if c.may_call(country)]


def local_presence(request: ResolutionRequest, pool: Sequence[Candidate]) -> Iterable[Choice]:
    """Step 2: the candidates closest to the destination (area code, locality or state, time zone, country); among
    equals the better recent answer rate, then the least recently used."""
    if not request.local_presence:
        return
    here = request.destination.place
    scored = []
    for candidate in [*allowed(request, request.presence), *pool]:
        level = here.closeness(candidate.place)
        if level is not None:
            bucket = -round(request.answer_rate(candidate.phone_number) / RATE_STEP)
            scored.append(((float(level), float(bucket)), candidate.phone_number))
    for rank, phone in sorted(scored, key=lambda s: (s[0], request.last_used(s[1]), s[1])):
        yield Choice(phone, PRESENCE_REASONS[Closeness(int(rank[0]))], rank)


def worker_selection(request: ResolutionRequest, pool: Sequence[Candidate]) -> Iterable[Choice]:
    """Step 3: the number the worker picked in the "Call from" dropdown."""
    if request.selection:
        yield Choice(request.selection, Reason.WORKER_SELECTION)


def assignment(request: ResolutionRequest, pool: Sequence[Candidate]) -> Iterable[Choice]:
    """Step 4: numbers whose ``outboundAssignment`` names the worker, then its team, then the call's queue."""
    for kind, group in enumerate(request.assigned):
        ordered = sorted(allowed(request, group), key=lambda c: (request.last_used(c.phone_number), c.phone_number))
        for candidate in ordered:
            yield Choice(candidate.phone_number, Reason.ASSIGNMENT, (float(kind),))


def primary(request: ResolutionRequest, pool: Sequence[Candidate]) -> Iterable[Choice]:
    """Step 5: the workspace's primary number."""
    if request.primary:
        yield Choice(request.primary, Reason.PRIMARY)


def fallback(request: ResolutionRequest, pool: Sequence[Candidate]) -> Iterable[Choice]:
    """Step 6: any candidate, unassigned numbers first, least recently used first."""
    for candidate in sorted(pool, key=lambda c: (c.assigned, request.last_used(c.phone_number), c.phone_number)):
        yield Choice(candidate.phone_number, Reason.FALLBACK, (float(candidate.assigned),))


STEPS: tuple[Step, ...] = (local_presence, worker_selection, assignment, primary, fallback)


def spread(choices: list[Choice], start: int, others: int, unread: Set[str] = frozenset()) -> list[Choice]:
    """Within each run of equals (same reason and rank), start at one of its ``1 + 2 * others`` first, among those
    whose state was read (numbers not read rank after them and are never started at)."""
    result: list[Choice] = []
    run: list[Choice] = []
    for choice in [*choices, None]:
        if run and (choice is None or (choice.reason, choice.rank) != (run[0].reason, run[0].rank)):
            read = sum(1 for c in run if c.phone_number not in unread) or len(run)
            width = min(SPREAD_WIDTH, 1 + SPREAD_PER_OTHER_CALL * others, read)
            offset = start % width
            result += run[offset:width] + run[:offset] + run[width:]
            run = []
        if choice is not None:
            run.append(choice)
    return result


def plan_from_number(request: ResolutionRequest, steps: Sequence[Step] = STEPS) -> list[Choice]:
    """The ordered choices for an implicit From. Raises when nothing could ever be eligible: an empty workspace
    (``NoCallerIdAvailable``), or candidates none of which may call the destination's country
    (``DestinationNotAllowed``) and no selection or primary to try."""
    country = request.destination.country
    everything = [*request.pool, *request.presence, *(c for group in request.assigned for c in group)]
    pool = allowed(request, request.pool)
    if not any(c.may_call(country) for c in everything) and not request.selection and not request.primary:
        if everything:
            raise DestinationNotAllowed(f"No caller ID of this workspace may call {country or 'this destination'}.")
        raise NoCallerIdAvailable("This workspace has no active voice number to call from.")
    free: list[Choice] = []
    resting: list[tuple[tuple[int, float], Choice]] = []
    held: list[tuple[float, Choice]] = []
    seen: set[str] = set()
    today = day_of(request.now)
    for step in steps:
        for choice in step(request, pool):
            if choice.phone_number in seen:
                continue
            seen.add(choice.phone_number)
            state = request.phones.get(choice.phone_number)
            if state is None:
                free.append(choice)
            elif state.lock is not None and state.lock.blocks(request.worker, request.now):
                held.append((state.lock.acquired_at, choice))
            elif (guard := guard_of(state.usage, request.limits, request.now)) is not None:
                least_used = (state.usage.calls_on(today), state.usage.last_used or 0.0)
                resting.append((least_used, Choice(choice.phone_number, choice.reason, choice.rank, False, guard)))
            else:
                free.append(choice)
    ordered_rest = [choice for _, choice in sorted(resting, key=lambda r: r[0])]
    others = request.racing + sum(
        1 for s in request.phones.values() if s.lock is not None and s.lock.blocks(request.worker, request.now)
    )
    # Numbers on other agents' calls last, the longest-held first (the likeliest to have ended since the read).
    ordered_held = [choice for _, choice in sorted(held, key=lambda h: h[0])]
    unread = {c.phone_number for c in free if c.phone_number not in request.phones}
    return spread(free, request.spread, others, unread) + ordered_rest + ordered_held
