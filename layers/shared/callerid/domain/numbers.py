"""A workspace's numbers as records: what each number is, who may dial from it, and how list-numbers filters them.

A number is one record per workspace. What the call path must know of it at lock time (may this worker's
workspace dial from it, to that country?) is kept beside the phone's lock as a ``DialRule`` per owning workspace,
derived from the record by ``dial_rule`` and judged by ``DialRules.verdict``: the one statement of that rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from callerid.domain.geography import NOWHERE_KNOWN, Place
from callerid.domain.trust import TrustLink


class NumberSource(StrEnum):
    TWILIO = "twilio"
    BYOT = "byot"
    VERIFIED = "verified"


class NumberStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    # Gone at Twilio (or unregistered): kept for history, never listed or dialable.
    RELEASED = "released"


@dataclass(frozen=True, slots=True)
class OutboundAssignment:
    worker_sid: str | None = None
    team: str | None = None
    queue_sid: str | None = None


@dataclass(frozen=True, slots=True)
class NumberRecord:
    """One number of one workspace: Twilio's facts, the facts derived when it was written (geocoding is too slow
    per call), and what this backend owns (label, restrictions, sharing, assignment)."""

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
    provider: str | None = None
    connection: str | None = None
    # The Trust Hub products it is assigned to (Twilio numbers only), with their status as last read.
    trust: tuple[TrustLink, ...] = ()
    # Bumped by every write of the record: orders the writes of its dial rule.
    revision: int = 0

    @property
    def outgoing_only(self) -> bool:
        """Verified caller IDs can only be shown as From; they receive nothing."""
        return self.source is NumberSource.VERIFIED

    @property
    def dialable(self) -> bool:
        """Can carry an outbound call at all: active and voice-capable."""
        return self.status is NumberStatus.ACTIVE and self.voice

    @property
    def shared_with_descendants(self) -> bool:
        return self.dialable and self.outbound_shareable

    def may_call(self, country: str | None) -> bool:
        """Whether this number may dial a destination in ``country`` (empty list: no restriction)."""
        return admits(self.allowed_outbound_countries, country)


def admits(countries: Iterable[str], country: str | None) -> bool:
    allowed = tuple(countries)
    return not allowed or (country is not None and country in allowed)


@dataclass(frozen=True, slots=True)
class TwilioFacts:
    """What Twilio says about a number it holds for the account; the refresh compares these, nothing else."""

    sid: str
    phone_number: str
    friendly_name: str
    source: NumberSource
    voice: bool = True
    sms: bool = False
    created_at: str | None = None

    def fingerprint(self) -> str:
        text = "|".join((self.sid, self.phone_number, self.friendly_name, self.source, str(self.voice), str(self.sms)))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A number the call path may try without reading its record (a pool entry: the head's fallback pool, a
    presence or an assignment pool): whether it may call the destination is checked again by the lock's
    condition. ``place`` is derived when the record is written."""

    phone_number: str
    owner_workspace: str
    shared: bool = False
    assigned: bool = False
    outbound_countries: tuple[str, ...] = ()
    place: Place = NOWHERE_KNOWN

    def may_call(self, country: str | None) -> bool:
        return admits(self.outbound_countries, country)


# ----- who may dial from a phone -------------------------------------------------------------------------------------


class Verdict(StrEnum):
    OWN = "own"
    SHARED = "shared"
    # Neither the workspace nor an ancestor that shares it has the number (or it is inactive): 404.
    UNKNOWN = "unknown"
    # The workspace may use it, but not to that country: 422.
    COUNTRY = "country"


@dataclass(frozen=True, slots=True)
class DialRule:
    """One workspace's record of a phone, as the call path needs it at lock time."""

    dialable: bool
    shareable: bool
    outbound_countries: tuple[str, ...]
    listed: bool
    outgoing_only: bool
    revision: int


