"""Which number a transfer shows (``domain.transfers``) and the agent-number check (``service.transfers``)."""

from __future__ import annotations

import pytest

from callerid.domain.errors import InvalidPhoneNumber, InvalidRequest, NotFound
from callerid.domain.identity import Caller
from callerid.domain.transfers import DisplayedNumber, TransferType, transfer_caller_id
from callerid.service.transfers import TransferCallerIds
from tests.unit.factories import ACCOUNT

CUSTOMER, AGENT = "(415) 555-2671", "+12125550100"
SHOWS_CALLER, SHOWS_AGENT = DisplayedNumber.TRANSFEREE_NUMBER, DisplayedNumber.AGENT_NUMBER


def test_a_cold_transfer_shows_the_original_callers_number_by_default():
    chosen = transfer_caller_id(TransferType.COLD, SHOWS_CALLER, CUSTOMER, AGENT)
    assert (chosen.phone_number, chosen.agents) == ("+14155552671", False)


def test_a_cold_transfer_shows_the_agents_number_when_asked():
    assert transfer_caller_id(TransferType.COLD, SHOWS_AGENT, CUSTOMER, AGENT).phone_number == AGENT


@pytest.mark.parametrize("kind", [TransferType.WARM, TransferType.CONFERENCE])
@pytest.mark.parametrize("displayed", list(DisplayedNumber))
def test_warm_transfers_and_conferences_always_show_the_agents_number(kind, displayed):
    chosen = transfer_caller_id(kind, displayed, CUSTOMER, AGENT)
    assert (chosen.phone_number, chosen.agents) == (AGENT, True)


@pytest.mark.parametrize(
    ("kind", "displayed", "caller", "agent"),
    [
        (TransferType.COLD, SHOWS_CALLER, None, AGENT),
        (TransferType.COLD, SHOWS_AGENT, CUSTOMER, None),
        (TransferType.WARM, SHOWS_CALLER, CUSTOMER, None),
    ],
)
def test_the_number_shown_must_be_given(kind, displayed, caller, agent):
    with pytest.raises(InvalidRequest):
        transfer_caller_id(kind, displayed, caller, agent)


@pytest.mark.parametrize(("caller", "agent"), [("not a number", AGENT), (CUSTOMER, "+1212")])
def test_every_number_given_must_parse_even_one_not_shown(caller, agent):
    with pytest.raises(InvalidPhoneNumber):
        transfer_caller_id(TransferType.COLD, SHOWS_CALLER, caller, agent)


class Numbers:
    def __init__(self, *owned: str) -> None:
        self.owned, self.asked = set(owned), 0

    def selectable(self, account_sid, phone_number, *, include_outgoing_only):
        self.asked += 1
        return account_sid == ACCOUNT and phone_number in self.owned


CALLER = Caller(ACCOUNT, "alice", frozenset({"agent"}), "WK" + "1" * 32)


def test_an_agent_number_the_workspace_may_not_use_is_404():
    service = TransferCallerIds(Numbers(), include_outgoing_only=True)
    with pytest.raises(NotFound):
        service.caller_id(CALLER, TransferType.WARM, SHOWS_CALLER, CUSTOMER, AGENT)


def test_an_agent_number_of_the_workspace_is_shown():
    service = TransferCallerIds(Numbers(AGENT), include_outgoing_only=True)
    assert service.caller_id(CALLER, TransferType.CONFERENCE, SHOWS_CALLER, None, AGENT) == AGENT


def test_the_callers_own_number_is_never_checked_against_the_workspaces_numbers():
    numbers = Numbers()
    service = TransferCallerIds(numbers, include_outgoing_only=True)
    assert service.caller_id(CALLER, TransferType.COLD, SHOWS_CALLER, CUSTOMER, AGENT) == "+14155552671"
    assert numbers.asked == 0
