from __future__ import annotations

from dataclasses import replace

import pytest

from callerid.domain.numbers import (
    DialRules,
    NumberQuery,
    NumberSource,
    NumberStatus,
    TwilioFacts,
    Verdict,
    dial_rule,
    select_numbers,
)
from callerid.domain.pools import candidate_of
from callerid.store.pools import parse_pool, pool_entry
from tests.unit.factories import ACCOUNT, number

PARENT, GRANDPARENT = "AC" + "b" * 32, "AC" + "c" * 32

NUMBERS = [
    number("+12065550100", friendly="Seattle"),
    number("+12125550100", friendly="New York", label="sales"),
    number("+14155550100", friendly="San Francisco", status=NumberStatus.INACTIVE),
    number("+15035550100", friendly="Portland", source=NumberSource.VERIFIED),
    number("+13125550100", friendly="Chicago", source=NumberSource.BYOT),
]


def phones(page):
    return [n.phone_number for n in page.numbers]


def test_outgoing_only_numbers_can_be_left_out():
    assert "+15035550100" in phones(select_numbers(NUMBERS, NumberQuery()))
    assert "+15035550100" not in phones(select_numbers(NUMBERS, NumberQuery(include_outgoing_only=False)))


def test_source_and_status_filters():
    assert phones(select_numbers(NUMBERS, NumberQuery(source=NumberSource.BYOT))) == ["+13125550100"]
    assert phones(select_numbers(NUMBERS, NumberQuery(status=NumberStatus.INACTIVE))) == ["+14155550100"]


def test_search_matches_names_labels_and_digits():
    assert phones(select_numbers(NUMBERS, NumberQuery(search="york"))) == ["+12125550100"]
    assert phones(select_numbers(NUMBERS, NumberQuery(search="SALES"))) == ["+12125550100"]
    assert phones(select_numbers(NUMBERS, NumberQuery(search="(415) 555"))) == ["+14155550100"]


def test_pages_count_from_one_and_report_the_total():
    page = select_numbers(NUMBERS, NumberQuery(page=2, per_page=2))
    assert phones(page) == ["+14155550100", "+15035550100"]
    assert (page.page, page.per_page, page.total) == (2, 2, 5)
    assert select_numbers(NUMBERS, NumberQuery(page=9, per_page=2)).numbers == ()


def test_released_numbers_are_never_listed():
    released = number("+16175550100", status=NumberStatus.RELEASED)
    assert phones(select_numbers([*NUMBERS, released], NumberQuery())) == phones(select_numbers(NUMBERS, NumberQuery()))


def rules(**by_workspace):
    return DialRules({account: dial_rule(record) for account, record in by_workspace.items()})


@pytest.mark.parametrize(
    ("record", "country", "verdict"),
    [
        (number("+12065550100"), "US", Verdict.OWN),
        (number("+12065550100", countries=("US",)), "GB", Verdict.COUNTRY),
        (number("+12065550100", countries=("US",)), None, Verdict.COUNTRY),
        (number("+12065550100", status=NumberStatus.INACTIVE), "US", Verdict.UNKNOWN),
        (number("+12065550100", voice=False), "US", Verdict.UNKNOWN),
        (number("+12065550100", status=NumberStatus.RELEASED), "US", Verdict.UNKNOWN),
    ],
)
def test_a_workspace_may_call_from_its_own_active_voice_numbers_within_their_countries(record, country, verdict):
    assert rules(**{ACCOUNT: record}).verdict(ACCOUNT, (), country) is verdict


def test_a_descendant_may_call_from_what_an_ancestor_shares_and_nothing_else():
    shared = replace(number("+12065550100"), owner_workspace=GRANDPARENT, outbound_shareable=True)
    private = replace(number("+12065550100"), owner_workspace=PARENT)
    assert rules(**{GRANDPARENT: shared}).verdict(ACCOUNT, (PARENT, GRANDPARENT), "US") is Verdict.SHARED
    assert rules(**{PARENT: private}).verdict(ACCOUNT, (PARENT, GRANDPARENT), "US") is Verdict.UNKNOWN
    assert rules(**{GRANDPARENT: shared}).verdict("AC" + "f" * 32, (), "US") is Verdict.UNKNOWN, "not a descendant"
    inactive = replace(shared, status=NumberStatus.INACTIVE)
    assert rules(**{GRANDPARENT: inactive}).verdict(ACCOUNT, (PARENT, GRANDPARENT), "US") is Verdict.UNKNOWN


def test_the_holder_of_a_phone_is_the_workspace_itself_before_an_ancestor():
    own = number("+12065550100", status=NumberStatus.INACTIVE)
    shared = replace(number("+12065550100"), owner_workspace=PARENT, outbound_shareable=True)
    assert rules(**{ACCOUNT: own, PARENT: shared}).holder(ACCOUNT, (PARENT,))[0] == ACCOUNT
    released = replace(own, status=NumberStatus.RELEASED)
    assert rules(**{ACCOUNT: released, PARENT: shared}).holder(ACCOUNT, (PARENT,))[0] == PARENT


def test_twilio_facts_fingerprint_changes_with_what_twilio_owns_only():
    facts = TwilioFacts("PN" + "1" * 32, "+12065550100", "Seattle", NumberSource.TWILIO, created_at="2026-01-01")
    assert facts.fingerprint() == replace(facts, created_at="2026-02-02").fingerprint()
    assert facts.fingerprint() != replace(facts, friendly_name="Seattle HQ").fingerprint()
    assert facts.fingerprint() != replace(facts, voice=False).fingerprint()


def test_a_pool_entry_round_trips_what_the_call_path_needs():
    record = replace(number("+12065550100", countries=("US", "CA")), outbound_shareable=True)
    (candidate,) = parse_pool(ACCOUNT, {record.phone_number: pool_entry(candidate_of(record))})
    assert (candidate.shared, candidate.assigned, candidate.outbound_countries) == (True, False, ("US", "CA"))
    assert candidate.may_call("CA") and not candidate.may_call("GB")
