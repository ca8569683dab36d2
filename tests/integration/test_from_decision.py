"""The From decision through HTTP against the local stack: each ``reason`` of local presence, assignment by
worker, team and queue, and the request counts with local presence on. Each test works in a subaccount of its own
(a number has one owner)."""

from __future__ import annotations

import itertools

LINES = itertools.count(6000, 10)


class Workspace:
    """A subaccount with these numbers at "Twilio" (``{n}`` in each is replaced by a line number of its own)."""

    def __init__(self, stack, *numbers: str) -> None:
        block = next(LINES)
        self.p = [n.format(n=f"{block + i:04d}") for i, n in enumerate(numbers)]
        self.stack = stack
        self.account = stack.subaccount(self.p)
        self.sid = self.account["sid"]
        self.supervisor = stack.agent(("supervisor",), account_sid=self.sid)
        self.agent = stack.agent(account_sid=self.sid)
        listed = self.call("GET", "/v1/phone-numbers", params={"perPage": 1000})
        assert listed.status_code == 200, listed.text
        self.sids = {n["phoneNumber"]: n["sid"] for n in listed.json()["phoneNumbers"] if not n["shared"]}

    def call(self, method, path, agent=None, **kwargs):
        return self.stack.call(method, path, agent or self.supervisor, **kwargs)

    def local_presence(self, on: bool = True, agent=None) -> None:
        answer = self.call(
            "PUT", "/v1/workers/me/caller-id", agent or self.agent, json={"callerId": None, "localPresence": on}
        )
        assert answer.status_code == 200, answer.text

    def start(self, to: str, agent=None, **body):
        answer = self.call("POST", "/v1/outbound-calls", agent or self.agent, json={"to": to, **body})
        assert answer.status_code == 200, answer.text
        self.call("DELETE", "/v1/outbound-calls/lock", agent or self.agent)
        return answer.json()

    def assign(self, phone: str, **assignment) -> None:
        answer = self.call("PATCH", f"/v1/phone-numbers/{self.sids[phone]}", json={"outboundAssignment": assignment})
        assert answer.status_code == 200, answer.text


def test_local_presence_takes_the_number_of_the_destinations_area_code(stack):
    workspace = Workspace(stack, "+1415555{n}", "+1212555{n}", "+1646555{n}")
    workspace.local_presence()
    answer = workspace.start("+16465552671")
    assert (answer["from"], answer["reason"]) == (workspace.p[2], "local_presence_area_code")
    assert answer["guard"] is None


def test_an_overlay_code_is_the_same_locality(stack):
    workspace = Workspace(stack, "+1415555{n}", "+1212555{n}")
    workspace.local_presence()
    answer = workspace.start("+16465552671")
    assert (answer["from"], answer["reason"]) == (workspace.p[1], "local_presence_locality")


def test_then_the_same_time_zone_then_the_same_country(stack):
    workspace = Workspace(stack, "+1415555{n}", "+1212555{n}")
    workspace.local_presence()
    boston = workspace.start("+16175552671")
    assert (boston["from"], boston["reason"]) == (workspace.p[1], "local_presence_timezone")
    denver = workspace.start("+13035552671")
    assert denver["reason"] == "local_presence_country"


def test_a_uk_number_matches_its_geographic_prefix(stack):
    workspace = Workspace(stack, "+44207946{n}", "+44161496{n}")
    workspace.local_presence()
    manchester = workspace.start("+441614960999")
    assert (manchester["from"], manchester["reason"]) == (workspace.p[1], "local_presence_area_code")
    london = workspace.start("+442079460999")
    assert (london["from"], london["reason"]) == (workspace.p[0], "local_presence_area_code")


def test_without_local_presence_the_other_steps_decide(stack):
    workspace = Workspace(stack, "+1415555{n}", "+1646555{n}")
    workspace.local_presence(False)
    assert workspace.start("+16465552671")["reason"] == "fallback"


def test_local_presence_costs_three_requests_on_a_workers_first_call_and_two_after(stack):
    workspace = Workspace(stack, "+1415555{n}", "+1212555{n}", "+1646555{n}")
    workspace.local_presence()
    stack.clear_twilio_requests()
    stack.clear_dynamodb_requests()
    workspace.call("POST", "/v1/outbound-calls", workspace.agent, json={"to": "+16465552671"})
    first = stack.dynamodb_requests()["byOperation"]
    assert sum(first.values()) <= 3 and first.get("BatchGetItem", 0) <= 2, first
    workspace.call("DELETE", "/v1/outbound-calls/lock", workspace.agent)
    stack.clear_dynamodb_requests()
    answer = workspace.call("POST", "/v1/outbound-calls", workspace.agent, json={"to": "+16465552671"})
    assert answer.json()["reason"] == "local_presence_area_code"
    assert stack.dynamodb_requests()["byOperation"] == {"BatchGetItem": 1, "TransactWriteItems": 1}
    assert stack.twilio_requests() == []


