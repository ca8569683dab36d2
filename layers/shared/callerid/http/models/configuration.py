"""One number's configuration: the edits of ``PATCH /v1/phone-numbers/{sid}`` and its Trust Hub products."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, GetCoreSchemaHandler, StrictBool
from pydantic_core import CoreSchema

from callerid.http.models.common import UNSET, ApiModel, RequestModel

WORKER_SID = r"^WK[0-9a-fA-F]{32}$"
QUEUE_SID = r"^WQ[0-9a-fA-F]{32}$"


class CountryCodes:
    """A list of ``countries.CountryCode``, whose enum (about 250 members) is made when the model is first built, on
    the first edit, rather than at every cold start: no other route of this function needs it."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from callerid.http.models.countries import CountryCode

        return handler(list[CountryCode])


# Values are ``CountryCode`` members (a ``str`` each); the schema and the refusals are the enum's.
CountryList = Annotated[list[str], CountryCodes(), Field(max_length=250)]


class AssignmentIn(ApiModel):
    worker_sid: Annotated[str | None, Field(pattern=WORKER_SID)] = None
    team: Annotated[str | None, Field(min_length=1, max_length=64)] = None
    queue_sid: Annotated[str | None, Field(pattern=QUEUE_SID)] = None


class NumberPatchIn(RequestModel):
    """Only the fields sent change; ``null`` clears a field that may be empty (not ``status`` or
    ``outboundShareable``)."""

    label: Annotated[str | None, Field(max_length=64)] = None
    inbound_agent: Annotated[str | None, Field(pattern=WORKER_SID)] = None
    allowed_inbound_countries: CountryList | None = None
    allowed_outbound_countries: CountryList | None = None
    status: Literal["active", "inactive"] = UNSET
    outbound_shareable: StrictBool = UNSET
    outbound_assignment: AssignmentIn | None = None

    def changes(self) -> dict[str, Any]:
        """The record fields this patch sets (the fields sent, minus the Flex plugin's Token/AccountSid)."""
        from callerid.domain.numbers import NumberStatus, OutboundAssignment

        sent = self.model_fields_set - {"token", "account"}
        changes: dict[str, Any] = {}
        for name in sent:
            value = getattr(self, name)
            if name in ("allowed_inbound_countries", "allowed_outbound_countries"):
                value = tuple(dict.fromkeys(str(code) for code in value or ()))
            elif name == "status":
                value = NumberStatus(value)
            elif name == "outbound_shareable":
                value = bool(value)
            elif name == "outbound_assignment":
                named = value is not None and any((value.worker_sid, value.team, value.queue_sid))
                value = OutboundAssignment(value.worker_sid, value.team, value.queue_sid) if named else None
            changes[name] = value
        return changes


class TrustIn(RequestModel):
    product_sids: list[Annotated[str, Field(pattern=r"^BU[0-9a-fA-F]{32}$")]] = Field(
        max_length=20, description="The Trust Hub products the number should be in, exactly"
    )
