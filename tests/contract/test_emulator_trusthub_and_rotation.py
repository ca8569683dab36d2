"""Trust Hub and auth-token rotation as the emulator plays them, held against Twilio's specs.

* Trust Hub v1 TrustProducts and their ChannelEndpointAssignments answer as ``twilio_trusthub_v1.json`` says, per
  account; the assignments Twilio refuses are refused with Twilio's error body, and change nothing.
* Rotating an account's auth token (Twilio's secondary-token promotion) ends the old token at once: REST requests
  with it are 401, and every callback the emulator posts afterwards (TaskRouter events, Event Streams deliveries,
  verification status callbacks) validates with ``RequestValidator`` under the new token and not under the old one.
* What ``callerid-admin connect/teardown`` relies on: an IncomingPhoneNumber's voice URL and status callback set and
  cleared (empty string) as Twilio does."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.contract.conftest import API
from tests.contract.test_emulator_calls_and_streams import (
    JsonReceiver,
    create_sink,
    end,
    place,
    subscribe,
    worker_of,
)
from tests.contract.test_emulator_matches_twilio import TASKROUTER, buy, exchange, twilio_error, valid
from tests.contract.test_emulator_verification_calls import CallbackServer

TRUSTHUB = "https://trusthub.twilio.com"
POLICIES = {
    "voice_integrity": "RN5b3660f9598883b1df4e77f77acefba0",
    "shaken_stir": "RN7a97559effdf62d00f4298208492a5ea",
    "cnam": "RNf3db3cd1fe25fcfd3c3ded065c8fea53",
    "branded_calling": "RNca63d1066fbd5e44eac02d0b3cf6d019",
    "other": "RNb0d4771c2c98518d916a3d4cd70a8f8b",
}


def product(stack, tenant, kind="shaken_stir", status="twilio-approved", name="Caller ID trust", account_sid=None):
    body = {"accountSid": account_sid or tenant.sid, "friendlyName": name, "kind": kind, "status": status}
    made = requests.post(f"{stack.emulator}/_emulator/trust-products", json=body, timeout=10)
    assert made.status_code == 200, made.text
    return made.json()


def set_status(stack, product_sid, status):
    changed = requests.post(
        f"{stack.emulator}/_emulator/trust-products/{product_sid}", json={"status": status}, timeout=10
    )
    assert changed.status_code == 200, changed.text
    return changed.json()


def number(stack, tenant, account_sid=None, area_code="415"):
    _, bought = buy(stack, tenant, account_sid, AreaCode=area_code)
    assert bought.status_code == 201, bought.text
    return bought.json()


def trust(stack, method, path, auth, **kwargs):
    return exchange(stack, method, f"{TRUSTHUB}{path}", base=TRUSTHUB, auth=auth, **kwargs)


def assign(stack, trusthub, tenant, product_sid, endpoint_sid, auth=None, endpoint_type="phone-number"):
    form = {"ChannelEndpointType": endpoint_type, "ChannelEndpointSid": endpoint_sid}
    path = f"/v1/TrustProducts/{product_sid}/ChannelEndpointAssignments"
    request, response = trust(stack, "POST", path, auth or tenant.auth, data=form)
    trusthub.validate_request(request)
    if response.status_code == 201:
        valid(trusthub, request, response)
    return response


def read(stack, trusthub, path, auth, **params):
    request, response = trust(stack, "GET", path, auth, params=params or None)
    assert response.status_code == 200, response.text
    valid(trusthub, request, response)
    return response.json()


# Trust Hub: TrustProducts


def test_a_trust_product_is_created_read_updated_and_deleted_like_twilios(local_stack, trusthub, tenant):
    form = {"FriendlyName": "SHAKEN/STIR", "Email": "ops@example.com", "PolicySid": POLICIES["shaken_stir"]}
    request, response = trust(local_stack, "POST", "/v1/TrustProducts", tenant.auth, data=form)
    assert response.status_code == 201, response.text
    valid(trusthub, request, response)
    made = response.json()
    assert re.fullmatch(r"BU[0-9a-f]{32}", made["sid"])
    assert (made["account_sid"], made["policy_sid"], made["status"], made["email"]) == (
        tenant.sid,
        POLICIES["shaken_stir"],
        "draft",
        "ops@example.com",
    )
    url = f"/v1/TrustProducts/{made['sid']}"
    assert made["url"] == f"{TRUSTHUB}{url}"
    assert made["links"]["trust_products_channel_endpoint_assignment"] == f"{TRUSTHUB}{url}/ChannelEndpointAssignments"
    assert read(local_stack, trusthub, url, tenant.auth) == made

    request, renamed = trust(local_stack, "POST", url, tenant.auth, data={"FriendlyName": "SHAKEN/STIR (ops)"})
    assert renamed.status_code == 200
    valid(trusthub, request, renamed)
    assert renamed.json()["friendly_name"] == "SHAKEN/STIR (ops)"
    request, submitted = trust(local_stack, "POST", url, tenant.auth, data={"Status": "pending-review"})
    valid(trusthub, request, submitted)
    assert submitted.json()["status"] == "pending-review"
    _, both = trust(local_stack, "POST", url, tenant.auth, data={"Status": "pending-review", "FriendlyName": "x"})
    twilio_error(both, 400, 22204)
    _, approving = trust(local_stack, "POST", url, tenant.auth, data={"Status": "twilio-approved"})
    twilio_error(approving, 400, 20001)

    request, deleted = trust(local_stack, "DELETE", url, tenant.auth)
    assert deleted.status_code == 204 and deleted.content == b""
    valid(trusthub, request, deleted)
    _, gone = trust(local_stack, "GET", url, tenant.auth)
    twilio_error(gone, 404, 20404)


def test_the_list_filters_and_pages_like_twilios(local_stack, trusthub, tenant):
    approved = product(local_stack, tenant, "voice_integrity", name="VI")
    rejected = product(local_stack, tenant, "cnam", "twilio-rejected", name="CNAM")
    drafted = product(local_stack, tenant, "shaken_stir", "draft", name="SS")
    product(local_stack, tenant, "shaken_stir", account_sid=tenant.child_sid)  # the subaccount's: not listed

    listed = read(local_stack, trusthub, "/v1/TrustProducts", tenant.auth)
    assert [p["sid"] for p in listed["results"]] == [approved["sid"], rejected["sid"], drafted["sid"]]
    assert listed["meta"]["key"] == "results" and listed["meta"]["next_page_url"] is None
    by_status = read(local_stack, trusthub, "/v1/TrustProducts", tenant.auth, Status="twilio-rejected")
    assert [p["sid"] for p in by_status["results"]] == [rejected["sid"]]
    by_policy = read(local_stack, trusthub, "/v1/TrustProducts", tenant.auth, PolicySid=POLICIES["shaken_stir"])
    assert [p["sid"] for p in by_policy["results"]] == [drafted["sid"]]
    by_name = read(local_stack, trusthub, "/v1/TrustProducts", tenant.auth, FriendlyName="VI")
    assert [p["sid"] for p in by_name["results"]] == [approved["sid"]]

    seen, page = [], read(local_stack, trusthub, "/v1/TrustProducts", tenant.auth, PageSize=2)
    seen += page["results"]
    while page["meta"]["next_page_url"]:
        query = parse_qs(urlsplit(page["meta"]["next_page_url"]).query)
        page = read(local_stack, trusthub, "/v1/TrustProducts", tenant.auth, **{k: v[0] for k, v in query.items()})
        seen += page["results"]
    assert [p["sid"] for p in seen] == [approved["sid"], rejected["sid"], drafted["sid"]]


@pytest.mark.parametrize("kind", list(POLICIES))
def test_the_control_makes_a_product_of_each_kind_with_twilios_policy(local_stack, trusthub, tenant, kind):
    made = product(local_stack, tenant, kind, "in-review")
    assert (made["policy_sid"], made["status"], made["account_sid"]) == (POLICIES[kind], "in-review", tenant.sid)
    assert set_status(local_stack, made["sid"], "twilio-approved")["status"] == "twilio-approved"
    fetched = read(local_stack, trusthub, f"/v1/TrustProducts/{made['sid']}", tenant.auth)
    assert fetched["status"] == "twilio-approved"


@pytest.mark.parametrize(
    "body",
    [{"kind": "a2p"}, {"status": "approved"}, {"accountSid": "AC" + "0" * 32}, {"friendlyName": ""}],
    ids=["unknown kind", "unknown status", "unknown account", "no name"],
)
def test_the_control_refuses_what_trust_hub_does_not_have(local_stack, tenant, body):
    full = {"accountSid": tenant.sid, "friendlyName": "x", "kind": "cnam", **body}
    refused = requests.post(f"{local_stack.emulator}/_emulator/trust-products", json=full, timeout=10)
    twilio_error(refused, 400, 20001)


def test_a_product_twilio_cannot_create_is_400(local_stack, trusthub, tenant):
    for form in (
        {"FriendlyName": "x", "Email": "ops@example.com"},
        {"FriendlyName": "x", "Email": "ops@example.com", "PolicySid": "RN" + "0" * 32},
    ):
        _, refused = trust(local_stack, "POST", "/v1/TrustProducts", tenant.auth, data=form)
        twilio_error(refused, 400, 20001)


def test_seeded_trust_products_have_stable_sids_and_their_numbers(local_stack, trusthub):
    key = f"trust-{uuid.uuid4().hex[:8]}"
    entry = {
        "key": key,
        "friendlyName": "Seeded trust",
        "numbers": [{"phoneNumber": "+14155550177"}],
        "trustProducts": [
            {"friendlyName": "SHAKEN/STIR", "kind": "shaken_stir", "phoneNumbers": ["+14155550177"]},
            {"friendlyName": "CNAM", "kind": "cnam", "status": "in-review"},
        ],
    }
    seeded = [
        requests.post(f"{local_stack.emulator}/_emulator/seed", json={"accounts": [entry]}, timeout=10).json()
        for _ in range(2)
    ]
    assert seeded[0] == seeded[1]
    (account,) = seeded[0]["accounts"]
    shaken, cnam = account["trustProducts"]
    assert (shaken["kind"], shaken["status"], shaken["policySid"]) == (
        "shaken_stir",
        "twilio-approved",
        POLICIES["shaken_stir"],
    )
    assert (cnam["kind"], cnam["status"]) == ("cnam", "in-review")
    auth = (account["sid"], account["authToken"])
    listed = read(local_stack, trusthub, "/v1/TrustProducts", auth)
    assert [p["sid"] for p in listed["results"]] == [shaken["sid"], cnam["sid"]]
    path = f"/v1/TrustProducts/{shaken['sid']}/ChannelEndpointAssignments"
    (assigned,) = read(local_stack, trusthub, path, auth)["results"]
    numbers = requests.get(
        f"{local_stack.emulator}/2010-04-01/Accounts/{account['sid']}/IncomingPhoneNumbers.json", auth=auth, timeout=10
    ).json()["incoming_phone_numbers"]
    assert assigned["channel_endpoint_sid"] == numbers[0]["sid"]


# Trust Hub: ChannelEndpointAssignments


def test_phone_numbers_are_assigned_listed_and_removed_like_twilios(local_stack, trusthub, tenant):
    made = product(local_stack, tenant)
    mine, sub = number(local_stack, tenant, area_code="415"), number(local_stack, tenant, tenant.child_sid, "212")
    path = f"/v1/TrustProducts/{made['sid']}/ChannelEndpointAssignments"
    first = assign(local_stack, trusthub, tenant, made["sid"], mine["sid"])
    assert first.status_code == 201, first.text
    assigned = first.json()
    assert re.fullmatch(r"RA[0-9a-f]{32}", assigned["sid"])
    assert (assigned["trust_product_sid"], assigned["account_sid"], assigned["channel_endpoint_sid"]) == (
        made["sid"],
        tenant.sid,
        mine["sid"],
    )
    assert (assigned["channel_endpoint_type"], assigned["url"]) == (
        "phone-number",
        f"{TRUSTHUB}{path}/{assigned['sid']}",
    )
    second = assign(local_stack, trusthub, tenant, made["sid"], sub["sid"])  # a subaccount's number joins it too
    assert second.status_code == 201, second.text

    everything = read(local_stack, trusthub, path, tenant.auth)
    assert [a["sid"] for a in everything["results"]] == [assigned["sid"], second.json()["sid"]]
    assert everything["meta"]["key"] == "results"
    one = read(local_stack, trusthub, path, tenant.auth, ChannelEndpointSid=mine["sid"])
    assert one["results"] == [assigned]
    assert "ChannelEndpointSid=" + mine["sid"] in one["meta"]["url"]
    several = read(local_stack, trusthub, path, tenant.auth, ChannelEndpointSids=f"{sub['sid']},PN{'0' * 32}")
    assert [a["channel_endpoint_sid"] for a in several["results"]] == [sub["sid"]]
    paged = read(local_stack, trusthub, path, tenant.auth, PageSize=1)
    assert len(paged["results"]) == 1 and paged["meta"]["next_page_url"] is not None
    assert read(local_stack, trusthub, f"{path}/{assigned['sid']}", tenant.auth) == assigned

    request, removed = trust(local_stack, "DELETE", f"{path}/{assigned['sid']}", tenant.auth)
    assert removed.status_code == 204
    valid(trusthub, request, removed)
    _, gone = trust(local_stack, "GET", f"{path}/{assigned['sid']}", tenant.auth)
    twilio_error(gone, 404, 20404)
    assert read(local_stack, trusthub, path, tenant.auth, ChannelEndpointSid=mine["sid"])["results"] == []


def test_a_draft_product_takes_numbers_before_it_is_submitted(local_stack, trusthub, tenant):
    """Twilio's SHAKEN/STIR, Voice Integrity and CNAM API guides assign the numbers, then submit for vetting."""
    drafted = product(local_stack, tenant, "cnam", "draft")
    response = assign(
        local_stack, trusthub, tenant, drafted["sid"], number(local_stack, tenant, area_code="646")["sid"]
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("shaken_stir", "twilio-rejected"),
        ("voice_integrity", "pending-review"),
        ("branded_calling", "in-review"),
        ("other", "twilio-approved"),
    ],
    ids=["rejected", "pending review", "in review", "a policy that takes no phone numbers"],
)
def test_a_product_that_takes_no_number_now_refuses_it_and_keeps_none(local_stack, trusthub, tenant, kind, status):
    made = product(local_stack, tenant, kind, status)
    refused = assign(local_stack, trusthub, tenant, made["sid"], number(local_stack, tenant, area_code="312")["sid"])
    twilio_error(refused, 400, 20001)
    assert made["sid"] in refused.json()["message"]
    path = f"/v1/TrustProducts/{made['sid']}/ChannelEndpointAssignments"
    assert read(local_stack, trusthub, path, tenant.auth)["results"] == []


