from __future__ import annotations

from dataclasses import replace

from callerid.domain.numbers import (
    Catalogue,
    NumberQuery,
    NumberSource,
    NumberStatus,
    OutboundAssignment,
    dialable_numbers,
    merge_refresh,
    select_numbers,
    with_number,
)
from callerid.store.codec import decode_numbers, encode_numbers
from tests.unit.factories import ACCOUNT, number

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


def test_a_refresh_keeps_local_metadata_and_byot_numbers():
    previous = Catalogue(
        ACCOUNT,
        (
            replace(NUMBERS[0], label="main", is_primary=True, allowed_outbound_countries=("US",)),
            NUMBERS[4],
            number("+17185550100", friendly="released at Twilio"),
        ),
        refreshed_at=1.0,
        version=3,
    )
    fresh = [replace(NUMBERS[0], friendly_name="Seattle (renamed at Twilio)"), NUMBERS[1]]
    merged = merge_refresh(previous, fresh, account_sid=ACCOUNT, now=50.0)
    by_phone = {n.phone_number: n for n in merged.numbers}
    assert set(by_phone) == {"+12065550100", "+12125550100", "+13125550100"}
    seattle = by_phone["+12065550100"]
    assert (seattle.friendly_name, seattle.label, seattle.is_primary) == ("Seattle (renamed at Twilio)", "main", True)
    assert seattle.allowed_outbound_countries == ("US",)
    assert merged.refreshed_at == 50.0 and merged.version == 3


def test_with_number_adds_or_replaces_by_phone_number():
    catalogue = Catalogue(ACCOUNT, tuple(NUMBERS[:2]), 1.0)
    added = with_number(catalogue, number("+15035550100", source=NumberSource.VERIFIED))
    assert len(added.numbers) == 3
    again = with_number(added, number("+15035550100", source=NumberSource.VERIFIED, friendly="again"))
    assert len(again.numbers) == 3


def test_the_stored_form_round_trips():
    numbers = (
        *NUMBERS,
        replace(
            NUMBERS[0],
            sid="PNx",
            outbound_assignment=OutboundAssignment(team="west"),
            time_zones=("America/Los_Angeles",),
        ),
    )
    assert decode_numbers(encode_numbers(numbers)) == numbers


def test_thousands_of_numbers_fit_in_one_item():
    many = tuple(replace(NUMBERS[0], sid=f"PN{i:032d}", phone_number=f"+1206555{i:04d}") for i in range(5000))
    assert len(encode_numbers(many)) < 350_000


def test_ancestors_share_only_active_shareable_numbers_and_never_a_duplicate():
    parent = "AC" + "p" * 32
    shared = replace(number("+13105550100"), owner_workspace=parent, outbound_shareable=True)
    private = replace(number("+13105550101"), owner_workspace=parent)
    inactive = replace(
        number("+13105550102"), owner_workspace=parent, outbound_shareable=True, status=NumberStatus.INACTIVE
    )
    duplicate = replace(NUMBERS[0], owner_workspace=parent, outbound_shareable=True, friendly_name="parent's copy")
    own = Catalogue(ACCOUNT, (NUMBERS[0],), 1.0)
    dialable = dialable_numbers(own, [Catalogue(parent, (shared, private, inactive, duplicate), 1.0)])
    assert [n.phone_number for n in dialable] == ["+12065550100", "+13105550100"]
    assert dialable[0].owner_workspace == ACCOUNT
    assert dialable_numbers(None, []) == ()
