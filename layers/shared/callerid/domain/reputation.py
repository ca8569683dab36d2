"""Number reputation (PRODUCT.md, "Number reputation"): when a number rests, and the recent window of outcomes.

A number *rests* when it reached the daily cap (``capped``), was used too recently (``spacing``), or its answer
rate over its recent attempts fell below the floor (``cooling``, until ``cooling_until``). The call path knows a
number's usage from its phone item (written by the very write that takes the lock), never from its record; the
store's lock condition states the same rule (``store.phones.within_limits_condition``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DAY_SECONDS = 86_400


class Guard(StrEnum):
    CAPPED = "capped"
    SPACING = "spacing"
    COOLING = "cooling"
    SUSPECTED_BLOCKED = "suspected_blocked"


# Calls rejected by the terminating carrier's analytics (603+ arrives as 603).
BLOCKING_SIP_CODES = frozenset({603, 607, 608})
SUSPECTED_BLOCKED = "suspected_blocked"


def sip_code(raw: object) -> int | None:
    """A SIP response code as Twilio sends it (``603``, ``"603"``, ``"603+"``), or ``None``."""
    digits = "".join(c for c in str(raw or "").strip()[:3] if c.isascii() and c.isdigit())
    return int(digits) if len(digits) == 3 else None


def blocked_by_carrier(code: int | None) -> bool:
    return code in BLOCKING_SIP_CODES


@dataclass(frozen=True, slots=True)
class ReputationLimits:
    """The deployment's limits; a cap, a spacing or a floor of 0 turns that rule off."""

    daily_call_cap: int = 0
    min_seconds_between_calls: int = 0
    window_attempts: int = 50
    min_attempts: int = 20
    min_answer_rate: float = 0.0
    cooldown_seconds: int = 86_400
    # Answered calls shorter than this are "short" (the callee saw a spam label); a share of blocked and short calls
    # in the recent window of max_blocked_rate or more makes the number suspected_blocked (0 = off).
    short_call_seconds: int = 6
    max_blocked_rate: float = 0.0

    @property
    def active(self) -> bool:
        return bool(self.daily_call_cap or self.min_seconds_between_calls or self.cools_at_all)

    @property
    def cools_at_all(self) -> bool:
        """Whether any rule rests a number for a cooldown (the answer-rate floor or the blocked-rate ceiling)."""
        return bool(self.min_answer_rate or self.max_blocked_rate)


def day_of(now: float) -> int:
    """The UTC day a call counts in (``calls today`` resets at 00:00 UTC)."""
    return int(now // DAY_SECONDS)


@dataclass(frozen=True, slots=True)
class Usage:
    """What the phone item says of a number's use: its last call, its calls on ``day``, its cooldown, and the answer
    rate of its recent window (``None`` while the window holds fewer than the minimum attempts)."""

    last_used: float | None = None
    day: int | None = None
    calls: int = 0
    cooling_until: float | None = None
    recent_rate: float | None = None
    # Why the cooldown runs: "suspected_blocked", or None (the answer-rate floor).
    cooling_why: str | None = None

    def calls_on(self, day: int) -> int:
        return self.calls if self.day == day else 0


NO_LIMITS = ReputationLimits()
UNUSED = Usage()


def guard_of(usage: Usage, limits: ReputationLimits, now: float) -> Guard | None:
    """Why the number rests now, or ``None`` when it is within its limits."""
    if limits.daily_call_cap and usage.calls_on(day_of(now)) >= limits.daily_call_cap:
        return Guard.CAPPED
    spacing = limits.min_seconds_between_calls
    if spacing and usage.last_used is not None and usage.last_used > now - spacing:
        return Guard.SPACING
    if limits.cools_at_all and usage.cooling_until is not None and usage.cooling_until >= now:
        return Guard.SUSPECTED_BLOCKED if usage.cooling_why == SUSPECTED_BLOCKED else Guard.COOLING
    return None


@dataclass(frozen=True, slots=True)
class RecentWindow:
    """The outcomes of a number's last attempts, oldest first (``"1"`` answered, ``"0"`` not, ``"b"`` blocked by
    the carrier: not answered, ``"s"`` answered but short)."""

    outcomes: str = ""

    def add(self, answered: bool, size: int, *, blocked: bool = False, short: bool = False) -> RecentWindow:
        mark = ("s" if short else "1") if answered else ("b" if blocked else "0")
        return RecentWindow((self.outcomes + mark)[-max(size, 1) :])

    def mark_blocked(self) -> RecentWindow:
        """A later source learned that a call counted as not answered was blocked by the carrier: its mark (the
        latest unanswered one, the window keeps no call SIDs) becomes ``"b"``."""
        at = self.outcomes.rfind("0")
        return self if at < 0 else RecentWindow(self.outcomes[:at] + "b" + self.outcomes[at + 1 :])

    @property
    def blocked(self) -> int:
        return self.outcomes.count("b")

    @property
    def short_calls(self) -> int:
        return self.outcomes.count("s")

    def suspected_blocked(self, limits: ReputationLimits) -> bool:
        """Whether this window's share of blocked and short calls makes the number suspected_blocked."""
        return (
            bool(limits.max_blocked_rate)
            and self.attempts >= limits.min_attempts
            and (self.blocked + self.short_calls) / self.attempts >= limits.max_blocked_rate
        )

    @property
    def attempts(self) -> int:
        return len(self.outcomes)

    @property
    def answered(self) -> int:
        return self.outcomes.count("1") + self.outcomes.count("s")

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.attempts if self.attempts else None

    def rate_for_ranking(self, limits: ReputationLimits) -> float | None:
        """The rate local presence ranks by: only over at least ``min_attempts`` attempts."""
        return self.answer_rate if self.attempts >= max(limits.min_attempts, 1) else None

    def cools(self, limits: ReputationLimits) -> bool:
        """Whether this window sends the number to cool down."""
        rate = self.answer_rate
        return (
            bool(limits.min_answer_rate)
            and self.attempts >= limits.min_attempts
            and rate is not None
            and rate < limits.min_answer_rate
        )


NO_OUTCOMES = RecentWindow()


@dataclass(frozen=True, slots=True)
class NumberHealth:
    """A number's call outcomes: all-time counters and the recent window."""

    attempts: int = 0
    answered: int = 0
    recent: RecentWindow = NO_OUTCOMES
    blocked: int = 0
    short_calls: int = 0

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.attempts if self.attempts else None
