"""Flex-token validation against Twilio IAM, cached by the token's SHA-256.

``POST https://iam.twilio.com/v1/Accounts/{AccountSid}/Tokens/validate`` with the account's SID and auth token
(Basic auth) and ``{"token": …}``. A valid answer is cached until its ``expiration``, at most five minutes: in the
container, and in the table for every other container (``shared``: by the hash, never the token). The
caller's workspace, worker and roles come only from that answer and the account it was validated against.

Flex user tokens are JWE (encrypted): they are opaque here and never decoded. The account to validate against is
the one the request names (``X-Twilio-Account-Sid`` or a Flex-style ``AccountSid`` field), else the configured one;
IAM's answer for that account is the only proof.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from cachetools import TLRUCache

from callerid.domain.errors import NotFound, StoreUnavailable, Unauthenticated, UpstreamUnavailable
from callerid.domain.identity import Caller
from callerid.twilio.accounts import AccountDirectory

if TYPE_CHECKING:
    from callerid.twilio.transport import RetryingTwilioHttpClient

_log = logging.getLogger(__name__)
IAM_VALIDATE = "https://iam.twilio.com/v1/Accounts/{account_sid}/Tokens/validate"
MAX_CACHE_SECONDS = 300.0
MAX_TOKEN_LENGTH = 8192


@dataclass(frozen=True, slots=True)
class _Cached:
    caller: Caller
    until: float


class SharedTokens(Protocol):
    """Validated answers shared by every container (``store.tokens``): by the SHA-256 of account and token."""

    def get(self, digest: str, account_sid: str, now: float) -> tuple[Caller, float] | None: ...
    def put(self, digest: str, caller: Caller, until: float) -> None: ...


def _until(_key: str, cached: _Cached, _now: float) -> float:
    """How long a validated answer is served: until the token's ``expiration``, at most five minutes."""
    return cached.until


def _epoch(expiration: Any) -> float | None:
    if isinstance(expiration, int | float):
        return float(expiration)
    if isinstance(expiration, str) and expiration:
        try:
            return datetime.fromisoformat(expiration.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


class FlexTokenValidator:
    def __init__(
        self,
        accounts: AccountDirectory,
        transport: RetryingTwilioHttpClient,
        *,
        clock: Callable[[], float] = time.time,
        max_entries: int = 10_000,
        shared: Callable[[], SharedTokens] | None = None,
    ) -> None:
        self.accounts = accounts
        # Behind the container's own cache: the fleet's (the table), made on first use.
        self.shared = shared
        self.transport = transport
        self.clock = clock
        # Least recently used answers go first when full; each expires on its own time (``_until``).
        self._cache: TLRUCache[str, _Cached] = TLRUCache(maxsize=max_entries, ttu=_until, timer=clock)
        self._lock = threading.Lock()  # cachetools' caches are not thread-safe; the dev server's copies are threads

    def validate(self, token: str | None, account_sid: str | None = None) -> Caller:
        """The caller behind ``token``, validated against ``account_sid`` (the account the request names; the
        configured account when it names none), or ``Unauthenticated``."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated("A Flex token is required (Authorization: Bearer <token>).")
        account_sid = account_sid or self.accounts.root_sid
        key = hashlib.sha256(f"{account_sid}:{token}".encode()).hexdigest()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit.caller
        now = self.clock()
        kept = self._shared_get(key, account_sid, now)
        if kept is None:
            caller, until = self._ask_twilio(token, account_sid, now)
            self._shared_put(key, caller, until)
        else:
            caller, until = kept
        with self._lock:
            self._cache[key] = _Cached(caller, min(until, now + MAX_CACHE_SECONDS))
        return caller

    def _shared_get(self, key: str, account_sid: str, now: float) -> tuple[Caller, float] | None:
        """The fleet's answer for the token, if one holds (else IAM is asked); ``StoreUnavailable`` when the table
        cannot say."""
        if self.shared is None:
            return None
        try:
            return self.shared().get(key, account_sid, now)
        except Exception as exc:
            # The table is failing: every Flex route needs it next, so answer 503 now rather than after IAM and
            # the route's own read have waited for it too (past the deadline).
            _log.warning("the shared token cache could not be read: %s", type(exc).__name__)
            raise StoreUnavailable("The caller-ID store is unavailable right now; try again shortly.") from exc

    def _shared_put(self, key: str, caller: Caller, until: float) -> None:
        if self.shared is None:
            return
        try:
            self.shared().put(key, caller, until)
        except Exception as exc:  # the next container asks IAM again
            _log.warning("the shared token cache could not be written: %s", type(exc).__name__)
            return

    def _ask_twilio(self, token: str, account_sid: str, now: float) -> tuple[Caller, float]:
        try:
            account = self.accounts.get(account_sid)
        except NotFound as exc:
            raise Unauthenticated("The Flex token is not valid for this deployment.") from exc
        response = self.transport.request(
            "POST",
            IAM_VALIDATE.format(account_sid=account.sid),
            data={"token": token},
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            auth=(account.sid, account.auth_token),
        )
        if response.status_code >= 500 or response.status_code == 429:
            raise UpstreamUnavailable("Twilio could not validate the Flex token right now.")
        try:
            answer = json.loads(response.text)
        except ValueError as exc:
            raise UpstreamUnavailable("Twilio answered the token validation with something other than JSON.") from exc
        if response.status_code != 200 or not isinstance(answer, dict) or answer.get("valid") is not True:
            raise Unauthenticated("The Flex token is not valid.")
        expiration = _epoch(answer.get("expiration"))
        if expiration is not None and expiration <= now:
            raise Unauthenticated("The Flex token has expired.")
        until = min(expiration or now + MAX_CACHE_SECONDS, now + MAX_CACHE_SECONDS)
        roles = answer.get("roles") or []
        caller = Caller(
            account_sid=account.sid,
            identity=str(answer.get("identity") or ""),
            roles=frozenset(str(r) for r in roles) if isinstance(roles, list) else frozenset(),
            worker_sid=answer.get("worker_sid") or None,
        )
        return caller, until
