"""StartOutboundCall's From rewrite: resolve the number and lock it, with no Twilio request and without reading
any number's record.

Steady state costs two DynamoDB requests whatever the size of the workspace: one BatchGetItem (the worker's
state, the workspace's head with its primary and fallback pool, its ancestors' heads) and one conditional
UpdateItem on the phone item, whose condition both takes the lock and checks that the worker may call the
destination from that number. A number another worker holds (or that a stale pool still offers) costs one more
write per number skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from callerid.domain.errors import CallerIdInUse, DestinationNotAllowed, NoCallerIdAvailable, NotFound
from callerid.domain.identity import Caller
from callerid.domain.locks import CallerIdLock
from callerid.domain.phone import destination, normalise_e164
from callerid.domain.resolution import Choice, Reason, ResolutionRequest, plan_from_number
from callerid.service.ports import NumberStore, PhoneStore


@dataclass(frozen=True, slots=True)
class OutboundCall:
    choice: Choice
    lock: CallerIdLock


class OutboundCalls:
    def __init__(
        self,
        store: NumberStore,
        phones: PhoneStore,
        *,
        lock_ttl_seconds: int,
        build: Callable[[str], object],
        ancestors: Callable[[str], list[str]] = lambda account_sid: [],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.phones = phones
        self.lock_ttl_seconds = lock_ttl_seconds
        self.build = build
        self.ancestors = ancestors
        self.clock = clock

    def start(
        self,
        caller: Caller,
        to: str,
        explicit_from: str | None = None,
        *,
        queue_sid: str | None = None,
        task_sid: str | None = None,
    ) -> OutboundCall:
        worker = caller.worker()
        dialled = destination(to)
        wanted = normalise_e164(explicit_from) if explicit_from is not None else None
        ancestors = self.ancestors(worker.account_sid)

        def lock(phone_number: str, *, diagnose: bool = True) -> CallerIdLock:
            return self.phones.acquire(
                phone_number,
                worker,
                ancestors=ancestors,
                country=dialled.country,
                ttl_seconds=self.lock_ttl_seconds,
                now=self.clock(),
                diagnose=diagnose,
                task_sid=task_sid,
            )

        if wanted is not None:
            try:
                return OutboundCall(Choice(wanted, Reason.EXPLICIT), lock(wanted))
            except NotFound:
                if self.store.head(worker.account_sid).refreshed_at > 0:
                    raise
                self.build(worker.account_sid)
                return OutboundCall(Choice(wanted, Reason.EXPLICIT), lock(wanted))
        head, inherited, state = self.store.call_path_read(worker.account_sid, worker.worker_sid, ancestors)
        if head.refreshed_at == 0:
            # Only before anyone in the workspace has listed numbers: read them from Twilio once.
            self.build(worker.account_sid)
            head, inherited, state = self.store.call_path_read(worker.account_sid, worker.worker_sid, ancestors)
        pool = head.pool + tuple(c for h in inherited for c in h.pool if c.shared)
        request = ResolutionRequest(
            worker=worker,
            destination=dialled,
            selection=state.caller_id,
            local_presence=state.local_presence,
            primary=head.primary,
            pool=pool,
        )
        for choice in plan_from_number(request):
            try:
                return OutboundCall(choice, lock(choice.phone_number, diagnose=False))
            except CallerIdInUse:
                continue
        if pool and not any(c.may_call(dialled.country) for c in pool):
            raise DestinationNotAllowed(f"No caller ID of this workspace may call {dialled.country or 'there'}.")
        raise NoCallerIdAvailable("Every number this agent may call from is on another agent's call.")

    def release_own(self, caller: Caller) -> str | None:
        """Release the locks the caller holds; answers a number released, or ``None`` when nothing was."""
        worker = caller.worker()
        released = [lock.phone_number for lock in self.phones.held_by(worker) if self._release(lock)]
        return released[0] if released else None

    def _release(self, lock: CallerIdLock) -> bool:
        return self.phones.release(lock.phone_number, lock.holder, lock.lease_id)
