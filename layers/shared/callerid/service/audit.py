"""Building audit entries (``AuditTrail``): a service that changes something asks the trail for the entry and hands
it to the store method that makes the change, which writes both in one DynamoDB transaction. One call for a new
write: ``store_method(..., audit=trail.entry(account, actor, "number.trust", target, changes))``."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from callerid.domain.audit import Actor, AuditEntry, AuditTarget
from callerid.domain.identity import Caller
from callerid.service.ports import AuditEntries

DAY_SECONDS = 86_400
AUDIT_DAYS = 400


def actor_of(caller: Caller) -> Actor:
    """The person behind a validated token."""
    return Actor(caller.worker_sid, caller.identity)


class AuditTrail:
    def __init__(self, *, days: int = AUDIT_DAYS, clock: Callable[[], float] = time.time) -> None:
        self.days = days
        self.clock = clock

    def entry(
        self,
        account_sid: str,
        actor: Actor,
        action: str,
        target: AuditTarget,
        changes: dict[str, tuple[Any, Any]] | None = None,
    ) -> AuditEntry:
        now = self.clock()
        return AuditEntry(
            account_sid=account_sid,
            entry_id=uuid.uuid4().hex,
            at=now,
            actor=actor,
            action=action,
            target=target,
            changes=dict(changes or {}),
            expires_at=now + self.days * DAY_SECONDS,
        )


class AuditReader:
    """``GET /v1/audit``: the workspace's entries, newest first, filtered by target and/or actor, one page."""

    def __init__(self, entries: AuditEntries) -> None:
        self.entries = entries

    def page(
        self, account_sid: str, *, target: str | None, actor: str | None, page: int, per_page: int
    ) -> tuple[list[AuditEntry], bool]:
        return self.entries.entries(account_sid, target=target, actor=actor, skip=(page - 1) * per_page, take=per_page)
