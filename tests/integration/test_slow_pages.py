"""A listing's Query pages may take longer than a point read: a DynamoDB that answers each Query only after 3 s
(longer than the store's 2 s read timeout for point reads; the local DynamoDB server took 4.2-4.6 s for a page of
1,000 records on the shared machine) still gives the list, the ``perPage=1000`` page and the compat route a 200,
where before every attempt timed out and the answer was a 503. A hung one is still a 503 within the timeout
(``test_failures.py``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from callerid.store.models import READ_TIMEOUT_SECONDS
from tests.integration.apis import another_api

QUERY_DELAY = READ_TIMEOUT_SECONDS + 1.0


class SlowQueries:
    """An HTTP proxy in front of the DynamoDB server that holds every ``Query`` for ``QUERY_DELAY`` seconds."""

    def __init__(self, upstream: str) -> None:
        self.queries = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("X-Amz-Target", "").endswith(".Query"):
                    proxy.queries += 1
                    time.sleep(QUERY_DELAY)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}}
                answer = requests.post(upstream + self.path, data=body, headers=headers, timeout=60)
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in {"content-length", "transfer-encoding", "connection", "content-encoding"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def slow_api(local_stack) -> Iterator[tuple[str, SlowQueries]]:
    """A second API process of the same stack whose DynamoDB answers Queries slowly."""
    proxy = SlowQueries(local_stack.dynamodb)
    try:
        for url in another_api(local_stack, {"DYNAMODB_ENDPOINT_URL": proxy.url}):
            yield url, proxy
    finally:
        proxy.close()


def test_slow_query_pages_are_answered_not_503(local_stack, slow_api):
    api, proxy = slow_api
    alice = local_stack.agent()
    local_stack.call("GET", "/v1/phone-numbers", alice)  # the workspace's numbers are stored (fast DynamoDB)
    expected = {
        n["phoneNumber"]
        for n in local_stack.call("GET", "/v1/phone-numbers?perPage=1000", alice).json()["phoneNumbers"]
    }

    page = requests.get(f"{api}/v1/phone-numbers?perPage=1000", headers=alice.headers, timeout=60)
    assert page.status_code == 200, page.text
    assert {n["phoneNumber"] for n in page.json()["phoneNumbers"]} == expected

    form = {"Token": alice.token, "IncludeOutgoing": "true"}
    compat = requests.post(f"{api}/common/flex/phone-numbers/list-phone-numbers", data=form, timeout=60)
    assert compat.status_code == 200, compat.text
    assert {n["phoneNumber"] for n in compat.json()["phoneNumbers"]} == expected
    assert proxy.queries >= 2
