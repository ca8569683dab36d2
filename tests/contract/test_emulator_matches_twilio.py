"""The emulator answers like Twilio: each response it gives the backend validates against Twilio's OpenAPI
specifications (``../shared/twilio-oai``), and every request the backend sends is an operation of those specs."""

from __future__ import annotations

import json
import re
import threading

import phonenumbers
import pytest
import requests
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from tests.contract.conftest import API

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


def twilio_error(response, status, code):
    """Twilio's error body, with this status and code."""
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "message", "more_info", "status"}
    assert (body["status"], body["code"]) == (status, code)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"


def buy(stack, tenant, account_sid=None, **form):
    request, response = exchange(
        stack, "POST", tenant.url("IncomingPhoneNumbers.json", account_sid), base=API, auth=tenant.auth, data=form
    )
    return request, response


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


def test_validation_request(local_stack, api_2010, tenant):
    """The ValidationRequest the backend sends (a fresh tenant's: its call answers itself later)."""
    form = {
        "PhoneNumber": "+17255550100",
        "FriendlyName": "contract",
        "CallDelay": "2",
        "Extension": "12#",
        "StatusCallback": f"{local_stack.facts['publicBaseUrl']}/webhooks/twilio/verification-status",
        "StatusCallbackMethod": "POST",
    }
    request, response = exchange(
        local_stack, "POST", tenant.url("OutgoingCallerIds.json"), base=API, auth=tenant.auth, data=form
    )
    assert response.status_code == 200
    valid(api_2010, request, response)
    answer = response.json()
    named = {k: answer[k] for k in ("account_sid", "phone_number", "friendly_name")}
    assert named == {"account_sid": tenant.sid, "phone_number": "+17255550100", "friendly_name": "contract"}
    assert re.fullmatch(r"\d{6}", answer["validation_code"])
    call = requests.get(f"{local_stack.emulator}/_emulator/verification-calls/{answer['call_sid']}", timeout=10).json()
    assert call["status"] == "pending" and call["validationCode"] == answer["validation_code"]
    assert (call["callDelay"], call["extension"], call["statusCallbackMethod"]) == (2, "12#", "POST")


def test_a_number_already_verified_is_21450(local_stack, api_2010, tenant):
    local_stack.verified_caller_id(tenant.sid, "+15035550125")
    request, response = exchange(
        local_stack,
        "POST",
        tenant.url("OutgoingCallerIds.json"),
        base=API,
        auth=tenant.auth,
        data={"PhoneNumber": "+15035550125", "FriendlyName": "again"},
    )
    api_2010.validate_request(request)
    twilio_error(response, 400, 21450)


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({}, 20001),
        ({"PhoneNumber": "+1415"}, 21217),
        ({"PhoneNumber": "7255550101"}, 21217),
        ({"PhoneNumber": "+1 725-555-0101"}, 21217),
        ({"PhoneNumber": "+17255550101", "CallDelay": "61"}, 20001),
        ({"PhoneNumber": "+17255550101", "StatusCallback": "not a url"}, 21609),
        ({"PhoneNumber": "+17255550101", "StatusCallbackMethod": "PUT"}, 20001),
        ({"PhoneNumber": "+17255550101", "FriendlyName": "x" * 65}, 20001),
    ],
    ids=["no PhoneNumber", "too short", "not E.164", "formatted", "CallDelay over 60", "bad URL", "PUT", "long name"],
)
def test_a_validation_request_twilio_refuses_answers_its_error(local_stack, tenant, form, code):
    _, response = exchange(
        local_stack, "POST", tenant.url("OutgoingCallerIds.json"), base=API, auth=tenant.auth, data=form
    )
    twilio_error(response, 400, code)


def test_workspaces_list(local_stack, taskrouter, auth):
    request, response = exchange(
        local_stack, "GET", f"{TASKROUTER}/v1/Workspaces", base=TASKROUTER, auth=auth, params={"PageSize": 1000}
    )
    assert response.status_code == 200 and response.json()["workspaces"]
    valid(taskrouter, request, response)


def test_workers_and_task_queues_lists(local_stack, taskrouter, auth):
    bob = local_stack.agent()
    workspace = f"{TASKROUTER}/v1/Workspaces/{local_stack.facts['taskrouterWorkspaceSid']}"
    request, response = exchange(
        local_stack, "GET", f"{workspace}/Workers", base=TASKROUTER, auth=auth, params={"PageSize": 1000}
    )
    assert response.status_code == 200 and bob.worker_sid in {w["sid"] for w in response.json()["workers"]}
    valid(taskrouter, request, response)
    request, response = exchange(local_stack, "GET", f"{workspace}/TaskQueues", base=TASKROUTER, auth=auth)
    assert response.status_code == 200 and [q["friendly_name"] for q in response.json()["task_queues"]] == ["Everyone"]
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


