"""Numbers an ancestor account shares (outboundShareable) are dialable by its subaccounts' agents, and a shared
number has one lock whoever dials it."""

from __future__ import annotations

import pytest

SHARED = "+13125550100"


@pytest.fixture
def shared_number(stack):
    supervisor = stack.agent(roles=["supervisor"])
    listed = stack.call("GET", "/v1/phone-numbers", supervisor, params={"search": SHARED}).json()["phoneNumbers"]
    (number,) = listed

    def share(flag: bool) -> None:
        answer = stack.call("PATCH", f"/v1/phone-numbers/{number['sid']}", supervisor, json={"outboundShareable": flag})
        assert answer.status_code == 200 and answer.json()["outboundShareable"] is flag, answer.text

    share(True)
    yield number
    share(False)


def test_a_subaccount_agent_sees_and_dials_a_shared_number(stack, shared_number):
    carol = stack.agent(account_sid=stack.child["sid"])
    listed = {n["phoneNumber"]: n for n in stack.call("GET", "/v1/phone-numbers", carol).json()["phoneNumbers"]}
    assert listed[SHARED]["shared"] is True and listed[SHARED]["ownerWorkspace"] == stack.parent["sid"]
    assert "+14155550100" not in listed, "only shared numbers of the parent are offered"
    call = stack.call("POST", "/v1/outbound-calls", carol, json={"to": "+14155552671", "from": SHARED})
    assert call.status_code == 200

    parent_agent = stack.agent()
    refused = stack.call("POST", "/v1/outbound-calls", parent_agent, json={"to": "+14155552671", "from": SHARED})
    assert refused.status_code == 409, "one lock per phone number, across workspaces"


def test_a_subaccount_agent_may_select_a_shared_number(stack, shared_number):
    carol = stack.agent(account_sid=stack.child["sid"])
    put = stack.call("PUT", "/v1/workers/me/caller-id", carol, json={"callerId": SHARED})
    assert put.status_code == 200 and put.json()["callerId"] == SHARED
    call = stack.call("POST", "/v1/outbound-calls", carol, json={"to": "+14155552671"})
    assert call.json()["from"] == SHARED and call.json()["reason"] == "worker_selection"
