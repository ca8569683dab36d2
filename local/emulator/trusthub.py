"""Trust Hub v1: TrustProducts (create, list with Status / FriendlyName / PolicySid, fetch, update, delete) and their
ChannelEndpointAssignments (assign a phone number, list with ChannelEndpointSid / ChannelEndpointSids, fetch, delete).
Per account, by Basic auth; another account's product or assignment is 404.

A product's policy says what kind it is (``POLICIES``: Twilio's published policy SIDs, the same in every account).
A phone number joins a product as Twilio's onboarding guides do it: in ``draft`` (numbers are assigned before the
product is submitted for vetting) or once ``twilio-approved``; a product under review (``pending-review``,
``in-review``) or ``twilio-rejected`` takes none, nor does a policy that takes no phone numbers (A2P messaging), and
CNAM takes US local numbers only (not toll-free). The number must be the account's or one of its subaccounts'.
Statuses change as Twilio's review changes them: tests set them with ``POST /_emulator/trust-products/{Sid}``."""

from __future__ import annotations

import time
from typing import Any

import phonenumbers
from flask import Blueprint, Response, jsonify, request

from local.emulator import common
from local.emulator.common import caller, caller_owns, not_found, too_long, twilio_error, world
from local.emulator.state import EndpointAssignment, TrustProduct, World, iso8601, sid

routes = Blueprint("trusthub", __name__)
TRUSTHUB = "https://trusthub.twilio.com"
STATUSES = ("draft", "pending-review", "in-review", "twilio-rejected", "twilio-approved")
# Twilio's policy SIDs (static, the same in every account) → the kind of product the backend names it.
POLICIES: dict[str, str] = {
    "RN5b3660f9598883b1df4e77f77acefba0": "voice_integrity",
    "RN7a97559effdf62d00f4298208492a5ea": "shaken_stir",
    "RNf3db3cd1fe25fcfd3c3ded065c8fea53": "cnam",
    "RNca63d1066fbd5e44eac02d0b3cf6d019": "branded_calling",
    # A2P 10DLC messaging: a trust product whose phone numbers go to a Messaging Service, not to the product.
    "RNb0d4771c2c98518d916a3d4cd70a8f8b": "other",
}
POLICY_OF_KIND = {kind: policy for policy, kind in POLICIES.items()}
TAKES_PHONE_NUMBERS = {"voice_integrity", "shaken_stir", "cnam", "branded_calling"}
ASSIGNABLE = ("draft", "twilio-approved")
PHONE_NUMBER = "phone-number"


