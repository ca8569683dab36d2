"""``make geo``: derive the call path's compact geography tables from ``phonenumbers``' geocoder and time-zone data.

The call path must not import ``phonenumbers.geocoder`` or ``phonenumbers.timezone`` (about 350 ms of data), yet
local presence needs, for a dialled number, its place and time zone. This writes what it needs as a small module
(``callerid/domain/geo_tables.py``, committed): per NANP area code its locality (the area code's own city, shared
by its overlays), its state or province and its time zone; per non-NANP prefix its time zone; and the country
codes phonenumbers knows (``callerid.http.models.countries``: listing them loads its metadata, about 20 ms). A
test regenerates the module and compares it with the committed one, so a new ``phonenumbers`` release shows up as a
failing test.

    python -m local.geo            # rewrite the module
    python -m local.geo --check    # exit 1 when the committed module differs
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "layers" / "shared" / "callerid" / "domain" / "geo_tables.py"
UNKNOWN_ZONE = "Etc/Unknown"


def code_of(text: str) -> str | None:
    """The state or province code of a ``City, ST`` description."""
    _, sep, tail = text.rpartition(", ")
    return tail if sep and len(tail) == 2 and tail.isupper() else None


def most_common(counts: list[tuple[int, str]]) -> str | None:
    return sorted(counts, key=lambda c: (-c[0], c[1]))[0][1] if counts else None


def nanp_data() -> tuple[dict[str, str], dict[str, Counter[str]], dict[str, Counter[str]]]:
    """phonenumbers' NANP data by area code: its own description, its exchanges' descriptions, its time zones."""
    from phonenumbers.geodata import GEOCODE_DATA
    from phonenumbers.tzdata import TIMEZONE_DATA

    own: dict[str, str] = {}
    exchanges: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for prefix, names in GEOCODE_DATA.items():
        text = names.get("en") if isinstance(names, dict) else None
        if prefix.startswith("1") and text and len(prefix) == 4:
            own[prefix[1:]] = text
        elif prefix.startswith("1") and text and len(prefix) == 7:
            exchanges[prefix[1:4]][text] += 1
    zones: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for prefix, zone_names in TIMEZONE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            for zone in (z for z in zone_names if z != UNKNOWN_ZONE):
                zones[prefix[1:4]][zone] += 100 if len(prefix) == 4 else 1
    return own, exchanges, zones


def state_names(own: dict[str, str], exchanges: dict[str, Counter[str]]) -> dict[str, str]:
    """State or province name -> code, learnt from the area codes whose own description is the name and whose
    exchanges say ``City, ST``."""
    codes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for npa, name in own.items():
        if code_of(name) is None:
            for text, n in exchanges.get(npa, Counter()).items():
                if (code := code_of(text)) is not None:
                    codes[name][code] += n
    return {name: counts.most_common(1)[0][0] for name, counts in codes.items()}


def nanp_places() -> dict[str, tuple[str, str, str]]:
    """NPA -> (locality, region, time zone). Locality: the area code's own ``City, ST`` description, else the most
    common one among its exchanges (so 212, 646 and 332 are all "New York, NY"); region: the state or province
    code (a description that is a state name is mapped to its code through the exchanges that name both)."""
    own, exchanges, zones = nanp_data()
    name_to_code = state_names(own, exchanges)
    table: dict[str, tuple[str, str, str]] = {}
    for npa in sorted(set(own) | set(exchanges) | set(zones)):
        name = own.get(npa)
        found = exchanges.get(npa, Counter())
        cities = [(n, text) for text, n in found.items() if code_of(text) is not None]
        plain = [(n, text) for text, n in found.items() if code_of(text) is None]
        locality = (name if name and code_of(name) else None) or most_common(cities) or ""
        region = (
            (code_of(locality) if locality else None)
            or (name_to_code.get(name) if name else None)
            or name_to_code.get(most_common(plain) or "")
        )
        zone = most_common([(n, z) for z, n in zones.get(npa, Counter()).items()]) or ""
        if locality or region or zone:
            table[npa] = (locality, region or "", zone)
    return table


def prefix_zones() -> dict[str, str]:
    """Non-NANP prefix (country calling code and leading digits) -> its first known time zone."""
    from phonenumbers.tzdata import TIMEZONE_DATA

    found = {}
    for prefix, names in TIMEZONE_DATA.items():
        if prefix.startswith("1"):
            continue
        known = [z for z in names if z != UNKNOWN_ZONE]
        if known:
            found[prefix] = known[0]
    return found


def render() -> str:
    import phonenumbers

    nanp = nanp_places()
    zones = prefix_zones()
    names = sorted({z for _, _, z in nanp.values() if z} | set(zones.values()))
    index = {name: i for i, name in enumerate(names)}
    lines = [
        f'"""Generated by ``python -m local.geo`` from phonenumbers {phonenumbers.__version__}: do not edit.',
        "",
        "NANP: area code -> (locality, state or province, index into ZONE_NAMES or -1).",
        "PREFIX_ZONES: non-NANP prefix (calling code + leading digits) -> index into ZONE_NAMES.",
        'REGIONS: the ISO 3166-1 alpha-2 codes of phonenumbers\' regions (its SUPPORTED_REGIONS)."""',
        "",
        "ZONE_NAMES: tuple[str, ...] = (",
        *[f"    {json.dumps(name)}," for name in names],
        ")",
        "",
        "NANP: dict[str, tuple[str, str, int]] = {",
        *[
            f"    {json.dumps(npa)}: ({json.dumps(locality)}, {json.dumps(region)}, {index[zone] if zone else -1}),"
            for npa, (locality, region, zone) in sorted(nanp.items())
        ],
        "}",
        "",
        "PREFIX_ZONES: dict[str, int] = {",
        *[f"    {json.dumps(prefix)}: {index[zone]}," for prefix, zone in sorted(zones.items())],
        "}",
        "",
        "REGIONS: tuple[str, ...] = (",
        *[f"    {json.dumps(region)}," for region in sorted(phonenumbers.SUPPORTED_REGIONS)],
        ")",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed module is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text() if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run `make geo`.", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
