from __future__ import annotations

from callerid.domain.locks import CallerIdLock, may_acquire
from tests.unit.factories import ALICE, BOB

NOW = 1_000_000.0


def lock(holder=ALICE, acquired=NOW - 10, expires=NOW + 290):
    return CallerIdLock("+14155550100", holder, "lease", acquired, expires)


def test_a_free_number_may_be_taken():
    assert may_acquire(None, ALICE, NOW)


def test_another_workers_live_lock_blocks():
    assert not may_acquire(lock(holder=BOB), ALICE, NOW)


def test_an_expired_lock_that_was_not_yet_deleted_is_free():
    assert may_acquire(lock(holder=BOB, expires=NOW - 1), ALICE, NOW)


def test_the_holder_may_take_its_own_lock_again():
    assert may_acquire(lock(holder=ALICE), ALICE, NOW)


def test_the_same_worker_sid_in_another_workspace_is_another_holder():
    from callerid.domain.identity import WorkerRef

    twin = WorkerRef("AC" + "b" * 32, ALICE.worker_sid)
    assert not may_acquire(lock(holder=ALICE), twin, NOW)


def test_a_call_may_only_free_a_lock_taken_before_it_began():
    held = lock(acquired=NOW + 0.4)
    assert held.ended_before(NOW + 5)
    assert held.ended_before(NOW), "taken within the second the call began (Twilio's Timestamp has whole seconds)"
    assert not held.ended_before(NOW - 1)


def test_a_write_that_timed_out_is_a_failing_store_not_a_refused_condition():
    """Found by `make bench` at 50,000 numbers: a timeout has no response, and reading its code raised."""
    from botocore.exceptions import ClientError, ReadTimeoutError
    from pynamodb.exceptions import DeleteError, PutError

    from callerid.store.conditions import failed_condition

    timed_out = ReadTimeoutError(endpoint_url="http://127.0.0.1:8000")
    assert failed_condition(DeleteError("Failed to delete item", timed_out)) is False
    refused = ClientError({"Error": {"Code": "ConditionalCheckFailedException", "Message": "x"}}, "PutItem")
    assert failed_condition(PutError("Failed to put item", refused)) is True
