"""Where an inbound call goes, from the stored record alone."""

from __future__ import annotations

from dataclasses import replace

from callerid.domain.numbers import NumberStatus
from callerid.service.inbound import InboundCall, InboundCalls, Route
from tests.unit.factories import ACCOUNT, number

NUMBER = replace(number("+12065550100"), inbound_agent="WK" + "7" * 32, allowed_inbound_countries=("US",))


class Records:
    def __init__(self, *records) -> None:
        self.records = {(r.owner_workspace, r.phone_number): r for r in records}

    def get(self, account_sid, phone_number, *, primary=None):
        return self.records.get((account_sid, phone_number))


def route(records, caller="+14155552671", to="+12065550100", redirect=False):
    return InboundCalls(records, redirect=redirect).route(InboundCall(ACCOUNT, "CA" + "1" * 32, to, caller))


def test_a_call_goes_to_the_numbers_inbound_agent():
    answer = route(Records(NUMBER))
    assert answer.route is Route.ENQUEUE and answer.task_attributes()["targetWorker"] == NUMBER.inbound_agent


def test_a_studio_flow_takes_the_call_when_one_is_configured():
    assert route(Records(NUMBER), redirect=True).route is Route.REDIRECT


def test_callers_outside_the_allowed_countries_or_without_a_number_are_rejected():
    assert route(Records(NUMBER), caller="+442079460958").route is Route.REJECT
    assert route(Records(NUMBER), caller="client:alice").route is Route.REJECT
    assert route(Records(replace(NUMBER, allowed_inbound_countries=())), caller="client:alice").route is Route.ENQUEUE


def test_inactive_and_released_numbers_reject_and_unknown_ones_still_reach_flex():
    for status in (NumberStatus.INACTIVE, NumberStatus.RELEASED):
        assert route(Records(replace(NUMBER, status=status))).route is Route.REJECT
    unknown = route(Records())
    assert unknown.route is Route.ENQUEUE and "targetWorker" not in unknown.task_attributes()
