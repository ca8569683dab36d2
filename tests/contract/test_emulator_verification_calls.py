"""The emulator's verification call, end to end: a ValidationRequest places it, the digits played on it decide the
outcome, and the StatusCallback (a small HTTP server in the test) receives it signed as Twilio signs it."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from twilio.request_validator import RequestValidator

API = "/2010-04-01"


@dataclass(frozen=True)
class Callback:
    """One request the emulator made to the StatusCallback."""

    method: str
    url: str
    params: dict[str, str]
    signature: str


class CallbackServer:
    """A StatusCallback on a free loopback port: every request it receives is queued."""

    def __init__(self) -> None:
        self.received: queue.Queue[Callback] = queue.Queue()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                self.record(dict(parse_qsl(body, keep_blank_values=True)))

            def do_GET(self) -> None:
                self.record({})

            def record(self, params: dict[str, str]) -> None:
                url = f"http://{self.headers['Host']}{self.path}"
                received.put(Callback(self.command, url, params, self.headers.get("X-Twilio-Signature", "")))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def next(self) -> Callback:
        return self.received.get(timeout=10)


@pytest.fixture
def status_callback() -> Iterator[CallbackServer]:
    server = CallbackServer()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join()


@dataclass(frozen=True)
class Account:
    sid: str
    auth_token: str

    @property
    def auth(self) -> tuple[str, str]:
        return (self.sid, self.auth_token)


@pytest.fixture
def account(local_stack) -> Account:
    """A fresh subaccount of the demo parent: the demo accounts keep their caller IDs."""
    key = f"verify-{uuid.uuid4().hex[:8]}"
    entry = {"key": key, "friendlyName": key, "parentSid": local_stack.parent["sid"]}
    created = requests.post(f"{local_stack.emulator}/_emulator/seed", json={"accounts": [entry]}, timeout=10)
    created.raise_for_status()
    (seeded,) = created.json()["accounts"]
    return Account(seeded["sid"], seeded["authToken"])


def request_validation(stack, account: Account, phone: str, **form: str) -> dict[str, str]:
    response = requests.post(
        f"{stack.emulator}{API}/Accounts/{account.sid}/OutgoingCallerIds.json",
        data={"PhoneNumber": phone, **form},
        auth=account.auth,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def play(stack, call_sid: str, digits: str) -> requests.Response:
    return requests.post(
        f"{stack.emulator}/_emulator/verification-calls/{call_sid}", json={"digits": digits}, timeout=30
    )


def call_state(stack, call_sid: str) -> dict[str, object]:
    return dict(requests.get(f"{stack.emulator}/_emulator/verification-calls/{call_sid}", timeout=10).json())


def signed_by(account: Account, callback: Callback) -> bool:
    """Twilio's signature: over the URL and the form parameters (POST), or over the URL with its query (GET)."""
    params = callback.params if callback.method == "POST" else {}
    return RequestValidator(account.auth_token).validate(callback.url, params, callback.signature)


@pytest.fixture
def answer_seconds(local_stack) -> Iterator[None]:
    """Restore the emulator's default answer delay after a test that changes it."""
    yield
    requests.post(f"{local_stack.emulator}/_emulator/settings", json={"verificationAnswerSeconds": 30}, timeout=10)


def test_the_right_code_verifies_the_number_and_posts_a_signed_success(local_stack, account, status_callback):
    phone = "+17255550111"
    url = f"{status_callback.url}/verification-status?tenant=a"
    started = request_validation(local_stack, account, phone, FriendlyName="Vegas desk", StatusCallback=url)

    answer = play(local_stack, started["call_sid"], started["validation_code"])

    assert answer.status_code == 200
    outcome = answer.json()
    assert (outcome["callSid"], outcome["verificationStatus"]) == (started["call_sid"], "success")
    callback = status_callback.next()
    assert (callback.method, callback.url) == ("POST", url)
    assert signed_by(account, callback)
    assert {k: callback.params[k] for k in ("AccountSid", "CallSid", "VerificationStatus", "To", "Called")} == {
        "AccountSid": account.sid,
        "CallSid": started["call_sid"],
        "VerificationStatus": "success",
        "To": phone,
        "Called": phone,
    }
    assert callback.params["OutgoingCallerIdSid"] == outcome["outgoingCallerIdSid"]
    caller_id = requests.get(
        f"{local_stack.emulator}{API}/Accounts/{account.sid}/OutgoingCallerIds/{outcome['outgoingCallerIdSid']}.json",
        auth=account.auth,
        timeout=10,
    )
    assert caller_id.status_code == 200
    assert (caller_id.json()["phone_number"], caller_id.json()["friendly_name"]) == (phone, "Vegas desk")
    assert call_state(local_stack, started["call_sid"])["status"] == "success"


