"""Phone-number parsing and the facts derived from a number, all through ``phonenumbers``.

Parsing and E.164 formatting are cheap and used on the call path. Geocoding and time zones load large data
modules (~350 ms), so ``describe_number`` imports them lazily and is called only when the catalogue is built.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from callerid.domain.errors import InvalidPhoneNumber
from callerid.domain.geography import NOWHERE_KNOWN, Place, place_of

DEFAULT_REGION = "US"


@dataclass(frozen=True, slots=True)
class Destination:
    """A normalised number with the facts resolution needs about it."""

    e164: str
    country: str | None
    area_code: str | None
    # Where it is, for local presence (cheap: no geocoder).
    place: Place = NOWHERE_KNOWN


def parse_number(raw: str, *, region: str = DEFAULT_REGION) -> phonenumbers.PhoneNumber:
    """Parse ``raw`` (any format ``phonenumbers`` accepts) or raise ``InvalidPhoneNumber``."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidPhoneNumber("A phone number is required.")
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"{raw!r} is not a phone number.") from exc
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(f"{raw!r} is not a valid phone number.")
    return parsed


def normalise_e164(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """Return ``raw`` as E.164 or raise ``InvalidPhoneNumber``."""
    return phonenumbers.format_number(parse_number(raw, region=region), phonenumbers.PhoneNumberFormat.E164)


def area_code_of(parsed: phonenumbers.PhoneNumber) -> str | None:
    """The geographic area code (NANP: the three-digit NPA), or ``None`` for non-geographic numbers."""
    national = phonenumbers.national_significant_number(parsed)
    length = phonenumbers.length_of_geographical_area_code(parsed)
    return national[:length] if length > 0 else None


def destination(raw: str) -> Destination:
    """Parse a dialled number into a ``Destination`` (cheap: no geocoder)."""
    parsed = parse_number(raw)
    return Destination(
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        country=phonenumbers.region_code_for_number(parsed),
        area_code=area_code_of(parsed),
        place=place_of(parsed),
    )


@dataclass(frozen=True, slots=True)
class NumberFacts:
    """What the catalogue stores about a number so the call path never geocodes."""

    country: str | None
    area_code: str | None
    locality: str | None
    time_zones: tuple[str, ...]


def describe_number(e164: str) -> NumberFacts:
    """Derive country, area code, locality and time zones for ``e164`` (loads geocoder data: not for hot paths)."""
    from phonenumbers import geocoder, timezone

    parsed = parse_number(e164)
    zones = tuple(z for z in timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")
    locality = geocoder.description_for_number(parsed, "en") or None
    return NumberFacts(
        country=phonenumbers.region_code_for_number(parsed),
        area_code=area_code_of(parsed),
        locality=locality,
        time_zones=zones,
    )


def caller_country(raw: str | None) -> str | None:
    """The ISO country of a caller's number, or ``None`` when there is none (anonymous, ``client:…``, junk)."""
    if not raw:
        return None
    try:
        return phonenumbers.region_code_for_number(parse_number(raw))
    except InvalidPhoneNumber:
        return None
