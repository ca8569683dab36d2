"""Tokens, roles and bad input through HTTP: every failure is the error envelope, never a 500."""

from __future__ import annotations

import json

import pytest
import requests

ROUTES = [
    ("GET", "/v1/phone-numbers"),
    ("GET", "/v1/workers/me/caller-id"),
    ("PUT", "/v1/workers/me/caller-id"),
    ("POST", "/v1/outbound-calls"),
    ("DELETE", "/v1/outbound-calls/lock"),
]


def assert_envelope(response, status, code):
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_missing_token_is_401(stack, method, path):
    assert_envelope(stack.call(method, path, json={}), 401, "unauthorized")


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_invalid_token_is_401(stack, method, path):
    assert_envelope(
        stack.call(method, path, headers={"Authorization": "Bearer forged.token.value"}, json={}), 401, "unauthorized"
    )


def test_an_expired_token_is_401(stack):
    expired = stack.agent(ttl=-60)
    assert_envelope(stack.call("GET", "/v1/phone-numbers", expired), 401, "unauthorized")


def test_a_token_in_the_json_body_is_accepted(stack):
    alice = stack.agent()
    answer = stack.call("POST", "/v1/outbound-calls", json={"to": "+14155552671", "Token": alice.token})
    assert answer.status_code == 200


def test_an_agent_may_not_manage_another_workers_selection(stack):
    alice, bob = stack.agent(), stack.agent()
    assert_envelope(stack.call("GET", f"/v1/workers/{bob.worker_sid}/caller-id", alice), 403, "forbidden")
    assert_envelope(
        stack.call("PUT", f"/v1/workers/{bob.worker_sid}/caller-id", alice, json={"callerId": None}), 403, "forbidden"
    )


def test_a_supervisor_manages_another_workers_selection(stack):
    sam, bob = stack.agent(("supervisor",)), stack.agent()
    put = stack.call(
        "PUT", f"/v1/workers/{bob.worker_sid}/caller-id", sam, json={"callerId": "+13125550100", "localPresence": True}
    )
    assert put.json() == {
        "workerSid": bob.worker_sid,
        "callerId": "+13125550100",
        "localPresence": True,
        "version": 1,
    }
    assert stack.call("GET", "/v1/workers/me/caller-id", bob).json()["callerId"] == "+13125550100"
    attributes = json.loads(
        requests.get(f"{stack.emulator}/_emulator/workers/{bob.worker_sid}", timeout=10).json()["attributes"]
    )
    assert attributes["selectedCallerId"] == "+13125550100" and attributes["localPresence"] is True
    assert attributes["contact_uri"].startswith("client:")


def test_another_accounts_token_sees_nothing_of_this_workspace(stack):
    carol = stack.agent(account_sid=stack.child["sid"])
    sam = stack.agent(("supervisor",))
    assert_envelope(
        stack.call("PUT", "/v1/workers/me/caller-id", carol, json={"callerId": "+14155550100"}), 404, "not_found"
    )
    # The parent's supervisor cannot reach into the subaccount's workers either: they are another workspace.
    put = stack.call("PUT", f"/v1/workers/{carol.worker_sid}/caller-id", sam, json={"callerId": None})
    assert put.status_code == 404


def test_a_number_the_workspace_does_not_have_cannot_be_selected(stack):
    alice = stack.agent()
    assert_envelope(
        stack.call("PUT", "/v1/workers/me/caller-id", alice, json={"callerId": "+19995550100"}),
        400,
        "invalid_phone_number",
    )
    assert_envelope(
        stack.call("PUT", "/v1/workers/me/caller-id", alice, json={"callerId": "+17185550100"}), 404, "not_found"
    )


BAD_BODIES = [
    ("{not json", "invalid_json"),
    ("[]", "invalid_request"),
    ('"text"', "invalid_request"),
    ("{}", "invalid_request"),
    ('{"to": 14155552671}', "invalid_request"),
    ('{"to": null}', "invalid_request"),
    ('{"to": ["+14155552671"]}', "invalid_request"),
    ('{"to": "+14155552671", "fromm": "+12125550100"}', "invalid_request"),
    ('{"to": "+14155552671", "from": 12}', "invalid_request"),
    ('{"to": "' + "9" * 100 + '"}', "invalid_request"),
    ('{"to": "call me maybe"}', "invalid_phone_number"),
    ('{"to": "+1 (415) 555"}', "invalid_phone_number"),
    ('{"to": "+14155552671", "from": "not a number"}', "invalid_phone_number"),
]


