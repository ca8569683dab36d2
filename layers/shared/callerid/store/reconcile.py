"""What a reconcile reads of a workspace in the large (every record, every small pool) and the one item that says
where the scheduled reconcile stopped (``RECONCILE`` / ``CHECKPOINT``). The reconcile itself is
``service.reconcile``; it writes only through the repositories the records' writers use."""

from __future__ import annotations

import json
from typing import Any

from pynamodb.exceptions import DoesNotExist

from callerid.domain.numbers import Candidate, NumberRecord
from callerid.store.batch import plain
from callerid.store.heads import HEAD
from callerid.store.models import HeadItem, NumberItem, PoolItem, ReconcileCheckpointItem, table, workspace_key
from callerid.store.pools import entries_of, parse_entry
from callerid.store.records import to_record

CHECKPOINT_PK = "RECONCILE"
CHECKPOINT_SK = "CHECKPOINT"
POOL_PREFIXES = ("POOL#", "ASSIGN#")
# Records a query page reads (small pages answer well within the client's read timeout).
RECORDS_PAGE = 250
# Items a scan page reads (most are not heads: the filter keeps those).
SCAN_PAGE = 1000


class ReconcileRepository:
    def all_records(self, account_sid: str) -> list[NumberRecord]:
        """Every record of the workspace, released ones included (a reconcile reads them all)."""
        items = NumberItem.query(
            workspace_key(account_sid),
            NumberItem.sk.startswith("NUMBER#"),
            consistent_read=True,
            page_size=RECORDS_PAGE,
        )
        return [to_record(item) for item in items]

    def pool_entries(self, account_sid: str) -> dict[str, dict[str, Candidate]]:
        """Every presence and assignment pool of the workspace: key -> phone -> entry."""
        found: dict[str, dict[str, Candidate]] = {}
        for prefix in POOL_PREFIXES:
            start: dict[str, Any] | None = None
            while True:
                answer = table().query(
                    workspace_key(account_sid),
                    range_key_condition=PoolItem.sk.startswith(prefix),
                    consistent_read=True,
                    exclusive_start_key=start,
                )
                for item in answer.get("Items", []):
                    entries = entries_of(item)
                    found[str(plain(item["sk"]))] = {
                        phone: parse_entry(account_sid, phone, entry) for phone, entry in entries.items()
                    }
                start = answer.get("LastEvaluatedKey")
                if not start:
                    break
        return found

    def workspaces(self, cursor: str | None) -> tuple[list[str], str | None]:
        """One page of the table's scan for workspace heads, from ``cursor`` (``None``: the start): the workspaces
        in it, in order, and the next page's cursor (``None``: that was the last). Only the scheduled reconcile
        scans, once a day; it then reads every record of each workspace anyway."""
        start = json.loads(cursor) if cursor else None
        answer = table().scan(
            filter_condition=HeadItem.sk == HEAD, limit=SCAN_PAGE, exclusive_start_key=start, consistent_read=True
        )
        accounts = sorted(str(plain(item["pk"])).removeprefix("WS#") for item in answer.get("Items", []))
        following = answer.get("LastEvaluatedKey")
        return accounts, json.dumps(following, sort_keys=True) if following else None

    def checkpoint(self) -> tuple[str | None, str | None] | None:
        """Where the last pass stopped: the scan page's cursor and the last workspace reconciled in it."""
        try:
            item = ReconcileCheckpointItem.get(CHECKPOINT_PK, CHECKPOINT_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return item.cursor, item.after

    def save_checkpoint(self, cursor: str | None, after: str | None) -> None:
        ReconcileCheckpointItem(CHECKPOINT_PK, CHECKPOINT_SK, cursor=cursor, after=after).save()

    def clear_checkpoint(self) -> None:
        """The pass is complete: the next one starts from the beginning."""
        ReconcileCheckpointItem(CHECKPOINT_PK, CHECKPOINT_SK).delete()