def test_a_number_the_account_does_not_own_is_refused(local_stack, trusthub, tenant, auth):
    made = product(local_stack, tenant)
    theirs = requests.get(
        f"{local_stack.emulator}/2010-04-01/Accounts/{auth[0]}/IncomingPhoneNumbers.json", auth=auth, timeout=10
    ).json()["incoming_phone_numbers"][0]
    for endpoint_sid in (theirs["sid"], "PN" + "0" * 32):
        twilio_error(assign(local_stack, trusthub, tenant, made["sid"], endpoint_sid), 400, 22205)
    mine = number(local_stack, tenant, area_code="206")
    twilio_error(assign(local_stack, trusthub, tenant, made["sid"], mine["sid"], endpoint_type="sms"), 400, 20001)
    assert assign(local_stack, trusthub, tenant, made["sid"], mine["sid"]).status_code == 201
    twilio_error(assign(local_stack, trusthub, tenant, made["sid"], mine["sid"]), 400, 20001)  # assigned already


def test_cnam_takes_no_toll_free_number(local_stack, trusthub, tenant):
    """Twilio's CNAM guide: "US and CA Toll Free numbers cannot be assigned to CNAM profiles"."""
    made = product(local_stack, tenant, "cnam")
    search = tenant.url("AvailablePhoneNumbers/US/TollFree.json")
    _, offered = exchange(local_stack, "GET", search, base=API, auth=tenant.auth, params={"PageSize": 1})
    _, bought = buy(local_stack, tenant, PhoneNumber=offered.json()["available_phone_numbers"][0]["phone_number"])
    twilio_error(assign(local_stack, trusthub, tenant, made["sid"], bought.json()["sid"]), 400, 20001)


