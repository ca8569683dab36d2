"""Counts, not timers: Twilio requests (the emulator's log) and DynamoDB requests (the moto server's counter)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor


def test_the_call_path_makes_no_twilio_request_and_two_dynamodb_requests(stack):
    alice = stack.agent()
    stack.call("GET", "/v1/phone-numbers", alice)  # the workspace's numbers are stored; alice's token is cached
    stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671"})
    stack.call("DELETE", "/v1/outbound-calls/lock", alice)

    stack.clear_twilio_requests()
    stack.clear_dynamodb_requests()
    answer = stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671"})
    assert answer.status_code == 200
    assert stack.twilio_requests() == []
    counts = stack.dynamodb_requests()
    assert counts["byOperation"] == {"BatchGetItem": 1, "TransactWriteItems": 1}


def test_a_number_the_read_sees_locked_costs_no_write_and_no_twilio_request(stack):
    """The call path reads the phone items of the pool it knows (its container's last read), so a selection another
    agent holds is skipped without a write."""
    alice, bob = stack.agent(), stack.agent()
    for agent in (alice, bob):
        stack.call("GET", "/v1/phone-numbers", agent)
    selected = stack.call("PUT", "/v1/workers/me/caller-id", bob, json={"callerId": "+12125550100"})
    assert selected.status_code == 200
    stack.call("POST", "/v1/outbound-calls", alice, json={"to": "+14155552671", "from": "+12125550100"})

    stack.clear_twilio_requests()
    stack.clear_dynamodb_requests()
    answer = stack.call("POST", "/v1/outbound-calls", bob, json={"to": "+14155552671"})
    assert answer.json()["from"] != "+12125550100"
    assert stack.twilio_requests() == []
    assert stack.dynamodb_requests()["byOperation"] == {"BatchGetItem": 1, "TransactWriteItems": 1}


def test_many_agents_listing_within_the_ttl_read_twilio_once(stack):
    stack.forget_numbers()  # nothing stored yet: the first list reads Twilio
    agents = [stack.agent() for _ in range(24)]
    for agent in agents:  # tokens validated once each, before counting
        stack.call("GET", "/v1/workers/me/caller-id", agent)
    stack.clear_twilio_requests()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda a: stack.call("GET", "/v1/phone-numbers", a).status_code, agents * 4))
    assert statuses == [200] * len(agents) * 4
    reads = [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in stack.twilio_requests()]
    assert sorted(reads) == [("GET", "IncomingPhoneNumbers.json"), ("GET", "OutgoingCallerIds.json")]


def test_a_token_is_validated_once_per_container_while_cached(stack):
    alice = stack.agent()
    stack.clear_twilio_requests()
    for _ in range(5):
        stack.call("GET", "/v1/workers/me/caller-id", alice)
    validations = [r for r in stack.twilio_requests() if r["path"].endswith("/Tokens/validate")]
    assert len(validations) == 1


def test_every_step_of_the_call_path_costs_two_dynamodb_requests_at_most(stack):
    from tests.integration.test_number_management import Workspace

    workspace = Workspace(stack, 3)
    workspace.listed()
    agent = workspace.agent
    workspace.start(agent)  # the agent's token is validated and cached
    workspace.call("DELETE", "/v1/outbound-calls/lock", agent)
    workspace.call("PUT", f"/v1/phone-numbers/{workspace.sid_of(workspace.p[1])}/primary")

    def counted(expected_reason, **body):
        stack.clear_twilio_requests()
        stack.clear_dynamodb_requests()
        answer = workspace.start(agent, **body)
        assert answer.status_code == 200 and answer.json()["reason"] == expected_reason, answer.text
        counts = stack.dynamodb_requests()["byOperation"]
        assert stack.twilio_requests() == []
        workspace.call("DELETE", "/v1/outbound-calls/lock", agent)
        return counts

    assert counted("explicit", **{"from": workspace.p[0]}) == {"TransactWriteItems": 1}
    assert counted("primary") == {"BatchGetItem": 1, "TransactWriteItems": 1}
    workspace.call("PUT", "/v1/workers/me/caller-id", agent, json={"callerId": workspace.p[2]})
    assert counted("worker_selection") == {"BatchGetItem": 1, "TransactWriteItems": 1}


def test_local_presence_and_assignments_cost_two_requests_in_steady_state_three_at_most(stack):
    from tests.integration.test_from_decision import Workspace, set_team

    workspace = Workspace(stack, "+1415555{n}", "+1212555{n}", "+1646555{n}", "+1312555{n}")
    agent = workspace.agent
    workspace.assign(workspace.p[3], team="night-shift")
    workspace.local_presence()

    def counted(to, reason):
        stack.clear_twilio_requests()
        stack.clear_dynamodb_requests()
        answer = workspace.call("POST", "/v1/outbound-calls", agent, json={"to": to})
        assert answer.status_code == 200 and answer.json()["reason"] == reason, answer.text
        counts = stack.dynamodb_requests()["byOperation"]
        assert stack.twilio_requests() == []
        workspace.call("DELETE", "/v1/outbound-calls/lock", agent)
        return counts

    first = counted("+16465552671", "local_presence_area_code")
    assert sum(first.values()) <= 3, first
    assert counted("+16465552671", "local_presence_area_code") == {"BatchGetItem": 1, "TransactWriteItems": 1}
    # Another destination: its presence pools are read in the same BatchGetItem (their keys follow from it).
    assert counted("+13325552671", "local_presence_locality") == {"BatchGetItem": 1, "TransactWriteItems": 1}
    workspace.local_presence(False)
    # The team as TaskRouter events keep it (a selection's PUT stores TaskRouter's own, so it comes after those).
    set_team(stack, workspace, agent, "night-shift")
    changed = counted("+14155552671", "assignment")
    assert sum(changed.values()) <= 3, "a team new to this container costs one more read, once"
    assert counted("+14155552671", "assignment") == {"BatchGetItem": 1, "TransactWriteItems": 1}


def test_a_list_is_revalidated_with_one_dynamodb_read_and_locks_are_asked_for(stack):
    alice = stack.agent()
    first = stack.call("GET", "/v1/phone-numbers", alice, params={"perPage": "1000"})
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag.startswith('"')
    assert {n["lockedBy"] for n in first.json()["phoneNumbers"]} == {None}

    stack.clear_twilio_requests()
    stack.clear_dynamodb_requests()
    again = stack.call("GET", "/v1/phone-numbers", alice, params={"perPage": "1000"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["ETag"] == tag and not again.content, again.text
    assert stack.twilio_requests() == []
    assert stack.dynamodb_requests()["byOperation"] == {"GetItem": 1}

    stack.clear_dynamodb_requests()
    listed = stack.call("GET", "/v1/phone-numbers", alice, params={"perPage": "1000"})
    assert listed.json() == first.json() and listed.headers["ETag"] == tag
    assert "BatchGetItem" not in stack.dynamodb_requests()["byOperation"]  # no lock reads unless asked for

    other = stack.call("GET", "/v1/phone-numbers", alice, params={"perPage": "999"}, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["ETag"] != tag
    locks = stack.call("GET", "/v1/phone-numbers", alice, params={"include": "locks"}, headers={"If-None-Match": tag})
    assert locks.status_code == 200 and "ETag" not in locks.headers


def test_a_subaccounts_page_load_costs_four_requests_at_most_and_its_revalidation_two(stack):
    """The reference plugin's page load in a workspace with a parent (issue 18): a first full page reads the two
    heads and at most a Query of its own records and one of the parent's shared ones; revalidating it reads the
    two heads only; neither asks Twilio, nor reads a phone item (lock state is opt-in). A token the fleet has
    validated already, new to this container, costs one more GetItem and no IAM check."""
    sub = stack.subaccount(numbers=["+12065550141", "+12065550142", "+12065550143"])
    alice = stack.agent(account_sid=sub["sid"])
    page = {"status": "active", "perPage": "1000", "page": "1"}
    stack.call("GET", "/v1/phone-numbers", alice, params=page)  # the workspace's numbers are read from Twilio

    stack.clear_twilio_requests()
    stack.clear_dynamodb_requests()
    first = stack.call("GET", "/v1/phone-numbers", alice, params=page)
    assert first.status_code == 200 and len(first.json()["phoneNumbers"]) >= 3
    assert stack.twilio_requests() == []
    full = stack.dynamodb_requests()["byOperation"]
    assert sum(full.values()) <= 4 and full.get("GetItem") == 2 and "BatchGetItem" not in full, full

    stack.clear_dynamodb_requests()
    again = stack.call("GET", "/v1/phone-numbers", alice, params=page, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert stack.twilio_requests() == []
    assert stack.dynamodb_requests()["byOperation"] == {"GetItem": 2}

    # The same token in the function's other containers (the dev server's pool): no IAM check again.
    tag = {"If-None-Match": first.headers["ETag"]}
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(lambda _: stack.call("GET", "/v1/phone-numbers", alice, params=page, headers=tag), range(8))
        )
    assert {a.status_code for a in answers} == {304}
    assert [r for r in stack.twilio_requests() if r["path"].endswith("/Tokens/validate")] == []
