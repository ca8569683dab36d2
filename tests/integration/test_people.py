"""People and queues by name, and who a token is, through HTTP against the local stack (TaskRouter at the
emulator). Each test works in a subaccount of its own, so the lists are the test's own people."""

from __future__ import annotations


def test_a_supervisor_reads_the_workspaces_people_and_queues_by_name_and_no_one_elses(stack):
    account = stack.subaccount()
    supervisor = stack.agent(("supervisor",), account_sid=account["sid"])
    alice = stack.agent(account_sid=account["sid"])
    stranger = stack.agent(("supervisor",), account_sid=stack.subaccount()["sid"])
    answer = stack.call("GET", "/v1/workers", supervisor, params={"perPage": 1000})
    assert answer.status_code == 200, answer.text
    rows = {w["workerSid"]: w for w in answer.json()["workers"]}
    assert set(rows) == {supervisor.worker_sid, alice.worker_sid}
    assert set(rows[alice.worker_sid]) == {"workerSid", "friendlyName", "team", "available"}
    assert answer.json()["meta"] == {"page": 1, "perPage": 1000, "total": 2}
    searched = stack.call("GET", "/v1/workers", supervisor, params={"search": alice.identity}).json()["workers"]
    assert [w["workerSid"] for w in searched] == [alice.worker_sid]
    others = stack.call("GET", "/v1/workers", stranger).json()["workers"]
    assert {w["workerSid"] for w in others} == {stranger.worker_sid}
    queues = stack.call("GET", "/v1/task-queues", supervisor)
    assert queues.status_code == 200 and [q["friendlyName"] for q in queues.json()["taskQueues"]] == ["Everyone"]
    assert stack.call("GET", "/v1/workers", alice).status_code == 403
    assert stack.call("GET", "/v1/task-queues", alice).status_code == 403
    assert stack.call("GET", "/v1/workers", supervisor, params={"perPage": 0}).status_code == 400


def test_me_names_the_account_and_the_token_for_any_role(stack):
    account = stack.subaccount()
    alice = stack.agent(account_sid=account["sid"])
    me = stack.call("GET", "/v1/me", alice)
    assert me.status_code == 200, me.text
    assert me.json() == {
        "accountSid": account["sid"],
        "accountName": account["friendlyName"],
        "workerSid": alice.worker_sid,
        "identity": alice.identity,
        "roles": ["agent"],
    }
    assert stack.call("GET", "/v1/me").status_code == 401


def test_the_audit_log_names_who_registered_released_and_chose_for_another_worker(stack):
    account = stack.subaccount()
    boss = stack.agent(("supervisor",), account_sid=account["sid"])
    deputy = stack.agent(("supervisor",), account_sid=account["sid"])
    alice = stack.agent(account_sid=account["sid"])
    byot = {"phoneNumber": "+13125550177", "provider": "Acme", "connection": "sip:pbx.example.com"}
    added = stack.call("POST", "/v1/phone-numbers", boss, json=byot)
    assert added.status_code == 201, added.text
    sid = added.json()["sid"]
    chosen = stack.call(
        "PUT",
        f"/v1/workers/{alice.worker_sid}/caller-id",
        deputy,
        json={"callerId": byot["phoneNumber"], "localPresence": False},
    )
    assert chosen.status_code == 200, chosen.text
    mine = stack.call("PUT", "/v1/workers/me/caller-id", alice, json={"callerId": None, "localPresence": False})
    assert mine.status_code == 200, mine.text  # a worker's own choice is no supervisor's change: not logged
    assert stack.call("DELETE", f"/v1/phone-numbers/{sid}", boss).status_code == 204
    assert stack.call("DELETE", f"/v1/phone-numbers/{sid}", boss).status_code == 404  # refused: no entry

    log = stack.call("GET", "/v1/audit", boss).json()
    assert [(e["action"], e["actor"]["workerSid"]) for e in log["entries"]] == [
        ("number.release", boss.worker_sid),
        ("worker.selection", deputy.worker_sid),
        ("number.register", boss.worker_sid),
    ]
    selection = log["entries"][1]
    assert selection["target"] == {"kind": "worker", "sid": alice.worker_sid, "phoneNumber": None}
    assert selection["changes"] == {"callerId": [None, byot["phoneNumber"]]}
    by_number = stack.call("GET", "/v1/audit", boss, params={"target": byot["phoneNumber"]}).json()["entries"]
    assert [e["action"] for e in by_number] == ["number.release", "number.register"]
    by_actor = stack.call("GET", "/v1/audit", boss, params={"actor": deputy.worker_sid}).json()["entries"]
    assert [e["action"] for e in by_actor] == ["worker.selection"]
    paged = stack.call("GET", "/v1/audit", boss, params={"perPage": 2, "page": 2}).json()
    assert [e["action"] for e in paged["entries"]] == ["number.register"]
    other = stack.call("GET", "/v1/audit", stack.agent(("supervisor",), account_sid=stack.subaccount()["sid"]))
    assert other.json()["entries"] == []
    assert stack.call("GET", "/v1/audit", alice).status_code == 403
