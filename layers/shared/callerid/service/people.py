"""People and queues by name for supervisors (``GET /v1/workers``, ``GET /v1/task-queues``) and who a token is
(``GET /v1/me``). What TaskRouter and Twilio answer is kept in this container for at most
``NUMBER_CACHE_TTL_SECONDS``, per account: a workspace never reads another's."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from callerid.domain.identity import Caller
from callerid.domain.people import Person, Queue
from callerid.service.ports import PeopleGateway

T = TypeVar("T")
# The most accounts whose answers one container keeps (a container serves one deployment's few workspaces).
MAX_ACCOUNTS = 1000


@dataclass(frozen=True, slots=True)
class PeoplePage:
    people: list[Person]
    total: int


@dataclass(frozen=True, slots=True)
class Me:
    account_sid: str
    account_name: str
    worker_sid: str | None
    identity: str
    roles: list[str]


class People:
    def __init__(
        self,
        gateway: Callable[[], PeopleGateway],
        *,
        ttl_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gateway = gateway
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._kept: dict[tuple[str, str], tuple[float, object]] = {}
        self._lock = threading.Lock()

    def _kept_or_read(self, kind: str, account_sid: str, read: Callable[[], T]) -> T:
        key = (kind, account_sid)
        now = self.clock()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and now < kept[0] + self.ttl_seconds:
            return kept[1]  # type: ignore[return-value]
        value = read()
        with self._lock:
            if len(self._kept) >= MAX_ACCOUNTS * 3:
                self._kept.clear()
            self._kept[key] = (now, value)
        return value

    def workers(self, account_sid: str, search: str | None, page: int, per_page: int) -> PeoplePage:
        """The workspace's workers by name (then SID), those whose name, SID or team holds ``search``, one page."""
        everyone = self._kept_or_read("workers", account_sid, lambda: self.gateway().list_workers(account_sid))
        chosen = [p for p in everyone if not search or p.matches(search)]
        chosen.sort(key=lambda p: (p.friendly_name.casefold(), p.worker_sid))
        start = (page - 1) * per_page
        return PeoplePage(chosen[start : start + per_page], len(chosen))

    def task_queues(self, account_sid: str) -> list[Queue]:
        queues = self._kept_or_read("queues", account_sid, lambda: self.gateway().list_task_queues(account_sid))
        return sorted(queues, key=lambda q: (q.friendly_name.casefold(), q.queue_sid))

    def me(self, caller: Caller) -> Me:
        name = self._kept_or_read("name", caller.account_sid, lambda: self.gateway().account_name(caller.account_sid))
        return Me(caller.account_sid, name, caller.worker_sid, caller.identity, sorted(caller.roles))
