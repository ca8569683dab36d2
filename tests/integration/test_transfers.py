"""``POST /v1/transfers/caller-id`` through HTTP."""

from __future__ import annotations

import pytest

PATH = "/v1/transfers/caller-id"
CUSTOMER = "+14155552671"


def transfer(stack, agent, **body):
    return stack.call("POST", PATH, agent, json=body)


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ({"type": "cold", "callerNumber": "(415) 555-2671", "agentNumber": "+12125550100"}, CUSTOMER),
        ({"type": "cold", "displayedNumber": "transferee_number", "callerNumber": CUSTOMER}, CUSTOMER),
        (
            {"type": "cold", "displayedNumber": "agent_number", "callerNumber": CUSTOMER, "agentNumber": "2125550100"},
            "+12125550100",
        ),
        ({"type": "warm", "callerNumber": CUSTOMER, "agentNumber": "+12125550100"}, "+12125550100"),
        (
            {"type": "conference", "displayedNumber": "transferee_number", "agentNumber": "+15035550100"},
            "+15035550100",
        ),
    ],
)
def test_each_transfer_type_shows_its_number(stack, body, shown):
    answer = transfer(stack, stack.agent(), **body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"callerId": shown}


def test_an_agent_number_that_is_not_the_workspaces_is_404(stack):
    alice = stack.agent()
    answer = transfer(stack, alice, type="warm", agentNumber="+12125559999")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    # A subaccount's agent may not show the parent's own (unshared) number either.
    carol = stack.agent(account_sid=stack.child["sid"])
    assert transfer(stack, carol, type="conference", agentNumber="+13125550100").status_code == 404
    assert transfer(stack, carol, type="conference", agentNumber="+13105550100").status_code == 200


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"type": "warm", "agentNumber": "not a number"}, "invalid_phone_number"),
        ({"type": "cold", "callerNumber": "+1415"}, "invalid_phone_number"),
        ({"type": "cold", "agentNumber": "+12125550100"}, "invalid_request"),
        ({"type": "blind", "callerNumber": CUSTOMER}, "invalid_request"),
        ({"type": "cold", "displayedNumber": "customer", "callerNumber": CUSTOMER}, "invalid_request"),
        ({"type": "cold", "callerNumber": CUSTOMER, "extra": 1}, "invalid_request"),
    ],
)
def test_bad_input_is_400_naming_it(stack, body, code):
    answer = transfer(stack, stack.agent(), **body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == code, answer.text


def test_a_transfer_needs_a_flex_token(stack):
    answer = stack.call("POST", PATH, json={"type": "cold", "callerNumber": CUSTOMER})
    assert answer.status_code == 401
