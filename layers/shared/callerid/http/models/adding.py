"""Adding numbers (``buy_numbers``, ``import_numbers``): Twilio's numbers for sale and buying one, the account's own
numbers at Twilio and importing one, and registering a number from another carrier (BYOT)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Discriminator, Field, Tag

from callerid.http.models.common import ApiModel, E164Number, OwnedPageMeta, RequestModel
from callerid.http.models.numbers import Capabilities, NumberOut
from callerid.twilio.records import AvailableNumber, OwnedNumber

if TYPE_CHECKING:
    from callerid.service.management import Imported
    from callerid.service.trust import Joined

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


def refusals(joined: Joined | None) -> list[TrustRefusedOut]:
    return [TrustRefusedOut(product_sid=r.product_sid, message=r.message) for r in (joined.refusals if joined else ())]


class ProvisionedNumberOut(NumberOut):
    trust_refused: list[TrustRefusedOut] = Field(
        default_factory=list,
        description="TRUST_PRODUCT_SIDS products that did not take the new number (it is kept all the same)",
    )

    @classmethod
    def bought(cls, joined: Joined, account_sid: str) -> ProvisionedNumberOut:
        shown = NumberOut.of(joined.record, account_sid, None)
        return cls(**shown.model_dump(), trust_refused=refusals(joined))


class ImportedNumberOut(ProvisionedNumberOut):
    replaced: ReplacedHooks = Field(description="The webhooks the number had before the import")

    @classmethod
    def imported(cls, imported: Imported, account_sid: str) -> ImportedNumberOut:
        shown = NumberOut.of(imported.number.record, account_sid, imported.number.lock)
        before = imported.replaced
        replaced = ReplacedHooks(voice_url=before.voice_url, status_callback=before.status_callback)
        return cls(**shown.model_dump(), replaced=replaced, trust_refused=refusals(imported.joined))


class ByotIn(RequestModel):
    phone_number: E164Number
    provider: Annotated[str, Field(min_length=1, max_length=64, description="The carrier the number is with")]
    connection: Annotated[
        str, Field(min_length=1, max_length=256, description="How calls reach it: a SIP trunk, a BYOC trunk SID, …")
    ]
