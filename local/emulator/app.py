"""The emulator's HTTP surface (Flask). Twilio paths are served from one base URL:

* Api 2010: Accounts/{Sid}.json, IncomingPhoneNumbers.json, OutgoingCallerIds.json (list, and POST: the
  ValidationRequest that places the verification "call" and posts a signed status callback),
  OutgoingCallerIds/{Sid}.json (fetch)
* TaskRouter v1: Workspaces, Workers/{Sid} with ETag / If-Match / 412
* IAM: POST /v1/Accounts/{AccountSid}/Tokens/validate
* Emulator controls: POST /_emulator/tokens, POST /_emulator/seed, POST /_emulator/caller-ids,
  GET/DELETE /_emulator/requests, POST/DELETE /_emulator/faults (a hung or failing Twilio)
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from twilio.request_validator import RequestValidator

from local.emulator.state import Account, CallerId, Fault, Number, Worker, Workspace, World, iso8601, rfc2822, sid

API = "/2010-04-01"
TASKROUTER = "https://taskrouter.twilio.com"


def twilio_error(status: int, code: int, message: str) -> Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    response = jsonify(body)
    response.status_code = status
    return response


def world() -> World:
    """The emulator's state, kept on the Flask app."""
    return current_app.config["WORLD"]


routes = Blueprint("twilio", __name__)


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


def basic_auth() -> Account | None:
    auth = request.authorization
    if auth is None or auth.type != "basic":
        return None
    account = world().accounts.get(auth.username or "")
    return account if account and account.auth_token == auth.password else None


def authorised_for(account_sid: str) -> Account | Response:
    """The request's credentials must be the account's own or its owner's (parent) account's."""
    caller = basic_auth()
    target = world().accounts.get(account_sid)
    if caller is None:
        return twilio_error(401, 20003, "Authenticate")
    if target is None or (caller.sid != target.sid and caller.sid != target.owner_account_sid):
        return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
    return target


# ---- Api 2010 -------------------------------------------------------------------------------------------
@routes.get(f"{API}/Accounts/<account_sid>.json")
def fetch_account(account_sid: str) -> Response:
    target = authorised_for(account_sid)
    return target if isinstance(target, Response) else jsonify(account_json(target))


@routes.get(f"{API}/Accounts/<account_sid>/IncomingPhoneNumbers.json")
def list_numbers(account_sid: str) -> Response:
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    with world().lock:
        rows = sorted((n for n in world().numbers.values() if n.account_sid == account_sid), key=lambda n: n.sid)
    return api_page("incoming_phone_numbers", [number_json(n) for n in rows])


@routes.get(f"{API}/Accounts/<account_sid>/OutgoingCallerIds.json")
def list_caller_ids(account_sid: str) -> Response:
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    with world().lock:
        rows = sorted((c for c in world().caller_ids.values() if c.account_sid == account_sid), key=lambda c: c.sid)
    return api_page("outgoing_caller_ids", [caller_id_json(c) for c in rows])


@routes.get(f"{API}/Accounts/<account_sid>/OutgoingCallerIds/<caller_id_sid>.json")
def fetch_caller_id(account_sid: str, caller_id_sid: str) -> Response:
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    with world().lock:
        found = world().caller_ids.get(caller_id_sid)
    if found is None or found.account_sid != account_sid:
        return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
    return jsonify(caller_id_json(found))


@routes.post(f"{API}/Accounts/<account_sid>/OutgoingCallerIds.json")
def create_validation_request(account_sid: str) -> Response:
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    phone = request.form.get("PhoneNumber", "")
    if not phone.startswith("+") or not phone[1:].isdigit():
        return twilio_error(400, 21210, "PhoneNumber is not a valid phone number")
    call_sid = sid("CA")
    code = f"{int.from_bytes(call_sid.encode(), 'big') % 1_000_000:06d}"
    callback = request.form.get("StatusCallback")
    friendly = request.form.get("FriendlyName") or phone
    delay = min(max(int(request.form.get("CallDelay", "0") or 0), 0), 60)
    if callback:
        threading.Thread(
            target=place_verification_call,
            args=(world(), target, phone, friendly, call_sid, callback, delay),
            daemon=True,
        ).start()
    return jsonify(
        {
            "account_sid": account_sid,
            "call_sid": call_sid,
            "friendly_name": friendly,
            "phone_number": phone,
            "validation_code": code,
        }
    )


