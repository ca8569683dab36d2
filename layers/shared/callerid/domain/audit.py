"""The audit log's entries: who changed what, when, from what to what (PRODUCT.md, "People, queues and the audit
log"). An entry is written in the same DynamoDB transaction as the change it records (``store/audit.py``), so a
change whose entry cannot be written does not happen, and a refused change leaves no entry."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from enum import StrEnum
from typing import Any


class TargetKind(StrEnum):
    PHONE_NUMBER = "phone_number"
    CALLER_ID = "caller_id"
    WORKER = "worker"


@dataclass(frozen=True, slots=True)
class Actor:
    """The person who made the change, from the validated Flex token (never from the request)."""

    worker_sid: str | None
    identity: str


@dataclass(frozen=True, slots=True)
class AuditTarget:
    kind: TargetKind
    sid: str
    phone_number: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    account_sid: str
    entry_id: str
    at: float
    actor: Actor
    action: str
    target: AuditTarget
    # field: [before, after]
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # When DynamoDB may delete it (epoch seconds): ``AUDIT_DAYS`` after ``at``.
    expires_at: float = 0.0


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields whose value differs, as ``[before, after]``."""
    return {name: (before.get(name), after.get(name)) for name in after if before.get(name) != after.get(name)}


def plain(value: Any) -> Any:
    """A value as JSON holds it: enums by value, dataclasses as objects, sets and tuples as lists."""
    if isinstance(value, StrEnum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        # As the API shows it: camelCase names, unset parts left out ({"queueSid": "WQ…"}).
        return {camel(name): plain(v) for name, v in asdict(value).items() if v is not None}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return value


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def record_changes(before: Any, after: Any, names: tuple[str, ...] = ()) -> dict[str, tuple[Any, Any]]:
    """The fields of two versions of a dataclass that differ (or of ``names``), by their API (camelCase) name."""
    chosen = names or tuple(f.name for f in fields(after) if f.name not in {"revision", "updated_at", "is_primary"})
    return {
        camel(name): (plain(getattr(before, name)), plain(getattr(after, name)))
        for name in chosen
        if getattr(before, name) != getattr(after, name)
    }
