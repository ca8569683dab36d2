"""The reconcile against the DynamoDB server: planted drift (a counter off by one, a number missing from its
pools, a pool entry of a released number) is found, fixed and reported; a second run finds nothing; a dry run
reports and writes nothing; the scheduled pass stops before its deadline and resumes from its checkpoint."""

from __future__ import annotations

import importlib.util
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from callerid import deadline, runtime
from callerid.config import Settings
from callerid.domain.numbers import NumberRecord, NumberSource, NumberStatus, TwilioFacts
from callerid.domain.pools import candidate_of, pool_keys
from callerid.service.builder import Services
from callerid.service.records import described
from callerid.store.models import bind_table
from callerid.store.reconcile import ReconcileRepository
from local.dynamodb import ensure_table

ROOT = Path(__file__).resolve().parents[2]
remaining = deadline.remaining


@pytest.fixture(scope="module")
def table_name(local_stack):
    """A table of this module's own on the stack's DynamoDB server: a scheduled pass scans the whole table and
    reconciles every workspace in it, which on the shared table is every other test's too (thousands of numbers,
    read five items a scan page)."""
    name = f"caller-id-reconcile-{uuid.uuid4().hex[:6]}"
    ensure_table(local_stack.dynamodb, name)
    yield name
    local_stack.table.delete_table(TableName=name)


@pytest.fixture(scope="module")
def services(local_stack, table_name):
    bind_table(Settings(table_name=table_name, dynamodb_endpoint_url=local_stack.dynamodb))

    def no_twilio():
        raise AssertionError("the reconcile never asks Twilio")

    return Services(runtime.repositories(), no_twilio)


def add(services: Services, account: str, phone: str) -> NumberRecord:
    facts = TwilioFacts(
        sid="PN" + uuid.uuid4().hex, phone_number=phone, friendly_name=phone, source=NumberSource.TWILIO
    )
    return services.numbers.add(described(account, facts))


def test_planted_drift_is_fixed_and_reported_and_a_second_run_finds_nothing(services):
    account = "AC" + uuid.uuid4().hex
    kept = add(services, account, "+12125550101")
    missing = add(services, account, "+12125550102")
    gone = add(services, account, "+12125550103")
    stores = services.stores
    # A counter off by one (a crash between a record and its counter).
    stores.heads.adjust_counts(account, {(NumberSource.TWILIO, NumberStatus.ACTIVE): 1})
    # A number missing from its pools (written before the pools existed).
    for key in pool_keys(missing):
        stores.pools.remove_entry(account, key, missing.phone_number)
    stores.heads.remove_from_pool(account, missing.phone_number)
    # A pool entry of a released number (the record released, its entry left behind).
    released = stores.records.replace(replace(gone, status=NumberStatus.RELEASED), expected_revision=gone.revision)
    assert not released.dialable
    area = sorted(k for k in pool_keys(gone) if k.startswith("POOL#AC#"))[0]
    stores.pools.set_entry(account, area, candidate_of(gone))

    dry = services.reconciler.reconcile(account, dry_run=True)
    assert services.reconciler.reconcile(account, dry_run=True) == dry  # a dry run wrote nothing
    changes = services.reconciler.reconcile(account)
    assert changes == dry
    kinds = {(c.what, c.detail.split()[-1] if c.what != "counter" else c.detail) for c in changes}
    assert ("counter", "twilio/active: 4 -> 2") in kinds
    assert ("pool-add", missing.phone_number) in kinds
    assert ("pool-remove", gone.phone_number) in kinds
    assert ("fallback-add", missing.phone_number) in kinds

    head = stores.heads.head(account)
    assert head.counts[(NumberSource.TWILIO, NumberStatus.ACTIVE)] == 2
    assert {c.phone_number for c in head.pool} == {kept.phone_number, missing.phone_number}
    pools = ReconcileRepository().pool_entries(account)
    for key in pool_keys(missing):
        assert set(pools[key]) == {kept.phone_number, missing.phone_number}
    assert gone.phone_number not in pools[area]
    assert services.reconciler.reconcile(account) == []


