"""TaskRouter v1: Workspaces (list, fetch, update: the event callback URL and filter), Workflows, Workers (list,
filtered by ``FriendlyName``), Workers/{Sid} with ETag / If-Match / 412, TaskQueues (list: the workspace's default
queue, the one its workflow routes to). A worker's attribute change posts ``worker.attributes.update`` (``tasks``)."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Blueprint, Response, jsonify, request

from local.emulator.common import TASKROUTER, basic_auth, taskrouter_page, twilio_error, world
from local.emulator.state import Worker, Workspace, iso8601, sid
from local.emulator.tasks import worker_attributes_changed

routes = Blueprint("taskrouter", __name__)


@routes.get("/v1/Workspaces")
def list_workspaces() -> Response:
    caller = basic_auth()
    if caller is None:
        return twilio_error(401, 20003, "Authenticate")
    with world().lock:
        rows = [workspace_json(w) for w in world().workspaces.values() if w.account_sid == caller.sid]
    return taskrouter_page("workspaces", "/v1/Workspaces", rows)


def workspace_or_error(workspace_sid: str) -> Workspace | Response:
    caller = basic_auth()
    if caller is None:
        return twilio_error(401, 20003, "Authenticate")
    workspace = world().workspaces.get(workspace_sid)
    if workspace is None or workspace.account_sid != caller.sid:
        return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
    return workspace


@routes.get("/v1/Workspaces/<workspace_sid>")
def fetch_workspace(workspace_sid: str) -> Response:
    workspace = workspace_or_error(workspace_sid)
    if isinstance(workspace, Response):
        return workspace
    with world().lock:
        return jsonify(workspace_json(workspace))


@routes.post("/v1/Workspaces/<workspace_sid>")
def update_workspace(workspace_sid: str) -> Response:
    """Twilio's UpdateWorkspace: ``EventCallbackUrl`` (empty clears it), ``EventsFilter``, ``FriendlyName``,
    ``MultiTaskEnabled``, ``PrioritizeQueueOrder``."""
    workspace = workspace_or_error(workspace_sid)
    if isinstance(workspace, Response):
        return workspace
    form = request.form
    if form.get("PrioritizeQueueOrder", "FIFO") not in ("FIFO", "LIFO"):
        return twilio_error(400, 20001, "PrioritizeQueueOrder must be FIFO or LIFO")
    if form.get("MultiTaskEnabled", "true").lower() not in ("true", "false"):
        return twilio_error(400, 20001, "MultiTaskEnabled must be true or false")
    url = form.get("EventCallbackUrl")
    if url and not url.startswith(("http://", "https://")):
        return twilio_error(400, 20001, "EventCallbackUrl must be an http(s) URL")
    with world().lock:
        if "FriendlyName" in form:
            if not form["FriendlyName"].strip():
                return twilio_error(400, 20001, "FriendlyName must not be empty")
            workspace.friendly_name = form["FriendlyName"]
        if "EventCallbackUrl" in form:
            workspace.event_callback_url = url or None
        if "EventsFilter" in form:
            workspace.events_filter = form["EventsFilter"] or None
        if "MultiTaskEnabled" in form:
            workspace.multi_task_enabled = form["MultiTaskEnabled"].lower() == "true"
        if "PrioritizeQueueOrder" in form:
            workspace.prioritize_queue_order = form["PrioritizeQueueOrder"]
        workspace.updated = time.time()
        return jsonify(workspace_json(workspace))


# Flex's default workflow, which every Flex workspace is created with.
DEFAULT_WORKFLOW = "Assign to Anyone"


@routes.get("/v1/Workspaces/<workspace_sid>/Workflows")
def list_workflows(workspace_sid: str) -> Response:
    """The workspace's one workflow (Flex's default), filtered by ``FriendlyName`` as Twilio does."""
    caller = basic_auth()
    if caller is None:
        return twilio_error(401, 20003, "Authenticate")
    with world().lock:
        workspace = world().workspaces.get(workspace_sid)
    if workspace is None or workspace.account_sid != caller.sid:
        return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
    rows = [workflow_json(workspace)]
    wanted = request.args.get("FriendlyName")
    rows = [r for r in rows if wanted is None or r["friendly_name"] == wanted]
    return taskrouter_page("workflows", f"/v1/Workspaces/{workspace_sid}/Workflows", rows)


def workflow_json(workspace: Workspace) -> dict[str, Any]:
    workflow_sid = sid("WW", f"{workspace.sid}:default-workflow")
    url = f"{TASKROUTER}/v1/Workspaces/{workspace.sid}/Workflows/{workflow_sid}"
    configuration = {"task_routing": {"filters": [], "default_filter": {"queue": sid("WQ", f"{workspace.sid}:q")}}}
    return {
        "account_sid": workspace.account_sid,
        "assignment_callback_url": None,
        "configuration": json.dumps(configuration),
        "date_created": iso8601(workspace.created),
        "date_updated": iso8601(workspace.created),
        "document_content_type": "application/json",
        "fallback_assignment_callback_url": None,
        "friendly_name": DEFAULT_WORKFLOW,
        "sid": workflow_sid,
        "task_reservation_timeout": 120,
        "workspace_sid": workspace.sid,
        "url": url,
        "links": {
            "statistics": f"{url}/Statistics",
            "real_time_statistics": f"{url}/RealTimeStatistics",
            "cumulative_statistics": f"{url}/CumulativeStatistics",
        },
    }


@routes.get("/v1/Workspaces/<workspace_sid>/Workers")
def list_workers(workspace_sid: str) -> Response:
    """The workspace's workers, oldest first; ``FriendlyName`` filters exactly, as Twilio's list does."""
    workspace = workspace_or_error(workspace_sid)
    if isinstance(workspace, Response):
        return workspace
    wanted = request.args.get("FriendlyName")
    with world().lock:
        workers = sorted(
            (w for w in world().workers.values() if w.workspace_sid == workspace_sid), key=lambda w: w.created
        )
        rows = [worker_json(w) for w in workers if wanted is None or w.friendly_name == wanted]
    return taskrouter_page("workers", f"/v1/Workspaces/{workspace_sid}/Workers", rows)


@routes.get("/v1/Workspaces/<workspace_sid>/TaskQueues")
def list_task_queues(workspace_sid: str) -> Response:
    """The workspace's queues: Flex's default "Everyone" queue, the one the default workflow routes to."""
    workspace = workspace_or_error(workspace_sid)
    if isinstance(workspace, Response):
        return workspace
    rows = [task_queue_json(workspace)]
    wanted = request.args.get("FriendlyName")
    rows = [r for r in rows if wanted is None or r["friendly_name"] == wanted]
    return taskrouter_page("task_queues", f"/v1/Workspaces/{workspace_sid}/TaskQueues", rows)


def task_queue_json(workspace: Workspace) -> dict[str, Any]:
    queue_sid = sid("WQ", f"{workspace.sid}:q")
    url = f"{TASKROUTER}/v1/Workspaces/{workspace.sid}/TaskQueues/{queue_sid}"
    return {
        "account_sid": workspace.account_sid,
        "assignment_activity_sid": None,
        "assignment_activity_name": None,
        "date_created": iso8601(workspace.created),
        "date_updated": iso8601(workspace.created),
        "friendly_name": "Everyone",
        "max_reserved_workers": 1,
        "reservation_activity_sid": None,
        "reservation_activity_name": None,
        "sid": queue_sid,
        "target_workers": "1==1",
        "task_order": "FIFO",
        "url": url,
        "workspace_sid": workspace.sid,
        "links": {
            "assignment_activity": None,
            "reservation_activity": None,
            "workspace": f"{TASKROUTER}/v1/Workspaces/{workspace.sid}",
            "statistics": f"{url}/Statistics",
            "real_time_statistics": f"{url}/RealTimeStatistics",
            "cumulative_statistics": f"{url}/CumulativeStatistics",
            "list_statistics": f"{TASKROUTER}/v1/Workspaces/{workspace.sid}/TaskQueues/Statistics",
        },
    }


def worker_or_error(workspace_sid: str, worker_sid: str) -> Worker | Response:
    caller = basic_auth()
    if caller is None:
        return twilio_error(401, 20003, "Authenticate")
    worker = world().workers.get(worker_sid)
    if worker is None or worker.workspace_sid != workspace_sid or worker.account_sid != caller.sid:
        return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
    return worker


@routes.get("/v1/Workspaces/<workspace_sid>/Workers/<worker_sid>")
def fetch_worker(workspace_sid: str, worker_sid: str) -> Response:
    worker = worker_or_error(workspace_sid, worker_sid)
    if isinstance(worker, Response):
        return worker
    with world().lock:
        return worker_answer(worker)


@routes.post("/v1/Workspaces/<workspace_sid>/Workers/<worker_sid>")
def update_worker(workspace_sid: str, worker_sid: str) -> Response:
    worker = worker_or_error(workspace_sid, worker_sid)
    if isinstance(worker, Response):
        return worker
    changed = False
    with world().lock:
        if_match = request.headers.get("If-Match")
        if if_match is not None and if_match != worker.etag:
            return twilio_error(412, 20412, "Precondition Failed: the worker has changed")
        if "Attributes" in request.form:
            try:
                json.loads(request.form["Attributes"])
            except ValueError:
                return twilio_error(400, 20001, "Attributes must be valid JSON")
            changed = worker.attributes != request.form["Attributes"]
            worker.attributes = request.form["Attributes"]
        if "FriendlyName" in request.form:
            worker.friendly_name = request.form["FriendlyName"]
        worker.version += 1
        worker.updated = time.time()
        answer = worker_answer(worker)
    if changed:
        worker_attributes_changed(world(), worker)
    return answer


def worker_answer(worker: Worker) -> Response:
    """The worker as Twilio answers it: its JSON, and its version as the ETag that If-Match compares."""
    response = jsonify(worker_json(worker))
    response.headers["ETag"] = worker.etag
    return response


def workspace_json(workspace: Workspace) -> dict[str, Any]:
    url = f"{TASKROUTER}/v1/Workspaces/{workspace.sid}"
    return {
        "account_sid": workspace.account_sid,
        "date_created": iso8601(workspace.created),
        "date_updated": iso8601(workspace.updated),
        "default_activity_name": "Offline",
        "default_activity_sid": sid("WA", f"{workspace.sid}:offline"),
        "event_callback_url": workspace.event_callback_url,
        "events_filter": workspace.events_filter,
        "friendly_name": workspace.friendly_name,
        "multi_task_enabled": workspace.multi_task_enabled,
        "sid": workspace.sid,
        "timeout_activity_name": "Offline",
        "timeout_activity_sid": sid("WA", f"{workspace.sid}:offline"),
        "prioritize_queue_order": workspace.prioritize_queue_order,
        "url": url,
        "links": {"workers": f"{url}/Workers"},
    }


def worker_json(worker: Worker) -> dict[str, Any]:
    url = f"{TASKROUTER}/v1/Workspaces/{worker.workspace_sid}/Workers/{worker.sid}"
    return {
        "account_sid": worker.account_sid,
        "activity_name": "Offline",
        "activity_sid": sid("WA", f"{worker.workspace_sid}:offline"),
        "attributes": worker.attributes,
        "available": False,
        "date_created": iso8601(worker.created),
        "date_status_changed": iso8601(worker.created),
        "date_updated": iso8601(worker.updated),
        "friendly_name": worker.friendly_name,
        "sid": worker.sid,
        "workspace_sid": worker.workspace_sid,
        "url": url,
        "links": {"channels": f"{url}/Channels", "workspace": f"{TASKROUTER}/v1/Workspaces/{worker.workspace_sid}"},
    }
