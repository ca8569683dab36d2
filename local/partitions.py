"""moto's table Query, made to read one partition as DynamoDB does.

moto answers a table Query by walking every item of the table, sorting the partition's and skipping to the
exclusive start key one item at a time, so its cost grows with the table, not with what the Query reads. Real
DynamoDB reads the partition's items in sort-key order from the first one the key condition admits, and stops at
the page. ``install()`` gives moto that shape for table Queries on a string sort key, ascending: each partition
keeps its sort keys in order (rebuilt only after a key is added or removed), the Query's candidates are the slice
its key condition and start key admit (capped at ``Limit`` + 1), and moto's own query then runs over that slice,
so its results, filters, projections, ``LastEvaluatedKey`` and 1 MB page limit are its own. Everything else (index
Queries, descending Queries, the legacy ``QueryFilter``) goes to moto's query; an index Query over only the
items that carry the index's hash key.

Only the local stack uses it (``local.dynamodb.make_app``); ``tests/unit/test_partitions.py`` checks that every
answer equals stock moto's.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import Any

from local import capacity


class Partition(dict[Any, Any]):
    """A partition's items by sort key (moto's ``DynamoType``), with the keys in order kept until one is added or
    removed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ordered: tuple[list[str], list[Any]] | None = None

    def __setitem__(self, key: Any, value: Any) -> None:
        if key not in self:
            self.ordered = None
        super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        self.ordered = None
        super().__delitem__(key)

    def pop(self, key: Any, *default: Any) -> Any:
        self.ordered = None
        return super().pop(key, *default)

    def popitem(self) -> tuple[Any, Any]:
        self.ordered = None
        return super().popitem()

    def clear(self) -> None:
        self.ordered = None
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.ordered = None
        super().update(*args, **kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self.ordered = None
        return super().setdefault(key, default)

    def order(self) -> tuple[list[str], list[Any]]:
        """The sort keys' strings in order, and the keys themselves in the same order."""
        if self.ordered is None:
            pairs = sorted(((str(key.value), key) for key in self), key=lambda pair: pair[0])
            self.ordered = ([text for text, _ in pairs], [key for _, key in pairs])
        return self.ordered


SYMBOLS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}


def bounds(keys: list[str], comparison: str | None, values: list[Any]) -> tuple[int, int] | None:
    """The slice of ``keys`` a key condition admits (``None``: a comparison this does not know)."""
    first = str(values[0].value) if values else ""
    comparison = SYMBOLS.get(comparison or "", (comparison or "").upper()) or None
    if comparison == "BEGINS_WITH":
        # The first string past every one that begins with the prefix.
        after = first[:-1] + chr(ord(first[-1]) + 1) if first and first[-1] < "\U0010ffff" else None
        return bisect_left(keys, first), bisect_left(keys, after) if after is not None else len(keys)
    if comparison == "BETWEEN":
        return bisect_left(keys, first), bisect_right(keys, str(values[1].value))
    if comparison == "EQ":
        return bisect_left(keys, first), bisect_right(keys, first)
    if comparison == "GE":
        return bisect_left(keys, first), len(keys)
    if comparison == "GT":
        return bisect_right(keys, first), len(keys)
    if comparison == "LE":
        return 0, bisect_right(keys, first)
    if comparison == "LT":
        return 0, bisect_left(keys, first)
    return (0, len(keys)) if comparison is None else None


PLAIN_ARGUMENTS = {"index_name", "consistent_read", "filter_expression", "hash_key_conditions", "range_key_conditions"}


def index_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The index a Query names, from moto's ``Table.query`` arguments after the sort order."""
    return kwargs.get("index_name") or (args[1] if len(args) > 1 else None)