def created(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.status_code = 201
    return response


# TrustProducts


@routes.post("/v1/TrustProducts")
def create_trust_product() -> Response:
    account = caller()
    if isinstance(account, Response):
        return account
    form = request.form
    missing = next((p for p in ("FriendlyName", "Email", "PolicySid") if not form.get(p)), None)
    if missing:
        return twilio_error(400, 20001, f"Missing required parameter {missing} in the post body")
    if form["PolicySid"] not in POLICIES:
        return twilio_error(400, 20001, f"Invalid PolicySid: no policy {form['PolicySid']} for trust products")
    invalid = too_long(form["FriendlyName"]) or callback_error(form.get("StatusCallback"))
    if invalid:
        return invalid
    product = add_trust_product(
        world(), account.sid, form["PolicySid"], form["FriendlyName"], form["Email"], form.get("StatusCallback")
    )
    return created(trust_product_json(product))


def add_trust_product(
    state: World,
    account_sid: str,
    policy_sid: str,
    friendly_name: str,
    email: str,
    status_callback: str | None = None,
    status: str = "draft",
    seed: str | None = None,
) -> TrustProduct:
    """A new trust product (its SID stable for a ``seed``: demo data)."""
    product = TrustProduct(
        sid("BU", seed), account_sid, policy_sid, friendly_name, email, status, status_callback or None
    )
    with state.lock:
        state.trust_products[product.sid] = product
    return product


def seed_assignment(state: World, product: TrustProduct, endpoint_sid: str) -> EndpointAssignment:
    """The phone number assigned to the product (demo data: a stable SID, no refusal)."""
    assignment = EndpointAssignment(
        sid("RA", f"{product.sid}:{endpoint_sid}"), product.account_sid, product.sid, PHONE_NUMBER, endpoint_sid
    )
    with state.lock:
        state.endpoint_assignments[assignment.sid] = assignment
    return assignment


def callback_error(url: str | None) -> Response | None:
    if url and not url.startswith(("http://", "https://")):
        return twilio_error(400, 21502, "Invalid callback url: StatusCallback must be an http(s) URL")
    return None


@routes.get("/v1/TrustProducts")
def list_trust_products() -> Response:
    account = caller()
    if isinstance(account, Response):
        return account
    status, friendly, policy = (request.args.get(k) for k in ("Status", "FriendlyName", "PolicySid"))
    if status is not None and status not in STATUSES:
        return twilio_error(400, 20001, f"Status must be one of {', '.join(STATUSES)}")
    with world().lock:
        rows = [
            trust_product_json(p)
            for p in sorted(world().trust_products.values(), key=lambda p: p.created)
            if p.account_sid == account.sid
            and status in (None, p.status)
            and friendly in (None, p.friendly_name)
            and policy in (None, p.policy_sid)
        ]
    return common.v1_page(TRUSTHUB, "results", rows)


def own_trust_product(product_sid: str) -> TrustProduct | Response:
    return caller_owns(world().trust_products.get(product_sid))


@routes.get("/v1/TrustProducts/<product_sid>")
def fetch_trust_product(product_sid: str) -> Response:
    product = own_trust_product(product_sid)
    return product if isinstance(product, Response) else jsonify(trust_product_json(product))


@routes.post("/v1/TrustProducts/<product_sid>")
def update_trust_product(product_sid: str) -> Response:
    """``FriendlyName``, ``Email``, ``StatusCallback``; or ``Status`` alone: ``pending-review`` submits a ``draft``
    (or ``twilio-rejected``) product for review. Twilio's review makes the other statuses."""
    product = own_trust_product(product_sid)
    if isinstance(product, Response):
        return product
    form = request.form
    properties = [p for p in ("FriendlyName", "Email", "StatusCallback") if p in form]
    if "Status" in form and properties:
        return twilio_error(400, 22204, "Bundle status and properties cannot be updated in the same request")
    invalid = too_long(form.get("FriendlyName")) or callback_error(form.get("StatusCallback"))
    if invalid:
        return invalid
    with world().lock:
        if "Status" in form:
            if form["Status"] not in STATUSES:
                return twilio_error(400, 22203, f"Unable to parse bundle status {form['Status']}")
            if form["Status"] != "pending-review" or product.status not in ("draft", "twilio-rejected"):
                return twilio_error(400, 20001, f"Invalid status transition from {product.status} to {form['Status']}")
            product.status = form["Status"]
        if "FriendlyName" in form:
            product.friendly_name = form["FriendlyName"]
        if "Email" in form:
            product.email = form["Email"]
        if "StatusCallback" in form:
            product.status_callback = form["StatusCallback"] or None
        product.updated = time.time()
        return jsonify(trust_product_json(product))


@routes.delete("/v1/TrustProducts/<product_sid>")
def delete_trust_product(product_sid: str) -> Response:
    """The product goes, and its phone numbers leave it (Twilio's CNAM guide: "You can remove CNAM by unassigning
    Phone Number from CNAM Trust Product or by deleting the CNAM Trust Product")."""
    with world().lock:
        product = own_trust_product(product_sid)
        if isinstance(product, Response):
            return product
        for assignment in [a for a in world().endpoint_assignments.values() if a.trust_product_sid == product.sid]:
            del world().endpoint_assignments[assignment.sid]
        del world().trust_products[product.sid]
    return Response(status=204)


def trust_product_json(product: TrustProduct) -> dict[str, Any]:
    url = f"{TRUSTHUB}/v1/TrustProducts/{product.sid}"
    return {
        "sid": product.sid,
        "account_sid": product.account_sid,
        "policy_sid": product.policy_sid,
        "friendly_name": product.friendly_name,
        "status": product.status,
        "email": product.email,
        "status_callback": product.status_callback,
        "valid_until": None,
        "date_created": iso8601(product.created),
        "date_updated": iso8601(product.updated),
        "url": url,
        "links": {
            "trust_products_entity_assignments": f"{url}/EntityAssignments",
            "trust_products_evaluations": f"{url}/Evaluations",
            "trust_products_channel_endpoint_assignment": f"{url}/ChannelEndpointAssignments",
        },
        "errors": None,
    }


# ChannelEndpointAssignments


ASSIGNMENTS = "/v1/TrustProducts/<product_sid>/ChannelEndpointAssignments"


@routes.post(ASSIGNMENTS)
def create_assignment(product_sid: str) -> Response:
    product = own_trust_product(product_sid)
    if isinstance(product, Response):
        return product
    form = request.form
    missing = next((p for p in ("ChannelEndpointType", "ChannelEndpointSid") if not form.get(p)), None)
    if missing:
        return twilio_error(400, 20001, f"Missing required parameter {missing} in the post body")
    with world().lock:
        refused = refusal(world(), product, form["ChannelEndpointType"], form["ChannelEndpointSid"])
        if refused:
            return refused
        assignment = EndpointAssignment(
            sid("RA"), product.account_sid, product.sid, PHONE_NUMBER, form["ChannelEndpointSid"]
        )
        world().endpoint_assignments[assignment.sid] = assignment
    return created(assignment_json(assignment))


def refusal(state: World, product: TrustProduct, endpoint_type: str, endpoint_sid: str) -> Response | None:
    """Why Twilio refuses to assign the phone number to the product, as its error; None when it does not."""
    kind = POLICIES[product.policy_sid]
    if endpoint_type != PHONE_NUMBER:
        return twilio_error(400, 20001, f"ChannelEndpointType must be {PHONE_NUMBER}")
    if kind not in TAKES_PHONE_NUMBERS:
        return twilio_error(
            400, 20001, f"Trust product {product.sid}: policy {product.policy_sid} takes no phone numbers"
        )
    if product.status not in ASSIGNABLE:
        return twilio_error(
            400, 20001, f"Trust product {product.sid} is {product.status}: phone numbers cannot be assigned to it"
        )
    number = state.numbers.get(endpoint_sid)
    owner = state.accounts.get(number.account_sid) if number else None
    if number is None or owner is None or product.account_sid not in (owner.sid, owner.owner_account_sid):
        return twilio_error(
            400, 22205, f"Invalid ChannelEndpointSid {endpoint_sid}: no such phone number in the account"
        )
    if kind == "cnam" and not us_local(number.phone_number):
        return twilio_error(400, 20001, f"Trust product {product.sid}: CNAM takes US local phone numbers only")
    taken = any(
        a.trust_product_sid == product.sid and a.channel_endpoint_sid == endpoint_sid
        for a in state.endpoint_assignments.values()
    )
    if taken:
        return twilio_error(400, 20001, f"{endpoint_sid} is assigned to trust product {product.sid} already")
    return None


def us_local(phone: str) -> bool:
    """Twilio's CNAM guide: "CA numbers cannot be assigned to CNAM profiles. US and CA Toll Free numbers cannot be
    assigned to CNAM profiles."."""
    try:
        parsed = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return False
    toll_free = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE
    return parsed.country_code == 1 and not toll_free and phonenumbers.region_code_for_number(parsed) != "CA"


@routes.get(ASSIGNMENTS)
def list_assignments(product_sid: str) -> Response:
    product = own_trust_product(product_sid)
    if isinstance(product, Response):
        return product
    wanted: set[str] | None = None
    if "ChannelEndpointSid" in request.args:
        wanted = {request.args["ChannelEndpointSid"]}
    if "ChannelEndpointSids" in request.args:
        listed = {s.strip() for s in request.args["ChannelEndpointSids"].split(",") if s.strip()}
        wanted = listed if wanted is None else wanted & listed
    with world().lock:
        rows = [
            assignment_json(a)
            for a in sorted(world().endpoint_assignments.values(), key=lambda a: a.created)
            if a.trust_product_sid == product.sid and (wanted is None or a.channel_endpoint_sid in wanted)
        ]
    return common.v1_page(TRUSTHUB, "results", rows)


def own_assignment(product_sid: str, assignment_sid: str) -> EndpointAssignment | Response:
    product = own_trust_product(product_sid)
    if isinstance(product, Response):
        return product
    assignment = world().endpoint_assignments.get(assignment_sid)
    return assignment if assignment is not None and assignment.trust_product_sid == product.sid else not_found()


@routes.get(f"{ASSIGNMENTS}/<assignment_sid>")
def fetch_assignment(product_sid: str, assignment_sid: str) -> Response:
    found = own_assignment(product_sid, assignment_sid)
    return found if isinstance(found, Response) else jsonify(assignment_json(found))


@routes.delete(f"{ASSIGNMENTS}/<assignment_sid>")
def delete_assignment(product_sid: str, assignment_sid: str) -> Response:
    with world().lock:
        found = own_assignment(product_sid, assignment_sid)
        if isinstance(found, Response):
            return found
        del world().endpoint_assignments[found.sid]
    return Response(status=204)


def assignment_json(assignment: EndpointAssignment) -> dict[str, Any]:
    return {
        "sid": assignment.sid,
        "trust_product_sid": assignment.trust_product_sid,
        "account_sid": assignment.account_sid,
        "channel_endpoint_type": assignment.channel_endpoint_type,
        "channel_endpoint_sid": assignment.channel_endpoint_sid,
        "date_created": iso8601(assignment.created),
        "url": f"{TRUSTHUB}/v1/TrustProducts/{assignment.trust_product_sid}/ChannelEndpointAssignments/"
        + assignment.sid,
    }