def test_another_accounts_product_is_not_found(local_stack, trusthub, tenant, auth):
    made = product(local_stack, tenant)
    assigned = assign(local_stack, trusthub, tenant, made["sid"], number(local_stack, tenant, area_code="617")["sid"])
    base = f"/v1/TrustProducts/{made['sid']}"
    for method, path in (
        ("GET", base),
        ("POST", base),
        ("DELETE", base),
        ("GET", f"{base}/ChannelEndpointAssignments"),
        ("POST", f"{base}/ChannelEndpointAssignments"),
        ("GET", f"{base}/ChannelEndpointAssignments/{assigned.json()['sid']}"),
        ("DELETE", f"{base}/ChannelEndpointAssignments/{assigned.json()['sid']}"),
    ):
        _, response = trust(local_stack, method, path, auth, data={"FriendlyName": "x"} if method == "POST" else None)
        twilio_error(response, 404, 20404)
    for unknown in (f"/v1/TrustProducts/BU{'0' * 32}", f"{base}/ChannelEndpointAssignments/RA{'0' * 32}"):
        _, response = trust(local_stack, "GET", unknown, tenant.auth)
        twilio_error(response, 404, 20404)
    _, stranger = trust(local_stack, "GET", base, (tenant.sid, "0" * 32))
    twilio_error(stranger, 401, 20003)
    assert read(local_stack, trusthub, base, tenant.auth) == made


