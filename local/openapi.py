"""Generate the API's OpenAPI document from the functions' routes and pydantic models (``make openapi``).

Each function's resolver knows its own routes; the document merges them and is stored in the layer
(``callerid/openapi.json``) for the api-docs function to serve. ``tests/contract`` fails when it is stale.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from callerid.http.answers import SECURITY_SCHEMES
from local.functions import load_function
from local.template import ROOT, routes

DOCUMENT = ROOT / "layers" / "shared" / "callerid" / "openapi.json"
TITLE = "Caller-ID backend for Twilio Flex"
VERSION = "1.0.0"
ENVIRONMENT = {
    "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


def generate() -> dict[str, Any]:
    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    document: dict[str, Any] = {}
    for code_uri in sorted({r.code_uri for r in routes()}):
        module = load_function(code_uri)
        schema = json.loads(
            module.app.get_openapi_json_schema(title=TITLE, version=VERSION, security_schemes=SECURITY_SCHEMES)
        )
        if not document:
            document = schema
            document.setdefault("components", {}).setdefault("schemas", {})
            continue
        for path, operations in schema.get("paths", {}).items():
            document["paths"].setdefault(path, {}).update(operations)
        document["components"]["schemas"].update(schema.get("components", {}).get("schemas", {}))
    document["paths"] = dict(sorted(document["paths"].items()))
    document["components"]["schemas"] = dict(sorted(document["components"]["schemas"].items()))
    document["components"]["securitySchemes"] = SECURITY_SCHEMES
    document.pop("security", None)  # each operation says its own
    drop_answers_never_given(document)
    return document


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
