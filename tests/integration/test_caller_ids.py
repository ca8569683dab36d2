"""Verified caller IDs through HTTP against the local stack: starting a verification, its outcome arriving by the
signed webhook (played here as Twilio would post it, and once end to end through the emulator's call), listing,
renaming and deleting caller IDs. Each test works in a subaccount of its own."""

from __future__ import annotations

import itertools
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.integration.test_number_management import Workspace

HOOK = "/webhooks/twilio/verification-status"
PHONES = itertools.count(100)


def new_phone() -> str:
    return f"+1725556{next(PHONES) % 10_000:04d}"


def start(workspace, phone, **body):
    return workspace.call("POST", "/v1/caller-ids/verifications", json={"phoneNumber": phone, **body})


def status(workspace, phone):
    return workspace.call("GET", f"/v1/caller-ids/verifications/{phone}")


def outcome(stack, workspace, phone, call_sid, result="success", caller_id_sid=None):
    """Twilio's signed callback for the verification call ``call_sid``; a success names the OutgoingCallerId."""
    params = {"AccountSid": workspace.sid, "CallSid": call_sid, "VerificationStatus": result, "To": phone}
    if result == "success":
        params["OutgoingCallerIdSid"] = caller_id_sid or stack.verified_caller_id(workspace.sid, phone)
    return stack.webhook(HOOK, params)


def verified(stack, workspace, phone=None, **body) -> dict:
    phone = phone or new_phone()
    call = start(workspace, phone, **body).json()
    assert outcome(stack, workspace, phone, call["callSid"]).status_code == 204
    (listed,) = workspace.call("GET", "/v1/caller-ids", params={"phoneNumber": phone}).json()["callerIds"]
    return listed


def test_a_verification_starts_pending_with_the_code_and_the_callback_url(stack):
    workspace = Workspace(stack, 1)
    phone = new_phone()
    stack.clear_twilio_requests()
    started = start(workspace, phone.replace("+1", "").replace("725", "(725) "), callDelay=5, extension="12w#")
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["phoneNumber"] == phone and body["status"] == "pending"
    assert len(body["validationCode"]) == 6 and body["validationCode"].isdigit() and body["callSid"].startswith("CA")
    posts = [
        r for r in stack.twilio_requests() if r["method"] == "POST" and r["path"].endswith("/OutgoingCallerIds.json")
    ]
    assert len(posts) == 1, "one ValidationRequest"
    state = status(workspace, phone).json()
    assert (state["status"], state["outgoingCallerIdSid"]) == ("pending", None)


def test_a_successful_call_makes_a_caller_id_listed_and_dialable_at_once(stack):
    workspace = Workspace(stack, 1)
    phone = new_phone()
    call = start(workspace, phone, friendlyName="Desk line").json()
    sid = stack.verified_caller_id(workspace.sid, phone)
    assert outcome(stack, workspace, phone, call["callSid"], caller_id_sid=sid).status_code == 204
    state = status(workspace, phone).json()
    assert (state["status"], state["outgoingCallerIdSid"]) == ("success", sid)
    assert workspace.listed()[phone]["source"] == "verified"
    assert workspace.call("GET", f"/v1/caller-ids/{sid}").json()["phoneNumber"] == phone
    assert workspace.start(**{"from": phone}).status_code == 200


def test_a_failed_call_adds_nothing_and_never_erases_a_success(stack):
    workspace = Workspace(stack, 1)
    phone = new_phone()
    call = start(workspace, phone).json()
    assert outcome(stack, workspace, phone, call["callSid"], "failed").status_code == 204
    assert status(workspace, phone).json()["status"] == "failed"
    assert phone not in workspace.listed()

    second = start(workspace, phone).json()
    assert outcome(stack, workspace, phone, second["callSid"]).status_code == 204
    assert outcome(stack, workspace, phone, "CA" + uuid.uuid4().hex, "failed").status_code == 204
    assert outcome(stack, workspace, phone, call["callSid"], "failed").status_code == 204
    assert status(workspace, phone).json()["status"] == "success"


def test_starting_again_supersedes_the_pending_call(stack):
    workspace = Workspace(stack, 1)
    phone = new_phone()
    first, second = start(workspace, phone).json(), start(workspace, phone).json()
    assert first["callSid"] != second["callSid"]
    assert outcome(stack, workspace, phone, first["callSid"], "failed").status_code == 204
    assert status(workspace, phone).json()["status"] == "pending", "the superseded call's failure does not count"
    assert outcome(stack, workspace, phone, second["callSid"], "failed").status_code == 204
    assert status(workspace, phone).json()["status"] == "failed"


