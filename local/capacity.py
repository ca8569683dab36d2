"""What a DynamoDB request costs as DynamoDB bills it: item sizes, read units and write units.

Sizes follow "DynamoDB item sizes and formats"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html), units "DynamoDB
read and write operations" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html):

- GetItem, and each key of a BatchGetItem, rounds its item up to 4 KB; a key with no item costs one 4 KB read.
- Query and Scan add up the items they read (matched by the key condition or scanned, before any filter and
  projection; an index Query reads index entries) and round the sum up to 4 KB, at least one.
- A strongly consistent read of 4 KB is one read unit, an eventually consistent one half, a transactional one two.
- A write rounds up to 1 KB: the larger of the item before and after (PutItem, UpdateItem), the deleted item
  (DeleteItem), each item of a BatchWriteItem on its own; a failed condition still costs the item as it stands
  (at least one unit); a transaction's writes cost twice.

``install()`` makes the local DynamoDB server (moto) write down, for the request being metered, every item it
reads and writes (``Ledger``); ``Meter`` turns ledgers into units by operation for the server's counter
(``local.dynamodb``). Only the local stack uses it; ``tests/unit/test_capacity.py`` checks the rules against the
documentation's examples.
"""

from __future__ import annotations

import base64
import contextvars
import copy
import json
import math
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024
# Each element of a List or Map costs one byte more; a List or Map three bytes whatever it holds.
ELEMENT_OVERHEAD = 1
CONTAINER_OVERHEAD = 3
READ_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"})
WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})

AttributeValue = Mapping[str, Any]


def utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def number_size(text: str) -> int:
    """(1 byte per two significant digits) + 1 byte; leading and trailing zeroes are trimmed."""
    try:
        digits = Decimal(text).normalize().as_tuple().digits
    except InvalidOperation:
        digits = tuple(int(c) for c in text if c.isdigit())
    significant = "".join(str(d) for d in digits).strip("0")
    return math.ceil(max(len(significant), 1) / 2) + 1


def binary_size(value: str | bytes) -> int:
    """A binary value travels as base64; its raw bytes are what it weighs."""
    return len(value) if isinstance(value, bytes) else len(base64.b64decode(value))


def value_size(value: AttributeValue) -> int:
    """The size of one attribute value in DynamoDB's JSON form (``{"S": "..."}``), without its name."""
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return utf8(inner)
    if kind == "N":
        return number_size(inner)
    if kind == "B":
        return binary_size(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(utf8(v) for v in inner)
    if kind == "NS":
        return sum(number_size(v) for v in inner)
    if kind == "BS":
        return sum(binary_size(v) for v in inner)
    if kind == "L":
        return CONTAINER_OVERHEAD + sum(value_size(v) + ELEMENT_OVERHEAD for v in inner)
    if kind == "M":
        return CONTAINER_OVERHEAD + sum(utf8(k) + value_size(v) + ELEMENT_OVERHEAD for k, v in inner.items())
    raise ValueError(f"not a DynamoDB attribute value: {kind}")


def item_size(item: Mapping[str, AttributeValue]) -> int:
    """An item's size: the UTF-8 lengths of its attribute names plus the sizes of their values."""
    return sum(utf8(name) + value_size(value) for name, value in item.items())


def read_units(size: int, consistent: bool, transactional: bool = False) -> float:
    """One read of ``size`` bytes (an item, or a Query's sum): 4 KB blocks, at least one."""
    blocks = math.ceil(max(size, 1) / READ_UNIT_BYTES)
    return blocks * (2.0 if transactional else 1.0 if consistent else 0.5)


def write_units(size: int, transactional: bool = False) -> float:
    """One write of ``size`` bytes: 1 KB blocks, at least one."""
    return math.ceil(max(size, 1) / WRITE_UNIT_BYTES) * (2.0 if transactional else 1.0)


@dataclass(frozen=True)
class Read:
    """What one read touched in ``table``: one item (``None``: no item at the key), or a Query's or Scan's page
    (``page``: the sizes add up before rounding)."""

    table: str
    sizes: tuple[int | None, ...]
    page: bool = False


@dataclass(frozen=True)
class Write:
    """One item written in ``table``: its size before and after (``None``: no item), and whether the write was
    done (a failed condition leaves the item as it was)."""

    table: str
    before: int | None
    after: int | None
    done: bool = True


@dataclass
class Ledger:
    """What one request read and wrote, as the server did it."""

    reads: list[Read] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)


def consistent_tables(operation: str, request: Mapping[str, Any]) -> dict[str, bool]:
    """Which tables the request reads strongly consistently (``ConsistentRead``, per table in a batch)."""
    if operation == "BatchGetItem":
        return {name: bool(ask.get("ConsistentRead")) for name, ask in request.get("RequestItems", {}).items()}
    return {str(request.get("TableName", "")): bool(request.get("ConsistentRead"))}


