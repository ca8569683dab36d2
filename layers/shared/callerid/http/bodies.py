"""Strict request bodies, checked before Powertools' own validation reads them.

The order is the contract's: a missing or bad Flex token is 401 before anything is said about the body; then a
body in a media type the route does not take is 415; then a body beyond sane limits (size, nesting) or a JSON
value that is not an object is 400. Routes under ``/webhooks/`` and ``/common/`` take form posts (Twilio's and
the Flex project template's), but for Event Streams' sink, which takes a JSON array of CloudEvents; every other
route takes JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from callerid.domain.errors import InvalidJson, InvalidRequest, UnsupportedMediaType
from callerid.domain.identity import Caller
from callerid.http.auth import CALLER_CONTEXT_KEY

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
FORM_ROUTES = ("/webhooks/", "/common/")
# Routes whose JSON body is an array (the sink's route reads its events itself: ``domain.streams``).
JSON_ARRAY_ROUTES = ("/webhooks/twilio/event-streams",)
MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 16


def media_type_of(route_path: str) -> str:
    if route_path in JSON_ARRAY_ROUTES:
        return JSON
    return FORM if route_path.startswith(FORM_ROUTES) else JSON


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        node, depth = pending.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in children)
    return deepest


def check_body(path: str, headers: dict[str, str] | None, body: str | None) -> None:
    """Refuse what no route of this API takes (``UnsupportedMediaType``, ``InvalidRequest``)."""
    if not body:
        return
    expected = media_type_of(path)
    given = {k.lower(): v for k, v in (headers or {}).items()}.get("content-type", "")
    media = given.split(";", 1)[0].strip().lower()
    if media != expected and not (media == "" and expected == JSON):
        raise UnsupportedMediaType(f"This route takes {expected} bodies, not {media or 'untyped ones'}.")
    if len(body.encode()) > MAX_BODY_BYTES:
        raise InvalidRequest(f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.")
    if expected == JSON:
        try:
            parsed = json.loads(body)
        except RecursionError as exc:
            raise InvalidRequest(f"The request body nests deeper than {MAX_JSON_DEPTH} levels.") from exc
        except ValueError as exc:
            raise InvalidJson("The request body is not valid JSON.") from exc
        if path in JSON_ARRAY_ROUTES:
            if not isinstance(parsed, list):
                raise InvalidRequest("The request body must be a JSON array.")
        elif not isinstance(parsed, dict):
            raise InvalidRequest("The request body must be a JSON object.")
        if json_depth(parsed) > MAX_JSON_DEPTH:
            raise InvalidRequest(f"The request body nests deeper than {MAX_JSON_DEPTH} levels.")


class StrictRequestValidation(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, preceded by authentication (Flex routes) and ``check_body``."""

    def __init__(self, authenticate: Callable[[BaseProxyEvent], Caller] | None = None) -> None:
        super().__init__()
        self.authenticate = authenticate

    def handler(self, app: Any, next_middleware: NextMiddleware) -> Any:
        event = app.current_event
        if self.authenticate is not None:
            # Kept for the route's caller dependency, so the request is authenticated once.
            app.append_context(**{CALLER_CONTEXT_KEY: self.authenticate(event)})
        check_body(event.path or "", event.headers, event.decoded_body)
        return super().handler(app, next_middleware)