def test_unknown_calls_and_forged_callbacks_change_nothing(stack):
    workspace = Workspace(stack, 1)
    phone = new_phone()
    assert outcome(stack, workspace, phone, "CA" + uuid.uuid4().hex, "failed").status_code == 204
    assert status(workspace, phone).status_code == 404
    call = start(workspace, phone).json()
    params = {"AccountSid": workspace.sid, "CallSid": call["callSid"], "VerificationStatus": "failed", "To": phone}
    assert stack.webhook(HOOK, params, token="0" * 32).status_code == 403
    assert stack.webhook(HOOK, params, signature="").status_code == 403
    assert status(workspace, phone).json()["status"] == "pending"


def test_concurrent_replays_of_a_success_apply_once(stack):
    workspace = Workspace(stack, 1)
    phone = new_phone()
    call = start(workspace, phone).json()
    sid = stack.verified_caller_id(workspace.sid, phone)
    params = {
        "AccountSid": workspace.sid,
        "CallSid": call["callSid"],
        "VerificationStatus": "success",
        "OutgoingCallerIdSid": sid,
        "To": phone,
    }
    barrier = threading.Barrier(12)

    def post(_):
        barrier.wait()
        return stack.webhook(HOOK, params).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(post, range(12)))
    assert set(answers) <= {204, 409} and 204 in answers and 500 not in answers
    listed = workspace.call("GET", "/v1/caller-ids", params={"phoneNumber": phone}).json()
    assert listed["meta"]["total"] == 1 and listed["callerIds"][0]["sid"] == sid


def test_what_needs_no_verification_or_is_not_a_number_is_refused(stack):
    workspace = Workspace(stack, 1)
    phone = verified(stack, workspace)["phoneNumber"]
    again = start(workspace, phone)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_verified"
    owned = start(workspace, workspace.p[0])
    assert owned.status_code == 409 and owned.json()["error"]["code"] == "number_exists"
    for body in ({"phoneNumber": "12"}, {"callDelay": 61}, {"extension": "abc"}, {"friendlyName": ""}):
        answer = workspace.call("POST", "/v1/caller-ids/verifications", json={"phoneNumber": new_phone(), **body})
        assert answer.status_code == 400, (body, answer.text)
    assert start(workspace, new_phone()).status_code == 201
    assert (
        workspace.call(
            "POST", "/v1/caller-ids/verifications", workspace.agent, json={"phoneNumber": new_phone()}
        ).status_code
        == 403
    )


def test_a_call_delay_that_is_not_a_json_number_is_400_and_starts_no_call(stack):
    """``"callDelay": "5"`` once started a verification call: a JSON number field takes a JSON number only."""
    workspace = Workspace(stack, 1)
    stack.clear_twilio_requests()
    for delay in ("5", True, 5.5, None):
        answer = start(workspace, new_phone(), callDelay=delay)
        assert answer.status_code == 400, (delay, answer.text)
        assert answer.json()["error"]["code"] == "invalid_request"
        assert answer.json()["error"]["message"].startswith("callDelay: ")
    assert not [r for r in stack.twilio_requests() if r["path"].endswith("/OutgoingCallerIds.json")]


def test_a_number_in_any_format_names_the_same_verification_and_caller_id(stack):
    workspace = Workspace(stack, 1)
    phone = verified(stack, workspace)["phoneNumber"]
    national = f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"
    assert status(workspace, f"{phone[2:5]}.{phone[5:8]}.{phone[8:]}").json()["phoneNumber"] == phone
    listed = workspace.call("GET", "/v1/caller-ids", params={"phoneNumber": national}).json()["callerIds"]
    assert [c["phoneNumber"] for c in listed] == [phone]
    for answer in (status(workspace, "call-me"), workspace.call("GET", "/v1/caller-ids", params={"phoneNumber": "12"})):
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_phone_number", answer.text
        assert "phoneNumber: " in answer.json()["error"]["message"]


