"""CORS preflight answers: each path's own methods, the request headers the Flex plugin sends, only for the
configured origins."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import pytest

from callerid.config import FLEX_ORIGIN
from callerid.http.preflight import CorsPreflight
from local.template import routes

DOCUMENT = json.loads(files("callerid").joinpath("openapi.json").read_text())
SHIPPED = CorsPreflight.from_openapi(DOCUMENT, (FLEX_ORIGIN,))


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/v1/workers/me/caller-id", {"GET", "PUT", "OPTIONS"}),
        ("/v1/workers/WK0123456789abcdef0123456789abcdef/caller-id", {"GET", "PUT", "OPTIONS"}),
        ("/v1/outbound-calls/lock", {"DELETE", "OPTIONS"}),
        ("/v1/outbound-calls", {"POST", "OPTIONS"}),
        ("/v1/phone-numbers", {"GET", "POST", "OPTIONS"}),
        ("/common/flex/phone-numbers/list-phone-numbers", {"POST", "OPTIONS"}),
    ],
)
def test_a_preflight_answers_the_methods_of_its_own_path(path, methods):
    answer = SHIPPED.answer(path, FLEX_ORIGIN)

    assert answer is not None
    assert answer.status == 204
    assert set(answer.headers["Access-Control-Allow-Methods"].split(",")) == methods
    assert set(answer.headers["Allow"].split(",")) == methods


def test_the_grant_covers_the_flex_plugins_request_headers_for_ten_minutes():
    answer = SHIPPED.answer("/v1/outbound-calls", FLEX_ORIGIN)

    assert answer is not None
    assert answer.headers["Access-Control-Allow-Origin"] == FLEX_ORIGIN
    allowed = {h.lower() for h in answer.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "x-twilio-account-sid"} <= allowed
    assert answer.headers["Access-Control-Max-Age"] == "600"
    assert answer.headers["Vary"] == "Origin"


@pytest.mark.parametrize("origin", ["https://evil.example", "https://flex.twilio.com.evil.example", "null", "", None])
def test_an_unlisted_origin_gets_no_grant(origin):
    answer = SHIPPED.answer("/v1/workers/me/caller-id", origin)

    assert answer is not None
    assert not any(name.startswith("Access-Control-") for name in answer.headers)


def test_every_configured_origin_is_granted_and_only_itself():
    preflight = CorsPreflight.from_openapi(DOCUMENT, (FLEX_ORIGIN, "https://admin.example.com"))

    for origin in (FLEX_ORIGIN, "https://admin.example.com"):
        answer = preflight.answer("/v1/phone-numbers", origin)
        assert answer is not None
        assert answer.headers["Access-Control-Allow-Origin"] == origin


def test_a_wildcard_origin_grants_any_origin_as_the_resolver_does():
    answer = CorsPreflight.from_openapi(DOCUMENT, ("*",)).answer("/v1/phone-numbers", "https://anywhere.example")

    assert answer is not None
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "path",
    ["/v1/nothing-here", "/v1/workers//caller-id", "/v1/workers/me/caller-id/extra", "/v1", "/", "/openapiXjson"],
)
def test_an_unknown_path_has_no_preflight_answer(path):
    assert SHIPPED.answer(path, FLEX_ORIGIN) is None


def test_a_literal_segment_outranks_a_path_parameter():
    preflight = CorsPreflight(
        {
            "/v1/phone-numbers/{sid}": ["get", "patch", "delete", "parameters"],
            "/v1/phone-numbers/available": ["get"],
            "/v1/phone-numbers/{sid}/primary": ["put"],
        },
        (FLEX_ORIGIN,),
    )

    assert preflight.methods_for("/v1/phone-numbers/available") == ("GET", "OPTIONS")
    assert preflight.methods_for("/v1/phone-numbers/PN123") == ("DELETE", "GET", "OPTIONS", "PATCH")
    assert preflight.methods_for("/v1/phone-numbers/PN123/primary") == ("OPTIONS", "PUT")
    assert preflight.methods_for("/v1/phone-numbers/available/primary") == ("OPTIONS", "PUT")


def test_the_shipped_document_lists_every_route_api_gateway_serves():
    """The preflight's route table is the OpenAPI document; a route in template.yaml missing from it would get
    a wrong preflight in production. Left out: the document, Swagger UI and the admin console (simple GETs: no
    preflight), and the ANY routes that answer every other method."""
    static = ("/openapi.json", "/docs", "/console")
    served = {
        (r.method, r.path) for r in routes() if r.method not in ("OPTIONS", "ANY") and not r.path.startswith(static)
    }

    for method, path in served:
        concrete = re.sub(r"\{\w+\}", "XX0123456789abcdef0123456789abcdef", path)
        methods = SHIPPED.methods_for(concrete)
        assert methods is not None and method in methods, (method, path)


def test_every_path_of_the_api_has_an_any_route_for_its_other_methods():
    """API Gateway never falls back to /{proxy+} for a path it has: without an ANY route, another method (or a
    preflight) of that path would get API Gateway's own 403. The console's files, like /docs, are plain GETs of
    the page's own origin: any other method is API Gateway's 404."""
    table = routes()
    paths = {r.path for r in table if r.function not in ("ApiDocsFunction", "ConsoleFunction")}
    covered = {r.path for r in table if r.function == "ApiDocsFunction" and r.method == "ANY"}
    assert paths <= covered, sorted(paths - covered)
    assert "/{proxy+}" in covered


def test_a_method_a_path_does_not_take_is_405_with_allow():
    answer = SHIPPED.not_allowed("/v1/outbound-calls/lock")
    assert answer.status_code == 405 and answer.headers["Allow"] == "DELETE,OPTIONS"
