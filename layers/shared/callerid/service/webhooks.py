"""Side effects of Twilio's webhooks. Each ``handle`` runs under a Powertools idempotency record (per CallSid,
or CallSid + CallStatus), so a replayed callback changes nothing; the effects themselves are conditional writes,
and a call's health count is conditional on a per-call marker, so a callback retried after its effect was applied
(its idempotency record lost) changes nothing either.

A correctly signed webhook proves only which account sent it (every tenant holds its own auth token), so its
effects are confined to that account: it frees only locks its own workers hold, counts health only for numbers
it may dial from, and a claim that creates something is confirmed with Twilio under that account first."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from callerid.domain.calls import CallOutcome
from callerid.domain.errors import NotFound
from callerid.domain.phone import normalise_e164
from callerid.domain.reputation import sip_code
from callerid.domain.verification import Verification
from callerid.service.numbers import NumberDirectory
from callerid.service.outcomes import OutcomeRecorder, phone_or_none
from callerid.service.ports import CallerIdConfirmation, PhoneLocks, Verifications
from callerid.twilio.records import OutgoingCallerId

TERMINAL_CALL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


def call_began(timestamp: str | None, duration: int | None, now: float) -> float:
    """When the call began, from Twilio's RFC 2822 ``Timestamp`` minus ``CallDuration`` (whole seconds)."""
    try:
        ended = parsedate_to_datetime(timestamp).timestamp() if timestamp else now
    except (TypeError, ValueError, OverflowError):
        ended = now
    return ended - max(0, duration or 0)


@dataclass(frozen=True, slots=True)
class CallStatusEvent:
    account_sid: str
    call_sid: str
    call_status: str
    from_number: str | None
    direction: str | None
    timestamp: str | None
    duration: int | None
    sip_response_code: str | None = None
    stir_status: str | None = None
    to: str | None = None


class CallStatusEffects:
    def __init__(self, locks: PhoneLocks, outcomes: OutcomeRecorder, clock: Callable[[], float] = time.time) -> None:
        self.locks = locks
        self.outcomes = outcomes
        self.clock = clock

    def handle(self, event: CallStatusEvent) -> dict[str, Any]:
        if event.call_status not in TERMINAL_CALL_STATUSES:
            return {"terminal": False, "released": False, "counted": False}
        caller_id = phone_or_none(event.from_number)
        if not (event.direction or "").startswith("outbound") or caller_id is None:
            return {"terminal": True, "released": False, "counted": False}
        began = call_began(event.timestamp, event.duration, self.clock())
        released = self.locks.release_for_call(caller_id, began, event.account_sid)
        outcome = CallOutcome(
            event.account_sid,
            event.call_sid,
            caller_id,
            event.to,
            event.call_status,
            "call-status",
            event.duration if event.call_status == "completed" else None,
            sip_code(event.sip_response_code),
        )
        return {"terminal": True, "released": released, **self.outcomes.record(outcome)}


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
        verifications: Verifications,
        numbers: NumberDirectory,
        twilio: Callable[[], CallerIdConfirmation],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.verifications = verifications
        self.numbers = numbers
        self.twilio = twilio
        self.clock = clock

    def handle(self, event: VerificationEvent) -> dict[str, Any]:
        """A success counts once Twilio confirms it (whatever call it came from: the caller ID exists); a failure
        counts only for the pending verification of that very call, so it never erases a success, nor a newer
        attempt. An unknown call's failure is logged and changes nothing."""
        phone = normalise_e164(event.phone_number)
        succeeded = event.status == "success" and bool(event.outgoing_caller_id_sid)
        if not succeeded:
            failed = self.verifications.record_failure(event.account_sid, phone, event.call_sid, self.clock())
            return {"phoneNumber": phone, "status": "failed" if failed else "ignored"}
        confirmed = self._confirmed(event.account_sid, event.outgoing_caller_id_sid or "", phone)
        if confirmed is None:
            # A signed claim Twilio does not back (another tenant's number, an invented SID): nothing counts.
            return {"phoneNumber": phone, "status": "unconfirmed"}
        self.verifications.record_success(
            event.account_sid,
            Verification(
                phone_number=phone,
                status="success",
                outgoing_caller_id_sid=event.outgoing_caller_id_sid,
                call_sid=event.call_sid,
                updated_at=self.clock(),
            ),
        )
        self.numbers.add_verified_caller_id(event.account_sid, confirmed.sid, phone, confirmed.friendly_name)
        return {"phoneNumber": phone, "status": "success"}

    def _confirmed(self, account_sid: str, caller_id_sid: str, phone: str) -> OutgoingCallerId | None:
        """Twilio's OutgoingCallerId, if Twilio holds it under that account, for that number."""
        try:
            record = self.twilio().outgoing_caller_id(account_sid, caller_id_sid)
        except NotFound:
            return None
        return record if phone_or_none(record.phone_number) == phone else None