def test_a_released_number_or_a_deleted_product_leaves_no_assignment(local_stack, trusthub, tenant):
    kept, gone_product = product(local_stack, tenant), product(local_stack, tenant, "voice_integrity")
    released, other = number(local_stack, tenant, area_code="503"), number(local_stack, tenant, area_code="720")
    for product_sid in (kept["sid"], gone_product["sid"]):
        for endpoint in (released, other):
            assert assign(local_stack, trusthub, tenant, product_sid, endpoint["sid"]).status_code == 201
    _, dropped = exchange(
        local_stack, "DELETE", tenant.url(f"IncomingPhoneNumbers/{released['sid']}.json"), base=API, auth=tenant.auth
    )
    assert dropped.status_code == 204
    path = f"/v1/TrustProducts/{kept['sid']}/ChannelEndpointAssignments"
    assert [a["channel_endpoint_sid"] for a in read(local_stack, trusthub, path, tenant.auth)["results"]] == [
        other["sid"]
    ]
    _, deleted = trust(local_stack, "DELETE", f"/v1/TrustProducts/{gone_product['sid']}", tenant.auth)
    assert deleted.status_code == 204
    _, listing = trust(
        local_stack, "GET", f"/v1/TrustProducts/{gone_product['sid']}/ChannelEndpointAssignments", tenant.auth
    )
    twilio_error(listing, 404, 20404)