def test_a_number_assigned_to_the_worker(stack):
    workspace = Workspace(stack, "+1415555{n}", "+1312555{n}")
    workspace.assign(workspace.p[1], workerSid=workspace.agent.worker_sid)
    answer = workspace.start("+14155552671")
    assert (answer["from"], answer["reason"]) == (workspace.p[1], "assignment")
    other = stack.agent(account_sid=workspace.sid)
    assert workspace.start("+14155552671", other)["from"] == workspace.p[0]


def set_team(stack, workspace, agent, team):
    """What the TaskRouter events webhook keeps current: the worker's ``team_name`` on its item."""
    stack.table.update_item(
        TableName=stack.stack.table_name,
        Key={"pk": {"S": f"WS#{workspace.sid}"}, "sk": {"S": f"WORKER#{agent.worker_sid}"}},
        UpdateExpression="SET team_name = :t, team_updated_at = :at, kind = if_not_exists(kind, :k)",
        ExpressionAttributeValues={":t": {"S": team}, ":at": {"N": "1"}, ":k": {"S": "worker"}},
    )


def test_a_number_assigned_to_the_workers_team(stack):
    workspace = Workspace(stack, "+1415555{n}", "+1312555{n}")
    workspace.assign(workspace.p[1], team="sales")
    set_team(stack, workspace, workspace.agent, "sales")
    answer = workspace.start("+14155552671")
    assert (answer["from"], answer["reason"]) == (workspace.p[1], "assignment")
    stack.clear_dynamodb_requests()
    again = workspace.call("POST", "/v1/outbound-calls", workspace.agent, json={"to": "+14155552671"})
    assert again.json()["reason"] == "assignment"
    # The team is known from the container's last read: steady state is still two requests.
    assert stack.dynamodb_requests()["byOperation"] == {"BatchGetItem": 1, "TransactWriteItems": 1}
    set_team(stack, workspace, workspace.agent, "support")
    workspace.call("DELETE", "/v1/outbound-calls/lock", workspace.agent)
    assert workspace.start("+14155552671")["reason"] == "fallback"


def test_a_number_assigned_to_the_calls_queue(stack):
    workspace = Workspace(stack, "+1415555{n}", "+1312555{n}")
    queue = "WQ" + "5" * 32
    workspace.assign(workspace.p[1], queueSid=queue)
    answer = workspace.start("+14155552671", queueSid=queue)
    assert (answer["from"], answer["reason"]) == (workspace.p[1], "assignment")
    assert workspace.start("+14155552671")["from"] == workspace.p[0]


def test_an_assignment_removed_is_no_longer_followed(stack):
    workspace = Workspace(stack, "+1415555{n}", "+1312555{n}")
    workspace.assign(workspace.p[1], workerSid=workspace.agent.worker_sid)
    assert workspace.start("+14155552671")["reason"] == "assignment"
    cleared = workspace.call(
        "PATCH", f"/v1/phone-numbers/{workspace.sids[workspace.p[1]]}", json={"outboundAssignment": None}
    )
    assert cleared.status_code == 200
    assert workspace.start("+14155552671")["reason"] == "fallback"


def test_assignment_comes_before_the_primary(stack):
    workspace = Workspace(stack, "+1415555{n}", "+1312555{n}")
    assert workspace.call("PUT", f"/v1/phone-numbers/{workspace.sids[workspace.p[0]]}/primary").status_code == 200
    workspace.assign(workspace.p[1], workerSid=workspace.agent.worker_sid)
    assert workspace.start("+14155552671")["reason"] == "assignment"


def test_a_workers_team_is_written_only_over_an_older_one(stack):
    from callerid.config import Settings
    from callerid.domain.identity import WorkerRef
    from callerid.store.models import bind_table
    from callerid.store.workers import WorkerRepository

    bind_table(Settings(table_name=stack.stack.table_name, dynamodb_endpoint_url=stack.dynamodb))
    workers = WorkerRepository()
    worker = WorkerRef("AC" + "7" * 32, "WK" + "7" * 32)
    assert workers.save_team(worker, "sales", at=2.0)
    assert not workers.save_team(worker, "support", at=1.0)
    assert workers.get(worker).team == "sales"
    assert workers.save_team(worker, None, at=3.0)
    assert workers.get(worker).team is None
