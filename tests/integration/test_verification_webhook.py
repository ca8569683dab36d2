"""The caller-ID verification status callback: signed, idempotent per CallSid, and a verified caller ID joins
the workspace's numbers at once."""

from __future__ import annotations

import requests


def numbers_of(stack, agent):
    listed = stack.call("GET", "/v1/phone-numbers", agent, params={"perPage": 1000}).json()["phoneNumbers"]
    return {n["phoneNumber"]: n for n in listed}


def callback(stack, **overrides):
    """The callback Twilio posts after a successful verification call (the caller ID exists at Twilio)."""
    params = {
        "AccountSid": stack.parent["sid"],
        "CallSid": "CA" + "c" * 32,
        "VerificationStatus": "success",
        "To": "+17025550100",
        "Called": "+17025550100",
    }
    params.update(overrides)
    if params["VerificationStatus"] == "success" and "OutgoingCallerIdSid" not in params:
        params["OutgoingCallerIdSid"] = stack.verified_caller_id(params["AccountSid"], params["To"])
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
    # Usable on the very next call, with no Twilio request (the call path reads what is stored).
    stack.clear_twilio_requests()
    call = stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671", "from": "+17025550101"})
    assert call.status_code == 200 and call.json()["from"] == "+17025550101"
    assert stack.twilio_requests() == []
    # Listed at once too, from its record.
    assert "+17025550101" in numbers_of(stack, alice)
    assert stack.twilio_requests() == []


def test_a_replayed_callback_changes_nothing(stack):
    params = callback(stack, CallSid="CA" + "2" * 32, To="+17025550102")
    assert stack.webhook("/webhooks/twilio/verification-status", params).status_code == 204
    first = verification_item(stack, "+17025550102")
    for _ in range(3):
        assert stack.webhook("/webhooks/twilio/verification-status", params).status_code == 204
    assert verification_item(stack, "+17025550102") == first


def test_a_forged_callback_records_nothing(stack):
    params = callback(stack, CallSid="CA" + "3" * 32, To="+17025550103", OutgoingCallerIdSid="PN" + "3" * 32)
    forged = stack.webhook("/webhooks/twilio/verification-status", params, token="guessed")
    assert forged.status_code == 403
    assert verification_item(stack, "+17025550103") is None
    assert "+17025550103" not in numbers_of(stack, stack.agent())


def test_the_failure_of_a_call_nobody_started_is_answered_and_records_nothing(stack):
    params = callback(stack, CallSid="CA" + "4" * 32, To="+17025550104", VerificationStatus="failed")
    assert stack.webhook("/webhooks/twilio/verification-status", params).status_code == 204
    assert verification_item(stack, "+17025550104") is None
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
    played = requests.post(
        f"{stack.emulator}/_emulator/verification-calls/{answer.json()['call_sid']}",
        json={"digits": answer.json()["validation_code"]},
        timeout=30,
    )
    assert played.json()["verificationStatus"] == "success"  # answered once the callback was delivered
    assert verification_item(stack, phone)["status"]["S"] == "success"
    assert numbers_of(stack, stack.agent())[phone]["source"] == "verified"


def test_a_signed_claim_twilio_does_not_back_adds_nothing(stack):
    """A tenant signs with its own auth token, so the signature proves only who sent it: a success claim for a
    caller ID Twilio does not hold under that account (an invented SID) adds nothing."""
    alice = stack.agent()
    params = callback(stack, CallSid="CA" + "5" * 32, To="+17025550115", OutgoingCallerIdSid="PN" + "5" * 32)
    assert stack.webhook("/webhooks/twilio/verification-status", params).status_code == 204
    assert verification_item(stack, "+17025550115") is None
    assert "+17025550115" not in numbers_of(stack, alice)


def test_a_subaccount_cannot_claim_the_parents_number(stack):
    """The subaccount signs a success for one of the parent's numbers, naming a real caller ID SID of the
    parent: Twilio holds no such caller ID under the subaccount, so nothing is added anywhere."""
    phone = "+17025550106"
    parents_sid = stack.verified_caller_id(stack.parent["sid"], phone)
    params = callback(
        stack, AccountSid=stack.child["sid"], CallSid="CA" + "6" * 32, To=phone, OutgoingCallerIdSid=parents_sid
    )
    assert stack.webhook("/webhooks/twilio/verification-status", params).status_code == 204
    carol = stack.agent(account_sid=stack.child["sid"])
    assert phone not in numbers_of(stack, carol)
    # Carol therefore cannot lock it away from the parent's agents.
    taken = stack.call("POST", "/v1/outbound-calls", carol, json={"to": "+14155552671", "from": phone})
    assert taken.status_code == 404


def test_a_claim_for_another_number_than_twilio_holds_adds_nothing(stack):
    real_sid = stack.verified_caller_id(stack.parent["sid"], "+17025550107")
    params = callback(stack, CallSid="CA" + "7" * 32, To="+17025550108", OutgoingCallerIdSid=real_sid)
    assert stack.webhook("/webhooks/twilio/verification-status", params).status_code == 204
    assert verification_item(stack, "+17025550108") is None
