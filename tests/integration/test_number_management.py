"""Number management through HTTP against the local stack: a number's detail and configuration, the primary,
BYOT registration, release and re-sync, and the refresh from Twilio that writes only what changed. Each test
works in a subaccount of its own (a workspace with its own numbers at the emulator)."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

TO = "+14155552671"


PHONES = itertools.count(2000, 10)


class Workspace:
    """A subaccount with ``count`` numbers at "Twilio" of its own (a number has one owner): ``p[0]``, ``p[1]`` in
    area code 206, ``p[2]`` in 312."""

    def __init__(self, stack, count: int = 3) -> None:
        block = next(PHONES)
        self.p = [f"+1{'312' if i == 2 else '206'}555{block + i:04d}" for i in range(count)]
        self.stack = stack
        self.account = stack.subaccount(self.p)
        self.sid = self.account["sid"]
        self.supervisor = stack.agent(("supervisor",), account_sid=self.sid)
        self.agent = stack.agent(account_sid=self.sid)

    def call(self, method, path, agent=None, **kwargs):
        return self.stack.call(method, path, agent or self.supervisor, **kwargs)

    def listed(self, **params) -> dict[str, dict]:
        answer = self.call("GET", "/v1/phone-numbers", params={"perPage": 1000, **params})
        assert answer.status_code == 200, answer.text
        return {n["phoneNumber"]: n for n in answer.json()["phoneNumbers"] if not n["shared"]}

    def sid_of(self, phone: str) -> str:
        return self.listed()[phone]["sid"]

    def start(self, agent=None, **body):
        return self.call("POST", "/v1/outbound-calls", agent or self.agent, json={"to": TO, **body})

    def byot(self, phone: str) -> requests.Response:
        body = {"phoneNumber": phone, "provider": "Acme Telecom", "connection": "sip:pbx.example.com"}
        return self.call("POST", "/v1/phone-numbers", json=body)


@pytest.fixture
def workspace(stack):
    return Workspace(stack)


def test_a_byot_number_is_listed_and_dialable_at_once_with_no_twilio_request(stack, workspace):
    workspace.listed()
    stack.clear_twilio_requests()
    created = workspace.byot("(702) 555-0304")
    assert created.status_code == 201, created.text
    number = created.json()
    assert (number["phoneNumber"], number["source"], number["status"]) == ("+17025550304", "byot", "active")
    assert number["country"] == "US" and number["locality"]
    assert stack.twilio_requests() == []
    assert "+17025550304" in workspace.listed()
    call = workspace.start(**{"from": "+17025550304"})
    assert call.status_code == 200 and call.json()["reason"] == "explicit"
    assert workspace.call("GET", f"/v1/phone-numbers/{number['sid']}").json()["lockedBy"] == workspace.agent.worker_sid


def test_registering_a_number_twice_or_a_bad_number_is_refused(workspace):
    assert workspace.byot("+17025550305").status_code == 201
    again = workspace.byot("702-555-0305")
    assert again.status_code == 409 and again.json()["error"]["code"] == "number_exists"
    bad = workspace.byot("12")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_phone_number"
    missing = workspace.call("POST", "/v1/phone-numbers", json={"phoneNumber": "+17025550306"})
    assert missing.status_code == 400 and "provider" in missing.json()["error"]["message"]


def test_agents_may_change_nothing(workspace):
    sid = workspace.sid_of(workspace.p[0])
    agent = workspace.agent
    assert workspace.call("PATCH", f"/v1/phone-numbers/{sid}", agent, json={"label": "x"}).status_code == 403
    assert workspace.call("PUT", f"/v1/phone-numbers/{sid}/primary", agent).status_code == 403
    assert workspace.call("DELETE", f"/v1/phone-numbers/{sid}", agent).status_code == 403
    assert workspace.call("POST", f"/v1/phone-numbers/{sid}/sync", agent).status_code == 403
    assert workspace.call("GET", f"/v1/phone-numbers/{sid}", agent).status_code == 403
    body = {"phoneNumber": "+17025550307", "provider": "x", "connection": "y"}
    assert workspace.call("POST", "/v1/phone-numbers", agent, json=body).status_code == 403


def test_another_workspaces_number_is_not_found_and_stays_as_it_was(stack, workspace):
    other = Workspace(stack, 1)
    sid = other.sid_of(other.p[0])
    for method, path, body in [
        ("GET", f"/v1/phone-numbers/{sid}", None),
        ("PATCH", f"/v1/phone-numbers/{sid}", {"label": "mine now"}),
        ("PUT", f"/v1/phone-numbers/{sid}/primary", None),
        ("DELETE", f"/v1/phone-numbers/{sid}", None),
        ("POST", f"/v1/phone-numbers/{sid}/sync", None),
        ("GET", f"/v1/phone-numbers/{sid}/health", None),
    ]:
        answer = workspace.call(method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
    assert other.listed()[other.p[0]]["label"] is None
    assert not other.listed()[other.p[0]]["isPrimary"]


def test_configuration_takes_effect_on_the_call_path(workspace):
    sid = workspace.sid_of(workspace.p[0])
    patched = workspace.call(
        "PATCH",
        f"/v1/phone-numbers/{sid}",
        json={"label": "Sales", "allowedOutboundCountries": ["US", "CA", "US"], "allowedInboundCountries": ["US"]},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["label"] == "Sales" and patched.json()["allowedOutboundCountries"] == ["US", "CA"]
    abroad = workspace.start(to="+442079460958", **{"from": workspace.p[0]})
    assert abroad.status_code == 422 and abroad.json()["error"]["code"] == "destination_not_allowed"

    workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"status": "inactive"})
    refused = workspace.start(**{"from": workspace.p[0]})
    assert refused.status_code == 404
    listed = workspace.listed(status="inactive")
    assert list(listed) == [workspace.p[0]] and listed[workspace.p[0]]["label"] == "Sales"

    workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"status": "active", "allowedOutboundCountries": []})
    assert workspace.start(to="+442079460958", **{"from": workspace.p[0]}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"allowedOutboundCountries": ["XX"]}, "allowedOutboundCountries"),
        ({"allowedInboundCountries": ["us"]}, "allowedInboundCountries"),
        ({"status": "released"}, "status"),
        ({"status": None}, "status"),
        ({"inboundAgent": "alice"}, "inboundAgent"),
        ({"outboundShareable": "yes"}, "outboundShareable"),
        ({"outboundAssignment": {"workerSid": "WK1"}}, "workerSid"),
        ({"label": "x" * 65}, "label"),
    ],
)
def test_bad_configuration_is_400_naming_the_field_and_changes_nothing(workspace, body, field):
    sid = workspace.sid_of(workspace.p[1])
    before = workspace.call("GET", f"/v1/phone-numbers/{sid}").json()
    answer = workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json=body)
    assert answer.status_code == 400, answer.text
    assert field in answer.json()["error"]["message"]
    assert workspace.call("GET", f"/v1/phone-numbers/{sid}").json() == before


def test_concurrent_patches_of_different_fields_both_survive(workspace):
    sid = workspace.sid_of(workspace.p[1])
    fields = [
        {"label": "Support"},
        {"allowedOutboundCountries": ["US"]},
        {"allowedInboundCountries": ["CA"]},
        {"inboundAgent": workspace.agent.worker_sid},
        {"outboundAssignment": {"team": "Sales"}},
        {"outboundShareable": True},
    ]
    barrier = threading.Barrier(len(fields))

    def patch(body):
        barrier.wait()
        return workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json=body).status_code

    with ThreadPoolExecutor(max_workers=len(fields)) as pool:
        assert list(pool.map(patch, fields)) == [200] * len(fields)
    number = workspace.call("GET", f"/v1/phone-numbers/{sid}").json()
    assert number["label"] == "Support"
    assert number["allowedOutboundCountries"] == ["US"] and number["allowedInboundCountries"] == ["CA"]
    assert number["inboundAgent"] == workspace.agent.worker_sid
    assert number["outboundAssignment"] == {"workerSid": None, "team": "Sales", "queueSid": None}
    assert number["outboundShareable"] is True


def test_exactly_one_primary_when_supervisors_race(workspace):
    phones = list(workspace.listed())
    sids = [workspace.sid_of(p) for p in phones] * 4
    barrier = threading.Barrier(len(sids))

    def make_primary(sid):
        barrier.wait()
        return workspace.call("PUT", f"/v1/phone-numbers/{sid}/primary").status_code

    with ThreadPoolExecutor(max_workers=len(sids)) as pool:
        assert set(pool.map(make_primary, sids)) == {200}
    primaries = [p for p, n in workspace.listed().items() if n["isPrimary"]]
    assert len(primaries) == 1
    call = workspace.start()
    assert call.json() == {**call.json(), "from": primaries[0], "reason": "primary"}


def test_releasing_a_twilio_number_removes_it_at_twilio_and_leaves_no_primary(stack, workspace):
    sid = workspace.sid_of(workspace.p[2])
    workspace.call("PUT", f"/v1/phone-numbers/{sid}/primary")
    stack.clear_twilio_requests()
    released = workspace.call("DELETE", f"/v1/phone-numbers/{sid}")
    assert released.status_code == 204, released.text
    deletes = [r for r in stack.twilio_requests() if r["method"] == "DELETE"]
    assert [r["path"].rsplit("/", 1)[-1] for r in deletes] == [f"{sid}.json"]
    assert workspace.p[2] not in workspace.listed()
    assert not any(n["isPrimary"] for n in workspace.listed().values())
    assert workspace.call("GET", f"/v1/phone-numbers/{sid}").status_code == 404
    assert workspace.start(**{"from": workspace.p[2]}).status_code == 404
    assert workspace.start().json()["reason"] == "fallback"


def test_a_number_on_a_call_cannot_be_released(stack, workspace):
    sid = workspace.sid_of(workspace.p[0])
    assert workspace.start(**{"from": workspace.p[0]}).status_code == 200
    stack.clear_twilio_requests()
    refused = workspace.call("DELETE", f"/v1/phone-numbers/{sid}")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "caller_id_in_use"
    assert stack.twilio_requests() == []
    assert workspace.start(workspace.agent, **{"from": workspace.p[0]}).status_code == 200, "still dialable"


def test_a_byot_number_is_unregistered_without_twilio(stack, workspace):
    sid = workspace.byot("+17025550308").json()["sid"]
    stack.clear_twilio_requests()
    assert workspace.call("DELETE", f"/v1/phone-numbers/{sid}").status_code == 204
    assert stack.twilio_requests() == []
    assert "+17025550308" not in workspace.listed()
    assert workspace.byot("+17025550308").status_code == 201, "it may be registered again"


def test_resync_reads_twilio_and_keeps_what_this_backend_owns(stack, workspace):
    sid = workspace.sid_of(workspace.p[1])
    workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"label": "Front desk"})
    auth = (workspace.sid, stack.auth_token(workspace.sid))
    url = f"{stack.emulator}/2010-04-01/Accounts/{workspace.sid}/IncomingPhoneNumbers/{sid}.json"
    requests.post(url, data={"FriendlyName": "Seattle renamed"}, auth=auth, timeout=10).raise_for_status()
    synced = workspace.call("POST", f"/v1/phone-numbers/{sid}/sync")
    assert synced.status_code == 200, synced.text
    assert (synced.json()["friendlyName"], synced.json()["label"]) == ("Seattle renamed", "Front desk")

    requests.delete(url, auth=auth, timeout=10).raise_for_status()
    gone = workspace.call("POST", f"/v1/phone-numbers/{sid}/sync")
    assert gone.status_code == 404
    assert workspace.p[1] not in workspace.listed()


def test_health_shows_the_numbers_call_outcomes(stack, workspace):
    sid = workspace.sid_of(workspace.p[0])
    health = workspace.call("GET", f"/v1/phone-numbers/{sid}/health")
    assert health.status_code == 200
    assert health.json()["attempts"] == 0 and health.json()["answerRate"] is None
    assert health.json()["state"] == "ok"


def test_a_descendant_sees_an_ancestors_shared_number_and_can_never_change_it(stack):
    parent_supervisor = stack.agent(("supervisor",))
    listed = stack.call("GET", "/v1/phone-numbers", parent_supervisor, params={"search": "+12065550100"})
    (seattle,) = listed.json()["phoneNumbers"]
    share = stack.call(
        "PATCH", f"/v1/phone-numbers/{seattle['sid']}", parent_supervisor, json={"outboundShareable": True}
    )
    assert share.status_code == 200
    try:
        child = Workspace(stack, 1)
        seen = child.call("GET", f"/v1/phone-numbers/{seattle['sid']}")
        assert seen.status_code == 200 and seen.json()["shared"] is True
        for method, path, body in [
            ("PATCH", f"/v1/phone-numbers/{seattle['sid']}", {"label": "ours"}),
            ("PUT", f"/v1/phone-numbers/{seattle['sid']}/primary", None),
            ("DELETE", f"/v1/phone-numbers/{seattle['sid']}", None),
        ]:
            assert child.call(method, path, json=body).status_code == 404, (method, path)
        assert stack.call("GET", f"/v1/phone-numbers/{seattle['sid']}", parent_supervisor).json()["label"] is None
    finally:
        stack.call("PATCH", f"/v1/phone-numbers/{seattle['sid']}", parent_supervisor, json={"outboundShareable": False})


def age(stack, account_sid: str) -> None:
    stack.table.update_item(
        TableName=stack.stack.table_name,
        Key={"pk": {"S": f"WS#{account_sid}"}, "sk": {"S": "NUMBERS"}},
        UpdateExpression="SET refreshed_at = :long_ago",
        ExpressionAttributeValues={":long_ago": {"N": "1"}},
    )


def test_a_refresh_writes_only_what_changed_and_marks_vanished_numbers_released(stack, workspace):
    sid = workspace.sid_of(workspace.p[0])
    workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"label": "Kept", "allowedOutboundCountries": ["US"]})
    gone = workspace.sid_of(workspace.p[2])
    auth = (workspace.sid, stack.auth_token(workspace.sid))
    base = f"{stack.emulator}/2010-04-01/Accounts/{workspace.sid}/IncomingPhoneNumbers"
    requests.delete(f"{base}/{gone}.json", auth=auth, timeout=10).raise_for_status()
    bought = requests.post(f"{base}.json", data={"AreaCode": "512"}, auth=auth, timeout=10)
    assert bought.status_code == 201, bought.text
    new_phone = bought.json()["phone_number"]
    # The emulator sells a released number again: a workspace of an earlier test may have left its phone item.
    key = {"pk": {"S": f"PHONE#{new_phone}"}, "sk": {"S": "PHONE"}}
    phone_known = "Item" in stack.table.get_item(TableName=stack.stack.table_name, Key=key)

    age(stack, workspace.sid)
    stack.clear_dynamodb_requests()
    stack.clear_twilio_requests()
    listed = workspace.listed()
    writes = stack.dynamodb_requests()["byOperation"]
    assert new_phone in listed and workspace.p[2] not in listed
    assert listed[workspace.p[0]]["label"] == "Kept" and listed[workspace.p[0]]["allowedOutboundCountries"] == ["US"]
    # The new number: one BatchWriteItem each for its record, its SID pointer and its phone item (an UpdateItem
    # of the phone item instead when one is there already). The unchanged numbers are compared (BatchGetItem), not
    # written. The vanished one: a conditional Put of its record. And the refresh lease.
    assert writes["BatchWriteItem"] == (2 if phone_known else 3), writes
    assert writes["PutItem"] == 2, writes
    reads = [r["path"].rsplit("/", 1)[-1] for r in stack.twilio_requests()]
    # The two lists, and the vanished number asked for once more before it is marked released.
    assert sorted(reads) == sorted(["IncomingPhoneNumbers.json", "OutgoingCallerIds.json", f"{gone}.json"])
    assert workspace.start(**{"from": workspace.p[2]}).status_code == 404


# ----- Twilio's numbers: search, buy, import ----------------------------------------------------------------------


def twilio_number(stack, workspace, sid: str) -> dict:
    auth = (workspace.sid, stack.auth_token(workspace.sid))
    url = f"{stack.emulator}/2010-04-01/Accounts/{workspace.sid}/IncomingPhoneNumbers/{sid}.json"
    return requests.get(url, auth=auth, timeout=10).json()


def test_searching_twilios_numbers_for_sale(stack, workspace):
    local = workspace.call("GET", "/v1/phone-numbers/available", params={"areaCode": "512", "limit": 5})
    assert local.status_code == 200, local.text
    found = local.json()["availablePhoneNumbers"]
    assert 0 < len(found) <= 5 and all(n["phoneNumber"].startswith("+1512") for n in found)
    assert all(n["isoCountry"] == "US" and n["capabilities"]["voice"] for n in found)
    toll_free = workspace.call("GET", "/v1/phone-numbers/available", params={"type": "tollFree", "limit": 3})
    assert toll_free.status_code == 200 and len(toll_free.json()["availablePhoneNumbers"]) == 3
    contains = workspace.call("GET", "/v1/phone-numbers/available", params={"areaCode": "512", "contains": "77"})
    assert all("77" in n["phoneNumber"][2:] for n in contains.json()["availablePhoneNumbers"])
    nothing = workspace.call("GET", "/v1/phone-numbers/available", params={"country": "US", "type": "mobile"})
    assert nothing.status_code == 200 and nothing.json()["availablePhoneNumbers"] == []
    for bad in ({"country": "XX"}, {"type": "premium"}, {"areaCode": "12"}, {"limit": 0}):
        assert workspace.call("GET", "/v1/phone-numbers/available", params=bad).status_code == 400, bad
    assert workspace.call("GET", "/v1/phone-numbers/available", workspace.agent).status_code == 403


def test_a_bought_number_points_at_this_deployment_and_is_dialable_at_once(stack, workspace):
    offered = workspace.call("GET", "/v1/phone-numbers/available", params={"areaCode": "617", "limit": 1})
    (choice,) = offered.json()["availablePhoneNumbers"]
    bought = workspace.call("POST", "/v1/phone-numbers/provision", json={"phoneNumber": choice["phoneNumber"]})
    assert bought.status_code == 201, bought.text
    number = bought.json()
    assert (number["phoneNumber"], number["source"], number["status"]) == (choice["phoneNumber"], "twilio", "active")
    at_twilio = twilio_number(stack, workspace, number["sid"])
    base = stack.facts["publicBaseUrl"]
    assert at_twilio["voice_url"] == f"{base}/webhooks/twilio/voice"
    assert at_twilio["status_callback"] == f"{base}/webhooks/twilio/call-status"
    assert choice["phoneNumber"] in workspace.listed()
    assert workspace.start(**{"from": choice["phoneNumber"]}).status_code == 200

    by_area = workspace.call("POST", "/v1/phone-numbers/provision", json={"areaCode": "305"})
    assert by_area.status_code == 201 and by_area.json()["phoneNumber"].startswith("+1305")


def test_a_number_to_buy_may_be_given_in_any_format(workspace):
    offered = workspace.call("GET", "/v1/phone-numbers/available", params={"areaCode": "415", "limit": 1})
    (choice,) = offered.json()["availablePhoneNumbers"]
    e164 = choice["phoneNumber"]
    bought = workspace.call("POST", "/v1/phone-numbers/provision", json={"phoneNumber": f"1-{e164[2:5]}-{e164[5:]}"})
    assert bought.status_code == 201, bought.text
    assert bought.json()["phoneNumber"] == e164
    refused = workspace.call("POST", "/v1/phone-numbers/provision", json={"phoneNumber": "555"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_phone_number"
    assert "phoneNumber: " in refused.json()["error"]["message"]


def test_buying_what_twilio_refuses_names_twilios_error(workspace):
    taken = workspace.call("POST", "/v1/phone-numbers/provision", json={"phoneNumber": "+14155550100"})
    assert taken.status_code == 422, taken.text
    assert taken.json()["error"]["code"] == "twilio_refused" and "21422" in taken.json()["error"]["message"]
    for body in ({}, {"phoneNumber": "+16175550123", "areaCode": "617"}, {"areaCode": "1"}):
        assert workspace.call("POST", "/v1/phone-numbers/provision", json=body).status_code == 400, body


def test_importing_an_owned_number_repoints_its_webhooks_and_says_what_it_replaced(stack, workspace):
    sid = workspace.sid_of(workspace.p[1])
    auth = (workspace.sid, stack.auth_token(workspace.sid))
    url = f"{stack.emulator}/2010-04-01/Accounts/{workspace.sid}/IncomingPhoneNumbers/{sid}.json"
    old = {"VoiceUrl": "https://pbx.example.com/voice", "StatusCallback": "https://pbx.example.com/status"}
    requests.post(url, data=old, auth=auth, timeout=10).raise_for_status()
    owned = workspace.call("GET", "/v1/phone-numbers/twilio", params={"perPage": 2})
    assert owned.status_code == 200, owned.text
    assert owned.json()["meta"] == {"page": 1, "perPage": 2, "hasMore": True}
    assert all(not n["imported"] for n in owned.json()["phoneNumbers"])

    imported = workspace.call("POST", "/v1/phone-numbers/import", json={"sid": sid})
    assert imported.status_code == 201, imported.text
    assert imported.json()["replaced"] == {
        "voiceUrl": "https://pbx.example.com/voice",
        "statusCallback": "https://pbx.example.com/status",
    }
    assert imported.json()["phoneNumber"] == workspace.p[1]
    assert twilio_number(stack, workspace, sid)["voice_url"] == f"{stack.facts['publicBaseUrl']}/webhooks/twilio/voice"
    pages = [workspace.call("GET", "/v1/phone-numbers/twilio", params={"perPage": 2, "page": p}) for p in (1, 2)]
    marked = {n["sid"]: n["imported"] for page in pages for n in page.json()["phoneNumbers"]}
    assert marked[sid] is True and sum(marked.values()) == 1 and len(marked) == 3


def test_importing_another_accounts_number_is_not_found(stack, workspace):
    other = Workspace(stack, 1)
    sid = other.sid_of(other.p[0])
    answer = workspace.call("POST", "/v1/phone-numbers/import", json={"sid": sid})
    assert answer.status_code == 404
    assert twilio_number(stack, other, sid)["voice_url"] in (None, "")


# ----- found by review: each failed before its fix -------------------------------------------------------------------


def test_a_workspace_cannot_register_another_accounts_number_as_its_own(stack):
    """Nothing proves who holds a BYOT number: registering another account's would share its lock and health."""
    workspace, other = Workspace(stack, 1), Workspace(stack, 1)
    other.listed()
    taken = workspace.byot(other.p[0])
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "number_exists"
    assert workspace.start(**{"from": other.p[0]}).status_code == 404
    assert other.start(**{"from": other.p[0]}).status_code == 200