def request_read_units(operation: str, request: Mapping[str, Any], reads: list[Read]) -> float:
    """Read units of one request. Reads a write does for itself (conditions, return values) cost nothing."""
    if operation not in READ_OPERATIONS:
        return 0.0
    consistent = consistent_tables(operation, request)
    transactional = operation == "TransactGetItems"
    units = 0.0
    for read in reads:
        strong = consistent.get(read.table, False)
        if read.page:
            units += read_units(sum(s or 0 for s in read.sizes), strong)
        else:
            units += sum(read_units(s or 0, strong, transactional) for s in read.sizes)
    return units


def request_write_units(operation: str, writes: list[Write]) -> float:
    """Write units of one request: each item on its own, the larger of before and after."""
    if operation not in WRITE_OPERATIONS:
        return 0.0
    transactional = operation == "TransactWriteItems"
    units = 0.0
    for write in writes:
        size = max(write.before or 0, write.after or 0) if write.done else (write.before or 0)
        units += write_units(size, transactional)
    return units


LEDGER: contextvars.ContextVar[Ledger | None] = contextvars.ContextVar("capacity_ledger", default=None)


class Meter:
    """Read and write units by operation since the last ``clear``: what the DynamoDB server's counter reports."""

    def __init__(self) -> None:
        self.read: defaultdict[str, float] = defaultdict(float)
        self.write: defaultdict[str, float] = defaultdict(float)
        self.lock = threading.Lock()

    @contextmanager
    def metering(self, operation: str, body: bytes) -> Iterator[Ledger]:
        """Write down what the request served inside the block reads and writes, then bill it."""
        ledger = Ledger()
        token = LEDGER.set(ledger)
        try:
            yield ledger
        finally:
            LEDGER.reset(token)
            self.bill(operation, body, ledger)

    def bill(self, operation: str, body: bytes, ledger: Ledger) -> None:
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        read = request_read_units(operation, request, ledger.reads)
        write = request_write_units(operation, ledger.writes)
        with self.lock:
            if read:
                self.read[operation] += read
            if write:
                self.write[operation] += write

    def clear(self) -> None:
        with self.lock:
            self.read.clear()
            self.write.clear()

    def report(self) -> dict[str, Any]:
        with self.lock:
            return {
                "readUnits": sum(self.read.values()),
                "readUnitsByOperation": dict(self.read),
                "writeUnits": sum(self.write.values()),
                "writeUnitsByOperation": dict(self.write),
            }


def stored_size(item: Any) -> int | None:
    """The size of a moto ``Item`` as DynamoDB sizes it (``None``: no item): ``item_size`` of its JSON form,
    read from moto's attribute values as they are."""
    if item is None:
        return None
    total = 0
    for name, value in item.attrs.items():
        # A string, a boolean or a null inline (most of a record's attributes); anything else as it is sized.
        kind, inner = getattr(value, "type", None), getattr(value, "value", None)
        if kind == "S" and type(inner) is str:
            size = len(inner) if inner.isascii() else utf8(inner)
        elif (kind == "BOOL" or kind == "NULL") and type(inner) is bool:
            size = 1
        else:
            size = stored_value_size(value)
        total += (len(name) if name.isascii() else utf8(name)) + size
    return total


def stored_value_size(value: Any) -> int:
    """``value_size`` of a moto ``DynamoType`` (or of the JSON form moto holds inside a list)."""
    kind = getattr(value, "type", None)
    if kind is None:
        return value_size(value)
    inner = value.value
    if kind == "S":
        return len(inner) if inner.isascii() else utf8(inner)
    if kind == "BOOL" or kind == "NULL":
        return 1
    if kind == "L":
        return CONTAINER_OVERHEAD + sum(stored_value_size(v) + ELEMENT_OVERHEAD for v in inner)
    if kind == "M":
        return CONTAINER_OVERHEAD + sum(utf8(k) + stored_value_size(v) + ELEMENT_OVERHEAD for k, v in inner.items())
    return value_size(value.to_json())


def finish(items: list[Any], filter_expression: Any, projection: Any) -> list[Any]:
    """What moto does to the items it read: the filter, then the projection."""
    if filter_expression is not None:
        items = [item for item in items if filter_expression.expr(item)]
    return [item.project(projection) for item in items] if projection else items


def metered_get_item(stock: Any) -> Any:
    """moto's backend ``get_item`` (GetItem, each key of BatchGetItem and TransactGetItems, and a write's own
    look-ups, which bill nothing): the whole item is what is read, whatever the projection."""

    def get_item(self: Any, table_name: str, keys: dict[str, Any], projection: Any = None) -> Any:
        item = stock(self, table_name, keys, projection)
        ledger = LEDGER.get()
        if ledger is not None:
            table = self.get_table(table_name)
            whole = table.get_item(*self.get_keys_value(table, keys)) if projection else item
            ledger.reads.append(Read(table.name, (stored_size(whole),)))
        return item

    return get_item


