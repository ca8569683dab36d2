"""Read and write units as DynamoDB bills them (``local/capacity.py``), against the examples of "DynamoDB item sizes
and formats" and "DynamoDB read and write operations", and through the local DynamoDB server's counter."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from local.capacity import (
    Ledger,
    Meter,
    Read,
    Write,
    item_size,
    number_size,
    read_units,
    request_read_units,
    request_write_units,
    stored_size,
    value_size,
    write_units,
)

KB = 1024


def test_a_string_weighs_its_name_and_its_utf8_bytes():
    assert item_size({"name": {"S": "Alice"}}) == 4 + 5
    assert item_size({"città": {"S": "Zürich"}}) == 6 + 7


def test_a_number_weighs_one_byte_per_two_significant_digits_plus_one():
    assert number_size("7") == 2
    assert number_size("1234") == 3
    assert number_size("12345") == 4
    # Leading and trailing zeroes are trimmed.
    assert number_size("000120000") == number_size("12") == 2
    assert number_size("0.0012") == 2
    assert number_size("1733480000") == number_size("173348") == 4


def test_binary_weighs_its_raw_bytes_not_its_base64():
    raw = bytes(range(30))
    assert value_size({"B": base64.b64encode(raw).decode()}) == 30


def test_null_and_boolean_weigh_one_byte():
    assert item_size({"ok": {"BOOL": True}, "gone": {"NULL": True}}) == 2 + 1 + 4 + 1


def test_a_list_or_map_costs_three_bytes_and_one_per_element():
    assert value_size({"M": {}}) == 3
    assert value_size({"L": []}) == 3
    assert value_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (2 + 1) + (2 + 1)
    assert item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)


def test_sets_weigh_their_elements():
    assert value_size({"SS": ["ab", "cde"]}) == 5
    assert value_size({"NS": ["1", "1234"]}) == 2 + 3


def test_reads_round_each_item_up_to_4_kb():
    # "reading a 3,500-byte item consumes the same throughput as reading a 4 KB item"
    assert read_units(3500, consistent=True) == 1
    # "if your item size is 8 KB, you require 2 read units to sustain one strongly consistent read, 1 read unit if
    # you choose eventually consistent reads, or 4 read units for a transactional read request"
    assert read_units(8 * KB, consistent=True) == 2
    assert read_units(8 * KB, consistent=False) == 1
    assert read_units(8 * KB, consistent=True, transactional=True) == 4
    # "If you read a 10 KB item, DynamoDB rounds the item size to 12 KB."
    assert read_units(10 * KB, consistent=True) == 3
    # A key with no item still costs one read.
    assert read_units(0, consistent=False) == 0.5


def test_batch_get_item_rounds_each_item_then_adds():
    # "if BatchGetItem reads a 1.5 KB item and a 6.5 KB item, DynamoDB calculates the size as 12 KB (4 KB + 8 KB)"
    reads = [Read("t", (int(1.5 * KB),)), Read("t", (int(6.5 * KB),))]
    batch = {"RequestItems": {"t": {"Keys": [{}, {}], "ConsistentRead": True}}}
    assert request_read_units("BatchGetItem", batch, reads) == 3
    hundred = [Read("t", (340,)) for _ in range(100)]
    assert request_read_units("BatchGetItem", batch, hundred) == 100
    assert request_read_units("BatchGetItem", {"RequestItems": {"t": {"Keys": []}}}, hundred) == 50


def test_query_adds_the_items_it_read_then_rounds():
    page = [Read("t", tuple([340] * 100), page=True)]
    assert request_read_units("Query", {"TableName": "t", "ConsistentRead": True}, page) == 9  # 34,000 B
    assert request_read_units("Query", {"TableName": "t"}, page) == 4.5
    assert request_read_units("Query", {"TableName": "t"}, [Read("t", (), page=True)]) == 0.5


def test_reads_a_write_makes_for_itself_cost_no_read_units():
    assert request_read_units("UpdateItem", {"TableName": "t"}, [Read("t", (100,))]) == 0


def test_writes_round_the_larger_of_before_and_after_up_to_1_kb():
    assert write_units(500) == 1
    assert write_units(int(1.5 * KB)) == 2
    assert request_write_units("UpdateItem", [Write("t", before=3 * KB, after=KB)]) == 3
    assert request_write_units("PutItem", [Write("t", before=None, after=200)]) == 1
    assert request_write_units("DeleteItem", [Write("t", before=2 * KB + 1, after=None)]) == 3
    # BatchWriteItem: each item rounds on its own.
    assert request_write_units("BatchWriteItem", [Write("t", None, 100), Write("t", None, 100)]) == 2
    # Transactions cost twice.
    assert request_write_units("TransactWriteItems", [Write("t", None, 100)]) == 2


def test_a_failed_condition_costs_the_item_as_it_stands():
    assert request_write_units("UpdateItem", [Write("t", before=None, after=None, done=False)]) == 1
    assert request_write_units("PutItem", [Write("t", before=3 * KB, after=3 * KB, done=False)]) == 3


def test_the_meter_adds_up_by_operation():
    meter = Meter()
    meter.bill("GetItem", b'{"TableName": "t", "ConsistentRead": true}', Ledger(reads=[Read("t", (100,))]))
    meter.bill("GetItem", b'{"TableName": "t"}', Ledger(reads=[Read("t", (100,))]))
    meter.bill("PutItem", b'{"TableName": "t"}', Ledger(writes=[Write("t", None, 100)]))
    assert meter.report() == {
        "readUnits": 1.5,
        "readUnitsByOperation": {"GetItem": 1.5},
        "writeUnits": 1.0,
        "writeUnitsByOperation": {"PutItem": 1.0},
    }
    meter.clear()
    assert meter.report()["readUnits"] == 0


# Through the local DynamoDB server's app (moto behind the counter), in this process and without a socket.

TABLE = {
    "TableName": "t",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


# What moto reads the service and region from (boto3 signs every request so).
SIGNED = "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x"


class Server:
    """The DynamoDB server's WSGI app (``local.dynamodb.make_app``) spoken to as boto3 would."""

    def __init__(self) -> None:
        from werkzeug.test import Client

        from local.dynamodb import make_app

        self.client = Client(make_app())

    def __call__(self, operation: str, **body: Any) -> Any:
        headers = {
            "X-Amz-Target": f"DynamoDB_20120810.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": SIGNED,
        }
        answer = self.client.post("/", data=json.dumps(body), headers=headers)
        return answer.status_code, json.loads(answer.get_data() or b"{}")

    def counted(self, *requests: tuple[str, dict[str, Any]]) -> dict[str, Any]:
        self.client.delete("/_dynamodb/requests")
        for operation, body in requests:
            self(operation, **body)
        return dict(json.loads(self.client.get("/_dynamodb/requests").get_data()))