@pytest.mark.parametrize(("body", "code"), BAD_BODIES)
def test_bad_call_bodies_are_400_with_the_envelope(stack, body, code):
    alice = stack.agent()
    response = stack.call("POST", "/v1/outbound-calls", alice, data=body, headers={"Content-Type": "application/json"})
    assert_envelope(response, 400, code)


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        '{"callerId": 5}',
        '{"callerId": "+12125550100", "localPresence": "maybe"}',
        '{"callerId": null, "extra": 1}',
        "nope",
    ],
)
def test_bad_selection_bodies_are_400(stack, body):
    alice = stack.agent()
    response = stack.call(
        "PUT", "/v1/workers/me/caller-id", alice, data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and "error" in response.json()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "x"},
        {"perPage": "1001"},
        {"perPage": "-1"},
        {"source": "carrier-pigeon"},
        {"status": "maybe"},
        {"includeOutgoingOnly": "sometimes"},
    ],
)
def test_bad_list_queries_are_400(stack, params):
    assert_envelope(stack.call("GET", "/v1/phone-numbers", stack.agent(), params=params), 400, "invalid_request")


def test_a_malformed_worker_sid_is_400(stack):
    sam = stack.agent(("supervisor",))
    assert_envelope(stack.call("GET", "/v1/workers/not-a-worker/caller-id", sam), 400, "invalid_request")


def test_webhooks_reject_signed_nonsense_without_a_500(stack):
    params = {"AccountSid": stack.parent["sid"], "CallStatus": "completed"}
    assert_envelope(stack.webhook("/webhooks/twilio/call-status", params), 400, "invalid_request")
    params = {"AccountSid": stack.parent["sid"], "CallSid": "CA1", "VerificationStatus": "maybe"}
    assert_envelope(stack.webhook("/webhooks/twilio/verification-status", params), 400, "invalid_request")


def test_unknown_routes_are_404_with_the_envelope(stack):
    assert_envelope(stack.call("GET", "/v1/nothing-here"), 404, "not_found")


def test_random_garbage_never_causes_a_500(stack):
    import random

    alice = stack.agent()
    rng = random.Random(1234)
    alphabet = '{}[]":,0123456789abc+-. \\nulltrue'
    for _ in range(150):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for method, path in (("POST", "/v1/outbound-calls"), ("PUT", "/v1/workers/me/caller-id")):
            response = stack.call(method, path, alice, data=body, headers={"Content-Type": "application/json"})
            assert response.status_code < 500, (body, response.text)


def test_cors_preflight_and_responses_allow_the_flex_origin(stack):
    flex = "https://flex.twilio.com"
    # Every path answers its own methods (one function answers every OPTIONS; it used to say GET for all).
    paths = {
        "/v1/phone-numbers": {"GET", "POST", "OPTIONS"},
        "/v1/workers/me/caller-id": {"GET", "PUT", "OPTIONS"},
        "/v1/workers/WK0123456789abcdef0123456789abcdef/caller-id": {"GET", "PUT", "OPTIONS"},
        "/v1/outbound-calls": {"POST", "OPTIONS"},
        "/v1/outbound-calls/lock": {"DELETE", "OPTIONS"},
    }
    for path, methods in paths.items():
        for method in methods - {"OPTIONS"}:
            preflight = stack.call(
                "OPTIONS",
                path,
                headers={
                    "Origin": flex,
                    "Access-Control-Request-Method": method,
                    "Access-Control-Request-Headers": "authorization,content-type,x-twilio-account-sid",
                },
            )
            assert preflight.status_code == 204, (path, preflight.text)
            assert preflight.headers["Access-Control-Allow-Origin"] == flex
            assert set(preflight.headers["Access-Control-Allow-Methods"].split(",")) == methods, path
            allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
            assert {"authorization", "content-type", "x-twilio-account-sid"} <= allowed
            assert preflight.headers["Access-Control-Max-Age"] == "600"
    refused = stack.call(
        "OPTIONS",
        "/v1/outbound-calls",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert "Access-Control-Allow-Methods" not in refused.headers
    unknown = stack.call(
        "OPTIONS", "/v1/nothing-here", headers={"Origin": flex, "Access-Control-Request-Method": "GET"}
    )
    assert_envelope(unknown, 404, "not_found")
    assert "Access-Control-Allow-Origin" not in unknown.headers
    listed = stack.call("GET", "/v1/phone-numbers", stack.agent(), headers={"Origin": flex})
    assert listed.headers["Access-Control-Allow-Origin"] == flex
    other = stack.call("GET", "/v1/phone-numbers", stack.agent(), headers={"Origin": "https://evil.example"})
    assert other.headers.get("Access-Control-Allow-Origin") != "https://evil.example"


JSON = {"Content-Type": "application/json"}
UNSUPPORTED = [
    ("text/plain", '{"to": "+14155552671"}'),
    ("application/xml", "<to>+14155552671</to>"),
    ("multipart/form-data", "--x\r\n\r\n"),
    ("application/x-www-form-urlencoded", "to=%2B14155552671"),
]


@pytest.mark.parametrize(("content_type", "body"), UNSUPPORTED)
def test_a_body_in_a_media_type_the_route_does_not_take_is_415(stack, content_type, body):
    alice = stack.agent()
    answer = stack.call("POST", "/v1/outbound-calls", alice, data=body, headers={"Content-Type": content_type})
    assert_envelope(answer, 415, "unsupported_media_type")


@pytest.mark.parametrize(("content_type", "body"), UNSUPPORTED[:3])
def test_an_anonymous_request_in_any_media_type_is_401(stack, content_type, body):
    answer = stack.call("POST", "/v1/outbound-calls", data=body, headers={"Content-Type": content_type})
    assert_envelope(answer, 401, "unauthorized")


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "multipart/form-data"])
def test_webhooks_take_form_posts_only(stack, content_type):
    answer = stack.call(
        "POST", "/webhooks/twilio/call-status", data='{"AccountSid": "AC1"}', headers={"Content-Type": content_type}
    )
    assert_envelope(answer, 415, "unsupported_media_type")


