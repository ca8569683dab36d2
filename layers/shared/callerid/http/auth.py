"""Authentication of Flex users: ``Authorization: Bearer <token>``, or a ``Token`` field in a form or JSON body
(the Flex plugin convention). The token is opaque (Flex user tokens are JWE): it is validated with Twilio IAM
against the account the request names (``X-Twilio-Account-Sid``, or an ``AccountSid`` field beside ``Token``),
else the configured account, and the caller is taken from that answer only."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler.request import Request

from callerid.domain.identity import Caller, Role
from callerid.twilio.tokens import FlexTokenValidator

ACCOUNT_HEADER = "x-twilio-account-sid"
# Where the request's authenticated caller is kept for the rest of the invocation (Powertools' app.context).
CALLER_CONTEXT_KEY = "caller"


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request presents: its Flex token and the account it names (both unverified until IAM answers)."""

    token: str | None
    account_sid: str | None


def _body_fields(content_type: str, body: str | None) -> Mapping[str, Any]:
    """The top-level fields of a form or JSON body; nothing for anything else."""
    if not body:
        return {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {name: values[0] for name, values in parse_qs(body, keep_blank_values=True).items() if values}
    try:
        parsed: Any = json.loads(body)
    except (ValueError, RecursionError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def credentials_of(raw_headers: Mapping[str, str] | None, body: str | None) -> Credentials:
    """The Bearer header first, else a ``Token`` form or JSON field; the account from ``X-Twilio-Account-Sid``,
    else an ``AccountSid`` field beside the token."""
    headers = {k.lower(): v for k, v in (raw_headers or {}).items()}
    scheme, _, value = (headers.get("authorization") or "").partition(" ")
    header_token = value.strip() if scheme.lower() == "bearer" and value.strip() else None
    header_account = (headers.get(ACCOUNT_HEADER) or "").strip() or None
    if header_token and header_account:
        return Credentials(header_token, header_account)
    fields = _body_fields(headers.get("content-type", ""), body)
    token = header_token or _text(fields.get("Token"))
    return Credentials(token, header_account or _text(fields.get("AccountSid")))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def authenticate(validator: FlexTokenValidator, headers: Mapping[str, str] | None, body: str | None) -> Caller:
    """The Flex user behind a request's token, as Twilio IAM answered (``Unauthenticated`` otherwise)."""
    presented = credentials_of(headers, body)
    return validator.validate(presented.token, presented.account_sid)


def caller_dependency(validator: Callable[[], FlexTokenValidator], role: Role) -> Callable[[Request], Caller]:
    """A Powertools ``Depends`` callable that authenticates the request and checks ``role``."""

    def caller_with_role(request: Request) -> Caller:
        known = request.context.get(CALLER_CONTEXT_KEY)
        caller = known if isinstance(known, Caller) else authenticate(validator(), request.headers, request.body)
        caller.require(role)
        return caller

    caller_with_role.__name__ = f"authenticate_{role.value}"
    return caller_with_role
