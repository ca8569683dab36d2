"""Side effects of TaskRouter's event callbacks: the end of a worker's outbound-call task frees the caller-ID lock
taken for that call, and a worker's attributes keep its team current. Applied once per event ``Sid`` (Powertools
idempotency, in the handler); the effects are conditional writes besides, so a replay whose idempotency record
was lost changes nothing either.

A correctly signed event proves only which account sent it: it frees only a lock one of that account's workers
holds, writes only that account's workers, and only for events of the TaskRouter workspace this deployment
serves for that account (``workspace_of``): another workspace of the same account (a non-Flex one) is ignored."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from callerid.domain.errors import NotFound
from callerid.domain.identity import WorkerRef
from callerid.domain.locks import ended_by_task
from callerid.domain.taskrouter import TaskRouterEvent
from callerid.service.ports import PhoneLocks, Teams


class TaskRouterEffects:
    def __init__(
        self,
        locks: PhoneLocks,
        teams: Teams,
        workspace_of: Callable[[str], str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.locks = locks
        self.teams = teams
        self.workspace_of = workspace_of
        self.clock = clock

    def handle(self, event: TaskRouterEvent) -> dict[str, Any]:
        if not event.acts:
            return {"applied": False, "why": "event_type"}
        if not self._served(event):
            return {"applied": False, "why": "workspace"}
        worker = WorkerRef(event.account_sid, event.worker_sid) if event.worker_sid else None
        team = bool(worker and event.carries_team and self.teams.save_team(worker, event.team, at=event.occurred_at))
        released = bool(worker and event.ends_task and self._release(worker, event))
        return {"applied": True, "released": released, "team": team}

    def _served(self, event: TaskRouterEvent) -> bool:
        try:
            return self.workspace_of(event.account_sid) == event.workspace_sid
        except NotFound:
            return False

    def _release(self, worker: WorkerRef, event: TaskRouterEvent) -> bool:
        """Free the lock on the task's ``from`` if it was taken for this call (``domain.locks.ended_by_task``),
        conditional on the holder and lease read, so a lock taken again meanwhile is never freed."""
        if event.outbound_from is None or event.task_began is None:
            return False
        lock = self.locks.get(event.outbound_from)
        if lock is None or not ended_by_task(lock, worker, event.task_sid, event.task_began, self.clock()):
            return False
        return self.locks.release(lock.phone_number, lock.holder, lock.lease_id)
