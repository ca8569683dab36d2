"""A listing too long for the invocation (the compat route's every number at a size the function cannot read in
time) answers 503 before Lambda's timeout: before each Query page it checks that the page, taking as long as the
longest so far, still leaves the answer's reserve; with time left, or outside an invocation, it reads on. Counted
on a fake clock, never timed."""

from __future__ import annotations

from callerid.domain.errors import StoreUnavailable
from callerid.store.listing import ANSWER_RESERVE_SECONDS, LARGEST_LIMITED_PAGE, paced, page_size


class Invocation:
    """Seconds left before the deadline, on a fake clock that each page advances."""

    def __init__(self, left: float) -> None:
        self.left = left

    def __call__(self) -> float:
        return self.left


def pages_read(left: float, page_seconds: list[float]) -> tuple[int, bool]:
    """Pages a listing reads (each taking its seconds) before it ends or stops; and whether it stopped."""
    invocation = Invocation(left)
    pace = paced(invocation)
    for read, seconds in enumerate(page_seconds):
        try:
            pace()
        except StoreUnavailable:
            assert invocation.left >= 0, "stopped before the deadline"
            return read, True
        invocation.left -= seconds
    return len(page_seconds), False


def test_a_listing_stops_before_a_page_that_would_eat_the_answers_reserve():
    # 10 s left, pages of 2 s: after 3 pages 4 s are left, less than the reserve (3 s) and a page (2 s).
    assert pages_read(10.0, [2.0] * 10) == (3, True)


def test_a_slower_page_counts_for_the_next_ones():
    # A 5 s page: with 7 s left after it, a page as slow as that one does not fit with the reserve.
    assert pages_read(12.0, [0.5, 5.0, 0.5, 0.5]) == (2, True)


def test_a_listing_with_no_time_for_a_first_page_stops_at_once():
    assert pages_read(ANSWER_RESERVE_SECONDS - 0.1, [0.1]) == (0, True)


def test_a_listing_with_time_left_or_outside_an_invocation_reads_on():
    assert pages_read(60.0, [1.0] * 20) == (20, False)
    pace = paced(lambda: None)
    for _ in range(100):
        pace()


def test_only_a_listing_longer_than_any_page_reads_dynamodbs_largest_pages():
    assert page_size(0, 50) == 50 and page_size(950, 50) == 1000 and page_size(99, 1000) == LARGEST_LIMITED_PAGE
    assert page_size(0, 100_000) is None
