"""The catalogue's stored form: compact JSON, zlib-compressed, so a workspace of thousands of numbers fits in one
item (DynamoDB's item limit is 400 KB; a number is ~350 bytes of JSON and compresses about 6:1)."""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict
from typing import Any

from callerid.domain.numbers import CatalogueNumber, NumberSource, NumberStatus, OutboundAssignment


def encode_numbers(numbers: tuple[CatalogueNumber, ...]) -> bytes:
    rows = [_drop_defaults(asdict(n)) for n in numbers]
    return zlib.compress(json.dumps(rows, separators=(",", ":")).encode(), 6)


def decode_numbers(blob: bytes) -> tuple[CatalogueNumber, ...]:
    return tuple(_number(row) for row in json.loads(zlib.decompress(blob)))


_DEFAULTS: dict[str, Any] = {
    "status": NumberStatus.ACTIVE.value,
    "label": None,
    "is_primary": False,
    "voice": True,
    "sms": False,
    "inbound_agent": None,
    "allowed_inbound_countries": [],
    "allowed_outbound_countries": [],
    "outbound_shareable": False,
    "outbound_assignment": None,
}


def _drop_defaults(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not (k in _DEFAULTS and _as_json(v) == _DEFAULTS[k])}


def _as_json(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _number(row: dict[str, Any]) -> CatalogueNumber:
    values = {**_DEFAULTS, **row}
    assignment = values["outbound_assignment"]
    return CatalogueNumber(
        sid=values["sid"],
        phone_number=values["phone_number"],
        friendly_name=values["friendly_name"],
        source=NumberSource(values["source"]),
        owner_workspace=values["owner_workspace"],
        status=NumberStatus(values["status"]),
        label=values["label"],
        is_primary=values["is_primary"],
        voice=values["voice"],
        sms=values["sms"],
        country=values.get("country"),
        area_code=values.get("area_code"),
        locality=values.get("locality"),
        time_zones=tuple(values.get("time_zones") or ()),
        inbound_agent=values["inbound_agent"],
        allowed_inbound_countries=tuple(values["allowed_inbound_countries"]),
        allowed_outbound_countries=tuple(values["allowed_outbound_countries"]),
        outbound_shareable=values["outbound_shareable"],
        outbound_assignment=OutboundAssignment(**assignment) if assignment else None,
        created_at=values.get("created_at"),
    )
