"""Request and response shapes of the HTTP contract (PRODUCT.md). The OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import phonenumbers
from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, StrictBool, Tag
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from callerid.domain.calls import DailyCounts, RecentCall
from callerid.domain.errors import InvalidPhoneNumber
from callerid.domain.identity import WorkerRef
from callerid.domain.locks import CallerIdLock
from callerid.domain.numbers import NumberRecord, NumberSource, NumberStatus
from callerid.domain.phone import normalise_e164
from callerid.domain.reputation import day_of
from callerid.domain.resolution import Reason
from callerid.domain.transfers import DisplayedNumber, TransferType
from callerid.domain.trust import TrustKind
from callerid.domain.workers import WorkerState
from callerid.http.errors import NotModified
from callerid.twilio.records import AvailableNumber, OwnedNumber

if TYPE_CHECKING:
    from callerid.service.management import HealthReport


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


class Capabilities(ApiModel):
    voice: bool
    sms: bool


class Assignment(ApiModel):
    worker_sid: str | None = None
    team: str | None = None
    queue_sid: str | None = None


class TrustOut(ApiModel):
    product_sid: str = Field(description="The Trust Hub product (BU…)")
    kind: TrustKind
    status: str = Field(description="The product's status as Trust Hub reports it, e.g. twilio-approved")


class NumberOut(ApiModel):
    sid: str
    phone_number: str
    friendly_name: str
    label: str | None
    source: NumberSource
    status: NumberStatus
    is_primary: bool
    capabilities: Capabilities
    country: str | None
    locality: str | None
    inbound_agent: str | None
    allowed_inbound_countries: list[str]
    allowed_outbound_countries: list[str]
    outbound_shareable: bool
    outbound_assignment: Assignment | None
    owner_workspace: str
    shared: bool
    locked_by: str | None
    locked_until: str | None
    created_at: str | None
    trust: list[TrustOut] = Field(default_factory=list, description="The Trust Hub products the number is in")

    @classmethod
    def of(cls, number: NumberRecord, account_sid: str, lock: CallerIdLock | None) -> NumberOut:
        assignment = number.outbound_assignment
        return cls(
            sid=number.sid,
            phone_number=number.phone_number,
            friendly_name=number.friendly_name,
            label=number.label,
            source=number.source,
            status=number.status,
            is_primary=number.is_primary,
            capabilities=Capabilities(voice=number.voice, sms=number.sms),
            country=number.country,
            locality=number.locality,
            inbound_agent=number.inbound_agent,
            allowed_inbound_countries=list(number.allowed_inbound_countries),
            allowed_outbound_countries=list(number.allowed_outbound_countries),
            outbound_shareable=number.outbound_shareable,
            outbound_assignment=Assignment(
                worker_sid=assignment.worker_sid, team=assignment.team, queue_sid=assignment.queue_sid
            )
            if assignment
            else None,
            owner_workspace=number.owner_workspace,
            shared=number.owner_workspace != account_sid,
            locked_by=lock.holder.worker_sid if lock else None,
            locked_until=iso(lock.expires_at) if lock else None,
            created_at=number.created_at,
            trust=[TrustOut(product_sid=t.product_sid, kind=t.kind, status=t.status) for t in number.trust],
        )


class PageMeta(ApiModel):
    page: int
    per_page: int
    total: int


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


# Booleans in query strings and form bodies: exactly ``true`` or ``false`` (not yes/on/1).
TextBool = Literal["true", "false"]
# The default of an optional query or form field. A form or query string has no null, so the field's schema
# must not offer one: the field is typed without ``None`` and defaults to this.
UNSET: Any = None


def flag(value: TextBool | None, default: bool) -> bool:
    return default if value is None else value == "true"


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


class CallerIdSelectionIn(RequestModel):
    caller_id: E164Number | None = Field(description="The number to show on outbound calls, or null to clear")
    local_presence: StrictBool | None = Field(
        default=None, description="Prefer a number local to the destination; unchanged when omitted"
    )


class CallerIdSelectionOut(ApiModel):
    worker_sid: str
    caller_id: str | None
    local_presence: bool

    @classmethod
    def of(cls, worker: WorkerRef, state: WorkerState) -> CallerIdSelectionOut:
        return cls(worker_sid=worker.worker_sid, caller_id=state.caller_id, local_presence=state.local_presence)


class OutboundCallIn(RequestModel):
    """Flex's StartOutboundCall payload: ``destination`` as ``to``, ``callerId`` as ``from``, ``queueSid``,
    ``taskSid``."""

    to: E164Number
    from_: E164Number | None = Field(default=None, alias="from")
    queue_sid: Annotated[str | None, Field(default=None, pattern=r"^WQ[0-9a-fA-F]{32}$")] = None
    task_sid: Annotated[str | None, Field(default=None, pattern=r"^WT[0-9a-fA-F]{32}$")] = None


class LockOut(ApiModel):
    phone_number: str
    worker_sid: str
    expires_at: str

    @classmethod
    def of(cls, lock: CallerIdLock) -> LockOut:
        return cls(
            phone_number=lock.phone_number, worker_sid=lock.holder.worker_sid, expires_at=iso(lock.expires_at) or ""
        )


class OutboundCallOut(ApiModel):
    from_: str = Field(alias="from")
    reason: Reason
    lock: LockOut
    guard: Literal["capped", "spacing", "cooling", "suspected_blocked"] | None = Field(
        default=None, description="Why the number chosen rests (number reputation); null when it does not"
    )


class TransferCallerIdIn(RequestModel):
    type: TransferType = Field(description="cold: the call is handed over; warm and conference: the agent dials")
    displayed_number: DisplayedNumber = Field(
        default=DisplayedNumber.TRANSFEREE_NUMBER,
        description="What a cold transfer shows: the original caller's number (default) or the agent's; warm and "
        "conference always show the agent's",
    )
    caller_number: E164Number | None = Field(default=None, description="The original caller's number")
    agent_number: E164Number | None = Field(
        default=None, description="The agent's caller ID: a number list-numbers offers the agent"
    )


class TransferCallerIdOut(ApiModel):
    caller_id: str


class LockReleaseOut(ApiModel):
    released: bool
    # The first (or only) number released; ``phone_numbers`` names every one.
    phone_number: str | None
    phone_numbers: list[str]


class Health(BaseModel):
    model_config = ConfigDict(defer_build=True)
    status: Literal["ok"] = "ok"


# ----- number management -------------------------------------------------------------------------------------------

WORKER_SID = r"^WK[0-9a-fA-F]{32}$"
QUEUE_SID = r"^WQ[0-9a-fA-F]{32}$"


# ISO 3166-1 alpha-2 codes of the countries with telephone numbering (``phonenumbers``' regions): the schema lists
# them, so a client sees which codes are taken.
CountryCode = StrEnum(  # type: ignore[misc]
    "CountryCode", {code: code for code in sorted(phonenumbers.SUPPORTED_REGIONS)}
)
CountryList = Annotated[list[CountryCode], Field(max_length=250)]


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


class ByotIn(RequestModel):
    phone_number: E164Number
    provider: Annotated[str, Field(min_length=1, max_length=64, description="The carrier the number is with")]
    connection: Annotated[
        str, Field(min_length=1, max_length=256, description="How calls reach it: a SIP trunk, a BYOC trunk SID, …")
    ]


class RateOut(ApiModel):
    attempts: int
    answered: int
    answer_rate: float | None


class RecentOut(RateOut):
    blocked: int = 0
    short_calls: int = 0


class DailyOut(ApiModel):
    date: str
    calls: int
    answered: int
    blocked: int
    short: int

    @classmethod
    def of(cls, day: DailyCounts) -> DailyOut:
        return cls(date=day.date, calls=day.calls, answered=day.answered, blocked=day.blocked, short=day.short)


class NumberHealthOut(RateOut):
    """A number's call outcomes from call-status webhooks (all time, and ``recent``: its last
    HEALTH_WINDOW_ATTEMPTS), its calls today (UTC) and last use from the call path, and the reputation state the
    call path sees now (``ok`` when it is within its limits; ``coolingUntil`` while it cools)."""

    phone_number: str
    blocked: int = 0
    short_calls: int = 0
    recent: RecentOut | None = None
    calls_today: int | None = None
    last_used_at: str | None = None
    state: Literal["ok", "capped", "spacing", "cooling", "suspected_blocked"] = "ok"
    cooling_until: str | None = None
    daily: list[DailyOut] | None = None

    @classmethod
    def of(cls, phone_number: str, report: HealthReport) -> NumberHealthOut:
        outcomes, recent = report.outcomes, report.outcomes.recent
        return cls(
            phone_number=phone_number,
            attempts=outcomes.attempts,
            answered=outcomes.answered,
            answer_rate=outcomes.answer_rate,
            blocked=outcomes.blocked,
            short_calls=outcomes.short_calls,
            recent=RecentOut(
                attempts=recent.attempts,
                answered=recent.answered,
                answer_rate=recent.answer_rate,
                blocked=recent.blocked,
                short_calls=recent.short_calls,
            ),
            calls_today=report.usage.calls_on(day_of(report.now)),
            last_used_at=iso(report.usage.last_used),
            state=report.guard.value if report.guard else "ok",
            cooling_until=iso(report.cooling_until),
            daily=None if report.daily is None else [DailyOut.of(d) for d in report.daily],
        )


class RecentCallOut(ApiModel):
    call_sid: str | None = None
    worker_sid: str
    to: str
    reason: str
    started_at: str
    outcome: Literal["answered", "no_answer", "busy", "failed", "blocked", "canceled"] | None = None
    duration_seconds: int | None = None
    sip_code: int | None = None

    @classmethod
    def of(cls, call: RecentCall) -> RecentCallOut:
        return cls(
            call_sid=call.call_sid,
            worker_sid=call.worker_sid,
            to=call.to,
            reason=call.reason,
            started_at=iso(call.started_at) or "",
            outcome=call.outcome,
            duration_seconds=call.duration_seconds,
            sip_code=call.sip_code,
        )


class CallsPageMeta(ApiModel):
    page: int
    per_page: int
    has_more: bool


class RecentCallList(ApiModel):
    """A number's recent outbound calls (the workspace's), newest first."""

    calls: list[RecentCallOut]
    meta: CallsPageMeta


# ----- Twilio's numbers: search, buy, import ----------------------------------------------------------------------

TWILIO_NUMBER_SID = r"^PN[0-9a-fA-F]{32}$"


class AvailableNumberOut(ApiModel):
    phone_number: str
    friendly_name: str
    locality: str | None
    region: str | None
    postal_code: str | None
    iso_country: str
    capabilities: Capabilities

    @classmethod
    def of(cls, n: AvailableNumber) -> AvailableNumberOut:
        return cls(
            phone_number=n.phone_number,
            friendly_name=n.friendly_name,
            locality=n.locality,
            region=n.region,
            postal_code=n.postal_code,
            iso_country=n.iso_country,
            capabilities=Capabilities(voice=n.voice, sms=n.sms),
        )


class AvailableNumberList(ApiModel):
    available_phone_numbers: list[AvailableNumberOut]


class ProvisionByNumber(RequestModel):
    """Buy exactly this number (one a search offered)."""

    phone_number: E164Number


class ProvisionByAreaCode(RequestModel):
    """Buy any number in this area code."""

    area_code: Annotated[str, Field(pattern=r"^[2-9][0-9]{2}$", description="A North American area code")]


def provision_kind(body: Any) -> str:
    """Which of the two a body means, so that a refusal speaks of that one only (a bad ``phoneNumber`` is
    ``invalid_phone_number``, not a list of what the other shape lacks)."""
    wants_area = isinstance(body, dict) and "areaCode" in body and "phoneNumber" not in body
    return ProvisionByAreaCode.__name__ if wants_area else ProvisionByNumber.__name__


ProvisionIn = Annotated[
    Annotated[ProvisionByNumber, Tag(ProvisionByNumber.__name__)]
    | Annotated[ProvisionByAreaCode, Tag(ProvisionByAreaCode.__name__)],
    Discriminator(provision_kind),
]


class OwnedNumberOut(ApiModel):
    sid: str
    phone_number: str
    friendly_name: str
    voice_url: str | None
    status_callback: str | None
    imported: bool = Field(description="Its voice URL is this deployment's inbound voice webhook")

    @classmethod
    def of(cls, number: OwnedNumber, imported: bool) -> OwnedNumberOut:
        return cls(
            sid=number.sid,
            phone_number=number.phone_number,
            friendly_name=number.friendly_name,
            voice_url=number.voice_url,
            status_callback=number.status_callback,
            imported=imported,
        )


class OwnedPageMeta(ApiModel):
    page: int
    per_page: int
    has_more: bool


class OwnedNumberList(ApiModel):
    phone_numbers: list[OwnedNumberOut]
    meta: OwnedPageMeta


class ImportIn(RequestModel):
    sid: Annotated[str, Field(pattern=TWILIO_NUMBER_SID, description="The SID of a number the account owns")]


class ReplacedHooks(ApiModel):
    voice_url: str | None
    status_callback: str | None


class TrustRefusedOut(ApiModel):
    product_sid: str
    message: str = Field(description="Twilio's reason")


class ProvisionedNumberOut(NumberOut):
    trust_refused: list[TrustRefusedOut] = Field(
        default_factory=list,
        description="TRUST_PRODUCT_SIDS products that did not take the new number (it is kept all the same)",
    )


class ImportedNumberOut(ProvisionedNumberOut):
    replaced: ReplacedHooks = Field(description="The webhooks the number had before the import")


class TrustIn(RequestModel):
    product_sids: list[Annotated[str, Field(pattern=r"^BU[0-9a-fA-F]{32}$")]] = Field(
        max_length=20, description="The Trust Hub products the number should be in, exactly"
    )


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