def fault(stack, path: str, delay: float) -> None:
    body = {"path": path, "delaySeconds": delay}
    requests.post(f"{stack.emulator}/_emulator/faults", json=body, timeout=10).raise_for_status()


def clear_faults(stack) -> None:
    requests.delete(f"{stack.emulator}/_emulator/faults", timeout=10)


def test_a_number_being_released_is_neither_changed_nor_dialled_meanwhile(stack, workspace):
    sid = workspace.sid_of(workspace.p[0])
    fault(stack, f"IncomingPhoneNumbers/{sid}", 2.0)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            releasing = pool.submit(workspace.call, "DELETE", f"/v1/phone-numbers/{sid}")
            time.sleep(0.8)
            patched = workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"label": "desk"})
            assert patched.status_code == 404, patched.text
            assert workspace.start(**{"from": workspace.p[0]}).status_code == 404
            assert releasing.result().status_code == 204
    finally:
        clear_faults(stack)
    assert workspace.start(**{"from": workspace.p[0]}).status_code == 404


def test_a_failed_release_leaves_the_number_as_it_was(stack, workspace):
    sid = workspace.sid_of(workspace.p[0])
    workspace.call("PUT", f"/v1/phone-numbers/{sid}/primary")
    requests.post(
        f"{stack.emulator}/_emulator/faults", json={"path": f"IncomingPhoneNumbers/{sid}", "status": 500}, timeout=10
    )
    try:
        assert workspace.call("DELETE", f"/v1/phone-numbers/{sid}").status_code == 503
    finally:
        clear_faults(stack)
    number = workspace.call("GET", f"/v1/phone-numbers/{sid}").json()
    assert (number["status"], number["isPrimary"]) == ("active", True)
    assert workspace.start().json()["reason"] == "primary"


