"""Resetting state inside the local DynamoDB server (``POST /_dynamodb/reset``): locks freed with the dial rules
kept, items deleted by key prefix, and nothing else touched."""

from __future__ import annotations

import json
from typing import Any

from callerid.store.phones import LOCK_ATTRIBUTES
from tests.unit.test_capacity import key, server  # noqa: F401  (the server fixture)

LOCK = {name: {"S": "x"} for name in LOCK_ATTRIBUTES} | {"lock_until": {"N": "1800000000"}}
RULE = {"rule#AC1": {"M": {"d": {"BOOL": True}}}}


def reset(served: Any, **request: Any) -> tuple[int, dict[str, Any]]:
    answered = served.client.post("/_dynamodb/reset", data=json.dumps(request))
    return answered.status_code, json.loads(answered.get_data())


def stored(served: Any, pk: str, sk: str) -> dict[str, Any] | None:
    _, got = served("GetItem", TableName="t", Key=key(pk, sk), ConsistentRead=True)
    return got.get("Item")


def test_released_locks_leave_the_rules_and_other_items_as_they_were(server):  # noqa: F811
    server("PutItem", TableName="t", Item={**key("PHONE#+14155550100", "PHONE"), **LOCK, **RULE})
    server("PutItem", TableName="t", Item={**key("PHONE#+14155550101", "PHONE"), **RULE})
    server("PutItem", TableName="t", Item={**key("WS#AC1", "HEAD"), "lock_until": {"N": "1"}})

    assert reset(server, table="t", releaseLocks=True) == (200, {"released": 1, "deleted": 0})

    assert stored(server, "PHONE#+14155550100", "PHONE") == {**key("PHONE#+14155550100", "PHONE"), **RULE}
    assert stored(server, "PHONE#+14155550101", "PHONE") == {**key("PHONE#+14155550101", "PHONE"), **RULE}
    assert stored(server, "WS#AC1", "HEAD") == {**key("WS#AC1", "HEAD"), "lock_until": {"N": "1"}}
    assert reset(server, table="t", releaseLocks=True) == (200, {"released": 0, "deleted": 0})


def test_deleted_prefixes_take_every_item_of_their_partitions_and_no_other(server):  # noqa: F811
    for sk in ("HEAD", "NUMBER#PN1", "NUMBER#PN2"):
        server("PutItem", TableName="t", Item=key("WS#AC2", sk))
    server("PutItem", TableName="t", Item=key("SHARED#AC2", "POOL"))
    server("PutItem", TableName="t", Item=key("WORKER#AC2", "WK1"))

    assert reset(server, table="t", deletePrefixes=["WS#AC2", "SHARED#"]) == (200, {"released": 0, "deleted": 4})

    assert stored(server, "WS#AC2", "HEAD") is None and stored(server, "SHARED#AC2", "POOL") is None
    assert stored(server, "WORKER#AC2", "WK1") == key("WORKER#AC2", "WK1")
    _, query = server(
        "Query",
        TableName="t",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "WS#AC2"}},
    )
    assert query["Items"] == []


def test_an_unknown_table_is_404(server):  # noqa: F811
    assert reset(server, table="nope", releaseLocks=True)[0] == 404
