"""Twilio webhook signatures, checked with ``twilio.request_validator`` against the URL Twilio was given.

That URL is the configured public base URL + the request path (+ its query string), never one rebuilt from
proxy headers; the auth token is that of the account named in the request's ``AccountSid`` (its current one, or
the previous one within the grace after a rotation). A signature that matches none of them re-reads the
account's token once (rate-limited by ``AccountDirectory.reread``) before it is refused: a rotation is never
refused for the length of a cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from callerid.domain.errors import InvalidSignature, NotFound


class SigningAccounts(Protocol):
    """What signature checks need of the accounts (``AccountDirectory``); ``NotFound`` for an account not served."""

    def signing_tokens(self, account_sid: str) -> tuple[str, ...]: ...

    def reread(self, account_sid: str) -> bool: ...


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
    def __init__(self, accounts: SigningAccounts) -> None:
        self.accounts = accounts

    def verify_form(self, url: str, params: FormParams, signature: str | None) -> str:
        """Check a signed form post; answers the ``AccountSid`` it was signed for, or raises ``InvalidSignature``."""
        account_sid = params.first("AccountSid")
        if not signature or not account_sid:
            raise InvalidSignature("Missing X-Twilio-Signature or AccountSid.")
        self._check(account_sid, lambda token: RequestValidator(token).validate(url, params, signature))
        return account_sid

    def verify_json(self, url: str, body: str, signature: str | None, account_sid: str) -> None:
        """Check a signed JSON post (the URL carries ``bodySHA256``)."""
        if not signature:
            raise InvalidSignature("Missing X-Twilio-Signature.")
        self._check(account_sid, lambda token: RequestValidator(token).validate(url, body, signature))

    def _check(self, account_sid: str, signed_with: Callable[[str], bool]) -> None:
        try:
            if any(signed_with(token) for token in self.accounts.signing_tokens(account_sid)):
                return
            if self.accounts.reread(account_sid) and any(
                signed_with(token) for token in self.accounts.signing_tokens(account_sid)
            ):
                return
        except NotFound as exc:
            raise InvalidSignature("The request names an account this deployment does not serve.") from exc
        raise InvalidSignature("The X-Twilio-Signature does not match this request.")
