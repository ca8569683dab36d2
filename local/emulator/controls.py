"""Emulator controls (``/_emulator/…``): tokens, seeding, caller IDs, verification calls, outbound-call tasks and
their end, settings, numbers in bulk, Trust Hub products and their statuses, auth-token rotation, the request log and
faults; and the hooks that log every Twilio request and play the configured faults."""

from __future__ import annotations

import math
import re
import secrets
import threading
import time
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from local.emulator import stock
from local.emulator.callerids import caller_id_json
from local.emulator.common import twilio_error, world
from local.emulator.state import Account, Fault, World
from local.emulator.taskrouter import worker_json
from local.emulator.tasks import (
    CUSTOMER_LEGS,
    ENDINGS,
    OUTCOMES,
    Outcome,
    deliveries_json,
    end_task,
    start_outbound_task,
    stream_deliveries_json,
    task_json,
)
from local.emulator.trusthub import POLICY_OF_KIND, STATUSES, add_trust_product, seed_assignment, trust_product_json
from local.emulator.verification import play_digits, verification_call_json

routes = Blueprint("controls", __name__)
MAX_BULK_NUMBERS = 100_000


@routes.before_app_request
def _start() -> Response | None:
    g.logged = not request.path.startswith("/_emulator")
    if not g.logged:
        return None
    with world().lock:
        fault = next((f for f in world().faults if re.search(f.path, request.path)), None)
        cleared = world().faults_cleared
    if fault is None:
        return None
    if fault.delay_seconds:
        cleared.wait(fault.delay_seconds)
    if fault.status is not None:
        return twilio_error(fault.status, 20500 if fault.status >= 500 else 20001, "Emulated Twilio fault")
    return None


@routes.after_app_request
def _log(response: Response) -> Response:
    if getattr(g, "logged", False):
        with world().lock:
            world().requests.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode(),
                    "status": response.status_code,
                }
            )
    return response


@routes.post("/_emulator/tokens")
def mint() -> Response:
    body = request.get_json(silent=True) or {}
    account_sid = body.get("accountSid") or next(iter(world().accounts), None)
    if account_sid not in world().accounts or not body.get("identity"):
        return twilio_error(400, 20001, "identity and a known accountSid are required")
    worker_sid = body.get("workerSid") or world().worker_for(account_sid, str(body["identity"])).sid
    record = world().mint_token(
        account_sid,
        str(body["identity"]),
        list(body.get("roles") or ["agent"]),
        worker_sid,
        float(body.get("ttl") or 3600),
    )
    return jsonify({"token": record.token, "workerSid": worker_sid})


@routes.post("/_emulator/seed")
def seed() -> Response:
    return jsonify(apply_seed(world(), request.get_json(force=True)))


@routes.route("/_emulator/faults", methods=["POST", "DELETE"])
def faults() -> Response:
    """``POST {"path": regex, "delaySeconds"?, "status"?}`` makes matching Twilio requests hang and/or fail;
    ``DELETE`` clears every fault (and releases requests still hanging)."""
    with world().lock:
        if request.method == "DELETE":
            world().faults.clear()
            world().faults_cleared.set()
            world().faults_cleared = threading.Event()
        else:
            body = request.get_json(silent=True) or {}
            status = body.get("status")
            world().faults.append(
                Fault(
                    str(body.get("path") or ".*"), float(body.get("delaySeconds") or 0), int(status) if status else None
                )
            )
        return jsonify({"faults": [vars(f) for f in world().faults]})


@routes.post("/_emulator/caller-ids")
def add_caller_id() -> Response:
    """A verified caller ID, as if its verification call had succeeded (tests play the callback themselves)."""
    body = request.get_json(silent=True) or {}
    if body.get("accountSid") not in world().accounts or not body.get("phoneNumber"):
        return twilio_error(400, 20001, "accountSid and phoneNumber are required")
    created = world().add_caller_id(body["accountSid"], str(body["phoneNumber"]), body.get("friendlyName"))
    return jsonify(caller_id_json(created))


