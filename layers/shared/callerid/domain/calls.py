"""An outbound call the backend chose a From for: its record, kept CALL_RECORD_DAYS, and the callback affinity of
its From/To pair (the latest call of that pair: the record an outcome belongs to, and the agent a customer calling
back reaches)."""

from __future__ import annotations

from dataclasses import dataclass

from callerid.domain.reputation import BLOCKING_SIP_CODES, RecentWindow

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


# Twilio's terminal statuses of a call (the Calls resource, call-status callbacks).
TERMINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
# A Voice Insights call summary's ``call_state`` -> the Calls resource's status.
SUMMARY_STATES = {
    "completed": "completed",
    "answered": "completed",
    "noanswer": "no-answer",
    "busy": "busy",
    "fail": "failed",
    "failed": "failed",
    "canceled": "canceled",
}
OUTCOMES = ("answered", "no_answer", "busy", "failed", "blocked", "canceled")


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """How a call from one of the numbers ended, as one source (``call-status``, ``taskrouter``,
    ``event-streams``) tells it. ``call_sid`` is the idempotency key across sources (a task with no customer leg:
    its task SID). ``status`` is one of ``TERMINAL_STATUSES``; ``duration`` the seconds it was connected."""

    account_sid: str
    call_sid: str
    from_number: str
    to: str | None
    status: str
    source: str
    duration: int | None = None
    sip_code: int | None = None

    @property
    def answered(self) -> bool:
        return self.status == "completed"

    @property
    def blocked(self) -> bool:
        return not self.answered and self.sip_code in BLOCKING_SIP_CODES

    def short(self, short_call_seconds: int) -> bool:
        """Answered, and hung up within ``short_call_seconds`` (the callee saw a spam label)."""
        return self.answered and self.duration is not None and self.duration < short_call_seconds

    @property
    def outcome(self) -> str:
        """The call's outcome as the recent-calls route shows it (``OUTCOMES``)."""
        if self.answered:
            return "answered"
        if self.blocked:
            return "blocked"
        return {"no-answer": "no_answer", "busy": "busy", "canceled": "canceled"}.get(self.status, "failed")


@dataclass(frozen=True, slots=True)
class RecentCall:
    """One of a number's recent calls, as ``GET /v1/phone-numbers/{sid}/calls`` shows it."""

    worker_sid: str
    to: str
    reason: str
    started_at: float
    call_sid: str | None = None
    outcome: str | None = None
    duration_seconds: int | None = None
    sip_code: int | None = None


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """A number's outcomes of one UTC day (``date``: ``YYYY-MM-DD``)."""

    date: str
    calls: int = 0
    answered: int = 0
    blocked: int = 0
    short: int = 0


@dataclass(frozen=True, slots=True)
class OutcomeWrite:
    """What recording an outcome did: ``counted`` (the first source of this call), ``detailed`` (a later source
    added a detail: its SIP code, its duration), and the number's recent window after it (``None``: unchanged)."""

    counted: bool
    detailed: bool = False
    window: RecentWindow | None = None
