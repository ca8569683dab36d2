"""``make bench``: request counts and latency ratios, measured in one run against the local stack.

Figures are relative to baselines measured in the same run on the same machine: latency as a multiple of a raw
DynamoDB round trip (boto3 GetItem against the same moto server), cold import as a multiple of ``import boto3``.
Counts come from the emulator's request log and the DynamoDB server's request counter.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3
import requests

from local.dynamodb import delete_items
from local.stack import Stack
from local.template import ROOT, routes

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "200"))


class Bench:
    def __init__(self, facts: dict[str, Any], stack: Stack) -> None:
        self.facts, self.stack = facts, stack
        self.api, self.emulator, self.dynamodb = facts["apiUrl"], facts["emulatorUrl"], facts["dynamodbEndpoint"]
        self.parent = next(a for a in facts["accounts"] if a["parentSid"] is None)

    def agent(self) -> dict[str, str]:
        body = requests.post(
            f"{self.emulator}/_emulator/tokens",
            json={"accountSid": self.parent["sid"], "identity": f"bench-{time.time_ns()}", "roles": ["agent"]},
            timeout=10,
        ).json()
        return {"Authorization": f"Bearer {body['token']}"}

    def reset_counts(self) -> None:
        requests.delete(f"{self.emulator}/_emulator/requests", timeout=10)
        requests.delete(f"{self.dynamodb}/_dynamodb/requests", timeout=10)

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        twilio: dict[str, int] = {}
        for r in requests.get(f"{self.emulator}/_emulator/requests", timeout=10).json()["requests"]:
            name = "token validation" if r["path"].endswith("/Tokens/validate") else r["path"].rsplit("/", 1)[-1]
            twilio[name] = twilio.get(name, 0) + 1
        return twilio, requests.get(f"{self.dynamodb}/_dynamodb/requests", timeout=10).json()["byOperation"]

    def measure(self, label: str, action: Callable[[], Any]) -> tuple[str, dict[str, int], dict[str, int]]:
        self.reset_counts()
        action()
        twilio, dynamodb = self.counts()
        return label, twilio, dynamodb

    def call(self, headers: dict[str, str], method: str, path: str, **kwargs: Any) -> requests.Response:
        response = requests.request(method, f"{self.api}{path}", headers=headers, timeout=30, **kwargs)
        assert response.status_code < 400, response.text
        return response

    def drop_catalogues(self) -> None:
        delete_items(self.dynamodb, self.stack.table_name, "WS#", "LOCK#")


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


def import_seconds(code: str, env: dict[str, str], repeats: int = 5) -> float:
    script = f"import time, sys\nt = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.split()[-1]
        )
        for _ in range(repeats)
    ]
    return statistics.median(runs)


def request_counts(bench: Bench) -> list[tuple[str, dict[str, int], dict[str, int]]]:
    rows = []
    bench.drop_catalogues()
    cold_agent = bench.agent()
    rows.append(
        bench.measure(
            "list-numbers, cold (no catalogue, new token)", lambda: bench.call(cold_agent, "GET", "/v1/phone-numbers")
        )
    )
    rows.append(
        bench.measure(
            "list-numbers, warm (fresh catalogue, cached token)",
            lambda: bench.call(cold_agent, "GET", "/v1/phone-numbers"),
        )
    )
    agents = [bench.agent() for _ in range(100)]
    rows.append(
        bench.measure(
            "100 agents list within the TTL (new tokens)",
            lambda: [bench.call(a, "GET", "/v1/phone-numbers") for a in agents],
        )
    )
    rows.append(
        bench.measure(
            "the same 100 agents list again", lambda: [bench.call(a, "GET", "/v1/phone-numbers") for a in agents]
        )
    )
    bench.call(cold_agent, "POST", "/v1/outbound-calls", json={"to": "+14155552671"})
    bench.call(cold_agent, "DELETE", "/v1/outbound-calls/lock")
    rows.append(
        bench.measure(
            "StartOutboundCall (steady state)",
            lambda: bench.call(cold_agent, "POST", "/v1/outbound-calls", json={"to": "+14155552671"}),
        )
    )
    rows.append(bench.measure("release own lock", lambda: bench.call(cold_agent, "DELETE", "/v1/outbound-calls/lock")))
    return rows


def latencies(bench: Bench) -> dict[str, dict[str, float]]:
    table = boto3.client("dynamodb", endpoint_url=bench.dynamodb, region_name="us-east-1")
    key = {"pk": {"S": "BENCH"}, "sk": {"S": "BASELINE"}}
    table.put_item(TableName=bench.stack.table_name, Item=key)
    baseline = percentiles(timed(lambda: table.get_item(TableName=bench.stack.table_name, Key=key), SAMPLES))
    agent = bench.agent()
    bench.call(agent, "GET", "/v1/phone-numbers")
    health = percentiles(timed(lambda: requests.get(f"{bench.api}/health", timeout=10), SAMPLES))
    listing = percentiles(timed(lambda: bench.call(agent, "GET", "/v1/phone-numbers"), SAMPLES))

    def call_and_release() -> None:
        bench.call(agent, "POST", "/v1/outbound-calls", json={"to": "+14155552671"})

    outbound = percentiles(timed(call_and_release, SAMPLES))
    return {
        "raw DynamoDB GetItem (baseline)": baseline,
        "GET /health (HTTP + handler, no I/O)": health,
        "list-numbers warm": listing,
        "StartOutboundCall steady": outbound,
    }


def imports(env: dict[str, str]) -> dict[str, tuple[float, bool]]:
    baseline = import_seconds("import boto3", env)
    out = {"import boto3 (baseline)": (baseline, False)}
    for code_uri in sorted({r.code_uri for r in routes()}):
        code = (
            "from local.functions import load_function\nfrom pathlib import Path\n"
            f"load_function(Path({str(code_uri)!r}))\n"
        )
        seconds = import_seconds(code, env)
        rest = (
            subprocess.run(
                [sys.executable, "-c", code + "import sys\nprint('twilio.rest' in sys.modules)"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()[-1]
            == "True"
        )
        out[code_uri.name] = (seconds, rest)
    return out


def main() -> None:
    stack = Stack.throwaway("caller-id-bench")
    facts = stack.start()
    try:
        bench = Bench(facts, stack)
        rows = request_counts(bench)
        lat = latencies(bench)
        env = {
            **os.environ,
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'shared'}",
            "TABLE_NAME": "bench",
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
        imp = imports(env)
    finally:
        stack.stop()

    print("\nRequests per operation (Twilio emulator log, DynamoDB server counter)")
    for label, twilio, dynamodb in rows:
        twilio_total, dynamodb_total = sum(twilio.values()), sum(dynamodb.values())
        print(f"  {label}")
        print(f"      Twilio {twilio_total:>4}  {json.dumps(twilio)}")
        print(f"      DynamoDB {dynamodb_total:>2}  {json.dumps(dynamodb)}")
    base = lat["raw DynamoDB GetItem (baseline)"]["p50"]
    print(f"\nLatency over {SAMPLES} requests, as multiples of a raw DynamoDB GetItem p50 ({base * 1000:.2f} ms here)")
    for label, p in lat.items():
        print(f"  {label:<40} p50 {p['p50'] / base:6.2f}x   p95 {p['p95'] / base:6.2f}x   p99 {p['p99'] / base:6.2f}x")
    boto = imp["import boto3 (baseline)"][0]
    heading = "Cold import of each function (module load = Lambda init) as multiples of `import boto3`"
    print(f"\n{heading} ({boto * 1000:.0f} ms)")
    for name, (seconds, rest) in imp.items():
        flag = "" if name.startswith("import") else ("   imports twilio.rest" if rest else "   no twilio.rest")
        print(f"  {name:<28} {seconds / boto:5.2f}x{flag}")


if __name__ == "__main__":
    main()