# ---- TaskRouter -----------------------------------------------------------------------------------------
@routes.get("/v1/Workspaces")
def list_workspaces() -> Response:
    caller = basic_auth()
    if caller is None:
        return twilio_error(401, 20003, "Authenticate")
    with world().lock:
        rows = [workspace_json(w) for w in world().workspaces.values() if w.account_sid == caller.sid]
    return taskrouter_page("workspaces", "/v1/Workspaces", rows)


def worker_or_error(workspace_sid: str, worker_sid: str) -> Worker | Response:
    caller = basic_auth()
    if caller is None:
        return twilio_error(401, 20003, "Authenticate")
    worker = world().workers.get(worker_sid)
    if worker is None or worker.workspace_sid != workspace_sid or worker.account_sid != caller.sid:
        return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
    return worker


@routes.get("/v1/Workspaces/<workspace_sid>/Workers/<worker_sid>")
def fetch_worker(workspace_sid: str, worker_sid: str) -> Response:
    worker = worker_or_error(workspace_sid, worker_sid)
    if isinstance(worker, Response):
        return worker
    with world().lock:
        response = jsonify(worker_json(worker))
        response.headers["ETag"] = worker.etag
    return response


@routes.post("/v1/Workspaces/<workspace_sid>/Workers/<worker_sid>")
def update_worker(workspace_sid: str, worker_sid: str) -> Response:
    worker = worker_or_error(workspace_sid, worker_sid)
    if isinstance(worker, Response):
        return worker
    with world().lock:
        if_match = request.headers.get("If-Match")
        if if_match is not None and if_match != worker.etag:
            return twilio_error(412, 20412, "Precondition Failed: the worker has changed")
        if "Attributes" in request.form:
            try:
                json.loads(request.form["Attributes"])
            except ValueError:
                return twilio_error(400, 20001, "Attributes must be valid JSON")
            worker.attributes = request.form["Attributes"]
        if "FriendlyName" in request.form:
            worker.friendly_name = request.form["FriendlyName"]
        worker.version += 1
        worker.updated = time.time()
        response = jsonify(worker_json(worker))
        response.headers["ETag"] = worker.etag
    return response


# ---- IAM ------------------------------------------------------------------------------------------------
@routes.post("/v1/Accounts/<account_sid>/Tokens/validate")
def validate_token(account_sid: str) -> Response:
    caller = basic_auth()
    if caller is None or caller.sid != account_sid:
        return twilio_error(401, 20003, "Authenticate")
    body = request.get_json(silent=True) or {}
    record = world().tokens.get(str(body.get("token", "")))
    if record is None or record.account_sid != account_sid:
        return jsonify({"valid": False, "code": 20101, "message": "Invalid Access Token"})
    if record.expires <= time.time():
        return jsonify({"valid": False, "code": 20104, "message": "Access Token expired or expiration date invalid"})
    return jsonify(
        {
            "valid": True,
            "code": 0,
            "message": None,
            "expiration": iso8601(record.expires),
            "realm_user_id": sid("US", record.identity),
            "identity": record.identity,
            "roles": record.roles,
            "worker_sid": record.worker_sid,
        }
    )


# ---- Emulator controls ----------------------------------------------------------------------------------
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


def create_app(state: World | None = None) -> Flask:
    app = Flask("twilio-emulator")
    app.config["WORLD"] = state or World()
    app.register_blueprint(routes)
    return app


