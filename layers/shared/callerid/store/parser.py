"""DynamoDB's answers parsed with less work, for the listing's pages (``store.models.bind_table``).

botocore's JSON parser walks the service model for every attribute value of every item: about 30 µs a record on
the development machine, most of the function's CPU in a full listing (the compat route's 50,000 records). What
that walk gives back for a string, a number, a boolean, a null, or a set, list or map of them is the value as
``json.loads`` made it; only binary values (base64 decoded) and malformed ones change. ``ItemParser`` takes those
as they are and leaves everything else to botocore. ``tests/unit/test_item_parser.py`` checks that every answer is
what botocore's own parser makes of it. See docs/design.md ("Lists that are cheap to load again").
"""

from __future__ import annotations

from typing import Any

from botocore.parsers import JSONParser, ResponseParserFactory
from botocore.session import Session

# botocore's type stubs leave out the parser's handlers and the factory's defaults that these classes extend.
BotocoreJSONParser: Any = JSONParser
BotocoreParserFactory: Any = ResponseParserFactory
ATTRIBUTE_VALUE = "AttributeValue"
# The attribute value's members that the walk gives back as they came, and the JSON type each one holds.
SCALARS: dict[str, type] = {"S": str, "N": str, "BOOL": bool, "NULL": bool}
SETS = frozenset({"SS", "NS"})


def unchanged(value: Any) -> bool:
    """Whether botocore's parse of this attribute value is the value itself: one member, of the JSON type it
    holds, with no binary value anywhere inside."""
    if type(value) is not dict or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    scalar = SCALARS.get(kind)
    if scalar is not None:
        return type(inner) is scalar
    if kind in SETS:
        return type(inner) is list and all(type(v) is str for v in inner)
    if kind == "L":
        return type(inner) is list and all(unchanged(v) for v in inner)
    if kind == "M":
        return type(inner) is dict and all(unchanged(v) for v in inner.values())
    return False


class ItemParser(BotocoreJSONParser):
    """botocore's parser of the ``json`` protocol, taking attribute values and items (maps of them) as they came
    when its walk would give them back unchanged."""

    def _handle_structure(self, shape: Any, value: Any) -> Any:
        if shape.name == ATTRIBUTE_VALUE and unchanged(value):
            return value
        return super()._handle_structure(shape, value)

    def _handle_map(self, shape: Any, value: Any) -> Any:
        if shape.value.name == ATTRIBUTE_VALUE and type(value) is dict and all(map(unchanged, value.values())):
            return value
        return super()._handle_map(shape, value)


class ItemParserFactory(BotocoreParserFactory):
    """botocore's parser factory, with ``ItemParser`` for the ``json`` protocol (DynamoDB's)."""

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return ItemParser(**self._defaults)
        return super().create_parser(protocol_name)


def with_item_parser(session: Session) -> Session:
    """``session``, its clients created from now on parsing with ``ItemParser``."""
    if not isinstance(session.get_component("response_parser_factory"), ItemParserFactory):
        session.register_component("response_parser_factory", ItemParserFactory())
    return session
