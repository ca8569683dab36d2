from __future__ import annotations

from contextlib import ExitStack

import pytest
import requests
from twilio.http.response import Response

from callerid import deadline
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
        self.timeouts: list[float] = []


@pytest.fixture
def scripted(monkeypatch):
    def make(outcomes, **kwargs):
        client = Scripted(outcomes, **kwargs)

        def fake_send(self, method, url, *args, **kw):
            client.urls.append(url)
            client.timeouts.append(args[4])
            outcome = client.outcomes.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return Response(outcome, "{}", {"Retry-After": "1"} if outcome == 429 else {})

        monkeypatch.setattr(RetryingTwilioHttpClient, "_send_once", fake_send)
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


def refused() -> requests.ConnectionError:
    """What requests raises when nothing listens on the port: the request never left."""
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    reason = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, "/x", reason))  # type: ignore[arg-type]


def test_a_post_refused_before_it_was_sent_is_retried(scripted):
    """Token validations are POSTs: a refused connection means Twilio never saw it, so it is safe to resend."""
    client = scripted([refused(), 200])
    assert client.request("POST", "https://iam.twilio.com/v1/Accounts/AC1/Tokens/validate").status_code == 200
    assert len(client.urls) == 2


class Remaining:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


@pytest.fixture
def invocation():
    with ExitStack() as stack:
        yield lambda seconds: stack.enter_context(deadline.invocation(Remaining(seconds)))


def test_each_attempt_fits_in_the_invocations_deadline(scripted, invocation):
    invocation(5.0)  # 5 s left, 1.5 s kept back to answer
    client = scripted([200], timeout=10.0)
    client.request("GET", "https://api.twilio.com/x")
    assert client.timeouts[0] <= 3.5


def test_no_attempt_starts_past_the_deadline(scripted, invocation):
    invocation(1.6)
    client = scripted([200])
    with pytest.raises(UpstreamUnavailable):
        client.request("GET", "https://api.twilio.com/x")
    assert client.urls == []


def test_no_backoff_outlasts_the_deadline(scripted, invocation):
    invocation(4.0)
    client = scripted([429, 200])  # Twilio asks to wait 1 s; 2.5 s are left, so it waits
    assert client.request("GET", "https://api.twilio.com/x").status_code == 200
    invocation(2.5)
    client = scripted([429, 200])  # 1 s left: waiting 1 s leaves no time for the retry
    with pytest.raises(UpstreamUnavailable):
        client.request("GET", "https://api.twilio.com/x")
    assert len(client.urls) == 1


def test_the_deadline_ends_with_the_invocation():
    """A warm container serves the next invocation with its own deadline, never the last one's."""
    with deadline.invocation(Remaining(3.0)):
        left = deadline.remaining()
        assert left is not None and left <= 1.5
    assert deadline.remaining() is None