@routes.post("/_emulator/verification-calls/<call_sid>")
def answer_verification_call(call_sid: str) -> Response:
    """``{"digits"}`` entered on the pending verification call: the right code creates the caller ID and posts a
    signed ``success`` callback, any other a ``failed`` one. Answers once the callback is posted (after the call's
    CallDelay); 404 for an unknown call or one answered already."""
    body = request.get_json(silent=True)
    digits = body.get("digits") if isinstance(body, dict) else None
    if not isinstance(digits, str):
        return twilio_error(400, 20001, "digits (a string) is required")
    call = play_digits(world(), call_sid, digits)
    if call is None:
        return twilio_error(404, 20404, f"No pending verification call {call_sid}")
    outcome = {"callSid": call.call_sid, "verificationStatus": call.status}
    return jsonify({**outcome, "outgoingCallerIdSid": call.outgoing_caller_id_sid})


@routes.get("/_emulator/verification-calls/<call_sid>")
def peek_verification_call(call_sid: str) -> Response:
    call = world().verification_calls.get(call_sid)
    return jsonify(verification_call_json(call)) if call else twilio_error(404, 20404, "no such verification call")


@routes.route("/_emulator/settings", methods=["GET", "POST"])
def settings() -> Response:
    """``{"verificationAnswerSeconds"}``: how long after it rings a verification call nobody plays digits on answers
    itself with the right code (calls still pending included)."""
    if request.method == "POST":
        body = request.get_json(silent=True)
        seconds = body.get("verificationAnswerSeconds") if isinstance(body, dict) else None
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds < math.inf:
            return twilio_error(400, 20001, "verificationAnswerSeconds must be a number of seconds, 0 or more")
        world().set_verification_answer_seconds(float(seconds))
    return jsonify({"verificationAnswerSeconds": world().verification_answer_seconds})


@routes.post("/_emulator/numbers")
def add_numbers() -> Response:
    """``{"accountSid", "count", "areaCodes"?, "prefix"?}``: ``count`` (up to 100,000) numbers for the account at once,
    the first nobody owns in Twilio's US local stock (in those area codes, all by default; starting with the E.164
    ``prefix``); answers ``{"created"}``, or 400 without creating any when the stock has fewer."""
    body = request.get_json(silent=True) or {}
    account_sid, count, prefix = body.get("accountSid"), body.get("count"), str(body.get("prefix") or "+")
    if account_sid not in world().accounts or not isinstance(count, int) or not 1 <= count <= MAX_BULK_NUMBERS:
        return twilio_error(400, 20001, f"a known accountSid and a count of 1 to {MAX_BULK_NUMBERS} are required")
    us_local = stock.STOCKS[("US", "local")]
    wanted = {f"+1{a}" for a in body.get("areaCodes") or ()}
    areas = [a for a in us_local.areas if not wanted or a.prefix in wanted]
    if len(areas) < len(wanted) or not re.fullmatch(r"\+\d*", prefix):
        return twilio_error(400, 20001, "areaCodes must be area codes the stock has, prefix an E.164 prefix")
    with world().lock:
        fresh = stock.untaken(us_local, areas, prefix, world().owners, count)
        if len(fresh) < count:
            return twilio_error(400, 21452, f"the stock has {len(fresh)} such numbers, not {count}")
        created = world().add_numbers(account_sid, ((o.phone_number, o.friendly_name) for o in fresh))
    return jsonify({"created": created})