def test_a_number_bought_during_a_refresh_is_not_taken_for_vanished(stack, workspace):
    workspace.listed()
    age(stack, workspace.sid)
    fault(stack, "OutgoingCallerIds", 2.0)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            refreshing = pool.submit(workspace.listed)
            time.sleep(0.8)
            bought = workspace.call("POST", "/v1/phone-numbers/provision", json={"areaCode": "602"})
            assert bought.status_code == 201, bought.text
            refreshing.result()
    finally:
        clear_faults(stack)
    phone = bought.json()["phoneNumber"]
    assert workspace.call("GET", f"/v1/phone-numbers/{bought.json()['sid']}").status_code == 200
    assert phone in workspace.listed()
    assert workspace.start(**{"from": phone}).status_code == 200


def test_a_released_byot_number_registered_again_is_dialable(workspace):
    sid = workspace.byot("+17025550399").json()["sid"]
    assert workspace.start(**{"from": "+17025550399"}).status_code == 200
    workspace.stack.release_locks()
    assert workspace.call("DELETE", f"/v1/phone-numbers/{sid}").status_code == 204
    assert workspace.byot("+17025550399").status_code == 201
    assert workspace.start(**{"from": "+17025550399"}).status_code == 200


def test_an_empty_assignment_is_no_assignment_and_an_imported_primary_says_so(workspace):
    sid = workspace.sid_of(workspace.p[0])
    patched = workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"outboundAssignment": {}})
    assert patched.json()["outboundAssignment"] is None
    workspace.call("PUT", f"/v1/phone-numbers/{sid}/primary")
    imported = workspace.call("POST", "/v1/phone-numbers/import", json={"sid": sid})
    assert imported.status_code == 201 and imported.json()["isPrimary"] is True


