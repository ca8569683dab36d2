"""The call path's read units per call as the local DynamoDB server's counter bills them (``local/capacity.py``):
at most 12 in steady state, in two requests, whatever the size of the workspace (its read asks for a bounded
window of phone items, eventually consistent). Counts, never times."""

from __future__ import annotations

from typing import Any

import pytest

from bench.contention import workspace
from callerid.domain.identity import Caller, Role
from callerid.runtime import repositories
from callerid.service.builder import Options, Services

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