@routes.post("/_emulator/outbound-tasks")
def outbound_task() -> Response:
    """``{"workerSid", "from", "to", "accountSid"?, "ageSeconds"?, "taskSid"?, "customerLeg"?}``: the TaskRouter task
    of the worker's outbound call (what Flex's StartOutboundCall creates), reserved to the worker and accepted,
    created ``ageSeconds`` ago (default 0), and its customer leg: an ``in-progress`` Call of the worker's account, its
    SID in the task's attributes as ``conference.participants.customer`` (``customerLeg`` ``attributes``, the
    default), or only in the Calls list (``listOnly``), or no leg at all (``none``: ``callSid`` null); its events
    (task.created, reservation.created, reservation.accepted) are posted to the workspace's EventCallbackUrl before
    the answer ``{"task", "callSid", "events": [{"eventType", "sid", "status"}]}``."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    worker = world().workers.get(str(body.get("workerSid")))
    age = body.get("ageSeconds", 0)
    task_sid = body.get("taskSid")
    if worker is None or not isinstance(body.get("from"), str) or not isinstance(body.get("to"), str):
        return twilio_error(400, 20001, "a known workerSid, from and to are required")
    if body.get("accountSid", worker.account_sid) != worker.account_sid:
        return twilio_error(400, 20001, "accountSid must be the worker's account")
    if isinstance(age, bool) or not isinstance(age, int | float) or not 0 <= age < 86_400 * 30:
        return twilio_error(400, 20001, "ageSeconds must be a number of seconds, 0 or more")
    if task_sid is not None and (not isinstance(task_sid, str) or not re.fullmatch(r"WT[0-9a-f]{32}", task_sid)):
        return twilio_error(400, 20001, "taskSid must be a task SID (WT + 32 hex digits)")
    if task_sid in world().tasks:
        return twilio_error(400, 20001, f"task {task_sid} exists already")
    leg = body.get("customerLeg", "attributes")
    if leg not in CUSTOMER_LEGS:
        return twilio_error(400, 20001, f"customerLeg must be one of {', '.join(CUSTOMER_LEGS)}")
    task, events = start_outbound_task(world(), worker, body["from"], body["to"], float(age), task_sid, str(leg))
    return jsonify({"task": task_json(task), "callSid": task.call_sid, "events": deliveries_json(events)})


@routes.post("/_emulator/outbound-tasks/<task_sid>/end")
def end_outbound_task(task_sid: str) -> Response:
    """``{"ending", "outcome"?, "durationSeconds"?, "sipCode"?}``: the customer leg ends as ``outcome`` says
    (``completed``, the default, connected ``durationSeconds``, default 60; ``no-answer``, ``busy``, ``failed``,
    ``canceled``) with the final SIP response ``sipCode`` (default: 200, 487, 486, 500, 487) — on the task's first
    end only —; then the ``ending`` is posted: ``wrapup``, ``completed``, ``canceled`` (the task), or ``rejected``,
    ``timeout``, ``reservation-canceled`` (its reservation); then the leg's call summary goes to the account's
    subscribed Event Streams webhook sinks. Answers ``{"task", "callSid", "events", "deliveries"}``."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    ending = body.get("ending")
    if ending not in ENDINGS:
        return twilio_error(400, 20001, f"ending must be one of {', '.join(ENDINGS)}")
    outcome = outcome_of(body)
    if isinstance(outcome, Response):
        return outcome
    task = world().tasks.get(task_sid)
    if task is None:
        return twilio_error(404, 20404, f"No outbound task {task_sid}")
    events, summaries = end_task(world(), task, str(ending), outcome)
    return jsonify(
        {
            "task": task_json(task),
            "callSid": task.call_sid,
            "events": deliveries_json(events),
            "deliveries": stream_deliveries_json(summaries),
        }
    )


def outcome_of(body: dict[str, Any]) -> Outcome | Response:
    status = body.get("outcome", "completed")
    duration = body.get("durationSeconds", 60)
    sip_code = body.get("sipCode")
    if status not in OUTCOMES:
        return twilio_error(400, 20001, f"outcome must be one of {', '.join(OUTCOMES)}")
    if "durationSeconds" in body and status != "completed":
        return twilio_error(400, 20001, "durationSeconds is for a completed call only")
    if isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration <= 86_400:
        return twilio_error(400, 20001, "durationSeconds must be a whole number of seconds, 0 to 86400")
    if isinstance(sip_code, str) and sip_code.isdigit():
        sip_code = int(sip_code)
    if sip_code is not None and (isinstance(sip_code, bool) or not isinstance(sip_code, int)):
        return twilio_error(400, 20001, "sipCode must be a SIP response code (100 to 699)")
    if sip_code is not None and not (200 <= sip_code < 300 if status == "completed" else 300 <= sip_code <= 699):
        return twilio_error(400, 20001, "sipCode must be 2xx for a completed call, 300 to 699 otherwise")
    return Outcome(str(status), duration, sip_code)


