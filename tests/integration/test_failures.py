"""Honest failures: a failing dependency is answered 503 with the envelope and Retry-After, before the function's
timeout (the dev server answers like API Gateway, 502 without the envelope, when a handler outlives it), and
Twilio being down is no reason to stop serving what is stored."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from local.stack import free_port
from tests.integration.apis import another_api

HUNG = 120.0  # longer than any function's timeout


@pytest.fixture
def twilio_faults(stack) -> Iterator[callable]:
    def add(path: str, *, delay: float = 0.0, status: int | None = None) -> None:
        body = {"path": path, "delaySeconds": delay, "status": status}
        requests.post(f"{stack.emulator}/_emulator/faults", json=body, timeout=10).raise_for_status()

    yield add
    requests.delete(f"{stack.emulator}/_emulator/faults", timeout=10)


def assert_unavailable(response: requests.Response, code: str) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == code
    assert int(response.headers["Retry-After"]) > 0


def workspace_key(account_sid: str, sk: str = "NUMBERS") -> dict:
    return {"pk": {"S": f"WS#{account_sid}"}, "sk": {"S": sk}}


def age_numbers(stack, account_sid: str) -> None:
    """Make the stored numbers older than any TTL, as if the last refresh was long ago."""
    stack.table.update_item(
        TableName=stack.stack.table_name,
        Key=workspace_key(account_sid),
        UpdateExpression="SET refreshed_at = :long_ago",
        ExpressionAttributeValues={":long_ago": {"N": "1"}},
    )


def forget_refresh_lease(stack, account_sid: str) -> None:
    stack.table.delete_item(TableName=stack.stack.table_name, Key=workspace_key(account_sid, "CATALOGUE#REFRESH"))


def test_a_hung_twilio_is_answered_503_within_the_function_timeout(stack, twilio_faults):
    """Nothing stored and Twilio never answers: 503 upstream_unavailable, not API Gateway's 502/504."""
    stack.forget_numbers()
    alice = stack.agent()  # validated before the fault: token validation is not hung
    assert stack.call("GET", "/v1/workers/me/caller-id", alice).status_code == 200
    twilio_faults("IncomingPhoneNumbers", delay=HUNG)
    assert_unavailable(stack.call("GET", "/v1/phone-numbers", alice), "upstream_unavailable")


def test_twilio_down_serves_the_stored_numbers_marked_stale(stack, twilio_faults):
    alice = stack.agent()
    fresh = stack.call("GET", "/v1/phone-numbers", alice, params={"perPage": 1000})
    assert fresh.status_code == 200 and "X-Catalogue-Stale" not in fresh.headers
    age_numbers(stack, stack.parent["sid"])
    twilio_faults("IncomingPhoneNumbers|OutgoingCallerIds", status=503)
    try:
        stale = stack.call("GET", "/v1/phone-numbers", alice, params={"perPage": 1000})
        assert stale.status_code == 200, stale.text
        assert stale.headers["X-Catalogue-Stale"] == "true"
        assert stale.json()["phoneNumbers"] == fresh.json()["phoneNumbers"]
        # Twilio is retried once the refresh lease expires, not by every request meanwhile.
        stack.clear_twilio_requests()
        assert stack.call("GET", "/v1/phone-numbers", alice).headers["X-Catalogue-Stale"] == "true"
        assert not [r for r in stack.twilio_requests() if "IncomingPhoneNumbers" in r["path"]]
        # The call path and the selection keep working from what is stored.
        assert stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671"}).status_code == 200
        selected = stack.call("PUT", "/v1/workers/me/caller-id", alice, json={"callerId": "+13125550100"})
        assert selected.status_code == 200
    finally:
        forget_refresh_lease(stack, stack.parent["sid"])


def test_a_failing_twilio_is_503_without_stored_numbers(stack, twilio_faults):
    stack.forget_numbers()
    alice = stack.agent()
    twilio_faults("IncomingPhoneNumbers", status=500)
    assert_unavailable(stack.call("GET", "/v1/phone-numbers", alice), "upstream_unavailable")


class Blackhole:
    """A TCP port that accepts connections and never answers (a hung DynamoDB)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.server.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                self.held.append(self.server.accept()[0])
            except TimeoutError:
                continue

    def close(self) -> None:
        self.stopped.set()
        for connection in self.held:
            connection.close()
        self.server.close()


@pytest.fixture(scope="module", params=["refused", "hung"])
def api_without_dynamodb(request, local_stack) -> Iterator[str]:
    """A second API process of the same stack whose DynamoDB endpoint is down (nothing listens) or hung."""
    blackhole = Blackhole() if request.param == "hung" else None
    endpoint = f"http://127.0.0.1:{blackhole.port if blackhole else free_port()}"
    try:
        yield from another_api(local_stack, {"DYNAMODB_ENDPOINT_URL": endpoint})
    finally:
        if blackhole:
            blackhole.close()


def test_dynamodb_down_is_503_store_unavailable_on_every_route(local_stack, api_without_dynamodb):
    alice = local_stack.agent()
    api = api_without_dynamodb
    calls = [
        ("GET", "/v1/phone-numbers", {}),
        ("POST", "/v1/outbound-calls", {"json": {"to": "+14155552671"}}),
        ("GET", "/v1/workers/me/caller-id", {}),
        ("DELETE", "/v1/outbound-calls/lock", {}),
    ]
    for method, path, kwargs in calls:
        answer = requests.request(method, f"{api}{path}", headers=alice.headers, timeout=60, **kwargs)
        assert_unavailable(answer, "store_unavailable")


def test_dynamodb_down_is_503_for_webhooks_too(local_stack, api_without_dynamodb):
    params = {
        "AccountSid": local_stack.parent["sid"],
        "CallSid": "CA" + "d" * 32,
        "CallStatus": "completed",
        "From": "+12125550100",
        "Direction": "outbound-api",
    }
    answer = local_stack.webhook("/webhooks/twilio/call-status", params, api=api_without_dynamodb)
    assert_unavailable(answer, "store_unavailable")
