"""A workspace's head item (``WS#<account>`` / ``NUMBERS``): its primary, its counters, its fallback pool of at most
``POOL_SIZE`` candidates and its refresh state. See docs/design.md."""

from __future__ import annotations

import json

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.update import Action

from callerid.domain.audit import AuditEntry
from callerid.domain.catalogue import CounterKey, Head, RefreshState
from callerid.domain.numbers import Candidate, NumberSource, NumberStatus
from callerid.domain.pools import POOL_SIZE
from callerid.store.audit import audited
from callerid.store.conditions import failed_condition
from callerid.store.models import HeadItem, count_attribute, shared_count_attribute, workspace_key
from callerid.store.pools import parse_pool, pool_entry

HEAD = "NUMBERS"


def to_head(item: HeadItem) -> Head:
    account = item.pk.removeprefix("WS#")
    counts = {
        (source, status): int(getattr(item, count_attribute(source, status)) or 0)
        for source in NumberSource
        for status in (NumberStatus.ACTIVE, NumberStatus.INACTIVE)
    }
    shared = {source: int(getattr(item, shared_count_attribute(source)) or 0) for source in NumberSource}
    refresh = None
    if item.refresh_pass:
        refresh = RefreshState(
            item.refresh_pass,
            item.refresh_phase or "",
            item.refresh_next,
            int(item.refresh_chunks or 0),
            int(item.refresh_read or 0),
            tuple(sorted(json.loads(item.refresh_kept or "{}").items())),
        )
    pool = item.pool.as_dict() if hasattr(item.pool, "as_dict") else dict(item.pool or {})
    return Head(
        account,
        True,
        item.primary,
        float(item.refreshed_at or 0),
        parse_pool(account, pool),
        counts,
        shared,
        refresh,
        int(item.listing_version or 0),
    )


def counter_attribute(key: CounterKey) -> str:
    source, status = key
    return shared_count_attribute(source) if status is None else count_attribute(source, status)


class HeadRepository:
    def head(self, account_sid: str) -> Head:
        try:
            return to_head(HeadItem.get(workspace_key(account_sid), HEAD, consistent_read=True))
        except HeadItem.DoesNotExist:
            return Head(account_sid)

    def ensure_head(self, account_sid: str) -> None:
        try:
            HeadItem(workspace_key(account_sid), HEAD, pool={}).save(condition=HeadItem.pk.does_not_exist())
        except PutError as exc:
            if not failed_condition(exc):
                raise

    def adjust_counts(self, account_sid: str, deltas: dict[CounterKey, int]) -> None:
        """A record of the workspace was written: its counters move by ``deltas`` and the listing version goes up
        (whatever changed, even with no counter moving: list answers' entity tags are made of it)."""
        actions = [getattr(HeadItem, counter_attribute(key)).add(delta) for key, delta in deltas.items() if delta]
        HeadItem(workspace_key(account_sid), HEAD).update(
            actions=[HeadItem.kind.set(HeadItem), HeadItem.listing_version.add(1), *actions]
        )

    def add_to_pool(self, account_sid: str, candidate: Candidate) -> bool:
        """Add or change the candidate's entry in the fallback pool; a new one only while the pool holds fewer than
        POOL_SIZE."""
        slot = HeadItem.pool[candidate.phone_number]
        condition = slot.exists() | (size(HeadItem.pool) < POOL_SIZE)
        return self._update_head(account_sid, [slot.set(pool_entry(candidate))], condition)

    def remove_from_pool(self, account_sid: str, phone_number: str) -> None:
        slot = HeadItem.pool[phone_number]
        HeadItem(workspace_key(account_sid), HEAD).update(actions=[slot.remove()])

    def set_primary(self, account_sid: str, phone_number: str, *, audit: AuditEntry | None = None) -> None:
        """One attribute of one item: whoever writes last is the primary, and there is only ever one. With
        ``audit``, the write and its audit entry are one transaction."""
        head = HeadItem(workspace_key(account_sid), HEAD)
        actions: list[Action] = [HeadItem.kind.set(HeadItem), HeadItem.primary.set(phone_number)]
        if audit is not None:
            audited(audit, lambda t: t.update(head, actions=actions))
            return
        head.update(actions=actions)

    def clear_primary(self, account_sid: str, phone_number: str) -> bool:
        """Forget the primary if it is still ``phone_number`` (a released primary leaves none)."""
        return self._update_head(account_sid, [HeadItem.primary.remove()], HeadItem.primary == phone_number)

    @staticmethod
    def _update_head(account_sid: str, actions: list[Action], condition: Condition) -> bool:
        """A conditional update of the workspace's head; answers whether the condition held."""
        try:
            HeadItem(workspace_key(account_sid), HEAD).update(actions=actions, condition=condition)
        except UpdateError as exc:
            if failed_condition(exc):
                return False
            raise
        return True
