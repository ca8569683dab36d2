"""IAM: POST /v1/Accounts/{AccountSid}/Tokens/validate, for the opaque Flex tokens the controls mint."""

from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify, request

from local.emulator.common import basic_auth, twilio_error, world
from local.emulator.state import iso8601, sid

routes = Blueprint("iam", __name__)


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
