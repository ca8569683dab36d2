"""An inbound call to one of the workspace's numbers (the voice webhook): where it goes, decided from the stored
record alone. The number's settings take effect here: callers from outside its allowed inbound countries and
calls to a number that is inactive or released are rejected; the rest go to Flex, to the number's inbound agent
when it has one (``targetWorker``, which the usual Flex workflow filter ``worker.sid == task.targetWorker`` routes
on). A customer calling back the number that called them (within CALLBACK_AFFINITY_DAYS, same account) goes to
the agent who placed that latest call (``targetWorker`` and ``callbackOf``), ahead of the inbound agent: the
record and the latest call are one read. A number with no record yet (its workspace's numbers not read since they
were pointed here) still reaches Flex, with nothing of its settings applied: pointing a number here must never
drop its calls."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from callerid.domain.calls import LatestCall
from callerid.domain.numbers import NumberStatus
from callerid.domain.phone import caller_country
from callerid.service.ports import InboundReads, RecordReader
from callerid.service.webhooks import phone_or_none


class Route(StrEnum):
    REJECT = "reject"
    ENQUEUE = "enqueue"
    REDIRECT = "redirect"


@dataclass(frozen=True, slots=True)
class InboundCall:
    account_sid: str
    call_sid: str
    called: str
    caller: str | None


@dataclass(frozen=True, slots=True)
class InboundRoute:
    route: Route
    reason: str
    called: str | None = None
    caller: str | None = None
    target_worker: str | None = None
    callback_of: LatestCall | None = None

    def task_attributes(self) -> dict[str, Any]:
        """The Flex task's attributes: Flex's usual voice fields, ``targetWorker`` for the agent it goes to, and
        ``callbackOf`` (``{from, to, startedAt, workerSid}``) when it is a customer calling back."""
        attributes: dict[str, Any] = {
            "type": "inbound",
            "direction": "inbound",
            "from": self.caller or "",
            "to": self.called or "",
        }
        attributes["name"] = self.caller or "Unknown caller"
        if self.target_worker:
            attributes["targetWorker"] = self.target_worker
        if self.callback_of is not None:
            started = datetime.fromtimestamp(self.callback_of.started_at, UTC).isoformat().replace("+00:00", "Z")
            attributes["callbackOf"] = {
                "from": self.callback_of.from_number,
                "to": self.callback_of.to,
                "startedAt": started,
                "workerSid": self.callback_of.worker_sid,
            }
        return attributes


class InboundCalls:
    def __init__(
        self,
        numbers: RecordReader,
        *,
        redirect: bool,
        calls: InboundReads | None = None,
        affinity_days: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.numbers = numbers
        self.redirect = redirect
        self.calls = calls
        self.affinity_days = affinity_days
        self.clock = clock

    def route(self, call: InboundCall) -> InboundRoute:
        called = phone_or_none(call.called)
        record, latest = None, None
        if called and self.calls is not None and self.affinity_days > 0:
            record, latest = self.calls.inbound_read(call.account_sid, called, phone_or_none(call.caller))
        elif called:
            record = self.numbers.get(call.account_sid, called)
        route = Route.REDIRECT if self.redirect else Route.ENQUEUE
        if record is None:
            return InboundRoute(route, "no record of the number yet: to Flex as it is", called, call.caller)
        if record.status is not NumberStatus.ACTIVE:
            return InboundRoute(Route.REJECT, f"the number is {record.status.value}", called, call.caller)
        allowed = record.allowed_inbound_countries
        if allowed and caller_country(call.caller) not in allowed:
            return InboundRoute(Route.REJECT, "caller outside the allowed inbound countries", called, call.caller)
        if latest is not None and latest.reaches(call.account_sid, self.clock(), self.affinity_days):
            return InboundRoute(route, "a callback: to its agent", called, call.caller, latest.worker_sid, latest)
        return InboundRoute(route, "to Flex", called, call.caller, record.inbound_agent)