def test_a_wrong_code_posts_a_signed_failure_and_verifies_nothing(local_stack, account, status_callback):
    phone = "+17255550112"
    started = request_validation(local_stack, account, phone, StatusCallback=f"{status_callback.url}/status")
    wrong = f"{(int(started['validation_code']) + 1) % 1_000_000:06d}"

    answer = play(local_stack, started["call_sid"], wrong)

    assert answer.json() == {
        "callSid": started["call_sid"],
        "verificationStatus": "failed",
        "outgoingCallerIdSid": None,
    }
    callback = status_callback.next()
    assert signed_by(account, callback)
    assert callback.params["VerificationStatus"] == "failed" and "OutgoingCallerIdSid" not in callback.params
    listed = requests.get(
        f"{local_stack.emulator}{API}/Accounts/{account.sid}/OutgoingCallerIds.json",
        params={"PhoneNumber": phone},
        auth=account.auth,
        timeout=10,
    )
    assert listed.json()["outgoing_caller_ids"] == []
    assert call_state(local_stack, started["call_sid"])["status"] == "failed"


def test_a_call_is_answered_once(local_stack, account, status_callback):
    started = request_validation(local_stack, account, "+17255550113", StatusCallback=f"{status_callback.url}/s")
    assert play(local_stack, started["call_sid"], started["validation_code"]).status_code == 200
    again = play(local_stack, started["call_sid"], started["validation_code"])
    assert again.status_code == 404 and again.json()["code"] == 20404
    assert play(local_stack, "CA" + "0" * 32, "123456").status_code == 404


def test_digits_played_at_once_on_one_call_answer_it_once(local_stack, account, status_callback):
    started = request_validation(local_stack, account, "+17255550114", StatusCallback=f"{status_callback.url}/s")
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: play(local_stack, started["call_sid"], started["validation_code"]), range(8)))
    assert sorted(a.status_code for a in answers) == [200] + [404] * 7
    assert status_callback.received.qsize() == 1


def test_a_callback_by_get_carries_its_parameters_in_the_signed_url(local_stack, account, status_callback):
    started = request_validation(
        local_stack, account, "+17255550115", StatusCallback=f"{status_callback.url}/s", StatusCallbackMethod="GET"
    )
    play(local_stack, started["call_sid"], started["validation_code"])
    callback = status_callback.next()
    assert callback.method == "GET" and signed_by(account, callback)
    query = dict(parse_qsl(urlsplit(callback.url).query))
    assert (query["CallSid"], query["VerificationStatus"]) == (started["call_sid"], "success")


def test_the_outcome_is_posted_no_sooner_than_the_call_delay(local_stack, account, status_callback):
    before = time.monotonic()
    started = request_validation(
        local_stack, account, "+17255550116", StatusCallback=f"{status_callback.url}/s", CallDelay="1"
    )
    play(local_stack, started["call_sid"], started["validation_code"])
    status_callback.next()
    assert time.monotonic() - before >= 1


def test_an_unplayed_call_answers_itself_with_the_right_code(local_stack, account, status_callback, answer_seconds):
    started = request_validation(local_stack, account, "+17255550117", StatusCallback=f"{status_callback.url}/s")
    assert call_state(local_stack, started["call_sid"])["status"] == "pending"

    settings = requests.post(
        f"{local_stack.emulator}/_emulator/settings", json={"verificationAnswerSeconds": 0}, timeout=10
    )

    assert settings.json() == {"verificationAnswerSeconds": 0}
    callback = status_callback.next()
    assert callback.params["VerificationStatus"] == "success" and signed_by(account, callback)
    assert play(local_stack, started["call_sid"], started["validation_code"]).status_code == 404


@pytest.mark.parametrize("seconds", [-1, "30", True, None])
def test_settings_refuse_what_is_not_a_delay(local_stack, seconds):
    url = f"{local_stack.emulator}/_emulator/settings"
    before = requests.get(url, timeout=10).json()
    refused = requests.post(url, json={"verificationAnswerSeconds": seconds}, timeout=10)
    assert refused.status_code == 400 and refused.json()["code"] == 20001
    assert requests.get(url, timeout=10).json() == before
