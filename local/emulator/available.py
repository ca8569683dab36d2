"""Api 2010 AvailablePhoneNumbers: the countries, one country, and searches of a country's Local, TollFree and
Mobile numbers (AreaCode, Contains, InRegion, InLocality, InPostalCode, the capability flags, PageSize), answered
from Twilio's stock (``stock``) less the numbers any account owns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify, request

from local.emulator import stock
from local.emulator.common import API, authorised_for, not_found, page_size, twilio_error, world

routes = Blueprint("available", __name__)
AVAILABLE = f"{API}/Accounts/<account_sid>/AvailablePhoneNumbers"
KINDS = {"Local": "local", "TollFree": "toll_free", "Mobile": "mobile"}
CAPABILITY_FLAGS = {"VoiceEnabled": "voice", "SmsEnabled": "sms", "MmsEnabled": "mms", "FaxEnabled": "fax"}


@routes.get(f"{AVAILABLE}.json")
def list_countries(account_sid: str) -> Response:
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    return jsonify({"countries": [country_json(account_sid, c) for c in stock.COUNTRIES], "uri": request.path})


@routes.get(f"{AVAILABLE}/<country>.json")
def fetch_country(account_sid: str, country: str) -> Response:
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    return jsonify(country_json(account_sid, country)) if country in stock.COUNTRIES else not_found()


@routes.get(f"{AVAILABLE}/<country>/<kind>.json")
def search(account_sid: str, country: str, kind: str) -> Response:
    """Twilio answers one list (no further pages): an empty one when nothing matches, 404 for a country or kind
    it does not sell."""
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    offered = stock.STOCKS.get((country, KINDS.get(kind, "")))
    if offered is None:
        return not_found()
    query, size = query_of(request.args), page_size()
    if isinstance(query, Response):
        return query
    if isinstance(size, Response):
        return size
    with world().lock:
        offers = stock.search(offered, query, world().owners, size)
    uri = f"{request.path}?{request.query_string.decode()}" if request.query_string else request.path
    return jsonify({"available_phone_numbers": [offer_json(o) for o in offers], "uri": uri})


def query_of(args: Mapping[str, str]) -> stock.Query | Response:
    area_code = args.get("AreaCode")
    if area_code is not None and not area_code.isdigit():
        return twilio_error(400, 20001, "AreaCode must be an integer")
    try:
        contains = stock.contains(args["Contains"]) if "Contains" in args else None
    except ValueError as exc:
        return twilio_error(400, 20001, str(exc))
    return stock.Query(
        area_code=area_code,
        contains=contains,
        region=args.get("InRegion"),
        locality=args.get("InLocality"),
        postal_code=args.get("InPostalCode"),
        capabilities=frozenset(c for flag, c in CAPABILITY_FLAGS.items() if args.get(flag, "").lower() == "true"),
    )


def country_json(account_sid: str, country: str) -> dict[str, Any]:
    base = f"{API}/Accounts/{account_sid}/AvailablePhoneNumbers/{country}"
    return {
        "beta": False,
        "country": stock.COUNTRIES[country],
        "country_code": country,
        "subresource_uris": {
            kind: f"{base}/{path}.json" for path, kind in KINDS.items() if (country, kind) in stock.STOCKS
        },
        "uri": f"{base}.json",
    }


def offer_json(offer: stock.Offer) -> dict[str, Any]:
    area, capabilities = offer.area, offer.stock.capabilities
    return {
        "address_requirements": "none",
        "beta": False,
        "capabilities": {c: c in capabilities for c in ("voice", "sms", "mms", "fax")},
        "friendly_name": offer.friendly_name,
        "iso_country": offer.stock.country,
        "lata": area.lata,
        "latitude": area.latitude,
        "locality": area.locality,
        "longitude": area.longitude,
        "phone_number": offer.phone_number,
        "postal_code": area.postal_code,
        "rate_center": area.rate_center,
        "region": area.region,
    }
