from __future__ import annotations

import pytest

from callerid.domain.errors import DestinationNotAllowed, NoCallerIdAvailable
from callerid.domain.numbers import Candidate
from callerid.domain.phone import destination
from callerid.domain.resolution import Reason, ResolutionRequest, plan_from_number
from tests.unit.factories import ACCOUNT, ALICE, BOB

SF, NY, CHI, TOLL = "+14155550100", "+12125550100", "+13125550100", "+18335550100"
TO_US = destination("+14155552671")


def candidate(phone, *, countries=(), assigned=False):
    return Candidate(phone, ACCOUNT, assigned=assigned, outbound_countries=countries)


def plan(pool=(), worker=ALICE, **kwargs):
    request = ResolutionRequest(worker=worker, destination=kwargs.pop("to", TO_US), pool=tuple(pool), **kwargs)
    return [(c.phone_number, c.reason) for c in plan_from_number(request)]


def test_selection_comes_before_primary_and_fallback():
    assert plan([candidate(SF)], selection=CHI, primary=NY) == [
        (CHI, Reason.WORKER_SELECTION),
        (NY, Reason.PRIMARY),
        (SF, Reason.FALLBACK),
    ]


def test_a_number_is_offered_once_by_its_first_step():
    assert plan([candidate(NY), candidate(SF)], selection=NY, primary=NY)[:2] == [
        (NY, Reason.WORKER_SELECTION),
        (SF, Reason.FALLBACK),
    ]


def test_fallback_prefers_numbers_without_an_assignment():
    assert [p for p, _ in plan([candidate(CHI, assigned=True), candidate(SF), candidate(NY)])][-1] == CHI


def test_workers_start_at_different_places_in_the_pool():
    pool = [candidate(f"+1206555{n:04d}") for n in range(40)]
    firsts = {plan(pool, worker=w)[0][0] for w in (ALICE, BOB)}
    assert len(firsts) == 2
    assert sorted(p for p, _ in plan(pool, worker=ALICE)) == sorted(c.phone_number for c in pool)


def test_destination_outside_every_allowed_country_is_refused():
    pool = [candidate(SF, countries=("US",)), candidate(NY, countries=("CA", "US"))]
    with pytest.raises(DestinationNotAllowed):
        plan(pool, to=destination("+442079460958"))


def test_destination_filter_keeps_numbers_without_restrictions():
    pool = [candidate(SF, countries=("US",)), candidate(NY)]
    assert plan(pool, to=destination("+442079460958")) == [(NY, Reason.FALLBACK)]


def test_a_selection_or_primary_is_tried_whatever_the_pool_says():
    """The lock's condition judges them (their records are not read on the call path)."""
    pool = [candidate(SF, countries=("US",))]
    assert plan(pool, selection=NY, to=destination("+442079460958")) == [(NY, Reason.WORKER_SELECTION)]


def test_a_workspace_without_numbers_has_no_caller_id():
    with pytest.raises(NoCallerIdAvailable):
        plan([])


def test_verified_caller_ids_are_candidates_too():
    assert plan([candidate(TOLL)]) == [(TOLL, Reason.FALLBACK)]
