"""The emulator answers like Twilio: each response it gives the backend validates against Twilio's OpenAPI
specifications (``../shared/twilio-oai``), and every request the backend sends is an operation of those specs."""

from __future__ import annotations

import re

import pytest
import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

API = "https://api.twilio.com"
TASKROUTER = "https://taskrouter.twilio.com"


def exchange(stack, method, twilio_url, *, base, auth, **kwargs):
    """Send the request to the emulator; answer (request as Twilio would see it, response)."""
    local = twilio_url.replace(base, stack.emulator)
    response = requests.request(method, local, auth=auth, timeout=10, **kwargs)
    as_twilio = requests.Request(
        method,
        twilio_url,
        params=kwargs.get("params"),
        data=kwargs.get("data"),
        headers=kwargs.get("headers"),
        auth=auth,
    ).prepare()
    return RequestsOpenAPIRequest(as_twilio), response


def valid(spec, request, response):
    spec.validate_request(request)
    spec.validate_response(request, RequestsOpenAPIResponse(response))


@pytest.fixture
def parent(local_stack):
    return local_stack.parent


@pytest.fixture
def auth(parent):
    return (parent["sid"], parent["authToken"])


def test_account_fetch(local_stack, api_2010, parent, auth):
    child = local_stack.child["sid"]
    request, response = exchange(local_stack, "GET", f"{API}/2010-04-01/Accounts/{child}.json", base=API, auth=auth)
    assert response.status_code == 200 and response.json()["owner_account_sid"] == parent["sid"]
    valid(api_2010, request, response)


@pytest.mark.parametrize("page_size", [1000, 3])
def test_incoming_numbers_pages(local_stack, api_2010, parent, auth, page_size):
    url = f"{API}/2010-04-01/Accounts/{parent['sid']}/IncomingPhoneNumbers.json"
    request, response = exchange(local_stack, "GET", url, base=API, auth=auth, params={"PageSize": page_size})
    assert response.status_code == 200
    valid(api_2010, request, response)
    body, seen = response.json(), []
    seen += body["incoming_phone_numbers"]
    while body["next_page_uri"]:
        request, response = exchange(local_stack, "GET", API + body["next_page_uri"], base=API, auth=auth)
        valid(api_2010, request, response)
        body = response.json()
        seen += body["incoming_phone_numbers"]
    assert len(seen) >= 7 and len({n["sid"] for n in seen}) == len(seen)
    assert all(len(page) <= page_size for page in [seen[i : i + page_size] for i in range(0, len(seen), page_size)])


def test_outgoing_caller_ids_list(local_stack, api_2010, parent, auth):
    url = f"{API}/2010-04-01/Accounts/{parent['sid']}/OutgoingCallerIds.json"
    request, response = exchange(local_stack, "GET", url, base=API, auth=auth, params={"PageSize": 1000})
    assert response.status_code == 200 and response.json()["outgoing_caller_ids"]
    valid(api_2010, request, response)


def test_validation_request(local_stack, api_2010, parent, auth):
    url = f"{API}/2010-04-01/Accounts/{parent['sid']}/OutgoingCallerIds.json"
    request, response = exchange(
        local_stack, "POST", url, base=API, auth=auth, data={"PhoneNumber": "+17255550100", "FriendlyName": "contract"}
    )
    assert response.status_code == 200
    valid(api_2010, request, response)


def test_workspaces_list(local_stack, taskrouter, auth):
    request, response = exchange(
        local_stack, "GET", f"{TASKROUTER}/v1/Workspaces", base=TASKROUTER, auth=auth, params={"PageSize": 1000}
    )
    assert response.status_code == 200 and response.json()["workspaces"]
    valid(taskrouter, request, response)


def test_worker_fetch_and_conditional_update(local_stack, taskrouter, auth):
    bob = local_stack.agent()
    url = f"{TASKROUTER}/v1/Workspaces/{local_stack.facts['taskrouterWorkspaceSid']}/Workers/{bob.worker_sid}"
    request, fetched = exchange(local_stack, "GET", url, base=TASKROUTER, auth=auth)
    assert fetched.headers["ETag"]
    valid(taskrouter, request, fetched)
    etag = fetched.headers["ETag"]
    request, updated = exchange(
        local_stack,
        "POST",
        url,
        base=TASKROUTER,
        auth=auth,
        data={"Attributes": '{"a": 1}'},
        headers={"If-Match": etag},
    )
    assert updated.status_code == 200 and updated.headers["ETag"] != etag
    valid(taskrouter, request, updated)
    _, stale = exchange(
        local_stack,
        "POST",
        url,
        base=TASKROUTER,
        auth=auth,
        data={"Attributes": '{"a": 2}'},
        headers={"If-Match": etag},
    )
    assert stale.status_code == 412
    assert set(stale.json()) == {"code", "message", "more_info", "status"} and stale.json()["status"] == 412


def test_errors_have_twilios_shape(local_stack, parent):
    response = requests.get(
        f"{local_stack.emulator}/2010-04-01/Accounts/{parent['sid']}/IncomingPhoneNumbers.json",
        auth=(parent["sid"], "wrong"),
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


def template_matches(template: str, path: str) -> bool:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.fullmatch(pattern, path) is not None


def test_every_request_the_backend_sent_is_a_twilio_operation(local_stack, twilio_paths):
    """Run after the other suites have driven the backend; also drives it a little itself."""
    sam, bob = local_stack.agent(("supervisor",)), local_stack.agent()
    local_stack.call("PUT", f"/v1/workers/{bob.worker_sid}/caller-id", sam, json={"callerId": "+12125550100"})
    local_stack.call("GET", "/v1/phone-numbers", local_stack.agent(account_sid=local_stack.child["sid"]))
    sent = {(r["method"], r["path"]) for r in local_stack.twilio_requests()}
    iam = re.compile(r"/v1/Accounts/AC[0-9a-f]{32}/Tokens/validate")
    unknown = [
        (m, p)
        for m, p in sent
        if not iam.fullmatch(p) and not any(m == tm and template_matches(tp, p) for tm, tp in twilio_paths)
    ]
    assert unknown == []
    assert any(p.endswith("/IncomingPhoneNumbers.json") for _, p in sent)
