"""Authentication of Flex users: ``Authorization: Bearer <token>``, or a ``Token`` field in a form or JSON body
(the Flex plugin convention). The token is validated with Twilio IAM; the caller is taken from that answer only."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler.request import Request

from callerid.domain.identity import Caller, Role
from callerid.twilio.tokens import FlexTokenValidator


def token_of(raw_headers: Mapping[str, str] | None, body: str | None) -> str | None:
    """The Flex token of a request: the Bearer header first, else a ``Token`` form or JSON field."""
    headers = {k.lower(): v for k, v in (raw_headers or {}).items()}
    scheme, _, value = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if not body:
        return None
    content_type = headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body, keep_blank_values=True).get("Token")
        return values[0] if values else None
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        return None
    token = parsed.get("Token") if isinstance(parsed, dict) else None
    return token if isinstance(token, str) else None


def authenticate(validator: FlexTokenValidator, headers: Mapping[str, str] | None, body: str | None) -> Caller:
    """The Flex user behind a request's token, as Twilio IAM answered (``Unauthenticated`` otherwise)."""
    return validator.validate(token_of(headers, body))


def caller_dependency(validator: Callable[[], FlexTokenValidator], role: Role) -> Callable[[Request], Caller]:
    """A Powertools ``Depends`` callable that authenticates the request and checks ``role``."""

    def caller_with_role(request: Request) -> Caller:
        caller = authenticate(validator(), request.headers, request.body)
        caller.require(role)
        return caller

    caller_with_role.__name__ = f"authenticate_{role.value}"
    return caller_with_role
