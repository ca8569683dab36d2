"""The reputation guard through HTTP: second API processes of the same stack (same DynamoDB and emulator) with
small limits in their environment, as a deployment sets them: a daily cap and a cooling floor, and a spacing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from email.utils import formatdate

import pytest
import requests

from tests.integration.apis import another_api
from tests.integration.test_from_decision import Workspace

TO = "+14155552671"
LIMITS = {
    "NUMBER_DAILY_CALL_CAP": "2",
    "HEALTH_MIN_ANSWER_RATE": "0.5",
    "HEALTH_MIN_ATTEMPTS": "2",
    "HEALTH_WINDOW_ATTEMPTS": "4",
    "HEALTH_COOLDOWN_SECONDS": "3600",
}
SPACING = {"NUMBER_MIN_SECONDS_BETWEEN_CALLS": "3600"}
BLOCKING = {
    "HEALTH_MAX_BLOCKED_RATE": "0.6",
    "HEALTH_MIN_ATTEMPTS": "2",
    "HEALTH_WINDOW_ATTEMPTS": "4",
    "HEALTH_COOLDOWN_SECONDS": "3600",
    "HEALTH_SHORT_CALL_SECONDS": "6",
}


@pytest.fixture(scope="module")
def limited(local_stack) -> Iterator[str]:
    yield from another_api(local_stack, LIMITS)


@pytest.fixture(scope="module")
def spaced(local_stack) -> Iterator[str]:
    yield from another_api(local_stack, SPACING)


@pytest.fixture(scope="module")
def blocking(local_stack) -> Iterator[str]:
    yield from another_api(local_stack, BLOCKING)


def start(api, agent, **body):
    answer = requests.post(f"{api}/v1/outbound-calls", json={"to": TO, **body}, headers=agent.headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def release(api, agent):
    requests.delete(f"{api}/v1/outbound-calls/lock", headers=agent.headers, timeout=30)


def call(api, agent, **body):
    answer = start(api, agent, **body)
    release(api, agent)
    return answer["from"], answer["guard"]


def health(api, workspace, phone):
    answer = requests.get(
        f"{api}/v1/phone-numbers/{workspace.sids[phone]}/health", headers=workspace.supervisor.headers, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_capped_numbers_rest_then_the_least_used_goes_out_with_the_guard(stack, limited):
    workspace = Workspace(stack, "+1312555{n}", "+1312555{n}")
    agent = workspace.agent
    firsts = [call(limited, agent) for _ in range(4)]
    assert [guard for _, guard in firsts] == [None] * 4
    # Least recently used first: each number twice, alternately.
    assert {phone for phone, _ in firsts[:2]} == set(workspace.p) and firsts[:2] == firsts[2:]
    phone, guard = call(limited, agent)
    assert guard == "capped" and phone == firsts[0][0]
    report = health(limited, workspace, phone)
    assert (report["callsToday"], report["state"]) == (3, "capped")
    assert report["lastUsedAt"] is not None


def test_an_explicit_from_ignores_the_guard(stack, limited):
    workspace = Workspace(stack, "+1312555{n}")
    for _ in range(2):
        call(limited, workspace.agent)
    assert call(limited, workspace.agent) == (workspace.p[0], "capped")
    assert call(limited, workspace.agent, **{"from": workspace.p[0]}) == (workspace.p[0], None)


def no_answer(stack, api, workspace, phone, *, status="no-answer", duration="0", call_sid=None, **extra):
    params = {
        "AccountSid": workspace.sid,
        "CallSid": call_sid or "CA" + uuid.uuid4().hex,
        "CallStatus": status,
        "From": phone,
        "To": TO,
        "Direction": "outbound-api",
        "Timestamp": formatdate(usegmt=True),
        "CallDuration": duration,
        **extra,
    }
    answer = stack.webhook("/webhooks/twilio/call-status", params, token=stack.auth_token(workspace.sid), api=api)
    assert answer.status_code == 204, answer.text


def test_a_number_whose_recent_answer_rate_fell_below_the_floor_cools_down(stack, limited):
    workspace = Workspace(stack, "+1312555{n}", "+1312555{n}")
    cold, warm = workspace.p
    for _ in range(2):
        no_answer(stack, limited, workspace, cold)
    report = health(limited, workspace, cold)
    assert report["recent"] == {"attempts": 2, "answered": 0, "answerRate": 0.0, "blocked": 0, "shortCalls": 0}
    assert report["state"] == "cooling" and report["coolingUntil"] is not None
    assert health(limited, workspace, warm)["state"] == "ok"
    assert call(limited, workspace.agent) == (warm, None)
    # With the warm number on another agent's call, the cooling one goes out, saying so.
    other = stack.agent(account_sid=workspace.sid)
    start(limited, other, **{"from": warm})
    assert call(limited, workspace.agent) == (cold, "cooling")
    release(limited, other)


def test_a_number_used_a_moment_ago_rests_for_the_spacing(stack, spaced):
    workspace = Workspace(stack, "+1312555{n}", "+1312555{n}")
    first, second, third = (call(spaced, workspace.agent) for _ in range(3))
    assert (first[1], second[1]) == (None, None) and first[0] != second[0]
    assert third == (first[0], "spacing")
    assert health(spaced, workspace, first[0])["state"] == "spacing"


def test_without_limits_nothing_rests(stack):
    workspace = Workspace(stack, "+1312555{n}")
    for _ in range(3):
        answer = workspace.start(TO)
        assert answer["guard"] is None
    assert health(stack.api, workspace, workspace.p[0])["state"] == "ok"


def test_carrier_blocks_make_a_number_suspected_blocked_and_it_rests(stack, blocking):
    workspace = Workspace(stack, "+1312555{n}", "+1312555{n}")
    blocked, fine = workspace.p
    sid = "CA" + uuid.uuid4().hex
    no_answer(stack, blocking, workspace, blocked, status="failed", call_sid=sid, SipResponseCode="608")
    no_answer(stack, blocking, workspace, blocked, status="failed", call_sid=sid, SipResponseCode="608")  # a retry
    report = health(blocking, workspace, blocked)
    assert (report["attempts"], report["blocked"], report["state"]) == (1, 1, "ok"), report
    no_answer(stack, blocking, workspace, blocked, status="busy")
    assert health(blocking, workspace, blocked)["state"] == "ok"  # 1 of 2 is under the 0.6 share
    no_answer(
        stack, blocking, workspace, blocked, status="completed", duration="3", StirStatus="TN-Validation-Passed-A"
    )
    report = health(blocking, workspace, blocked)
    assert report["recent"] == {"attempts": 3, "answered": 1, "answerRate": 1 / 3, "blocked": 1, "shortCalls": 1}
    assert (report["blocked"], report["shortCalls"]) == (1, 1)
    assert report["state"] == "suspected_blocked" and report["coolingUntil"] is not None
    assert health(blocking, workspace, fine)["state"] == "ok"
    assert call(blocking, workspace.agent) == (fine, None)
    # With the other number on another agent's call, the suspected one goes out, saying why it rests.
    other = stack.agent(account_sid=workspace.sid)
    start(blocking, other, **{"from": fine})
    assert call(blocking, workspace.agent) == (blocked, "suspected_blocked")
    release(blocking, other)
