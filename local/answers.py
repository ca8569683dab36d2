"""moto's Query answers, built at a cost that follows the page rather than each item's every attribute.

Reading a page of 1,000 records took the local DynamoDB server about 3 s on the development machine
(docs/design.md, "The local DynamoDB"), where DynamoDB takes tens of milliseconds: moto's ``Item.project``
deserialises the whole item once per projected name (nine names: nine times), and its response serialiser walks
botocore's shape of every attribute value. ``install()`` changes two things, neither what is answered:

- ``Item.project`` deserialises, once, only the attributes the projection's paths start with, and picks the paths
  from those (moto's own ``find_nested_key`` and ``merge_dicts``, in the same order), so each projected item is
  the one moto builds (without checking its size again at every attribute: it is never larger than the item). A
  projection of top-level names over strings and booleans (the listings') picks the stored values themselves
  (``PlainAttributes``), which moto's ``dynamo_to_dict`` then writes as ``{type: value}`` in one step;
- a Query's answer whose items hold only the plain types (``S``, ``N``, ``BOOL``, ``NULL``, ``L``, ``M``, ``SS``,
  ``NS``: what moto's serialiser copies as they are) has those items written by ``json.dumps`` in the place moto's
  serialiser gives them; everything else of the answer, and any answer holding binary values, goes through moto's
  serialiser.

Only the local stack uses it (``local.dynamodb.make_app``); ``tests/unit/test_answers.py`` checks that every
answer (bytes and items) equals stock moto's.
"""

from __future__ import annotations

import json
import re
from typing import Any

PLAIN_SCALARS = {"S": str, "N": str, "BOOL": bool}
PLAIN_SETS = {"SS", "NS"}
LIST_ITEM = re.compile(r"(.+)\[(\d+)\]$")
# What install() replaced (tests compare against it).
STOCK: dict[str, Any] = {}


def plain(value: Any) -> bool:
    """Whether moto's serialiser would write this attribute value (``{type: value}``) as it is."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    kind, inner = next(iter(value.items()))
    if kind in PLAIN_SCALARS:
        return type(inner) is PLAIN_SCALARS[kind]
    if kind == "NULL":
        return inner is True
    if kind in PLAIN_SETS:
        return isinstance(inner, list) and all(type(v) is str for v in inner)
    if kind == "L":
        return isinstance(inner, list) and all(plain(v) for v in inner)
    if kind == "M":
        return isinstance(inner, dict) and all(type(k) is str and plain(v) for k, v in inner.items())
    return False


def plain_item(item: Any) -> bool:
    if type(item) is PlainItem:
        return True
    return isinstance(item, dict) and all(type(k) is str and plain(v) for k, v in item.items())


class PlainAttributes(dict[str, Any]):
    """A projected item's attributes picked by ``project_plain_names``: stored ``DynamoType``s of strings and
    booleans only, shared with the stored item (nothing changes them: the answer is written before the server
    serves another request)."""


class PlainItem(dict[str, Any]):
    """``dynamo_to_dict`` of ``PlainAttributes``: ``{name: {type: value}}``, plain by construction."""


# moto's own dynamo_to_dict (install() keeps it), and its DynamoType.
STOCK_DYNAMO_TO_DICT: Any = None
DYNAMO_TYPE: Any = None


def dynamo_to_dict(obj: Any) -> Any:
    """moto's ``dynamo_to_dict``, in one step for ``PlainAttributes`` and for a ``DynamoType`` holding a string or
    a boolean (but a binary one, which moto decodes): what moto makes of such a value is ``{type: value}``."""
    kind = type(obj)
    if kind is PlainAttributes:
        return PlainItem({name: {value.type: value.value} for name, value in obj.items()})
    if kind is DYNAMO_TYPE:
        inner = type(obj.value)
        if (inner is str or inner is bool) and obj.type != "B":
            return {obj.type: obj.value}
    return STOCK_DYNAMO_TO_DICT(obj)


def heads(paths: list[list[str]]) -> set[str]:
    """The top-level attribute names that ``find_nested_key`` may look up for these paths."""
    names: set[str] = set()
    for path in paths:
        first = path[0]
        names.add(first)
        listed = LIST_ITEM.match(first)
        if listed:
            names.add(listed.group(1))
    return names


def project(self: Any, projection_expressions: list[list[str]]) -> Any:
    """moto's ``Item.project``, deserialising only the attributes the paths start with, once."""
    from botocore.utils import merge_dicts
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict, deserializer, serializer
    from moto.dynamodb.models.utilities import find_nested_key

    picked = project_plain_names(self, projection_expressions)
    if picked is not None:
        return picked
    wanted = heads(projection_expressions)
    regular = {
        key: deserializer.deserialize(attribute.to_regular_json())
        for key, attribute in self.attrs.items()
        if key in wanted
    }
    result: dict[str, Any] = {}
    for expr in projection_expressions:
        merge_dicts(result, find_nested_key(expr, regular))
    # Item(...) checks the item's size again at every attribute it adds; a projection is never larger than the
    # stored item that passed that check.
    attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    for key, value in serializer.serialize(result)["M"].items():
        dict.__setitem__(attrs, key, DynamoType(value))
    projected: Any = Item.__new__(Item)
    projected.hash_key, projected.range_key, projected.attrs = self.hash_key, self.range_key, attrs
    return projected


