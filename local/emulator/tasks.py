"""TaskRouter's events, as TaskRouter posts them to a workspace's ``EventCallbackUrl``: one form per event
(``Sid``, ``EventType``, ``AccountSid``, ``WorkspaceSid``, ``Timestamp`` in epoch seconds, ``TimestampMs``, the
resource's fields), signed with the account's auth token like every Twilio webhook, and only the events the
workspace's ``EventsFilter`` names (all when it is unset).

An outbound call's task (what Flex's StartOutboundCall creates): created for one worker with ``direction:
outbound``, ``from`` and ``to`` in its attributes, reserved to that worker and accepted; then it ends as the
caller asks (wrap-up, completion, cancellation, or a rejected / timed-out / cancelled reservation). Its customer
leg — the call Flex dials into the task's conference — is an Api 2010 Call (``in-progress`` while the task lives),
its SID in the task's attributes as ``conference.participants.customer`` as Flex writes them; the task's first end
gives the leg its outcome, and Event Streams delivers the leg's Voice Insights summary to subscribed sinks
(``streams``). Every event is posted before the request that caused it is answered (one order Twilio's asynchronous
events may take), so a test sees its effect at once and no event lands later in another test's request counts."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import requests

from local.emulator.common import post_signed
from local.emulator.state import Call, StreamDelivery, Task, Worker, Workspace, World, sid
from local.emulator.streams import deliver_call_summaries

# How each ending of a task is reported, and the task's assignment status after it.
ENDINGS: dict[str, tuple[str, str, str]] = {
    "wrapup": ("task.wrapup", "Task", "wrapping"),
    "completed": ("task.completed", "Task", "completed"),
    "canceled": ("task.canceled", "Task", "canceled"),
    "rejected": ("reservation.rejected", "Reservation", "pending"),
    "timeout": ("reservation.timeout", "Reservation", "pending"),
    "reservation-canceled": ("reservation.canceled", "Reservation", "canceled"),
}


# How a call can end: the Calls resource's terminal statuses, and the final SIP response of each unless one is given.
OUTCOMES: dict[str, int] = {"completed": 200, "no-answer": 487, "busy": 486, "failed": 500, "canceled": 487}


@dataclass(frozen=True)
class Outcome:
    """How the customer leg ended: its status, the seconds it was connected (a completed call) and its final SIP
    response."""

    status: str = "completed"
    duration_seconds: int = 60
    sip_code: int | None = None


@dataclass(frozen=True)
class Delivery:
    event_type: str
    sid: str
    status: int | None


def event_params(
    workspace: Workspace,
    event_type: str,
    resource_type: str,
    resource_sid: str,
    fields: dict[str, str],
    now: float | None = None,
) -> dict[str, str]:
    moment = time.time() if now is None else now
    return {
        "Sid": sid("EA"),
        "EventType": event_type,
        "AccountSid": workspace.account_sid,
        "WorkspaceSid": workspace.sid,
        "WorkspaceName": workspace.friendly_name,
        "EventDescription": f"{resource_type} {resource_sid}: {event_type}",
        "ResourceType": resource_type,
        "ResourceSid": resource_sid,
        "Timestamp": str(int(moment)),
        "TimestampMs": str(int(moment * 1000)),
        **fields,
    }


def worker_fields(worker: Worker) -> dict[str, str]:
    return {"WorkerSid": worker.sid, "WorkerName": worker.friendly_name, "WorkerAttributes": worker.attributes}


def task_fields(task: Task, now: float) -> dict[str, str]:
    return {
        "TaskSid": task.sid,
        "TaskAttributes": task.attributes,
        "TaskAge": str(max(0, int(now - task.created))),
        "TaskAssignmentStatus": task.assignment_status,
        "TaskPriority": "0",
        "ReservationSid": task.reservation_sid,
    }


def deliver(state: World, workspace: Workspace, params: dict[str, str]) -> Delivery | None:
    """Post one event (signed) if the workspace wants it; answers what the callback answered (None: no answer)."""
    url = workspace.event_callback_url
    if not url or not workspace.wants(params["EventType"]):
        return None
    try:
        response = post_signed(state.accounts[workspace.account_sid].auth_token, url, params)
        status: int | None = int(response.status_code)
    except requests.RequestException:
        status = None  # TaskRouter gives up on a callback that does not answer; so does the emulator
    return Delivery(params["EventType"], params["Sid"], status)


def worker_attributes_changed(state: World, worker: Worker) -> None:
    """``worker.attributes.update``, posted before the update is answered (outside the world's lock: the
    callback may read TaskRouter meanwhile)."""
    with state.lock:
        workspace = state.workspaces[worker.workspace_sid]
        params = event_params(workspace, "worker.attributes.update", "Worker", worker.sid, worker_fields(worker))
    deliver(state, workspace, params)


# Where a task's customer leg is: placed, its SID in the task's attributes (as Flex writes them once the customer
# joins the conference); placed, but not in the attributes (the task ended before Flex wrote them); not placed.
CUSTOMER_LEGS = ("attributes", "listOnly", "none")


def start_outbound_task(
    state: World,
    worker: Worker,
    from_number: str,
    to: str,
    age_seconds: float = 0.0,
    task_sid: str | None = None,
    customer_leg: str = "attributes",
) -> tuple[Task, list[Delivery]]:
    """The task of ``worker``'s outbound call, created ``age_seconds`` ago, reserved to the worker and accepted, and
    its customer leg (as ``customer_leg`` says, one of ``CUSTOMER_LEGS``), placed when the task was created and in
    progress."""
    with state.lock:
        workspace = state.workspaces[worker.workspace_sid]
        created = time.time() - age_seconds
        attributes: dict[str, Any] = {
            "direction": "outbound",
            "from": from_number,
            "to": to,
            "name": to,
            "type": "outbound",
        }
        call = None
        if customer_leg != "none":
            call = Call(sid("CA"), worker.account_sid, from_number, to, "outbound-api", created, created=created)
            state.calls[call.sid] = call
        if call is not None and customer_leg == "attributes":
            attributes["conference"] = {"sid": sid("CF"), "participants": {"customer": call.sid}}
        task = Task(
            task_sid or sid("WT"),
            worker.account_sid,
            workspace.sid,
            worker.sid,
            json.dumps(attributes),
            sid("WR"),
            created=created,
            call_sid=call.sid if call else None,
        )
        state.tasks[task.sid] = task
        now = time.time()
        events = [
            event_params(workspace, "task.created", "Task", task.sid, task_fields(task, now), now),
            event_params(
                workspace,
                "reservation.created",
                "Reservation",
                task.reservation_sid,
                {**task_fields(task, now), **worker_fields(worker)},
                now,
            ),
            event_params(
                workspace,
                "reservation.accepted",
                "Reservation",
                task.reservation_sid,
                {**task_fields(task, now), **worker_fields(worker)},
                now,
            ),
        ]
    return task, [d for d in (deliver(state, workspace, e) for e in events) if d is not None]


def end_task(
    state: World, task: Task, ending: str, outcome: Outcome | None = None
) -> tuple[list[Delivery], list[StreamDelivery]]:
    """End the task as ``ending`` says (a key of ``ENDINGS``): the customer leg ends with ``outcome`` (on the task's
    first end only: a call ends once), the task's event is posted, then the leg's call summary to subscribed
    sinks."""
    event_type, resource_type, status = ENDINGS[ending]
    ended_call = hang_up(state, task, outcome or Outcome())
    with state.lock:
        workspace = state.workspaces[task.workspace_sid]
        worker = state.workers[task.worker_sid]
        task.assignment_status, task.ended = status, ending
        now = time.time()
        resource = task.sid if resource_type == "Task" else task.reservation_sid
        fields = {**task_fields(task, now), **worker_fields(worker)}
        if event_type == "task.canceled":
            fields["TaskCanceledReason"] = "hangup"
        if event_type == "task.completed":
            fields["TaskCompletedReason"] = "call ended"
        params = event_params(workspace, event_type, resource_type, resource, fields, now)
    delivered = deliver(state, workspace, params)
    summaries = deliver_call_summaries(state, ended_call) if ended_call is not None else []
    return ([delivered] if delivered else []), summaries


def hang_up(state: World, task: Task, outcome: Outcome) -> Call | None:
    """End the task's customer leg with the outcome; the call, or None when it had ended already."""
    with state.lock:
        call = state.calls.get(task.call_sid or "")
        if call is None or call.ended:
            return None
        now = time.time()
        connected = outcome.duration_seconds if outcome.status == "completed" else 0
        call.status, call.duration = outcome.status, connected
        call.sip_code = outcome.sip_code if outcome.sip_code is not None else OUTCOMES[outcome.status]
        # A connected call lasts at least its duration: it ends then, or now if that is later.
        call.end_time = max(now, call.start_time + connected)
        call.updated = now
        return call


def task_json(task: Task) -> dict[str, Any]:
    return {
        "taskSid": task.sid,
        "reservationSid": task.reservation_sid,
        "workerSid": task.worker_sid,
        "workspaceSid": task.workspace_sid,
        "attributes": json.loads(task.attributes),
        "assignmentStatus": task.assignment_status,
        "ended": task.ended,
        "callSid": task.call_sid,
    }


def stream_deliveries_json(deliveries: list[StreamDelivery]) -> list[dict[str, Any]]:
    return [
        {"sinkSid": d.sink_sid, "type": d.event_type, "callSid": d.call_sid, "status": d.status} for d in deliveries
    ]


def deliveries_json(deliveries: list[Delivery]) -> list[dict[str, Any]]:
    return [{"eventType": d.event_type, "sid": d.sid, "status": d.status} for d in deliveries]
