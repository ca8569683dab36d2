"""The Scale section of ``make bench``: the call path and list-numbers at 10, 1,000, 10,000 and 50,000 numbers
(``BENCH_SIZES``, comma-separated, overrides), and the first list of each workspace, which reads it from Twilio.

Each size gets a stack of its own (moto, emulator, API) and in it a new subaccount of the demo parent with that
many numbers. Own stacks because moto's Query and Scan sort every item of the table on every request: in one
table, the largest workspace would set the cost of every other size's Query.

How the figures are computed:

- Latency is a multiple of the p50 of a raw DynamoDB GetItem (boto3, one small item) measured in the same run
  against the same moto servers, in the same rounds as everything else: the p50 of an operation's samples over
  the p50 of all GetItem samples.
- Measurements are interleaved to keep drift (another process on the machine, a warming cache) out of the
  comparison: ``BENCH_ROUNDS`` rounds, each visiting every size (in a rotated order) and there every operation;
  each operation's samples are pooled over the rounds. An operation gets ``BENCH_SAMPLES`` samples per size
  (list pages and releases fewer; each operation stops a round early once it has spent its share of
  ``BENCH_MEASURE_SECONDS``).
- moto's own cost: the list's Query, the release's lock-holder Query and the call path's BatchGetItem are
  replayed raw (the body the API sent, captured by the DynamoDB server's counter) right before each sample, at
  the same table size. "Without moto's Query" is (p50 of the operation - p50 of its raw request) over the
  GetItem p50: what is left when that request costs nothing, as against real DynamoDB where a Query of a page
  costs about one round trip.
- A workspace of 10 numbers has 10 on its first page, the others 50: "50,000 / 1,000" compares full pages.
- An operation whose warm run failed is not sampled at that size (its raw request is replayed once, when the
  workspace's first list finished, so that the request is its own); one that fails twice while sampled is
  sampled no more there. Failures are listed with the request, status and body.
- Requests, bytes and units are those of one warm operation: DynamoDB's answers in bytes (what the operation
  reads) and read and write units as DynamoDB bills them (each item of a GetItem or BatchGetItem rounded up to
  4 KB, a Query's items added up then rounded; ``local.capacity``), from the DynamoDB server's counter; Twilio
  requests from the emulator's log. A replayed request's own answer is measured too, so what a list page's Query
  reads is known even where the page itself fails.
- An agent's page load is what the reference Flex plugin asks for when it loads
  (``clients/flex-plugin/src/api.ts``: ``listNumbers``, pages of ``perPage=1000`` until the total or
  ``PLUGIN_MAX_PAGES``, and ``getSelection``), one request after another (the plugin sends the selection's
  alongside): once by a new agent (a new token, so one IAM check), once by the same agent again.

The bench prints; it asserts nothing.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from bench.harness import SAMPLES, Bench, Counts, start_stack
from local.stack import Stack

SIZES = tuple(int(s) for s in os.environ.get("BENCH_SIZES", "10,1000,10000,50000").split(","))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
MEASURE_SECONDS = float(os.environ.get("BENCH_MEASURE_SECONDS", "30"))
REFRESH_SECONDS = float(os.environ.get("BENCH_REFRESH_SECONDS", "600"))
TWILIO_PAGE = 1000
PER_PAGE = 50
DEEP_PAGE = 20
DESTINATION = "+14155552671"
# The reference plugin's dropdown: pages of 1,000 active numbers, at most 5 (clients/flex-plugin/src/api.ts).
PLUGIN_PER_PAGE = 1000
PLUGIN_MAX_PAGES = 5
COMPAT_LIST = "/common/flex/phone-numbers/list-phone-numbers"
# Invocations in a row that moved a refresh no further before the bench stops waiting for it.
STUCK_INVOCATIONS = 3
RAW_CALLS = {"Query": "query", "BatchGetItem": "batch_get_item"}
# Failed samples of one operation at one size after which it is sampled no more (each can cost seconds).
MAX_FAILURES = 2


@dataclass
class Workspace:
    """A subaccount of its own stack's demo parent, with ``size`` numbers and one warm agent."""

    size: int
    bench: Bench
    sid: str
    headers: dict[str, str]
    from_number: str | None = None
    refreshed: bool = False
    new_agent: dict[str, str] = field(default_factory=dict)
    # The plugin's kept list pages (page → ETag and answer), revalidated on the same agent's next page load.
    kept: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def start_call(self, explicit: bool = False) -> requests.Response:
        body = {"to": DESTINATION, **({"from": self.from_number} if explicit else {})}
        return self.bench.request(self.headers, "POST", "/v1/outbound-calls", json=body)

    def release(self) -> requests.Response:
        return self.bench.request(self.headers, "DELETE", "/v1/outbound-calls/lock")

    def list_page(self, page: int) -> requests.Response:
        return self.bench.request(self.headers, "GET", f"/v1/phone-numbers?page={page}&perPage={PER_PAGE}")

    def plugin_page(self, page: int, headers: dict[str, str] | None = None) -> requests.Response:
        path = f"/v1/phone-numbers?status=active&perPage={PLUGIN_PER_PAGE}&page={page}"
        return self.bench.request(headers or self.headers, "GET", path)

    def compat_list(self) -> requests.Response:
        """The Flex template's route: every number at once, the token (and the subaccount it is of) in the form."""
        form = {"Token": self.headers["Authorization"].removeprefix("Bearer "), "AccountSid": self.sid}
        return self.bench.request({}, "POST", COMPAT_LIST, data={**form, "IncludeOutgoing": "false"})

    def page_load(self, headers: dict[str, str] | None = None) -> requests.Response:
        """What the reference plugin asks for when an agent's page loads: the dropdown's numbers, page after page
        until the total, and the agent's selection. The warm agent's pages are kept with their ETags and
        revalidated with ``If-None-Match`` (a 304 answers from the kept page), as the plugin does; a new agent has
        none. The first failed answer, else the selection's."""
        revalidating = headers is None
        headers = headers or self.headers
        listed = 0
        for page in range(1, PLUGIN_MAX_PAGES + 1):
            kept = self.kept.get(page) if revalidating else None
            asked = {**headers, "If-None-Match": kept[0]} if kept else headers
            answer = self.plugin_page(page, asked)
            if answer.status_code >= 400:
                return answer
            body = kept[1] if answer.status_code == 304 and kept else answer.json()
            if revalidating and answer.headers.get("ETag"):
                self.kept[page] = (answer.headers["ETag"], body)
            listed += len(body["phoneNumbers"])
            if not body["phoneNumbers"] or listed >= body["meta"]["total"]:
                break
        return self.bench.request(headers, "GET", "/v1/workers/me/caller-id")

    def loaded_before(self) -> None:
        """The warm agent has loaded its page before (its kept pages to revalidate), as an agent reloading has."""
        if not self.kept:
            self.page_load()

    def sign_in(self) -> None:
        """A new agent of the workspace (a token no container has validated yet), for the next page load."""
        self.new_agent = self.bench.agent(self.sid, f"bench-agent-{self.size}-{time.time_ns()}")

    def head(self) -> tuple[dict[str, Any], int]:
        """The workspace's head item as stored (a raw, consistent GetItem), and the bytes of the answer."""
        key = {"pk": {"S": f"WS#{self.sid}"}, "sk": {"S": "NUMBERS"}}
        answer = self.bench.raw.get_item(TableName=self.bench.stack.table_name, Key=key, ConsistentRead=True)
        return dict(answer.get("Item") or {}), int(answer["ResponseMetadata"]["HTTPHeaders"]["content-length"])


