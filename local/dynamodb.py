"""An embedded DynamoDB: moto's server app under a single-threaded WSGI server.

moto's stock ``moto_server`` is threaded and its conditional writes are check-then-set without a lock, so racing
writers can both pass a condition. Served one request at a time, each write is atomic, as real DynamoDB's writes
to one item are, and the race tests mean something. A table Query reads only its slice of one partition
(``local.partitions``), so its cost follows what it reads, as DynamoDB's does, not the size of the table, and
its answer is built at a cost that follows the page (``local.answers``: moto's projection and serialiser, made
lighter, answering the same bytes). A small middleware counts requests by operation and the bytes of their answers
(``GET``/``DELETE /_dynamodb/requests``) for tests and benchmarks; another plays faults (``/_dynamodb/faults``):
throttling errors, or batches left partly unprocessed, as DynamoDB answers under load; and ``/_dynamodb/reset``
frees locks or deletes items between tests inside the server, where a whole-table Scan would cost minutes a run.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs

import boto3
import requests
from botocore.exceptions import ClientError

from callerid.store.phones import LOCK_ATTRIBUTES  # what a phone item holds of its lock; the rules stay
from local import answers, capacity, partitions, transactions
from local.template import table_definition, ttl_attribute

StartResponse = Callable[..., Any]


class CountingMiddleware:
    """Counts DynamoDB requests by operation, with the bytes of their answers (what a request costs to read), and
    keeps the last request of each operation, so that a benchmark can replay it to time moto's own share.

    ``GET /_dynamodb/requests`` answers ``total``, ``byOperation``, ``bytes`` and ``bytesByOperation``, and
    ``readUnits``/``writeUnits`` (with ``...ByOperation``) as DynamoDB bills them (``local.capacity``);
    ``?last=<Operation>`` adds that operation's last request body as ``last``; ``DELETE`` starts again."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self.answer_bytes: Counter[str] = Counter()
        self.last: dict[str, bytes] = {}
        self.units = capacity.Meter()
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/_dynamodb/requests":
            return self.report(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("DynamoDB_"):
            return self.app(environ, start_response)
        operation = target.split(".", 1)[1]
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        with self.lock:
            self.counts[operation] += 1
            self.last[operation] = body
        with self.units.metering(operation, body):
            answer = self.app(environ, start_response)
        return CountedAnswer(answer, lambda size: self.add_bytes(operation, size))

    def add_bytes(self, operation: str, size: int) -> None:
        with self.lock:
            self.answer_bytes[operation] += size

    def report(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        wanted = parse_qs(environ.get("QUERY_STRING", "")).get("last", [""])[0]
        with self.lock:
            if environ["REQUEST_METHOD"] == "DELETE":
                self.counts.clear()
                self.answer_bytes.clear()
                self.last.clear()
                self.units.clear()
            answer: dict[str, Any] = {
                "total": sum(self.counts.values()),
                "byOperation": dict(self.counts),
                "bytes": sum(self.answer_bytes.values()),
                "bytesByOperation": dict(self.answer_bytes),
                **self.units.report(),
            }
            if wanted:
                last = self.last.get(wanted)
                answer["last"] = json.loads(last) if last else None
        body = json.dumps(answer).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


class CountedAnswer:
    """A WSGI answer passed through unchanged, reporting its size in bytes as it is sent."""

    def __init__(self, chunks: Iterable[bytes], count: Callable[[int], None]) -> None:
        self.chunks = chunks
        self.count = count

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.count(len(chunk))
            yield chunk

    def close(self) -> None:
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


@dataclass
class Fault:
    """DynamoDB misbehaving on purpose: requests of ``operation`` are answered the throttling error ``error``
    (``ProvisionedThroughputExceededException``, ``ThrottlingException``, ``RequestLimitExceeded``), or, with
    ``unprocessed``, a batch leaves the second half of its keys or writes (all of one) unprocessed; ``times``
    requests (every one when ``None``). ``played`` counts the requests it answered."""

    operation: str
    error: str | None = None
    unprocessed: bool = False
    times: int | None = None
    played: int = 0


class FaultSwitch:
    """Plays the configured faults, like the Twilio emulator's. ``POST /_dynamodb/faults`` ``{"operation",
    "error"?, "unprocessed"?, "times"?}`` adds one; ``GET`` lists them with ``played``; ``DELETE`` clears them."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.faults: list[Fault] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/_dynamodb/faults":
            return self.control(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        fault = self.take(target.split(".", 1)[1]) if target.startswith("DynamoDB_") else None
        if fault is None:
            return self.app(environ, start_response)
        if fault.error:
            body = {"__type": f"com.amazonaws.dynamodb.v20120810#{fault.error}", "message": "Emulated throttling"}
            return answer(start_response, "400 Bad Request", json.dumps(body).encode())
        return self.leave_unprocessed(fault.operation, environ, start_response)

    def take(self, operation: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.operation == operation and (fault.times is None or fault.played < fault.times):
                    fault.played += 1
                    return fault
        return None

    def leave_unprocessed(self, operation: str, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        """Send the first half of the batch on (nothing of a batch of one) and answer the rest as unprocessed."""
        request = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        ((name, spec),) = request["RequestItems"].items()
        listed = spec["Keys"] if operation == "BatchGetItem" else spec
        sent, left = listed[: len(listed) // 2], listed[len(listed) // 2 :]
        if operation == "BatchGetItem":
            request["RequestItems"][name] = {**spec, "Keys": sent}
            result: dict[str, Any] = {"Responses": {name: []}, "UnprocessedKeys": {name: {**spec, "Keys": left}}}
        else:
            request["RequestItems"][name] = sent
            result = {"UnprocessedItems": {name: left}}
        if sent:
            body = json.dumps(request).encode()
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
            status: list[str] = []
            chunks = self.app(environ, lambda s, headers, exc_info=None: status.append(s))
            try:
                done = b"".join(chunks)
            finally:
                getattr(chunks, "close", lambda: None)()
            if not status[0].startswith("200"):
                return answer(start_response, status[0], done)
            result = {**json.loads(done), **{k: v for k, v in result.items() if k != "Responses"}}
        return answer(start_response, "200 OK", json.dumps(result).encode())

    def control(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        with self.lock:
            method = environ["REQUEST_METHOD"]
            if method == "DELETE":
                self.faults.clear()
            elif method == "POST":
                body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"{}")
                times = body.get("times")
                self.faults.append(
                    Fault(
                        str(body["operation"]),
                        body.get("error"),
                        bool(body.get("unprocessed")),
                        int(times) if times is not None else None,
                    )
                )
            listed = [asdict(f) for f in self.faults]
        return answer(start_response, "200 OK", json.dumps({"faults": listed}).encode(), "application/json")


class Resets:
    """Resetting state between tests and benchmark runs, done inside the server: ``POST /_dynamodb/reset``
    ``{"table", "releaseLocks"?, "deletePrefixes"?}`` frees every caller-ID lock (keeping the phone items' dial
    rules) and/or deletes every item whose ``pk`` starts with one of the prefixes, and answers how many items each
    changed. Through the API it would be a whole-table Scan, which moto answers by sorting every item of the table
    for each page: with the table a test session grows, minutes a run."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/_dynamodb/reset":
            return self.app(environ, start_response)
        request = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"{}")
        table = moto_table(str(request.get("table", "")))
        if table is None:
            return answer(start_response, "404 Not Found", b'{"message": "no such table"}', "application/json")
        released = release_in(table) if request.get("releaseLocks") else 0
        deleted = delete_in(table, tuple(request.get("deletePrefixes") or ()))
        body = json.dumps({"released": released, "deleted": deleted}).encode()
        return answer(start_response, "200 OK", body, "application/json")


def moto_table(name: str) -> Any:
    """moto's table of that name, in whichever account and region holds it (``None``: none does)."""
    from moto.dynamodb.models import dynamodb_backends

    for regions in dynamodb_backends.values():
        for backend in regions.values():
            if name in backend.tables:
                return backend.tables[name]
    return None


def release_in(table: Any) -> int:
    """Remove the lock attributes from every ``PHONE#`` item that holds a lock; answers how many did."""
    released = 0
    for hash_key, partition in table.items.items():
        if not str(hash_key.value).startswith("PHONE#"):
            continue
        for item in partition.values():
            if "lock_until" in item.attrs:
                for name in LOCK_ATTRIBUTES:
                    item.attrs.pop(name, None)
                released += 1
    return released


def delete_in(table: Any, prefixes: tuple[str, ...]) -> int:
    """Delete every partition whose ``pk`` starts with one of ``prefixes``; answers how many items went."""
    if not prefixes:
        return 0
    doomed = [key for key in table.items if str(key.value).startswith(prefixes)]
    return sum(len(table.items.pop(key)) for key in doomed)


def answer(
    start_response: StartResponse, status: str, body: bytes, content_type: str = "application/x-amz-json-1.0"
) -> list[bytes]:
    """A DynamoDB-shaped answer (with the CRC32 botocore checks)."""
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("x-amz-crc32", str(zlib.crc32(body) & 0xFFFFFFFF)),
    ]
    start_response(status, headers)
    return [body]


