"""A worker's selection lives in two stores: DynamoDB (read by the call path) and the TaskRouter worker's
attributes (read by Flex). Whatever races, they end equal; a selection Twilio refuses changes neither; a
supervisor reaches only workers of their own workspace."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

CHOICES = ["+12125550100", "+13125550100", "+12065550100", "+14155550101", None]
TRIALS = 30
WRITERS = 6


def taskrouter_attributes(stack, worker_sid: str) -> dict:
    return json.loads(requests.get(f"{stack.emulator}/_emulator/workers/{worker_sid}", timeout=10).json()["attributes"])


def stored(stack, agent) -> dict:
    return stack.call("GET", "/v1/workers/me/caller-id", agent).json()


def worker_item(stack, account_sid: str, worker_sid: str):
    key = {"pk": {"S": f"WS#{account_sid}"}, "sk": {"S": f"WORKER#{worker_sid}"}}
    return stack.table.get_item(TableName=stack.stack.table_name, Key=key, ConsistentRead=True).get("Item")


def test_concurrent_selections_leave_both_stores_equal(stack):
    bob, sam = stack.agent(), stack.agent(("supervisor",))
    diverged, answered = [], []
    for trial in range(TRIALS):
        barrier = threading.Barrier(WRITERS)

        def select(index: int, trial: int = trial, barrier: threading.Barrier = barrier) -> int | str:
            body = {"callerId": CHOICES[(trial + index) % len(CHOICES)], "localPresence": (trial + index) % 2 == 0}
            barrier.wait()
            if index % 2:
                answer = stack.call("PUT", f"/v1/workers/{bob.worker_sid}/caller-id", sam, json=body)
                return answer.status_code if answer.ok else answer.text
            answer = stack.call("PUT", "/v1/workers/me/caller-id", bob, json=body)
            return answer.status_code if answer.ok else answer.text

        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            answered += list(pool.map(select, range(WRITERS)))
        dynamodb = stored(stack, bob)
        attributes = taskrouter_attributes(stack, bob.worker_sid)
        flex = {"callerId": attributes.get("selectedCallerId"), "localPresence": attributes.get("localPresence")}
        if flex != {"callerId": dynamodb["callerId"], "localPresence": dynamodb["localPresence"]}:
            diverged.append((trial, dynamodb, flex))
        assert attributes["contact_uri"].startswith("client:"), "another attribute was lost"
    assert set(answered) == {200}, answered
    assert diverged == [], f"{len(diverged)} of {TRIALS} trials ended with the stores apart: {diverged[:3]}"


@pytest.fixture
def failing_taskrouter(stack):
    def fail() -> None:
        body = {"path": "/Workers/", "status": 500}
        requests.post(f"{stack.emulator}/_emulator/faults", json=body, timeout=10).raise_for_status()

    yield fail
    requests.delete(f"{stack.emulator}/_emulator/faults", timeout=10)


def test_a_selection_taskrouter_refuses_changes_nothing(stack, failing_taskrouter):
    alice = stack.agent()
    first = stack.call("PUT", "/v1/workers/me/caller-id", alice, json={"callerId": "+12125550100"})
    assert first.status_code == 200
    before = taskrouter_attributes(stack, alice.worker_sid)
    failing_taskrouter()
    refused = stack.call("PUT", "/v1/workers/me/caller-id", alice, json={"callerId": "+13125550100"})
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "upstream_unavailable"
    assert stored(stack, alice)["callerId"] == "+12125550100"
    assert taskrouter_attributes(stack, alice.worker_sid) == before


def test_a_supervisor_gets_404_for_another_accounts_worker_and_nothing_is_saved(stack):
    sam = stack.agent(("supervisor",))
    carol = stack.agent(account_sid=stack.child["sid"])
    path = f"/v1/workers/{carol.worker_sid}/caller-id"
    assert stack.call("GET", path, sam).status_code == 404
    put = stack.call("PUT", path, sam, json={"callerId": "+12125550100", "localPresence": True})
    assert put.status_code == 404 and put.json()["error"]["code"] == "not_found"
    assert worker_item(stack, stack.parent["sid"], carol.worker_sid) is None
    assert "selectedCallerId" not in taskrouter_attributes(stack, carol.worker_sid)


def test_a_supervisor_gets_404_for_a_worker_that_does_not_exist(stack):
    sam = stack.agent(("supervisor",))
    nobody = "WK" + "0" * 32
    assert stack.call("GET", f"/v1/workers/{nobody}/caller-id", sam).status_code == 404
    put = stack.call("PUT", f"/v1/workers/{nobody}/caller-id", sam, json={"callerId": None})
    assert put.status_code == 404
    assert worker_item(stack, stack.parent["sid"], nobody) is None


def test_a_supervisor_reads_a_worker_of_their_own_workspace_that_never_chose(stack):
    sam, dana = stack.agent(("supervisor",)), stack.agent()
    answer = stack.call("GET", f"/v1/workers/{dana.worker_sid}/caller-id", sam)
    assert answer.json() == {"workerSid": dana.worker_sid, "callerId": None, "localPresence": False, "version": 0}


def test_concurrent_callers_are_never_taken_for_one_another(stack):
    """Regression, two causes: Powertools kept the current event on its router class, shared by the dev server's
    warm copies (threads of one process), and the Twilio client returned the response it stored on itself. Either
    way, a supervisor's request was read as an agent's and refused (403)."""
    bob, sam = stack.agent(), stack.agent(("supervisor",))
    for _ in range(5):
        barrier = threading.Barrier(8)

        def who(index: int, barrier: threading.Barrier = barrier) -> tuple[str, int]:
            barrier.wait()
            if index % 2:
                return "supervisor", stack.call("GET", f"/v1/workers/{bob.worker_sid}/caller-id", sam).status_code
            return "agent", stack.call("GET", "/v1/workers/me/caller-id", bob).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(who, range(8)))
        assert answers == [("agent", 200), ("supervisor", 200)] * 4


def selection(stack, agent, path: str = "/v1/workers/me/caller-id", by=None, **body) -> dict:
    answer = stack.call("PUT", path, by or agent, json=body) if body else stack.call("GET", path, by or agent)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_every_save_of_a_selection_bumps_the_version_its_answers_carry(stack):
    sam, bob = stack.agent(("supervisor",)), stack.agent()
    assert selection(stack, bob)["version"] == 0
    assert selection(stack, bob, callerId="+12125550100")["version"] == 1
    assert selection(stack, bob, callerId="+12125550100", localPresence=True)["version"] == 2
    theirs = f"/v1/workers/{bob.worker_sid}/caller-id"
    assert selection(stack, bob, theirs, by=sam, callerId="+13125550100")["version"] == 3
    assert selection(stack, bob, theirs, by=sam)["version"] == 3
    assert selection(stack, bob) == {
        "workerSid": bob.worker_sid,
        "callerId": "+13125550100",
        "localPresence": True,
        "version": 3,
    }


def test_a_call_sent_with_the_version_of_the_selection_it_saw_uses_that_selection(stack):
    alice = stack.agent()
    saved = selection(stack, alice, callerId="+13125550100")
    body = {"to": "+14155552671", "selectionVersion": saved["version"]}
    call = stack.call("POST", "/v1/outbound-calls", alice, json=body)
    assert (call.status_code, call.json()["from"], call.json()["reason"]) == (200, "+13125550100", "worker_selection")
    stack.call("DELETE", "/v1/outbound-calls/lock", alice)
    # A version the store never wrote (a client's mistake) costs a read of the selection, never an error.
    ahead = stack.call("POST", "/v1/outbound-calls", alice, json={**body, "selectionVersion": saved["version"] + 5})
    assert (ahead.status_code, ahead.json()["from"]) == (200, "+13125550100")


def test_a_selection_version_is_a_whole_number_from_zero_or_400(stack):
    alice = stack.agent()
    accepted = stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671", "selectionVersion": 0})
    assert accepted.status_code == 200, accepted.text
    stack.call("DELETE", "/v1/outbound-calls/lock", alice)
    for version in (-1, "1", 1.5, True, 2**53, {}):
        answer = stack.call(
            "POST", "/v1/outbound-calls", alice, json={"to": "+14155552671", "selectionVersion": version}
        )
        assert answer.status_code == 400, (version, answer.text)
        error = answer.json()["error"]
        assert error["code"] == "invalid_request" and error["message"].startswith("selectionVersion"), error
