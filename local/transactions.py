"""moto's TransactWriteItems, rolled back item by item instead of table by table.

Stock moto backs up every table a transaction touches with ``copy.deepcopy`` before applying it, so one
TransactWriteItems costs as much as copying the whole table: at 1,000 numbers the call path (whose lock write is a
transaction with the call's record since issue 16) became several times slower locally than a plain UpdateItem,
which real DynamoDB does not do. ``install()`` keeps moto's own transaction code (its checks, conditions, errors and
order) but hands it the table itself as its "backup", and instead snapshots only the items the transaction names
(each a small deep copy) and puts exactly those back when moto cancels the transaction.

Only the local stack uses it (``local.dynamodb.make_app``); ``tests/unit/test_transactions.py`` checks that
committed and cancelled transactions leave the table as stock moto does.
"""

from __future__ import annotations

import copy
import types
from typing import Any

_deepcopy = copy.deepcopy


def deepcopy_but_tables(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy``, except that a moto ``Table`` is its own backup (``rollback`` restores its items)."""
    from moto.dynamodb.models.table import Table

    return value if isinstance(value, Table) else _deepcopy(value, memo)


def touched(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any, Any]]:
    """``(table, hash key, range key, a copy of the item or None)`` of every item the transaction names."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved = []
    for entry in transact_items:
        if len(entry) != 1:
            continue
        op_type, op = next(iter(entry.items()))
        table_name = op.get("TableName") if isinstance(op, dict) else None
        if table_name not in backend.tables:
            continue
        table = backend.tables[table_name]
        attributes = op.get("Item") if op_type == "Put" else op.get("Key")
        if not isinstance(attributes, dict) or table.hash_key_attr not in attributes:
            continue
        hash_key = DynamoType(attributes[table.hash_key_attr])
        range_key = None
        if table.range_key_attr is not None:
            if table.range_key_attr not in attributes:
                continue
            range_key = DynamoType(attributes[table.range_key_attr])
        current = table.get_item(hash_key, range_key)
        saved.append((table, hash_key, range_key, None if current is None else _deepcopy(current)))
    return saved


def rollback(saved: list[tuple[Any, Any, Any, Any]]) -> None:
    """Put every named item back as it was (in reverse, so an item named twice ends as it was first)."""
    for table, hash_key, range_key, item in reversed(saved):
        if item is None:
            if range_key is None:
                table.items.pop(hash_key, None)
            elif hash_key in table.items:
                table.items[hash_key].pop(range_key, None)
                if not table.items[hash_key]:
                    del table.items[hash_key]
        elif range_key is None:
            table.items[hash_key] = item
        else:
            table.items[hash_key][range_key] = item


def install() -> None:
    """Patch moto's backend (idempotent)."""
    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend

    backend: Any = DynamoDBBackend
    if getattr(backend, "rolls_back_items", False):
        return
    setattr(models, "copy", types.SimpleNamespace(deepcopy=deepcopy_but_tables, copy=copy.copy))  # noqa: B010
    stock = backend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = touched(self, transact_items)
        try:
            stock(self, transact_items)
        except Exception:
            rollback(saved)
            raise

    backend.transact_write_items = transact_write_items
    backend.rolls_back_items = True
