"""The HTTP transport every Twilio request goes through: the official ``TwilioHttpClient`` with retries.

* ``TWILIO_API_BASE_URL`` set: ``https://<anything>.twilio.com/...`` is sent to that base instead (the emulator
  serves Api 2010, TaskRouter and IAM paths from one base URL). ``edge``/``region`` cannot do this.
* 429 and 503 answers are retried with exponential backoff and full jitter (honouring ``Retry-After``);
  connection errors are retried for GET/DELETE, and for other methods only when the request never left (the
  connection was refused or never opened).
* Every attempt's timeout and every backoff fit in the invocation's deadline (``callerid.deadline``): a hung
  Twilio is answered with ``UpstreamUnavailable`` (503) before Lambda's timeout, never with API Gateway's 5xx.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from urllib3.exceptions import MaxRetryError, NewConnectionError

from callerid import deadline
from callerid.domain.errors import UpstreamUnavailable

RETRY_STATUSES = frozenset({429, 503})
SAFE_METHODS = frozenset({"GET", "DELETE", "HEAD"})
# An attempt with less time than this left is not worth starting.
MIN_ATTEMPT_SECONDS = 0.5


def rewrite_twilio_url(url: str, base_url: str | None) -> str:
    """Send a ``*.twilio.com`` URL to ``base_url`` (keeping path and query); anything else is left alone."""
    if not base_url:
        return url
    parts = urlsplit(url)
    if parts.hostname is None or not (parts.hostname == "twilio.com" or parts.hostname.endswith(".twilio.com")):
        return url
    base = urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + parts.path, parts.query, parts.fragment))


class RetryingTwilioHttpClient(TwilioHttpClient):
    def __init__(
        self,
        base_url: str | None = None,
        *,
        attempts: int = 4,
        backoff_seconds: float = 0.2,
        max_backoff_seconds: float = 5.0,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(timeout=timeout)
        self.http = requests.Session()  # connection pooling across requests (thread-safe for sending)
        self.base_url = base_url
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.sleep = sleep
        # Set by the account directory (``runtime``): on a 401 to a request sent with an account's auth token,
        # the account's current token if it differs from the one sent (re-read at most once a minute), else None.
        self.fresher_token: Callable[[str, str], str | None] | None = None

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """As ``_request``; a 401 answered to a cached auth token that was rotated away (a promoted secondary) is
        asked once more with the account's token as re-read now (REST calls and IAM token validation alike)."""
        response = self._request(method, url, params, data, headers, auth, timeout, allow_redirects)
        if response.status_code != 401 or auth is None or self.fresher_token is None:
            return response
        fresh = self.fresher_token(auth[0], auth[1])
        if not fresh or fresh == auth[1]:
            return response
        return self._request(method, url, params, data, headers, (auth[0], fresh), timeout, allow_redirects)

    def _request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        target = rewrite_twilio_url(url, self.base_url)
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                response = self._send_once(
                    method, target, params, data, headers, auth, self._attempt_timeout(timeout), allow_redirects
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last or not self._may_resend(method, exc):
                    raise UpstreamUnavailable("Twilio could not be reached in time.") from exc
                self._back_off(self._delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and not last:
                self._back_off(self._delay(attempt, response.headers.get("Retry-After")))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_once(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None,
        data: dict[str, object] | None,
        headers: dict[str, str] | None,
        auth: tuple[str, str] | None,
        timeout: float,
        allow_redirects: bool,
    ) -> Response:
        """One HTTP exchange, as ``TwilioHttpClient.request`` sends it, but answering its own response: the stock
        client returns the response it stored on itself, which another thread sharing the client may have
        replaced meanwhile (one warm copy's token validation answered with another's caller)."""
        body = {"json": data} if (headers or {}).get("Content-Type", "").endswith("json") else {"data": data}
        prepared = self.http.prepare_request(
            requests.Request(method.upper(), url, params=params, headers=headers, auth=auth, **body)
        )
        settings = self.http.merge_environment_settings(prepared.url, self.proxy, None, None, None)
        answer = self.http.send(prepared, allow_redirects=allow_redirects, timeout=timeout, **settings)
        return Response(int(answer.status_code), answer.text, answer.headers)

    def _attempt_timeout(self, asked: float | None) -> float:
        """The attempt's timeout: as asked (or the default), cut to what is left before the deadline."""
        timeout = asked or self.timeout or 10.0
        left = deadline.remaining()
        if left is None:
            return timeout
        if left < MIN_ATTEMPT_SECONDS:
            raise UpstreamUnavailable("Twilio did not answer before this request's deadline.")
        return min(timeout, left)

    def _back_off(self, seconds: float) -> None:
        left = deadline.remaining()
        if left is not None and left - seconds < MIN_ATTEMPT_SECONDS:
            raise UpstreamUnavailable("Twilio did not answer before this request's deadline.")
        self.sleep(seconds)

    @staticmethod
    def _may_resend(method: str, exc: Exception) -> bool:
        """Safe methods always; others only when the request cannot have reached Twilio."""
        return method.upper() in SAFE_METHODS or isinstance(exc, requests.ConnectTimeout) or _never_connected(exc)

    def _delay(self, attempt: int, retry_after: Any) -> float:
        try:
            if retry_after is not None:
                return min(float(retry_after), self.max_backoff_seconds)
        except (TypeError, ValueError):
            pass
        return random.uniform(0, min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1)))


def _never_connected(exc: Exception) -> bool:
    """A refused or failed connection: urllib3 never opened the socket, so nothing was sent."""
    reason = exc.args[0].reason if exc.args and isinstance(exc.args[0], MaxRetryError) else None
    return isinstance(reason, NewConnectionError)
