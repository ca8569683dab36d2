"""What a TaskRouter event callback says, read into the facts the caller-ID locks and workers' teams need.

TaskRouter posts one form per event to the workspace's ``EventCallbackUrl``: ``Sid`` (``EA…``), ``EventType``,
``AccountSid``, ``WorkspaceSid``, ``Timestamp`` (epoch seconds; ``TimestampMs`` the same in milliseconds) and the
resource's fields (``TaskSid``, ``TaskAttributes``, ``TaskAge`` in seconds, ``WorkerSid``, ``WorkerAttributes``, …).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from callerid.domain.errors import InvalidPhoneNumber, InvalidRequest
from callerid.domain.phone import normalise_e164

# A worker's outbound-call task has ended: wrap-up, completion, cancellation, or a reservation that came to
# nothing (rejected, timed out, cancelled). The reservation's own wrap-up and completion end the holder's call too
# (an operator's EventsFilter may keep only reservation events); they carry the same task fields and WorkerSid.
TASK_END_EVENTS = frozenset(
    {
        "task.wrapup",
        "task.completed",
        "task.canceled",
        "reservation.wrapup",
        "reservation.completed",
        "reservation.rejected",
        "reservation.timeout",
        "reservation.canceled",
    }
)
TEAM_ATTRIBUTE = "team_name"
MAX_TEAM_LENGTH = 256
# Ten years: an epoch or an age beyond this is not a TaskRouter value.
MAX_SECONDS = 10 * 365 * 86_400


@dataclass(frozen=True, slots=True)
class TaskRouterEvent:
    """One event, as far as this backend reads it. ``outbound_from`` is the task's ``from`` (E.164) when the task
    is an outbound call; ``task_began`` is ``occurred_at`` minus ``TaskAge``; ``team`` is the worker's
    ``team_name`` when the event carries ``WorkerAttributes`` (``carries_team``)."""

    sid: str
    event_type: str
    account_sid: str
    workspace_sid: str
    occurred_at: float
    worker_sid: str | None = None
    task_sid: str | None = None
    task_began: float | None = None
    outbound_from: str | None = None
    carries_team: bool = False
    team: str | None = None
    # An outbound task's ``to`` (E.164) and its customer leg (``conference.participants.customer``, as Flex writes
    # it once the customer joined), when the attributes carry them.
    outbound_to: str | None = None
    customer_call_sid: str | None = None

    @property
    def ends_task(self) -> bool:
        return self.event_type in TASK_END_EVENTS

    @property
    def acts(self) -> bool:
        """Whether anything here may change: a task's end, or a worker's attributes."""
        return self.ends_task or (self.carries_team and self.worker_sid is not None)


def event_time(timestamp: str | None, timestamp_ms: str | None) -> float:
    """When the event happened (epoch seconds): ``TimestampMs`` when it is readable, else ``Timestamp``."""
    if timestamp_ms:
        try:
            return _bounded(float(timestamp_ms) / 1000, "TimestampMs")
        except ValueError:
            pass
    if not timestamp:
        raise InvalidRequest("Timestamp: the event's time (epoch seconds) is required.")
    try:
        return _bounded(float(timestamp), "Timestamp")
    except ValueError as exc:
        raise InvalidRequest("Timestamp: expected epoch seconds.") from exc


def _bounded(value: float, name: str) -> float:
    if not math.isfinite(value) or not 0 <= value <= 2**32:
        raise InvalidRequest(f"{name}: not a time TaskRouter sends.")
    return value


def json_object(raw: str, name: str) -> dict[str, Any]:
    """``raw`` as a JSON object (TaskRouter's attributes always are one)."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # nesting deeper than the parser recurses is no object either
        raise InvalidRequest(f"{name}: not valid JSON.") from exc
    if not isinstance(value, dict):
        raise InvalidRequest(f"{name}: expected a JSON object.")
    return value


def outbound_caller_id(attributes: dict[str, Any]) -> str | None:
    """The number an outbound-call task dials from (its ``from``, as E.164), or ``None`` when the task is not an
    outbound call (``direction`` other than ``outbound``) or its ``from`` is no phone number (``client:…``)."""
    direction, caller_id = attributes.get("direction"), attributes.get("from")
    if not isinstance(direction, str) or direction.lower() != "outbound" or not isinstance(caller_id, str):
        return None
    try:
        return normalise_e164(caller_id)
    except InvalidPhoneNumber:
        return None


def outbound_callee(attributes: dict[str, Any]) -> str | None:
    """An outbound task's ``to`` as E.164, or ``None``."""
    to = attributes.get("to")
    try:
        return normalise_e164(to) if isinstance(to, str) else None
    except InvalidPhoneNumber:
        return None


def customer_leg(attributes: dict[str, Any]) -> str | None:
    """The call SID Flex wrote as ``conference.participants.customer``, or ``None``."""
    conference = attributes.get("conference")
    participants = conference.get("participants") if isinstance(conference, dict) else None
    customer = participants.get("customer") if isinstance(participants, dict) else None
    if isinstance(customer, str) and len(customer) == 34 and customer.startswith("CA") and customer[2:].isalnum():
        return customer
    return None


def team_of(attributes: dict[str, Any]) -> str | None:
    """The worker's ``team_name``, when it is a non-empty string."""
    team = attributes.get(TEAM_ATTRIBUTE)
    if not isinstance(team, str):
        return None
    return team.strip()[:MAX_TEAM_LENGTH] or None


def team_of_json(raw: str | None) -> str | None:
    """``team_of`` TaskRouter's attributes JSON (``None`` when they are missing or not an object)."""
    try:
        return team_of(json_object(raw, "attributes")) if raw else None
    except InvalidRequest:
        return None


def read_event(
    *,
    sid: str,
    event_type: str,
    account_sid: str,
    workspace_sid: str,
    timestamp: str | None,
    timestamp_ms: str | None = None,
    worker_sid: str | None = None,
    task_sid: str | None = None,
    task_age: str | None = None,
    task_attributes: str | None = None,
    worker_attributes: str | None = None,
) -> TaskRouterEvent:
    """Read a signed event's form fields; ``InvalidRequest`` for what an event this backend acts on cannot carry
    (a missing or unreadable ``Timestamp``/``TaskAge``, attributes that are not a JSON object). An event of a type
    it does not act on is read no further."""
    base = TaskRouterEvent(sid, event_type, account_sid, workspace_sid, 0.0, worker_sid or None, task_sid or None)
    carries_team = worker_attributes is not None and base.worker_sid is not None
    if not (base.ends_task or carries_team):
        return base
    occurred_at = event_time(timestamp, timestamp_ms)
    team = team_of(json_object(worker_attributes, "WorkerAttributes")) if worker_attributes is not None else None
    began = outbound = to = customer = None
    if base.ends_task:
        age = (task_age or "").strip()
        # ASCII digits only: str.isdigit() also admits "²" and "①", which int() refuses.
        if not (age.isascii() and age.isdecimal()) or int(age) > MAX_SECONDS:
            raise InvalidRequest("TaskAge: the task's age in whole seconds is required.")
        began = occurred_at - int(age)
        attributes = json_object(task_attributes or "", "TaskAttributes")
        outbound = outbound_caller_id(attributes)
        if outbound is not None:
            to, customer = outbound_callee(attributes), customer_leg(attributes)
    return TaskRouterEvent(
        sid,
        event_type,
        account_sid,
        workspace_sid,
        occurred_at,
        base.worker_sid,
        base.task_sid,
        began,
        outbound,
        carries_team,
        team,
        to,
        customer,
    )
