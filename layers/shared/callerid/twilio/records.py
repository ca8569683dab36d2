"""What the gateway reads from Twilio, as plain records (importable without ``twilio.rest``)."""

from __future__ import annotations

from dataclasses import dataclass


class WorkerChanged(Exception):
    """The worker changed since its ETag was read (HTTP 412)."""


@dataclass(frozen=True, slots=True)
class IncomingNumber:
    sid: str
    phone_number: str
    friendly_name: str
    voice: bool
    sms: bool
    date_created: str | None


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