def apply_seed(state: World, spec: dict[str, Any]) -> dict[str, Any]:
    """Create accounts (parents before children), their numbers and verified caller IDs, from a JSON spec."""
    created: dict[str, Any] = {"accounts": []}
    by_key: dict[str, Account] = {}
    for entry in spec.get("accounts", []):
        parent = by_key.get(entry.get("parent", ""))
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
        created["accounts"].append(
            {
                "key": entry["key"],
                "sid": account.sid,
                "authToken": account.auth_token,
                "friendlyName": account.friendly_name,
                "parentSid": parent.sid if parent else None,
                "taskrouterWorkspaceSid": state.workspace_of(account.sid).sid,
            }
        )
    return created


def place_verification_call(
    state: World, account: Account, phone: str, friendly: str, call_sid: str, callback: str, delay: int
) -> None:
    """The emulated verification call: the "user" enters the code, the caller ID is created, Twilio posts the
    signed status callback."""
    time.sleep(delay + 0.05)
    caller_id = state.add_caller_id(account.sid, phone, friendly)
    params = {
        "AccountSid": account.sid,
        "CallSid": call_sid,
        "VerificationStatus": "success",
        "OutgoingCallerIdSid": caller_id.sid,
        "To": phone,
        "Called": phone,
    }
    post_signed(account.auth_token, callback, params)


def post_signed(auth_token: str, url: str, params: dict[str, str], post: Callable[..., Any] = requests.post) -> Any:
    signature = RequestValidator(auth_token).compute_signature(url, params)
    return post(
        url,
        data=urlencode(params),
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )


# ---- Twilio-shaped JSON ---------------------------------------------------------------------------------------
def api_page(key: str, rows: Sequence[dict[str, Any]]) -> Response:
    """Api 2010 paging: PageSize (default 50, at most 1000), Page, PageToken; ``next_page_uri`` when more."""
    try:
        size = int(request.args.get("PageSize", "50"))
        page = int(request.args.get("Page", "0"))
    except ValueError:
        return twilio_error(400, 20001, "PageSize and Page must be integers")
    if not 1 <= size <= 1000 or page < 0:
        return twilio_error(400, 20001, "PageSize must be between 1 and 1000")
    start = page * size
    chunk = list(rows[start : start + size])

    def uri(p: int) -> str:
        token = base64.urlsafe_b64encode(f"{p * size}".encode()).decode()
        return f"{request.path}?{urlencode({'PageSize': size, 'Page': p, 'PageToken': 'PA' + token})}"

    body = {
        key: chunk,
        "end": start + max(len(chunk) - 1, 0),
        "first_page_uri": f"{request.path}?{urlencode({'PageSize': size, 'Page': 0})}",
        "next_page_uri": uri(page + 1) if start + size < len(rows) else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": uri(page - 1) if page > 0 else None,
        "start": start,
        "uri": f"{request.path}?{urlencode({'PageSize': size, 'Page': page})}",
    }
    return jsonify(body)


def taskrouter_page(key: str, path: str, rows: list[dict[str, Any]]) -> Response:
    size = min(max(int(request.args.get("PageSize", "50")), 1), 1000)
    page = max(int(request.args.get("Page", "0")), 0)
    chunk = rows[page * size : (page + 1) * size]
    url = f"{TASKROUTER}{path}"
    more = (page + 1) * size < len(rows)
    meta = {
        "first_page_url": f"{url}?PageSize={size}&Page=0",
        "key": key,
        "next_page_url": f"{url}?PageSize={size}&Page={page + 1}" if more else None,
        "page": page,
        "page_size": size,
        "previous_page_url": f"{url}?PageSize={size}&Page={page - 1}" if page else None,
        "url": f"{url}?PageSize={size}&Page={page}",
    }
    return jsonify({key: chunk, "meta": meta})


def account_json(account: Account) -> dict[str, Any]:
    base = f"{API}/Accounts/{account.sid}"
    return {
        "auth_token": account.auth_token,
        "date_created": rfc2822(account.created),
        "date_updated": rfc2822(account.created),
        "friendly_name": account.friendly_name,
        "owner_account_sid": account.owner_account_sid,
        "sid": account.sid,
        "status": "active",
        "subresource_uris": {
            "incoming_phone_numbers": f"{base}/IncomingPhoneNumbers.json",
            "outgoing_caller_ids": f"{base}/OutgoingCallerIds.json",
        },
        "type": "Full",
        "uri": f"{base}.json",
    }