@pytest.mark.parametrize(
    ("path", "params", "prefix", "locality"),
    [
        ("US/Local.json", {"AreaCode": 617, "Contains": "77$"}, "+1617", "Boston"),
        ("US/TollFree.json", {"AreaCode": 844}, "+1844", None),
        ("CA/Local.json", {"InLocality": "Toronto"}, "+1416", "Toronto"),
        ("GB/Mobile.json", {"Contains": "+447"}, "+447", None),
    ],
)
def test_available_numbers_match_the_search(local_stack, api_2010, tenant, path, params, prefix, locality):
    url = tenant.url(f"AvailablePhoneNumbers/{path}")
    request, response = exchange(local_stack, "GET", url, base=API, auth=tenant.auth, params={**params, "PageSize": 5})
    assert response.status_code == 200
    valid(api_2010, request, response)
    offered = response.json()["available_phone_numbers"]
    assert len(offered) == 5 and len({n["phone_number"] for n in offered}) == 5
    for number in offered:
        assert number["phone_number"].startswith(prefix) and number["locality"] == locality
        assert number["iso_country"] == path[:2]
        assert phonenumbers.is_valid_number(phonenumbers.parse(number["phone_number"]))
        assert "Contains" not in params or re.search(params["Contains"].replace("+", "^"), number["phone_number"][1:])


def test_a_search_that_matches_nothing_is_an_empty_list(local_stack, api_2010, tenant):
    url = tenant.url("AvailablePhoneNumbers/US/Local.json")
    request, response = exchange(local_stack, "GET", url, base=API, auth=tenant.auth, params={"AreaCode": 907})
    assert response.status_code == 200 and response.json()["available_phone_numbers"] == []
    valid(api_2010, request, response)


@pytest.mark.parametrize("path", ["ZZ/Local.json", "US/Mobile.json"])
def test_a_country_or_kind_twilio_does_not_sell_is_not_found(local_stack, api_2010, tenant, path):
    url = tenant.url(f"AvailablePhoneNumbers/{path}")
    request, response = exchange(local_stack, "GET", url, base=API, auth=tenant.auth)
    api_2010.validate_request(request)
    twilio_error(response, 404, 20404)


def test_available_countries(local_stack, api_2010, tenant):
    request, response = exchange(
        local_stack, "GET", tenant.url("AvailablePhoneNumbers.json"), base=API, auth=tenant.auth
    )
    assert {c["country_code"] for c in response.json()["countries"]} >= {"US", "CA", "GB"}
    valid(api_2010, request, response)
    request, response = exchange(
        local_stack, "GET", tenant.url("AvailablePhoneNumbers/US.json"), base=API, auth=tenant.auth
    )
    assert set(response.json()["subresource_uris"]) == {"local", "toll_free"}
    valid(api_2010, request, response)


def test_a_bought_number_is_no_longer_available(local_stack, api_2010, tenant):
    search = tenant.url("AvailablePhoneNumbers/US/Local.json")
    _, before = exchange(
        local_stack, "GET", search, base=API, auth=tenant.auth, params={"AreaCode": 305, "PageSize": 3}
    )
    first = before.json()["available_phone_numbers"][0]["phone_number"]
    request, response = buy(local_stack, tenant, PhoneNumber=first, FriendlyName="Miami desk")
    assert response.status_code == 201
    valid(api_2010, request, response)
    assert (response.json()["phone_number"], response.json()["friendly_name"]) == (first, "Miami desk")
    _, after = exchange(local_stack, "GET", search, base=API, auth=tenant.auth, params={"AreaCode": 305, "PageSize": 3})
    assert first not in {n["phone_number"] for n in after.json()["available_phone_numbers"]}


def test_buying_in_an_area_code_takes_its_first_available_number(local_stack, api_2010, tenant):
    search = tenant.url("AvailablePhoneNumbers/US/Local.json")
    _, offered = exchange(
        local_stack, "GET", search, base=API, auth=tenant.auth, params={"AreaCode": 713, "PageSize": 1}
    )
    request, response = buy(local_stack, tenant, AreaCode="713", VoiceUrl="https://example.com/voice")
    assert response.status_code == 201
    valid(api_2010, request, response)
    number = response.json()
    assert number["phone_number"] == offered.json()["available_phone_numbers"][0]["phone_number"]
    assert number["voice_url"] == "https://example.com/voice" and number["account_sid"] == tenant.sid


