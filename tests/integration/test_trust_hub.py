"""Trust Hub through HTTP against the emulator: PUT trust assigns a number to the products named (and removes it
from the others), a refusal leaves Twilio and the table as they were, /sync and the catalogue refresh keep
``trust[].status`` current, and another workspace's number is 404."""

from __future__ import annotations

from typing import Any

import requests

from callerid.store.heads import HEAD
from tests.conftest import LocalStack


def product(stack: LocalStack, kind: str, status: str = "twilio-approved") -> str:
    body = {"accountSid": stack.parent["sid"], "friendlyName": f"{kind} {status}", "kind": kind, "status": status}
    created = requests.post(f"{stack.emulator}/_emulator/trust-products", json=body, timeout=10)
    assert created.status_code == 200, created.text
    return str(created.json()["sid"])


def set_status(stack: LocalStack, product_sid: str, status: str) -> None:
    answer = requests.post(
        f"{stack.emulator}/_emulator/trust-products/{product_sid}", json={"status": status}, timeout=10
    )
    assert answer.status_code == 200, answer.text


def at_twilio(stack: LocalStack, product_sid: str, number_sid: str) -> list[str]:
    """The number's assignments to the product, as Trust Hub lists them (the parent's credentials)."""
    answer = requests.get(
        f"{stack.emulator}/v1/TrustProducts/{product_sid}/ChannelEndpointAssignments",
        params={"ChannelEndpointSid": number_sid},
        auth=(stack.parent["sid"], stack.parent["authToken"]),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return [row["sid"] for row in answer.json()["results"]]


def workspace(stack: LocalStack, phone: str) -> tuple[Any, dict[str, Any]]:
    sub = stack.subaccount(numbers=[phone])
    supervisor = stack.agent(roles=("supervisor",), account_sid=sub["sid"])
    listed = stack.call("GET", "/v1/phone-numbers", supervisor)
    assert listed.status_code == 200, listed.text
    (number,) = listed.json()["phoneNumbers"]
    assert number["trust"] == []
    return supervisor, number


def stale(stack: LocalStack, account_sid: str) -> None:
    """As if the workspace's numbers were read from Twilio long ago (the refresh's TTL has passed)."""
    stack.table.update_item(
        TableName=stack.stack.table_name,
        Key={"pk": {"S": f"WS#{account_sid}"}, "sk": {"S": HEAD}},
        UpdateExpression="SET refreshed_at = :long_ago",
        ExpressionAttributeValues={":long_ago": {"N": "1"}},
    )


def put_trust(stack: LocalStack, who: Any, sid: str, products: list[str]) -> requests.Response:
    return stack.call("PUT", f"/v1/phone-numbers/{sid}/trust", who, json={"productSids": products})


def test_put_trust_assigns_and_removes_and_answers_the_number(local_stack):
    stack = local_stack
    vi, shaken = product(stack, "voice_integrity"), product(stack, "shaken_stir", "draft")
    supervisor, number = workspace(stack, "+13125550181")

    answer = put_trust(stack, supervisor, number["sid"], [vi, shaken])
    assert answer.status_code == 200, answer.text
    assert answer.json()["trust"] == [
        {"productSid": vi, "kind": "voice_integrity", "status": "twilio-approved"},
        {"productSid": shaken, "kind": "shaken_stir", "status": "draft"},
    ]
    assert len(at_twilio(stack, vi, number["sid"])) == 1 and len(at_twilio(stack, shaken, number["sid"])) == 1

    answer = put_trust(stack, supervisor, number["sid"], [shaken])
    assert answer.status_code == 200, answer.text
    assert [t["productSid"] for t in answer.json()["trust"]] == [shaken]
    assert at_twilio(stack, vi, number["sid"]) == [] and len(at_twilio(stack, shaken, number["sid"])) == 1
    shown = stack.call("GET", f"/v1/phone-numbers/{number['sid']}", supervisor).json()
    assert [t["productSid"] for t in shown["trust"]] == [shaken]


def test_a_refusal_leaves_twilio_and_the_table_unchanged(local_stack):
    stack = local_stack
    vi, rejected = product(stack, "voice_integrity"), product(stack, "cnam", "twilio-rejected")
    messaging, shaken = product(stack, "other"), product(stack, "shaken_stir")
    supervisor, number = workspace(stack, "+13125550182")
    assert put_trust(stack, supervisor, number["sid"], [shaken]).status_code == 200
    before = stack.call("GET", f"/v1/phone-numbers/{number['sid']}", supervisor).json()

    for refused in (rejected, messaging, "BU" + "0" * 32):
        answer = put_trust(stack, supervisor, number["sid"], [vi, refused])
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "twilio_refused"
        assert refused in answer.json()["error"]["message"]
        # vi was assigned, then undone; shaken (dropped by the request) is still assigned
        assert at_twilio(stack, vi, number["sid"]) == []
        assert len(at_twilio(stack, shaken, number["sid"])) == 1
        assert stack.call("GET", f"/v1/phone-numbers/{number['sid']}", supervisor).json() == before


def test_sync_and_the_refresh_keep_the_status_current(local_stack):
    stack = local_stack
    shaken = product(stack, "shaken_stir", "draft")
    supervisor, number = workspace(stack, "+13125550183")
    assert put_trust(stack, supervisor, number["sid"], [shaken]).status_code == 200

    set_status(stack, shaken, "pending-review")
    synced = stack.call("POST", f"/v1/phone-numbers/{number['sid']}/sync", supervisor)
    assert synced.status_code == 200, synced.text
    assert synced.json()["trust"][0]["status"] == "pending-review"

    set_status(stack, shaken, "twilio-approved")
    stale(stack, number["ownerWorkspace"])  # the next list reads Twilio: a catalogue refresh
    stack.clear_twilio_requests()
    listed = stack.call("GET", "/v1/phone-numbers", supervisor).json()["phoneNumbers"]
    assert listed[0]["trust"] == [{"productSid": shaken, "kind": "shaken_stir", "status": "twilio-approved"}]
    trust_hub = [r for r in stack.twilio_requests() if "/TrustProducts" in r["path"]]
    assert len(trust_hub) == 2  # the product and its assignments, once per product (not per number)


def test_another_workspaces_number_is_404_and_verified_numbers_are_409(local_stack):
    stack = local_stack
    vi = product(stack, "voice_integrity")
    _, number = workspace(stack, "+13125550184")
    stranger, _ = workspace(stack, "+13125550185")
    answer = put_trust(stack, stranger, number["sid"], [vi])
    assert answer.status_code == 404, answer.text
    assert at_twilio(stack, vi, number["sid"]) == []
    agent = stack.agent(account_sid=number["ownerWorkspace"])
    assert put_trust(stack, agent, number["sid"], [vi]).status_code == 403
    bad = put_trust(stack, stranger, number["sid"], ["not-a-product"])
    assert bad.status_code == 400
