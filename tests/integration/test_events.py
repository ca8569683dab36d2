"""The committed ``events/`` drive each function's ``lambda_handler`` in-process, exactly as ``sam local invoke``
would, with placeholders swapped for the local stack's tokens and signatures. With ``PUBLIC_BASE_URL`` unset,
webhook signatures are checked against the API's own execute-api URL from the request context."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, quote

import pytest
from twilio.request_validator import RequestValidator

from callerid import runtime
from local.events import ACCOUNT, EVENTS, NUMBER, PHONE, TOKEN, WORKER, all_events
from local.functions import LambdaContext, load_function
from local.template import ROOT

EXPECTED = {
    "CallStatus": 204,
    "TaskRouterEvents": 204,
    "EventStreams": 204,
    "SetNumberTrust": 409,  # the event's number is a BYOT one: Trust Hub takes only Twilio numbers
    "VerificationStatus": 204,
    "Unrouted": 404,
    "RegisterByot": 201,
    "ReleaseNumber": 204,
    "ProvisionNumber": 201,
    "ImportNumber": 201,
    "StartVerification": 201,
    "DeleteCallerId": 204,
    "FreeLock": 404,  # the event's number is new: it holds no lock to free (test_people frees a held one)
}


@pytest.fixture(scope="module")
def in_process(local_stack):
    patch = pytest.MonkeyPatch()
    env = {
        "TABLE_NAME": local_stack.stack.table_name,
        "DYNAMODB_ENDPOINT_URL": local_stack.dynamodb,
        "TWILIO_API_BASE_URL": local_stack.emulator,
        "TWILIO_ACCOUNT_SID": local_stack.parent["sid"],
        "TWILIO_AUTH_TOKEN": local_stack.parent["authToken"],
        "TASKROUTER_WORKSPACE_SID": local_stack.facts["taskrouterWorkspaceSid"],
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    for key, value in env.items():
        patch.setenv(key, value)
    patch.delenv("PUBLIC_BASE_URL", raising=False)
    runtime.reset()
    yield
    patch.undo()
    runtime.reset()


def test_every_route_has_a_committed_event():
    committed = {str(p.relative_to(EVENTS)) for p in EVENTS.rglob("*.json")}
    assert committed == set(all_events()), "run `make events`"
    for relative, generated in all_events().items():
        assert json.loads((EVENTS / relative).read_text()) == generated


def byot_number(stack, supervisor) -> tuple[str, str]:
    """A number of the parent's of its own (the event may configure or release it): its phone and SID."""
    phone = f"+1725555{uuid.uuid4().int % 10_000:04d}"
    body = {"phoneNumber": phone, "provider": "Acme Telecom", "connection": "sip:trunk.example.com"}
    created = stack.call("POST", "/v1/phone-numbers", supervisor, json=body)
    if created.status_code == 409:
        return byot_number(stack, supervisor)
    assert created.status_code == 201, created.text
    return phone, created.json()["sid"]


def twilio_number(stack, supervisor) -> str:
    """The SID of one of the parent's numbers at Twilio (importing it again changes nothing but its webhooks)."""
    listed = stack.call("GET", "/v1/phone-numbers", supervisor, params={"source": "twilio", "search": "2065550100"})
    return listed.json()["phoneNumbers"][0]["sid"]


def verified_number(stack) -> str:
    """A verified caller ID of the parent's of its own (the event may rename or delete it): its SID."""
    phone = f"+1725555{uuid.uuid4().int % 10_000:04d}"
    sid = stack.verified_caller_id(stack.parent["sid"], phone)
    params = {
        "AccountSid": stack.parent["sid"],
        "CallSid": "CA" + uuid.uuid4().hex,
        "VerificationStatus": "success",
        "OutgoingCallerIdSid": sid,
        "To": phone,
    }
    assert stack.webhook("/webhooks/twilio/verification-status", params).status_code == 204
    return sid


def started_verification(stack, supervisor) -> str:
    phone = f"+1725555{uuid.uuid4().int % 10_000:04d}"
    started = stack.call("POST", "/v1/caller-ids/verifications", supervisor, json={"phoneNumber": phone})
    assert started.status_code == 201, started.text
    return phone


def realise(event, stack, agent, supervisor, worker_sid):
    """The event with the stack's accounts, tokens and signatures; a number it names is a new BYOT number (its
    SID is answered, to be released after)."""
    text = json.dumps(event).replace(WORKER, worker_sid).replace(ACCOUNT, stack.parent["sid"])
    sid = None
    if event["resource"] == "/v1/phone-numbers/import":
        text = text.replace(NUMBER, twilio_number(stack, supervisor))
    elif event["resource"] == "/v1/caller-ids/{sid}":
        text = text.replace(NUMBER, verified_number(stack))
    elif event["resource"] == "/v1/caller-ids/verifications/{phoneNumber}":
        text = text.replace(PHONE, started_verification(stack, supervisor))
    elif NUMBER in text:
        _, sid = byot_number(stack, supervisor)
        text = text.replace(NUMBER, sid)
    elif PHONE in text:
        text = text.replace(PHONE, f"+1725555{uuid.uuid4().int % 10_000:04d}")
    needs_supervisor = "{workerSid}" in event["resource"] or event["resource"].startswith("/v1/phone-numbers/")
    needs_supervisor = needs_supervisor or event["resource"].startswith("/v1/caller-ids")
    needs_supervisor = needs_supervisor or event["resource"] in ("/v1/workers", "/v1/task-queues", "/v1/audit")
    needs_supervisor = needs_supervisor or (event["resource"] == "/v1/phone-numbers" and event["httpMethod"] == "POST")
    token = supervisor.token if needs_supervisor else agent.token
    real = json.loads(text.replace(TOKEN, token).replace(quote(TOKEN), token))
    if "X-Twilio-Signature" in real["headers"]:
        context = real["requestContext"]
        url = f"https://{context['apiId']}.execute-api.us-east-1.amazonaws.com/{context['stage']}{real['path']}"
        params = dict(parse_qsl(real["body"]))
        if real["headers"].get("Content-Type") == "application/json":
            # Event Streams: the body's SHA-256 on the URL, the URL signed (no form parameters).
            digest = hashlib.sha256(real["body"].encode()).hexdigest()
            real["queryStringParameters"] = {"bodySHA256": digest}
            real["multiValueQueryStringParameters"] = {"bodySHA256": [digest]}
            url, params = f"{url}?bodySHA256={digest}", {}
        real["headers"]["X-Twilio-Signature"] = RequestValidator(stack.parent["authToken"]).compute_signature(
            url, params
        )
    return real, sid


@pytest.mark.parametrize("relative", sorted(all_events()))
def test_each_event_is_answered_by_its_handler(local_stack, in_process, relative):
    stack = local_stack
    agent, supervisor, target = stack.agent(), stack.agent(("supervisor",)), stack.agent()
    event, sid = realise(json.loads((EVENTS / relative).read_text()), stack, agent, supervisor, target.worker_sid)
    module = load_function(ROOT / "functions" / Path(relative).parent)
    answer = module.lambda_handler(event, LambdaContext(Path(relative).parent.name))
    name = Path(relative).stem
    expected = 405 if name.endswith("OtherMethods") else EXPECTED.get(name, 200)
    assert answer["statusCode"] == expected, answer.get("body")
    stack.release_locks()
    if name == "ProvisionNumber":
        sid = json.loads(answer["body"])["sid"]
    if sid is not None:  # the event's own number (bought, or made primary) goes, and the workspace has no primary
        stack.call("DELETE", f"/v1/phone-numbers/{sid}", supervisor)
