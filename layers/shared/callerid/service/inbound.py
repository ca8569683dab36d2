"""An inbound call to one of the workspace's numbers (the voice webhook): where it goes, decided from the stored
record alone. The number's settings take effect here: callers from outside its allowed inbound countries and
calls to a number that is inactive or released are rejected; the rest go to Flex, to the number's inbound agent
when it has one (``targetWorker``, which the usual Flex workflow filter ``worker.sid == task.targetWorker`` routes
on). A number with no record yet (its workspace's numbers not read since they were pointed here) still reaches
Flex, with nothing of its settings applied: pointing a number here must never drop its calls."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callerid.domain.numbers import NumberStatus
from callerid.domain.phone import caller_country
from callerid.service.ports import RecordReader
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

    def task_attributes(self) -> dict[str, str]:
        """The Flex task's attributes: Flex's usual voice fields, and ``targetWorker`` for the inbound agent."""
        attributes = {"type": "inbound", "direction": "inbound", "from": self.caller or "", "to": self.called or ""}
        attributes["name"] = self.caller or "Unknown caller"
        if self.target_worker:
            attributes["targetWorker"] = self.target_worker
        return attributes


class InboundCalls:
    def __init__(self, numbers: RecordReader, *, redirect: bool) -> None:
        self.numbers = numbers
        self.redirect = redirect

    def route(self, call: InboundCall) -> InboundRoute:
        called = phone_or_none(call.called)
        record = self.numbers.get(call.account_sid, called) if called else None
        route = Route.REDIRECT if self.redirect else Route.ENQUEUE
        if record is None:
            return InboundRoute(route, "no record of the number yet: to Flex as it is", called, call.caller)
        if record.status is not NumberStatus.ACTIVE:
            return InboundRoute(Route.REJECT, f"the number is {record.status.value}", called, call.caller)
        allowed = record.allowed_inbound_countries
        if allowed and caller_country(call.caller) not in allowed:
            return InboundRoute(Route.REJECT, "caller outside the allowed inbound countries", called, call.caller)
        return InboundRoute(route, "to Flex", called, call.caller, record.inbound_agent)
