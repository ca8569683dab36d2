"""The number list routes' models (``GET /v1/phone-numbers``, the Flex template's compat route)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, TypeVar

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel, ConfigDict

from callerid.http.errors import NotModified
from callerid.http.models.common import (
    ApiModel,
    PageMeta,
)
from callerid.http.models.numbers import NumberOut


class NumberList(ApiModel):
    phone_numbers: list[NumberOut]
    meta: PageMeta


class CompatNumber(BaseModel):
    model_config = ConfigDict(defer_build=True)
    friendlyName: str  # noqa: N815 - the Flex project template's field names
    phoneNumber: str  # noqa: N815


class CompatNumberList(BaseModel):
    model_config = ConfigDict(defer_build=True)
    success: Literal[True] = True
    phoneNumbers: list[CompatNumber]  # noqa: N815


Listing = TypeVar("Listing", bound=BaseModel)
CATALOGUE_STALE_HEADER = "X-Catalogue-Stale"
ETAG_HEADER = "ETag"


def catalogue_answer(listing: Listing, *, stale: bool, tag: str = "") -> Response[Listing]:
    """A listing, saying ``X-Catalogue-Stale: true`` when it was served from stored numbers that could not be
    refreshed from Twilio just now, with its ``ETag`` when it has one."""
    headers = {CATALOGUE_STALE_HEADER: "true"} if stale else {}
    if tag:
        headers[ETAG_HEADER] = tag
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=listing, headers=headers or None)


def not_modified(tag: str, *, stale: bool) -> NotModified:
    """304: the caller's copy (``If-None-Match``) is the answer; its ``ETag`` again, no body (raised: the route's
    response model describes the 200)."""
    return NotModified({ETAG_HEADER: tag} | ({CATALOGUE_STALE_HEADER: "true"} if stale else {}))


class ListInclude(StrEnum):
    """What a list answer adds on request."""

    LOCKS = "locks"