@pytest.mark.parametrize(
    ("form", "code"),
    [({"AreaCode": "907"}, 21452), ({"AreaCode": "999"}, 21451), ({"PhoneNumber": "+1415"}, 21421), ({}, 400)],
    ids=["no stock in the area code", "not an area code", "not a phone number", "neither PhoneNumber nor AreaCode"],
)
def test_a_purchase_twilio_cannot_make_is_refused(local_stack, api_2010, tenant, form, code):
    request, response = buy(local_stack, tenant, **form)
    api_2010.validate_request(request)
    twilio_error(response, 400, code)


@pytest.mark.parametrize("owner", ["another account", "nobody (Twilio does not sell 555 numbers)"])
def test_a_number_that_is_not_available_is_21422(local_stack, api_2010, tenant, owner):
    if owner == "another account":
        _, taken = buy(local_stack, tenant, tenant.child_sid, AreaCode="720")
        phone = taken.json()["phone_number"]
    else:
        phone = "+14155550123"
    request, response = buy(local_stack, tenant, PhoneNumber=phone)
    api_2010.validate_request(request)
    twilio_error(response, 400, 21422)


def test_a_number_is_fetched_updated_and_released(local_stack, api_2010, tenant):
    _, bought = buy(local_stack, tenant, AreaCode="202")
    url = tenant.url(f"IncomingPhoneNumbers/{bought.json()['sid']}.json")
    request, fetched = exchange(local_stack, "GET", url, base=API, auth=tenant.auth)
    assert fetched.json() == bought.json()
    valid(api_2010, request, fetched)
    settings = {
        "FriendlyName": "DC office",
        "VoiceUrl": "https://example.com/voice",
        "VoiceMethod": "GET",
        "VoiceFallbackUrl": "https://example.com/fallback",
        "StatusCallback": "https://example.com/status",
        "StatusCallbackMethod": "GET",
    }
    request, updated = exchange(local_stack, "POST", url, base=API, auth=tenant.auth, data=settings)
    assert updated.status_code == 200
    valid(api_2010, request, updated)
    echoed = {k: updated.json()[k] for k in ("friendly_name", "voice_url", "voice_method", "voice_fallback_url")}
    assert echoed == {
        "friendly_name": "DC office",
        "voice_url": "https://example.com/voice",
        "voice_method": "GET",
        "voice_fallback_url": "https://example.com/fallback",
    }
    assert (updated.json()["status_callback"], updated.json()["status_callback_method"]) == (
        "https://example.com/status",
        "GET",
    )
    _, again = exchange(local_stack, "GET", url, base=API, auth=tenant.auth)
    assert again.json() == updated.json()
    request, released = exchange(local_stack, "DELETE", url, base=API, auth=tenant.auth)
    assert released.status_code == 204 and released.content == b""
    valid(api_2010, request, released)
    _, gone = exchange(local_stack, "GET", url, base=API, auth=tenant.auth)
    twilio_error(gone, 404, 20404)
    search = tenant.url("AvailablePhoneNumbers/US/Local.json")
    contains = {"Contains": bought.json()["phone_number"]}
    _, offered = exchange(local_stack, "GET", search, base=API, auth=tenant.auth, params=contains)
    assert [n["phone_number"] for n in offered.json()["available_phone_numbers"]] == [bought.json()["phone_number"]]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_another_accounts_number_is_not_found(local_stack, api_2010, tenant, method):
    _, theirs = buy(local_stack, tenant, tenant.child_sid, AreaCode="404")
    url = tenant.url(f"IncomingPhoneNumbers/{theirs.json()['sid']}.json")
    data = {"FriendlyName": "mine now"} if method == "POST" else None
    request, response = exchange(local_stack, method, url, base=API, auth=tenant.auth, data=data)
    api_2010.validate_request(request)
    twilio_error(response, 404, 20404)
    owners_url = tenant.url(f"IncomingPhoneNumbers/{theirs.json()['sid']}.json", tenant.child_sid)
    _, still = exchange(local_stack, "GET", owners_url, base=API, auth=tenant.auth)
    assert still.json() == theirs.json()