def number_json(number: Number) -> dict[str, Any]:
    return {
        "account_sid": number.account_sid,
        "address_requirements": "none",
        "address_sid": None,
        "api_version": "2010-04-01",
        "beta": False,
        "capabilities": {"voice": number.voice, "sms": number.sms, "mms": False, "fax": False},
        "date_created": rfc2822(number.created),
        "date_updated": rfc2822(number.created),
        "emergency_status": "Inactive",
        "emergency_address_sid": None,
        "emergency_address_status": "unregistered",
        "friendly_name": number.friendly_name,
        "identity_sid": None,
        "origin": "twilio",
        "phone_number": number.phone_number,
        "sid": number.sid,
        "sms_application_sid": None,
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": "POST",
        "sms_url": "",
        "status_callback": number.status_callback,
        "status_callback_method": "POST",
        "trunk_sid": None,
        "uri": f"{API}/Accounts/{number.account_sid}/IncomingPhoneNumbers/{number.sid}.json",
        "voice_application_sid": None,
        "voice_caller_id_lookup": False,
        "voice_fallback_method": "POST",
        "voice_fallback_url": None,
        "voice_method": "POST",
        "voice_url": number.voice_url,
        "voice_receive_mode": "voice",
        "bundle_sid": None,
        "status": "in-use",
        "type": "local",
    }


def caller_id_json(caller_id: CallerId) -> dict[str, Any]:
    return {
        "sid": caller_id.sid,
        "date_created": rfc2822(caller_id.created),
        "date_updated": rfc2822(caller_id.created),
        "friendly_name": caller_id.friendly_name,
        "account_sid": caller_id.account_sid,
        "phone_number": caller_id.phone_number,
        "uri": f"{API}/Accounts/{caller_id.account_sid}/OutgoingCallerIds/{caller_id.sid}.json",
    }


def workspace_json(workspace: Workspace) -> dict[str, Any]:
    url = f"{TASKROUTER}/v1/Workspaces/{workspace.sid}"
    return {
        "account_sid": workspace.account_sid,
        "date_created": iso8601(workspace.created),
        "date_updated": iso8601(workspace.created),
        "default_activity_name": "Offline",
        "default_activity_sid": sid("WA", f"{workspace.sid}:offline"),
        "event_callback_url": None,
        "events_filter": None,
        "friendly_name": workspace.friendly_name,
        "multi_task_enabled": True,
        "sid": workspace.sid,
        "timeout_activity_name": "Offline",
        "timeout_activity_sid": sid("WA", f"{workspace.sid}:offline"),
        "prioritize_queue_order": "FIFO",
        "url": url,
        "links": {"workers": f"{url}/Workers"},
    }


def worker_json(worker: Worker) -> dict[str, Any]:
    url = f"{TASKROUTER}/v1/Workspaces/{worker.workspace_sid}/Workers/{worker.sid}"
    return {
        "account_sid": worker.account_sid,
        "activity_name": "Offline",
        "activity_sid": sid("WA", f"{worker.workspace_sid}:offline"),
        "attributes": worker.attributes,
        "available": False,
        "date_created": iso8601(worker.created),
        "date_status_changed": iso8601(worker.created),
        "date_updated": iso8601(worker.updated),
        "friendly_name": worker.friendly_name,
        "sid": worker.sid,
        "workspace_sid": worker.workspace_sid,
        "url": url,
        "links": {"channels": f"{url}/Channels", "workspace": f"{TASKROUTER}/v1/Workspaces/{worker.workspace_sid}"},
    }


def main() -> None:
    import argparse
    import logging

    parser = argparse.ArgumentParser(description="Twilio emulator on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # request lines of the API are enough in `make dev`
    from werkzeug.serving import make_server

    make_server(args.host, args.port, create_app(), threaded=True).serve_forever()


if __name__ == "__main__":
    main()
