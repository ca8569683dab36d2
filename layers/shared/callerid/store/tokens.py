"""Validated Flex tokens shared through the table: one IAM check per token per five minutes across the fleet.

Kept by the SHA-256 of the account and the token (never the token), with the caller IAM answered and ``until`` (the
token's expiration, at most five minutes); DynamoDB's TTL removes it later, and an answer past ``until`` is never
served, whatever TTL has not yet deleted."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from callerid.domain.identity import Caller
from callerid.store.models import TokenItem

TOKEN_SK = "TOKEN"


def token_key(digest: str) -> str:
    return f"TOKEN#{digest}"


class TokenCacheRepository:
    def get(self, digest: str, account_sid: str, now: float) -> tuple[Caller, float] | None:
        """The answer kept for ``digest`` while it holds (``until`` after ``now``), validated against
        ``account_sid`` (part of the digest; checked again), else ``None``."""
        try:
            item = TokenItem.get(token_key(digest), TOKEN_SK)
        except TokenItem.DoesNotExist:
            return None
        until = float(item.until)
        if until <= now or item.account_sid != account_sid:
            return None
        caller = Caller(
            account_sid=item.account_sid,
            identity=item.identity,
            roles=frozenset(str(role) for role in item.roles or ()),
            worker_sid=item.worker_sid or None,
        )
        return caller, until

    def put(self, digest: str, caller: Caller, until: float) -> None:
        TokenItem(
            token_key(digest),
            TOKEN_SK,
            account_sid=caller.account_sid,
            identity=caller.identity,
            roles=sorted(caller.roles) or None,
            worker_sid=caller.worker_sid,
            until=until,
            expires_at=datetime.fromtimestamp(math.ceil(until), UTC),
        ).save()
