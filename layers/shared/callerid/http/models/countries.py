"""The ISO 3166-1 alpha-2 codes a route takes: ``phonenumbers``' regions (the countries with telephone numbering), as
one enum, so the schema lists them and a client sees which codes are taken. The codes come from the generated
``domain.geo_tables`` (``make geo``), not from ``phonenumbers.SUPPORTED_REGIONS``: listing those loads
``phonenumbers``' metadata, about 20 ms of a cold start, which a search for numbers to buy does not otherwise need."""

from __future__ import annotations

from enum import StrEnum

from callerid.domain.geo_tables import REGIONS

CountryCode = StrEnum("CountryCode", {code: code for code in REGIONS})  # type: ignore[misc]
