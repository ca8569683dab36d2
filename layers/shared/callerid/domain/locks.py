"""Caller-ID lock rules. The store enforces them with one conditional write; this module states them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from callerid.domain.identity import WorkerRef
from callerid.domain.reputation import Guard


@dataclass(frozen=True, slots=True)
class CallerIdLock:
    """One phone number in use by one worker until ``expires_at`` (epoch seconds)."""

    phone_number: str
    holder: WorkerRef
    lease_id: str
    acquired_at: float
    expires_at: float
    # The reputation rule the number was resting under when this lock took it (``None``: within its limits).
    guard: Guard | None = None

    def is_live(self, now: float) -> bool:
        # DynamoDB deletes expired items lazily, so an expired lock may still be read: it counts as free.
        return self.expires_at >= now

    def blocks(self, worker: WorkerRef, now: float) -> bool:
        """Whether this lock stops ``worker`` from taking the number now."""
        return self.is_live(now) and self.holder != worker

    def ended_before(self, call_began: float) -> bool:
        """A call-status webhook may free this lock only if it was taken no later than the call began
        (at whole-second resolution, which is all Twilio's ``Timestamp`` carries)."""
        return self.acquired_at < math.floor(call_began) + 1


def may_acquire(existing: CallerIdLock | None, worker: WorkerRef, now: float) -> bool:
    """The acquisition rule: no lock, an expired one, or one the same worker holds (re-entrant)."""
    return existing is None or not existing.blocks(worker, now)
