"""A listing too long for the invocation (the compat route's every number at a size the function cannot read in
time) answers 503 before Lambda's timeout, checked between Query pages; with time left it reads on."""

from __future__ import annotations

import pytest

from callerid import deadline
from callerid.domain.errors import StoreUnavailable
from callerid.store.listing import ListingRepository


class Context:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


def records_read(context: Context | None) -> int:
    read = 0

    def items():
        nonlocal read
        for index in range(2500):
            read = index + 1
            yield index

    with deadline.invocation(context):
        ListingRepository._take(items(), skip=10_000, take=1)  # type: ignore[arg-type]
    return read


def test_a_listing_past_its_deadline_stops_with_a_503_after_one_page():
    with pytest.raises(StoreUnavailable):
        records_read(Context(seconds=2.0))  # less than the answer's reserve once the margin is taken


def test_a_listing_with_time_left_or_outside_an_invocation_reads_on():
    assert records_read(Context(seconds=60.0)) == 2500
    assert records_read(None) == 2500
