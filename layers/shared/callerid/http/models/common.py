"""What every area's models share: the base models, request field types, the page metadata and the health answer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from callerid.domain.errors import InvalidPhoneNumber
from callerid.domain.phone import normalise_e164


def e164(raw: str) -> str:
    """``raw`` as E.164, else a validation error of type ``invalid_phone_number`` (the contract's code), so the
    answer names the field it came from."""
    try:
        return normalise_e164(raw)
    except InvalidPhoneNumber as exc:
        raise PydanticCustomError(InvalidPhoneNumber.code, "{reason}", {"reason": exc.message}) from exc


def json_number(value: Any) -> Any:
    """A JSON number field takes a JSON number: pydantic's lax mode would read ``"5"`` and ``true`` as 5."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number_type", "Input should be a JSON number, not {kind}", {"kind": kind_of(value)})
    return value


def kind_of(value: Any) -> str:
    return {bool: "a boolean", str: "a string", type(None): "null"}.get(type(value), type(value).__name__)


# A phone number in a request, in any format ``phonenumbers`` parses (default region US): the handler gets E.164.
E164Number = Annotated[
    str,
    Field(min_length=1, max_length=64, description="Any format phonenumbers parses (default region US)"),
    AfterValidator(e164),
]
# The last annotation of an ``int`` or ``float`` in a JSON body (after its ``Field``, so that its bounds stay in the
# schema): an integer is then a JSON number with no fraction (5 or 5.0, as JSON Schema's ``integer``), never "5",
# 5.5 or true. Query strings and form bodies are text: their numbers stay plain ``int``.
JSON_NUMBER = BeforeValidator(json_number)
FlexToken = Annotated[
    str | None, Field(default=None, alias="Token", description="Flex token, when not sent as a Bearer header")
]
FlexAccount = Annotated[
    str | None,
    Field(
        default=None,
        alias="AccountSid",
        description="The account to validate the token against, when not sent as X-Twilio-Account-Sid",
    ),
]


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True)


class RequestModel(ApiModel):
    """Request bodies: unknown fields are errors; ``Token`` and ``AccountSid`` are accepted (the Flex plugin
    convention)."""

    token: FlexToken = None
    account: FlexAccount = None


def iso(epoch: float | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z") if epoch else None


class PageMeta(ApiModel):
    page: int
    per_page: int
    total: int


class OwnedPageMeta(ApiModel):
    page: int
    per_page: int
    has_more: bool


# Booleans in query strings and form bodies: exactly ``true`` or ``false`` (not yes/on/1).
TextBool = Literal["true", "false"]
# The default of an optional query or form field. A form or query string has no null, so the field's schema
# must not offer one: the field is typed without ``None`` and defaults to this.
UNSET: Any = None


def flag(value: TextBool | None, default: bool) -> bool:
    return default if value is None else value == "true"


class Health(BaseModel):
    model_config = ConfigDict(defer_build=True)
    status: Literal["ok"] = "ok"
