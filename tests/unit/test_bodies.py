"""What bodies the API takes before any model sees them (``http.bodies``)."""

from __future__ import annotations

import pytest

from callerid.domain.errors import InvalidJson, InvalidRequest, UnsupportedMediaType
from callerid.http.bodies import MAX_JSON_DEPTH, check_body, json_depth

JSON = {"Content-Type": "application/json; charset=utf-8"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


def test_json_routes_take_json_objects():
    check_body("/v1/outbound-calls", JSON, '{"to": "+14155552671"}')
    check_body("/v1/outbound-calls", {}, '{"to": "+14155552671"}')  # untyped JSON, as curl --json-less sends
    check_body("/v1/outbound-calls/lock", {}, None)


def test_form_routes_take_form_posts():
    check_body("/webhooks/twilio/call-status", FORM, "CallSid=CA1")
    check_body("/common/flex/phone-numbers/list-phone-numbers", FORM, "Token=t")
    with pytest.raises(UnsupportedMediaType):
        check_body("/webhooks/twilio/call-status", {}, "CallSid=CA1")


@pytest.mark.parametrize("media", ["text/plain", "application/xml", "multipart/form-data", FORM["content-type"]])
def test_other_media_types_are_refused_on_json_routes(media):
    with pytest.raises(UnsupportedMediaType):
        check_body("/v1/outbound-calls", {"Content-Type": media}, "x=1")


@pytest.mark.parametrize("body", ["[]", "[{}]", "1", "null", '"text"'])
def test_only_objects(body):
    with pytest.raises(InvalidRequest):
        check_body("/v1/outbound-calls", JSON, body)


def test_malformed_json_is_invalid_json():
    with pytest.raises(InvalidJson):
        check_body("/v1/outbound-calls", JSON, "{nope")


def test_nesting_and_size_have_limits():
    nested = '{"a": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}"
    with pytest.raises(InvalidRequest):
        check_body("/v1/outbound-calls", JSON, nested)
    with pytest.raises(InvalidRequest):
        check_body("/v1/outbound-calls", JSON, '{"a": ' + "[" * 50_000 + "]" * 50_000 + "}")
    with pytest.raises(InvalidRequest):
        check_body("/v1/outbound-calls", JSON, '{"a": "' + "x" * 70_000 + '"}')


def test_json_depth():
    assert json_depth(1) == 0
    assert json_depth({}) == 1
    assert json_depth({"a": [1, {"b": []}]}) == 4