def test_incoming_numbers_list_filters(local_stack, api_2010, tenant):
    austin = [buy(local_stack, tenant, AreaCode="512", FriendlyName=f"Austin {n}")[1].json() for n in "AB"]
    buy(local_stack, tenant, AreaCode="215")
    url = tenant.url("IncomingPhoneNumbers.json")
    request, named = exchange(local_stack, "GET", url, base=API, auth=tenant.auth, params={"FriendlyName": "Austin A"})
    valid(api_2010, request, named)
    assert [n["sid"] for n in named.json()["incoming_phone_numbers"]] == [austin[0]["sid"]]
    partial = "+1512" + "*" * 3 + austin[1]["phone_number"][8:10]
    request, by_phone = exchange(
        local_stack, "GET", url, base=API, auth=tenant.auth, params={"PhoneNumber": partial, "PageSize": 1}
    )
    valid(api_2010, request, by_phone)
    seen = by_phone.json()["incoming_phone_numbers"]
    assert by_phone.json()["next_page_uri"] and "PhoneNumber=%2B1512" in by_phone.json()["next_page_uri"]
    request, rest = exchange(local_stack, "GET", API + by_phone.json()["next_page_uri"], base=API, auth=tenant.auth)
    valid(api_2010, request, rest)
    seen += rest.json()["incoming_phone_numbers"]
    assert sorted(n["sid"] for n in seen) == sorted(n["sid"] for n in austin)


def test_a_caller_id_is_renamed_and_deleted(local_stack, api_2010, tenant):
    caller_id_sid = local_stack.verified_caller_id(tenant.sid, "+15035550123")
    url = tenant.url(f"OutgoingCallerIds/{caller_id_sid}.json")
    request, renamed = exchange(local_stack, "POST", url, base=API, auth=tenant.auth, data={"FriendlyName": "Portland"})
    assert renamed.status_code == 200 and renamed.json()["friendly_name"] == "Portland"
    valid(api_2010, request, renamed)
    listing = tenant.url("OutgoingCallerIds.json")
    for params in ({"PhoneNumber": "+15035550123"}, {"FriendlyName": "Portland"}):
        request, found = exchange(local_stack, "GET", listing, base=API, auth=tenant.auth, params=params)
        valid(api_2010, request, found)
        assert [c["sid"] for c in found.json()["outgoing_caller_ids"]] == [caller_id_sid]
    request, deleted = exchange(local_stack, "DELETE", url, base=API, auth=tenant.auth)
    assert deleted.status_code == 204
    valid(api_2010, request, deleted)
    _, gone = exchange(local_stack, "GET", url, base=API, auth=tenant.auth)
    twilio_error(gone, 404, 20404)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_another_accounts_caller_id_is_not_found(local_stack, api_2010, tenant, method):
    theirs = local_stack.verified_caller_id(tenant.child_sid, "+15035550124")
    data = {"FriendlyName": "mine now"} if method == "POST" else None
    url = tenant.url(f"OutgoingCallerIds/{theirs}.json")
    request, response = exchange(local_stack, method, url, base=API, auth=tenant.auth, data=data)
    api_2010.validate_request(request)
    twilio_error(response, 404, 20404)


def test_numbers_in_bulk_page_by_sid(local_stack, api_2010, tenant):
    created = requests.post(
        f"{local_stack.emulator}/_emulator/numbers",
        json={"accountSid": tenant.child_sid, "count": 50_000, "areaCodes": ["702", "602"]},
        timeout=60,
    )
    assert created.json() == {"created": 50_000}
    url = tenant.url("IncomingPhoneNumbers.json", tenant.child_sid)
    pages = []
    for page in (0, 1, 49):
        request, response = exchange(
            local_stack, "GET", url, base=API, auth=tenant.auth, params={"PageSize": 1000, "Page": page}
        )
        valid(api_2010, request, response)
        pages.append([n["sid"] for n in response.json()["incoming_phone_numbers"]])
    assert [len(p) for p in pages] == [1000, 1000, 1000] and response.json()["next_page_uri"] is None
    flat = [sid for p in pages for sid in p]
    assert flat == sorted(flat) and len(set(flat)) == len(flat)


def test_taskrouter_workflows_list(local_stack, taskrouter, auth):
    workspace = local_stack.facts["taskrouterWorkspaceSid"]
    url = f"{TASKROUTER}/v1/Workspaces/{workspace}/Workflows"
    params = {"FriendlyName": "Assign to Anyone", "PageSize": 1000}
    request, response = exchange(local_stack, "GET", url, base=TASKROUTER, auth=auth, params=params)
    assert response.status_code == 200 and response.json()["workflows"][0]["sid"].startswith("WW")
    valid(taskrouter, request, response)


def tenant_workspace(local_stack, tenant):
    listed = requests.get(f"{local_stack.emulator}/v1/Workspaces", auth=tenant.auth, timeout=10).json()
    return listed["workspaces"][0]["sid"]


