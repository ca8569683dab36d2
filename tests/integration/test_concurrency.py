"""Real threads racing against the DynamoDB server (moto, one request at a time as DynamoDB serialises writes
to an item) and the Twilio emulator. Assertions are counts: grants, double grants, lost attributes."""

from __future__ import annotations

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from callerid.config import Settings
from callerid.domain.errors import CallerIdInUse
from callerid.domain.identity import WorkerRef
from callerid.domain.numbers import DialRule
from callerid.store.models import bind_table
from callerid.store.phones import PhoneRepository

ACCOUNT = "AC" + "d" * 32
OTHER = "AC" + "e" * 32
ANYWHERE = DialRule(dialable=True, shareable=False, outbound_countries=(), listed=True, outgoing_only=False, revision=0)


class Locks:
    """The phone items' locks for test phones both test accounts may dial from (each phone's rules written once)."""

    def __init__(self) -> None:
        self.phones = PhoneRepository()
        self.ruled: set[str] = set()

    def _ruled(self, phone: str) -> None:
        if phone not in self.ruled:
            for account in (ACCOUNT, OTHER):
                self.phones.write_rule(phone, account, ANYWHERE)
            self.ruled.add(phone)

    def acquire(self, phone, worker, *, ttl_seconds, now):
        self._ruled(phone)
        return self.phones.acquire(phone, worker, ancestors=(), country="US", ttl_seconds=ttl_seconds, now=now)

    def release(self, phone, worker, lease_id):
        return self.phones.release(phone, worker, lease_id)

    def get(self, phone):
        return self.phones.get(phone)


@pytest.fixture(scope="module")
def locks(local_stack):
    bind_table(Settings(table_name=local_stack.stack.table_name, dynamodb_endpoint_url=local_stack.dynamodb))
    return Locks()


def worker(i: int, account: str = ACCOUNT) -> WorkerRef:
    return WorkerRef(account, f"WK{i:032d}")


def test_racing_workers_never_hold_the_same_number(stack, locks):
    numbers = ["+12065559001", "+12065559002", "+12065559003"]
    holders: dict[str, WorkerRef] = {}
    guard = threading.Lock()
    tally = {"grants": 0, "refusals": 0, "double_grants": 0}

    def agent(index: int) -> None:
        me, rng = worker(index), random.Random(index)
        for _ in range(125):
            phone = rng.choice(numbers)
            try:
                lock = locks.acquire(phone, me, ttl_seconds=60, now=time.time())
            except CallerIdInUse:
                with guard:
                    tally["refusals"] += 1
                continue
            with guard:
                if phone in holders:
                    tally["double_grants"] += 1
                holders[phone] = me
                tally["grants"] += 1
            with guard:
                del holders[phone]
            assert locks.release(phone, me, lock.lease_id)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(agent, range(16)))
    assert tally["grants"] + tally["refusals"] == 16 * 125
    assert tally["double_grants"] == 0
    assert tally["grants"] > 0 and tally["refusals"] > 0, tally


def test_one_winner_when_everyone_grabs_one_free_number(stack, locks):
    barrier = threading.Barrier(24)

    def grab(index: int) -> bool:
        barrier.wait()
        try:
            locks.acquire("+12065559010", worker(index), ttl_seconds=60, now=time.time())
        except CallerIdInUse:
            return False
        return True

    with ThreadPoolExecutor(max_workers=24) as pool:
        wins = list(pool.map(grab, range(24)))
    assert wins.count(True) == 1


def test_an_expired_lock_still_in_the_table_is_free(stack, locks):
    now = time.time()
    locks.acquire("+12065559020", worker(1), ttl_seconds=30, now=now - 100)
    assert locks.get("+12065559020") is not None, "moto keeps TTL-expired items, as DynamoDB may for a while"
    taken = locks.acquire("+12065559020", worker(2), ttl_seconds=30, now=now)
    assert taken.holder == worker(2)


def test_a_stale_release_never_frees_someone_elses_lock(stack, locks):
    now = time.time()
    old = locks.acquire("+12065559030", worker(1), ttl_seconds=30, now=now - 100)
    locks.acquire("+12065559030", worker(2), ttl_seconds=30, now=now)
    assert not locks.release("+12065559030", worker(1), old.lease_id)
    assert locks.get("+12065559030").holder == worker(2)


def test_a_re_entrant_take_gets_a_new_lease(stack, locks):
    now = time.time()
    first = locks.acquire("+12065559040", worker(1), ttl_seconds=30, now=now)
    second = locks.acquire("+12065559040", worker(1), ttl_seconds=30, now=now + 5)
    assert second.expires_at > first.expires_at and second.lease_id != first.lease_id
    assert not locks.release("+12065559040", worker(1), first.lease_id)
    assert locks.release("+12065559040", worker(1), second.lease_id)


def test_the_same_worker_sid_in_another_workspace_is_refused(stack, locks):
    locks.acquire("+12065559050", worker(1), ttl_seconds=30, now=time.time())
    with pytest.raises(CallerIdInUse):
        locks.acquire("+12065559050", worker(1, account=OTHER), ttl_seconds=30, now=time.time())


def test_concurrent_attribute_writers_lose_nothing(stack):
    """Other systems write the worker's attributes with ETags while supervisors change the selection."""
    sam, bob = stack.agent(("supervisor",)), stack.agent()
    workspace = stack.facts["taskrouterWorkspaceSid"]
    url = f"{stack.emulator}/v1/Workspaces/{workspace}/Workers/{bob.worker_sid}"
    auth = (stack.parent["sid"], stack.parent["authToken"])
    choices = ["+12125550100", "+13125550100", "+12065550100"]

    def other_writer(key: str) -> int:
        conflicts = 0
        while True:
            fetched = requests.get(url, auth=auth, timeout=10)
            attributes = json.loads(fetched.json()["attributes"])
            attributes[key] = True
            updated = requests.post(
                url,
                auth=auth,
                data={"Attributes": json.dumps(attributes)},
                headers={"If-Match": fetched.headers["ETag"]},
                timeout=10,
            )
            if updated.status_code == 200:
                return conflicts
            assert updated.status_code == 412
            conflicts += 1

    def supervisor(index: int) -> int:
        body = {"callerId": choices[index % len(choices)], "localPresence": index % 2 == 0}
        return stack.call("PUT", f"/v1/workers/{bob.worker_sid}/caller-id", sam, json=body).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        writers = [pool.submit(other_writer, f"skill_{i}") for i in range(12)]
        selections = [pool.submit(supervisor, i) for i in range(12)]
        conflicts = sum(w.result() for w in writers)
        assert [s.result() for s in selections] == [200] * 12

    final = json.loads(requests.get(url, auth=auth, timeout=10).json()["attributes"])
    assert {f"skill_{i}" for i in range(12)} <= set(final), "an attribute was lost"
    assert final["selectedCallerId"] in choices and final["contact_uri"].startswith("client:")
    assert conflicts > 0, "the writers never actually raced"
