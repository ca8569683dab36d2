"""Which number an outbound call shows: an ordered list of small steps (PRODUCT.md, "How the From number is chosen").

``plan_from_number`` turns the request and what the call path read (the worker's selection, the workspace's head:
primary and fallback pool, and its ancestors' shared pools) into an ordered, de-duplicated list of choices. The
caller (``service.outbound``) tries to lock them in that order; each lock is a conditional write that checks again
that the worker may call the destination from that number (``DialRules.verdict``), so a choice made from a
slightly stale pool is never wrong, only skipped. Later steps (local presence, assignment) are new functions
added to ``STEPS``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from callerid.domain.errors import DestinationNotAllowed, NoCallerIdAvailable
from callerid.domain.identity import WorkerRef
from callerid.domain.numbers import Candidate
from callerid.domain.phone import Destination


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


@dataclass(frozen=True, slots=True)
class Choice:
    phone_number: str
    reason: Reason


@dataclass(frozen=True, slots=True)
class ResolutionRequest:
    worker: WorkerRef
    destination: Destination
    selection: str | None = None
    local_presence: bool = False
    primary: str | None = None
    # The workspace's fallback pool, then its ancestors' shared pools, nearest first.
    pool: tuple[Candidate, ...] = ()


Step = Callable[[ResolutionRequest, Sequence[Candidate]], Iterable[Choice]]


def worker_selection(request: ResolutionRequest, pool: Sequence[Candidate]) -> Iterable[Choice]:
    """Step 3: the number the worker picked in the "Call from" dropdown."""
    if request.selection:
        yield Choice(request.selection, Reason.WORKER_SELECTION)


def primary(request: ResolutionRequest, pool: Sequence[Candidate]) -> Iterable[Choice]:
    """Step 5: the workspace's primary number."""
    if request.primary:
        yield Choice(request.primary, Reason.PRIMARY)


def fallback(request: ResolutionRequest, pool: Sequence[Candidate]) -> Iterable[Choice]:
    """Step 6: any candidate, unassigned numbers first. Each worker starts at its own place in the pool, so agents
    dialling at once spread over it instead of all trying the same first number."""
    ordered = sorted(pool, key=lambda c: (c.assigned, c.phone_number))
    if not ordered:
        return
    start = zlib.crc32(request.worker.worker_sid.encode()) % len(ordered)
    unassigned = [c for c in ordered if not c.assigned]
    assigned = [c for c in ordered if c.assigned]
    for group in (unassigned, assigned):
        if group:
            offset = start % len(group)
            for candidate in group[offset:] + group[:offset]:
                yield Choice(candidate.phone_number, Reason.FALLBACK)


STEPS: tuple[Step, ...] = (worker_selection, primary, fallback)


def plan_from_number(request: ResolutionRequest, steps: Sequence[Step] = STEPS) -> list[Choice]:
    """The ordered choices for an implicit From. Raises when nothing could ever be eligible: an empty workspace
    (``NoCallerIdAvailable``), or a pool none of whose numbers may call the destination's country
    (``DestinationNotAllowed``) and no selection or primary to try."""
    country = request.destination.country
    pool = [c for c in request.pool if c.may_call(country)]
    if not pool and not request.selection and not request.primary:
        if request.pool:
            raise DestinationNotAllowed(f"No caller ID of this workspace may call {country or 'this destination'}.")
        raise NoCallerIdAvailable("This workspace has no active voice number to call from.")
    plan: list[Choice] = []
    seen: set[str] = set()
    for step in steps:
        for choice in step(request, pool):
            if choice.phone_number not in seen:
                seen.add(choice.phone_number)
                plan.append(choice)
    return plan