def dial_rule(record: NumberRecord) -> DialRule:
    return DialRule(
        dialable=record.dialable,
        shareable=record.shared_with_descendants,
        outbound_countries=record.allowed_outbound_countries,
        listed=record.status is not NumberStatus.RELEASED,
        outgoing_only=record.outgoing_only,
        revision=record.revision,
    )


@dataclass(frozen=True, slots=True)
class DialRules:
    """Every workspace's rule for one phone (usually one: a number belongs to one account)."""

    by_workspace: Mapping[str, DialRule] = field(default_factory=dict)

    def holder(self, account_sid: str, ancestors: Iterable[str]) -> tuple[str, DialRule] | None:
        """Whose record lets this workspace use the phone: its own (listed), else the nearest ancestor sharing it."""
        own = self.by_workspace.get(account_sid)
        if own is not None and own.listed:
            return account_sid, own
        for ancestor in ancestors:
            rule = self.by_workspace.get(ancestor)
            if rule is not None and rule.shareable:
                return ancestor, rule
        return None

    def verdict(self, account_sid: str, ancestors: Iterable[str], country: str | None) -> Verdict:
        """May a worker of ``account_sid`` call ``country`` from this phone? Own records first, then ancestors'
        shared ones; the store's lock condition says the same (``store.phones.dial_condition``)."""
        ancestors = tuple(ancestors)
        usable = []
        own = self.by_workspace.get(account_sid)
        if own is not None and own.dialable:
            usable.append((Verdict.OWN, own))
        usable += [(Verdict.SHARED, r) for a in ancestors if (r := self.by_workspace.get(a)) and r.shareable]
        if not usable:
            return Verdict.UNKNOWN
        for kind, rule in usable:
            if admits(rule.outbound_countries, country):
                return kind
        return Verdict.COUNTRY


# ----- list-numbers ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NumberQuery:
    """list-numbers filters. ``search`` matches digits of the number, the friendly name, the label or the locality."""

    include_outgoing_only: bool = True
    search: str | None = None
    source: NumberSource | None = None
    status: NumberStatus | None = None
    page: int = 1
    per_page: int = 50
    # Exact match (the caller-ID list's filter).
    friendly_name: str | None = None

    @property
    def needle(self) -> str:
        return (self.search or "").strip().casefold()

    @property
    def digits(self) -> str:
        return "".join(ch for ch in self.needle if ch.isdigit())

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def sources(self) -> tuple[NumberSource, ...]:
        wanted = (self.source,) if self.source is not None else tuple(NumberSource)
        return tuple(s for s in wanted if self.include_outgoing_only or s is not NumberSource.VERIFIED)

    def statuses(self) -> tuple[NumberStatus, ...]:
        return (self.status,) if self.status is not None else (NumberStatus.ACTIVE, NumberStatus.INACTIVE)

    def matches(self, number: NumberRecord) -> bool:
        if number.source not in self.sources() or number.status not in self.statuses():
            return False
        if self.friendly_name is not None and number.friendly_name != self.friendly_name:
            return False
        return (
            not self.needle
            or self.needle in search_text(number)
            or bool(self.digits and self.digits in number.phone_number)
        )


def search_text(number: NumberRecord) -> str:
    """What ``search`` looks in besides the digits (stored lower-cased with the record, so the store can filter)."""
    return "\n".join((number.friendly_name, number.label or "", number.locality or "")).casefold()


@dataclass(frozen=True, slots=True)
class NumberPage:
    numbers: tuple[NumberRecord, ...]
    page: int
    per_page: int
    total: int


def select_numbers(numbers: Iterable[NumberRecord], query: NumberQuery) -> NumberPage:
    """Filter ``numbers`` by ``query`` and cut the requested page (pages count from 1): what the store's paged
    reads must agree with."""
    matching = [n for n in numbers if query.matches(n)]
    return NumberPage(
        tuple(matching[query.offset : query.offset + query.per_page]), query.page, query.per_page, len(matching)
    )
