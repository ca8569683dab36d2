"""The backend against its own OpenAPI document: generated from the code (never stale), a valid document,
served at /openapi.json, and the live API's answers validate against it."""

from __future__ import annotations

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_spec_validator import validate

from local.openapi import DOCUMENT, generate, render


def test_the_committed_document_is_generated_from_the_code():
    assert DOCUMENT.read_text() == render(generate()), "run `make openapi`"


def test_it_is_a_valid_openapi_document():
    validate(generate())


@pytest.fixture(scope="module")
def spec(local_stack):
    served = requests.get(f"{local_stack.api}/openapi.json", timeout=10)
    assert served.status_code == 200
    document = served.json()
    document["servers"] = [{"url": local_stack.api}]
    return OpenAPI.from_dict(document)


def exchange(spec, method, url, agent=None, **kwargs):
    headers = {**(agent.headers if agent else {}), **kwargs.pop("headers", {})}
    request = requests.Request(method, url, headers=headers, **kwargs).prepare()
    response = requests.Session().send(request, timeout=30)
    spec.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response))
    return response


def test_every_contract_route_is_documented():
    paths = set(generate()["paths"])
    assert {
        "/v1/phone-numbers",
        "/v1/workers/me/caller-id",
        "/v1/workers/{workerSid}/caller-id",
        "/v1/outbound-calls",
        "/v1/outbound-calls/lock",
        "/webhooks/twilio/verification-status",
        "/webhooks/twilio/call-status",
        "/webhooks/twilio/event-streams",
        "/v1/phone-numbers/{sid}/health",
        "/v1/phone-numbers/{sid}/calls",
        "/common/flex/phone-numbers/list-phone-numbers",
    } <= paths


def test_outcome_answers_validate_against_the_document(local_stack, spec):
    """The health route's daily counts, a number's recent calls, and the Event Streams sink's refusals."""
    api, sam = local_stack.api, local_stack.agent(("supervisor",))
    listed = requests.get(f"{api}/v1/phone-numbers", headers=sam.headers, params={"search": "212"}, timeout=30)
    sid = listed.json()["phoneNumbers"][0]["sid"]
    health = exchange(spec, "GET", f"{api}/v1/phone-numbers/{sid}/health", sam, params={"days": 7})
    assert health.status_code == 200 and len(health.json()["daily"]) == 7
    assert exchange(spec, "GET", f"{api}/v1/phone-numbers/{sid}/health", sam, params={"days": 91}).status_code == 400
    assert exchange(spec, "GET", f"{api}/v1/phone-numbers/{sid}/calls", sam, params={"perPage": 5}).status_code == 200
    assert exchange(spec, "GET", f"{api}/v1/phone-numbers/{sid}/calls", local_stack.agent()).status_code == 403
    url = f"{api}/webhooks/twilio/event-streams"
    headers = {"Content-Type": "application/json"}
    assert exchange(spec, "POST", url, data="{}", headers=headers).status_code == 400  # not a JSON array
    unsigned = '[{"specversion": "1.0", "id": "1", "source": "s", "type": "t", "data": {"account_sid": "AC1"}}]'
    assert exchange(spec, "POST", url, data=unsigned, headers=headers).status_code == 403


def test_live_answers_validate_against_the_document(local_stack, spec):
    api, alice = local_stack.api, local_stack.agent()
    assert exchange(spec, "GET", f"{api}/v1/phone-numbers", alice, params={"perPage": 5}).status_code == 200
    assert (
        exchange(
            spec,
            "PUT",
            f"{api}/v1/workers/me/caller-id",
            alice,
            json={"callerId": "+12065550100", "localPresence": True},
        ).status_code
        == 200
    )
    assert exchange(spec, "GET", f"{api}/v1/workers/me/caller-id", alice).status_code == 200
    assert exchange(spec, "POST", f"{api}/v1/outbound-calls", alice, json={"to": "+14155552671"}).status_code == 200
    assert exchange(spec, "DELETE", f"{api}/v1/outbound-calls/lock", alice).status_code == 200
    assert (
        exchange(
            spec, "POST", f"{api}/common/flex/phone-numbers/list-phone-numbers", data={"Token": alice.token}
        ).status_code
        == 200
    )


def test_error_answers_validate_against_the_document(local_stack, spec):
    """Every error is documented with its envelope: the document says what the code answers."""
    api, alice, bob = local_stack.api, local_stack.agent(), local_stack.agent()
    assert exchange(spec, "GET", f"{api}/v1/phone-numbers").status_code == 401
    assert exchange(spec, "GET", f"{api}/v1/phone-numbers", alice, params={"perPage": 0}).status_code == 400
    bad = exchange(spec, "POST", f"{api}/v1/outbound-calls", alice, data="x", headers={"Content-Type": "text/plain"})
    assert bad.status_code == 415
    assert exchange(spec, "GET", f"{api}/v1/workers/{bob.worker_sid}/caller-id", alice).status_code == 403
    body = {"to": "+14155552671", "from": "+13125550100"}
    assert exchange(spec, "POST", f"{api}/v1/outbound-calls", alice, json=body).status_code == 200
    assert exchange(spec, "POST", f"{api}/v1/outbound-calls", bob, json=body).status_code == 409
    unknown = {"to": "+14155552671", "from": "+17185550199"}
    assert exchange(spec, "POST", f"{api}/v1/outbound-calls", bob, json=unknown).status_code == 404
    local_stack.release_locks()
    forged = exchange(
        spec,
        "POST",
        f"{api}/webhooks/twilio/call-status",
        data={"AccountSid": local_stack.parent["sid"], "CallSid": "CA1", "CallStatus": "completed"},
        headers={"X-Twilio-Signature": "forged"},
    )
    assert forged.status_code == 403
