"""What the request models take (``http.models``), through a resolver as the functions build it: JSON numbers are
numbers, phone numbers arrive as E.164, and a refusal names the field."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from pydantic import BaseModel, TypeAdapter, ValidationError

from callerid.config import Settings
from callerid.http.models import adding, caller_ids, calls, configuration, workers
from callerid.http.models.caller_ids import VerificationIn
from callerid.http.models.calls import OutboundCallIn
from callerid.http.models.configuration import NumberPatchIn
from callerid.http.models.workers import CallerIdSelectionIn
from callerid.http.resolver import make_resolver

app = make_resolver(Settings(), Logger(service="test"))


@app.post("/verifications")
def verification(body: VerificationIn) -> dict[str, Any]:
    return {"phoneNumber": body.phone_number, "callDelay": body.call_delay}


@app.post("/calls")
def call(body: OutboundCallIn) -> dict[str, Any]:
    return {"to": body.to, "from": body.from_}


def post(path: str, body: str) -> tuple[int, dict[str, Any]]:
    event = {
        "resource": path,
        "path": path,
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "requestContext": {"resourcePath": path, "httpMethod": "POST", "stage": "test"},
        "body": body,
        "isBase64Encoded": False,
    }
    answer = app.resolve(event, None)
    return answer["statusCode"], json.loads(answer["body"])


PHONE = '"phoneNumber": "+14155552671"'


@pytest.mark.parametrize("delay", ['"5"', '"0"', "true", "false", "5.5", "null", "[5]", '{"s": 5}'])
def test_a_json_number_field_refuses_anything_but_a_json_number(delay):
    """A numeric string once started a verification call that waited 5 seconds."""
    status, body = post("/verifications", "{" + PHONE + ', "callDelay": ' + delay + "}")
    assert status == 400
    assert body["error"]["code"] == "invalid_request"
    assert body["error"]["message"].startswith("callDelay: ")


@pytest.mark.parametrize(("delay", "taken"), [("5", 5), ("5.0", 5), ("0", 0), ("60", 60)])
def test_a_json_number_field_takes_json_numbers_without_a_fraction(delay, taken):
    status, body = post("/verifications", "{" + PHONE + ', "callDelay": ' + delay + "}")
    assert (status, body["callDelay"]) == (200, taken)


def test_a_json_numbers_bounds_still_hold():
    status, body = post("/verifications", "{" + PHONE + ', "callDelay": 61}')
    assert status == 400 and body["error"]["message"].startswith("callDelay: ")


@pytest.mark.parametrize("raw", ["(415) 555-2671", "415.555.2671", "+1 415 555 2671", "tel:+14155552671"])
def test_a_phone_number_reaches_the_handler_as_e164(raw):
    status, body = post("/calls", json.dumps({"to": raw, "from": raw}))
    assert (status, body) == (200, {"to": "+14155552671", "from": "+14155552671"})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "call me maybe"}, "to"),
        ({"to": "+1 (415) 555"}, "to"),
        ({"to": "+14155552671", "from": "not a number"}, "from"),
        ({"to": "+19995550100"}, "to"),
    ],
)
def test_a_number_phonenumbers_cannot_parse_is_invalid_phone_number_naming_the_field(body, field):
    status, answer = post("/calls", json.dumps(body))
    assert (status, answer["error"]["code"]) == (400, "invalid_phone_number")
    assert answer["error"]["message"].startswith(f"{field}: ")


def test_a_bad_number_beside_other_bad_input_is_invalid_request_naming_both():
    status, answer = post("/calls", json.dumps({"to": "nonsense", "queueSid": "WQ1"}))
    assert (status, answer["error"]["code"]) == (400, "invalid_request")
    assert "to: " in answer["error"]["message"] and "queueSid: " in answer["error"]["message"]


def test_a_phone_field_takes_no_json_number():
    status, answer = post("/calls", '{"to": 14155552671}')
    assert (status, answer["error"]["code"]) == (400, "invalid_request")


# ----- every JSON body of the contract --------------------------------------------------------------------------


def json_body_models() -> list[type[BaseModel]]:
    """The request model of every route that takes a JSON body, read from the generated OpenAPI document."""
    document = json.loads(files("callerid").joinpath("openapi.json").read_text())
    found: dict[str, type[BaseModel]] = {}
    for operations in document["paths"].values():
        for operation in operations.values():
            schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            for ref in refs(schema or {}):
                found[ref] = model_named(ref)
    return [found[name] for name in sorted(found)]


def model_named(name: str) -> type[BaseModel]:
    """The request model ``name``, from whichever area's module defines it."""
    (model,) = {getattr(module, name) for module in REQUEST_MODULES if hasattr(module, name)}
    return model


