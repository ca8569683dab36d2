"""Caller-ID locks: one item per phone number, taken and released only by conditional writes."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from pynamodb.exceptions import DeleteError, TransactWriteError
from pynamodb.transactions import TransactWrite

from callerid.domain.errors import CallerIdInUse
from callerid.domain.identity import WorkerRef
from callerid.domain.locks import CallerIdLock
from callerid.store.conditions import failed_condition, failed_transaction_conditions
from callerid.store.models import LockItem, WorkerItem, connection
from callerid.store.workers import worker_item

LOCK = "LOCK"


def lock_key(phone_number: str) -> str:
    return f"LOCK#{phone_number}"


def _epoch(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


def to_lock(item: LockItem) -> CallerIdLock:
    return CallerIdLock(
        phone_number=item.pk.removeprefix("LOCK#"),
        holder=WorkerRef(item.holder_account, item.holder_worker),
        lease_id=item.lease_id,
        acquired_at=float(item.acquired_at),
        expires_at=_epoch(item.expires_at),
    )


class LockRepository:
    def acquire(self, phone_number: str, worker: WorkerRef, *, ttl_seconds: int, now: float) -> CallerIdLock:
        """Take the lock in one conditional write (free, expired but still present, or already ours), and note it
        on the worker in the same transaction. Raises ``CallerIdInUse`` when another worker holds it."""
        expires = datetime.fromtimestamp(now + ttl_seconds, UTC)
        item = LockItem(
            lock_key(phone_number),
            LOCK,
            holder_account=worker.account_sid,
            holder_worker=worker.worker_sid,
            lease_id=uuid.uuid4().hex,
            acquired_at=now,
            expires_at=expires,
        )
        free = (
            LockItem.pk.does_not_exist()
            | (LockItem.expires_at < datetime.fromtimestamp(now, UTC))
            | ((LockItem.holder_account == worker.account_sid) & (LockItem.holder_worker == worker.worker_sid))
        )
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.save(item, condition=free)
                transaction.update(
                    worker_item(worker),
                    actions=[
                        WorkerItem.kind.set(WorkerItem),
                        WorkerItem.lock_phone.set(phone_number),
                        WorkerItem.lock_lease.set(item.lease_id),
                    ],
                )
        except TransactWriteError as exc:
            if 0 in failed_transaction_conditions(exc):
                raise CallerIdInUse(f"{phone_number} is in use on another agent's call.") from exc
            raise
        return to_lock(item)

    def release(self, lock_phone: str, worker: WorkerRef, lease_id: str) -> bool:
        """Release a lock only if this worker still holds it under this lease; a stale release frees nothing."""
        try:
            LockItem(lock_key(lock_phone), LOCK).delete(
                condition=(LockItem.holder_account == worker.account_sid)
                & (LockItem.holder_worker == worker.worker_sid)
                & (LockItem.lease_id == lease_id)
            )
        except DeleteError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    def release_for_call(self, phone_number: str, call_began: float, account_sid: str) -> bool:
        """Free the lock a finished call of ``account_sid`` held: only a lock held by a worker of that account
        (a webhook speaks for its own account only) and taken no later than the call began (a later one belongs
        to another call, possibly another worker's). Twilio's ``Timestamp`` has whole seconds, so the comparison
        is made at that resolution: a lock taken within the second the call began is this call's."""
        try:
            LockItem(lock_key(phone_number), LOCK).delete(
                condition=LockItem.pk.exists()
                & (LockItem.holder_account == account_sid)
                & (LockItem.acquired_at < math.floor(call_began) + 1)
            )
        except DeleteError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    def get_many(self, phone_numbers: Iterable[str]) -> dict[str, CallerIdLock]:
        keys = [(lock_key(p), LOCK) for p in dict.fromkeys(phone_numbers)]
        if not keys:
            return {}
        return {lock.phone_number: lock for lock in map(to_lock, LockItem.batch_get(keys))}

    def get(self, phone_number: str) -> CallerIdLock | None:
        try:
            return to_lock(LockItem.get(lock_key(phone_number), LOCK, consistent_read=True))
        except LockItem.DoesNotExist:
            return None
