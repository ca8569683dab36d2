"""Carrier signals in a number's recent window: SIP codes that mean the carrier's analytics rejected the call, short
calls, and the share of both that makes a number suspected_blocked."""

from __future__ import annotations

import pytest

from callerid.domain.reputation import (
    Guard,
    RecentWindow,
    ReputationLimits,
    Usage,
    blocked_by_carrier,
    guard_of,
    sip_code,
)

LIMITS = ReputationLimits(min_attempts=4, window_attempts=10, max_blocked_rate=0.5, cooldown_seconds=60)


@pytest.mark.parametrize(
    ("raw", "code"),
    [(603, 603), ("603", 603), ("603+", 603), (" 608 ", 608), ("60", None), ("abc", None), (None, None)],
)
def test_a_sip_code_is_read_as_twilio_sends_it(raw, code):
    assert sip_code(raw) == code


def test_only_the_analytics_rejections_count_as_blocked():
    assert [c for c in (486, 480, 603, 607, 608, 404) if blocked_by_carrier(c)] == [603, 607, 608]


def test_blocked_and_short_calls_make_a_number_suspected_once_the_window_holds_enough():
    window = RecentWindow()
    for answered, blocked, short in [(False, True, False), (True, False, True), (True, False, False)]:
        window = window.add(answered, LIMITS.window_attempts, blocked=blocked, short=short)
    assert (window.attempts, window.answered, window.blocked, window.short_calls) == (3, 2, 1, 1)
    assert not window.suspected_blocked(LIMITS)  # fewer than min_attempts
    window = window.add(False, LIMITS.window_attempts)
    assert window.suspected_blocked(LIMITS)  # 2 of 4
    assert not window.suspected_blocked(ReputationLimits(min_attempts=4))  # the rule is off at 0


def test_a_suspected_blocked_cooldown_rests_the_number_with_its_own_guard():
    now = 1_000.0
    assert (
        guard_of(Usage(cooling_until=now + 5, cooling_why="suspected_blocked"), LIMITS, now) is Guard.SUSPECTED_BLOCKED
    )
    assert guard_of(Usage(cooling_until=now + 5), LIMITS, now) is Guard.COOLING
    assert guard_of(Usage(cooling_until=now - 5, cooling_why="suspected_blocked"), LIMITS, now) is None
