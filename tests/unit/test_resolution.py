from __future__ import annotations

import pytest

from callerid.domain.errors import DestinationNotAllowed, NoCallerIdAvailable, NotFound
from callerid.domain.numbers import NumberSource, NumberStatus, OutboundAssignment
from callerid.domain.phone import destination
from callerid.domain.resolution import Reason, ResolutionRequest, plan_from_number
from tests.unit.factories import ALICE, number

SF, NY, CHI, TOLL = "+14155550100", "+12125550100", "+13125550100", "+18335550100"
TO_US = destination("+14155552671")


def plan(numbers, **kwargs):
    request = ResolutionRequest(worker=ALICE, destination=kwargs.pop("to", TO_US), **kwargs)
    return [(c.number.phone_number, c.reason) for c in plan_from_number(request, numbers)]


def test_selection_comes_before_primary_and_fallback():
    numbers = [number(SF), number(NY, primary=True), number(CHI)]
    assert plan(numbers, selection=CHI) == [
        (CHI, Reason.WORKER_SELECTION),
        (NY, Reason.PRIMARY),
        (SF, Reason.FALLBACK),
    ]


def test_without_selection_the_primary_comes_first():
    numbers = [number(SF), number(NY, primary=True)]
    assert plan(numbers)[0] == (NY, Reason.PRIMARY)


def test_fallback_prefers_numbers_without_an_assignment():
    numbers = [number(CHI, assignment=OutboundAssignment(worker_sid="WK" + "9" * 32)), number(SF)]
    assert plan(numbers) == [(SF, Reason.FALLBACK), (CHI, Reason.FALLBACK)]


def test_an_explicit_number_is_the_only_choice():
    numbers = [number(SF, primary=True), number(NY)]
    assert plan(numbers, explicit_from=NY, selection=SF) == [(NY, Reason.EXPLICIT)]


def test_an_explicit_number_the_worker_may_not_use_is_not_found():
    with pytest.raises(NotFound):
        plan([number(SF)], explicit_from=NY)


@pytest.mark.parametrize("bad", [{"status": NumberStatus.INACTIVE}, {"voice": False}])
def test_inactive_or_voiceless_numbers_are_never_candidates(bad):
    numbers = [number(SF, primary=True, **bad), number(NY)]
    assert plan(numbers) == [(NY, Reason.FALLBACK)]
    with pytest.raises(NotFound):
        plan(numbers, explicit_from=SF)


def test_a_selection_outside_the_candidates_is_skipped():
    assert plan([number(SF)], selection=NY) == [(SF, Reason.FALLBACK)]


def test_destination_outside_every_allowed_country_is_refused():
    numbers = [number(SF, countries=("US",)), number(NY, countries=("CA", "US"))]
    with pytest.raises(DestinationNotAllowed):
        plan(numbers, to=destination("+442079460958"))


def test_destination_filter_keeps_numbers_without_restrictions():
    numbers = [number(SF, countries=("US",), primary=True), number(NY)]
    assert plan(numbers, to=destination("+442079460958")) == [(NY, Reason.FALLBACK)]


def test_explicit_number_that_may_not_call_the_destination_is_refused():
    with pytest.raises(DestinationNotAllowed):
        plan([number(SF, countries=("US",))], explicit_from=SF, to=destination("+442079460958"))


def test_a_workspace_without_numbers_has_no_caller_id():
    with pytest.raises(NoCallerIdAvailable):
        plan([])
    with pytest.raises(NoCallerIdAvailable):
        plan([number(SF, status=NumberStatus.INACTIVE)])


def test_verified_caller_ids_are_candidates_too():
    assert plan([number(TOLL, source=NumberSource.VERIFIED)]) == [(TOLL, Reason.FALLBACK)]
