"""What the gateway reads from Twilio, as plain records (importable without ``twilio.rest``)."""

from __future__ import annotations

from dataclasses import dataclass

from callerid.domain.numbers import TwilioFacts


class WorkerChanged(Exception):
    """The worker changed since its ETag was read (HTTP 412)."""


@dataclass(frozen=True, slots=True)
class OutgoingCallerId:
    sid: str
    phone_number: str
    friendly_name: str
    date_created: str | None


@dataclass(frozen=True, slots=True)
class WorkerSnapshot:
    sid: str
    attributes: str
    etag: str | None


@dataclass(frozen=True, slots=True)
class TwilioPage:
    """One page of an account's numbers (or verified caller IDs) at Twilio, and where the next one is."""

    items: list[TwilioFacts]
    next_page: str | None


@dataclass(frozen=True, slots=True)
class NumberSearch:
    country: str
    kind: str = "local"  # local | tollFree | mobile
    area_code: str | None = None
    contains: str | None = None
    limit: int = 20


@dataclass(frozen=True, slots=True)
class AvailableNumber:
    phone_number: str
    friendly_name: str
    locality: str | None
    region: str | None
    postal_code: str | None
    iso_country: str
    voice: bool
    sms: bool


@dataclass(frozen=True, slots=True)
class NumberOrder:
    """A number to buy: exactly this one, or any in this area code."""

    phone_number: str | None = None
    area_code: str | None = None


@dataclass(frozen=True, slots=True)
class NumberHooks:
    """Where a number this backend manages sends its calls and their status."""

    voice_url: str
    status_callback: str


@dataclass(frozen=True, slots=True)
class OwnedNumber:
    """A number of the account at Twilio, with where its webhooks point."""

    sid: str
    phone_number: str
    friendly_name: str
    voice_url: str | None
    status_callback: str | None


@dataclass(frozen=True, slots=True)
class ValidationCall:
    """Twilio's verification call: its SID, and the code the person must enter."""

    call_sid: str
    validation_code: str


@dataclass(frozen=True, slots=True)
class EndedCall:
    """A call as Twilio's Calls resource shows it: its status (terminal or not), the seconds it was connected, and
    who answered (``answered_by``: AMD's verdict, when it ran)."""

    status: str
    from_number: str
    to: str
    duration: int | None = None
    answered_by: str | None = None
