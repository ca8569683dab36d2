"""The accounts this deployment serves: the configured one and its subaccounts, with their auth tokens.

A subaccount's auth token (needed to validate its agents' tokens and its webhooks' signatures) is read once
with the parent's credentials and cached; an account that is neither is unknown (never trusted).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from callerid.config import Settings, twilio_auth_token
from callerid.domain.errors import NotFound, UpstreamUnavailable
from callerid.twilio.transport import RetryingTwilioHttpClient

API_BASE = "https://api.twilio.com/2010-04-01"
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
UNKNOWN_FOR_SECONDS = 300.0
MAX_UNKNOWN = 10_000


@dataclass(frozen=True, slots=True)
class Account:
    sid: str
    auth_token: str
    parent_sid: str | None


class AccountDirectory:
    def __init__(
        self,
        settings: Settings,
        transport: RetryingTwilioHttpClient,
        root_token: Callable[[], str] | None = None,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self._root_token = root_token or (lambda: twilio_auth_token(settings))
        self._accounts: dict[str, Account] = {}
        self._unknown: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def root_sid(self) -> str:
        return self.settings.twilio_account_sid

    def get(self, account_sid: str) -> Account:
        """The account, if it is the configured one or one of its subaccounts; ``NotFound`` otherwise."""
        cached = self._accounts.get(account_sid)
        if cached is not None:
            return cached
        account = self._load(account_sid)
        with self._lock:
            self._accounts[account_sid] = account
        return account

    def ancestors(self, account_sid: str) -> list[str]:
        """The account's owners, nearest first (Twilio subaccounts have one owner: the root account)."""
        chain: list[str] = []
        parent = self.get(account_sid).parent_sid
        while parent and parent not in chain:
            chain.append(parent)
            parent = self.get(parent).parent_sid
        return chain

    def _load(self, account_sid: str) -> Account:
        root_token = self._root_token()
        if account_sid == self.root_sid:
            return Account(account_sid, root_token, None)
        if not ACCOUNT_SID.fullmatch(account_sid):
            raise NotFound("Unknown account.")
        refused_until = self._unknown.get(account_sid)
        if refused_until is not None and refused_until > time.monotonic():
            raise NotFound("Unknown account.")
        response = self.transport.request(
            "GET", f"{API_BASE}/Accounts/{account_sid}.json", auth=(self.root_sid, root_token)
        )
        if response.status_code in (401, 403, 404):
            return self._refuse(account_sid)
        if response.status_code >= 300:
            raise UpstreamUnavailable(f"Twilio answered {response.status_code} reading an account.")
        try:
            body = json.loads(response.text)
            owner, auth_token = body.get("owner_account_sid"), str(body["auth_token"])
        except (ValueError, KeyError, AttributeError) as exc:
            raise UpstreamUnavailable("Twilio answered an account read with something unreadable.") from exc
        if owner != self.root_sid:
            return self._refuse(account_sid)
        return Account(account_sid, auth_token, self.root_sid)

    def _refuse(self, account_sid: str) -> Account:
        """Remember an account that is not ours for a while: anyone can name any SID in a request, and each
        look-up spends the root account's Twilio requests."""
        with self._lock:
            if len(self._unknown) >= MAX_UNKNOWN:
                self._unknown.clear()
            self._unknown[account_sid] = time.monotonic() + UNKNOWN_FOR_SECONDS
        raise NotFound("Unknown account.")
