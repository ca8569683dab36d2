"""The accounts this deployment serves: the configured one and its subaccounts, with their auth tokens.

A subaccount's auth token (needed to validate its agents' tokens and its webhooks' signatures) is read once
with the parent's credentials and cached; an account that is neither is unknown (never trusted). The root
account's token is read through its secret store's cache on every use. After a rotation, a signature that matched
no token the container knows may ``reread`` the account's token (at most once per ``REREAD_SECONDS`` per account),
and the token before it still counts for ``AUTH_TOKEN_GRACE_SECONDS`` (docs/operations.md, "Rotating the auth
token").
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callerid.config import AuthTokens, Settings, root_auth_tokens
from callerid.domain.errors import NotFound, UpstreamUnavailable

if TYPE_CHECKING:
    from twilio.http.response import Response

    from callerid.twilio.transport import RetryingTwilioHttpClient

API_BASE = "https://api.twilio.com/2010-04-01"
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
UNKNOWN_FOR_SECONDS = 300.0
MAX_UNKNOWN = 10_000
# A signature that matches no known token re-reads the account's token at most this often (per container and
# account): a rotation is picked up in seconds, a flood of forged signatures costs one read a minute.
REREAD_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Account:
    sid: str
    tokens: AuthTokens
    parent_sid: str | None

    @property
    def auth_token(self) -> str:
        """The current auth token (what Twilio's REST APIs accept)."""
        return self.tokens.current


class AccountDirectory:
    def __init__(
        self,
        settings: Settings,
        transport: RetryingTwilioHttpClient,
        root_tokens: Callable[[bool], AuthTokens] | None = None,
        clock: Callable[[], float] = time.time,
        reread_seconds: float = REREAD_SECONDS,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self._root_tokens = root_tokens or (lambda force: root_auth_tokens(settings, force_fetch=force))
        self.clock = clock
        self.reread_seconds = reread_seconds
        self._accounts: dict[str, Account] = {}
        self._unknown: dict[str, float] = {}
        self._reread_at: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def root_sid(self) -> str:
        return self.settings.twilio_account_sid

    def get(self, account_sid: str) -> Account:
        """The account, if it is the configured one or one of its subaccounts; ``NotFound`` otherwise."""
        if account_sid == self.root_sid:
            return Account(account_sid, self._root_tokens(False), None)
        cached = self._accounts.get(account_sid)
        if cached is not None:
            return cached
        account = self._load(account_sid)
        with self._lock:
            self._accounts[account_sid] = account
        return account

    def signing_tokens(self, account_sid: str) -> tuple[str, ...]:
        """The auth tokens a webhook of the account may be signed with now: the current one, and the previous one
        for ``AUTH_TOKEN_GRACE_SECONDS`` after it changed."""
        return self.get(account_sid).tokens.accepted(self.clock(), self.settings.auth_token_grace_seconds)

    def reread(self, account_sid: str) -> bool:
        """Read the account's auth token again, now, unless this container did so less than ``reread_seconds``
        ago; answers whether it was read. The root account's comes from its secret store (with the store's own
        history); a subaccount's from Twilio, and the token it replaces is kept here for the grace."""
        now = self.clock()
        with self._lock:
            if now < self._reread_at.get(account_sid, float("-inf")) + self.reread_seconds:
                return False
            self._reread_at[account_sid] = now
        if account_sid == self.root_sid:
            self._root_tokens(True)
            return True
        known = self.get(account_sid)
        fresh = self._load(account_sid)
        with self._lock:
            self._accounts[account_sid] = Account(
                account_sid, known.tokens.replaced_by(fresh.auth_token, now), known.parent_sid
            )
        return True

    def fresher_token(self, account_sid: str, used: str) -> str | None:
        """After Twilio refused ``used`` (401) for the account: its current token if that is another one (cached
        already, or re-read now, at most once per ``reread_seconds``), else None (nothing better to try)."""
        try:
            current = self.get(account_sid).auth_token
            if current != used:
                return current
            if not self.reread(account_sid):
                return None
            fresh = self.get(account_sid).auth_token
        except NotFound:
            return None
        return fresh if fresh != used else None

    def ancestors(self, account_sid: str) -> list[str]:
        """The account's owners, nearest first (Twilio subaccounts have one owner: the root account). The root
        account has none: answered without reading its token (the call path asks this)."""
        if account_sid == self.root_sid:
            return []
        chain: list[str] = []
        parent = self.get(account_sid).parent_sid
        while parent and parent not in chain:
            chain.append(parent)
            parent = None if parent == self.root_sid else self.get(parent).parent_sid
        return chain

    def _load(self, account_sid: str) -> Account:
        if not ACCOUNT_SID.fullmatch(account_sid):
            raise NotFound("Unknown account.")
        refused_until = self._unknown.get(account_sid)
        if refused_until is not None and refused_until > time.monotonic():
            raise NotFound("Unknown account.")
        root_token = self._root_tokens(False).current
        response = self._read_account(account_sid, root_token)
        if response.status_code == 401:
            # The root token this container holds may be one Twilio no longer accepts (promoted away within the
            # secret's cache time): read the secret again, and ask once more if it changed.
            fresher = self._root_tokens(True).current
            if fresher != root_token:
                response = self._read_account(account_sid, fresher)
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
        return Account(account_sid, AuthTokens(auth_token), self.root_sid)

    def _read_account(self, account_sid: str, root_token: str) -> Response:
        return self.transport.request(
            "GET", f"{API_BASE}/Accounts/{account_sid}.json", auth=(self.root_sid, root_token)
        )

    def _refuse(self, account_sid: str) -> Account:
        """Remember an account that is not ours for a while: anyone can name any SID in a request, and each
        look-up spends the root account's Twilio requests."""
        with self._lock:
            if len(self._unknown) >= MAX_UNKNOWN:
                self._unknown.clear()
            self._unknown[account_sid] = time.monotonic() + UNKNOWN_FOR_SECONDS
        raise NotFound("Unknown account.")