@routes.route("/_emulator/event-streams/deliveries", methods=["GET", "DELETE"])
def stream_deliveries() -> Response:
    """What Event Streams posted to webhook sinks: ``{"deliveries": [{"sinkSid", "type", "callSid", "status"}]}``
    (status: the sink's answer, null when it did not answer); DELETE clears the list."""
    with world().lock:
        if request.method == "DELETE":
            world().stream_deliveries.clear()
        return jsonify({"deliveries": stream_deliveries_json(list(world().stream_deliveries))})


@routes.post("/_emulator/trust-products")
def add_product() -> Response:
    """``{"accountSid", "friendlyName", "kind", "status"?, "email"?}``: a Trust Hub trust product of the account, of
    a ``kind`` (``voice_integrity``, ``shaken_stir``, ``cnam``, ``branded_calling``, or ``other``: A2P messaging,
    whose policy takes no phone numbers), its ``policy_sid`` Twilio's policy for that kind, in ``status`` (default
    ``draft``); answers the product as Trust Hub shows it."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    kind, status = body.get("kind"), body.get("status", "draft")
    friendly_name, email = body.get("friendlyName"), body.get("email", "trust@example.com")
    if body.get("accountSid") not in world().accounts:
        return twilio_error(400, 20001, "a known accountSid is required")
    if kind not in POLICY_OF_KIND:
        return twilio_error(400, 20001, f"kind must be one of {', '.join(POLICY_OF_KIND)}")
    if status not in STATUSES:
        return twilio_error(400, 20001, f"status must be one of {', '.join(STATUSES)}")
    if not isinstance(friendly_name, str) or not friendly_name or not isinstance(email, str):
        return twilio_error(400, 20001, "friendlyName (a string) is required; email is a string")
    product = add_trust_product(
        world(), str(body["accountSid"]), POLICY_OF_KIND[kind], friendly_name, email, status=str(status)
    )
    return jsonify(trust_product_json(product))


@routes.post("/_emulator/trust-products/<product_sid>")
def set_product_status(product_sid: str) -> Response:
    """``{"status"}``: the trust product's status, as Twilio's review sets it (any of Trust Hub's statuses)."""
    body = request.get_json(silent=True)
    status = body.get("status") if isinstance(body, dict) else None
    if status not in STATUSES:
        return twilio_error(400, 20001, f"status must be one of {', '.join(STATUSES)}")
    with world().lock:
        product = world().trust_products.get(product_sid)
        if product is None:
            return twilio_error(404, 20404, f"No trust product {product_sid}")
        product.status, product.updated = str(status), time.time()
        return jsonify(trust_product_json(product))


@routes.post("/_emulator/accounts/<account_sid>/rotate-auth-token")
def rotate_auth_token(account_sid: str) -> Response:
    """``{"authToken"?}``: Twilio's auth-token promotion. The account's secondary auth token (the given one, else
    the account's secondary token, else a new one) becomes its primary token and the previous primary stops working
    at once: REST requests with it get 401, and every callback the emulator posts from now on is signed with the new
    token. Answers ``{"accountSid", "authToken", "previousAuthToken"}``."""
    body = request.get_json(silent=True)
    given = body.get("authToken") if isinstance(body, dict) else None
    account = world().accounts.get(account_sid)
    if account is None:
        return twilio_error(404, 20404, f"No account {account_sid}")
    if given is not None and (not isinstance(given, str) or not re.fullmatch(r"[0-9a-f]{32}", given)):
        return twilio_error(400, 20001, "authToken must be 32 lowercase hex digits, as Twilio's are")
    if given == account.auth_token:
        return twilio_error(400, 20001, "authToken must differ from the current one")
    previous = world().rotate_auth_token(account, given)
    return jsonify({"accountSid": account.sid, "authToken": account.auth_token, "previousAuthToken": previous})


@routes.route("/_emulator/accounts/<account_sid>/secondary-auth-token", methods=["POST", "DELETE"])
def secondary_auth_token(account_sid: str) -> Response:
    """``POST {"secondaryAuthToken"?}`` creates the account's secondary auth token (Twilio's ``AuthTokens/Secondary``):
    REST requests authenticate with it as with the primary one, callbacks stay signed with the primary one until it
    is promoted (``rotate-auth-token``). ``DELETE`` removes it. Answers ``{"accountSid", "secondaryAuthToken"}``."""
    body = request.get_json(silent=True)
    given = body.get("secondaryAuthToken") if isinstance(body, dict) else None
    account = world().accounts.get(account_sid)
    if account is None:
        return twilio_error(404, 20404, f"No account {account_sid}")
    if given is not None and (not isinstance(given, str) or not re.fullmatch(r"[0-9a-f]{32}", given)):
        return twilio_error(400, 20001, "secondaryAuthToken must be 32 lowercase hex digits, as Twilio's are")
    with world().lock:
        if request.method == "DELETE":
            account.secondary_auth_token = None
        else:
            account.secondary_auth_token = given or secrets.token_hex(16)
        return jsonify({"accountSid": account.sid, "secondaryAuthToken": account.secondary_auth_token})


@routes.get("/_emulator/workers/<worker_sid>")
def peek_worker(worker_sid: str) -> Response:
    worker = world().workers.get(worker_sid)
    return jsonify(worker_json(worker)) if worker else twilio_error(404, 20404, "no such worker")


@routes.route("/_emulator/requests", methods=["GET", "DELETE"])
def request_log() -> Response:
    with world().lock:
        if request.method == "DELETE":
            world().requests.clear()
        return jsonify({"requests": list(world().requests)})


def apply_seed(state: World, spec: dict[str, Any]) -> dict[str, Any]:
    """Create accounts (parents before children), their numbers, verified caller IDs and Trust Hub products from a
    JSON spec. An account's ``trustProducts``: ``[{"friendlyName", "kind", "status"?, "phoneNumbers"?}]`` (a kind
    of ``POST /_emulator/trust-products``, default status ``twilio-approved``, the E.164 numbers of the account
    assigned to it), each with a SID stable for the account's key and the product's name; answered per account as
    ``trustProducts: [{"sid", "friendlyName", "kind", "status", "policySid"}]``."""
    created: dict[str, Any] = {"accounts": []}
    by_key: dict[str, Account] = {}
    for entry in spec.get("accounts", []):
        parent = by_key.get(entry.get("parent", "")) or state.accounts.get(entry.get("parentSid", ""))
        account = state.add_account(
            entry["friendlyName"], parent.sid if parent else None, seed=entry["key"], auth_token=entry.get("authToken")
        )
        by_key[entry["key"]] = account
        for number in entry.get("numbers", []):
            state.add_number(
                account.sid,
                number["phoneNumber"],
                number.get("friendlyName"),
                voice=number.get("voice", True),
                sms=number.get("sms", True),
            )
        for caller_id in entry.get("callerIds", []):
            state.add_caller_id(account.sid, caller_id["phoneNumber"], caller_id.get("friendlyName"))
        products = [seed_trust_product(state, account, entry["key"], p) for p in entry.get("trustProducts", [])]
        created["accounts"].append(
            {
                "key": entry["key"],
                "sid": account.sid,
                "authToken": account.auth_token,
                "friendlyName": account.friendly_name,
                "parentSid": parent.sid if parent else None,
                "taskrouterWorkspaceSid": state.workspace_of(account.sid).sid,
                "trustProducts": products,
            }
        )
    return created


def seed_trust_product(state: World, account: Account, key: str, spec: dict[str, Any]) -> dict[str, Any]:
    kind, status = spec["kind"], spec.get("status", "twilio-approved")
    if kind not in POLICY_OF_KIND or status not in STATUSES:
        raise ValueError(f"trust product kind {kind!r} or status {status!r} unknown")
    product = add_trust_product(
        state,
        account.sid,
        POLICY_OF_KIND[kind],
        spec["friendlyName"],
        spec.get("email", "trust@example.com"),
        status=status,
        seed=f"{key}:trust:{spec['friendlyName']}",
    )
    for phone in spec.get("phoneNumbers", []):
        owned = state.owners.get(phone)
        if owned is None or owned.account_sid != account.sid:
            raise ValueError(f"{phone} is not a number of {account.sid}")
        seed_assignment(state, product, owned.sid)
    return {
        "sid": product.sid,
        "friendlyName": product.friendly_name,
        "kind": kind,
        "status": product.status,
        "policySid": product.policy_sid,
    }
