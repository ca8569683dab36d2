"""Read and write units as the local DynamoDB server's counter bills them (``local/capacity.py``), for requests
whose cost is known: what ``make bench`` reports per operation. Counts, never times."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import LocalStack

PREFIX = "CAPACITY#"


@pytest.fixture
def table(local_stack: LocalStack) -> Iterator[Any]:
    """The stack's table with six small items (~60 bytes each) and one of 9,000 bytes, removed afterwards."""
    client, name = local_stack.table, local_stack.stack.table_name
    for n in range(6):
        client.put_item(TableName=name, Item={"pk": {"S": f"{PREFIX}a"}, "sk": {"S": f"{n:02d}"}, "v": {"N": str(n)}})
    client.put_item(TableName=name, Item={"pk": {"S": f"{PREFIX}big"}, "sk": {"S": "1"}, "v": {"S": "x" * 9000}})
    yield client
    local_stack.delete_items(PREFIX)


def units(local_stack: LocalStack, action: Any) -> dict[str, Any]:
    local_stack.clear_dynamodb_requests()
    action()
    return local_stack.dynamodb_requests()


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": f"{PREFIX}{pk}"}, "sk": {"S": sk}}


def test_a_get_item_costs_one_unit_per_4_kb_half_when_eventually_consistent(local_stack, table):
    name = local_stack.stack.table_name
    counted = units(local_stack, lambda: table.get_item(TableName=name, Key=key("a", "00"), ConsistentRead=True))
    assert counted["readUnits"] == 1
    counted = units(local_stack, lambda: table.get_item(TableName=name, Key=key("big", "1"), ConsistentRead=True))
    assert counted["readUnits"] == 3  # 9,000 bytes: three 4 KB blocks
    counted = units(local_stack, lambda: table.get_item(TableName=name, Key=key("big", "1"), ProjectionExpression="pk"))
    assert counted["readUnits"] == 1.5  # the whole item is read, whatever is answered
    counted = units(local_stack, lambda: table.get_item(TableName=name, Key=key("none", "0"), ConsistentRead=True))
    assert counted["readUnits"] == 1  # no item still costs a read


def test_a_batch_get_item_of_n_small_items_costs_n_units(local_stack, table):
    name = local_stack.stack.table_name
    keys = [key("a", f"{n:02d}") for n in range(6)]
    counted = units(
        local_stack, lambda: table.batch_get_item(RequestItems={name: {"Keys": keys, "ConsistentRead": True}})
    )
    assert counted["byOperation"] == {"BatchGetItem": 1}
    assert counted["readUnitsByOperation"] == {"BatchGetItem": 6}


def test_a_query_adds_its_items_then_rounds(local_stack, table):
    name = local_stack.stack.table_name

    def query() -> None:
        table.query(
            TableName=name,
            KeyConditionExpression="pk = :p",
            FilterExpression="v > :v",  # filtered after reading: the six items are read all the same
            ExpressionAttributeValues={":p": {"S": f"{PREFIX}a"}, ":v": {"N": "100"}},
            ConsistentRead=True,
        )

    assert units(local_stack, query)["readUnitsByOperation"] == {"Query": 1}


def test_writes_cost_one_unit_per_kb_and_a_refused_condition_still_costs(local_stack, table):
    name = local_stack.stack.table_name
    put = units(local_stack, lambda: table.put_item(TableName=name, Item={**key("w", "1"), "v": {"S": "x" * 1500}}))
    assert put["writeUnits"] == 2
    assert put["readUnits"] == 0

    def refused() -> None:
        with pytest.raises(table.exceptions.ConditionalCheckFailedException):
            table.put_item(TableName=name, Item=key("big", "1"), ConditionExpression="attribute_not_exists(pk)")

    assert units(local_stack, refused)["writeUnitsByOperation"] == {"PutItem": 9}  # the 9,000-byte item as it stands
