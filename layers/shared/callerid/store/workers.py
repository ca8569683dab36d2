"""A worker's saved caller-ID selection, and the lock it took last (so it can release its own lock)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from callerid.domain.identity import WorkerRef
from callerid.store.models import WorkerItem, workspace_key


@dataclass(frozen=True, slots=True)
class WorkerState:
    caller_id: str | None = None
    local_presence: bool = False
    lock_phone: str | None = None
    lock_lease: str | None = None


def worker_key(worker_sid: str) -> str:
    return f"WORKER#{worker_sid}"


def worker_state(item: WorkerItem) -> WorkerState:
    return WorkerState(item.caller_id, bool(item.local_presence), item.lock_phone, item.lock_lease)


def worker_item(worker: WorkerRef) -> WorkerItem:
    return WorkerItem(workspace_key(worker.account_sid), worker_key(worker.worker_sid))


class WorkerRepository:
    def get(self, worker: WorkerRef) -> WorkerState:
        try:
            item = WorkerItem.get(
                workspace_key(worker.account_sid), worker_key(worker.worker_sid), consistent_read=True
            )
        except WorkerItem.DoesNotExist:
            return WorkerState()
        return worker_state(item)

    def save_selection(self, worker: WorkerRef, caller_id: str | None, local_presence: bool) -> WorkerState:
        """Set only the selection attributes, so a concurrent lock pointer update is never lost."""
        item = worker_item(worker)
        item.update(
            actions=[
                WorkerItem.kind.set(WorkerItem),
                WorkerItem.caller_id.set(caller_id) if caller_id else WorkerItem.caller_id.remove(),
                WorkerItem.local_presence.set(local_presence),
                WorkerItem.updated_at.set(time.time()),
            ]
        )
        return worker_state(item)
