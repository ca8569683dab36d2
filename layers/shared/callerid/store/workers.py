"""A worker's saved caller-ID selection, and its TaskRouter team (``team_name``) as last reported."""

from __future__ import annotations

import time

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from callerid.domain.audit import AuditEntry
from callerid.domain.errors import ConcurrentUpdate
from callerid.domain.identity import WorkerRef
from callerid.domain.workers import WorkerState as WorkerState  # re-exported: http.models.workers names it here
from callerid.store.audit import audited
from callerid.store.conditions import failed_condition
from callerid.store.models import WorkerItem, workspace_key


def worker_key(worker_sid: str) -> str:
    return f"WORKER#{worker_sid}"


def worker_state(item: WorkerItem) -> WorkerState:
    return WorkerState(
        item.caller_id, bool(item.local_presence), int(item.selection_version or 0), item.team_name or None
    )


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

    def save_selection(
        self,
        worker: WorkerRef,
        caller_id: str | None,
        local_presence: bool,
        *,
        expected_version: int,
        audit: AuditEntry | None = None,
        retract: AuditEntry | None = None,
    ) -> WorkerState:
        """Set the selection if it is still at ``expected_version`` (``ConcurrentUpdate`` otherwise), as version
        ``expected_version + 1``. Only the selection attributes are written, so a concurrent lock pointer update
        is never lost. ``audit`` is written in the same transaction, ``retract`` deleted in it (a rollback)."""
        unchanged = WorkerItem.selection_version == expected_version
        if expected_version == 0:
            unchanged = unchanged | WorkerItem.selection_version.does_not_exist()
        item = worker_item(worker)
        actions: list[Action] = [
            WorkerItem.kind.set(WorkerItem),
            WorkerItem.caller_id.set(caller_id) if caller_id else WorkerItem.caller_id.remove(),
            WorkerItem.local_presence.set(local_presence),
            WorkerItem.selection_version.set(expected_version + 1),
            WorkerItem.updated_at.set(time.time()),
        ]
        entry = audit or retract
        if entry is not None:
            if not audited(
                entry, lambda t: t.update(item, actions=actions, condition=unchanged), retract=bool(retract)
            ):
                raise ConcurrentUpdate("The selection changed while it was being saved.")
            return self.get(worker)
        try:
            item.update(actions=actions, condition=unchanged)
        except UpdateError as exc:
            if failed_condition(exc):
                raise ConcurrentUpdate("The selection changed while it was being saved.") from exc
            raise
        return worker_state(item)

    def save_team(self, worker: WorkerRef, team: str | None, *, at: float) -> bool:
        """Record the worker's team as TaskRouter reported it at ``at`` (epoch seconds), unless a report at least as
        new is stored already (events arrive out of order). Only the team attributes are written. Answers whether
        it was written."""
        item = worker_item(worker)
        try:
            item.update(
                actions=[
                    WorkerItem.kind.set(WorkerItem),
                    WorkerItem.team_name.set(team) if team else WorkerItem.team_name.remove(),
                    WorkerItem.team_updated_at.set(at),
                ],
                condition=WorkerItem.team_updated_at.does_not_exist() | (WorkerItem.team_updated_at < at),
            )
        except UpdateError as exc:
            if failed_condition(exc):
                return False
            raise
        return True