# While a Query is metered: the items it has sized (by id, with the item, so that an id is never reused), with
# moto's size (its 1 MB page) and DynamoDB's (``stored_size``; ``None`` when not needed), so that each item of a page
# is sized once (``local.partitions``).
Sized = dict[int, tuple[Any, int, int | None]]
SIZED: contextvars.ContextVar[Sized | None] = contextvars.ContextVar("sized_items", default=None)


def known_stored_size(item: Any, sized: Sized) -> int | None:
    """``stored_size`` of an item, looked up when the Query has sized it already."""
    known = sized.get(id(item))
    if known is not None and known[0] is item and known[2] is not None:
        return known[2]
    return stored_size(item)


def metered_query(stock: Any) -> Any:
    """moto's ``Table.query``, reading without the filter and projection (moto's backend passes them by position,
    after the sort order), so that what it read is written down before they apply."""

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        ledger = LEDGER.get()
        if ledger is None or len(args) < 10:
            return stock(self, *args, **kwargs)
        head, projection, index_name, consistent, filter_expression = args[:6], args[6], args[7], args[8], args[9]
        # moto copies a table's page before its filter and projection; nothing after them changes an item (the
        # answer is converted to new dicts and written before the server serves another request).
        sized: Sized = {}
        token = UNCOPIED.set(not index_name)
        sized_token = SIZED.set(sized)
        try:
            items, scanned, last = stock(self, *head, None, index_name, consistent, None, *args[10:], **kwargs)
            ledger.reads.append(Read(self.name, tuple(known_stored_size(item, sized) for item in items), page=True))
        finally:
            SIZED.reset(sized_token)
            UNCOPIED.reset(token)
        return finish(items, filter_expression, projection), scanned, last

    return query


# While set, moto's Query (``metered_query``) does not copy its page: the page's items are only read (filtered,
# projected into new items, converted into new dicts) before the answer is written.
UNCOPIED: contextvars.ContextVar[bool] = contextvars.ContextVar("uncopied_page", default=False)


class PageCopy:
    """The ``copy`` module as moto's table module sees it: ``deepcopy`` of a Query's page is the page's list when
    ``UNCOPIED`` is set (nothing changes the stored items on the way to the answer), a deep copy otherwise."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if type(value) is list and UNCOPIED.get():
            return list(value)
        return copy.deepcopy(value, memo)


def metered_scan(stock: Any) -> Any:
    """moto's ``Table.scan``, like ``metered_query``."""

    def scan(self: Any, filters: Any, limit: Any, start: Any, filter_expression: Any, *args: Any, **kwargs: Any) -> Any:
        ledger = LEDGER.get()
        if ledger is None or len(args) < 3:
            return stock(self, filters, limit, start, filter_expression, *args, **kwargs)
        index_name, consistent, projection = args[:3]
        items, scanned, last = stock(self, filters, limit, start, None, index_name, consistent, None, **kwargs)
        ledger.reads.append(Read(self.name, tuple(stored_size(item) for item in items), page=True))
        return finish(items, filter_expression, projection), scanned, last

    return scan


def metered_write(stock: Any, key_argument: str, refused: type[Exception]) -> Any:
    """moto's backend ``put_item``, ``update_item`` or ``delete_item`` (alone, or in a batch or a transaction): the
    item's size before and after; a refused condition is billed too."""

    def write(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        ledger = LEDGER.get()
        if ledger is None:
            return stock(self, table_name, *args, **kwargs)
        table = self.get_table(table_name)
        key = self.get_keys_value(table, args[0] if args else kwargs[key_argument])
        before = stored_size(table.get_item(*key))
        try:
            result = stock(self, table_name, *args, **kwargs)
        except refused:
            ledger.writes.append(Write(table.name, before, before, done=False))
            raise
        ledger.writes.append(Write(table.name, before, stored_size(table.get_item(*key))))
        return result

    return write


def install() -> None:
    """Patch moto (idempotent) so that the request being metered writes down the items it reads and writes.
    Install after ``local.partitions``: the Query it wraps is the one that reads a partition. The legacy
    ``QueryFilter``/``ScanFilter`` parameters are not metered (moto applies them while reading)."""
    from moto.dynamodb.exceptions import ConditionalCheckFailed
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.models.table import Table

    if getattr(Table, "meters_capacity", False):
        return
    table_module.copy = PageCopy()  # type: ignore[assignment]
    backend: Any = DynamoDBBackend
    table: Any = Table
    backend.get_item = metered_get_item(backend.get_item)
    backend.put_item = metered_write(backend.put_item, "item_attrs", ConditionalCheckFailed)
    backend.update_item = metered_write(backend.update_item, "key", ConditionalCheckFailed)
    backend.delete_item = metered_write(backend.delete_item, "key", ConditionalCheckFailed)
    table.query = metered_query(table.query)
    table.scan = metered_scan(table.scan)
    table.meters_capacity = True
