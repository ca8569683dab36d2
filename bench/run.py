"""``make bench``: request counts, latency ratios, scale and cold imports, measured in one run against local stacks.

Figures are relative to baselines measured in the same run on the same machine: latency as a multiple of a raw
DynamoDB round trip (boto3 GetItem against the same moto server), cold import as a multiple of ``import boto3``
(interleaved, in the layer-only environment: ``bench.cold_imports``). Counts come from the emulator's request log
and the DynamoDB server's counter: requests, bytes, and read and write units as DynamoDB bills them
(``local.capacity``). The Scale section (``bench.scale``) says how its figures are computed. Nothing here asserts:
the bench prints.

``BENCH_SAMPLES`` (200), ``BENCH_SIZES`` (10,1000,10000,50000), ``BENCH_ROUNDS`` (5), ``BENCH_MEASURE_SECONDS``
(30) and ``BENCH_REFRESH_SECONDS`` (600) trade precision for time; ``BENCH_AGENTS`` (32), ``BENCH_POOL`` (40),
``BENCH_CALLS_PER_AGENT`` (313) and ``BENCH_HOLD`` (2.0, times the call path) shape the team dialling from one pool;
``BENCH_IMPORT_REPEATS`` (7) is the cold imports' pairs per function.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter

import boto3
import requests

from bench.cold_imports import ColdImports, layer_environment, measure, print_cold_imports
from bench.contention import ContentionResult, run_contention
from bench.harness import SAMPLES, Bench, Counts, percentiles, start_stack, timed
from bench.scale import PLUGIN_MAX_PAGES, PLUGIN_PER_PAGE, ScaleResults, run_scale
from bench.scale_report import print_scale

Rows = list[tuple[str, Counts]]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def page_load(bench: Bench, agent: dict[str, str]) -> None:
    """What the reference Flex plugin asks for when an agent's page loads (``bench.scale.Workspace.page_load``)."""
    listed = 0
    for page in range(1, PLUGIN_MAX_PAGES + 1):
        path = f"/v1/phone-numbers?status=active&perPage={PLUGIN_PER_PAGE}&page={page}"
        body = bench.call(agent, "GET", path).json()
        listed += len(body["phoneNumbers"])
        if not body["phoneNumbers"] or listed >= body["meta"]["total"]:
            break
    bench.call(agent, "GET", "/v1/workers/me/caller-id")


def request_counts(bench: Bench) -> Rows:
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
    new_agent = bench.agent()
    rows.append(
        bench.measure("an agent's page load (the plugin's requests), new agent", lambda: page_load(bench, new_agent))
    )
    rows.append(bench.measure("the same agent's page load again", lambda: page_load(bench, cold_agent)))
    return rows


def latencies(bench: Bench) -> dict[str, dict[str, float]]:
    baseline = percentiles(timed(bench.baseline_item(), SAMPLES))
    agent = bench.agent()
    bench.call(agent, "GET", "/v1/phone-numbers")
    health = percentiles(timed(lambda: requests.get(f"{bench.api}/health", timeout=10), SAMPLES))
    listing = percentiles(timed(lambda: bench.call(agent, "GET", "/v1/phone-numbers"), SAMPLES))

    def start_call() -> None:
        bench.call(agent, "POST", "/v1/outbound-calls", json={"to": "+14155552671"})

    outbound = percentiles(timed(start_call, SAMPLES))
    return {
        "raw DynamoDB GetItem (baseline)": baseline,
        "GET /health (HTTP + handler, no I/O)": health,
        "list-numbers warm": listing,
        "StartOutboundCall steady": outbound,
    }


def print_counts(rows: Rows) -> None:
    print(
        "\nRequests per operation (Twilio emulator log, DynamoDB server counter; read and write units as DynamoDB "
        "bills them)"
    )
    for label, counts in rows:
        print(f"  {label}")
        print(f"      Twilio {counts.twilio_total:>4}  {json.dumps(counts.twilio)}")
        print(
            f"      DynamoDB {counts.dynamodb_total:>2}  {json.dumps(counts.dynamodb)}   "
            f"{counts.dynamodb_bytes:,} bytes"
        )
        print(
            f"      read units {counts.read_units_total:g}  {json.dumps(counts.read_units)}   "
            f"write units {counts.write_units_total:g}  {json.dumps(counts.write_units)}"
        )