def test_a_supervisor_frees_a_stuck_lock_once_and_another_workspace_cannot(stack, workspace):
    phone = workspace.p[0]
    sid = workspace.sid_of(phone)
    assert workspace.call("DELETE", f"/v1/phone-numbers/{sid}/lock").status_code == 404  # no lock
    assert workspace.start(**{"from": phone}).status_code == 200
    other = Workspace(stack, count=1)
    assert other.call("DELETE", f"/v1/phone-numbers/{sid}/lock").status_code == 404
    assert workspace.call("DELETE", f"/v1/phone-numbers/{sid}/lock", workspace.agent).status_code == 403
    assert workspace.call("GET", f"/v1/phone-numbers/{sid}").json()["lockedBy"] == workspace.agent.worker_sid
    freed = workspace.call("DELETE", f"/v1/phone-numbers/{sid}/lock")
    assert freed.status_code == 204, freed.text
    assert workspace.call("GET", f"/v1/phone-numbers/{sid}").json()["lockedBy"] is None
    assert workspace.call("DELETE", f"/v1/phone-numbers/{sid}/lock").status_code == 404
    second = workspace.stack.agent(account_sid=workspace.sid)
    assert workspace.start(second, **{"from": phone}).json()["from"] == phone


def test_a_supervisors_lock_release_is_in_the_audit_log_and_a_refused_one_is_not(stack, workspace):
    phone = workspace.p[1]
    sid = workspace.sid_of(phone)
    assert workspace.call("DELETE", f"/v1/phone-numbers/{sid}/lock").status_code == 404
    assert workspace.start(**{"from": phone}).status_code == 200
    assert workspace.call("DELETE", f"/v1/phone-numbers/{sid}/lock", workspace.agent).status_code == 403
    assert workspace.call("DELETE", f"/v1/phone-numbers/{sid}/lock").status_code == 204
    for params in ({}, {"target": sid}, {"target": phone}, {"actor": workspace.supervisor.worker_sid}):
        answer = workspace.call("GET", "/v1/audit", params=params)
        assert answer.status_code == 200, answer.text
        (entry,) = answer.json()["entries"]
        assert entry["action"] == "lock.release" and entry["target"] == {
            "kind": "phone_number",
            "sid": sid,
            "phoneNumber": phone,
        }
        assert entry["actor"] == {
            "workerSid": workspace.supervisor.worker_sid,
            "identity": workspace.supervisor.identity,
        }
        assert entry["changes"] == {"lockedBy": [workspace.agent.worker_sid, None]}
    assert workspace.call("GET", "/v1/audit", params={"actor": workspace.agent.worker_sid}).json()["entries"] == []
    assert workspace.call("GET", "/v1/audit", workspace.agent).status_code == 403
    assert workspace.call("GET", "/v1/audit", params={"target": "nope"}).status_code == 400
    other = Workspace(stack, count=1)
    assert other.call("GET", "/v1/audit", params={"target": sid}).json()["entries"] == []


def test_a_patch_is_audited_and_a_refused_one_is_not(workspace):
    phone = workspace.p[2]
    sid = workspace.sid_of(phone)
    assert workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"label": "x" * 500}).status_code == 400
    assert workspace.call("PATCH", f"/v1/phone-numbers/{sid}", json={"label": "Support"}).status_code == 200
    (entry,) = workspace.call("GET", "/v1/audit", params={"target": phone}).json()["entries"]
    assert (entry["action"], entry["changes"]) == ("number.update", {"label": [None, "Support"]})


def test_making_a_number_primary_is_audited(workspace):
    phone = workspace.p[0]
    sid = workspace.sid_of(phone)
    assert workspace.call("PUT", f"/v1/phone-numbers/{sid}/primary").status_code == 200
    (entry,) = workspace.call("GET", "/v1/audit", params={"target": sid}).json()["entries"]
    assert (entry["action"], entry["changes"]) == ("number.primary", {"isPrimary": [False, True]})
