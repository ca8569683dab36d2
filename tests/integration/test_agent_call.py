"""An agent's outbound call, end to end through HTTP against the local stack."""

from __future__ import annotations

import uuid
from email.utils import formatdate

TO = "+14155552671"


def start(stack, agent, **body):
    return stack.call("POST", "/v1/outbound-calls", agent, json={"to": TO, **body})


def call_status(stack, agent_from, status, call_sid="CA" + "f" * 32, **extra):
    params = {
        "AccountSid": stack.parent["sid"],
        "CallSid": call_sid,
        "CallStatus": status,
        "From": agent_from,
        "To": TO,
        "Direction": "outbound-api",
        "Timestamp": formatdate(usegmt=True),
        "CallDuration": "0",
        **extra,
    }
    return stack.webhook("/webhooks/twilio/call-status", params)


def test_an_agent_lists_selects_calls_and_holds_the_lock(stack):
    alice = stack.agent()
    listed = stack.call("GET", "/v1/phone-numbers", alice)
    assert listed.status_code == 200
    numbers = listed.json()["phoneNumbers"]
    assert {"+14155550100", "+12125550100", "+15035550100"} <= {n["phoneNumber"] for n in numbers}
    assert listed.json()["meta"] == {"page": 1, "perPage": 50, "total": len(numbers)}

    chosen = stack.call(
        "PUT", "/v1/workers/me/caller-id", alice, json={"callerId": "(212) 555-0100", "localPresence": False}
    )
    assert chosen.json() == {
        "workerSid": alice.worker_sid,
        "callerId": "+12125550100",
        "localPresence": False,
        "version": 1,
    }
    assert stack.call("GET", "/v1/workers/me/caller-id", alice).json()["callerId"] == "+12125550100"

    call = start(stack, alice)
    assert call.status_code == 200
    assert call.json()["from"] == "+12125550100" and call.json()["reason"] == "worker_selection"
    assert call.json()["lock"]["workerSid"] == alice.worker_sid

    params = {"search": "212", "include": "locks"}
    listed = stack.call("GET", "/v1/phone-numbers", alice, params=params).json()["phoneNumbers"]
    assert [(n["phoneNumber"], n["lockedBy"]) for n in listed] == [("+12125550100", alice.worker_sid)]


