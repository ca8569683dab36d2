"""Twilio's stock of phone numbers for sale: per country and kind (local, toll-free, mobile), areas of blocks of
numbers that ``phonenumbers`` finds valid, enumerated in one fixed order, so searches and purchases are the same on
every run. Pure: which numbers are taken is the caller's to say."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

import phonenumbers
from phonenumbers import PhoneNumberType

# A search looks at this many numbers at most, so one that matches nothing still answers in a fraction of a second.
SCAN_LIMIT = 100_000
KEYPAD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "22233344455566677778889999")
# The 555 directory/fiction exchange and other reserved NANP exchanges (with N11 and 0/1-led ones) are never sold.
RESERVED_EXCHANGES = frozenset({"555", "950", "958", "959", "976"})
KIND_TYPES = {
    "local": {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE},
    "mobile": {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE},
    "toll_free": {PhoneNumberType.TOLL_FREE},
}


@dataclass(frozen=True)
class Area:
    """Where numbers starting with ``prefix`` ring (an area code, a city); each block of the area is the prefix and
    three more digits, its numbers the rest up to ``length`` characters of E.164."""

    prefix: str
    length: int
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    rate_center: str | None = None
    lata: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Stock:
    country: str
    kind: str
    areas: tuple[Area, ...]
    capabilities: tuple[str, ...]


@dataclass(frozen=True)
class Offer:
    """A number for sale and the area it rings in."""

    phone_number: str
    area: Area
    stock: Stock = field(compare=False, repr=False)

    @property
    def friendly_name(self) -> str:
        """``(415) 200-0123`` for North American numbers, as Twilio formats them; E.164 elsewhere."""
        n = self.phone_number
        return f"({n[2:5]}) {n[5:8]}-{n[8:]}" if n.startswith("+1") and len(n) == 12 else n


@dataclass(frozen=True)
class Query:
    """What a search asks for: ``contains`` is Twilio's Contains pattern compiled by :func:`contains`."""

    area_code: str | None = None
    contains: re.Pattern[str] | None = None
    region: str | None = None
    locality: str | None = None
    postal_code: str | None = None
    capabilities: frozenset[str] = frozenset()

    def areas(self, stock: Stock) -> list[Area]:
        """The stock's areas the query looks in (AreaCode only narrows North American ones)."""
        return [
            a
            for a in stock.areas
            if (self.area_code is None or not a.prefix.startswith("+1") or a.prefix == f"+1{self.area_code}")
            and (self.region is None or a.region == self.region)
            and (self.locality is None or a.locality == self.locality)
            and (self.postal_code is None or a.postal_code == self.postal_code)
        ]

    @property
    def head(self) -> str:
        """The digits a match must start with (a Contains anchored with ``+``)."""
        anchored = re.match(r"\^(\d*)", self.contains.pattern) if self.contains else None
        return anchored.group(1) if anchored else ""


def nanp(npa: str, locality: str, region: str, postal_code: str, lata: str | None, lat: float, long: float) -> Area:
    return Area(f"+1{npa}", 12, locality, region, postal_code, locality.upper(), lata, lat, long)


US_LOCAL = (
    nanp("415", "San Francisco", "CA", "94103", "722", 37.7749, -122.4194),
    nanp("212", "New York", "NY", "10001", "132", 40.7506, -73.9972),
    nanp("646", "New York", "NY", "10011", "132", 40.7410, -74.0002),
    nanp("312", "Chicago", "IL", "60601", "358", 41.8858, -87.6181),
    nanp("206", "Seattle", "WA", "98101", "674", 47.6101, -122.3344),
    nanp("310", "Los Angeles", "CA", "90024", "730", 34.0633, -118.4415),
    nanp("503", "Portland", "OR", "97204", "672", 45.5189, -122.6754),
    nanp("617", "Boston", "MA", "02108", "128", 42.3576, -71.0636),
    nanp("305", "Miami", "FL", "33130", "460", 25.7670, -80.2050),
    nanp("713", "Houston", "TX", "77002", "560", 29.7569, -95.3650),
    nanp("202", "Washington", "DC", "20001", "236", 38.9107, -77.0180),
    nanp("404", "Atlanta", "GA", "30303", "438", 33.7525, -84.3888),
    nanp("512", "Austin", "TX", "78701", "558", 30.2711, -97.7437),
    nanp("720", "Denver", "CO", "80202", "656", 39.7527, -104.9993),
    nanp("702", "Las Vegas", "NV", "89101", "721", 36.1727, -115.1224),
    nanp("602", "Phoenix", "AZ", "85004", "666", 33.4510, -112.0687),
    nanp("215", "Philadelphia", "PA", "19107", "228", 39.9509, -75.1575),
    nanp("808", "Honolulu", "HI", "96813", "834", 21.3100, -157.8581),
)
CA_LOCAL = (
    nanp("416", "Toronto", "ON", "M5H 2N2", None, 43.6511, -79.3832),
    nanp("604", "Vancouver", "BC", "V6B 1A1", None, 49.2827, -123.1207),
    nanp("514", "Montreal", "QC", "H2Y 1C6", None, 45.5017, -73.5673),
)
NANP_TOLL_FREE = tuple(Area(f"+1{npa}", 12) for npa in ("800", "833", "844", "855", "866", "877", "888"))
VOICE_SMS_MMS = ("voice", "sms", "mms")

