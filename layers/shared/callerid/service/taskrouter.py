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

from callerid.domain.calls import TERMINAL_STATUSES, CallOutcome
from callerid.domain.errors import NotFound
from callerid.domain.identity import WorkerRef
from callerid.domain.locks import ended_by_task
from callerid.domain.taskrouter import TaskRouterEvent
from callerid.service.outcomes import OutcomeRecorder
from callerid.service.ports import CallRecords, CallsGateway, PhoneLocks, Teams


class TaskRouterEffects:
    def __init__(
        self,
        locks: PhoneLocks,
        teams: Teams,
        workspace_of: Callable[[str], str],
        clock: Callable[[], float] = time.time,
        outcomes: OutcomeRecorder | None = None,
        calls: Callable[[], CallsGateway] | None = None,
        records: CallRecords | None = None,
    ) -> None:
        self.locks = locks
        self.teams = teams
        self.workspace_of = workspace_of
        self.clock = clock
        self.outcomes = outcomes
        self.calls = calls
        self.records = records

    def handle(self, event: TaskRouterEvent) -> dict[str, Any]:
        if not event.acts:
            return {"applied": False, "why": "event_type"}
        if not self._served(event):
            return {"applied": False, "why": "workspace"}
        worker = WorkerRef(event.account_sid, event.worker_sid) if event.worker_sid else None
        team = bool(worker and event.carries_team and self.teams.save_team(worker, event.team, at=event.occurred_at))
        released = bool(worker and event.ends_task and self._release(worker, event))
        outcome = self._outcome(event) if event.ends_task else {}
        return {"applied": True, "released": released, "team": team, **outcome}

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

    def _outcome(self, event: TaskRouterEvent) -> dict[str, Any]:
        """The outcome of an ended outbound task's customer leg: its SID from the task's attributes, else Twilio's
        call list (``From``, ``To``, a start no earlier than the call's record, else the task's start); its status
        and duration from one fetch of the call. No customer leg: not answered (counted under the task's SID).
        A leg counted already (another ending event of the task, or another source) costs no Twilio request."""
        if self.outcomes is None or self.calls is None or event.outbound_from is None or event.task_sid is None:
            return {}
        account, caller_id, to = event.account_sid, event.outbound_from, event.outbound_to
        call_sid = event.customer_call_sid
        if call_sid is None and to is not None:
            if self.outcomes.health.counted(account, event.task_sid):
                return {"outcome": "counted"}
            latest = self.records.latest(caller_id, to) if self.records is not None else None
            mine = latest is not None and latest.account_sid == account
            after = latest.started_at if mine and latest is not None else (event.task_began or event.occurred_at)
            call_sid = self.calls().find_call(account, caller_id, to, after)
        if call_sid is None:
            outcome = CallOutcome(account, event.task_sid, caller_id, to, "no-answer", "taskrouter")
            return self.outcomes.record(outcome)
        if self.outcomes.health.counted(account, call_sid):
            return {"outcome": "counted"}
        ended = self.calls().call_ended(account, call_sid)
        if ended is None or ended.status not in TERMINAL_STATUSES:
            return {"outcome": "pending"}
        duration = ended.duration if ended.status == "completed" else None
        return self.outcomes.record(CallOutcome(account, call_sid, caller_id, to, ended.status, "taskrouter", duration))
