"""An embedded DynamoDB: moto's server app under a single-threaded WSGI server.

moto's stock ``moto_server`` is threaded and its conditional writes are check-then-set without a lock, so racing
writers can both pass a condition. Served one request at a time, each write is atomic, as real DynamoDB's writes
to one item are, and the race tests mean something. A small middleware counts requests by operation
(``GET``/``DELETE /_dynamodb/requests``) for tests and benchmarks.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import boto3
from botocore.exceptions import ClientError

from local.template import table_definition, ttl_attribute

StartResponse = Callable[..., Any]


class CountingMiddleware:
    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/_dynamodb/requests":
            if environ["REQUEST_METHOD"] == "DELETE":
                with self.lock:
                    self.counts.clear()
            with self.lock:
                body = json.dumps({"total": sum(self.counts.values()), "byOperation": dict(self.counts)}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("DynamoDB_"):
            with self.lock:
                self.counts[target.split(".", 1)[1]] += 1
        return self.app(environ, start_response)


def make_app() -> CountingMiddleware:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return CountingMiddleware(DomainDispatcherApplication(create_backend_app))


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


def delete_items(endpoint_url: str, table_name: str, *prefixes: str, region: str = "us-east-1") -> None:
    """Delete every item whose ``pk`` starts with one of ``prefixes`` (tests and benchmarks resetting state)."""
    client = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)
    for page in client.get_paginator("scan").paginate(TableName=table_name):
        for item in page["Items"]:
            if item["pk"]["S"].startswith(prefixes):
                client.delete_item(TableName=table_name, Key={"pk": item["pk"], "sk": item["sk"]})


def release_locks(endpoint_url: str, table_name: str, region: str = "us-east-1") -> None:
    """Free every caller-ID lock, keeping the phone items' dial rules (tests and benchmarks resetting state)."""
    client = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)
    for page in client.get_paginator("scan").paginate(TableName=table_name):
        for item in page["Items"]:
            if item["pk"]["S"].startswith("PHONE#") and "lock_until" in item:
                client.update_item(
                    TableName=table_name,
                    Key={"pk": item["pk"], "sk": item["sk"]},
                    UpdateExpression="REMOVE " + ", ".join(LOCK_ATTRIBUTES),
                )


# What a phone item holds of its lock (``callerid.store.phones``); the rules stay.
LOCK_ATTRIBUTES = ("lock_holder", "holder_account", "holder_worker", "lease_id", "acquired_at", "lock_until")
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
