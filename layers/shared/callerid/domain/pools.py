"""The small candidate pools a dialable number belongs to, by name: local presence (its area code, locality, state,
time zone, country) and assignment (its worker, team, queue). A pool holds at most ``POOL_SIZE`` numbers; the
workspace's fallback pool too. See docs/design.md."""

from __future__ import annotations

from callerid.domain.geography import Closeness, Place, place_of_e164
from callerid.domain.numbers import Candidate, NumberRecord, OutboundAssignment

POOL_SIZE = 100
LEVEL_CODES = {
    Closeness.AREA: "AC",
    Closeness.LOCALITY: "LOC",
    Closeness.STATE: "ST",
    Closeness.TIMEZONE: "TZ",
    Closeness.COUNTRY: "CC",
}


def presence_keys(place: Place) -> list[str]:
    """The presence pools a place belongs to, closest first."""
    return [f"POOL#{LEVEL_CODES[level]}#{key}" for level, key in place.levels()]


def worker_assignment_key(worker_sid: str) -> str:
    return f"ASSIGN#WK#{worker_sid}"


def team_assignment_key(team: str) -> str:
    return f"ASSIGN#TEAM#{team}"


def queue_assignment_key(queue_sid: str) -> str:
    return f"ASSIGN#WQ#{queue_sid}"


def assignment_keys(assignment: OutboundAssignment | None) -> list[str]:
    if assignment is None:
        return []
    keys = []
    if assignment.worker_sid:
        keys.append(worker_assignment_key(assignment.worker_sid))
    if assignment.team:
        keys.append(team_assignment_key(assignment.team))
    if assignment.queue_sid:
        keys.append(queue_assignment_key(assignment.queue_sid))
    return keys


def pool_keys(record: NumberRecord) -> set[str]:
    """Every small pool a record belongs to while it is dialable."""
    if not record.dialable:
        return set()
    return set(presence_keys(place_of_e164(record.phone_number))) | set(assignment_keys(record.outbound_assignment))


def candidate_of(record: NumberRecord) -> Candidate:
    """The record as a pool holds it: what the call path needs, its place derived now."""
    return Candidate(
        phone_number=record.phone_number,
        owner_workspace=record.owner_workspace,
        shared=record.shared_with_descendants,
        assigned=bool(record.outbound_assignment),
        outbound_countries=tuple(record.allowed_outbound_countries),
        place=place_of_e164(record.phone_number),
    )
