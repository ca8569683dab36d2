"""A worker's caller-ID selection: saved in DynamoDB (what the call path reads) and merged into the TaskRouter
worker's attributes (what the Flex UI reads) with ``If-Match`` on the worker's ETag, so no other attribute is ever
lost to a concurrent writer.

Concurrent selections of one worker: the last DynamoDB write wins (each write is conditional on the version it
read), and the two stores always end equal. After its own write, a writer mirrors the selection in force into
TaskRouter and re-reads DynamoDB; while the version moved on meanwhile, it mirrors the newer one. Whoever writes
TaskRouter last has therefore checked, after writing, that DynamoDB still holds what it wrote. A selection whose
TaskRouter write fails is rolled back (if nobody overtook it), the restored selection is mirrored again, and the
answer is 503: nothing changed. (One gap stays: a TaskRouter write that Twilio applied but whose answer never
arrived, while Twilio keeps failing; the worker's next selection mends it.)
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import suppress

from callerid.domain.attributes import merge_selection
from callerid.domain.audit import Actor, AuditEntry, AuditTarget, TargetKind
from callerid.domain.errors import CallerIdError, ConcurrentUpdate, NotFound
from callerid.domain.identity import WorkerRef
from callerid.domain.phone import normalise_e164
from callerid.domain.taskrouter import team_of_json
from callerid.domain.workers import WorkerState
from callerid.service.audit import AuditTrail
from callerid.service.numbers import NumberDirectory
from callerid.service.ports import WorkerGateway, Workers
from callerid.twilio.records import WorkerChanged, WorkerSnapshot

ATTRIBUTE_WRITE_ATTEMPTS = 20
SAVE_ATTEMPTS = 10
MAX_BACKOFF_SECONDS = 0.25


class CallerIdSelections:
    def __init__(
        self,
        workers: Workers,
        numbers: NumberDirectory,
        gateway: Callable[[], WorkerGateway],
        *,
        include_outgoing_only: bool,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        audit: AuditTrail | None = None,
    ) -> None:
        self.audit = audit or AuditTrail(clock=clock)
        self.workers = workers
        self.numbers = numbers
        self.gateway = gateway
        self.include_outgoing_only = include_outgoing_only
        self.sleep = sleep
        self.clock = clock

    def get(self, worker: WorkerRef, *, confirm_worker: bool = False) -> WorkerState:
        """The worker's selection. With ``confirm_worker`` (another worker's, asked by a supervisor), the worker
        must exist in the caller's own TaskRouter workspace: 404 otherwise, as for any record of another
        workspace."""
        if confirm_worker:
            self.gateway().fetch_worker(worker.account_sid, worker.worker_sid)
        return self.workers.get(worker)

    def put(
        self, worker: WorkerRef, caller_id: str | None, local_presence: bool | None, actor: Actor | None = None
    ) -> WorkerState:
        """Save the selection (``local_presence`` ``None`` keeps the stored preference) in both stores. With
        ``actor`` (a supervisor choosing for another worker), the DynamoDB write carries its audit entry, and a
        rollback (TaskRouter refused) deletes it with the selection it undoes."""
        chosen = self._eligible(worker, caller_id) if caller_id is not None else None
        gateway = self.gateway()
        # The worker must exist in this workspace before anything is written (404 otherwise).
        snapshot = gateway.fetch_worker(worker.account_sid, worker.worker_sid)
        previous, mine, entry = self._save(worker, chosen, local_presence, actor)
        try:
            self._mirror(gateway, worker, mine, snapshot)
        except Exception:
            self._roll_back(gateway, worker, previous, mine, entry)
            raise
        # The worker's team, as TaskRouter holds it now (the call path's assignment by team needs it before any
        # TaskRouter event has said so); a later event's team still wins.
        self.workers.save_team(worker, team_of_json(snapshot.attributes), at=self.clock())
        return mine

    def _eligible(self, worker: WorkerRef, caller_id: str) -> str:
        """The number, if list-numbers offers it to this worker; 404 otherwise (never say whether it exists)."""
        e164 = normalise_e164(caller_id)
        if not self.numbers.selectable(worker.account_sid, e164, include_outgoing_only=self.include_outgoing_only):
            raise NotFound(f"{e164} is not a number this worker may call from.")
        return e164

    def _save(
        self, worker: WorkerRef, caller_id: str | None, local_presence: bool | None, actor: Actor | None
    ) -> tuple[WorkerState, WorkerState, AuditEntry | None]:
        """Write the selection over the latest one; answers (the one it replaced, the one written, its entry)."""
        for _ in range(SAVE_ATTEMPTS):
            previous = self.workers.get(worker)
            presence = previous.local_presence if local_presence is None else local_presence
            entry = None
            changes = {
                name: (before, after)
                for name, before, after in (
                    ("callerId", previous.caller_id, caller_id),
                    ("localPresence", previous.local_presence, presence),
                )
                if before != after
            }
            if actor is not None and changes:
                target = AuditTarget(TargetKind.WORKER, worker.worker_sid)
                entry = self.audit.entry(worker.account_sid, actor, "worker.selection", target, changes)
            try:
                written = self.workers.save_selection(
                    worker, caller_id, presence, expected_version=previous.version, audit=entry
                )
            except ConcurrentUpdate:
                continue
            return previous, written, entry
        raise ConcurrentUpdate("The selection kept changing; try again.")

    def _mirror(self, gateway: WorkerGateway, worker: WorkerRef, state: WorkerState, snapshot: WorkerSnapshot) -> None:
        """Write ``state`` into the TaskRouter attributes, then follow DynamoDB until it holds what was written."""
        for attempt in range(ATTRIBUTE_WRITE_ATTEMPTS):
            merged = merge_selection(snapshot.attributes, state.caller_id, state.local_presence)
            try:
                snapshot = gateway.update_worker_attributes(
                    worker.account_sid, worker.worker_sid, merged, snapshot.etag
                )
            except WorkerChanged:
                # Someone else wrote the worker: back off a little (racing writers would collide again), then
                # merge into what is there now, with the selection now in force.
                self.sleep(random.uniform(0, min(MAX_BACKOFF_SECONDS, 0.01 * 2**attempt)))
                snapshot = gateway.fetch_worker(worker.account_sid, worker.worker_sid)
                state = self.workers.get(worker)
                continue
            latest = self.workers.get(worker)
            if latest.version == state.version:
                return
            state = latest
        raise ConcurrentUpdate("The worker's attributes kept changing; try again.")

    def _roll_back(
        self,
        gateway: WorkerGateway,
        worker: WorkerRef,
        previous: WorkerState,
        mine: WorkerState,
        entry: AuditEntry | None = None,
    ) -> None:
        """Put back the selection ``mine`` replaced, unless a later selection already took over, and mirror what is
        now in force: a concurrent writer may have written ``mine`` into TaskRouter before this one failed. Best
        effort: when TaskRouter is still failing, the next selection of this worker mirrors it."""
        try:
            restored = self.workers.save_selection(
                worker, previous.caller_id, previous.local_presence, expected_version=mine.version, retract=entry
            )
        except ConcurrentUpdate:
            return
        with suppress(CallerIdError):
            self._mirror(gateway, worker, restored, gateway.fetch_worker(worker.account_sid, worker.worker_sid))