PATCHED = {
    "Table": ("__init__", "query", "scan", "reads_one_partition", "meters_capacity"),
    "DynamoDBBackend": ("get_item", "put_item", "update_item", "delete_item"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """The server, and stock moto again afterwards (``make_app`` patches it for the process)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    classes = {"Table": Table, "DynamoDBBackend": DynamoDBBackend}
    saved = {(cls, name): classes[cls].__dict__.get(name) for cls, names in PATCHED.items() for name in names}
    try:
        with mock_aws():
            served = Server()
            served("CreateTable", **TABLE)
            yield served
    finally:
        for (cls, name), value in saved.items():
            if value is None:
                if name in classes[cls].__dict__:
                    delattr(classes[cls], name)
            else:
                setattr(classes[cls], name, value)


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def test_the_counter_reports_what_each_operation_reads_and_writes(server):
    small = [
        ("PutItem", {"TableName": "t", "Item": {**key("P", f"{n:02d}"), "v": {"S": "x" * 100}}}) for n in range(10)
    ]
    big = ("PutItem", {"TableName": "t", "Item": {**key("BIG", "1"), "v": {"S": "x" * 5000}}})
    written = server.counted(*small, big)
    assert written["writeUnitsByOperation"] == {"PutItem": 10 + 5}
    assert written["readUnits"] == 0

    keys = [key("P", f"{n:02d}") for n in range(10)]
    read = server.counted(
        ("GetItem", {"TableName": "t", "Key": keys[0], "ConsistentRead": True}),
        ("GetItem", {"TableName": "t", "Key": key("BIG", "1"), "ProjectionExpression": "pk"}),
        ("BatchGetItem", {"RequestItems": {"t": {"Keys": keys, "ConsistentRead": True}}}),
        (
            "Query",
            {
                "TableName": "t",
                "KeyConditionExpression": "pk = :p",
                "FilterExpression": "v = :no",
                "ExpressionAttributeValues": {":p": {"S": "P"}, ":no": {"S": "none"}},
                "ConsistentRead": True,
            },
        ),
    )
    # GetItem: 1, and the 5 KB item, projected, eventually consistent: 8 KB / 2 = 1; BatchGetItem: 10; the Query
    # reads 10 items of ~110 bytes (all filtered out after reading) in one 4 KB block: 1.
    assert read["readUnitsByOperation"] == {"GetItem": 2, "BatchGetItem": 10, "Query": 1}


def test_a_failed_condition_is_billed_by_the_counter(server):
    server("PutItem", TableName="t", Item={**key("BIG", "2"), "v": {"S": "x" * 5000}})
    update = {
        "TableName": "t",
        "Key": key("BIG", "2"),
        "UpdateExpression": "SET w = :w",
        "ConditionExpression": "attribute_not_exists(pk)",
        "ExpressionAttributeValues": {":w": {"S": "y"}},
    }
    failed = server.counted(("UpdateItem", update))
    assert failed["byOperation"] == {"UpdateItem": 1}
    assert failed["writeUnitsByOperation"] == {"UpdateItem": 5}


def test_a_stored_item_weighs_what_its_json_form_weighs():
    """``stored_size`` reads moto's attribute values as they are; it weighs what ``item_size`` of the item's JSON
    form weighs, for every attribute type (nested ones, binary, sets and numbers included)."""
    from moto.dynamodb.models.dynamo_type import Item

    from tests.unit.test_answers import rows

    nested = {"b": {"B": b"\x00x"}, "l": {"L": [{"BS": [b"a"]}, {"NS": ["1"]}]}}
    made = [*rows(), {"pk": {"S": "é☎"}, "m": {"M": nested}, "naïve": {"S": "☎"}, "flag": {"BOOL": True}}]
    for row in made:
        item = Item(hash_key=None, range_key=None, attrs=row)
        assert stored_size(item) == item_size(item.to_json()["Attributes"]) > 0
    assert stored_size(None) is None


def test_a_query_leaves_the_stored_items_as_they_were(server):
    """A table Query's page is not copied (``UNCOPIED``): its items are only read on their way to the answer, so
    every kind of Query leaves them as they were."""
    from tests.unit.test_answers import rows
    from tests.unit.test_item_parser import wire

    for row in rows():
        server("PutItem", TableName="t", Item=wire({**row, "pk": {"S": "ROWS"}}))
    everything = {
        "TableName": "t",
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "ROWS"}},
    }
    stored = sorted((wire({**row, "pk": {"S": "ROWS"}}) for row in rows()), key=lambda row: row["sk"]["S"])
    before = server("Query", **everything)
    assert before[0] == 200 and before[1]["Items"] == stored
    for extra in (
        {"ProjectionExpression": "sk, phone, flag"},
        {"ProjectionExpression": "m.a, l[0].x, tz[0], ss, n"},
        {"FilterExpression": "#s = :a", "ExpressionAttributeNames": {"#s": "status"}},
        {"Limit": 4, "ProjectionExpression": "sk, bin, bs"},
    ):
        values = {":p": {"S": "ROWS"}, **({":a": {"S": "active"}} if "FilterExpression" in extra else {})}
        assert server("Query", **{**everything, **extra, "ExpressionAttributeValues": values})[0] == 200
    assert server("Query", **everything) == before


def test_a_querys_page_is_billed_at_each_items_dynamodb_size(server):
    """The page's items are sized once for moto's 1 MB and for the read units (``partitions.item_sizes``), each
    as its own: two items of 4,097 bytes as DynamoDB weighs them (a list costs 3 bytes, and 1 per element, more
    than moto counts) are two 4 KB blocks; in moto's sizes, 4,089 bytes, they would be one."""
    for sk, pad in (("1", 2032), ("2", 2033)):
        item = {**key("EDGE", sk), "l": {"L": [{"S": "ab"}]}, "pad": {"S": "x" * pad}}
        server("PutItem", TableName="t", Item=item)
    query = {
        "TableName": "t",
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "EDGE"}},
        "ConsistentRead": True,
    }
    assert server.counted(("Query", query))["readUnitsByOperation"] == {"Query": 2.0}