STOCKS: dict[tuple[str, str], Stock] = {
    (s.country, s.kind): s
    for s in (
        Stock("US", "local", US_LOCAL, VOICE_SMS_MMS),
        Stock("US", "toll_free", NANP_TOLL_FREE, ("voice", "sms")),
        Stock("CA", "local", CA_LOCAL, VOICE_SMS_MMS),
        Stock("CA", "toll_free", NANP_TOLL_FREE, ("voice", "sms")),
        Stock("GB", "local", (Area("+44207", 13, "London"), Area("+44161", 13, "Manchester")), ("voice",)),
        Stock("GB", "mobile", (Area("+44740", 13), Area("+44750", 13)), ("voice", "sms")),
        Stock("GB", "toll_free", (Area("+44800", 13),), ("voice",)),
    )
}
COUNTRIES = {"US": "United States", "CA": "Canada", "GB": "United Kingdom"}


@cache
def blocks_of(stock: Stock, area: Area) -> tuple[str, ...]:
    """The area's blocks that are valid numbers of the stock's kind, in a fixed order of their own (so areas do
    not all start at 200). In North America validity is the area code's: one look at it does for every exchange."""
    candidates = sorted(
        (f"{d:03d}" for d in range(1000)), key=lambda d: hashlib.sha256(area.prefix.encode() + d.encode()).digest()
    )
    zeros = "0" * (area.length - len(area.prefix) - 3)
    if area.prefix.startswith("+1"):
        sold = kind_of(f"{area.prefix}200{zeros}") in KIND_TYPES[stock.kind]
        return tuple(area.prefix + d for d in candidates if sold and not is_reserved_exchange(d))
    return tuple(area.prefix + d for d in candidates if kind_of(area.prefix + d + zeros) in KIND_TYPES[stock.kind])


def is_reserved_exchange(nxx: str) -> bool:
    return nxx[0] in "01" or nxx[1:] == "11" or nxx in RESERVED_EXCHANGES


def kind_of(phone_number: str) -> int | None:
    try:
        parsed = phonenumbers.parse(phone_number)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.number_type(parsed) if phonenumbers.is_valid_number(parsed) else None


def numbers_in(stock: Stock, areas: Iterable[Area], head: str = "") -> Iterator[tuple[Area, str]]:
    """Every number of the areas in stock order, skipping the blocks that cannot start with ``head`` digits."""
    for area in areas:
        for block in blocks_of(stock, area):
            digits = block[1:]
            if not (digits.startswith(head) or head.startswith(digits)):
                continue
            width = area.length - len(block)
            for line in range(10**width):
                yield area, f"{block}{line:0{width}d}"


def search(stock: Stock, query: Query, taken: Container[str], limit: int) -> list[Offer]:
    """Up to ``limit`` numbers nobody has taken that match the query, in stock order."""
    if not query.capabilities <= set(stock.capabilities):
        return []
    found: list[Offer] = []
    for scanned, (area, number) in enumerate(numbers_in(stock, query.areas(stock), query.head)):
        if len(found) >= limit or scanned >= SCAN_LIMIT:
            break
        if number not in taken and (query.contains is None or query.contains.search(number[1:])):
            found.append(Offer(number, area, stock))
    return found


def untaken(stock: Stock, areas: Iterable[Area], prefix: str, taken: Container[str], count: int) -> list[Offer]:
    """The first ``count`` numbers of the areas that start with ``prefix`` and nobody has taken (fewer when the
    areas run out)."""
    head = prefix.removeprefix("+")
    found: list[Offer] = []
    for area, number in numbers_in(stock, areas, head):
        if len(found) >= count:
            break
        if number not in taken and number.startswith(head, 1):
            found.append(Offer(number, area, stock))
    return found


def find(phone_number: str) -> Offer | None:
    """The stock's offer of this number, if Twilio sells it."""
    for stock in STOCKS.values():
        for area in stock.areas:
            block = phone_number[: len(area.prefix) + 3]
            if (
                phone_number.startswith(area.prefix)
                and len(phone_number) == area.length
                and block in blocks_of(stock, area)
                and kind_of(phone_number) in KIND_TYPES[stock.kind]
            ):
                return Offer(phone_number, area, stock)
    return None


def in_area_code(area_code: str, taken: Container[str]) -> Offer | None:
    """The first number nobody has taken in a North American area code (local or toll-free)."""
    for stock in STOCKS.values():
        areas = [a for a in stock.areas if a.prefix == f"+1{area_code}"]
        found = next(((a, n) for a, n in numbers_in(stock, areas) if n not in taken), None)
        if found is not None:
            return Offer(found[1], found[0], stock)
    return None


def is_area_code(area_code: str) -> bool:
    """A North American area code (NPA) that numbers can have."""
    return re.fullmatch(r"[2-9]\d\d", area_code) is not None and kind_of(f"+1{area_code}2000000") is not None


def contains(pattern: str) -> re.Pattern[str]:
    """Twilio's Contains (2 to 16 characters): digits, letters (as on a keypad), ``*`` for one digit and ``%`` for
    any digits; a leading ``+`` anchors at the start of the number (its country code), a trailing ``$`` at its end.
    Raises ``ValueError`` for anything else."""
    if not 2 <= len(pattern) <= 16 or re.fullmatch(r"\+?[0-9A-Za-z*%]+\$?", pattern) is None:
        raise ValueError(f"Invalid Pattern: {pattern}")
    body = pattern.strip("+$").upper().translate(KEYPAD)
    regex = "".join(r"\d" if c == "*" else r"\d*" if c == "%" else c for c in body)
    return re.compile(("^" if pattern.startswith("+") else "") + regex + ("$" if pattern.endswith("$") else ""))
