"""Tenancy through HTTP: opaque tokens are validated against the account the request names, and a webhook signed
by one tenant affects only that tenant's records."""

from __future__ import annotations

from tests.conftest import Agent


def as_unnamed(agent: Agent) -> Agent:
    return Agent(agent.identity, agent.token, agent.worker_sid, agent.account_sid, names_account=False)


def test_a_subaccount_agent_names_its_account(stack):
    carol = stack.agent(account_sid=stack.child["sid"])
    assert stack.call("GET", "/v1/phone-numbers", carol).status_code == 200
    # Without naming it, the token is checked against the configured (parent) account, where it is not valid.
    assert stack.call("GET", "/v1/phone-numbers", as_unnamed(carol)).status_code == 401


def test_a_flex_style_body_names_the_account_beside_the_token(stack):
    carol = stack.agent(account_sid=stack.child["sid"])
    body = {"to": "+14155552671", "Token": carol.token, "AccountSid": stack.child["sid"]}
    answer = stack.call("POST", "/v1/outbound-calls", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["lock"]["workerSid"] == carol.worker_sid


def test_naming_another_account_gains_nothing(stack):
    alice = stack.agent()
    # Alice's token is the parent's; naming the subaccount means IAM checks it there, where it is not valid.
    named = stack.call("GET", "/v1/phone-numbers", alice, headers={"X-Twilio-Account-Sid": stack.child["sid"]})
    assert named.status_code == 401
    stranger = stack.call("GET", "/v1/phone-numbers", alice, headers={"X-Twilio-Account-Sid": "AC" + "9" * 32})
    assert stranger.status_code == 401


def test_the_compatibility_route_takes_the_account_beside_the_token(stack):
    carol = stack.agent(account_sid=stack.child["sid"])
    form = {"Token": carol.token, "AccountSid": stack.child["sid"], "IncludeOutgoing": "true"}
    answer = stack.call("POST", "/common/flex/phone-numbers/list-phone-numbers", data=form)
    assert answer.status_code == 200 and answer.json()["success"] is True
    assert "+13105550100" in {n["phoneNumber"] for n in answer.json()["phoneNumbers"]}
