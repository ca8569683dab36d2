"""The local stack for integration and contract tests: moto server, Twilio emulator and dev server on free
ports, started once per session, plus small clients for the API, the emulator and DynamoDB."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
import requests
from twilio.request_validator import RequestValidator

from local.dynamodb import NUMBER_PREFIXES, delete_items, release_locks
from local.stack import Stack


@dataclass
class Agent:
    identity: str
    token: str
    worker_sid: str
    account_sid: str
    names_account: bool = False

    @property
    def headers(self) -> dict[str, str]:
        """A subaccount's agent names its account, as the Flex plugin does (tokens are opaque)."""
        named = {"X-Twilio-Account-Sid": self.account_sid} if self.names_account else {}
        return {"Authorization": f"Bearer {self.token}", **named}


class LocalStack:
    def __init__(self, stack: Stack, facts: dict[str, Any]) -> None:
        self.stack = stack
        self.facts = facts
        self.api = facts["apiUrl"]
        self.emulator = facts["emulatorUrl"]
        self.dynamodb = facts["dynamodbEndpoint"]
        self.parent = next(a for a in facts["accounts"] if a["parentSid"] is None)
        self.child = next(a for a in facts["accounts"] if a["parentSid"] is not None)
        self.table = boto3.client("dynamodb", endpoint_url=self.dynamodb, region_name="us-east-1")

    # -- the API
    def call(self, method: str, path: str, agent: Agent | None = None, **kwargs: Any) -> requests.Response:
        headers = {**(agent.headers if agent else {}), **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.api}{path}", headers=headers, timeout=30, **kwargs)

    def agent(self, roles: tuple[str, ...] = ("agent",), account_sid: str | None = None, ttl: float = 3600) -> Agent:
        identity = f"{roles[0]}-{uuid.uuid4().hex[:8]}"
        account = account_sid or self.parent["sid"]
        body = requests.post(
            f"{self.emulator}/_emulator/tokens",
            json={"accountSid": account, "identity": identity, "roles": list(roles), "ttl": ttl},
            timeout=10,
        ).json()
        return Agent(identity, body["token"], body["workerSid"], account, names_account=account != self.parent["sid"])

    # -- Twilio's side
    def subaccount(self, numbers: list[str] = (), caller_ids: list[str] = ()) -> dict[str, Any]:
        """A new subaccount of the parent at "Twilio", with these numbers and verified caller IDs: a workspace of
        a test's own."""
        key = f"sub-{uuid.uuid4().hex[:8]}"
        entry = {
            "key": key,
            "parentSid": self.parent["sid"],
            "friendlyName": key,
            "numbers": [{"phoneNumber": n} for n in numbers],
            "callerIds": [{"phoneNumber": c} for c in caller_ids],
        }
        created = requests.post(f"{self.emulator}/_emulator/seed", json={"accounts": [entry]}, timeout=30)
        created.raise_for_status()
        (account,) = created.json()["accounts"]
        self.facts["accounts"].append(account)
        return dict(account)

    def auth_token(self, account_sid: str) -> str:
        return next(a["authToken"] for a in self.facts["accounts"] if a["sid"] == account_sid)

    def webhook(
        self,
        path: str,
        params: dict[str, str],
        *,
        token: str | None = None,
        signature: str | None = None,
        api: str | None = None,
    ) -> requests.Response:
        """Post ``params`` as Twilio would, signed with the account's auth token (or ``token``), to this stack's
        API or to ``api`` (another API process, whose public URL is its own)."""
        url = f"{api or self.facts['publicBaseUrl']}{path}"
        secret = token or self.auth_token(params["AccountSid"])
        sig = signature if signature is not None else RequestValidator(secret).compute_signature(url, params)
        return requests.post(
            f"{api or self.api}{path}",
            data=urlencode(params),
            headers={"X-Twilio-Signature": sig, "Content-Type": "application/x-www-form-urlencoded"},
            timeout=60,
        )

    def verified_caller_id(self, account_sid: str, phone_number: str) -> str:
        """Make ``phone_number`` a verified caller ID of the account at "Twilio"; answers its SID."""
        created = requests.post(
            f"{self.emulator}/_emulator/caller-ids",
            json={"accountSid": account_sid, "phoneNumber": phone_number},
            timeout=10,
        )
        created.raise_for_status()
        return str(created.json()["sid"])

    def twilio_requests(self) -> list[dict[str, Any]]:
        return list(requests.get(f"{self.emulator}/_emulator/requests", timeout=10).json()["requests"])

    def clear_twilio_requests(self) -> None:
        requests.delete(f"{self.emulator}/_emulator/requests", timeout=10)

    def dynamodb_requests(self) -> dict[str, Any]:
        return dict(requests.get(f"{self.dynamodb}/_dynamodb/requests", timeout=10).json())

    def clear_dynamodb_requests(self) -> None:
        requests.delete(f"{self.dynamodb}/_dynamodb/requests", timeout=10)

    def delete_items(self, *prefixes: str) -> None:
        delete_items(self.dynamodb, self.stack.table_name, *prefixes)

    def release_locks(self) -> None:
        release_locks(self.dynamodb, self.stack.table_name)

    def forget_numbers(self) -> None:
        """As if no workspace had ever listed its numbers (the next list reads Twilio)."""
        delete_items(self.dynamodb, self.stack.table_name, *NUMBER_PREFIXES)


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    stack = Stack.throwaway(f"caller-id-test-{uuid.uuid4().hex[:6]}")
    facts = stack.start()
    try:
        yield LocalStack(stack, facts)
    finally:
        stack.stop()