# Auth-token rotation


def rotate(stack, account_sid, **body):
    rotated = requests.post(
        f"{stack.emulator}/_emulator/accounts/{account_sid}/rotate-auth-token", json=body, timeout=10
    )
    assert rotated.status_code == 200, rotated.text
    return rotated.json()


def rest_calls(stack, account_sid):
    """One REST request of each product the emulator serves, for the account."""
    workspace = stack.emulator + "/v1/Workspaces"
    return [
        f"{stack.emulator}/2010-04-01/Accounts/{account_sid}.json",
        f"{stack.emulator}/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers.json",
        workspace,
        f"{stack.emulator}/v1/Sinks",
        f"{stack.emulator}/v1/TrustProducts",
    ]


def answers(stack, account_sid, token):
    return {
        url: requests.get(url, auth=(account_sid, token), timeout=10).status_code
        for url in rest_calls(stack, account_sid)
    }


def test_after_a_rotation_only_the_new_token_authenticates(local_stack, api_2010, tenant):
    old = tenant.auth[1]
    rotated = rotate(local_stack, tenant.sid)
    assert rotated["accountSid"] == tenant.sid and rotated["previousAuthToken"] == old
    new = rotated["authToken"]
    assert re.fullmatch(r"[0-9a-f]{32}", new) and new != old
    assert set(answers(local_stack, tenant.sid, new).values()) == {200}
    for url, status in answers(local_stack, tenant.sid, old).items():
        assert status == 401, url
    twilio_error(requests.get(rest_calls(local_stack, tenant.sid)[0], auth=(tenant.sid, old), timeout=10), 401, 20003)
    request, account = exchange(
        local_stack, "GET", f"{API}/2010-04-01/Accounts/{tenant.sid}.json", base=API, auth=(tenant.sid, new)
    )
    valid(api_2010, request, account)
    assert account.json()["auth_token"] == new
    # The parent's credentials still reach its subaccount; the rotated parent's old ones do not.
    child = f"{local_stack.emulator}/2010-04-01/Accounts/{tenant.child_sid}.json"
    assert requests.get(child, auth=(tenant.sid, new), timeout=10).status_code == 200
    assert requests.get(child, auth=(tenant.sid, old), timeout=10).status_code == 401