def test_the_scheduled_pass_stops_at_its_deadline_and_resumes_from_its_checkpoint(services, monkeypatch):
    monkeypatch.setattr("callerid.store.reconcile.SCAN_PAGE", 5)  # many scan pages: the cursor is resumed too
    reads = services.stores.reconcile
    reads.clear_checkpoint()
    accounts = sorted("AC" + uuid.uuid4().hex for _ in range(3))
    for n, account in enumerate(accounts):
        add(services, account, f"+1415555{n:04d}")
        services.stores.heads.adjust_counts(account, {(NumberSource.TWILIO, NumberStatus.ACTIVE): 1})
    budget = iter([60.0, 60.0, 0.0])  # two workspaces' worth of time, then the deadline
    first = services.reconciler.scheduled(lambda: next(budget, 0.0))
    assert not first.complete and len(first.workspaces) == 2
    assert reads.checkpoint() is not None
    second = services.reconciler.scheduled(lambda: 60.0)
    assert second.complete and reads.checkpoint() is None
    assert not set(first.workspaces) & set(second.workspaces)
    for account in accounts:
        head = services.stores.heads.head(account)
        assert head.counts[(NumberSource.TWILIO, NumberStatus.ACTIVE)] == 1
        assert services.reconciler.reconcile(account) == []


class Context:
    function_name = "ReconcileFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ReconcileFunction"
    aws_request_id = "test"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


def test_the_scheduled_function_stops_at_a_short_deadline_and_the_next_run_finishes(
    services, local_stack, table_name, monkeypatch
):
    services.stores.reconcile.clear_checkpoint()
    accounts = sorted("AC" + uuid.uuid4().hex for _ in range(3))
    for n, account in enumerate(accounts):
        add(services, account, f"+1646555{n:04d}")
        services.stores.heads.adjust_counts(account, {(NumberSource.TWILIO, NumberStatus.ACTIVE): -1})
    for key, value in {
        "TABLE_NAME": table_name,
        "DYNAMODB_ENDPOINT_URL": local_stack.dynamodb,
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    runtime.reset()
    spec = importlib.util.spec_from_file_location("reconcile_app", ROOT / "functions" / "reconcile" / "app.py")
    assert spec and spec.loader
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    # A short deadline: the function's margin and one workspace's allowance leave time for none.
    short = app.lambda_handler({}, Context(app.PER_WORKSPACE_SECONDS + 1.0))
    assert short == {"workspaces": 0, "changes": 0, "complete": False}
    # Time for two workspaces, then the deadline.
    budget = iter([60.0, 60.0])
    monkeypatch.setattr(deadline, "remaining", lambda: next(budget, 0.0))
    first = app.lambda_handler({}, Context(900))
    assert first["workspaces"] == 2 and not first["complete"]
    stopped = services.stores.reconcile.checkpoint()
    assert stopped is not None and stopped[1] is not None
    monkeypatch.setattr(deadline, "remaining", remaining)
    second = app.lambda_handler({}, Context(900))
    assert second["complete"] and services.stores.reconcile.checkpoint() is None
    for account in accounts:
        assert services.stores.heads.head(account).counts[(NumberSource.TWILIO, NumberStatus.ACTIVE)] == 1
    runtime.reset()


def test_a_reconcile_beside_writers_never_leaves_a_counter_wrong_once_they_stop(services):
    """Real threads: numbers added while reconciles run. A recount that saw a counter move while it read the
    records leaves the counters alone; a writer between its record and its counter can still fool one (the race
    the reconcile exists for), so once the writers stop one reconcile puts everything right and the next finds
    nothing."""
    account = "AC" + uuid.uuid4().hex
    phones = [f"+1303555{n:04d}" for n in range(24)]
    stop = threading.Event()
    skipped: list[int] = []

    def reconciling() -> None:
        while not stop.is_set():
            changes = services.reconciler.reconcile(account)
            skipped.append(sum(c.what == "counter-skipped" for c in changes))

    with ThreadPoolExecutor(max_workers=4) as pool:
        reconciler = pool.submit(reconciling)
        list(pool.map(lambda phone: add(services, account, phone), phones))
        stop.set()
        reconciler.result()
    services.reconciler.reconcile(account)
    assert services.reconciler.reconcile(account) == []
    head = services.stores.heads.head(account)
    assert head.counts[(NumberSource.TWILIO, NumberStatus.ACTIVE)] == len(phones)
    assert {c.phone_number for c in head.pool} == set(phones)
