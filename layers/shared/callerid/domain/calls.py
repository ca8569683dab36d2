"""An outbound call the backend chose a From for: its record, kept CALL_RECORD_DAYS, and the callback affinity of
its From/To pair (the latest call of that pair: the record an outcome belongs to, and the agent a customer calling
back reaches)."""

from __future__ import annotations

from dataclasses import dataclass

DAY_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class CallRecord:
    """``{workspace, workerSid, from, to, reason, taskSid?, queueSid?, startedAt}``; ``expires_at`` is its TTL
    (``startedAt`` + CALL_RECORD_DAYS)."""

    workspace: str
    worker_sid: str
    from_number: str
    to: str
    reason: str
    started_at: float
    expires_at: float
    task_sid: str | None = None
    queue_sid: str | None = None


@dataclass(frozen=True, slots=True)
class LatestCall:
    """The latest call of a From/To pair (its callback item): who placed it, for which account, when."""

    account_sid: str
    worker_sid: str
    from_number: str
    to: str
    started_at: float
    record_sk: str

    def reaches(self, account_sid: str, now: float, affinity_days: int) -> bool:
        """Whether a customer calling back now, into ``account_sid``, goes to this call's agent: the same account
        (never another tenant's agent), within ``affinity_days`` (0 = off)."""
        return (
            affinity_days > 0
            and self.account_sid == account_sid
            and now - self.started_at <= affinity_days * DAY_SECONDS
        )