# Attribute types whose value comes back from moto's deserialise-then-serialise round trip as it went in (a
# number may not: "1E2" comes back "1E+2").
SAME_AFTER_ROUND_TRIP = {"S": str, "BOOL": bool}


def project_plain_names(item: Any, projection_expressions: list[list[str]]) -> Any:
    """``project`` when every path is one top-level name (no nesting, no list element) and every attribute it
    picks is a string or a boolean: the picked attributes in the paths' order (``PlainAttributes``); ``None``
    otherwise."""
    from moto.dynamodb.models.dynamo_type import Item

    attrs = PlainAttributes()
    stored = item.attrs
    for path in projection_expressions:
        if len(path) != 1 or "[" in path[0]:
            return None
        name = path[0]
        attribute = stored.get(name)
        if attribute is None or name in attrs:
            continue
        if SAME_AFTER_ROUND_TRIP.get(attribute.type) is not type(attribute.value):
            return None
        attrs[name] = attribute
    projected: Any = Item.__new__(Item)
    projected.hash_key, projected.range_key, projected.attrs = item.hash_key, item.range_key, attrs
    return projected


def plain_items_result(stock: Any) -> Any:
    """The ``ActionResult`` of a Query answer whose items are plain: moto's serialiser for the rest, the items
    written by ``json.dumps`` where the serialiser puts them (the output shape's member order)."""
    from moto import settings
    from moto.core.responses import ActionResult

    class PlainItemsResult(ActionResult):
        def execute_result(self, context: Any) -> Any:
            answer = dict(self.result)  # type: ignore[call-overload]
            items = answer.pop("Items")
            status, headers, body = ActionResult(answer).execute_result(context)
            rest = json.loads(body)
            ordered = {}
            for name in context.operation_model.output_shape.members:
                if name == "Items":
                    ordered[name] = items
                elif name in rest:
                    ordered[name] = rest[name]
            return status, headers, json.dumps(ordered, indent=4 if settings.PRETTIFY_RESPONSES else None)

    return PlainItemsResult(stock.result)


def install() -> None:
    """Patch moto (idempotent): ``Item.project``, ``dynamo_to_dict`` and the Query answer's serialisation, as
    above."""
    global STOCK_DYNAMO_TO_DICT, DYNAMO_TYPE
    from moto.dynamodb import responses
    from moto.dynamodb.models import utilities
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, "answers_by_page", False):
        return
    stock_query: Any = DynamoHandler.query
    STOCK.update(query=stock_query, project=Item.project)
    DYNAMO_TYPE = DynamoType
    if STOCK_DYNAMO_TO_DICT is None:
        STOCK_DYNAMO_TO_DICT = utilities.dynamo_to_dict
        # The answer's entry point, and the name moto's own recursion looks up.
        responses.dynamo_to_dict = utilities.dynamo_to_dict = dynamo_to_dict

    def query(self: Any) -> Any:
        result = stock_query(self)
        answer = result.result
        items = answer.get("Items") if isinstance(answer, dict) else None
        if items is None or not all(plain_item(item) for item in items):
            return result
        return plain_items_result(result)

    handler: Any = DynamoHandler
    handler.query = query
    item: Any = Item
    item.project = project
    handler.answers_by_page = True
