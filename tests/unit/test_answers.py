"""The local DynamoDB's Query answers (``local/answers.py``) are stock moto's, byte for byte: the same bodies for
every projection (top-level names, nested paths, list elements, missing names), filter, limit and start key, over
items of every attribute type (binary values included, which keep moto's own serialiser); and ``Item.project`` on
the GetItem and Scan paths builds the same items."""

from __future__ import annotations

import itertools

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb import responses
from moto.dynamodb.models import utilities
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.responses import DynamoHandler

from local import answers

TABLE = {
    "TableName": "t",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
}
PROJECTIONS = [
    None,
    "pk, sk, phone, #o, friendly_name, #s",
    "phone, nothing_here",
    "m.a, m.b.c, l[1], l[0].x, tz[0]",
    "flag, nul, ss, ns, n, neg",
    "bin, bs, phone",
    "flag, sk, phone, #s, nothing_here",
    "pk, n, sk",
]


def rows() -> list[dict]:
    made = []
    for n in range(30):
        row = {
            "pk": {"S": "WS#a"},
            "sk": {"S": f"NUMBER#+1206555{n:04d}"},
            "phone": {"S": f"+1206555{n:04d}"},
            "owner": {"S": "AC1"},
            "friendly_name": {"S": f"Line {n} ☎"},
            "status": {"S": "active" if n % 3 else "inactive"},
            "n": {"N": ["1", "1.50", "1E2", "0.000", "-7"][n % 5]},
            "neg": {"N": "-0.5"},
            "flag": {"BOOL": n % 2 == 0},
            "nul": {"NULL": True},
            "tz": {"L": [{"S": "America/Los_Angeles"}]},
            "l": {"L": [{"M": {"x": {"S": "first"}}}, {"N": "2"}, {"BOOL": False}]},
            "m": {"M": {"a": {"S": "A"}, "b": {"M": {"c": {"N": "3"}}}, "e": {"L": []}}},
            "ss": {"SS": ["b", "a"]},
            "ns": {"NS": ["2", "10"]},
        }
        if n % 7 == 0:  # some items hold binary values: their answers keep moto's serialiser
            row["bin"] = {"B": b"\x00\x01caller"}
            row["bs"] = {"BS": [b"x", b"yz"]}
        made.append(row)
    return made


def answered() -> list:
    """Every Query shape's raw answers, paged to the end, then a GetItem's and a Scan's with projections."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        raw: list[bytes] = []
        client.meta.events.register(
            "before-parse.dynamodb.*", lambda response_dict, **_: raw.append(response_dict["body"])
        )
        client.create_table(**TABLE)
        for row in rows():
            client.put_item(TableName="t", Item=row)
        raw.clear()
        for projection, limit, filtered in itertools.product(PROJECTIONS, (None, 4), (False, True)):
            request: dict = {
                "TableName": "t",
                "KeyConditionExpression": "pk = :p AND begins_with(sk, :n)",
                "ExpressionAttributeValues": {":p": {"S": "WS#a"}, ":n": {"S": "NUMBER#"}},
            }
            names = {}
            if projection:
                request["ProjectionExpression"] = projection
                names.update({k: v for k, v in {"#o": "owner", "#s": "status"}.items() if k in projection})
            if filtered:
                request["FilterExpression"] = "#st = :a"
                names["#st"] = "status"
                request["ExpressionAttributeValues"][":a"] = {"S": "active"}
            if names:
                request["ExpressionAttributeNames"] = names
            if limit:
                request["Limit"] = limit
            while True:
                answer = client.query(**request)
                if "LastEvaluatedKey" not in answer:
                    break
                request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        key = {"pk": {"S": "WS#a"}, "sk": {"S": "NUMBER#+12065550007"}}
        for projection in PROJECTIONS[1:]:
            names = {k: v for k, v in {"#o": "owner", "#s": "status"}.items() if k in projection}
            extra = {"ExpressionAttributeNames": names} if names else {}
            client.get_item(TableName="t", Key=key, ProjectionExpression=projection, **extra)
            client.scan(TableName="t", ProjectionExpression=projection, **extra)
        return raw


@pytest.fixture
def stock_moto():
    """moto as shipped around a test, whatever another test installed; the patch's state back afterwards."""
    saved = DynamoHandler.query, Item.project, getattr(DynamoHandler, "answers_by_page", None)
    converters, stock_converter = (responses.dynamo_to_dict, utilities.dynamo_to_dict), answers.STOCK_DYNAMO_TO_DICT
    if saved[2]:
        DynamoHandler.query, Item.project = answers.STOCK["query"], answers.STOCK["project"]  # type: ignore[method-assign]
        del DynamoHandler.answers_by_page
    if stock_converter is not None:
        responses.dynamo_to_dict = utilities.dynamo_to_dict = stock_converter
        answers.STOCK_DYNAMO_TO_DICT = None
    yield
    responses.dynamo_to_dict, utilities.dynamo_to_dict = converters
    answers.STOCK_DYNAMO_TO_DICT = stock_converter
    DynamoHandler.query, Item.project = saved[0], saved[1]  # type: ignore[method-assign]
    if saved[2] is None and hasattr(DynamoHandler, "answers_by_page"):
        del DynamoHandler.answers_by_page
    elif saved[2] is not None:
        DynamoHandler.answers_by_page = saved[2]  # type: ignore[attr-defined]


