"""TaskRouter's events through HTTP: the emulator plays Flex's outbound-call tasks and posts their signed events to
the workspace's Event Callback URL (the stack's own webhook, set by the seed through UpdateWorkspace)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from callerid.config import Settings
from callerid.domain.identity import WorkerRef
from callerid.store.models import bind_table
from callerid.store.phones import PhoneRepository

TO = "+14155552671"
PATH = "/webhooks/twilio/taskrouter-events"


def start(stack, agent, phone, **body):
    return stack.call("POST", "/v1/outbound-calls", agent, json={"to": TO, "from": phone, **body})


def outbound_task(stack, agent, phone, **body):
    created = requests.post(
        f"{stack.emulator}/_emulator/outbound-tasks",
        json={"workerSid": agent.worker_sid, "from": phone, "to": TO, **body},
        timeout=30,
    )
    assert created.status_code == 200, created.text
    answer = created.json()
    assert [e["status"] for e in answer["events"]] == [204, 204, 204]
    return answer["task"]["taskSid"]


def end(stack, task_sid, ending="wrapup"):
    ended = requests.post(
        f"{stack.emulator}/_emulator/outbound-tasks/{task_sid}/end", json={"ending": ending}, timeout=30
    )
    assert ended.status_code == 200, ended.text
    (delivered,) = ended.json()["events"]
    return delivered


def holder(stack, phone):
    item = stack.table.get_item(
        TableName=stack.stack.table_name, Key={"pk": {"S": f"PHONE#{phone}"}, "sk": {"S": "PHONE"}}, ConsistentRead=True
    ).get("Item", {})
    return item["holder_worker"]["S"] if "lock_until" in item else None


def worker_item(stack, agent):
    return stack.table.get_item(
        TableName=stack.stack.table_name,
        Key={"pk": {"S": f"WS#{agent.account_sid}"}, "sk": {"S": f"WORKER#{agent.worker_sid}"}},
        ConsistentRead=True,
    ).get("Item", {})


def event_params(stack, agent, phone, *, event_type="task.wrapup", task_sid=None, age=30, **extra):
    now = time.time()
    return {
        "Sid": "EA" + uuid.uuid4().hex,
        "EventType": event_type,
        "AccountSid": agent.account_sid,
        "WorkspaceSid": stack.facts["taskrouterWorkspaceSid"],
        "Timestamp": str(int(now)),
        "TimestampMs": str(int(now * 1000)),
        "TaskSid": task_sid or "WT" + uuid.uuid4().hex,
        "TaskAge": str(age),
        "TaskAttributes": json.dumps({"direction": "outbound", "from": phone, "to": TO}),
        "WorkerSid": agent.worker_sid,
        **extra,
    }


@pytest.mark.parametrize("ending", ["wrapup", "completed", "canceled", "rejected", "timeout", "reservation-canceled"])
def test_the_end_of_a_dialpad_calls_task_frees_its_lock(stack, ending):
    alice, bob = stack.agent(), stack.agent()
    assert start(stack, alice, "+12125550100").status_code == 200
    task_sid = outbound_task(stack, alice, "+12125550100")
    assert start(stack, bob, "+12125550100").status_code == 409

    assert end(stack, task_sid, ending)["status"] == 204
    assert holder(stack, "+12125550100") is None
    assert start(stack, bob, "+12125550100").status_code == 200


@pytest.mark.parametrize("event_type", ["reservation.wrapup", "reservation.completed"])
def test_a_reservations_end_frees_the_holders_lock_like_the_tasks(stack, event_type):
    # An operator's EventsFilter may keep only reservation events: their wrap-up and completion end the call too.
    alice, bob = stack.agent(), stack.agent()
    assert start(stack, alice, "+12125550100").status_code == 200
    params = event_params(stack, alice, "+12125550100", event_type=event_type, age=0)
    assert stack.webhook(PATH, params).status_code == 204
    assert holder(stack, "+12125550100") is None
    assert start(stack, bob, "+12125550100").status_code == 200


def test_a_replayed_event_answers_204_and_changes_nothing(stack):
    alice = stack.agent()
    task_sid = "WT" + uuid.uuid4().hex
    assert start(stack, alice, "+13125550100", taskSid=task_sid).status_code == 200
    params = event_params(stack, alice, "+13125550100", task_sid=task_sid)
    assert stack.webhook(PATH, params).status_code == 204
    assert holder(stack, "+13125550100") is None

    # The same call again, pinned to the same task: only a replay of the first event could free it now.
    assert start(stack, alice, "+13125550100", taskSid=task_sid).status_code == 200
    assert stack.webhook(PATH, params).status_code == 204
    assert holder(stack, "+13125550100") == alice.worker_sid


def test_a_late_event_of_an_earlier_call_never_frees_another_workers_lock(stack):
    alice, bob = stack.agent(), stack.agent()
    start(stack, alice, "+16465550100")
    task_sid = outbound_task(stack, alice, "+16465550100")
    assert stack.call("DELETE", "/v1/outbound-calls/lock", alice).json()["released"] is True
    assert start(stack, bob, "+16465550100").status_code == 200

    assert end(stack, task_sid)["status"] == 204
    assert holder(stack, "+16465550100") == bob.worker_sid


def test_a_late_event_of_an_earlier_call_never_frees_the_same_workers_new_lock(stack):
    alice = stack.agent()
    earlier = outbound_task(stack, alice, "+12065550100", ageSeconds=3600)  # a call that began an hour ago
    assert start(stack, alice, "+12065550100").status_code == 200  # this call's lock, taken now

    assert end(stack, earlier)["status"] == 204
    assert holder(stack, "+12065550100") == alice.worker_sid


def test_a_lock_pinned_to_another_task_is_not_freed_by_this_one(stack):
    alice = stack.agent()
    assert start(stack, alice, "+13125550100", taskSid="WT" + uuid.uuid4().hex).status_code == 200
    other = outbound_task(stack, alice, "+13125550100")
    assert end(stack, other)["status"] == 204
    assert holder(stack, "+13125550100") == alice.worker_sid


def test_a_pinned_lock_is_freed_by_its_own_task(stack):
    alice = stack.agent()
    task_sid = "WT" + uuid.uuid4().hex
    assert start(stack, alice, "+13125550100", taskSid=task_sid).status_code == 200
    outbound_task(stack, alice, "+13125550100", taskSid=task_sid)
    assert end(stack, task_sid, "completed")["status"] == 204
    assert holder(stack, "+13125550100") is None


def test_another_tenants_correctly_signed_event_frees_nothing(stack):
    alice = stack.agent()
    start(stack, alice, "+12125550100")
    for workspace in (stack.facts["taskrouterWorkspaceSid"], "WS" + uuid.uuid4().hex):
        params = {**event_params(stack, alice, "+12125550100"), "AccountSid": stack.child["sid"]}
        params["WorkspaceSid"] = workspace
        assert stack.webhook(PATH, params).status_code == 204
    assert holder(stack, "+12125550100") == alice.worker_sid


def test_an_event_of_a_workspace_this_deployment_does_not_serve_frees_nothing(stack):
    alice = stack.agent()
    start(stack, alice, "+12125550100")
    params = {**event_params(stack, alice, "+12125550100"), "WorkspaceSid": "WS" + uuid.uuid4().hex}
    assert stack.webhook(PATH, params).status_code == 204
    assert holder(stack, "+12125550100") == alice.worker_sid


def test_a_forged_event_is_403_and_frees_nothing(stack):
    alice = stack.agent()
    start(stack, alice, "+12125550100")
    params = event_params(stack, alice, "+12125550100")
    forged = stack.webhook(PATH, params, token="not-the-auth-token")
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "invalid_signature"
    assert stack.webhook(PATH, params, signature="").status_code == 403
    assert holder(stack, "+12125550100") == alice.worker_sid


@pytest.mark.parametrize(
    "change",
    [
        {"Timestamp": "yesterday", "TimestampMs": ""},
        {"TaskAttributes": "{not json"},
        {"TaskAge": "soon"},
        {"WorkerAttributes": "[1]"},
        {"Sid": "not-an-event-sid"},
    ],
)
def test_an_event_that_cannot_be_read_is_400_and_frees_nothing(stack, change):
    alice = stack.agent()
    start(stack, alice, "+12125550100")
    answer = stack.webhook(PATH, {**event_params(stack, alice, "+12125550100"), **change})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_request", answer.text
    assert holder(stack, "+12125550100") == alice.worker_sid


def test_an_event_nothing_acts_on_is_204(stack):
    alice = stack.agent()
    params = {**event_params(stack, alice, "+12125550100", event_type="task-queue.entered"), "TaskAge": "?"}
    assert stack.webhook(PATH, params).status_code == 204


def set_attributes(stack, agent, attributes):
    url = f"{stack.emulator}/v1/Workspaces/{stack.facts['taskrouterWorkspaceSid']}/Workers/{agent.worker_sid}"
    auth = (stack.parent["sid"], stack.parent["authToken"])
    updated = requests.post(url, auth=auth, data={"Attributes": json.dumps(attributes)}, timeout=30)
    assert updated.status_code == 200, updated.text


def test_a_workers_team_follows_its_taskrouter_attributes_and_an_older_event_is_ignored(stack):
    alice = stack.agent()
    set_attributes(stack, alice, {"contact_uri": f"client:{alice.identity}", "team_name": "closers"})
    assert worker_item(stack, alice)["team_name"]["S"] == "closers"

    set_attributes(stack, alice, {"contact_uri": f"client:{alice.identity}", "team_name": "retention"})
    assert worker_item(stack, alice)["team_name"]["S"] == "retention"

    hour_ago = time.time() - 3600
    older = {
        "Sid": "EA" + uuid.uuid4().hex,
        "EventType": "worker.attributes.update",
        "AccountSid": alice.account_sid,
        "WorkspaceSid": stack.facts["taskrouterWorkspaceSid"],
        "Timestamp": str(int(hour_ago)),
        "TimestampMs": str(int(hour_ago * 1000)),
        "WorkerSid": alice.worker_sid,
        "WorkerAttributes": json.dumps({"team_name": "closers"}),
    }
    assert stack.webhook(PATH, older).status_code == 204
    assert worker_item(stack, alice)["team_name"]["S"] == "retention"

    set_attributes(stack, alice, {"contact_uri": f"client:{alice.identity}"})
    assert "team_name" not in worker_item(stack, alice)


def test_a_selection_records_the_team_taskrouter_holds(stack):
    alice = stack.agent()
    url = f"{stack.emulator}/v1/Workspaces/{stack.facts['taskrouterWorkspaceSid']}"
    auth = (stack.parent["sid"], stack.parent["authToken"])
    callback = requests.get(url, auth=auth, timeout=10).json()["event_callback_url"]
    # Without events (the callback cleared), the team is still known from the worker read by the selection.
    requests.post(url, auth=auth, data={"EventCallbackUrl": ""}, timeout=10).raise_for_status()
    try:
        set_attributes(stack, alice, {"contact_uri": f"client:{alice.identity}", "team_name": "outbound"})
        assert "team_name" not in worker_item(stack, alice)
        chosen = stack.call("PUT", "/v1/workers/me/caller-id", alice, json={"callerId": "+12125550100"})
        assert chosen.status_code == 200
    finally:
        requests.post(url, auth=auth, data={"EventCallbackUrl": callback}, timeout=10).raise_for_status()
    assert worker_item(stack, alice)["team_name"]["S"] == "outbound"


@pytest.fixture
def phones(local_stack):
    bind_table(Settings(table_name=local_stack.stack.table_name, dynamodb_endpoint_url=local_stack.dynamodb))
    return PhoneRepository()


def test_a_call_longer_than_the_lock_ttl(stack, phones):
    """The lock lapses after CALLER_ID_LOCK_TTL_SECONDS even while the call goes on; another agent may take the
    number then, and the long call's end frees nothing of the new holder's."""
    alice, bob = stack.agent(), stack.agent()
    stack.call("GET", "/v1/phone-numbers", alice)  # the parent's numbers are stored (their dial rules too)
    ttl, now = 300, time.time()
    # Alice's call began 400 s ago: her lock, taken then, lapsed 100 s ago.
    phones.acquire(
        "+12125550100",
        WorkerRef(alice.account_sid, alice.worker_sid),
        ancestors=(),
        country="US",
        ttl_seconds=ttl,
        now=now - 400,
    )
    task_sid = outbound_task(stack, alice, "+12125550100", ageSeconds=399)
    assert start(stack, bob, "+12125550100").status_code == 200

    assert end(stack, task_sid)["status"] == 204
    assert holder(stack, "+12125550100") == bob.worker_sid


def test_identical_events_racing_are_applied_once(stack):
    """Twilio retries a callback it thinks failed: copies race. Each is answered 204 (applied, or already applied)
    or 409 request_in_progress (Twilio retries it); the lock is freed once, and a lock taken again after the
    first copy applied is never freed by a later one (each copy is the same event: the idempotency record)."""
    from concurrent.futures import ThreadPoolExecutor

    alice = stack.agent()
    task_sid = "WT" + uuid.uuid4().hex
    assert start(stack, alice, "+13125550100", taskSid=task_sid).status_code == 200
    params = event_params(stack, alice, "+13125550100", task_sid=task_sid)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: stack.webhook(PATH, params), range(16)))
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {204, 409} and 204 in statuses
    assert all(a.json()["error"]["code"] == "request_in_progress" for a in answers if a.status_code == 409)
    assert holder(stack, "+13125550100") is None

    assert start(stack, alice, "+13125550100", taskSid=task_sid).status_code == 200
    with ThreadPoolExecutor(max_workers=8) as pool:
        again = list(pool.map(lambda _: stack.webhook(PATH, params).status_code, range(8)))
    assert again == [204] * 8
    assert holder(stack, "+13125550100") == alice.worker_sid


def test_a_re_entrant_lock_without_a_task_drops_the_earlier_calls_pin(stack, phones):
    alice = stack.agent()
    stack.call("GET", "/v1/phone-numbers", alice)
    me, now = WorkerRef(alice.account_sid, alice.worker_sid), time.time()
    pinned = phones.acquire(
        "+16465550100", me, ancestors=(), country="US", ttl_seconds=300, now=now, task_sid="WT" + "a" * 32
    )
    assert pinned.task_sid == phones.get("+16465550100").task_sid == "WT" + "a" * 32
    again = phones.acquire("+16465550100", me, ancestors=(), country="US", ttl_seconds=300, now=now + 1)
    assert again.task_sid is None and phones.get("+16465550100").task_sid is None


def test_a_subaccounts_own_workspace_frees_its_agents_lock(stack):
    """A subaccount's Flex workspace is looked up at Twilio (the configured one is the parent's)."""
    carol, dave = stack.agent(account_sid=stack.child["sid"]), stack.agent(account_sid=stack.child["sid"])
    assert start(stack, carol, "+13105550100").status_code == 200
    task_sid = outbound_task(stack, carol, "+13105550100")
    assert start(stack, dave, "+13105550100").status_code == 409
    assert end(stack, task_sid, "completed")["status"] == 204
    assert holder(stack, "+13105550100") is None
