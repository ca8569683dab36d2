"""The invocation's deadline: retry loops stop in time for the function to answer before Lambda's timeout.

Set once per invocation from the Lambda context (remaining time minus a margin for answering); read by the
Twilio transport before every attempt and every backoff, and by long work in pages (``PagePace``: a listing's
Query pages, a refresh's Twilio pages). Outside an invocation there is no deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

# Time kept back to build and return the answer (and log) after the last dependency gave up.
MARGIN_SECONDS = 1.5

_deadline: ContextVar[float | None] = ContextVar("invocation_deadline", default=None)


class HasRemainingTime(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


@contextmanager
def invocation(context: HasRemainingTime | None, *, margin: float = MARGIN_SECONDS) -> Iterator[None]:
    """Within this block, the deadline is the Lambda context's remaining time less ``margin`` (none without a
    context); it ends with the block."""
    moment = None if context is None else time.monotonic() + context.get_remaining_time_in_millis() / 1000 - margin
    token = _deadline.set(moment)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the deadline (negative once past it), or ``None`` outside an invocation."""
    moment = _deadline.get()
    return None if moment is None else moment - time.monotonic()


class PagePace:
    """Whether another page of a long piece of work (a listing's Query pages, a refresh's Twilio pages) fits in the
    invocation: it must leave ``reserve`` seconds (or the check's own) after taking as long as the longest page so
    far. A fixed reserve alone lets one slow page run past Lambda's timeout. ``remaining``: seconds left (``None``
    outside an invocation: everything fits)."""

    def __init__(self, reserve: float, remaining: Callable[[], float | None] = remaining) -> None:
        self.reserve = reserve
        self.remaining = remaining
        self.longest = 0.0
        self.began: float | None = None

    def start(self) -> None:
        """A page begins."""
        self.began = self.remaining()

    def another_fits(self, reserve: float | None = None) -> bool:
        """Whether another page fits, counting the one under way (since ``start``) among the pages seen, with
        ``reserve`` seconds left after it (the pace's own when ``None``)."""
        left = self.remaining()
        if left is None:
            return True
        if self.began is not None:
            self.longest = max(self.longest, self.began - left)
        return left >= (self.reserve if reserve is None else reserve) + self.longest
