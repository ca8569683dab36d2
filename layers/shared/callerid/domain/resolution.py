"""Which number an outbound call shows: an ordered list of small steps (PRODUCT.md, "How the From number is chosen").

``plan_from_number`` turns the request and the workspace's numbers into an ordered, de-duplicated list of
choices. The caller (``service.outbound``) tries to lock them in that order: a number another worker holds is
skipped by every step but ``explicit``, where it is an error. Later steps (local presence, assignment) are new
functions added to ``STEPS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from callerid.domain.errors import DestinationNotAllowed, NoCallerIdAvailable, NotFound
from callerid.domain.identity import WorkerRef
from callerid.domain.numbers import CatalogueNumber, NumberStatus
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
    number: CatalogueNumber
    reason: Reason


@dataclass(frozen=True, slots=True)
class ResolutionRequest:
    worker: WorkerRef
    destination: Destination
    explicit_from: str | None = None
    selection: str | None = None
    local_presence: bool = False


Step = Callable[[ResolutionRequest, Sequence[CatalogueNumber]], Iterable[Choice]]


def worker_selection(request: ResolutionRequest, candidates: Sequence[CatalogueNumber]) -> Iterable[Choice]:
    """Step 3: the number the worker picked in the "Call from" dropdown."""
    for number in candidates:
        if number.phone_number == request.selection:
            yield Choice(number, Reason.WORKER_SELECTION)


def primary(request: ResolutionRequest, candidates: Sequence[CatalogueNumber]) -> Iterable[Choice]:
    """Step 5: the workspace's primary number."""
    for number in candidates:
        if number.is_primary:
            yield Choice(number, Reason.PRIMARY)


def fallback(request: ResolutionRequest, candidates: Sequence[CatalogueNumber]) -> Iterable[Choice]:
    """Step 6: any candidate, unassigned numbers first (stable order by number otherwise)."""
    for number in sorted(candidates, key=lambda n: (n.outbound_assignment is not None, n.phone_number)):
        yield Choice(number, Reason.FALLBACK)


STEPS: tuple[Step, ...] = (worker_selection, primary, fallback)


def usable_numbers(numbers: Iterable[CatalogueNumber]) -> list[CatalogueNumber]:
    """Numbers that can carry an outbound call at all: active and voice-capable."""
    return [n for n in numbers if n.status is NumberStatus.ACTIVE and n.voice]


def plan_from_number(
    request: ResolutionRequest, numbers: Iterable[CatalogueNumber], steps: Sequence[Step] = STEPS
) -> list[Choice]:
    """The ordered choices for this call. Raises when no number could ever be eligible."""
    usable = usable_numbers(numbers)
    country = request.destination.country
    if request.explicit_from is not None:
        chosen = next((n for n in usable if n.phone_number == request.explicit_from), None)
        if chosen is None:
            raise NotFound(f"{request.explicit_from} is not a number this worker may call from.")
        if not chosen.may_call(country):
            raise DestinationNotAllowed(f"{chosen.phone_number} may not call {country or 'this destination'}.")
        return [Choice(chosen, Reason.EXPLICIT)]
    candidates = [n for n in usable if n.may_call(country)]
    if not candidates:
        if usable:
            raise DestinationNotAllowed(f"No caller ID of this workspace may call {country or 'this destination'}.")
        raise NoCallerIdAvailable("This workspace has no active voice number to call from.")
    plan: list[Choice] = []
    seen: set[str] = set()
    for step in steps:
        for choice in step(request, candidates):
            if choice.number.phone_number not in seen:
                seen.add(choice.number.phone_number)
                plan.append(choice)
    return plan
