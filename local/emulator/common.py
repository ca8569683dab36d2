"""What the emulator's Twilio products share: the state, Twilio's error body, Basic auth, list paging, signed
callbacks."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode, urlsplit

import requests
from flask import Response, current_app, jsonify, request
from twilio.request_validator import RequestValidator

from local.emulator.state import Account, World

API = "/2010-04-01"
MAX_FRIENDLY_NAME = 64
TASKROUTER = "https://taskrouter.twilio.com"


class AccountOwned(Protocol):
    @property
    def account_sid(self) -> str: ...


Row = TypeVar("Row")
Owned = TypeVar("Owned", bound=AccountOwned)


def twilio_error(status: int, code: int, message: str) -> Response:
    """Twilio's error body: ``code``, ``message``, ``more_info``, ``status``."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    response = jsonify(body)
    response.status_code = status
    return response


def too_long(friendly_name: str | None) -> Response | None:
    """Twilio's FriendlyName is at most 64 characters."""
    if friendly_name is None or len(friendly_name) <= MAX_FRIENDLY_NAME:
        return None
    return twilio_error(400, 20001, f"FriendlyName must be at most {MAX_FRIENDLY_NAME} characters")


def world() -> World:
    """The emulator's state, kept on the Flask app."""
    return current_app.config["WORLD"]


def basic_auth() -> Account | None:
    auth = request.authorization
    if auth is None or auth.type != "basic":
        return None
    account = world().accounts.get(auth.username or "")
    return account if account and account.authenticates(auth.password) else None


def authorised_for(account_sid: str) -> Account | Response:
    """The request's credentials must be the account's own or its owner's (parent) account's."""
    caller = basic_auth()
    target = world().accounts.get(account_sid)
    if caller is None:
        return twilio_error(401, 20003, "Authenticate")
    if target is None or (caller.sid != target.sid and caller.sid != target.owner_account_sid):
        return not_found()
    return target


def page_size() -> int | Response:
    """The request's PageSize: 50 unless given, 1 to 1000."""
    try:
        size = int(request.args.get("PageSize", "50"))
    except ValueError:
        return twilio_error(400, 20001, "PageSize must be an integer")
    return size if 1 <= size <= 1000 else twilio_error(400, 20001, "PageSize must be between 1 and 1000")


def api_page(key: str, rows: Sequence[Row], to_json: Callable[[Row], dict[str, Any]]) -> Response:
    """Api 2010 paging: PageSize (default 50, at most 1000), Page, PageToken; ``next_page_uri`` when more, keeping
    the request's filters. Only the page's rows become JSON."""
    size = page_size()
    if isinstance(size, Response):
        return size
    given = request.args.get("Page", "0")
    if not given.isdigit():
        return twilio_error(400, 20001, "Page must be a whole number")
    page = int(given)
    start = page * size
    chunk = [to_json(r) for r in rows[start : start + size]]
    filters = [(k, v) for k, v in request.args.items(multi=True) if k not in {"PageSize", "Page", "PageToken"}]

    def uri(p: int, token: bool = True) -> str:
        paging: list[tuple[str, Any]] = [("PageSize", size), ("Page", p)]
        if token:
            paging.append(("PageToken", "PA" + base64.urlsafe_b64encode(f"{p * size}".encode()).decode()))
        return f"{request.path}?{urlencode(filters + paging)}"

    body = {
        key: chunk,
        "end": start + max(len(chunk) - 1, 0),
        "first_page_uri": uri(0, token=False),
        "next_page_uri": uri(page + 1) if start + size < len(rows) else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": uri(page - 1) if page > 0 else None,
        "start": start,
        "uri": uri(page, token=False),
    }
    return jsonify(body)


def not_found() -> Response:
    return twilio_error(404, 20404, f"The requested resource {request.path} was not found")


def caller() -> Account | Response:
    """The account a Basic-auth request authenticates as, else Twilio's 401."""
    account = basic_auth()
    return account if account is not None else twilio_error(401, 20003, "Authenticate")


def caller_owns(found: Owned | None) -> Owned | Response:
    """``found`` when the caller's account owns it; Twilio's 401 or 404 otherwise (another account's is 404)."""
    account = caller()
    if isinstance(account, Response):
        return account
    return found if found is not None and found.account_sid == account.sid else not_found()


def account_page(
    account_sid: str,
    key: str,
    records: Callable[[World], Sequence[Owned]],
    to_json: Callable[[Owned], dict[str, Any]],
    keep: Callable[[Owned], bool] | None = None,
) -> Response:
    """One page of an account's records (by SID, those ``keep`` keeps), for its own or its owner's credentials."""
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    rows = records(world())
    return api_page(key, rows if keep is None else [r for r in rows if keep(r)], to_json)


def account_record(account_sid: str, pick: Callable[[World], Owned | None]) -> Owned | Response:
    """The record ``pick`` finds, when it is the account's, for its own or its owner's credentials; Twilio's 404
    when it is another account's or nobody's."""
    target = authorised_for(account_sid)
    if isinstance(target, Response):
        return target
    with world().lock:
        found = pick(world())
    return found if found is not None and found.account_sid == account_sid else not_found()


def v1_page(base: str, key: str, rows: list[dict[str, Any]]) -> Response:
    """Paging of Twilio's v1 APIs (``base``: the API's host): PageSize (default 50, at most 1000), Page; ``meta``
    with the request's filters in its URLs."""
    size = page_size()
    if isinstance(size, Response):
        return size
    given = request.args.get("Page", "0")
    if not given.isdigit():
        return twilio_error(400, 20001, "Page must be a whole number")
    page = int(given)
    filters = [(k, v) for k, v in request.args.items(multi=True) if k not in {"PageSize", "Page", "PageToken"}]

    def url(p: int) -> str:
        return f"{base}{request.path}?{urlencode([*filters, ('PageSize', size), ('Page', p)])}"

    more = (page + 1) * size < len(rows)
    meta = {
        "first_page_url": url(0),
        "key": key,
        "next_page_url": url(page + 1) if more else None,
        "page": page,
        "page_size": size,
        "previous_page_url": url(page - 1) if page else None,
        "url": url(page),
    }
    return jsonify({key: rows[page * size : (page + 1) * size], "meta": meta})


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


def get_signed(auth_token: str, url: str, params: dict[str, str], get: Callable[..., Any] = requests.get) -> Any:
    """A callback by GET: the parameters join the URL's query, and Twilio signs that whole URL (no body)."""
    full = f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params)}"
    signature = RequestValidator(auth_token).compute_signature(full, {})
    return get(full, headers={"X-Twilio-Signature": signature}, timeout=10)
