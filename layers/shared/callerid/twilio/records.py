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