def readable_partition(
    table: Any, hash_key: Any, forward: bool, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Partition | None:
    """The partition a table Query reads, when this module can answer it (else moto does)."""
    if index_of(args, kwargs) or forward is False or hash_key is None or set(kwargs) - PLAIN_ARGUMENTS:
        return None
    if not table.range_key_attr or table.range_key_type != "S":
        return None
    partition = table.items.get(hash_key)
    return partition if isinstance(partition, Partition) else None


def stock_index_query(
    stock_query: Any, table: Any, stock: tuple[Any, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """moto's query; for an index Query over only the items that carry the index's hash key (moto sorts every
    item of the table first, and the others can never match)."""
    index_name = index_of(args, kwargs)
    if not index_name or not table.range_key_attr:
        return stock_query(*stock, *args, **kwargs)
    index = table.get_index(index_name)
    wanted = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
    carriers = [item for part in table.items.values() for item in part.values() if all(a in item.attrs for a in wanted)]
    carriers.sort(key=lambda item: (item.hash_key, item.range_key))
    table.all_items = lambda: carriers
    try:
        return stock_query(*stock, *args, **kwargs)
    finally:
        del table.all_items


def page_candidates(
    partition: Partition, keys: list[Any], within: int, limit: int | None, sizes: capacity.Sized
) -> list[Any]:
    """What moto's query looks at of ``keys`` (the first ``within`` in the key condition), as far as it goes: it
    stops at the first item (in the key condition or not) when it holds ``limit`` items already or that item takes
    the page past 1 MB (moto's sizes, written down in ``sizes``, with DynamoDB's of the items in the key condition,
    which the page may bill). An item outside the key condition that does not stop it changes nothing, and is left
    out."""
    from moto.dynamodb.models.table import RESULT_SIZE_LIMIT

    candidates: list[Any] = []
    total = 0
    for index, key in enumerate(keys):
        item = partition[key]
        size, billed = item_sizes(item) if index < within else (moto_size(item), None)
        sizes[id(item)] = (item, size, billed)
        if len(candidates) == limit or total + size > RESULT_SIZE_LIMIT:
            candidates.append(item)
            break
        if index < within:
            candidates.append(item)
            total += size
    return candidates


# moto's own Item.size (install() keeps it).
STOCK_SIZE: Any = None


def moto_size(item: Any) -> int:
    """moto's ``Item.size``: each attribute's name in UTF-8 bytes plus moto's size of its value, which for a string
    is its UTF-8 bytes and for a boolean or a null one byte (anything else: moto's ``DynamoType.size``)."""
    total = 0
    for name, value in item.attrs.items():
        kind, inner = value.type, value.value
        if kind == "S" and type(inner) is str:
            size = len(inner) if inner.isascii() else len(inner.encode("utf-8"))
        elif (kind == "BOOL" or kind == "NULL") and type(inner) is bool:
            size = 1
        else:
            size = value.size()
        total += (len(name) if name.isascii() else len(name.encode("utf-8"))) + size
    return total


def item_sizes(item: Any) -> tuple[int, int]:
    """``moto_size`` and DynamoDB's size (``capacity.stored_size``) in one pass: a name, a string, a boolean and a
    null weigh the same in both; anything else is sized by each."""
    moto = billed = 0
    for name, value in item.attrs.items():
        kind, inner = value.type, value.value
        named = len(name) if name.isascii() else len(name.encode("utf-8"))
        if kind == "S" and type(inner) is str:
            size = named + (len(inner) if inner.isascii() else len(inner.encode("utf-8")))
            moto, billed = moto + size, billed + size
        elif (kind == "BOOL" or kind == "NULL") and type(inner) is bool:
            moto, billed = moto + named + 1, billed + named + 1
        else:
            moto, billed = moto + named + value.size(), billed + named + capacity.stored_value_size(value)
    return moto, billed


def remembered_size(self: Any) -> int:
    """moto's ``Item.size``, looked up when the Query being served has sized the item already."""
    sizes = capacity.SIZED.get()
    if sizes is not None:
        known = sizes.get(id(self))
        if known is not None and known[0] is self:
            return known[1]
    return int(STOCK_SIZE(self))


def install() -> None:
    """Patch moto's ``Table`` (idempotent): new tables keep their partitions as ``Partition``s, and a table
    Query on a string sort key reads only its slice of one partition, sizing each item once."""
    global STOCK_SIZE
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    if getattr(Table, "reads_one_partition", False):
        return
    stock_init: Any = Table.__init__
    stock_query: Any = Table.query
    if STOCK_SIZE is None:
        STOCK_SIZE = Item.size
        Item.size = remembered_size  # type: ignore[method-assign]

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        stock_init(self, *args, **kwargs)
        self.items = defaultdict(Partition)

    def query(
        self: Any,
        hash_key: Any,
        range_comparison: str | None,
        range_objs: list[Any],
        limit: int | None,
        exclusive_start_key: dict[str, Any] | None,
        scan_index_forward: bool,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        stock = (self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward)
        partition = readable_partition(self, hash_key, scan_index_forward, args, kwargs)
        if partition is None:
            return stock_index_query(stock_query, self, stock, args, kwargs)
        texts, keys = partition.order()
        admitted = bounds(texts, range_comparison, range_objs)
        if admitted is None:
            return stock_index_query(stock_query, self, stock, args, kwargs)
        low, high = admitted
        if exclusive_start_key:
            low = max(low, bisect_right(texts, str(exclusive_start_key[self.range_key_attr]["S"])))
        # moto checks its page limits (Limit, 1 MB) on every item after the start, in the key condition or not:
        # with a Limit, one more item than the page says whether the page is full; without one, the rest. Of
        # those, moto's query is given what it may answer, and the item that ends its page (``page_candidates``).
        within = max(high - low, 0)
        high = low + limit + 1 if limit else len(keys)
        # The metered request's record of sizes (``local.capacity``), or one of this Query's own.
        sizes, token = capacity.SIZED.get(), None
        if sizes is None:
            sizes = {}
            token = capacity.SIZED.set(sizes)
        candidates = page_candidates(partition, keys[low:high], within, limit, sizes)
        self.all_items = lambda: candidates
        try:
            # Every candidate moto may add to the page is inside the key condition (the one outside it only ends
            # the page, before moto compares it), so moto need not compare each one's sort key again.
            return stock_query(self, hash_key, None, [], limit, None, scan_index_forward, *args, **kwargs)
        finally:
            if token is not None:
                capacity.SIZED.reset(token)
            del self.all_items

    Table.__init__ = init  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    Table.reads_one_partition = True  # type: ignore[attr-defined]
