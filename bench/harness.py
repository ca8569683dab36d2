"""What every section of ``make bench`` measures with: a client of one local stack (agent tokens, API requests, the
emulator's request log, the DynamoDB server's counter, raw DynamoDB requests) and sample statistics."""

from __future__ import annotations

import os
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests
from botocore.config import Config

from local.dynamodb import NUMBER_PREFIXES, delete_items
from local.stack import Stack

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "200"))
# The bench's stacks keep what they read from Twilio for a day: the first list of a workspace is measured on its
# own, and no refresh may start in the middle of a steady-state measurement.
BENCH_ENV = {"NUMBER_CACHE_TTL_SECONDS": "86400"}
ACCOUNT_PATH = re.compile(r"/Accounts/AC[0-9a-f]{32}\.json$")


def start_stack(table_name: str) -> tuple[Stack, dict[str, Any]]:
    """A throwaway local stack (moto, emulator, API on free ports) with the bench's settings."""
    stack = Stack.throwaway(table_name)
    stack.extra_env = dict(BENCH_ENV)
    return stack, stack.start()


def twilio_operation(path: str) -> str:
    """A Twilio request's path as the name of what it does."""
    if path.endswith("/Tokens/validate"):
        return "token validation"
    if ACCOUNT_PATH.search(path):
        return "account look-up"
    return path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Counts:
    """What the emulator and the DynamoDB server saw since the last reset; read and write units as DynamoDB bills
    them (``local.capacity``), by operation."""

    twilio: dict[str, int]
    dynamodb: dict[str, int]
    dynamodb_bytes: int
    last: dict[str, Any] | None = None
    read_units: dict[str, float] = field(default_factory=dict)
    write_units: dict[str, float] = field(default_factory=dict)

    @property
    def dynamodb_total(self) -> int:
        return sum(self.dynamodb.values())

    @property
    def twilio_total(self) -> int:
        return sum(self.twilio.values())

    @property
    def read_units_total(self) -> float:
        return sum(self.read_units.values())

    @property
    def write_units_total(self) -> float:
        return sum(self.write_units.values())


class Bench:
    """A client of one local stack."""

    def __init__(self, facts: dict[str, Any], stack: Stack) -> None:
        self.facts, self.stack = facts, stack
        self.api, self.emulator, self.dynamodb = facts["apiUrl"], facts["emulatorUrl"], facts["dynamodbEndpoint"]
        self.parent = next(a for a in facts["accounts"] if a["parentSid"] is None)
        # One attempt per request and a long read timeout: a raw request times moto itself, retries included never.
        self.raw = boto3.client(
            "dynamodb",
            endpoint_url=self.dynamodb,
            region_name="us-east-1",
            config=Config(retries={"total_max_attempts": 1}, read_timeout=300, connect_timeout=5),
        )

    def agent(self, account_sid: str | None = None, identity: str | None = None) -> dict[str, str]:
        """Headers of a new agent token; a subaccount's agent names the account, as Flex users of one do."""
        account = account_sid or self.parent["sid"]
        body = requests.post(
            f"{self.emulator}/_emulator/tokens",
            json={"accountSid": account, "identity": identity or f"bench-{time.time_ns()}", "roles": ["agent"]},
            timeout=10,
        ).json()
        headers = {"Authorization": f"Bearer {body['token']}"}
        if account != self.parent["sid"]:
            headers["X-Twilio-Account-Sid"] = account
        return headers

    def reset_counts(self) -> None:
        requests.delete(f"{self.emulator}/_emulator/requests", timeout=10)
        requests.delete(f"{self.dynamodb}/_dynamodb/requests", timeout=300)

    def counts(self, last: str | None = None) -> Counts:
        """The counts since the last reset; ``last`` names an operation whose last request body to include."""
        twilio = Counter(
            twilio_operation(r["path"])
            for r in requests.get(f"{self.emulator}/_emulator/requests", timeout=10).json()["requests"]
        )
        params = {"last": last} if last else {}
        dynamodb = requests.get(f"{self.dynamodb}/_dynamodb/requests", params=params, timeout=300).json()
        return Counts(
            dict(twilio),
            dynamodb["byOperation"],
            dynamodb["bytes"],
            dynamodb.get("last"),
            dynamodb.get("readUnitsByOperation", {}),
            dynamodb.get("writeUnitsByOperation", {}),
        )

    def measure(self, label: str, action: Callable[[], Any]) -> tuple[str, Counts]:
        self.reset_counts()
        action()
        return label, self.counts()

    def request(self, headers: dict[str, str], method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{self.api}{path}", headers=headers, timeout=120, **kwargs)

    def call(self, headers: dict[str, str], method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.request(headers, method, path, **kwargs)
        assert response.status_code < 400, response.text
        return response

    def drop_catalogues(self) -> None:
        """Forget every workspace's numbers: the next list reads Twilio afresh."""
        delete_items(self.dynamodb, self.stack.table_name, *NUMBER_PREFIXES)

    def baseline_item(self) -> Callable[[], Any]:
        """A raw GetItem of one small item: the round trip every latency here is a multiple of."""
        key = {"pk": {"S": "BENCH"}, "sk": {"S": "BASELINE"}}
        self.raw.put_item(TableName=self.stack.table_name, Item=key)
        return lambda: self.raw.get_item(TableName=self.stack.table_name, Key=key)

    def wait_until_quiet(self, seconds: float = 120.0) -> None:
        """Wait until DynamoDB has had no request for a second: an invocation the dev server gave up on (a 502)
        runs on in its thread, and moto goes on with a request its client gave up on."""
        deadline = time.monotonic() + seconds
        total = -1
        while time.monotonic() < deadline:
            now = requests.get(f"{self.dynamodb}/_dynamodb/requests", timeout=300).json()["total"]
            if now == total:
                return
            total = now
            time.sleep(1.0)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100)
    return {"p50": statistics.median(ordered), "p95": q[94], "p99": q[98]}


def timed(action: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        action()
        out.append(time.perf_counter() - start)
    return out
