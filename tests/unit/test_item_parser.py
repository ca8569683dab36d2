"""The listing's connection parses DynamoDB's answers with ``store.parser.ItemParser``: every answer is what
botocore's own parser makes of it (every attribute type, binary values, nesting, malformed values), and the
walk over the service model is skipped for the values it would give back unchanged."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.parsers import JSONParser

from callerid.store.models import PageConnection
from callerid.store.parser import ItemParser, ItemParserFactory, unchanged, with_item_parser
from tests.unit.test_answers import rows


def wire(value: Any) -> Any:
    """An attribute value as DynamoDB sends it (binary values in base64)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [wire(v) for v in value]
    return value


def service_model() -> Any:
    return botocore.session.get_session().get_service_model("dynamodb")


MALFORMED = [
    {"pk": {"S": "a"}, "x": {"S": None}},
    {"pk": {"S": "a"}, "x": {"S": "b", "N": "1"}},
    {"pk": {"S": "a"}, "x": {"BOOL": "true"}},
    {"pk": {"S": "a"}, "x": {"Z": "unknown member"}},
    {"pk": {"S": "a"}, "x": {"L": [None, {"S": "b"}]}},
    {"pk": {"S": "a"}, "x": {"SS": ["a", None]}},
    {"pk": {"S": "a"}, "x": {"M": {"y": {"B": "AAE="}}}},
    {"pk": {"S": "a"}, "x": {"N": 7}},
]


def answers() -> list[tuple[str, dict[str, Any]]]:
    items = [wire(row) for row in rows()]
    key = {"pk": items[3]["pk"], "sk": items[3]["sk"]}
    return [
        ("Query", {"Items": items, "Count": 30, "ScannedCount": 31, "LastEvaluatedKey": key}),
        ("Query", {"Items": MALFORMED, "Count": len(MALFORMED), "ScannedCount": len(MALFORMED)}),
        ("Query", {"Count": 0, "ScannedCount": 0, "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 1.5}}),
        ("GetItem", {"Item": items[7]}),
        ("BatchGetItem", {"Responses": {"t": items[:8]}, "UnprocessedKeys": {}}),
    ]


@pytest.mark.parametrize(("operation", "answer"), answers())
def test_every_answer_is_what_botocores_parser_makes_of_it(operation, answer):
    shape = service_model().operation_model(operation).output_shape
    response = {"body": json.dumps(answer).encode(), "headers": {}, "status_code": 200}
    assert ItemParser().parse(dict(response), shape) == JSONParser().parse(dict(response), shape)


def test_plain_values_are_taken_as_they_came_and_binary_ones_are_parsed():
    assert unchanged({"S": "x"}) and unchanged({"N": "1.5"}) and unchanged({"BOOL": False})
    assert unchanged({"NULL": True}) and unchanged({"SS": ["a"]}) and unchanged({"NS": ["1", "2"]})
    assert unchanged({"L": [{"M": {"a": {"S": "b"}, "c": {"L": []}}}]})
    assert not unchanged({"B": "AAE="}) and not unchanged({"BS": ["AAE="]})
    assert not unchanged({"L": [{"M": {"a": {"B": "AAE="}}}]})
    assert not unchanged({"S": "x", "N": "1"}) and not unchanged({"S": None}) and not unchanged({"BOOL": "true"})

    walked: list[str] = []

    class Counting(ItemParser):
        def _handle_string(self, shape: Any, value: Any) -> Any:
            walked.append(value)
            return value

    shape = service_model().operation_model("Query").output_shape
    page = {"Items": [{"phone": {"S": f"+1206555{n:04d}"}} for n in range(100)], "Count": 100, "ScannedCount": 100}
    parsed = Counting().parse({"body": json.dumps(page).encode(), "headers": {}, "status_code": 200}, shape)
    assert parsed["Items"] == page["Items"]
    assert walked == [], "no string of the page went through botocore's walk"


def test_the_listing_connection_parses_with_the_item_parser_in_every_thread():
    connection = PageConnection(region="us-east-1", host="http://127.0.0.1:1")
    factories: list[Any] = []

    def look() -> None:
        factories.append(connection.session.get_component("response_parser_factory"))

    look()
    other = threading.Thread(target=look)
    other.start()
    other.join()
    assert len(factories) == 2 and all(isinstance(f, ItemParserFactory) for f in factories)
    assert factories[0] is not factories[1], "PynamoDB's sessions are per thread"


def test_a_client_of_such_a_session_answers_as_botocore_does():
    answer = {"Items": [wire(row) for row in rows()[:9]], "Count": 9, "ScannedCount": 9}

    class Raw:
        def stream(self) -> Any:
            yield json.dumps(answer).encode()

    def parsed(session: botocore.session.Session) -> dict[str, Any]:
        client = session.create_client(
            "dynamodb", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        client.meta.events.register(
            "before-send.dynamodb.Query", lambda **_: AWSResponse("http://dynamodb", 200, {}, Raw())
        )
        result = client.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={})
        result.pop("ResponseMetadata")
        return dict(result)

    assert parsed(with_item_parser(botocore.session.get_session())) == parsed(botocore.session.get_session())
