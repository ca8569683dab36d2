"""The numbers a workspace may dial from, and how list-numbers filters and pages them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class NumberSource(StrEnum):
    TWILIO = "twilio"
    BYOT = "byot"
    VERIFIED = "verified"


class NumberStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


@dataclass(frozen=True, slots=True)
class OutboundAssignment:
    worker_sid: str | None = None
    team: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogueNumber:
    """A number in a workspace's catalogue, with the facts derived when the catalogue was built."""

    sid: str
    phone_number: str
    friendly_name: str
    source: NumberSource
    owner_workspace: str
    status: NumberStatus = NumberStatus.ACTIVE
    label: str | None = None
    is_primary: bool = False
    voice: bool = True
    sms: bool = False
    country: str | None = None
    area_code: str | None = None
    locality: str | None = None
    time_zones: tuple[str, ...] = ()
    inbound_agent: str | None = None
    allowed_inbound_countries: tuple[str, ...] = ()
    allowed_outbound_countries: tuple[str, ...] = ()
    outbound_shareable: bool = False
    outbound_assignment: OutboundAssignment | None = None
    created_at: str | None = None

    @property
    def outgoing_only(self) -> bool:
        """Verified caller IDs can only be shown as From; they receive nothing."""
        return self.source is NumberSource.VERIFIED

    def may_call(self, country: str | None) -> bool:
        """Whether this number may dial a destination in ``country`` (empty list: no restriction)."""
        return not self.allowed_outbound_countries or (
            country is not None and country in self.allowed_outbound_countries
        )

    def with_local_metadata_of(self, previous: CatalogueNumber) -> CatalogueNumber:
        """Keep what this backend owns (labels, primary, restrictions) when Twilio's facts are re-read."""
        return replace(
            self,
            label=previous.label,
            is_primary=previous.is_primary,
            status=previous.status,
            inbound_agent=previous.inbound_agent,
            allowed_inbound_countries=previous.allowed_inbound_countries,
            allowed_outbound_countries=previous.allowed_outbound_countries,
            outbound_shareable=previous.outbound_shareable,
            outbound_assignment=previous.outbound_assignment,
            created_at=previous.created_at or self.created_at,
        )


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A workspace's numbers as last read from Twilio plus the backend's own metadata."""

    account_sid: str
    numbers: tuple[CatalogueNumber, ...]
    refreshed_at: float
    version: int | None = None
    # Served although it is older than the TTL: Twilio could not be read just now, or another caller is
    # reading it (stale-while-error / stale-while-revalidate).
    stale: bool = False

    def is_fresh(self, now: float, ttl_seconds: float) -> bool:
        return now - self.refreshed_at < ttl_seconds

    def find(self, phone_number: str) -> CatalogueNumber | None:
        return next((n for n in self.numbers if n.phone_number == phone_number), None)

    def primary(self) -> CatalogueNumber | None:
        return next((n for n in self.numbers if n.is_primary), None)


def merge_refresh(
    previous: Catalogue | None, fresh: list[CatalogueNumber], *, account_sid: str, now: float
) -> Catalogue:
    """Replace Twilio-sourced numbers with ``fresh`` while keeping BYOT numbers and local metadata."""
    before = {n.sid: n for n in previous.numbers} if previous else {}
    merged = [n.with_local_metadata_of(before[n.sid]) if n.sid in before else n for n in fresh]
    fresh_sids = {n.sid for n in fresh}
    merged += [n for n in before.values() if n.source is NumberSource.BYOT and n.sid not in fresh_sids]
    merged.sort(key=lambda n: (n.phone_number, n.sid))
    return Catalogue(account_sid, tuple(merged), now, previous.version if previous else None)


def with_number(catalogue: Catalogue, number: CatalogueNumber) -> Catalogue:
    """The catalogue with ``number`` added, or replacing the entry with the same phone number."""
    kept = [n for n in catalogue.numbers if n.phone_number != number.phone_number]
    previous = catalogue.find(number.phone_number)
    added = number.with_local_metadata_of(previous) if previous else number
    numbers = tuple(sorted([*kept, added], key=lambda n: (n.phone_number, n.sid)))
    return replace(catalogue, numbers=numbers)


def dialable_numbers(own: Catalogue | None, ancestors: list[Catalogue]) -> tuple[CatalogueNumber, ...]:
    """What a workspace may dial from: its own numbers, then the active numbers its ancestors share
    (``outbound_shareable``); a number the workspace has itself is never listed twice."""
    numbers = list(own.numbers) if own else []
    seen = {n.phone_number for n in numbers}
    for catalogue in ancestors:
        for number in catalogue.numbers:
            if number.outbound_shareable and number.status is NumberStatus.ACTIVE and number.phone_number not in seen:
                seen.add(number.phone_number)
                numbers.append(number)
    return tuple(numbers)


@dataclass(frozen=True, slots=True)
class NumberQuery:
    """list-numbers filters. ``search`` matches digits of the number, the friendly name or the label."""

    include_outgoing_only: bool = True
    search: str | None = None
    source: NumberSource | None = None
    status: NumberStatus | None = None
    page: int = 1
    per_page: int = 50
    _search_digits: str = field(init=False, default="", repr=False)

    def __post_init__(self) -> None:
        digits = "".join(ch for ch in (self.search or "") if ch.isdigit())
        object.__setattr__(self, "_search_digits", digits)

    def matches(self, number: CatalogueNumber) -> bool:
        if not self.include_outgoing_only and number.outgoing_only:
            return False
        if self.source is not None and number.source is not self.source:
            return False
        if self.status is not None and number.status is not self.status:
            return False
        return self.search is None or self._matches_search(number)

    def _matches_search(self, number: CatalogueNumber) -> bool:
        needle = (self.search or "").strip().casefold()
        if not needle:
            return True
        texts = (number.friendly_name, number.label or "", number.locality or "")
        if any(needle in text.casefold() for text in texts):
            return True
        return bool(self._search_digits) and self._search_digits in number.phone_number


@dataclass(frozen=True, slots=True)
class NumberPage:
    numbers: tuple[CatalogueNumber, ...]
    page: int
    per_page: int
    total: int


def select_numbers(numbers: tuple[CatalogueNumber, ...] | list[CatalogueNumber], query: NumberQuery) -> NumberPage:
    """Filter ``numbers`` by ``query`` and cut the requested page (pages count from 1)."""
    matching = [n for n in numbers if query.matches(n)]
    start = (query.page - 1) * query.per_page
    return NumberPage(tuple(matching[start : start + query.per_page]), query.page, query.per_page, len(matching))