def test_query_answers_are_stock_motos_byte_for_byte(stock_moto):
    expected = answered()
    answers.install()
    got = answered()
    assert len(got) == len(expected) > 50
    assert got == expected


def test_a_projection_of_plain_names_shares_the_stored_values_and_converts_as_moto_does(stock_moto):
    """A listing's projection (top-level names over strings and booleans) picks the stored values themselves, and
    ``dynamo_to_dict`` writes them as moto's own does."""
    stock = utilities.dynamo_to_dict
    answers.install()
    item = Item(hash_key=None, range_key=None, attrs=rows()[7])
    projected = item.project([["phone"], ["flag"], ["friendly_name"], ["nothing_here"], ["phone"]])
    assert type(projected.attrs) is answers.PlainAttributes
    assert list(projected.attrs) == ["phone", "flag", "friendly_name"]
    assert projected.attrs["phone"] is item.attrs["phone"]
    converted = utilities.dynamo_to_dict({"Items": [projected.attrs], "Count": 1})
    assert converted == stock({"Items": [dict(projected.attrs)], "Count": 1})
    assert type(converted["Items"][0]) is answers.PlainItem and answers.plain_item(converted["Items"][0])
    assert item.project([["n"], ["phone"]]).attrs.__class__ is not answers.PlainAttributes  # a number: moto's way


def test_every_attribute_value_converts_as_moto_converts_it(stock_moto):
    """``dynamo_to_dict`` of a stored value, in one step for strings and booleans, is moto's for every type."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    values = [DynamoType(value) for row in rows() for value in row.values()]
    values += [DynamoType({"B": "AAE="}), DynamoType({"NULL": True}), DynamoType({"S": ""})]
    assert {value.type for value in values} >= {"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"}
    item = Item(hash_key=None, range_key=None, attrs=rows()[7])
    expected = [utilities.dynamo_to_dict(value) for value in values], utilities.dynamo_to_dict({"Item": item.attrs})
    answers.install()
    assert [utilities.dynamo_to_dict(value) for value in values] == expected[0]
    assert utilities.dynamo_to_dict({"Item": item.attrs}) == expected[1]


def test_plain_answers_skip_motos_serialiser_and_binary_ones_keep_it(stock_moto):
    answers.install()
    assert answers.plain_item({"a": {"S": "x"}, "b": {"L": [{"N": "1"}, {"M": {"c": {"NULL": True}}}]}})
    assert answers.plain_item({"s": {"SS": ["a"]}, "f": {"BOOL": False}})
    assert not answers.plain_item({"a": {"B": b"x"}})
    assert not answers.plain_item({"a": {"L": [{"BS": [b"x"]}]}})
    assert not answers.plain_item({"a": {"BOOL": "true"}})  # moto's serialiser turns it into true
