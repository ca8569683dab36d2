"""The voice webhook of managed numbers, through HTTP against the local stack: where an inbound call goes, from
the stored record, with the number's inbound settings in effect. The TwiML is parsed and checked: a ``<Response>``
of Twilio's voice verbs, ``<Enqueue workflowSid>`` with a ``<Task>`` of JSON attributes, or ``<Reject>``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tests.integration.test_number_management import Workspace

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
