"""``callerid-admin`` end to end against the local stack (the Twilio emulator and the DynamoDB server): what Twilio
holds after ``connect``, ``teardown`` and their dry runs (read back through the emulator's REST API), and that a
second run finds nothing to do."""

from __future__ import annotations

import json
import os

import pytest
import requests

from callerid import runtime
from callerid.admin.cli import main
from callerid.admin.plans import CALL_SUMMARY, NEEDED_EVENTS

FOREIGN = "https://events.example.com/taskrouter"
PBX = {"VoiceUrl": "https://pbx.example.com/voice", "StatusCallback": "https://pbx.example.com/status"}


@pytest.fixture
def admin(stack, tmp_path):
    """Runs ``callerid-admin --stack-file <the test stack's facts> …``; answers its exit code (its output is read
    with ``capsys``). The workspace's callback it changes is put back afterwards (other tests share the stack)."""
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(stack.facts))
    environment = dict(os.environ)
    workspace_url = f"{stack.emulator}/v1/Workspaces/{stack.facts['taskrouterWorkspaceSid']}"
    auth = (stack.parent["sid"], stack.parent["authToken"])
    before = requests.get(workspace_url, auth=auth, timeout=10).json()

    def run(*args: str) -> int:
        return main(["--stack-file", str(path), *args])

    yield run
    requests.post(
        workspace_url,
        auth=auth,
        data={"EventCallbackUrl": before["event_callback_url"] or "", "EventsFilter": before["events_filter"] or ""},
        timeout=10,
    ).raise_for_status()
    os.environ.clear()
    os.environ.update(environment)
    runtime.reset()


def twilio(stack, path: str, method: str = "GET", **data):
    auth = (stack.parent["sid"], stack.parent["authToken"])
    answer = requests.request(method, f"{stack.emulator}{path}", auth=auth, data=data or None, timeout=10)
    answer.raise_for_status()
    return answer.json() if answer.content else None


