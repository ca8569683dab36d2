"""The store's one batch path: what is left over is retried, with backoff, and the retries stop at the deadline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError

from callerid import deadline
from callerid.domain.errors import StoreUnavailable
from callerid.store.batch import ATTEMPTS, Batches, plain, typed

TABLE = "t"


def key(n: int) -> dict[str, Any]:
    return {"pk": {"S": f"P#{n}"}, "sk": {"S": "S"}}


class FakeDynamoDB:
    """Answers batches from ``items``; each request in ``plan`` is answered by the first that is not ``None``:
    ``"throttle"`` (a throttling error) or ``n`` (only the first n keys or writes processed)."""

    def __init__(self, plan: list[str | int | None] | None = None, *, forever: str | int | None = None) -> None:
        self.plan = list(plan or [])
        self.forever = forever
        self.items: dict[str, dict[str, Any]] = {}
        self.sent: list[tuple[str, list[Any]]] = []

    def __call__(self, operation: str, body: dict[str, Any], /) -> dict[str, Any]:
        spec = body["RequestItems"][TABLE]
        listed = spec["Keys"] if operation == "BatchGetItem" else spec
        self.sent.append((operation, listed))
        step = self.plan.pop(0) if self.plan else self.forever
        if step == "throttle":
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, operation)
        done, left = (listed, []) if step is None else (listed[: int(step)], listed[int(step) :])
        if operation == "BatchGetItem":
            found = [self.items[k["pk"]["S"]] for k in done if k["pk"]["S"] in self.items]
            unprocessed = {TABLE: {**spec, "Keys": left}} if left else {}
            return {"Responses": {TABLE: found}, "UnprocessedKeys": unprocessed}
        for request in done:
            item = request["PutRequest"]["Item"]
            self.items[item["pk"]["S"]] = item
        return {"UnprocessedItems": {TABLE: left} if left else {}}


def batches(fake: FakeDynamoDB, sleeps: list[float]) -> Batches:
    return Batches(TABLE, fake, sleep=sleeps.append, jitter=lambda low, high: high)


def test_a_partly_unprocessed_read_retries_only_the_keys_left_over():
    fake = FakeDynamoDB([3])
    fake.items = {f"P#{n}": {**key(n), "v": {"N": str(n)}} for n in range(5)}
    sleeps: list[float] = []

    found = batches(fake, sleeps).get([(f"P#{n}", "S") for n in range(5)])

    assert sorted(plain(i["v"]) for i in found) == [0, 1, 2, 3, 4]
    assert [len(keys) for _, keys in fake.sent] == [5, 2]
    assert fake.sent[1][1] == [key(3), key(4)]
    assert len(sleeps) == 1


def test_reads_go_100_keys_a_request():
    fake = FakeDynamoDB()
    batches(fake, []).get([(f"P#{n}", "S") for n in range(250)])
    assert [len(keys) for _, keys in fake.sent] == [100, 100, 50]


def test_writes_go_25_a_request_and_unprocessed_ones_are_sent_again():
    fake = FakeDynamoDB([10])
    sleeps: list[float] = []
    batches(fake, sleeps).put({**key(n), "v": {"N": "1"}} for n in range(30))
    assert [len(writes) for _, writes in fake.sent] == [25, 15, 5]
    assert len(fake.items) == 30


def test_throttling_is_retried_with_growing_backoff():
    fake = FakeDynamoDB(["throttle", "throttle"])
    fake.items = {"P#1": key(1)}
    sleeps: list[float] = []

    found = batches(fake, sleeps).get([("P#1", "S")])

    assert found == [key(1)]
    assert len(fake.sent) == 3
    assert sleeps == sorted(sleeps) and sleeps[0] < sleeps[1]


def test_a_table_that_keeps_throttling_is_store_unavailable_after_bounded_attempts():
    fake = FakeDynamoDB(forever="throttle")
    with pytest.raises(StoreUnavailable):
        batches(fake, []).get([("P#1", "S")])
    assert len(fake.sent) == ATTEMPTS


def test_backoff_stops_at_the_deadline(monkeypatch: pytest.MonkeyPatch):
    left = [3.0]
    monkeypatch.setattr(deadline, "remaining", lambda: left[0])
    never_done = FakeDynamoDB(forever=0)

    def slow(operation: str, body: dict[str, Any], /) -> dict[str, Any]:
        left[0] -= 0.4  # each request takes time
        return never_done(operation, body)

    def sleep(seconds: float) -> None:
        left[0] -= seconds

    with pytest.raises(StoreUnavailable):
        Batches(TABLE, slow, sleep=sleep, jitter=lambda low, high: high, attempts=100).get([("P#1", "S")])
    assert 1 < len(never_done.sent) < 10
    assert left[0] > 0  # answered before the deadline


def test_other_errors_are_not_retried():
    def refuse(operation: str, body: dict[str, Any], /) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "ValidationException"}}, operation)

    with pytest.raises(ClientError):
        Batches(TABLE, refuse, sleep=lambda s: None).get([("P#1", "S")])


def test_attribute_values_keep_numbers_as_floats_and_write_them_back():
    value = {"d": True, "o": ["US", "CA"], "r": 3, "x": 1.5, "n": None}
    raw = typed(value)
    assert raw["M"]["r"] == {"N": "3"} and raw["M"]["x"] == {"N": "1.5"} and raw["M"]["o"]["L"][0] == {"S": "US"}
    back = plain(raw)
    assert back == {"d": True, "o": ["US", "CA"], "r": 3.0, "x": 1.5, "n": None}
    assert isinstance(back["r"], float) and not isinstance(back["r"], Decimal)
