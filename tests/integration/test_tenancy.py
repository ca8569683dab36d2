"""Tenancy through HTTP: opaque tokens are validated against the account the request names, and a webhook signed
by one tenant affects only that tenant's records."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate

import pytest

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


def call_status_params(account_sid: str, phone: str, status: str = "completed", **extra: str) -> dict[str, str]:
    return {
        "AccountSid": account_sid,
        "CallSid": "CA" + uuid.uuid4().hex,
        "CallStatus": status,
        "From": phone,
        "To": "+14155552671",
        "Direction": "outbound-api",
        "Timestamp": formatdate(time.time() + 2, usegmt=True),
        "CallDuration": "0",
        **extra,
    }


def attempts(stack, phone: str) -> int:
    key = {"pk": {"S": f"NUMBER#{phone}"}, "sk": {"S": "HEALTH"}}
    item = stack.table.get_item(TableName=stack.stack.table_name, Key=key, ConsistentRead=True).get("Item")
    return int(item["attempts"]["N"]) if item else 0


def test_a_subaccount_webhook_frees_no_lock_of_the_parent_and_counts_nothing(stack):
    alice = stack.agent()
    taken = stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671", "from": "+13125550100"})
    assert taken.status_code == 200
    before = attempts(stack, "+13125550100")
    # The subaccount holds its own auth token, so it can sign anything about itself, including this claim.
    forged = stack.webhook("/webhooks/twilio/call-status", call_status_params(stack.child["sid"], "+13125550100"))
    assert forged.status_code == 204
    bob = stack.agent()
    refused = stack.call("POST", "/v1/outbound-calls", bob, json={"to": "+14155552671", "from": "+13125550100"})
    assert refused.status_code == 409, "the parent's lock must survive the subaccount's webhook"
    assert attempts(stack, "+13125550100") == before
    # The same callback from the parent, the account that really placed the call, frees it and counts.
    real = stack.webhook("/webhooks/twilio/call-status", call_status_params(stack.parent["sid"], "+13125550100"))
    assert real.status_code == 204
    assert attempts(stack, "+13125550100") == before + 1
    assert stack.call("POST", "/v1/outbound-calls", bob, json={"to": "+14155552671", "from": "+13125550100"}).ok


def test_a_subaccount_counts_health_for_a_number_its_parent_shares_only(stack):
    """A number the subaccount may dial (its own) counts; a parent's number that is not shared does not."""
    own, before_own = "+13105550100", attempts(stack, "+13105550100")
    stack.webhook("/webhooks/twilio/call-status", call_status_params(stack.child["sid"], own))
    assert attempts(stack, own) == before_own + 1
    parents, before_parents = "+12065550100", attempts(stack, "+12065550100")
    stack.webhook("/webhooks/twilio/call-status", call_status_params(stack.child["sid"], parents))
    assert attempts(stack, parents) == before_parents


def test_concurrent_duplicate_webhooks_apply_once_and_never_answer_5xx(stack):
    params = call_status_params(stack.parent["sid"], "+16465550100")
    before = attempts(stack, "+16465550100")
    barrier = threading.Barrier(20)

    def post(_: int) -> int:
        barrier.wait()
        return stack.webhook("/webhooks/twilio/call-status", params).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(post, range(20)))
    assert set(statuses) <= {204, 409}, statuses
    assert attempts(stack, "+16465550100") == before + 1
    # Twilio retries the 409s: they now find the effect done.
    assert stack.webhook("/webhooks/twilio/call-status", params).status_code == 204
    assert attempts(stack, "+16465550100") == before + 1


@pytest.mark.parametrize("duration", ["inf", "-inf", "nan", "1e400", "-5", "12.5", "99999999999999999999", "x"])
def test_no_form_value_causes_a_5xx(stack, duration):
    params = call_status_params(stack.parent["sid"], "+16465550100", CallDuration=duration)
    assert stack.webhook("/webhooks/twilio/call-status", params).status_code == 400


@pytest.mark.parametrize(
    "overrides",
    [
        {"Timestamp": "not a date"},
        {"Timestamp": "Mon, 99 Foo 99999 99:99:99 GMT"},
        {"From": "client:alice"},
        {"From": "+1"},
        {"Direction": ""},
        {"CallStatus": "x" * 32},
    ],
)
def test_odd_but_signed_call_status_values_are_answered_without_a_5xx(stack, overrides):
    params = call_status_params(stack.parent["sid"], "+16465550100", **overrides)
    assert stack.webhook("/webhooks/twilio/call-status", params).status_code < 500


def test_another_tenant_cannot_use_up_a_call_sid_before_its_owner(stack):
    """A webhook is applied once per account and CallSid: a subaccount that signs a callback with the parent's
    CallSid first does not make the parent's real callback a replay."""
    alice = stack.agent()
    taken = stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671", "from": "+12065550100"})
    assert taken.status_code == 200
    real = call_status_params(stack.parent["sid"], "+12065550100")
    squatted = {**real, "AccountSid": stack.child["sid"]}
    assert stack.webhook("/webhooks/twilio/call-status", squatted).status_code == 204
    assert stack.webhook("/webhooks/twilio/call-status", real).status_code == 204
    bob = stack.agent()
    freed = stack.call("POST", "/v1/outbound-calls", bob, json={"to": "+14155552671", "from": "+12065550100"})
    assert freed.status_code == 200, "the parent's own callback must still free its lock"


def test_an_account_sid_that_is_not_twilios_shape_is_refused_without_asking_twilio(stack):
    alice = stack.agent()
    stack.clear_twilio_requests()
    for named in ("AC" + "Z" * 32, "ac" + "1" * 32, "AC" + "1" * 31):
        answer = stack.call("GET", "/v1/phone-numbers", alice, headers={"X-Twilio-Account-Sid": named})
        assert answer.status_code == 401
    assert not [r for r in stack.twilio_requests() if "/Accounts/" in r["path"] and r["path"].endswith(".json")]


def test_a_call_is_counted_once_even_when_its_webhook_runs_again(stack):
    """If recording the webhook as done fails after its effect was applied (DynamoDB throttling), Twilio's retry
    runs the effect again: the call must still count once for the number's health."""
    params = call_status_params(stack.parent["sid"], "+14155550101")
    before = attempts(stack, "+14155550101")
    assert stack.webhook("/webhooks/twilio/call-status", params).status_code == 204
    stack.delete_items("IDEMPOTENCY#call-status")  # as if the completed record had never been written
    assert stack.webhook("/webhooks/twilio/call-status", params).status_code == 204
    assert attempts(stack, "+14155550101") == before + 1
