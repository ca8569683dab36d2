"""Where a number is, for local presence: its geographic prefix, locality, state or province, time zone and
country, from ``phonenumbers``' cheap metadata and the generated ``geo_tables`` (never the geocoder or the
time-zone data, which take ~350 ms to import: the call path derives a destination's place on every call).

The same function places a number when its record is written and a destination when it is dialled, so both sides
of a comparison are derived alike. Closeness levels (PRODUCT.md, "How the From number is chosen", step 2):

  AREA      same area code (NANP) or the same geographic prefix elsewhere (UK 20 London, 161 Manchester)
  LOCALITY  same locality (overlays share one: 212, 646 and 332 are New York, NY), else the same state/province
  TIMEZONE  same time zone
  COUNTRY   same country
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import phonenumbers

from callerid.domain import geo_tables

NANP_CALLING_CODE = 1


class Closeness(IntEnum):
    AREA = 0
    LOCALITY = 1
    STATE = 2
    TIMEZONE = 3
    COUNTRY = 4


NOWHERE_KNOWN: Place


@dataclass(frozen=True, slots=True)
class Place:
    country: str | None = None
    # Calling code + geographic area code ("1212", "4420"); None for non-geographic numbers (toll-free, mobiles).
    area: str | None = None
    locality: str | None = None
    # "<country>-<state>" ("US-NY"), NANP only.
    region: str | None = None
    time_zone: str | None = None

    def levels(self) -> list[tuple[Closeness, str]]:
        """The presence pools this place belongs to, closest first (``store`` keys them ``POOL#<level>#<key>``)."""
        levels = (
            (Closeness.AREA, self.area),
            (Closeness.LOCALITY, self.locality),
            (Closeness.STATE, self.region),
            (Closeness.TIMEZONE, self.time_zone),
            (Closeness.COUNTRY, self.country),
        )
        return [(level, key) for level, key in levels if key]

    def closeness(self, other: Place) -> Closeness | None:
        """How close ``other`` is to this place: the first level both share, or ``None`` (another country)."""
        for level, key in self.levels():
            if key == dict(other.levels()).get(level):
                return level
        return None


NOWHERE_KNOWN = Place()


def place_of(parsed: phonenumbers.PhoneNumber) -> Place:
    """The place of a parsed number (cheap: metadata and the generated tables)."""
    country = phonenumbers.region_code_for_number(parsed)
    national = phonenumbers.national_significant_number(parsed)
    length = phonenumbers.length_of_geographical_area_code(parsed)
    code = parsed.country_code
    area = f"{code}{national[:length]}" if length > 0 else None
    if code == NANP_CALLING_CODE:
        locality, state, zone = geo_tables.NANP.get(national[:3], ("", "", -1))
        return Place(
            country=country,
            area=area,
            locality=locality or None,
            region=f"{country}-{state}" if state and country else None,
            time_zone=geo_tables.ZONE_NAMES[zone] if zone >= 0 else None,
        )
    digits = f"{code}{national}"
    prefixes = (digits[:n] for n in range(len(digits), 0, -1))
    zone_index = next((geo_tables.PREFIX_ZONES[p] for p in prefixes if p in geo_tables.PREFIX_ZONES), -1)
    return Place(
        country=country,
        area=area,
        time_zone=geo_tables.ZONE_NAMES[zone_index] if zone_index >= 0 else None,
    )


def place_of_e164(e164: str) -> Place:
    """``place_of`` for a stored E.164 number (an unparseable one has no place)."""
    try:
        return place_of(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return Place()