def test_an_expired_pending_verification_reads_as_gone(stack):
    workspace = Workspace(stack, 1)
    phone = new_phone()
    start(workspace, phone)
    stack.table.update_item(
        TableName=stack.stack.table_name,
        Key={"pk": {"S": f"WS#{workspace.sid}"}, "sk": {"S": f"VERIFICATION#{phone}"}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": "1"}},
    )
    assert status(workspace, phone).status_code == 404


def test_list_filters_match_exactly_and_page(stack):
    workspace = Workspace(stack, 1)
    made = [verified(stack, workspace) for _ in range(3)]
    sid = made[1]["sid"]
    renamed = workspace.call("PATCH", f"/v1/caller-ids/{sid}", json={"friendlyName": "Front desk"})
    assert renamed.status_code == 200 and renamed.json()["friendlyName"] == "Front desk"
    listed = workspace.call("GET", "/v1/caller-ids", params={"perPage": 2}).json()
    assert listed["meta"] == {"page": 1, "perPage": 2, "total": 3} and len(listed["callerIds"]) == 2
    second = workspace.call("GET", "/v1/caller-ids", params={"perPage": 2, "page": 2}).json()["callerIds"]
    assert len(second) == 1
    by_name = workspace.call("GET", "/v1/caller-ids", params={"friendlyName": "Front desk"}).json()
    assert [c["sid"] for c in by_name["callerIds"]] == [sid] and by_name["meta"]["total"] == 1
    assert workspace.call("GET", "/v1/caller-ids", params={"friendlyName": "Front"}).json()["callerIds"] == []
    by_phone = workspace.call("GET", "/v1/caller-ids", params={"phoneNumber": made[0]["phoneNumber"]}).json()
    assert [c["sid"] for c in by_phone["callerIds"]] == [made[0]["sid"]]
    assert workspace.call("GET", "/v1/caller-ids", params={"phoneNumber": workspace.p[0]}).json()["callerIds"] == []


def test_renaming_takes_one_to_sixty_four_characters_and_reaches_twilio(stack):
    workspace = Workspace(stack, 1)
    sid = verified(stack, workspace)["sid"]
    for bad in ("", "x" * 65):
        assert workspace.call("PATCH", f"/v1/caller-ids/{sid}", json={"friendlyName": bad}).status_code == 400
    assert workspace.call("PATCH", f"/v1/caller-ids/{sid}", json={"friendlyName": "x" * 64}).status_code == 200
    auth = (workspace.sid, stack.auth_token(workspace.sid))
    url = f"{stack.emulator}/2010-04-01/Accounts/{workspace.sid}/OutgoingCallerIds/{sid}.json"
    assert requests.get(url, auth=auth, timeout=10).json()["friendly_name"] == "x" * 64


def test_deleting_a_caller_id_on_a_call_keeps_that_calls_lock_and_stops_new_calls(stack):
    workspace = Workspace(stack, 1)
    caller_id = verified(stack, workspace)
    phone, sid = caller_id["phoneNumber"], caller_id["sid"]
    assert workspace.start(**{"from": phone}).status_code == 200
    assert workspace.call("DELETE", f"/v1/caller-ids/{sid}").status_code == 204
    assert phone not in workspace.listed()
    assert workspace.call("GET", f"/v1/caller-ids/{sid}").status_code == 404
    other = stack.agent(account_sid=workspace.sid)
    assert workspace.start(other, **{"from": phone}).status_code == 404
    lock = stack.table.get_item(
        TableName=stack.stack.table_name, Key={"pk": {"S": f"PHONE#{phone}"}, "sk": {"S": "PHONE"}}
    )["Item"]
    assert lock["holder_worker"]["S"] == workspace.agent.worker_sid, "the call in progress keeps its lock"
    auth = (workspace.sid, stack.auth_token(workspace.sid))
    url = f"{stack.emulator}/2010-04-01/Accounts/{workspace.sid}/OutgoingCallerIds/{sid}.json"
    assert requests.get(url, auth=auth, timeout=10).status_code == 404
    assert start(workspace, phone).status_code == 201, "it may be verified again"


def test_another_workspaces_caller_id_is_not_found_and_agents_may_not_manage(stack):
    workspace, other = Workspace(stack, 1), Workspace(stack, 1)
    sid = verified(stack, other)["sid"]
    for method, body in (("GET", None), ("PATCH", {"friendlyName": "mine"}), ("DELETE", None)):
        assert workspace.call(method, f"/v1/caller-ids/{sid}", json=body).status_code == 404
        assert other.call(method, f"/v1/caller-ids/{sid}", other.agent, json=body).status_code == 403
    assert other.call("GET", f"/v1/caller-ids/{sid}").status_code == 200


def play(stack, call_sid, digits):
    """The person on Twilio's verification call enters ``digits`` (the emulator posts the signed callback)."""
    answer = requests.post(
        f"{stack.emulator}/_emulator/verification-calls/{call_sid}", json={"digits": digits}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_end_to_end_the_person_enters_the_code_or_a_wrong_one(stack):
    workspace = Workspace(stack, 1)
    right, wrong = new_phone(), new_phone()
    started = start(workspace, right, friendlyName="Desk line").json()
    assert play(stack, started["callSid"], started["validationCode"])["verificationStatus"] == "success"
    state = status(workspace, right).json()
    assert state["status"] == "success" and state["outgoingCallerIdSid"].startswith("PN")
    listed = workspace.listed()[right]
    assert (listed["source"], listed["friendlyName"]) == ("verified", "Desk line")
    assert workspace.start(**{"from": right}).status_code == 200

    started = start(workspace, wrong).json()
    assert (
        play(stack, started["callSid"], "000000" if started["validationCode"] != "000000" else "111111")[
            "verificationStatus"
        ]
        == "failed"
    )
    assert status(workspace, wrong).json()["status"] == "failed"
    assert wrong not in workspace.listed()
