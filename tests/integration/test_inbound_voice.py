"""The voice webhook of managed numbers, through HTTP against the local stack: where an inbound call goes, from
the stored record, with the number's inbound settings in effect. The TwiML is parsed and checked: a ``<Response>``
of Twilio's voice verbs, ``<Enqueue workflowSid>`` with a ``<Task>`` of JSON attributes, or ``<Reject>``."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

from tests.integration.test_number_management import TO, Workspace

VOICE_VERBS = {"Enqueue", "Reject", "Redirect", "Say", "Dial", "Hangup", "Pause", "Play", "Gather"}


def inbound(stack, workspace, to: str, caller: str = "+14155552671", account: str | None = None, **kwargs):
    params = {
        "AccountSid": account or workspace.sid,
        "CallSid": "CA" + "9" * 32,
        "To": to,
        "Called": to,
        "From": caller,
        "Direction": "inbound",
        "CallStatus": "ringing",
    }
    return stack.webhook("/webhooks/twilio/voice", params, **kwargs)


def twiml(answer) -> ET.Element:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(answer.text)
    assert root.tag == "Response"
    assert {child.tag for child in root} <= VOICE_VERBS
    return root


def enqueued_task(root: ET.Element) -> dict:
    (enqueue,) = root
    assert enqueue.tag == "Enqueue" and enqueue.get("workflowSid", "").startswith("WW")
    (task,) = enqueue
    assert task.tag == "Task"
    return json.loads(task.text)


def rejected(root: ET.Element) -> bool:
    return [(c.tag, c.get("reason")) for c in root] == [("Reject", "rejected")]


def test_an_inbound_call_goes_to_flex_and_to_the_numbers_inbound_agent(stack):
    workspace = Workspace(stack, 2)
    workspace.listed()
    task = enqueued_task(twiml(inbound(stack, workspace, workspace.p[0])))
    assert task["from"] == "+14155552671" and task["to"] == workspace.p[0] and "targetWorker" not in task

    sid = workspace.sid_of(workspace.p[1])
    agent = workspace.agent.worker_sid
    workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"inboundAgent": agent})
    stack.clear_twilio_requests()
    task = enqueued_task(twiml(inbound(stack, workspace, workspace.p[1])))
    assert task["targetWorker"] == agent
    assert stack.twilio_requests() == [], "answered from the stored record (the workflow SID is known by now)"


def test_callers_outside_the_allowed_inbound_countries_are_rejected(stack):
    workspace = Workspace(stack, 1)
    sid = workspace.sid_of(workspace.p[0])
    workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"allowedInboundCountries": ["US", "CA"]})
    assert rejected(twiml(inbound(stack, workspace, workspace.p[0], caller="+442079460958")))
    assert rejected(twiml(inbound(stack, workspace, workspace.p[0], caller="anonymous")))
    assert enqueued_task(twiml(inbound(stack, workspace, workspace.p[0], caller="+16135550123")))


def test_inactive_and_released_numbers_reject_their_calls(stack):
    workspace = Workspace(stack, 2)
    workspace.call("PATCH", f"/v1/phone-numbers/{workspace.sid_of(workspace.p[0])}", json={"status": "inactive"})
    assert rejected(twiml(inbound(stack, workspace, workspace.p[0])))
    workspace.call("DELETE", f"/v1/phone-numbers/{workspace.sid_of(workspace.p[1])}")
    assert rejected(twiml(inbound(stack, workspace, workspace.p[1])))


def test_a_number_without_a_record_still_reaches_flex_and_another_accounts_settings_never_apply(stack):
    """Pointing a number here must never drop its calls; a webhook speaks for its own account only."""
    workspace, other = Workspace(stack, 1), Workspace(stack, 1)
    task = enqueued_task(twiml(inbound(stack, workspace, "+17025550999")))
    assert task["to"] == "+17025550999" and "targetWorker" not in task
    other.call("PATCH", f"/v1/phone-numbers/{other.sid_of(other.p[0])}", json={"inboundAgent": other.agent.worker_sid})
    workspace.listed()
    assert "targetWorker" not in enqueued_task(twiml(inbound(stack, workspace, other.p[0])))


def test_a_forged_or_unsigned_voice_webhook_is_refused(stack):
    workspace = Workspace(stack, 1)
    forged = inbound(stack, workspace, workspace.p[0], token="0" * 32)
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "invalid_signature"
    unsigned = inbound(stack, workspace, workspace.p[0], signature="")
    assert unsigned.status_code == 403


def callback_item(stack, phone: str, customer: str) -> dict:
    key = {"pk": {"S": f"CALLBACK#{phone}#{customer}"}, "sk": {"S": "CALLBACK"}}
    return stack.table.get_item(TableName=stack.stack.table_name, Key=key, ConsistentRead=True).get("Item", {})


def test_a_customer_calling_back_reaches_the_agent_who_called_them_in_one_read(stack):
    workspace = Workspace(stack, 1)
    alice, bob = workspace.agent, stack.agent(account_sid=workspace.sid)
    sid = workspace.sid_of(workspace.p[0])
    workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"inboundAgent": bob.worker_sid})
    called = workspace.start(alice, to=TO, **{"from": workspace.p[0]})
    assert called.status_code == 200, called.text
    workspace.call("DELETE", "/v1/outbound-calls/lock", alice)
    # Another customer calling the number reaches its inbound agent, as before (the workflow SID is known after).
    task = enqueued_task(twiml(inbound(stack, workspace, workspace.p[0], caller="+16135550123")))
    assert task["targetWorker"] == bob.worker_sid and "callbackOf" not in task

    stack.clear_twilio_requests()
    stack.clear_dynamodb_requests()
    task = enqueued_task(twiml(inbound(stack, workspace, workspace.p[0], caller=TO)))
    assert task["targetWorker"] == alice.worker_sid, "the caller's agent, ahead of the number's inbound agent"
    callback = task["callbackOf"]
    assert (callback["from"], callback["to"], callback["workerSid"]) == (workspace.p[0], TO, alice.worker_sid)
    assert callback["startedAt"].endswith("Z")
    assert stack.twilio_requests() == []
    assert stack.dynamodb_requests()["byOperation"] == {"BatchGetItem": 1}


def test_a_callback_after_the_affinity_days_goes_the_usual_way(stack):
    workspace = Workspace(stack, 1)
    assert workspace.start(to=TO, **{"from": workspace.p[0]}).status_code == 200
    assert callback_item(stack, workspace.p[0], TO)
    eight_days_ago = time.time() - 8 * 86_400
    stack.table.update_item(
        TableName=stack.stack.table_name,
        Key={"pk": {"S": f"CALLBACK#{workspace.p[0]}#{TO}"}, "sk": {"S": "CALLBACK"}},
        UpdateExpression="SET started_at = :t",
        ExpressionAttributeValues={":t": {"N": str(eight_days_ago)}},
    )
    task = enqueued_task(twiml(inbound(stack, workspace, workspace.p[0], caller=TO)))
    assert "targetWorker" not in task and "callbackOf" not in task


def test_a_callback_never_reaches_an_agent_of_another_account(stack):
    workspace, other = Workspace(stack, 1), Workspace(stack, 1)
    assert workspace.start(to=TO, **{"from": workspace.p[0]}).status_code == 200
    # The other tenant's correctly signed webhook, for the number the first workspace called from.
    task = enqueued_task(twiml(inbound(stack, other, workspace.p[0], caller=TO)))
    assert "targetWorker" not in task and "callbackOf" not in task
