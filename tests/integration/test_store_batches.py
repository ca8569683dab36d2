"""The store's batches under load, played by the local DynamoDB's fault switch: a throttled table is answered 503
``store_unavailable`` after bounded retries (the call path never spins), and a batch left partly unprocessed
completes with the right answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from callerid.store.batch import ATTEMPTS

# botocore's own retries of a throttled request (the table's client: 1 + RETRY_ATTEMPTS), under the helper's.
CLIENT_ATTEMPTS = 3


@pytest.fixture
def dynamodb_faults(stack) -> Iterator[Callable[..., None]]:
    def add(operation: str, **fault: Any) -> None:
        body = {"operation": operation, **fault}
        requests.post(f"{stack.dynamodb}/_dynamodb/faults", json=body, timeout=10).raise_for_status()

    yield add
    requests.delete(f"{stack.dynamodb}/_dynamodb/faults", timeout=10)


def played(stack) -> list[int]:
    return [f["played"] for f in requests.get(f"{stack.dynamodb}/_dynamodb/faults", timeout=10).json()["faults"]]


def test_a_throttled_call_path_is_store_unavailable_after_bounded_attempts(stack, dynamodb_faults):
    alice = stack.agent()
    assert stack.call("GET", "/v1/phone-numbers", alice).status_code == 200
    dynamodb_faults("BatchGetItem", error="ProvisionedThroughputExceededException")
    stack.clear_dynamodb_requests()

    answer = stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671"})

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "store_unavailable"
    assert int(answer.headers["Retry-After"]) > 0
    counts = stack.dynamodb_requests()["byOperation"]
    assert "UpdateItem" not in counts  # no lock taken
    assert 1 < counts["BatchGetItem"] <= ATTEMPTS * CLIENT_ATTEMPTS
    assert played(stack) == [counts["BatchGetItem"]]


def test_a_call_path_read_left_partly_unprocessed_completes(stack, dynamodb_faults):
    alice = stack.agent()
    assert stack.call("GET", "/v1/phone-numbers", alice).status_code == 200
    selected = stack.call("PUT", "/v1/workers/me/caller-id", alice, json={"callerId": "+12125550100"})
    assert selected.status_code == 200
    dynamodb_faults("BatchGetItem", unprocessed=True, times=1)
    stack.clear_dynamodb_requests()

    answer = stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671"})

    assert answer.status_code == 200, answer.text
    assert answer.json()["from"] == "+12125550100"
    assert played(stack) == [1]
    assert stack.dynamodb_requests()["byOperation"] == {"BatchGetItem": 2, "TransactWriteItems": 1}


def test_a_refresh_whose_writes_are_left_partly_unprocessed_stores_every_number(stack, dynamodb_faults):
    alice = stack.agent()
    stack.forget_numbers()  # what Twilio holds now (earlier tests may have changed it within the refresh interval)
    before = stack.call("GET", "/v1/phone-numbers", alice).json()
    stack.forget_numbers()
    dynamodb_faults("BatchWriteItem", unprocessed=True, times=3)

    after = stack.call("GET", "/v1/phone-numbers", alice).json()

    assert played(stack) == [3]
    assert after["meta"]["total"] == before["meta"]["total"] > 0
    assert [n["phoneNumber"] for n in after["phoneNumbers"]] == [n["phoneNumber"] for n in before["phoneNumbers"]]
