"""A team dialling from one pool: ``agents`` threads start calls from a workspace of ``pool`` numbers against the
DynamoDB server (moto: one request at a time), each holding its number briefly and releasing it, as agents do.

Each agent holds its number for a while (``hold`` times its call path's latency, on average) and releases it.
Every grant is recorded with its lease and checked twice: against the grants in force in this process (two
workers holding one number at once is a double grant) and against the phone item itself (its lease must still be
the grant's while the worker holds it). DynamoDB requests are counted per call at the repositories (one per
BatchGetItem and per lock write, a TransactWriteItems, of the call path) and, in total, at the server, with the
read and write units the server's counter bills (``local.capacity``). Used by ``make bench`` and by
``tests/integration/test_contention.py`` (smaller).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from callerid.config import Settings
from callerid.domain.errors import NoCallerIdAvailable
from callerid.domain.identity import Caller, Role
from callerid.domain.numbers import NumberRecord, NumberSource
from callerid.runtime import repositories
from callerid.service.builder import Options, Services
from callerid.store.callpath import CallPathRepository
from callerid.store.models import ITEM_CLASSES, bind_table
from callerid.store.phones import PhoneRepository


class CountingReads(CallPathRepository):
    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts

    # ``call_path_read`` reads through ``pools_read``: one BatchGetItem each.
    def pools_read(self, *args: Any, **kwargs: Any) -> Any:
        self.counts[threading.current_thread().name] += 1
        return super().pools_read(*args, **kwargs)


class CountingPhones(PhoneRepository):
    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts

    def acquire(self, *args: Any, **kwargs: Any) -> Any:
        self.counts[threading.current_thread().name] += 1
        return super().acquire(*args, **kwargs)


@dataclass
class ContentionResult:
    agents: int
    pool: int
    attempts: int
    grants: int = 0
    refused: int = 0
    double_grants: int = 0
    lease_mismatches: int = 0
    requests: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    read_units: dict[str, float] = field(default_factory=dict)
    write_units: dict[str, float] = field(default_factory=dict)

    @property
    def requests_per_call(self) -> float:
        return sum(self.requests) / len(self.requests) if self.requests else 0.0

    @property
    def read_units_per_call(self) -> float:
        """The call path's read units per call; GetItem is the bench's own check of the lease, not the call
        path's."""
        call_path = sum(units for operation, units in self.read_units.items() if operation != "GetItem")
        return call_path / self.attempts if self.attempts else 0.0

    @property
    def write_units_per_call(self) -> float:
        return sum(self.write_units.values()) / self.attempts if self.attempts else 0.0


def workspace(table_name: str, endpoint: str, size: int) -> str:
    """A workspace of ``size`` numbers written as records (no Twilio), as if listed a moment ago."""
    # moto answers one request at a time: with dozens of threads queueing, an answer may take longer than the
    # deployed client's 2 s read timeout, which would be a 503 and not a figure.
    for cls in ITEM_CLASSES:
        cls.Meta.read_timeout_seconds = 60
    bind_table(Settings(table_name=table_name, dynamodb_endpoint_url=endpoint))
    account = "AC" + uuid.uuid4().hex
    stores = repositories()
    directory = Services(stores, lambda: None).numbers
    block = random.randrange(1000, 9000)
    for n in range(size):
        phone = f"+13035{block % 100:02d}{n:04d}"
        record = NumberRecord(
            sid="PN" + uuid.uuid4().hex,
            phone_number=phone,
            friendly_name=phone,
            source=NumberSource.TWILIO,
            owner_workspace=account,
        )
        directory.add(record)
    stores.progress.mark_refreshed(account, time.time())
    return account


def run_contention(
    table_name: str, endpoint: str, *, agents: int, pool: int, calls_per_agent: int, hold: float = 2.0
) -> ContentionResult:
    """Each agent holds its number for a random time averaging ``hold`` times its own call path's latency (real
    calls last minutes, far longer than the call path; holding for a multiple of the latency keeps the share of
    agents racing each other the same however slow the shared moto server is under load)."""
    account = workspace(table_name, endpoint, pool)
    requests.delete(f"{endpoint}/_dynamodb/requests", timeout=300)  # the calls' units, not the workspace's
    counts: Counter[str] = Counter()
    phones = CountingPhones(counts)
    counted = replace(repositories(), call_path=CountingReads(counts), locks=phones, usage=phones)
    calls = Services(counted, lambda: None, Options(number_cache_ttl_seconds=1e12)).outbound_calls
    result = ContentionResult(agents, pool, agents * calls_per_agent)
    holding: dict[str, str] = {}
    guard = threading.Lock()
    checker = PhoneRepository()

    def agent(n: int) -> None:
        worker_sid = f"WK{n:032d}"
        caller = Caller(account, f"agent-{n}", frozenset({Role.AGENT}), worker_sid)
        name = threading.current_thread().name
        for _ in range(calls_per_agent):
            before = counts[name]
            began = time.perf_counter()
            try:
                call = calls.start(caller, "+14155552671")
            except NoCallerIdAvailable:
                with guard:
                    result.refused += 1
                continue
            elapsed = time.perf_counter() - began
            phone, lease = call.lock.phone_number, call.lock.lease_id
            with guard:
                result.requests.append(counts[name] - before)
                result.seconds.append(elapsed)
                result.grants += 1
                if phone in holding:
                    result.double_grants += 1
                holding[phone] = worker_sid
            time.sleep(random.uniform(0, 2 * hold * elapsed))
            current = checker.get(phone)
            with guard:
                if current is None or current.lease_id != lease:
                    result.lease_mismatches += 1
                holding.pop(phone, None)
            checker.release(phone, call.lock.holder, lease)

    with ThreadPoolExecutor(max_workers=agents, thread_name_prefix="agent") as executor:
        list(executor.map(agent, range(agents)))
    served = requests.get(f"{endpoint}/_dynamodb/requests", timeout=300).json()
    result.read_units = served.get("readUnitsByOperation", {})
    result.write_units = served.get("writeUnitsByOperation", {})
    return result
