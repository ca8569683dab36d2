"""The resolver every Flex function uses: a request is authenticated once, before its input is looked at."""

from __future__ import annotations

import json
from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Depends

from callerid.config import Settings
from callerid.domain.errors import Unauthenticated
from callerid.domain.identity import Caller, Role
from callerid.http.auth import caller_dependency
from callerid.http.resolver import make_resolver


class CountingValidator:
    def __init__(self) -> None:
        self.calls = 0

    def validate(self, token, account_sid=None):
        self.calls += 1
        if token != "good":
            raise Unauthenticated("no")
        return Caller("AC" + "1" * 32, "alice", frozenset({"agent"}), "WK" + "1" * 32)


def event(token: str, body: dict) -> dict:
    return {
        "resource": "/things",
        "path": "/things",
        "httpMethod": "POST",
        "headers": {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "requestContext": {"resourcePath": "/things", "httpMethod": "POST", "stage": "test"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


VALIDATOR = CountingValidator()
agent = caller_dependency(lambda: VALIDATOR, Role.AGENT)  # type: ignore[arg-type,return-value]
app = make_resolver(Settings(), Logger(service="test"), lambda: VALIDATOR)  # type: ignore[arg-type,return-value]


@app.post("/things")
def things(caller: Annotated[Caller, Depends(agent)]) -> dict:
    return {"identity": caller.identity}


def test_a_request_is_authenticated_once():
    VALIDATOR.calls = 0
    answer = app.resolve(event("good", {}), None)
    assert answer["statusCode"] == 200 and json.loads(answer["body"]) == {"identity": "alice"}
    assert VALIDATOR.calls == 1


def test_an_anonymous_request_is_401_before_its_body_is_judged():
    answer = app.resolve(event("bad", {"unexpected": [[[[]]]]}), None)
    assert answer["statusCode"] == 401
