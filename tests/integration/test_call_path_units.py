"""The call path's read units per call as the local DynamoDB server's counter bills them (``local/capacity.py``):
at most 12 in steady state, in two requests, whatever the size of the workspace (its read asks for a bounded
window of phone items, eventually consistent). Counts, never times.

The server is never stale; ``lagging_worker`` makes the table's client answer the call path's eventually consistent
read with an older copy of the worker's item, as a DynamoDB replica may within about a second of a write."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bench.contention import workspace
from callerid.domain.identity import Caller, Role
from callerid.runtime import repositories
from callerid.service.builder import Options, Services
from callerid.store.models import table
from callerid.store.workers import WorkerRepository

MAX_READ_UNITS_PER_CALL = 12


def steady_calls(local_stack: Any, size: int, calls: int = 6) -> list[dict[str, Any]]:
    """``calls`` calls of one agent from a workspace of ``size`` numbers (its container already warm: one call
    before), each released after it; answers what each call cost at the server."""
    account = workspace(local_stack.stack.table_name, local_stack.dynamodb, size)
    outbound = Services(repositories(), lambda: None, Options(number_cache_ttl_seconds=1e12)).outbound_calls
    caller = Caller(account, "agent", frozenset({Role.AGENT}), "WK" + "0" * 32)
    outbound.start(caller, "+14155552671")
    outbound.release_own(caller)
    counted = []
    used = set()
    for _ in range(calls):
        local_stack.clear_dynamodb_requests()
        call = outbound.start(caller, "+14155552671")
        counted.append(local_stack.dynamodb_requests())
        used.add(call.lock.phone_number)
        outbound.release_own(caller)
    assert len(used) == calls, "an agent dialling alone rotates over the pool"
    return counted


@pytest.mark.parametrize("size", [10, 300])
def test_a_call_reads_at_most_twelve_units_in_two_requests_at_any_size(local_stack, size):
    for counts in steady_calls(local_stack, size):
        assert counts["byOperation"] == {"BatchGetItem": 1, "TransactWriteItems": 1}, (
            counts
        )  # the lock, the call's record
        assert counts["readUnitsByOperation"]["BatchGetItem"] <= MAX_READ_UNITS_PER_CALL, counts
        assert counts["readUnits"] <= MAX_READ_UNITS_PER_CALL, counts


@contextmanager
def lagging_worker(local_stack: Any, account: str, worker_sid: str) -> Iterator[None]:
    """While inside, every eventually consistent BatchGetItem of the table's client answers the worker's item as it
    is now (later writes unseen); strongly consistent reads see every write."""
    key = {"pk": {"S": f"WS#{account}"}, "sk": {"S": f"WORKER#{worker_sid}"}}
    name = local_stack.stack.table_name
    old = local_stack.table.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"]
    events = table().connection.client.meta.events

    def note(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["eventually_consistent"] = not params["RequestItems"][name].get("ConsistentRead", False)

    def lag(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if context.get("eventually_consistent"):
            items = parsed.get("Responses", {}).get(name, [])
            items[:] = [old if (i["pk"], i["sk"]) == (key["pk"], key["sk"]) else i for i in items]

    events.register("before-parameter-build.dynamodb.BatchGetItem", note, unique_id="lagging-worker-note")
    events.register("after-call.dynamodb.BatchGetItem", lag, unique_id="lagging-worker")
    try:
        yield
    finally:
        events.unregister("before-parameter-build.dynamodb.BatchGetItem", unique_id="lagging-worker-note")
        events.unregister("after-call.dynamodb.BatchGetItem", unique_id="lagging-worker")


def test_a_call_right_after_a_save_uses_it_for_one_more_read_unit_only_when_its_read_lags(local_stack):
    account = workspace(local_stack.stack.table_name, local_stack.dynamodb, 10)
    outbound = Services(repositories(), lambda: None, Options(number_cache_ttl_seconds=1e12)).outbound_calls
    caller = Caller(account, "agent", frozenset({Role.AGENT}), "WK" + "0" * 32)
    workers = WorkerRepository()
    phones = sorted(c.phone_number for c in repositories().heads.head(account).pool)
    old, new = phones[1], phones[2]
    first = workers.save_selection(caller.worker(), old, False, expected_version=0)
    outbound.start(caller, "+14155552671")  # the container warms up
    outbound.release_own(caller)

    def call(version: int | None) -> tuple[str, dict[str, Any]]:
        local_stack.clear_dynamodb_requests()
        placed = outbound.start(caller, "+14155552671", selection_version=version)
        counts = local_stack.dynamodb_requests()
        outbound.release_own(caller)
        return placed.lock.phone_number, counts

    with lagging_worker(local_stack, account, caller.worker_sid):
        saved = workers.save_selection(caller.worker(), new, False, expected_version=first.version)
        # Without the version the client saw, the lagging read decides (the bug this version mends).
        number, counts = call(None)
        assert number == old and counts["byOperation"] == {"BatchGetItem": 1, "TransactWriteItems": 1}, counts
        number, counts = call(saved.version)
        assert number == new, "the call re-read the worker's selection it was told is newer"
        assert counts["byOperation"] == {"BatchGetItem": 1, "GetItem": 1, "TransactWriteItems": 1}, counts
        assert counts["readUnitsByOperation"]["GetItem"] == 1, counts
    number, counts = call(saved.version)  # the replica caught up: nothing more to read
    assert number == new and counts["byOperation"] == {"BatchGetItem": 1, "TransactWriteItems": 1}, counts
    assert counts["readUnits"] <= MAX_READ_UNITS_PER_CALL, counts
