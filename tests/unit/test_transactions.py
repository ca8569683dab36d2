"""The local DynamoDB's TransactWriteItems rolls back item by item (``local/transactions.py``): a committed
transaction applies every write, a cancelled one leaves every item as it was (new ones absent, updated and deleted
ones restored) with the reasons DynamoDB gives, and the table is never copied."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import dynamodb_backends

from local import partitions, transactions

TABLE = {
    "TableName": "t",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


@pytest.fixture
def client():
    partitions.install()
    transactions.install()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(**TABLE)
        for n in range(20):
            dynamodb.put_item(TableName="t", Item={"pk": {"S": f"P#{n % 4}"}, "sk": {"S": f"S#{n}"}, "n": {"N": "0"}})
        yield dynamodb


def everything(client) -> list[dict]:
    return sorted(client.scan(TableName="t", ConsistentRead=True)["Items"], key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def key(pk: str, sk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def writes(condition_holds: bool) -> list[dict]:
    return [
        {"Put": {"TableName": "t", "Item": {**key("P#9", "NEW"), "n": {"N": "1"}}}},
        {"Delete": {"TableName": "t", "Key": key("P#1", "S#1")}},
        {
            "Update": {
                "TableName": "t",
                "Key": key("P#2", "S#2"),
                "UpdateExpression": "ADD n :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {
            "Update": {
                "TableName": "t",
                "Key": key("P#3", "S#3"),
                "UpdateExpression": "SET n = :one",
                "ConditionExpression": "attribute_exists(pk)" if condition_holds else "attribute_not_exists(pk)",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]


def test_a_committed_transaction_applies_every_write(client):
    before = everything(client)
    client.transact_write_items(TransactItems=writes(condition_holds=True))
    after = everything(client)
    assert len(after) == len(before)  # one put, one delete
    assert client.get_item(TableName="t", Key=key("P#9", "NEW"))["Item"]["n"] == {"N": "1"}
    assert "Item" not in client.get_item(TableName="t", Key=key("P#1", "S#1"))
    assert client.get_item(TableName="t", Key=key("P#2", "S#2"))["Item"]["n"] == {"N": "1"}
    assert client.get_item(TableName="t", Key=key("P#3", "S#3"))["Item"]["n"] == {"N": "1"}


def test_a_cancelled_transaction_leaves_every_item_as_it_was_and_never_copies_the_table(client):
    table = dynamodb_backends["123456789012"]["us-east-1"].tables["t"]
    before = everything(client)
    with pytest.raises(ClientError) as refused:
        client.transact_write_items(TransactItems=writes(condition_holds=False))
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in refused.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert everything(client) == before
    assert dynamodb_backends["123456789012"]["us-east-1"].tables["t"] is table
    # The restored partitions still answer Queries in order.
    rows = client.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "P#1"}})
    assert [r["sk"]["S"] for r in rows["Items"]] == sorted(f"S#{n}" for n in range(20) if n % 4 == 1)