@dataclass(frozen=True)
class Operation:
    """An API operation measured at every size. ``share``: its samples as a share of ``BENCH_SAMPLES``;
    ``replayed``: the DynamoDB operation whose request is replayed raw, to time moto's share; ``explicit``: it
    asks for the number the call path picked; ``before``: untimed, before each sample (a lock for a release to
    free)."""

    name: str
    run: Callable[[Workspace], requests.Response]
    share: float = 1.0
    replayed: str | None = None
    explicit: bool = False
    before: Callable[[Workspace], object] | None = None
    applies: Callable[[int], bool] = lambda size: True


OPERATIONS = (
    Operation("call path", lambda ws: ws.start_call(), replayed="BatchGetItem"),
    Operation("call path, explicit From", lambda ws: ws.start_call(explicit=True), share=0.5, explicit=True),
    Operation("release own lock", Workspace.release, share=0.05, replayed="Query", before=lambda ws: ws.start_call()),
    Operation("list page 1", lambda ws: ws.list_page(1), share=0.1, replayed="Query"),
    Operation(
        f"list page {DEEP_PAGE}",
        lambda ws: ws.list_page(DEEP_PAGE),
        share=0.025,
        replayed="Query",
        applies=lambda size: size >= DEEP_PAGE * PER_PAGE,
    ),
    Operation(f"list perPage={PLUGIN_PER_PAGE}", lambda ws: ws.plugin_page(1), share=0.05),
    Operation("compat list (every number)", Workspace.compat_list, share=0.05),
    Operation("page load, new agent", lambda ws: ws.page_load(ws.new_agent), share=0.05, before=Workspace.sign_in),
    Operation(
        "page load, same agent again (If-None-Match)",
        Workspace.page_load,
        share=0.05,
        before=Workspace.loaded_before,
    ),
)


