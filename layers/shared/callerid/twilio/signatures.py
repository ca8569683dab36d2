"""Twilio webhook signatures, checked with ``twilio.request_validator`` against the URL Twilio was given.

That URL is the configured public base URL + the request path (+ its query string), never one rebuilt from
proxy headers; the auth token is that of the account named in the request's ``AccountSid``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from callerid.domain.errors import InvalidSignature, NotFound
from callerid.twilio.accounts import AccountDirectory


class FormParams(dict[str, list[str]]):
    """A form body as ``name -> [values]`` with the ``getlist`` that ``RequestValidator`` understands."""

    def getlist(self, name: str) -> list[str]:
        return self[name]

    def first(self, name: str) -> str | None:
        values = self.get(name)
        return values[0] if values else None


def public_url(base_url: str, path: str, query: dict[str, list[str]] | None) -> str:
    suffix = f"?{urlencode(query, doseq=True)}" if query else ""
    return f"{base_url.rstrip('/')}{path}{suffix}"


class WebhookSignatures:
    def __init__(self, accounts: AccountDirectory) -> None:
        self.accounts = accounts

    def verify_form(self, url: str, params: FormParams, signature: str | None) -> str:
        """Check a signed form post; answers the ``AccountSid`` it was signed for, or raises ``InvalidSignature``."""
        account_sid = params.first("AccountSid")
        if not signature or not account_sid:
            raise InvalidSignature("Missing X-Twilio-Signature or AccountSid.")
        token = self._token(account_sid)
        if not RequestValidator(token).validate(url, params, signature):
            raise InvalidSignature("The X-Twilio-Signature does not match this request.")
        return account_sid

    def verify_json(self, url: str, body: str, signature: str | None, account_sid: str) -> None:
        """Check a signed JSON post (the URL carries ``bodySHA256``)."""
        if not signature:
            raise InvalidSignature("Missing X-Twilio-Signature.")
        if not RequestValidator(self._token(account_sid)).validate(url, body, signature):
            raise InvalidSignature("The X-Twilio-Signature does not match this request.")

    def _token(self, account_sid: str) -> str:
        try:
            return self.accounts.get(account_sid).auth_token
        except NotFound as exc:
            raise InvalidSignature("The request names an account this deployment does not serve.") from exc
