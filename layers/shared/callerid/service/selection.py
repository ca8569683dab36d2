"""A worker's caller-ID selection: saved in DynamoDB (what the call path reads) and merged into the TaskRouter
worker's attributes (what the Flex UI reads) with ``If-Match`` on the worker's ETag, retried on 412, so no other
attribute is ever lost to a concurrent writer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from callerid.domain.attributes import merge_selection
from callerid.domain.errors import ConcurrentUpdate, NotFound
from callerid.domain.identity import WorkerRef
from callerid.domain.numbers import NumberQuery
from callerid.domain.phone import normalise_e164
from callerid.domain.resolution import usable_numbers
from callerid.service.catalogue import NumberCatalogue
from callerid.store.workers import WorkerRepository, WorkerState
from callerid.twilio.records import WorkerChanged, WorkerSnapshot

ATTRIBUTE_WRITE_ATTEMPTS = 10


class WorkerGateway(Protocol):
    def fetch_worker(self, account_sid: str, worker_sid: str) -> WorkerSnapshot: ...
    def update_worker_attributes(
        self, account_sid: str, worker_sid: str, attributes: str, etag: str | None
    ) -> None: ...


class CallerIdSelections:
    def __init__(
        self,
        workers: WorkerRepository,
        catalogue: NumberCatalogue,
        gateway: Callable[[], WorkerGateway],
        *,
        include_outgoing_only: bool,
    ) -> None:
        self.workers = workers
        self.catalogue = catalogue
        self.gateway = gateway
        self.include_outgoing_only = include_outgoing_only

    def get(self, worker: WorkerRef) -> WorkerState:
        return self.workers.get(worker)

    def put(self, worker: WorkerRef, caller_id: str | None, local_presence: bool) -> WorkerState:
        chosen = self._eligible(worker, caller_id) if caller_id is not None else None
        state = self.workers.save_selection(worker, chosen, local_presence)
        self._mirror_to_taskrouter(worker, chosen, local_presence)
        return state

    def _eligible(self, worker: WorkerRef, caller_id: str) -> str:
        """The number, if list-numbers offers it to this worker; 404 otherwise (never say whether it exists)."""
        e164 = normalise_e164(caller_id)
        query = NumberQuery(include_outgoing_only=self.include_outgoing_only)
        numbers = usable_numbers(self.catalogue.dialable(worker.account_sid))
        if not any(n.phone_number == e164 and query.matches(n) for n in numbers):
            raise NotFound(f"{e164} is not a number this worker may call from.")
        return e164

    def _mirror_to_taskrouter(self, worker: WorkerRef, caller_id: str | None, local_presence: bool) -> None:
        gateway = self.gateway()
        for _ in range(ATTRIBUTE_WRITE_ATTEMPTS):
            snapshot = gateway.fetch_worker(worker.account_sid, worker.worker_sid)
            merged = merge_selection(snapshot.attributes, caller_id, local_presence)
            try:
                gateway.update_worker_attributes(worker.account_sid, worker.worker_sid, merged, snapshot.etag)
            except WorkerChanged:
                continue
            return
        raise ConcurrentUpdate("The worker's attributes kept changing; try again.")
