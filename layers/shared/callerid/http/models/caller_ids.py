"""Verified caller IDs' models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from callerid.http.models.common import (
    JSON_NUMBER,
    UNSET,
    ApiModel,
    E164Number,
    PageMeta,
    RequestModel,
)
from callerid.http.models.numbers import NumberOut

# ----- verified caller IDs ---------------------------------------------------------------------------------------

FriendlyName = Annotated[str, Field(min_length=1, max_length=64)]


class CallerIdList(ApiModel):
    caller_ids: list[NumberOut]
    meta: PageMeta


class CallerIdRenameIn(RequestModel):
    friendly_name: FriendlyName


class VerificationIn(RequestModel):
    phone_number: E164Number
    friendly_name: FriendlyName = UNSET
    call_delay: Annotated[int, Field(ge=0, le=60, description="Seconds Twilio waits before calling"), JSON_NUMBER] = 0
    extension: Annotated[
        str, Field(pattern=r"^[0-9#*w]{1,32}$", description="Digits to dial after the call connects (w: wait)")
    ] = UNSET


class VerificationStarted(ApiModel):
    phone_number: str
    validation_code: str = Field(description="The 6-digit code the person enters on Twilio's call")
    call_sid: str
    status: Literal["pending"] = "pending"


class VerificationOut(ApiModel):
    phone_number: str
    status: Literal["pending", "success", "failed"]
    outgoing_caller_id_sid: str | None
    updated_at: str | None
