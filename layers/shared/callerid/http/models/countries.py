"""The ISO 3166-1 alpha-2 codes a route takes (``phonenumbers``' regions: the countries with telephone numbering), as
one enum, so the schema lists them and a client sees which codes are taken. Listing the regions loads
``phonenumbers``' metadata (about 10 ms): only the functions whose routes take a country import this at cold start
(the search for numbers to buy); a number's country lists build it with their model (``configuration``)."""

from __future__ import annotations

from enum import StrEnum

import phonenumbers

CountryCode = StrEnum(  # type: ignore[misc]
    "CountryCode", {code: code for code in sorted(phonenumbers.SUPPORTED_REGIONS)}
)
