"""Small builders for domain objects."""

from __future__ import annotations

from callerid.domain.identity import WorkerRef
from callerid.domain.numbers import NumberRecord, NumberSource, NumberStatus, OutboundAssignment

ACCOUNT = "AC" + "a" * 32
ALICE = WorkerRef(ACCOUNT, "WK" + "1" * 32)
BOB = WorkerRef(ACCOUNT, "WK" + "2" * 32)


def number(
    phone: str,
    *,
    source: NumberSource = NumberSource.TWILIO,
    status: NumberStatus = NumberStatus.ACTIVE,
    primary: bool = False,
    voice: bool = True,
    countries: tuple[str, ...] = (),
    assignment: OutboundAssignment | None = None,
    label: str | None = None,
    friendly: str | None = None,
) -> NumberRecord:
    return NumberRecord(
        sid="PN" + phone.strip("+").rjust(32, "0"),
        phone_number=phone,
        friendly_name=friendly or phone,
        source=source,
        owner_workspace=ACCOUNT,
        status=status,
        is_primary=primary,
        voice=voice,
        country="US",
        allowed_outbound_countries=countries,
        outbound_assignment=assignment,
        label=label,
    )