def test_json_nested_beyond_sane_limits_is_400(stack):
    alice = stack.agent()
    for depth in (20, 1000, 100_000):
        body = '{"to": "+14155552671", "x": ' + "[" * depth + "]" * depth + "}"
        answer = stack.call(
            "POST", "/v1/outbound-calls", alice, data=body, headers={"Content-Type": "application/json"}
        )
        assert_envelope(answer, 400, "invalid_request")


def test_a_body_beyond_sane_size_is_400(stack):
    alice = stack.agent()
    body = json.dumps({"to": "+14155552671", "from": "1" * 70_000})
    answer = stack.call("POST", "/v1/outbound-calls", alice, data=body, headers={"Content-Type": "application/json"})
    assert_envelope(answer, 400, "invalid_request")


@pytest.mark.parametrize("body", ['[{"to": "+14155552671"}]', '[{"callerId": null}]', "17", "null", "true"])
def test_a_json_value_that_is_not_an_object_is_400(stack, body):
    alice = stack.agent()
    for method, path in (("POST", "/v1/outbound-calls"), ("PUT", "/v1/workers/me/caller-id")):
        answer = stack.call(method, path, alice, data=body, headers={"Content-Type": "application/json"})
        assert_envelope(answer, 400, "invalid_request")


@pytest.mark.parametrize("value", ['"yes"', "1", '"on"', '"true"', "0", '"false"'])
def test_booleans_are_json_true_or_false_only(stack, value):
    alice = stack.agent()
    body = '{"callerId": null, "localPresence": ' + value + "}"
    answer = stack.call(
        "PUT", "/v1/workers/me/caller-id", alice, data=body, headers={"Content-Type": "application/json"}
    )
    assert_envelope(answer, 400, "invalid_request")


@pytest.mark.parametrize("value", ["yes", "1", "on", "TRUE", "0"])
def test_query_and_form_booleans_are_true_or_false_only(stack, value):
    alice = stack.agent()
    listed = stack.call("GET", "/v1/phone-numbers", alice, params={"includeOutgoingOnly": value})
    assert_envelope(listed, 400, "invalid_request")
    compat = stack.call(
        "POST", "/common/flex/phone-numbers/list-phone-numbers", data={"Token": alice.token, "IncludeOutgoing": value}
    )
    assert compat.status_code == 400 and compat.json()["success"] is False


def test_form_and_query_booleans_take_true_and_false(stack):
    alice = stack.agent()
    without = stack.call("GET", "/v1/phone-numbers", alice, params={"includeOutgoingOnly": "false", "perPage": 1000})
    assert "+15035550100" not in {n["phoneNumber"] for n in without.json()["phoneNumbers"]}
    with_ = stack.call("GET", "/v1/phone-numbers", alice, params={"includeOutgoingOnly": "true", "perPage": 1000})
    assert "+15035550100" in {n["phoneNumber"] for n in with_.json()["phoneNumbers"]}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/v1/outbound-calls", "OPTIONS,POST"),
        ("GET", "/webhooks/twilio/call-status", "OPTIONS,POST"),
        ("PATCH", "/v1/workers/me/caller-id", "GET,OPTIONS,PUT"),
        ("POST", "/v1/outbound-calls/lock", "DELETE,OPTIONS"),
    ],
)
def test_a_method_a_path_does_not_take_is_405_with_allow(stack, method, path, allowed):
    answer = stack.call(method, path, stack.agent())
    assert_envelope(answer, 405, "method_not_allowed")
    assert answer.headers["Allow"] == allowed


def test_swagger_ui_is_served_at_docs_from_this_api_only(stack):
    page = stack.call("GET", "/docs")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "//" not in page.text.replace("<!doctype html>", ""), "the page must load nothing from elsewhere"
    for asset, kind in (("docs/swagger-ui.css", "text/css"), ("docs/swagger-ui-bundle.js", "text/javascript")):
        assert f'"{asset}"' in page.text
        served = stack.call("GET", f"/{asset}")
        assert served.status_code == 200 and served.headers["Content-Type"].startswith(kind)
    assert stack.call("GET", "/docs/../template.yaml").status_code == 404
    assert stack.call("GET", "/docs/LICENSE").status_code == 404
