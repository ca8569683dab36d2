from __future__ import annotations

import json

import pytest

from callerid.domain.attributes import merge_selection
from callerid.domain.errors import Forbidden, InvalidPhoneNumber, InvalidRequest
from callerid.domain.identity import Caller, Role
from callerid.domain.phone import describe_number, destination, normalise_e164


@pytest.mark.parametrize(
    "raw", ["(415) 555-0100", "415.555.0100", "+1 415 555 0100", "1-415-555-0100", "tel:+14155550100"]
)
def test_any_parseable_format_becomes_e164(raw):
    assert normalise_e164(raw) == "+14155550100"


@pytest.mark.parametrize("raw", ["", "  ", "hello", "123", "+999 1234", "+1 415 555 01000000", "4"])
def test_unparseable_numbers_are_rejected(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalise_e164(raw)


def test_destination_knows_country_and_area_code():
    assert destination("+44 20 7946 0958").country == "GB"
    assert destination("(212) 555-0100").area_code == "212"


def test_describe_number_derives_locality_and_time_zone():
    facts = describe_number("+14155550100")
    assert facts.country == "US" and facts.area_code == "415"
    assert "CA" in (facts.locality or "") and "America/Los_Angeles" in facts.time_zones


def caller(*roles, worker="WK" + "1" * 32):
    return Caller("AC" + "a" * 32, "alice", frozenset(roles), worker)


def test_supervisors_may_do_what_agents_may():
    assert caller("supervisor").may(Role.AGENT) and caller("admin").may(Role.SUPERVISOR)
    with pytest.raises(Forbidden):
        caller("agent").require(Role.SUPERVISOR)


def test_unknown_roles_grant_nothing():
    assert not caller("wfo.full_access").may(Role.AGENT)


def test_a_user_without_worker_cannot_hold_caller_ids():
    with pytest.raises(Forbidden):
        caller("agent", worker=None).worker()


def test_selection_merge_keeps_every_other_attribute():
    before = json.dumps({"skills": ["sales"], "contact_uri": "client:alice", "selectedCallerId": "+1"})
    after = json.loads(merge_selection(before, "+12125550100", True))
    assert after == {
        "skills": ["sales"],
        "contact_uri": "client:alice",
        "selectedCallerId": "+12125550100",
        "localPresence": True,
    }
    cleared = json.loads(merge_selection(before, None, False))
    assert "selectedCallerId" not in cleared and cleared["skills"] == ["sales"]


def test_attributes_that_are_not_an_object_are_never_overwritten():
    with pytest.raises(InvalidRequest):
        merge_selection("[1, 2]", "+12125550100", False)