def test_workspace_fetch_and_event_callback_update(local_stack, taskrouter, tenant):
    url = f"{TASKROUTER}/v1/Workspaces/{tenant_workspace(local_stack, tenant)}"
    request, fetched = exchange(local_stack, "GET", url, base=TASKROUTER, auth=tenant.auth)
    assert fetched.status_code == 200 and fetched.json()["event_callback_url"] is None
    valid(taskrouter, request, fetched)

    form = {"EventCallbackUrl": "https://example.com/events", "EventsFilter": "task.wrapup,task.completed"}
    request, updated = exchange(local_stack, "POST", url, base=TASKROUTER, auth=tenant.auth, data=form)
    assert updated.status_code == 200, updated.text
    assert (updated.json()["event_callback_url"], updated.json()["events_filter"]) == tuple(form.values())
    valid(taskrouter, request, updated)

    request, cleared = exchange(
        local_stack, "POST", url, base=TASKROUTER, auth=tenant.auth, data={"EventCallbackUrl": ""}
    )
    assert cleared.json()["event_callback_url"] is None
    valid(taskrouter, request, cleared)


def test_another_accounts_workspace_is_not_found(local_stack, tenant, auth):
    url = f"{local_stack.emulator}/v1/Workspaces/{tenant_workspace(local_stack, tenant)}"
    for method in ("GET", "POST"):
        twilio_error(requests.request(method, url, auth=auth, data={"FriendlyName": "x"}, timeout=10), 404, 20404)


def test_a_workspace_update_twilio_refuses_is_400(local_stack, tenant):
    url = f"{local_stack.emulator}/v1/Workspaces/{tenant_workspace(local_stack, tenant)}"
    for form in ({"EventCallbackUrl": "ftp://example.com"}, {"PrioritizeQueueOrder": "RANDOM"}):
        twilio_error(requests.post(url, auth=tenant.auth, data=form, timeout=10), 400, 20001)


class Receiver:
    """A webhook receiver on loopback recording each form it is posted, with the URL and signature it came to."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qsl

        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                received.append((self.path, dict(parse_qsl(body, keep_blank_values=True)), self.headers))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_taskrouter_events_are_signed_forms_of_the_filtered_types(local_stack, tenant):
    from twilio.request_validator import RequestValidator

    receiver = Receiver()
    workspace = tenant_workspace(local_stack, tenant)
    filtered = "reservation.accepted,task.wrapup,worker.attributes.update"
    requests.post(
        f"{local_stack.emulator}/v1/Workspaces/{workspace}",
        auth=tenant.auth,
        data={"EventCallbackUrl": receiver.url, "EventsFilter": filtered},
        timeout=10,
    ).raise_for_status()
    try:
        worker_sid = requests.post(
            f"{local_stack.emulator}/_emulator/tokens",
            json={"accountSid": tenant.sid, "identity": "dana"},
            timeout=10,
        ).json()["workerSid"]
        task = requests.post(
            f"{local_stack.emulator}/_emulator/outbound-tasks",
            json={"workerSid": worker_sid, "from": "+12125550100", "to": "+14155552671", "ageSeconds": 42},
            timeout=10,
        ).json()["task"]
        requests.post(
            f"{local_stack.emulator}/_emulator/outbound-tasks/{task['taskSid']}/end",
            json={"ending": "wrapup"},
            timeout=10,
        ).raise_for_status()
        requests.post(
            f"{local_stack.emulator}/v1/Workspaces/{workspace}/Workers/{worker_sid}",
            auth=tenant.auth,
            data={"Attributes": json.dumps({"team_name": "sales"})},
            timeout=10,
        ).raise_for_status()
    finally:
        receiver.server.shutdown()
    assert [form["EventType"] for _, form, _ in receiver.received] == filtered.split(",")
    validator = RequestValidator(tenant.auth[1])
    for path, form, headers in receiver.received:
        assert path == "/events"
        assert validator.validate(receiver.url, form, headers["X-Twilio-Signature"])
        assert re.fullmatch(r"EA[0-9a-f]{32}", form["Sid"])
        assert (form["AccountSid"], form["WorkspaceSid"]) == (tenant.sid, workspace)
        assert form["Timestamp"].isdigit() and int(form["TimestampMs"]) // 1000 == int(form["Timestamp"])
        assert form["WorkerSid"] == worker_sid
    accepted, wrapup, attributes = (form for _, form, _ in receiver.received)
    assert json.loads(wrapup["TaskAttributes"]).items() >= {"direction": "outbound", "from": "+12125550100"}.items()
    assert int(wrapup["TaskAge"]) >= 42 and wrapup["TaskSid"] == accepted["TaskSid"] == task["taskSid"]
    assert json.loads(attributes["WorkerAttributes"]) == {"team_name": "sales"}
