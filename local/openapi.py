"""Generate the API's OpenAPI document from the functions' routes and pydantic models (``make openapi``).

Each function's resolver knows its own routes; the document merges them and is stored in the layer
(``callerid/openapi.json``) for the api-docs function to serve. ``tests/contract`` fails when it is stale.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import SecurityScheme
from pydantic import TypeAdapter

from callerid.http.answers import SECURITY_SCHEMES
from callerid.http.operations import describe
from local.functions import load_function
from local.template import ROOT, routes

DOCUMENT = ROOT / "layers" / "shared" / "callerid" / "openapi.json"
TITLE = "Caller-ID backend for Twilio Flex"
VERSION = "1.0.0"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ENVIRONMENT = {
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


def generate() -> dict[str, Any]:
    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    # Powertools' merge, fed each function's own document: its discovery finds only resolvers built by a literal
    # ``APIGatewayRestResolver(...)`` call, and ours come from ``make_resolver``. A route in two functions is an
    # error, never one silently hiding the other.
    schemes = TypeAdapter(dict[str, SecurityScheme]).validate_python(SECURITY_SCHEMES)
    merge = OpenAPIMerge(title=TITLE, version=VERSION, security_schemes=schemes, on_conflict="error")
    for code_uri in sorted({r.code_uri for r in routes()}):
        app = load_function(code_uri).app
        own = app.get_openapi_json_schema(title=TITLE, version=VERSION, security_schemes=SECURITY_SCHEMES)
        merge.add_schema(json.loads(own))
    document: dict[str, Any] = json.loads(merge.get_openapi_json_schema())
    # A path's operations in the order of OpenAPI's Path Item, whichever functions answer them.
    document["paths"] = {
        path: dict(sorted(ops.items(), key=method_order)) for path, ops in sorted(document["paths"].items())
    }
    document["components"]["schemas"] = dict(sorted(document["components"]["schemas"].items()))
    drop_answers_never_given(document)
    describe(document)
    return document


def method_order(operation: tuple[str, Any]) -> int:
    return METHODS.index(operation[0]) if operation[0] in METHODS else len(METHODS)


def drop_answers_never_given(document: dict[str, Any]) -> None:
    """Powertools documents a 422 ``HTTPValidationError`` for every validated route; this API answers bad input
    400 with its envelope instead (422 only where a route declares its own). A 204 has no body."""
    for operations in document["paths"].values():
        for operation in operations.values():
            answers = operation["responses"]
            if "HTTPValidationError" in json.dumps(answers.get("422", {})):
                del answers["422"]
            if "204" in answers:
                answers["204"].pop("content", None)
    schemas = document["components"]["schemas"]
    if "ValidationError" not in json.dumps(document["paths"]):
        for name in ("HTTPValidationError", "ResponseValidationError", "ValidationError"):
            schemas.pop(name, None)


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=False) + "\n"


def main() -> None:
    text = render(generate())
    if "--check" in sys.argv:
        if DOCUMENT.read_text() != text:
            sys.exit(f"{DOCUMENT} is stale: run `make openapi`")
        return
    DOCUMENT.write_text(text)
    print(f"wrote {DOCUMENT}")


if __name__ == "__main__":
    main()