def test_a_secondary_token_authenticates_until_promoted_and_then_alone(local_stack, tenant):
    primary = tenant.auth[1]
    made = requests.post(
        f"{local_stack.emulator}/_emulator/accounts/{tenant.sid}/secondary-auth-token", json={}, timeout=10
    ).json()
    secondary = made["secondaryAuthToken"]
    assert re.fullmatch(r"[0-9a-f]{32}", secondary) and secondary != primary
    assert set(answers(local_stack, tenant.sid, primary).values()) == {200}
    assert set(answers(local_stack, tenant.sid, secondary).values()) == {200}
    promoted = rotate(local_stack, tenant.sid)
    assert (promoted["authToken"], promoted["previousAuthToken"]) == (secondary, primary)
    assert set(answers(local_stack, tenant.sid, secondary).values()) == {200}
    assert set(answers(local_stack, tenant.sid, primary).values()) == {401}


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("AC" + "0" * 32 + "/rotate-auth-token", {}, 404),
        ("{sid}/rotate-auth-token", {"authToken": "not hex"}, 400),
        ("{sid}/rotate-auth-token", {"authToken": "{token}"}, 400),
        ("{sid}/secondary-auth-token", {"secondaryAuthToken": 7}, 400),
    ],
    ids=["unknown account", "not a token", "the same token", "a secondary that is not a token"],
)
def test_rotation_controls_refuse_what_twilio_would_not_do(local_stack, tenant, path, body, status):
    filled = {k: v.format(token=tenant.auth[1]) if isinstance(v, str) else v for k, v in body.items()}
    url = f"{local_stack.emulator}/_emulator/accounts/{path.format(sid=tenant.sid)}"
    twilio_error(requests.post(url, json=filled, timeout=10), status, 20404 if status == 404 else 20001)


@pytest.fixture
def callbacks() -> Iterator[CallbackServer]:
    server = CallbackServer()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join()


def signed_with(token, callback):
    return RequestValidator(token).validate(callback.url, callback.params, callback.signature)


