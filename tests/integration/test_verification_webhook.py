"""The caller-ID verification status callback: signed, idempotent per CallSid, and a verified caller ID joins
the workspace's numbers at once."""

from __future__ import annotations

import time

import requests


def numbers_of(stack, agent):
    listed = stack.call("GET", "/v1/phone-numbers", agent, params={"perPage": 1000}).json()["phoneNumbers"]
    return {n["phoneNumber"]: n for n in listed}


def callback(stack, **overrides):
    params = {
        "AccountSid": stack.parent["sid"],
        "CallSid": "CA" + "c" * 32,
        "VerificationStatus": "success",
        "OutgoingCallerIdSid": "PN" + "c" * 32,
        "To": "+17025550100",
        "Called": "+17025550100",
    }
    params.update(overrides)
    return params


def verification_item(stack, phone):
    key = {"pk": {"S": f"WS#{stack.parent['sid']}"}, "sk": {"S": f"VERIFICATION#{phone}"}}
    return stack.table.get_item(TableName=stack.stack.table_name, Key=key, ConsistentRead=True).get("Item")


def test_a_successful_verification_adds_the_caller_id_at_once(stack):
    alice = stack.agent()
    numbers_of(stack, alice)  # the catalogue exists and is fresh
    answer = stack.webhook(
        "/webhooks/twilio/verification-status", callback(stack, CallSid="CA" + "1" * 32, To="+17025550101")
    )
    assert answer.status_code == 204
    assert verification_item(stack, "+17025550101")["status"]["S"] == "success"
    # Usable on the very next call, with no Twilio request (the call path reads the stored catalogue).
    stack.clear_twilio_requests()
    call = stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671", "from": "+17025550101"})
    assert call.status_code == 200 and call.json()["from"] == "+17025550101"
    assert stack.twilio_requests() == []
    # The catalogue was also marked stale: the next list re-reads Twilio, the source of truth.
    numbers_of(stack, alice)
    assert any(r["path"].endswith("OutgoingCallerIds.json") for r in stack.twilio_requests())


def test_a_replayed_callback_changes_nothing(stack):
    params = callback(stack, CallSid="CA" + "2" * 32, To="+17025550102")
    assert stack.webhook("/webhooks/twilio/verification-status", params).status_code == 204
    first = verification_item(stack, "+17025550102")
    for _ in range(3):
        assert stack.webhook("/webhooks/twilio/verification-status", params).status_code == 204
    assert verification_item(stack, "+17025550102") == first


def test_a_forged_callback_records_nothing(stack):
    params = callback(stack, CallSid="CA" + "3" * 32, To="+17025550103")
    forged = stack.webhook("/webhooks/twilio/verification-status", params, token="guessed")
    assert forged.status_code == 403
    assert verification_item(stack, "+17025550103") is None
    assert "+17025550103" not in numbers_of(stack, stack.agent())


def test_a_failed_verification_is_recorded_and_adds_nothing(stack):
    params = callback(stack, CallSid="CA" + "4" * 32, To="+17025550104", VerificationStatus="failed")
    del params["OutgoingCallerIdSid"]
    assert stack.webhook("/webhooks/twilio/verification-status", params).status_code == 204
    assert verification_item(stack, "+17025550104")["status"]["S"] == "failed"
    assert "+17025550104" not in numbers_of(stack, stack.agent())


def test_the_emulators_verification_call_posts_a_signed_callback_that_lands(stack):
    """Twilio's side end to end: a ValidationRequest at the emulator, its signed StatusCallback to this API."""
    phone = "+17025550105"
    answer = requests.post(
        f"{stack.emulator}/2010-04-01/Accounts/{stack.parent['sid']}/OutgoingCallerIds.json",
        data={
            "PhoneNumber": phone,
            "FriendlyName": "Vegas desk",
            "StatusCallback": f"{stack.facts['publicBaseUrl']}/webhooks/twilio/verification-status",
        },
        auth=(stack.parent["sid"], stack.parent["authToken"]),
        timeout=10,
    )
    assert answer.status_code == 200 and len(answer.json()["validation_code"]) == 6
    deadline = time.monotonic() + 10
    while verification_item(stack, phone) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert verification_item(stack, phone)["status"]["S"] == "success"
    assert numbers_of(stack, stack.agent())[phone]["source"] == "verified"
