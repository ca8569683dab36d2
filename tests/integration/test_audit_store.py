"""The audit log's all-or-nothing write against the DynamoDB server: a change and its entry are one
TransactWriteItems, so a change whose entry cannot be written does not happen, and a refused change (its own
condition failed) leaves no entry. Entries read back newest first, by target and by actor."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace

import pytest
from pynamodb.exceptions import TransactWriteError

from callerid.config import Settings
from callerid.domain.audit import Actor, AuditTarget, TargetKind
from callerid.domain.identity import WorkerRef
from callerid.domain.numbers import DialRule
from callerid.service.audit import AuditTrail
from callerid.store.audit import AuditLog
from callerid.store.models import bind_table
from callerid.store.phones import PhoneRepository

ANYWHERE = DialRule(dialable=True, shareable=False, outbound_countries=(), listed=True, outgoing_only=False, revision=0)


@pytest.fixture(scope="module")
def phones(local_stack):
    bind_table(Settings(table_name=local_stack.stack.table_name, dynamodb_endpoint_url=local_stack.dynamodb))
    return PhoneRepository()


def locked(phones, account):
    phone = f"+1206{uuid.uuid4().int % 10**7:07d}"
    holder = WorkerRef(account, "WK" + uuid.uuid4().hex)
    phones.write_rule(phone, account, ANYWHERE)
    lock = phones.acquire(phone, holder, ancestors=(), country="US", ttl_seconds=300, now=time.time())
    return phone, lock


def entry_for(account, phone, actor="WK" + "b" * 32):
    target = AuditTarget(TargetKind.PHONE_NUMBER, "PN" + uuid.uuid4().hex, phone)
    return AuditTrail().entry(account, Actor(actor, "boss"), "lock.release", target, {"lockedBy": ("WKx", None)})


def test_a_release_and_its_entry_are_written_together_and_read_back_by_target_and_actor(phones):
    account = "AC" + uuid.uuid4().hex
    phone, lock = locked(phones, account)
    entry = entry_for(account, phone)
    assert phones.release(phone, lock.holder, lock.lease_id, audit=entry)
    assert phones.get(phone) is None
    log = AuditLog()
    for target, actor in ((None, None), (entry.target.sid, None), (phone, None), (None, entry.actor.worker_sid)):
        (found,), more = log.entries(account, target=target, actor=actor, skip=0, take=10)
        assert (found.entry_id, found.changes, more) == (entry.entry_id, {"lockedBy": ("WKx", None)}, False)
    assert log.entries(account, target=phone, actor="WK" + "c" * 32, skip=0, take=10) == ([], False)
    assert log.entries("AC" + uuid.uuid4().hex, target=None, actor=None, skip=0, take=10) == ([], False)


def test_a_release_whose_entry_cannot_be_written_does_not_happen(phones):
    account = "AC" + uuid.uuid4().hex
    phone, lock = locked(phones, account)
    # An entry DynamoDB refuses (an item over its 400 KB limit): the release must not happen either.
    entry = replace(entry_for(account, phone), changes={"label": ("x" * 300_000, "y" * 300_000)})
    with pytest.raises(TransactWriteError):
        phones.release(phone, lock.holder, lock.lease_id, audit=entry)
    assert phones.get(phone) == lock
    assert AuditLog().entries(account, target=None, actor=None, skip=0, take=10) == ([], False)


def test_a_refused_release_writes_no_entry(phones):
    account = "AC" + uuid.uuid4().hex
    phone, lock = locked(phones, account)
    entry = entry_for(account, phone)
    assert not phones.release(phone, lock.holder, "another-lease", audit=entry)
    assert phones.get(phone) == lock
    assert AuditLog().entries(account, target=None, actor=None, skip=0, take=10) == ([], False)


def test_entries_come_newest_first_in_pages(phones):
    account = "AC" + uuid.uuid4().hex
    written = []
    for n in range(5):
        phone, lock = locked(phones, account)
        entry = replace(entry_for(account, phone), at=1_000_000.0 + n)
        assert phones.release(phone, lock.holder, lock.lease_id, audit=entry)
        written.append(entry.entry_id)
    log = AuditLog()
    first, more = log.entries(account, target=None, actor=None, skip=0, take=3)
    second, done = log.entries(account, target=None, actor=None, skip=3, take=3)
    assert [e.entry_id for e in first + second] == written[::-1] and more and not done


def too_big(entry):
    """An entry DynamoDB refuses (an item over its 400 KB limit)."""
    return replace(entry, changes={"label": ("x" * 300_000, "y" * 300_000)})


def test_a_new_record_a_selection_and_a_verification_are_written_with_their_entries_or_not_at_all(phones):
    from callerid.domain.numbers import NumberRecord, NumberSource
    from callerid.store.records import RecordRepository
    from callerid.store.verifications import VerificationRepository
    from callerid.store.workers import WorkerRepository

    account = "AC" + uuid.uuid4().hex
    phone = f"+1312{uuid.uuid4().int % 10**7:07d}"
    record = NumberRecord(
        sid="BY" + uuid.uuid4().hex,
        phone_number=phone,
        friendly_name=phone,
        source=NumberSource.BYOT,
        owner_workspace=account,
    )
    records, workers, verifications = RecordRepository(), WorkerRepository(), VerificationRepository()
    alice = WorkerRef(account, "WK" + uuid.uuid4().hex)
    now = time.time()
    with pytest.raises(TransactWriteError):
        records.insert(record, audit=too_big(entry_for(account, phone)))
    with pytest.raises(TransactWriteError):
        workers.save_selection(alice, phone, False, expected_version=0, audit=too_big(entry_for(account, phone)))
    with pytest.raises(TransactWriteError):
        verifications.start(
            account, phone, "CA1", now=now, expires_at=now + 600, audit=too_big(entry_for(account, phone))
        )
    assert records.get(account, phone) is None and records.phone_of(account, record.sid) is None
    assert workers.get(alice).caller_id is None and verifications.get(account, phone) is None
    assert AuditLog().entries(account, target=None, actor=None, skip=0, take=10) == ([], False)

    added = entry_for(account, phone)
    assert records.insert(record, audit=added)
    assert not records.insert(record, audit=entry_for(account, phone))  # exists: refused, no entry
    assert records.phone_of(account, record.sid) == phone
    chosen = entry_for(account, phone)
    assert workers.save_selection(alice, phone, True, expected_version=0, audit=chosen).caller_id == phone
    # A rollback deletes the entry with the selection it undoes.
    workers.save_selection(alice, None, False, expected_version=1, retract=chosen)
    verified = entry_for(account, phone)
    verifications.start(account, phone, "CA1", now=now, expires_at=now + 600, audit=verified)
    found, _ = AuditLog().entries(account, target=None, actor=None, skip=0, take=10)
    assert {e.entry_id for e in found} == {added.entry_id, verified.entry_id}
