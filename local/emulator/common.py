"""What the emulator's Twilio products share: the state, Twilio's error body, Basic auth, list paging, signed
callbacks."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Response, current_app, jsonify, request
from twilio.request_validator import RequestValidator

from local.emulator.state import Account, World

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


def post_signed(auth_token: str, url: str, params: dict[str, str], post: Callable[..., Any] = requests.post) -> Any:
    signature = RequestValidator(auth_token).compute_signature(url, params)
    return post(
        url,
        data=urlencode(params),
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
