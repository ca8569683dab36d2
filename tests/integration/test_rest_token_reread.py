"""After a subaccount's auth token is promoted at Twilio, the API's cached token is refused (401); the API re-reads
the token and asks again, so neither Flex-token validation nor REST calls answer 401 (no cold start needed)."""

from __future__ import annotations

import requests


def test_calls_after_a_subaccount_token_promotion_succeed_without_a_cold_start(local_stack):
    stack = local_stack
    sub = stack.subaccount(numbers=["+13125550177"])
    before = stack.agent(roles=("supervisor",), account_sid=sub["sid"])
    listed = stack.call("GET", "/v1/phone-numbers", before)  # caches the subaccount's token in the API
    assert listed.status_code == 200, listed.text
    (number,) = listed.json()["phoneNumbers"]

    rotated = requests.post(f"{stack.emulator}/_emulator/accounts/{sub['sid']}/rotate-auth-token", json={}, timeout=10)
    assert rotated.status_code == 200, rotated.text
    stack.clear_twilio_requests()

    after = stack.agent(roles=("supervisor",), account_sid=sub["sid"])  # a token not validated yet: IAM is asked
    synced = stack.call("POST", f"/v1/phone-numbers/{number['sid']}/sync", after)  # and a REST read of the number
    assert synced.status_code == 200, synced.text
    assert synced.json()["phoneNumber"] == "+13125550177"
    statuses = [r["status"] for r in stack.twilio_requests() if sub["sid"] in r.get("path", "")]
    assert statuses.count(401) == 1  # the validation with the stale token; the REST call used the re-read one