def print_latencies(lat: dict[str, dict[str, float]]) -> None:
    base = lat["raw DynamoDB GetItem (baseline)"]["p50"]
    print(f"\nLatency over {SAMPLES} requests, as multiples of a raw DynamoDB GetItem p50 ({base * 1000:.2f} ms here)")
    for label, p in lat.items():
        print(f"  {label:<40} p50 {p['p50'] / base:6.2f}x   p95 {p['p95'] / base:6.2f}x   p99 {p['p99'] / base:6.2f}x")


def demo_sections() -> tuple[Rows, dict[str, dict[str, float]]]:
    """Request counts and latency ratios on the demo workspace, in a stack of their own."""
    stack, facts = start_stack("caller-id-bench")
    try:
        bench = Bench(facts, stack)
        return request_counts(bench), latencies(bench)
    finally:
        stack.stop()


CONTENTION_AGENTS = int(os.environ.get("BENCH_AGENTS", "32"))
CONTENTION_POOL = int(os.environ.get("BENCH_POOL", "40"))
CONTENTION_CALLS = int(os.environ.get("BENCH_CALLS_PER_AGENT", "313"))
CONTENTION_HOLD = float(os.environ.get("BENCH_HOLD", "2.0"))


def contention_section() -> tuple[ContentionResult, float]:
    """A team dialling from one pool (``bench.contention``), and a raw PutItem's p50 on the same server."""
    stack, _ = start_stack("caller-id-bench-contention")
    try:
        raw = boto3.client("dynamodb", endpoint_url=stack.dynamodb_url, region_name="us-east-1")
        item = {"pk": {"S": "BENCH"}, "sk": {"S": "PUT"}}
        put = percentiles(timed(lambda: raw.put_item(TableName=stack.table_name, Item=item), SAMPLES))["p50"]
        result = run_contention(
            stack.table_name,
            str(stack.dynamodb_url),
            agents=CONTENTION_AGENTS,
            pool=CONTENTION_POOL,
            calls_per_agent=CONTENTION_CALLS,
            hold=CONTENTION_HOLD,
        )
        return result, put
    finally:
        stack.stop()


def print_contention(result: ContentionResult, put: float) -> None:
    print(
        f"\nA team dialling from one pool: {result.agents} agents (threads), {result.pool} numbers, "
        f"{result.attempts:,} calls; each holds its number {CONTENTION_HOLD:g}x its call path's latency on average, "
        "then releases it"
    )
    print(
        f"  grants {result.grants:,}   refused {result.refused}   double grants {result.double_grants}   "
        f"lease overwritten while held {result.lease_mismatches}"
    )
    print(
        f"  DynamoDB requests per call {result.requests_per_call:.2f}   "
        f"distribution {json.dumps(dict(sorted(Counter(result.requests).items())))}"
    )
    print(
        f"  DynamoDB read units per call {result.read_units_per_call:.1f}   write units per call "
        f"{result.write_units_per_call:.1f} (the release included)   by operation: read "
        f"{json.dumps(result.read_units)}, write {json.dumps(result.write_units)} "
        "(GetItem: the bench's own lease check)"
    )
    if result.seconds:
        p = percentiles(result.seconds)
        print(
            f"  call path p50 {p['p50'] / put:6.1f}x   p99 {p['p99'] / put:6.1f}x   "
            f"a raw PutItem's p50 ({put * 1000:.2f} ms; moto answers one request at a time, so the ratio grows "
            "with the number of agents)"
        )


def main() -> None:
    began = time.perf_counter()
    log("Request counts and latency on the demo workspace...")
    rows, lat = demo_sections()
    log("A team dialling from one pool...")
    contention, put = contention_section()
    log("Scale...")
    scale: ScaleResults = run_scale(log)
    log("Cold imports...")
    cold: ColdImports = measure(layer_environment(log))
    print_counts(rows)
    print_latencies(lat)
    print_contention(contention, put)
    print_scale(scale)
    print_cold_imports(cold)
    print(f"\n(make bench took {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