def test_a_second_agent_is_refused_the_locked_number_and_given_another(stack):
    alice, bob = stack.agent(), stack.agent()
    assert start(stack, alice, **{"from": "+12125550100"}).json()["from"] == "+12125550100"

    refused = start(stack, bob, **{"from": "+12125550100"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "caller_id_in_use"

    other = start(stack, bob)
    assert other.status_code == 200 and other.json()["from"] != "+12125550100"


def test_the_holder_calls_again_on_the_same_number(stack):
    alice = stack.agent()
    first = start(stack, alice, **{"from": "+13125550100"}).json()
    again = start(stack, alice, **{"from": "+13125550100"})
    assert again.status_code == 200
    assert again.json()["lock"]["expiresAt"] >= first["lock"]["expiresAt"]


def test_a_signed_call_status_webhook_frees_the_lock(stack):
    alice, bob = stack.agent(), stack.agent()
    start(stack, alice, **{"from": "+12125550100"})
    assert start(stack, bob, **{"from": "+12125550100"}).status_code == 409

    done = call_status(stack, "+12125550100", "completed", CallDuration="0")
    assert done.status_code == 204
    assert start(stack, bob, **{"from": "+12125550100"}).status_code == 200


def test_a_forged_call_status_webhook_frees_nothing(stack):
    alice, bob = stack.agent(), stack.agent()
    start(stack, alice, **{"from": "+12125550100"})
    params = {
        "AccountSid": stack.parent["sid"],
        "CallSid": "CA" + "e" * 32,
        "CallStatus": "completed",
        "From": "+12125550100",
        "Direction": "outbound-api",
    }
    forged = stack.webhook("/webhooks/twilio/call-status", params, token="not-the-auth-token")
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "invalid_signature"
    unsigned = stack.webhook("/webhooks/twilio/call-status", params, signature="")
    assert unsigned.status_code == 403
    assert start(stack, bob, **{"from": "+12125550100"}).status_code == 409


def test_a_call_that_ended_never_frees_a_lock_taken_after_it_began(stack):
    alice, bob = stack.agent(), stack.agent()
    start(stack, alice, **{"from": "+12065550100"})
    # Bob's lock is taken now; this callback reports a call that began an hour ago (Alice's earlier call).
    stack.release_locks()
    start(stack, bob, **{"from": "+12065550100"})
    old = call_status(stack, "+12065550100", "completed", call_sid="CA" + "a" * 32, CallDuration="3600")
    assert old.status_code == 204
    assert start(stack, alice, **{"from": "+12065550100"}).status_code == 409


def test_call_status_is_idempotent_and_ignores_late_non_terminal_callbacks(stack):
    supervisor = stack.agent(("supervisor",))
    alice = stack.agent()
    number = "+16465550100"
    key = {"pk": {"S": f"NUMBER#{number}"}, "sk": {"S": "HEALTH"}}
    before = stack.table.get_item(TableName=stack.stack.table_name, Key=key).get("Item", {})
    start(stack, alice, **{"from": number})
    sid = "CA" + uuid.uuid4().hex
    for _ in range(3):
        assert call_status(stack, number, "completed", call_sid=sid, CallDuration="30").status_code == 204
    assert call_status(stack, number, "ringing", call_sid=sid).status_code == 204
    # The health counters saw one more attempt, one more answered (other tests call from this demo number too).
    item = stack.table.get_item(TableName=stack.stack.table_name, Key=key)["Item"]

    def more(name: str) -> int:
        return int(item[name]["N"]) - int(before.get(name, {"N": "0"})["N"])

    assert (more("attempts"), more("answered")) == (1, 1)
    assert supervisor.identity


def test_an_agent_releases_their_own_lock(stack):
    alice, bob = stack.agent(), stack.agent()
    start(stack, alice, **{"from": "+12125550100"})
    assert stack.call("DELETE", "/v1/outbound-calls/lock", bob).json() == {
        "released": False,
        "phoneNumber": None,
        "phoneNumbers": [],
    }
    assert stack.call("DELETE", "/v1/outbound-calls/lock", alice).json() == {
        "released": True,
        "phoneNumber": "+12125550100",
        "phoneNumbers": ["+12125550100"],
    }
    assert start(stack, bob, **{"from": "+12125550100"}).status_code == 200


def test_releasing_an_agents_locks_names_every_number_released(stack):
    alice = stack.agent()
    for number in ("+12125550100", "+14155550100"):
        assert start(stack, alice, **{"from": number}).status_code == 200
    released = stack.call("DELETE", "/v1/outbound-calls/lock", alice).json()
    assert released["released"] is True
    assert sorted(released["phoneNumbers"]) == ["+12125550100", "+14155550100"]
    assert released["phoneNumber"] == released["phoneNumbers"][0]


def test_no_caller_id_when_every_number_is_busy(stack):
    numbers = [
        n["phoneNumber"]
        for n in stack.call("GET", "/v1/phone-numbers", stack.agent(), params={"perPage": 1000}).json()["phoneNumbers"]
    ]
    holders = [stack.agent() for _ in numbers]
    for holder, number in zip(holders, numbers, strict=True):
        assert start(stack, holder, **{"from": number}).status_code == 200
    last = start(stack, stack.agent())
    assert last.status_code == 422
    assert last.json()["error"]["code"] == "no_caller_id_available"


def test_the_flex_template_compatibility_route(stack):
    alice = stack.agent()
    answer = stack.call(
        "POST", "/common/flex/phone-numbers/list-phone-numbers", data={"Token": alice.token, "IncludeOutgoing": "false"}
    )
    assert answer.status_code == 200 and answer.json()["success"] is True
    phones = {n["phoneNumber"] for n in answer.json()["phoneNumbers"]}
    assert "+14155550100" in phones and "+15035550100" not in phones
    with_outgoing = stack.call(
        "POST", "/common/flex/phone-numbers/list-phone-numbers", data={"Token": alice.token, "IncludeOutgoing": "true"}
    )
    assert "+15035550100" in {n["phoneNumber"] for n in with_outgoing.json()["phoneNumbers"]}
    refused = stack.call("POST", "/common/flex/phone-numbers/list-phone-numbers", data={"Token": "nope"})
    assert refused.status_code == 401 and refused.json() == {
        "success": False,
        "message": "The Flex token is not valid.",
    }


def test_list_numbers_filters_and_pages(stack):
    """In a workspace of its own: the parent's verified caller IDs and numbers change with the tests before."""
    numbers = [f"+1971555{n:04d}" for n in range(201, 207)]
    workspace = stack.subaccount(numbers=numbers, caller_ids=["+15035550299"])
    alice = stack.agent(account_sid=workspace["sid"])
    all_numbers = stack.call("GET", "/v1/phone-numbers", alice, params={"perPage": 1000}).json()
    without = stack.call(
        "GET", "/v1/phone-numbers", alice, params={"includeOutgoingOnly": "false", "perPage": 1000}
    ).json()
    assert without["meta"]["total"] == all_numbers["meta"]["total"] - 1
    verified = stack.call("GET", "/v1/phone-numbers", alice, params={"source": "verified"}).json()["phoneNumbers"]
    assert [n["phoneNumber"] for n in verified] == ["+15035550299"]
    assert without["meta"]["total"] == len(numbers)
    page2 = stack.call("GET", "/v1/phone-numbers", alice, params={"page": 2, "perPage": 3}).json()
    assert [n["phoneNumber"] for n in page2["phoneNumbers"]] == [
        n["phoneNumber"] for n in all_numbers["phoneNumbers"][3:6]
    ]


def test_a_subaccount_agent_sees_only_their_workspace(stack):
    carol = stack.agent(account_sid=stack.child["sid"])
    listed = stack.call("GET", "/v1/phone-numbers", carol).json()["phoneNumbers"]
    assert {n["phoneNumber"] for n in listed} == {"+12065550111", "+13105550100"}
    assert start(stack, carol, **{"from": "+14155550100"}).status_code == 404
    assert start(stack, carol).json()["from"] in {"+12065550111", "+13105550100"}


def test_an_agent_calls_over_a_hundred_times_in_a_row(stack):
    """Regression: the 100th metric of a container made Powertools flush without a namespace (a 500)."""
    alice = stack.agent()
    statuses = {start(stack, alice).status_code for _ in range(105)}
    assert statuses == {200}