def test_callbacks_are_signed_with_the_new_token_from_the_rotation_on(local_stack, tenant, events, callbacks):
    """Mid-stream: a call's task starts under the old token, the token rotates, the call ends under the new one."""
    old = tenant.auth[1]
    workspace = requests.get(f"{local_stack.emulator}/v1/Workspaces", auth=tenant.auth, timeout=10).json()
    workspace_url = f"{TASKROUTER}/v1/Workspaces/{workspace['workspaces'][0]['sid']}"
    _, updated = exchange(
        local_stack,
        "POST",
        workspace_url,
        base=TASKROUTER,
        auth=tenant.auth,
        data={"EventCallbackUrl": f"{callbacks.url}/taskrouter"},
    )
    assert updated.status_code == 200
    receiver = JsonReceiver()
    try:
        sink = create_sink(local_stack, events, tenant, receiver.url)
        subscribe(local_stack, events, tenant, sink["sid"])
        placed = place(local_stack, worker_of(local_stack, tenant))
        before = [callbacks.next() for _ in placed["events"]]
        new = rotate(local_stack, tenant.sid)["authToken"]
        ended = end(local_stack, placed["task"]["taskSid"])
        after = [callbacks.next() for _ in ended["events"]]
    finally:
        receiver.close()

    assert before and all(signed_with(old, c) and not signed_with(new, c) for c in before)
    assert after and all(signed_with(new, c) and not signed_with(old, c) for c in after)
    assert {c.params["EventType"] for c in after} >= {"task.wrapup"}
    ((path, body, headers),) = receiver.received
    url = receiver.url + "?" + urlsplit(path).query
    assert RequestValidator(new).validate(url, body, headers["X-Twilio-Signature"])
    assert not RequestValidator(old).validate(url, body, headers["X-Twilio-Signature"])
    assert json.loads(body)[0]["data"]["call_sid"] == placed["callSid"]


def test_a_verification_callback_after_a_rotation_is_signed_with_the_new_token(local_stack, tenant, callbacks):
    old = tenant.auth[1]
    started = requests.post(
        f"{local_stack.emulator}/2010-04-01/Accounts/{tenant.sid}/OutgoingCallerIds.json",
        data={"PhoneNumber": "+17255550177", "StatusCallback": f"{callbacks.url}/verification-status"},
        auth=tenant.auth,
        timeout=10,
    ).json()
    new = rotate(local_stack, tenant.sid)["authToken"]
    played = requests.post(
        f"{local_stack.emulator}/_emulator/verification-calls/{started['call_sid']}",
        json={"digits": started["validation_code"]},
        timeout=30,
    )
    assert played.json()["verificationStatus"] == "success"
    callback = callbacks.next()
    assert callback.params["VerificationStatus"] == "success"
    assert signed_with(new, callback) and not signed_with(old, callback)


# What callerid-admin connect / teardown rely on


def test_a_numbers_voice_url_and_status_callback_are_set_and_cleared_like_twilios(local_stack, api_2010, tenant):
    bought = number(local_stack, tenant, area_code="202")
    url = tenant.url(f"IncomingPhoneNumbers/{bought['sid']}.json")
    connect = {
        "VoiceUrl": "https://api.example.com/webhooks/twilio/voice",
        "VoiceMethod": "POST",
        "StatusCallback": "https://api.example.com/webhooks/twilio/call-status",
        "StatusCallbackMethod": "POST",
    }
    request, connected = exchange(local_stack, "POST", url, base=API, auth=tenant.auth, data=connect)
    valid(api_2010, request, connected)
    fields = ("voice_url", "voice_method", "status_callback", "status_callback_method")
    assert [connected.json()[f] for f in fields] == list(connect.values())
    request, cleared = exchange(
        local_stack, "POST", url, base=API, auth=tenant.auth, data={"VoiceUrl": "", "StatusCallback": ""}
    )
    valid(api_2010, request, cleared)
    assert [cleared.json()[f] for f in fields] == ["", "POST", "", "POST"]
    _, fetched = exchange(local_stack, "GET", url, base=API, auth=tenant.auth)
    assert fetched.json() == cleared.json()
    for form in ({"VoiceUrl": "not a url"}, {"StatusCallback": "ftp://example.com/status"}):
        request, refused = exchange(local_stack, "POST", url, base=API, auth=tenant.auth, data=form)
        api_2010.validate_request(request)
        twilio_error(refused, 400, 21502)
    _, unchanged = exchange(local_stack, "GET", url, base=API, auth=tenant.auth)
    assert unchanged.json() == cleared.json()