def test_connect_then_teardown_leave_twilio_as_expected_and_each_is_idempotent(stack, admin, capsys):
    base = stack.facts["publicBaseUrl"]
    workspace = f"/v1/Workspaces/{stack.facts['taskrouterWorkspaceSid']}"
    numbers = f"/2010-04-01/Accounts/{stack.parent['sid']}/IncomingPhoneNumbers"
    # Another tool's callback, with its own filter.
    twilio(stack, workspace, "POST", EventCallbackUrl=FOREIGN, EventsFilter="task.created,worker.activity.update")
    # A number of the account's, pointed at a PBX, then imported (the import keeps the PBX's webhooks).
    supervisor = stack.agent(("supervisor",))
    owned = stack.call("GET", "/v1/phone-numbers/twilio", supervisor, params={"perPage": 50}).json()["phoneNumbers"]
    number = next(n for n in owned if not n["imported"])
    sid = number["sid"]
    original = twilio(stack, f"{numbers}/{sid}.json")
    try:
        twilio(stack, f"{numbers}/{sid}.json", "POST", **PBX)
        imported = stack.call("POST", "/v1/phone-numbers/import", supervisor, json={"sid": sid})
        assert imported.status_code == 201, imported.text
        # A subaccount's number, imported the same way.
        child = stack.subaccount(["+12065557301"])
        child_auth = (child["sid"], stack.auth_token(child["sid"]))
        child_supervisor = stack.agent(("supervisor",), account_sid=child["sid"])
        child_owned = stack.call("GET", "/v1/phone-numbers/twilio", child_supervisor).json()["phoneNumbers"]
        child_sid = child_owned[0]["sid"]
        child_url = f"{stack.emulator}/2010-04-01/Accounts/{child['sid']}/IncomingPhoneNumbers/{child_sid}.json"
        requests.post(child_url, data={"VoiceUrl": PBX["VoiceUrl"]}, auth=child_auth, timeout=10).raise_for_status()
        child_before = requests.get(child_url, auth=child_auth, timeout=10).json()
        answer = stack.call("POST", "/v1/phone-numbers/import", child_supervisor, json={"sid": child_sid})
        assert answer.status_code == 201, answer.text
        # Its status callback lost since (connect puts it back).
        twilio(stack, f"{numbers}/{sid}.json", "POST", StatusCallback="")
        capsys.readouterr()

        assert admin("connect") == 2, "a foreign callback is not replaced without --force"
        assert FOREIGN in capsys.readouterr().err
        assert twilio(stack, workspace)["event_callback_url"] == FOREIGN

        assert admin("--dry-run", "connect", "--force", "--event-streams") == 0
        dry = capsys.readouterr().out.splitlines()
        assert dry and all(line.startswith("would ") for line in dry)
        assert twilio(stack, workspace)["event_callback_url"] == FOREIGN
        assert twilio(stack, "/v1/Sinks")["sinks"] == [] or all(
            s["sink_configuration"].get("destination") != base + "/webhooks/twilio/event-streams"
            for s in twilio(stack, "/v1/Sinks")["sinks"]
        )

        assert admin("connect", "--force", "--event-streams") == 0
        assert [line.removeprefix("would ") for line in dry] == capsys.readouterr().out.splitlines()
        held = twilio(stack, workspace)
        assert held["event_callback_url"] == base + "/webhooks/twilio/taskrouter-events"
        entries = held["events_filter"].split(",")
        assert entries[:2] == ["task.created", "worker.activity.update"], "the other entries are kept"
        assert set(NEEDED_EVENTS) <= set(entries)
        sinks = [
            s
            for s in twilio(stack, "/v1/Sinks")["sinks"]
            if s["sink_configuration"].get("destination") == base + "/webhooks/twilio/event-streams"
        ]
        assert len(sinks) == 1 and sinks[0]["sink_configuration"]["method"] == "POST"
        subscriptions = [
            s for s in twilio(stack, "/v1/Subscriptions")["subscriptions"] if s["sink_sid"] == sinks[0]["sid"]
        ]
        assert len(subscriptions) == 1
        events = twilio(stack, f"/v1/Subscriptions/{subscriptions[0]['sid']}/SubscribedEvents")["types"]
        assert [e["type"] for e in events] == [CALL_SUMMARY]
        assert twilio(stack, f"{numbers}/{sid}.json")["status_callback"] == base + "/webhooks/twilio/call-status"

        assert admin("connect", "--event-streams") == 0
        assert capsys.readouterr().out.splitlines() == ["nothing to do"]

        assert admin("--dry-run", "teardown") == 0
        assert all(line.startswith("would ") for line in capsys.readouterr().out.splitlines())
        assert twilio(stack, workspace)["event_callback_url"] == base + "/webhooks/twilio/taskrouter-events"

        assert admin("teardown") == 0
        capsys.readouterr()
        restored = twilio(stack, f"{numbers}/{sid}.json")
        assert (restored["voice_url"], restored["status_callback"]) == (PBX["VoiceUrl"], PBX["StatusCallback"])
        child_now = requests.get(child_url, auth=child_auth, timeout=10).json()
        assert child_now["voice_url"] == PBX["VoiceUrl"]
        assert (child_now["status_callback"] or "") == (child_before["status_callback"] or ""), "none, as before"
        held = twilio(stack, workspace)
        assert held["event_callback_url"] is None
        assert held["events_filter"].split(",") == ["task.created", "worker.activity.update"]
        assert not [
            s
            for s in twilio(stack, "/v1/Sinks")["sinks"]
            if s["sink_configuration"].get("destination") == base + "/webhooks/twilio/event-streams"
        ]
        assert not [s for s in twilio(stack, "/v1/Subscriptions")["subscriptions"] if s["sink_sid"] == sinks[0]["sid"]]

        assert admin("teardown") == 0
        assert capsys.readouterr().out.splitlines() == ["nothing to do"]
    finally:
        twilio(
            stack,
            f"{numbers}/{sid}.json",
            "POST",
            VoiceUrl=original["voice_url"] or "",
            StatusCallback=original["status_callback"] or "",
        )


def test_reconcile_through_the_tool_reports_then_finds_nothing(stack, admin, capsys):
    assert admin("reconcile") == 0
    capsys.readouterr()
    assert admin("reconcile") == 0
    assert capsys.readouterr().out.splitlines() == ["nothing to do"]
    assert admin("--dry-run", "reconcile") == 0
    assert capsys.readouterr().out.splitlines() == ["nothing to do"]
