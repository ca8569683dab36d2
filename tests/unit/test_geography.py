"""The call path's geography tables agree with phonenumbers, and the call path never loads its geocoder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest
from phonenumbers import geocoder, timezone

from callerid.domain import geo_tables
from callerid.domain.geography import Closeness, place_of_e164
from local import geo

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_tables_are_what_make_geo_generates_from_this_phonenumbers():
    assert (ROOT / "layers/shared/callerid/domain/geo_tables.py").read_text() == geo.render()


@pytest.mark.parametrize(
    ("number", "locality", "region", "zone"),
    [
        ("+12125550100", "New York, NY", "US-NY", "America/New_York"),
        ("+16465550100", "New York, NY", "US-NY", "America/New_York"),
        ("+13325550100", "New York, NY", "US-NY", "America/New_York"),
        ("+19175550100", None, "US-NY", "America/New_York"),
        ("+14155550100", "San Francisco, CA", "US-CA", "America/Los_Angeles"),
        ("+13125550100", "Chicago, IL", "US-IL", "America/Chicago"),
        ("+12065550100", "Seattle, WA", "US-WA", "America/Los_Angeles"),
        ("+14165550100", "Toronto, ON", "CA-ON", "America/Toronto"),
    ],
)
def test_nanp_places(number, locality, region, zone):
    place = place_of_e164(number)
    assert (place.locality, place.region, place.time_zone) == (locality, region, zone)


def test_non_nanp_places_have_their_geographic_prefix_and_time_zone():
    london, manchester = place_of_e164("+442079460958"), place_of_e164("+441612345678")
    assert (london.area, manchester.area) == ("4420", "44161")
    assert london.time_zone == manchester.time_zone == "Europe/London"
    assert london.closeness(manchester) is Closeness.TIMEZONE
    sydney, melbourne, west = (place_of_e164(n) for n in ("+61212345678", "+61312345678", "+61892345678"))
    assert sydney.closeness(melbourne) is Closeness.TIMEZONE
    # A prefix phonenumbers gives several zones (Adelaide, Perth) takes its first.
    assert west.time_zone == "Australia/Adelaide"
    assert sydney.closeness(west) is Closeness.COUNTRY


def sample_numbers():
    """One valid example number per region and type phonenumbers knows, plus a few NANP area codes each."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                found.append(example)
    for npa in list(geo_tables.NANP)[::7]:
        try:
            found.append(phonenumbers.parse(f"+1{npa}5550100"))
        except phonenumbers.NumberParseException:
            continue
    return found


def test_every_time_zone_is_one_phonenumbers_gives_the_number():
    checked = 0
    for parsed in sample_numbers():
        zone = place_of_e164(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)).time_zone
        zones = set(timezone.time_zones_for_number(parsed)) - {"Etc/Unknown"}
        if parsed.country_code == 1:
            # An area code's zone: the one phonenumbers gives the area code (or most of its exchanges).
            zones |= set(timezone.time_zones_for_geographical_number(parsed))
        if zone is not None and zones:
            assert zone in zones, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            checked += 1
    assert checked > 300


def test_a_nanp_locality_is_one_the_geocoder_gives_to_numbers_of_that_area_code():
    from phonenumbers.geodata import GEOCODE_DATA

    for npa in ("212", "646", "415", "206", "312", "702", "503"):
        exchanges = [p for p in GEOCODE_DATA if p.startswith(f"1{npa}") and len(p) == 7][:40] or [f"1{npa}555"]
        described = {
            geocoder.description_for_number(phonenumbers.parse(f"+{prefix}{'0' * (11 - len(prefix))}"), "en")
            for prefix in exchanges
        } | {geocoder.description_for_number(phonenumbers.parse(f"+1{npa}5550100"), "en")}
        assert place_of_e164(f"+1{npa}5550100").locality in described, npa


def test_the_call_path_does_not_import_the_geocoder_or_time_zone_data():
    code = (
        "import sys\nfrom pathlib import Path\nfrom local.functions import load_function\n"
        "load_function(Path('functions/outbound_call'))\n"
        "from callerid.domain.phone import destination\n"
        "destination('+16465552671')\n"
        "print(sorted(m for m in ('phonenumbers.geocoder', 'phonenumbers.timezone', 'phonenumbers.geodata', "
        "'phonenumbers.tzdata', 'twilio.rest') if m in sys.modules))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'shared'}",
        "TABLE_NAME": "t",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "[]"
