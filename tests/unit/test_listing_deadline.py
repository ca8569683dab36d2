"""A listing too long for the invocation (the compat route's every number at a size the function cannot read in
time) answers 503 before Lambda's timeout: before each Query page it checks that the page, taking as long as the
longest so far, still leaves the time to build the answer from the records read and a largest page's more; with
time left, or outside an invocation, it reads on. Counted on a fake clock, never timed."""

from __future__ import annotations

import pytest

from callerid.domain.errors import StoreUnavailable
from callerid.store.listing import ANSWER_SECONDS_PER_RECORD, LARGEST_LIMITED_PAGE, paced, page_size


class Invocation:
    """Seconds left before the deadline, on a fake clock that each page advances."""

    def __init__(self, left: float) -> None:
        self.left = left

    def __call__(self) -> float:
        return self.left


def pages_read(left: float, pages: list[tuple[float, int]], held: int = 0) -> tuple[int, bool]:
    """Pages a listing reads (each taking its seconds and answering its records, after ``held`` records the answer
    holds already) before it ends or stops; and whether it stopped."""
    invocation = Invocation(left)
    pace = paced(invocation, held=held)
    answered = 0
    for read, (seconds, records) in enumerate(pages):
        try:
            pace(answered)
        except StoreUnavailable:
            assert invocation.left >= 0, "stopped before the deadline"
            return read, True
        invocation.left -= seconds
        answered += records
    return len(pages), False


def test_a_listing_stops_before_a_page_that_would_eat_the_answers_time():
    # 10.3 s left, pages of 2 s and 10,000 records (0.4 s of answer each): after 4 pages 2.3 s are left, less
    # than a page (2 s) and the answer of 50,000 records (2 s).
    assert pytest.approx(0.4) == ANSWER_SECONDS_PER_RECORD * 10_000
    assert pages_read(10.3, [(2.0, 10_000)] * 10) == (4, True)


def test_the_answers_time_grows_with_the_records_read():
    # The same pages with 1,000 records each: after 4 pages the answer of 5,000 needs 0.2 s, so a fifth page fits.
    assert pages_read(10.3, [(2.0, 1_000)] * 10) == (5, True)
    # A page of 40,000 records among small ones: the next check keeps 81,000 records' time (3.24 s), not 3,000's.
    assert pages_read(4.5, [(0.5, 1_000), (0.5, 40_000), (0.5, 1_000), (0.5, 1_000)]) == (2, True)
    assert pages_read(4.5, [(0.5, 1_000)] * 4) == (4, False)


def test_the_records_held_before_a_listing_count_too():
    # An ancestor's shared numbers after 50,000 own records: the same pages that fit alone (the answer of 4,000
    # records, 0.16 s) stop after the first once the 50,000 (2 s) must be answered as well.
    assert pages_read(3.0, [(0.5, 1_000)] * 4) == (4, False)
    assert pages_read(3.0, [(0.5, 1_000)] * 4, held=50_000) == (1, True)


def test_a_slower_page_counts_for_the_next_ones():
    # A 5 s page: with 6.5 s left after it, a page as slow does not fit with the answer of 60,000 records (2.4 s).
    assert pages_read(12.0, [(0.5, 20_000), (5.0, 20_000), (0.5, 20_000), (0.5, 20_000)]) == (2, True)


def test_a_listing_past_its_deadline_stops_at_once():
    with pytest.raises(StoreUnavailable):
        paced(lambda: -0.1)(0)


def test_a_listing_with_time_left_or_outside_an_invocation_reads_on():
    assert pages_read(60.0, [(1.0, 2_000)] * 20) == (20, False)
    pace = paced(lambda: None)
    for read in range(100):
        pace(read * 2_500)


def test_only_a_listing_longer_than_any_page_reads_dynamodbs_largest_pages():
    assert page_size(0, 50) == 50 and page_size(950, 50) == 1000 and page_size(99, 1000) == LARGEST_LIMITED_PAGE
    assert page_size(0, 100_000) is None