REQUEST_MODULES = (adding, caller_ids, calls, configuration, workers)


def refs(schema: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        return [schema["$ref"].rsplit("/", 1)[-1]]
    return [name for option in schema.get("anyOf", []) + schema.get("oneOf", []) for name in refs(option)]


def typed_fields(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """(location, JSON type) of every number and boolean field of ``model``, nested models included."""
    schema = model.model_json_schema(by_alias=True)
    found = []
    for name, prop in schema["properties"].items():
        kinds = {option.get("type") for option in [prop, *prop.get("anyOf", [])]}
        found += [((*prefix, name), kind) for kind in kinds & {"integer", "number", "boolean"}]
        field = next(f for n, f in model.model_fields.items() if (f.alias or n) == name or n == name)
        nested = [a for a in getattr(field.annotation, "__args__", (field.annotation,)) if is_model(a)]
        for inner in nested:
            found += typed_fields(inner, (*prefix, name))
    return found


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def test_the_guard_below_sees_the_number_and_boolean_fields():
    fields = {(model.__name__, loc, kind) for model in json_body_models() for loc, kind in typed_fields(model)}
    assert ("VerificationIn", ("callDelay",), "integer") in fields
    assert ("CallerIdSelectionIn", ("localPresence",), "boolean") in fields
    assert ("NumberPatchIn", ("outboundShareable",), "boolean") in fields
    assert {CallerIdSelectionIn, NumberPatchIn, OutboundCallIn, VerificationIn} <= set(json_body_models())


STRINGS_AND_OTHERS = {"integer": ['"5"', "true"], "number": ['"5"', "true"], "boolean": ['"true"', "1", "0"]}


@pytest.mark.parametrize("model", json_body_models(), ids=lambda m: m.__name__)
def test_every_number_and_boolean_of_every_json_body_takes_its_json_type_only(model):
    """PRODUCT.md: a JSON number field takes a JSON number, never a numeric string; booleans are true/false."""
    for loc, kind in typed_fields(model):
        for text in STRINGS_AND_OTHERS[kind]:
            value: Any = json.loads(text)
            for key in reversed(loc):
                value = {key: value}
            with pytest.raises(ValidationError) as refused:
                # As Powertools validates a body: Python mode, from the parsed JSON.
                TypeAdapter(model).validate_python(value, from_attributes=True)
            assert loc in {tuple(e["loc"]) for e in refused.value.errors()}, (loc, text)


def test_a_number_to_buy_that_does_not_parse_is_judged_as_a_number_not_as_an_area_code():
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(adding.ProvisionIn).validate_python({"phoneNumber": "555"})
    assert [e["type"] for e in refused.value.errors()] == ["invalid_phone_number"]
    by_area = TypeAdapter(adding.ProvisionIn).validate_python({"areaCode": "617"})
    assert isinstance(by_area, adding.ProvisionByAreaCode)


def test_the_country_codes_taken_are_exactly_phonenumbers_regions():
    """The enum is built from the generated ``geo_tables.REGIONS`` (no phonenumbers metadata at cold start)."""
    import phonenumbers

    from callerid.http.models.countries import CountryCode

    assert [str(code) for code in CountryCode] == sorted(phonenumbers.SUPPORTED_REGIONS)
