"""Caller-ID lock rules. The store enforces them with one conditional write; this module states them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from callerid.domain.identity import WorkerRef
from callerid.domain.reputation import UNUSED, Guard, Usage


@dataclass(frozen=True, slots=True)
class CallerIdLock:
    """One phone number in use by one worker until ``expires_at`` (epoch seconds)."""

    phone_number: str
    holder: WorkerRef
    lease_id: str
    acquired_at: float
    expires_at: float
    # The TaskRouter task of the call the lock was taken for, when the Flex plugin named it: only that task's end
    # frees the lock then (``ended_by_task``).
    task_sid: str | None = None
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


@dataclass(frozen=True, slots=True)
class PhoneState:
    """What the call path read of a phone item: its lock (``None`` when free) and usage."""

    lock: CallerIdLock | None = None
    usage: Usage = UNUSED


def ended_by_task(lock: CallerIdLock, worker: WorkerRef, task_sid: str | None, task_began: float, now: float) -> bool:
    """Whether the end of ``worker``'s TaskRouter task (``task_sid``, begun at ``task_began``) frees this lock: the
    worker holds it, it is still live, and it was taken for that call: for exactly that task when the lock names
    one, else no later than the task began (so a later call's lock, re-entrant or another worker's, is never lost
    to a late event of an earlier call)."""
    if lock.holder != worker or not lock.is_live(now):
        return False
    if lock.task_sid is not None:
        return lock.task_sid == task_sid
    return lock.ended_before(task_began)


def may_acquire(existing: CallerIdLock | None, worker: WorkerRef, now: float) -> bool:
    """The acquisition rule: no lock, an expired one, or one the same worker holds (re-entrant)."""
    return existing is None or not existing.blocks(worker, now)