def make_app() -> Resets:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    partitions.install()  # a table Query reads one partition, as in DynamoDB, not the whole table
    transactions.install()  # a transaction backs up the items it names, not whole tables
    answers.install()  # a Query's answer costs what its page holds, not every attribute of every item
    capacity.install()  # each request's items read and written, for its read and write units
    return Resets(CountingMiddleware(FaultSwitch(DomainDispatcherApplication(create_backend_app))))


def serve(host: str, port: int) -> None:
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    server = make_server(host, port, make_app(), threaded=False, request_handler=MotoRequestHandler)
    server.serve_forever()


def ensure_table(endpoint_url: str, table_name: str, region: str = "us-east-1") -> None:
    """Create the table from ``template.yaml``'s definition (idempotent) and turn its TTL on."""
    client = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)
    try:
        client.create_table(TableName=table_name, **table_definition())
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
        return
    client.get_waiter("table_exists").wait(TableName=table_name)
    client.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute()}
    )


def delete_items(endpoint_url: str, table_name: str, *prefixes: str) -> int:
    """Delete every item whose ``pk`` starts with one of ``prefixes`` (tests and benchmarks resetting state)."""
    return int(reset(endpoint_url, {"table": table_name, "deletePrefixes": list(prefixes)})["deleted"])


def release_locks(endpoint_url: str, table_name: str) -> int:
    """Free every caller-ID lock, keeping the phone items' dial rules (tests and benchmarks resetting state)."""
    return int(reset(endpoint_url, {"table": table_name, "releaseLocks": True})["released"])


def reset(endpoint_url: str, request: dict[str, Any]) -> dict[str, Any]:
    answered = requests.post(f"{endpoint_url}/_dynamodb/reset", json=request, timeout=60)
    answered.raise_for_status()
    return dict(answered.json())


# Every item a workspace's numbers consist of: forgetting them all makes the next list read Twilio afresh.
NUMBER_PREFIXES = ("WS#", "SHARED#", "PHONE#")


def main() -> None:
    parser = argparse.ArgumentParser(description="Embedded DynamoDB (moto, single-threaded) on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # request lines of the API are enough in `make dev`
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
