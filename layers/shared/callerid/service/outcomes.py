"""How outbound calls ended, from whichever source reaches the backend first (PRODUCT.md, "Outbound calls:
records, outcomes, callbacks"): the call-status webhook, TaskRouter's end of an outbound task (the customer leg's
``Calls`` resource), and Event Streams' Voice Insights call summaries.

Every source hands a ``CallOutcome`` to ``OutcomeRecorder.record``: the outcome counts for the number's health and
its day once per call SID across the sources (the marker ``CALL#<account>#<sid>`` in the counting transaction); a
later source adds only what the first lacked (the SIP code: a call summary has it, the Calls resource has not),
which may make the call ``blocked`` — counted once too. An outcome counts only for a number the signing account
may dial from, and is written onto the call's record only when that record is the account's."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from callerid.domain.calls import CallOutcome
from callerid.domain.errors import InvalidPhoneNumber
from callerid.domain.phone import normalise_e164
from callerid.domain.reputation import NO_LIMITS, SUSPECTED_BLOCKED, ReputationLimits
from callerid.service.ports import CallRecords, HealthRecords, PhoneUsage


def phone_or_none(raw: str | None) -> str | None:
    """``raw`` as E.164, or ``None`` for what is not a phone number (``client:alice``, ``sip:…``, junk)."""
    try:
        return normalise_e164(raw) if raw else None
    except InvalidPhoneNumber:
        return None


class OutcomeRecorder:
    def __init__(
        self,
        health: HealthRecords,
        usage: PhoneUsage,
        calls: CallRecords | None,
        may_dial: Callable[[str, str], bool],
        clock: Callable[[], float] = time.time,
        limits: ReputationLimits = NO_LIMITS,
    ) -> None:
        self.health = health
        self.usage = usage
        self.calls = calls
        self.may_dial = may_dial
        self.clock = clock
        self.limits = limits

    def record(self, outcome: CallOutcome) -> dict[str, Any]:
        """Count the outcome (or add its detail); start the number's cooldown when its recent window says so.
        Reads the pair's latest call (one GetItem) to write the outcome onto the call's record."""
        caller_id = phone_or_none(outcome.from_number)
        if caller_id is None or not self.may_dial(outcome.account_sid, caller_id):
            return {"counted": False, "why": "number"}
        to = phone_or_none(outcome.to)
        record = None
        if self.calls is not None and to is not None:
            latest = self.calls.latest(caller_id, to)
            if latest is not None and latest.account_sid == outcome.account_sid:
                record = self.calls.record_key(latest)
        now = self.clock()
        write = self.health.record_outcome(caller_id, outcome, now=now, limits=self.limits, record=record)
        window = write.window
        suspected = window is not None and window.suspected_blocked(self.limits)
        cooling = window is not None and (suspected or (write.counted and window.cools(self.limits)))
        if cooling:
            # Carriers seem to block it (blocked and short calls), or its answer rate fell below the floor: it rests
            # for the cooldown.
            self.usage.start_cooling(
                caller_id, now + self.limits.cooldown_seconds, now, SUSPECTED_BLOCKED if suspected else None
            )
        return {
            "counted": write.counted,
            "detailed": write.detailed,
            "recorded": record is not None,
            "cooling": cooling,
            "suspectedBlocked": suspected,
            "sipCode": outcome.sip_code,
        }
