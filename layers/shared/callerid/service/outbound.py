"""StartOutboundCall's From rewrite: resolve the number and lock it, with no Twilio request.

Steady state costs two DynamoDB requests: one BatchGetItem (catalogue + the worker's state) and one
TransactWriteItems (the conditional lock put + the worker's lock pointer). A number another worker holds costs
one more write per number skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from callerid.domain.errors import CallerIdInUse, NoCallerIdAvailable
from callerid.domain.identity import Caller
from callerid.domain.locks import CallerIdLock
from callerid.domain.numbers import Catalogue, dialable_numbers
from callerid.domain.phone import destination, normalise_e164
from callerid.domain.resolution import Choice, ResolutionRequest, plan_from_number
from callerid.store.catalogue import CatalogueRepository
from callerid.store.locks import LockRepository
from callerid.store.workers import WorkerRepository


@dataclass(frozen=True, slots=True)
class OutboundCall:
    choice: Choice
    lock: CallerIdLock


class OutboundCalls:
    def __init__(
        self,
        catalogues: CatalogueRepository,
        workers: WorkerRepository,
        locks: LockRepository,
        *,
        lock_ttl_seconds: int,
        build_catalogue: Callable[[str], Catalogue],
        ancestors: Callable[[str], list[str]] = lambda account_sid: [],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ancestors = ancestors
        self.catalogues = catalogues
        self.workers = workers
        self.locks = locks
        self.lock_ttl_seconds = lock_ttl_seconds
        self.build_catalogue = build_catalogue
        self.clock = clock

    def start(self, caller: Caller, to: str, explicit_from: str | None = None) -> OutboundCall:
        worker = caller.worker()
        dialled = destination(to)
        wanted = normalise_e164(explicit_from) if explicit_from is not None else None
        catalogue, inherited, state = self.catalogues.get_with_worker(
            worker.account_sid, worker.worker_sid, self.ancestors(worker.account_sid)
        )
        if catalogue is None:
            # Only before anyone in the workspace has listed numbers: build it once (reads Twilio).
            catalogue = self.build_catalogue(worker.account_sid)
        request = ResolutionRequest(
            worker=worker,
            destination=dialled,
            explicit_from=wanted,
            selection=state.caller_id,
            local_presence=state.local_presence,
        )
        for choice in plan_from_number(request, dialable_numbers(catalogue, inherited)):
            try:
                lock = self.locks.acquire(
                    choice.number.phone_number, worker, ttl_seconds=self.lock_ttl_seconds, now=self.clock()
                )
            except CallerIdInUse:
                if wanted is not None:
                    raise
                continue
            return OutboundCall(choice, lock)
        raise NoCallerIdAvailable("Every number this agent may call from is on another agent's call.")

    def release_own(self, caller: Caller) -> str | None:
        """Release the lock the caller took last; answers its number, or ``None`` when nothing was released."""
        worker = caller.worker()
        state = self.workers.get(worker)
        if not state.lock_phone or not state.lock_lease:
            return None
        released = self.locks.release(state.lock_phone, worker, state.lock_lease)
        return state.lock_phone if released else None
