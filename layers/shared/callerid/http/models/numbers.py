"""A number as the API shows it (the list, caller ID and number management routes)."""

from __future__ import annotations

from pydantic import Field

from callerid.domain.locks import CallerIdLock
from callerid.domain.numbers import NumberRecord, NumberSource, NumberStatus
from callerid.domain.trust import TrustKind
from callerid.http.models.common import (
    ApiModel,
    iso,
)


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
