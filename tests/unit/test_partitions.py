"""The local DynamoDB's Query reads one partition (``local/partitions.py``) and answers exactly what stock moto
answers: the same items, counts and ``LastEvaluatedKey`` for every key condition, start key, limit and filter."""

from __future__ import annotations

import itertools
import random

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from local import partitions

TABLE = {
    "TableName": "t",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
        {"AttributeName": "h", "AttributeType": "S"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "holder",
            "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}
CONDITIONS = [
    ("pk = :p", {}),
    ("pk = :p AND begins_with(sk, :a)", {":a": {"S": "NUMBER#"}}),
    ("pk = :p AND sk BETWEEN :a AND :b", {":a": {"S": "NUMBER#+1206"}, ":b": {"S": "NUMBER#+1415"}}),
    ("pk = :p AND sk >= :a", {":a": {"S": "SID#"}}),
    ("pk = :p AND sk > :a", {":a": {"S": "NUMBER#+1212"}}),
    ("pk = :p AND sk <= :a", {":a": {"S": "NUMBER#+1312"}}),
    ("pk = :p AND sk < :a", {":a": {"S": "NUMBER#+1312"}}),
    ("pk = :p AND sk = :a", {":a": {"S": "HEAD"}}),
]


def items(seed: int, padded: bool = False) -> list[dict]:
    """Small items; ``padded``, items of up to 200 KB, so that pages end at moto's 1 MB (inside the key condition
    and, for the item past it, outside)."""
    rng = random.Random(seed)

    def pad() -> dict:
        return {"pad": {"S": "x" * rng.randrange(1, 200_000)}} if padded else {}

    rows = [{"pk": {"S": "WS#a"}, "sk": {"S": "HEAD"}, "n": {"N": "1"}, **pad()}]
    for n in range(40):
        area = rng.choice(["206", "212", "312", "415", "646"])
        rows.append(
            {
                "pk": {"S": rng.choice(["WS#a", "WS#b"])},
                "sk": {"S": f"NUMBER#+1{area}555{n:04d}"},
                "status": {"S": rng.choice(["active", "inactive"])},
                **({"h": {"S": rng.choice(["WK1", "WK2"])}} if n % 3 == 0 else {}),
                **pad(),
            }
        )
        rows.append({"pk": {"S": "WS#a"}, "sk": {"S": f"SID#PN{n:032d}"}, "status": {"S": "active"}, **pad()})
    return rows


def answers(rows: list[dict]) -> list[tuple]:
    """Every Query shape, paged through to its end, against a table holding ``rows``."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(**TABLE)
        for row in rows:
            client.put_item(TableName="t", Item=row)
        client.delete_item(TableName="t", Key={"pk": rows[5]["pk"], "sk": rows[5]["sk"]})  # a key removed
        seen = []
        for (condition, values), limit, filtered in itertools.product(CONDITIONS, (None, 1, 7), (False, True)):
            request = {
                "TableName": "t",
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": {":p": {"S": "WS#a"}, **values},
            }
            if limit:
                request["Limit"] = limit
            if filtered:
                request["FilterExpression"] = "#s = :s"
                request["ExpressionAttributeNames"] = {"#s": "status"}
                request["ExpressionAttributeValues"][":s"] = {"S": "active"}
            pages = []
            while True:
                answer = client.query(**request)
                pages.append((answer["Count"], answer["ScannedCount"], answer["Items"], answer.get("LastEvaluatedKey")))
                if "LastEvaluatedKey" not in answer or len(pages) > 400:
                    break
                request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
            seen.append((condition, limit, filtered, pages))
        for holder, limit in itertools.product(("WK1", "WK2", "WK3"), (None, 2)):
            request = {
                "TableName": "t",
                "IndexName": "holder",
                "KeyConditionExpression": "h = :h",
                "ExpressionAttributeValues": {":h": {"S": holder}},
                **({"Limit": limit} if limit else {}),
            }
            answer = client.query(**request)
            seen.append((holder, limit, answer["Items"], answer["Count"], answer.get("LastEvaluatedKey")))
        return seen


@pytest.fixture
def stock_moto():
    """Undo the patch around a test, whatever another test installed."""
    saved = Table.__init__, Table.query, getattr(Table, "reads_one_partition", None)
    yield
    Table.__init__, Table.query = saved[0], saved[1]
    if saved[2] is None and hasattr(Table, "reads_one_partition"):
        del Table.reads_one_partition
    elif saved[2] is not None:
        Table.reads_one_partition = saved[2]


@pytest.mark.parametrize(("seed", "padded"), [(1, False), (2, True)])
def test_a_query_over_one_partition_answers_what_stock_moto_answers(stock_moto, seed, padded):
    rows = items(seed, padded)
    if getattr(Table, "reads_one_partition", False):
        pytest.fail("the test must start from stock moto")
    expected = answers(rows)
    partitions.install()
    assert answers(rows) == expected


def test_a_query_reads_only_its_slice_of_the_partition(stock_moto):
    partitions.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(**TABLE)
        for row in items(3):
            client.put_item(TableName="t", Item=row)
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends["123456789012"]["us-east-1"].tables["t"]
        stock_all_items = Table.all_items
        walked = []
        Table.all_items = lambda self: walked.append(1) or stock_all_items(self)  # type: ignore[method-assign]
        try:
            answer = client.query(
                TableName="t",
                KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
                ExpressionAttributeValues={":p": {"S": "WS#a"}, ":a": {"S": "NUMBER#"}},
                Limit=5,
            )
        finally:
            Table.all_items = stock_all_items  # type: ignore[method-assign]
        assert answer["Count"] == 5 and "LastEvaluatedKey" in answer
        assert walked == [], "the table's items were never walked"
        assert table.items  # the table is there, with its partitions


def test_an_items_size_is_motos_and_dynamodbs():
    """The page's cut sizes items as moto does (``Item.size``), and the items it may bill as the meter does
    (``capacity.stored_size``), in one pass, for every attribute type."""
    from moto.dynamodb.models.dynamo_type import Item

    from local import capacity
    from tests.unit.test_answers import rows

    partitions.install()
    nested = {"b": {"B": b"\x00x"}, "n": {"NULL": True}}
    odd = {"pk": {"S": "é☎"}, "s": {"S": ""}, "m": {"M": nested}, "naïve": {"N": "1"}}
    for row in [*rows(), odd]:
        item = Item(hash_key=None, range_key=None, attrs=row)
        assert partitions.moto_size(item) == partitions.STOCK_SIZE(item) == item.size() > 0
        assert partitions.item_sizes(item) == (item.size(), capacity.stored_size(item))
