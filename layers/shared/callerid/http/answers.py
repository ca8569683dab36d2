"""What each route may answer, for the OpenAPI document: the success, every error status with its envelope, and
the authentication the route takes. Routes declare them in their decorators, so the document says what the
code does."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

JSON = "application/json"

FLEX_TOKEN: list[dict[str, list[str]]] = [{"flexToken": []}]
TWILIO_SIGNATURE: list[dict[str, list[str]]] = [{"twilioSignature": []}]
NO_AUTH: list[dict[str, list[str]]] = []

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "flexToken": {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "The Flex user's token (opaque; validated with Twilio IAM). A subaccount's users also send "
            "X-Twilio-Account-Sid. Flex plugins may send Token (and AccountSid) as body fields instead."
        ),
    },
    "twilioSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Twilio-Signature",
        "description": "Twilio's signature of the public URL and the form, with the auth token of AccountSid.",
    },
}

WHY: dict[int, str] = {
    400: "Bad input: the message names the field (invalid_request, invalid_json, invalid_phone_number)",
    401: "Missing, invalid or expired Flex token (unauthorized)",
    403: "The token lacks the role, or the user has no worker (forbidden); a webhook's bad signature",
    404: "No such record in this workspace, or a number it may not use (not_found)",
    409: "In use, already there, or changed concurrently (caller_id_in_use, number_exists, concurrent_update, "
    "request_in_progress)",
    415: "A body in a media type the route does not take (unsupported_media_type)",
    422: "Nothing eligible, or Twilio refused (no_caller_id_available, destination_not_allowed, twilio_refused)",
    503: "DynamoDB or Twilio unavailable after bounded retries (store_unavailable, upstream_unavailable)",
}


class ErrorDetail(BaseModel):
    model_config = ConfigDict(defer_build=True)

    code: str
    message: str


class ErrorEnvelope(BaseModel):
    """Every error this API answers (the compatibility route has its own)."""

    model_config = ConfigDict(defer_build=True)
    error: ErrorDetail


class CompatError(BaseModel):
    """The Flex project template's error shape, on its compatibility route."""

    model_config = ConfigDict(defer_build=True)
    success: bool
    message: str


def answers(
    *errors: int, success: int = 200, description: str = "OK", envelope: type[BaseModel] = ErrorEnvelope
) -> dict[int, Any]:
    """``responses=`` for a route: the success (its schema from the route's return type) and ``errors``."""
    documented: dict[int, Any] = {success: {"description": description}}
    for status in errors:
        documented[status] = {"description": WHY[status], "content": {JSON: {"model": envelope}}}
    return documented


# What every route for Flex users may answer besides its own errors.
FLEX_ERRORS = (400, 401, 403, 415, 503)
WEBHOOK_ERRORS = (400, 403, 409, 415, 503)
