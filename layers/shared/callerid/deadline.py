"""The invocation's deadline: retry loops stop in time for the function to answer before Lambda's timeout.

Set once per invocation from the Lambda context (remaining time minus a margin for answering); read by the
Twilio transport before every attempt and every backoff. Outside an invocation there is no deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
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
