"""The audit log in the table. An entry is several items, written in the same TransactWriteItems as the change it
records (``audited``): the entry under ``AUDIT#<account>`` and copies under ``AUDIT#<account>#T#<sid>``,
``AUDIT#<account>#T#<e164>`` (the target's SID and phone) and ``AUDIT#<account>#A#<worker>`` (the actor), so each
filter of ``GET /v1/audit`` is one Query, newest first. Every copy expires ``AUDIT_DAYS`` after it was written."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from callerid.domain.audit import Actor, AuditEntry, AuditTarget, TargetKind
from callerid.store.conditions import failed_transaction_conditions
from callerid.store.models import TableItem, connection

PREFIX = "AUDIT#"


class AuditItem(TableItem, discriminator="audit"):
    at_text = UnicodeAttribute()
    actor_worker = UnicodeAttribute(null=True)
    actor_identity = UnicodeAttribute()
    action = UnicodeAttribute()
    target_kind = UnicodeAttribute()
    target_sid = UnicodeAttribute()
    target_phone = UnicodeAttribute(null=True)
    changes = UnicodeAttribute()


def audit_key(account_sid: str, *, target: str | None = None, actor: str | None = None) -> str:
    if target:
        return f"{PREFIX}{account_sid}#T#{target}"
    if actor:
        return f"{PREFIX}{account_sid}#A#{actor}"
    return f"{PREFIX}{account_sid}"


def sort_key(entry: AuditEntry) -> str:
    """Newest last in the key's order: milliseconds (13 digits) then the entry's id."""
    return f"{int(entry.at * 1000):013d}#{entry.entry_id}"


def audit_items(entry: AuditEntry) -> list[AuditItem]:
    """The entry and its copies under the target's SID and phone and the actor's worker."""
    account = entry.account_sid
    keys = [audit_key(account), audit_key(account, target=entry.target.sid)]
    if entry.target.phone_number and entry.target.phone_number != entry.target.sid:
        keys.append(audit_key(account, target=entry.target.phone_number))
    if entry.actor.worker_sid:
        keys.append(audit_key(account, actor=entry.actor.worker_sid))
    return [
        AuditItem(
            pk,
            sort_key(entry),
            at_text=f"{entry.at:.3f}",
            actor_worker=entry.actor.worker_sid,
            actor_identity=entry.actor.identity,
            action=entry.action,
            target_kind=entry.target.kind.value,
            target_sid=entry.target.sid,
            target_phone=entry.target.phone_number,
            changes=json.dumps({k: list(v) for k, v in entry.changes.items()}, default=str),
            expires_at=datetime.fromtimestamp(entry.expires_at, UTC),
        )
        for pk in keys
    ]


def audited(entry: AuditEntry, change: Callable[[TransactWrite], None], *, retract: bool = False) -> bool:
    """Write the change (``change`` adds it to the transaction first) and its entry's items in one transaction.
    ``False`` when the change's own condition failed (nothing is written then); any other failure, the entry's
    included, raises and writes nothing. ``retract`` deletes the entry instead, with the change that undoes the
    one it recorded (a release put back when Twilio refused it: only changes that happened stay logged)."""
    try:
        with TransactWrite(connection=connection()) as transaction:
            change(transaction)
            # Unconditional: an entry's key is new (its own id), so the only condition is the change's. (The
            # local DynamoDB server does not always say which item's condition failed.)
            for item in audit_items(entry):
                if retract:
                    transaction.delete(item)
                else:
                    transaction.save(item)
    except TransactWriteError as exc:
        if failed_transaction_conditions(exc):
            return False
        raise
    return True


def parse_entry(account_sid: str, item: AuditItem) -> AuditEntry:
    raw: dict[str, Any] = json.loads(item.changes or "{}")
    return AuditEntry(
        account_sid=account_sid,
        entry_id=str(item.sk).split("#", 1)[-1],
        at=float(item.at_text),
        actor=Actor(item.actor_worker, item.actor_identity),
        action=item.action,
        target=AuditTarget(TargetKind(item.target_kind), item.target_sid, item.target_phone),
        changes={k: (v[0], v[1]) for k, v in raw.items()},
        expires_at=float(item.expires_at.timestamp()) if item.expires_at else 0.0,
    )


class AuditLog:
    """``AuditEntries``: the workspace's entries, newest first, by target (SID or E.164) and/or actor."""

    def entries(
        self, account_sid: str, *, target: str | None, actor: str | None, skip: int, take: int
    ) -> tuple[list[AuditEntry], bool]:
        filter_condition: Condition | None = None
        if target:
            key = audit_key(account_sid, target=target)
            if actor:
                filter_condition = AuditItem.actor_worker == actor
        else:
            key = audit_key(account_sid, actor=actor)
        found = AuditItem.query(key, scan_index_forward=False, filter_condition=filter_condition, page_size=200)
        rows = list(itertools.islice(found, skip, skip + take + 1))
        return [parse_entry(account_sid, r) for r in rows[:take]], len(rows) > take