@dataclass
class Measure:
    """One operation at one size: latency samples, the raw Query's, and what one warm operation cost."""

    samples: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    raw_bytes: int | None = None
    requests: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    twilio: dict[str, int] = field(default_factory=dict)
    read_units: dict[str, float] = field(default_factory=dict)
    write_units: dict[str, float] = field(default_factory=dict)
    replay: dict[str, Any] | None = None
    broken: str | None = None
    failures: list[str] = field(default_factory=list)

    def p50(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    def raw_p50(self) -> float | None:
        return statistics.median(self.raw) if self.raw else None


@dataclass
class Refresh:
    """The first list of a workspace: until an answer is no longer stale, or the head says the pass is over."""

    invocations: int = 0
    seconds: float = 0.0
    finished: bool = False
    counts: Counts | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return self.counts.twilio.get("IncomingPhoneNumbers.json", 0) if self.counts else 0


@dataclass
class ScaleResults:
    sizes: tuple[int, ...]
    refreshes: dict[int, Refresh]
    measures: dict[tuple[str, int], Measure]
    baseline: list[float]


def failure(response: requests.Response, method: str, path: str) -> str:
    return f"{method} {path} answered {response.status_code}: {response.text.strip()[:300]}"


def create_workspace(bench: Bench, size: int) -> Workspace:
    """A new subaccount of the demo parent with ``size`` numbers at "Twilio" (nothing read by the API yet)."""
    seeded = requests.post(
        f"{bench.emulator}/_emulator/seed",
        json={
            "accounts": [
                {
                    "key": f"bench-{size}",
                    "parentSid": bench.parent["sid"],
                    "friendlyName": f"Bench {size:,}",
                    "numbers": [],
                }
            ]
        },
        timeout=30,
    ).json()
    sid = seeded["accounts"][0]["sid"]
    created = requests.post(f"{bench.emulator}/_emulator/numbers", json={"accountSid": sid, "count": size}, timeout=300)
    created.raise_for_status()
    return Workspace(size, bench, sid, bench.agent(sid, f"bench-agent-{size}"))


@dataclass
class Progress:
    """A refresh pass as the workspace's head records it, read by the bench after a failed answer; the bench's
    own reads are taken out of the counts."""

    where: tuple[str, ...] = ()
    stuck: int = 0
    reads: int = 0
    read_bytes: int = 0

    def check(self, workspace: Workspace) -> bool:
        """Whether the pass is over; counts the answers after which it had not moved."""
        head, size = workspace.head()
        self.reads, self.read_bytes = self.reads + 1, self.read_bytes + size
        if float(head.get("refreshed_at", {}).get("N", 0)) > 0 and "refresh_pass" not in head:
            return True
        now = tuple(str(head.get(name)) for name in ("refresh_phase", "refresh_next", "refresh_chunks", "refresh_read"))
        self.stuck = self.stuck + 1 if now == self.where else 0
        self.where = now
        return False

    def without_reads(self, counts: Counts) -> Counts:
        dynamodb = {**counts.dynamodb, "GetItem": counts.dynamodb.get("GetItem", 0) - self.reads}
        return replace(counts, dynamodb=dynamodb, dynamodb_bytes=counts.dynamodb_bytes - self.read_bytes)


def first_list(workspace: Workspace) -> Refresh:
    """List until the answer is not stale (the refresh goes on across invocations). A failed answer is kept and
    listing goes on, as a Flex UI would retry, while the pass moves forward; the bench stops when the head says
    the pass is over, or it has not moved for ``STUCK_INVOCATIONS`` answers, or after ``BENCH_REFRESH_SECONDS``."""
    bench, result, progress = workspace.bench, Refresh(), Progress()
    bench.wait_until_quiet()
    bench.reset_counts()
    start = time.perf_counter()
    path = f"/v1/phone-numbers?page=1&perPage={PER_PAGE}"
    while time.perf_counter() - start < REFRESH_SECONDS and progress.stuck < STUCK_INVOCATIONS:
        answer = workspace.list_page(1)
        result.invocations += 1
        if answer.status_code == 200:
            if "X-Catalogue-Stale" not in answer.headers:
                result.finished = True
                break
            continue
        result.failures.append(f"invocation {result.invocations}: {failure(answer, 'GET', path)}")
        bench.wait_until_quiet()
        if progress.check(workspace):
            result.finished = True
            break
    result.seconds = time.perf_counter() - start
    bench.wait_until_quiet()
    result.counts = progress.without_reads(bench.counts())
    return result


def warm_up(workspace: Workspace) -> None:
    """Every route once (token validated and account read in each function's container), and the number the
    call path picks, which the explicit-From call then asks for. A workspace whose first list did not finish
    only gets a number to ask for: its other routes would go on with the refresh."""
    if not workspace.refreshed:
        workspace.from_number = first_number(workspace)
        workspace.start_call(explicit=True)
        return
    answer = workspace.start_call()
    workspace.from_number = answer.json()["from"] if answer.status_code == 200 else first_number(workspace)
    workspace.release()
    workspace.start_call(explicit=True)
    workspace.list_page(1)
    if workspace.size >= DEEP_PAGE * PER_PAGE:
        workspace.list_page(DEEP_PAGE)  # builds the page anchors, once per change of the listing
    workspace.bench.wait_until_quiet()


def first_number(workspace: Workspace) -> str | None:
    """The workspace's first number at "Twilio" (for the explicit-From call when the call path picks none)."""
    bench = workspace.bench
    answer = requests.get(
        f"{bench.emulator}/2010-04-01/Accounts/{workspace.sid}/IncomingPhoneNumbers.json?PageSize=1",
        auth=(bench.parent["sid"], bench.parent["authToken"]),
        timeout=30,
    )
    numbers = answer.json().get("incoming_phone_numbers") or [] if answer.ok else []
    return str(numbers[0]["phone_number"]) if numbers else None


def counted(workspace: Workspace, operation: Operation) -> Measure:
    """One warm operation with its DynamoDB requests and bytes, and the request to replay raw."""
    bench, measure = workspace.bench, Measure()
    if operation.explicit and workspace.from_number is None:
        measure.broken = "no number to ask for: the call path picked none and Twilio listed none"
        return measure
    if operation.before is not None:
        operation.before(workspace)
    bench.reset_counts()
    answer = operation.run(workspace)
    counts = bench.counts(last=operation.replayed)
    measure.requests, measure.bytes, measure.replay = counts.dynamodb, counts.dynamodb_bytes, counts.last
    measure.twilio, measure.read_units, measure.write_units = counts.twilio, counts.read_units, counts.write_units
    if answer.status_code >= 400:
        request = answer.request
        measure.broken = failure(answer, str(request.method), str(request.path_url))
        bench.wait_until_quiet()
    return measure


def replay(workspace: Workspace, operation: Operation, measure: Measure) -> None:
    """Time moto answering the captured request, sent raw (a boto3 call takes the API's JSON body), and keep the
    size of its answer."""
    send = getattr(workspace.bench.raw, RAW_CALLS[str(operation.replayed)])
    start = time.perf_counter()
    answer = send(**(measure.replay or {}))
    measure.raw.append(time.perf_counter() - start)
    measure.raw_bytes = int(answer["ResponseMetadata"]["HTTPHeaders"]["content-length"])


def sample(workspace: Workspace, operation: Operation, measure: Measure, count: int, budget: float) -> None:
    """Up to ``count`` samples (at least one) within ``budget`` seconds; a failed one is kept as a failure, and
    after ``MAX_FAILURES`` of them the operation is sampled no more at that size."""
    spent = 0.0
    for _ in range(count):
        if spent > budget or len(measure.failures) >= MAX_FAILURES:
            break
        began = time.perf_counter()
        if operation.before is not None:
            operation.before(workspace)
        if measure.replay is not None:
            replay(workspace, operation, measure)
        start = time.perf_counter()
        answer = operation.run(workspace)
        elapsed = time.perf_counter() - start
        if answer.status_code < 400:
            measure.samples.append(elapsed)
        else:
            request = answer.request
            measure.failures.append(failure(answer, str(request.method), str(request.path_url)))
            workspace.bench.wait_until_quiet()
        spent += time.perf_counter() - began


def one_round(
    number: int, workspaces: list[Workspace], measures: dict[tuple[str, int], Measure], baseline: list[float]
) -> None:
    """Every size once, in an order rotated by round, and there the baseline and every operation."""
    shift = number % len(workspaces)
    for workspace in workspaces[shift:] + workspaces[:shift]:
        get_item = workspace.bench.baseline_item()
        for _ in range(math.ceil(SAMPLES / ROUNDS)):
            start = time.perf_counter()
            get_item()
            baseline.append(time.perf_counter() - start)
        for operation in OPERATIONS:
            measure = measures.get((operation.name, workspace.size))
            if measure is None:
                continue
            if measure.broken is None:
                count = math.ceil(max(ROUNDS, SAMPLES * operation.share) / ROUNDS)
                sample(workspace, operation, measure, count, MEASURE_SECONDS / ROUNDS)
            elif number == 0 and measure.replay is not None and workspace.refreshed:
                replay(workspace, operation, measure)


def run_scale(log: Callable[[str], None]) -> ScaleResults:
    """Build each size's workspace in its own stack, measure its first list, then the steady state in rounds."""
    stacks: list[Stack] = []
    workspaces: list[Workspace] = []
    refreshes: dict[int, Refresh] = {}
    measures: dict[tuple[str, int], Measure] = {}
    baseline: list[float] = []
    try:
        for size in SIZES:
            stack, facts = start_stack(f"caller-id-bench-{size}")
            stacks.append(stack)
            bench = Bench(facts, stack)
            bench.call(bench.agent(), "GET", "/v1/phone-numbers")  # the parent's own numbers, read before
            workspace = create_workspace(bench, size)
            log(f"  {size:>6,} numbers: first list (refresh from Twilio)...")
            refreshes[size] = first_list(workspace)
            workspace.refreshed = refreshes[size].finished
            workspaces.append(workspace)
        for workspace in workspaces:
            warm_up(workspace)
            for operation in OPERATIONS:
                if operation.applies(workspace.size):
                    measures[(operation.name, workspace.size)] = counted(workspace, operation)
        for number in range(ROUNDS):
            log(f"  round {number + 1} of {ROUNDS}...")
            one_round(number, workspaces, measures, baseline)
    finally:
        for stack in stacks:
            stack.stop()
    return ScaleResults(SIZES, refreshes, measures, baseline)
