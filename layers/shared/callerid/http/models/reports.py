"""One number's reports: its health (outcomes, use, the reputation state, daily counts) and its recent calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from callerid.domain.calls import DailyCounts, RecentCall
from callerid.domain.reputation import day_of
from callerid.http.models.common import ApiModel, iso

if TYPE_CHECKING:
    from callerid.service.management import HealthReport


class RateOut(ApiModel):
    attempts: int
    answered: int
    answer_rate: float | None


class RecentOut(RateOut):
    blocked: int = 0
    short_calls: int = 0


class DailyOut(ApiModel):
    date: str
    calls: int
    answered: int
    blocked: int
    short: int

    @classmethod
    def of(cls, day: DailyCounts) -> DailyOut:
        return cls(date=day.date, calls=day.calls, answered=day.answered, blocked=day.blocked, short=day.short)


class NumberHealthOut(RateOut):
    """A number's call outcomes from call-status webhooks (all time, and ``recent``: its last
    HEALTH_WINDOW_ATTEMPTS), its calls today (UTC) and last use from the call path, and the reputation state the
    call path sees now (``ok`` when it is within its limits; ``coolingUntil`` while it cools)."""

    phone_number: str
    blocked: int = 0
    short_calls: int = 0
    recent: RecentOut | None = None
    calls_today: int | None = None
    last_used_at: str | None = None
    state: Literal["ok", "capped", "spacing", "cooling", "suspected_blocked"] = "ok"
    cooling_until: str | None = None
    daily: list[DailyOut] | None = None

    @classmethod
    def of(cls, phone_number: str, report: HealthReport) -> NumberHealthOut:
        outcomes, recent = report.outcomes, report.outcomes.recent
        return cls(
            phone_number=phone_number,
            attempts=outcomes.attempts,
            answered=outcomes.answered,
            answer_rate=outcomes.answer_rate,
            blocked=outcomes.blocked,
            short_calls=outcomes.short_calls,
            recent=RecentOut(
                attempts=recent.attempts,
                answered=recent.answered,
                answer_rate=recent.answer_rate,
                blocked=recent.blocked,
                short_calls=recent.short_calls,
            ),
            calls_today=report.usage.calls_on(day_of(report.now)),
            last_used_at=iso(report.usage.last_used),
            state=report.guard.value if report.guard else "ok",
            cooling_until=iso(report.cooling_until),
            daily=None if report.daily is None else [DailyOut.of(d) for d in report.daily],
        )


class RecentCallOut(ApiModel):
    call_sid: str | None = None
    worker_sid: str
    to: str
    reason: str
    started_at: str
    outcome: Literal["answered", "no_answer", "busy", "failed", "blocked", "canceled"] | None = None
    duration_seconds: int | None = None
    sip_code: int | None = None

    @classmethod
    def of(cls, call: RecentCall) -> RecentCallOut:
        return cls(
            call_sid=call.call_sid,
            worker_sid=call.worker_sid,
            to=call.to,
            reason=call.reason,
            started_at=iso(call.started_at) or "",
            outcome=call.outcome,
            duration_seconds=call.duration_seconds,
            sip_code=call.sip_code,
        )


class CallsPageMeta(ApiModel):
    page: int
    per_page: int
    has_more: bool


class RecentCallList(ApiModel):
    """A number's recent outbound calls (the workspace's), newest first."""

    calls: list[RecentCallOut]
    meta: CallsPageMeta
