from __future__ import annotations

import pytest
import requests
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from callerid.domain.errors import UpstreamUnavailable
from callerid.twilio.transport import RetryingTwilioHttpClient, rewrite_twilio_url

BASE = "http://127.0.0.1:3001"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://api.twilio.com/2010-04-01/Accounts/AC1.json?PageSize=1000",
            f"{BASE}/2010-04-01/Accounts/AC1.json?PageSize=1000",
        ),
        ("https://taskrouter.twilio.com/v1/Workspaces", f"{BASE}/v1/Workspaces"),
        ("https://iam.twilio.com/v1/Accounts/AC1/Tokens/validate", f"{BASE}/v1/Accounts/AC1/Tokens/validate"),
        ("https://example.com/x", "https://example.com/x"),
        ("https://twilio.com.evil.example/x", "https://twilio.com.evil.example/x"),
    ],
)
def test_twilio_urls_go_to_the_configured_base(url, expected):
    assert rewrite_twilio_url(url, BASE) == expected


def test_without_a_base_urls_are_untouched():
    assert rewrite_twilio_url("https://api.twilio.com/x", None) == "https://api.twilio.com/x"


class Scripted(RetryingTwilioHttpClient):
    def __init__(self, outcomes, **kwargs):
        self.slept: list[float] = []
        super().__init__(BASE, sleep=self.slept.append, **kwargs)
        self.outcomes = list(outcomes)
        self.urls: list[str] = []


@pytest.fixture
def scripted(monkeypatch):
    def make(outcomes, **kwargs):
        client = Scripted(outcomes, **kwargs)

        def fake_send(self, method, url, *args, **kw):
            client.urls.append(url)
            outcome = client.outcomes.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return Response(outcome, "{}", {"Retry-After": "1"} if outcome == 429 else {})

        monkeypatch.setattr(TwilioHttpClient, "request", fake_send)
        return client

    return make


def test_429_and_503_are_retried_with_backoff(scripted):
    client = scripted([429, 503, 200])
    assert client.request("GET", "https://api.twilio.com/x").status_code == 200
    assert client.urls == [f"{BASE}/x"] * 3
    assert client.slept[0] == 1.0 and len(client.slept) == 2


def test_retries_stop_after_the_last_attempt(scripted):
    client = scripted([503] * 4)
    assert client.request("GET", "https://api.twilio.com/x").status_code == 503
    assert len(client.urls) == 4


def test_connection_errors_are_retried_for_reads(scripted):
    client = scripted([requests.ConnectionError("reset"), 200])
    assert client.request("GET", "https://api.twilio.com/x").status_code == 200


def test_a_post_that_may_have_been_received_is_not_sent_twice(scripted):
    client = scripted([requests.ReadTimeout("slow"), 200])
    with pytest.raises(UpstreamUnavailable):
        client.request("POST", "https://api.twilio.com/x")
    assert len(client.urls) == 1


def test_a_post_whose_connection_never_opened_is_retried(scripted):
    client = scripted([requests.ConnectTimeout("no route"), 201])
    assert client.request("POST", "https://api.twilio.com/x").status_code == 201


def test_other_errors_are_returned_at_once(scripted):
    client = scripted([404])
    assert client.request("GET", "https://api.twilio.com/x").status_code == 404
    assert client.slept == []
