"""Number management's models: edits, BYOT, health, recent calls, and Twilio's numbers (search, buy, import, trust)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

import phonenumbers
from pydantic import Discriminator, Field, StrictBool, Tag

from callerid.domain.calls import DailyCounts, RecentCall
from callerid.domain.reputation import day_of
from callerid.http.models.common import (
    UNSET,
    ApiModel,
    E164Number,
    OwnedPageMeta,
    RequestModel,
    iso,
)
from callerid.http.models.numbers import Capabilities, NumberOut
from callerid.twilio.records import AvailableNumber, OwnedNumber

if TYPE_CHECKING:
    from callerid.service.management import HealthReport


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
