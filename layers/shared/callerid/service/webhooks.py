"""Side effects of Twilio's webhooks. Each ``handle`` runs under a Powertools idempotency record (per CallSid,
or CallSid + CallStatus), so a replayed callback changes nothing; the effects themselves are conditional writes
or atomic counters, so a retried half-done callback is safe too."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from callerid.domain.phone import normalise_e164
from callerid.service.catalogue import NumberCatalogue
from callerid.store.health import HealthRepository
from callerid.store.locks import LockRepository
from callerid.store.verifications import Verification, VerificationRepository

TERMINAL_CALL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


def call_began(timestamp: str | None, duration: str | None, now: float) -> float:
    """When the call began, from Twilio's RFC 2822 ``Timestamp`` minus ``CallDuration`` (seconds)."""
    try:
        ended = parsedate_to_datetime(timestamp).timestamp() if timestamp else now
    except (TypeError, ValueError):
        ended = now
    try:
        seconds = max(0.0, float(duration)) if duration else 0.0
    except ValueError:
        seconds = 0.0
    return ended - seconds


@dataclass(frozen=True, slots=True)
class CallStatusEvent:
    call_sid: str
    call_status: str
    from_number: str | None
    direction: str | None
    timestamp: str | None
    duration: str | None


class CallStatusEffects:
    def __init__(self, locks: LockRepository, health: HealthRepository, clock: Callable[[], float] = time.time) -> None:
        self.locks = locks
        self.health = health
        self.clock = clock

    def handle(self, event: CallStatusEvent) -> dict[str, Any]:
        if event.call_status not in TERMINAL_CALL_STATUSES:
            return {"terminal": False, "released": False}
        if not (event.direction or "").startswith("outbound") or not event.from_number:
            return {"terminal": True, "released": False}
        caller_id = normalise_e164(event.from_number)
        began = call_began(event.timestamp, event.duration, self.clock())
        released = self.locks.release_for_call(caller_id, began)
        self.health.record_attempt(caller_id, answered=event.call_status == "completed")
        return {"terminal": True, "released": released}


@dataclass(frozen=True, slots=True)
class VerificationEvent:
    account_sid: str
    call_sid: str
    status: str
    phone_number: str
    outgoing_caller_id_sid: str | None


class VerificationEffects:
    def __init__(
        self,
        verifications: VerificationRepository,
        catalogue: NumberCatalogue,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.verifications = verifications
        self.catalogue = catalogue
        self.clock = clock

    def handle(self, event: VerificationEvent) -> dict[str, Any]:
        phone = normalise_e164(event.phone_number)
        succeeded = event.status == "success" and bool(event.outgoing_caller_id_sid)
        self.verifications.record(
            event.account_sid,
            Verification(
                phone_number=phone,
                status="success" if succeeded else "failed",
                outgoing_caller_id_sid=event.outgoing_caller_id_sid if succeeded else None,
                call_sid=event.call_sid,
                updated_at=self.clock(),
            ),
        )
        if succeeded and event.outgoing_caller_id_sid:
            self.catalogue.add_verified_caller_id(event.account_sid, event.outgoing_caller_id_sid, phone)
        return {"phoneNumber": phone, "status": "success" if succeeded else "failed"}
