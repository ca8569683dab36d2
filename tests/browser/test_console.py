"""The admin console in a real Chromium against the local stack: signing in (the Flex plugin's link, or a pasted
token), the agent's refusal, the numbers list with its filters and page in the address bar, the add-number wizard
(purchase, import, add manually, configure), a number's detail and actions, verified caller IDs end to end, and
axe-core on every screen. Each test works in a subaccount of its own (a workspace with its own numbers)."""

from __future__ import annotations

import itertools
import re
import uuid
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import block_other_origins

# A workspace's first list reads its numbers from "Twilio"; on a busy 2-core machine that can take seconds.
expect.set_options(timeout=15_000)
BLOCKS = itertools.count(uuid.uuid4().int % 400 * 20 + 1000, 20)


class Workspace:
    """A subaccount with ``count`` numbers of its own at "Twilio" (area code 617), its supervisor and an agent."""

    def __init__(self, stack, count: int = 3) -> None:
        block = next(BLOCKS)
        self.phones = [f"+1617555{block + i:04d}" for i in range(count)]
        self.stack = stack
        self.sid = stack.subaccount(self.phones)["sid"]
        self.supervisor = stack.agent(("supervisor",), account_sid=self.sid)
        self.agent = stack.agent(account_sid=self.sid)

    def call(self, method, path, agent=None, **kwargs):
        return self.stack.call(method, path, agent or self.supervisor, **kwargs)

    def own(self) -> dict[str, dict]:
        answer = self.call("GET", "/v1/phone-numbers", params={"perPage": 1000})
        assert answer.status_code == 200, answer.text
        return {n["phoneNumber"]: n for n in answer.json()["phoneNumbers"] if not n["shared"]}


@pytest.fixture
def workspace(local_stack):
    return Workspace(local_stack)


def open_console(page: Page, console, workspace: Workspace, path: str = "", agent=None) -> None:
    who = agent or workspace.supervisor
    page.goto(console.link(who.token, workspace.sid, path))


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def assert_accessible(page: Page, console, screen: str) -> None:
    violations = console.serious_violations(page)
    assert violations == [], f"{screen}: {violations}"


# -- signing in


def test_the_flex_plugins_link_signs_in_and_leaves_no_token_in_the_address_bar(page, console, workspace):
    sent: list[dict[str, str]] = []
    page.on("request", lambda r: sent.append(r.headers) if "/v1/" in r.url else None)
    open_console(page, console, workspace)
    expect(heading(page)).to_have_text("Phone numbers")
    expect(page.get_by_role("link", name=workspace.phones[0])).to_be_visible()
    assert urlsplit(page.url).fragment == "" and "token" not in page.url
    stored = page.evaluate("() => JSON.parse(sessionStorage.getItem('callerIdConsole.session'))")
    assert stored == {"token": workspace.supervisor.token, "accountSid": workspace.sid}
    assert page.evaluate("() => localStorage.length") == 0
    assert sent and all(h.get("authorization") == f"Bearer {workspace.supervisor.token}" for h in sent)
    assert all(h.get("x-twilio-account-sid") == workspace.sid for h in sent)
    assert_accessible(page, console, "numbers list")
    # A reload keeps the session (sessionStorage); signing out forgets it.
    page.reload()
    expect(page.get_by_role("link", name=workspace.phones[0])).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(heading(page)).to_have_text("Sign in")
    assert page.evaluate("() => sessionStorage.length") == 0


def test_a_token_that_stops_being_valid_sends_the_user_back_to_sign_in(page, console, local_stack, workspace):
    open_console(page, console, workspace)
    expect(page.get_by_role("link", name=workspace.phones[0])).to_be_visible()
    # As if the token expired while the console was open: the next call is refused.
    stale = {"token": "flex-expired-token", "accountSid": workspace.sid}
    page.evaluate("(s) => sessionStorage.setItem('callerIdConsole.session', JSON.stringify(s))", stale)
    page.get_by_role("link", name="Verified caller IDs").click()
    expect(heading(page)).to_have_text("Sign in")
    refused = local_stack.call(
        "GET",
        "/v1/caller-ids",
        headers={"Authorization": "Bearer flex-expired-token", "X-Twilio-Account-Sid": workspace.sid},
    )
    expect(page.get_by_role("alert")).to_have_text(refused.json()["error"]["message"])
    assert page.evaluate("() => sessionStorage.length") == 0


def test_a_pasted_token_signs_in_and_a_bad_one_shows_the_apis_message(page, console, local_stack, workspace):
    page.goto(console.root)
    expect(heading(page)).to_have_text("Sign in")
    assert_accessible(page, console, "sign in")
    page.get_by_label("Flex token").fill("not-a-flex-token")
    page.get_by_label("Account SID").fill(workspace.sid)
    page.get_by_role("button", name="Sign in").click()
    refused = local_stack.call("GET", "/v1/caller-ids", headers={"Authorization": "Bearer not-a-flex-token"})
    assert refused.status_code == 401
    expect(page.get_by_role("alert")).to_have_text(refused.json()["error"]["message"])
    expect(heading(page)).to_have_text("Sign in")
    assert_accessible(page, console, "sign in with an error")

    page.get_by_label("Flex token").fill(workspace.supervisor.token)
    page.get_by_label("Account SID").fill(workspace.sid)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text("Phone numbers")
    expect(page.get_by_role("link", name=workspace.phones[1])).to_be_visible()


def test_an_agent_is_told_the_console_needs_a_supervisor(page, console, workspace):
    open_console(page, console, workspace, agent=workspace.agent)
    expect(heading(page)).to_have_text("This console needs a supervisor")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    assert_accessible(page, console, "agent refused")
    page.get_by_role("button", name="Sign in as someone else").click()
    expect(heading(page)).to_have_text("Sign in")


# -- the numbers list


def test_filters_and_the_page_live_in_the_address_bar_and_survive_a_reload(page, console, local_stack):
    workspace = Workspace(local_stack, count=5)
    carried = f"+1303555{next(BLOCKS):04d}"
    byot = workspace.call(
        "POST", "/v1/phone-numbers", json={"phoneNumber": carried, "provider": "Acme", "connection": "sip:x"}
    )
    assert byot.status_code == 201, byot.text
    open_console(page, console, workspace)
    expect(page.get_by_role("link", name=workspace.phones[0])).to_be_visible()
    page.get_by_label("Per page").select_option("10")
    page.get_by_label("Source").select_option("twilio")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"/console/\?source=twilio&per_page=10$"))
    rows = page.locator("table.numbers tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("table.numbers tbody tr").first.get_by_text("Twilio", exact=True).first).to_be_visible()

    page.goto(f"{console.root}?source=twilio&per_page=2&page=2")
    expect(page.get_by_text("5 numbers · page 2 of 3")).to_be_visible()
    expect(rows).to_have_count(2)
    second_page = rows.locator("a.mono").all_inner_texts()
    assert second_page == sorted(workspace.phones)[2:4]
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"source=twilio&page=3&per_page=2$"))
    expect(rows).to_have_count(1)
    page.go_back()
    expect(rows.locator("a.mono")).to_have_text(second_page)
    page.reload()
    expect(page.get_by_text("5 numbers · page 2 of 3")).to_be_visible()
    expect(page.get_by_label("Source")).to_have_value("twilio")
    expect(page.get_by_label("Per page")).to_have_value("2")

    page.get_by_label("Search").fill(workspace.phones[3][-4:])
    page.get_by_label("Source").select_option("")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(rf"\?search={workspace.phones[3][-4:]}&per_page=2$"))
    expect(rows.locator("a.mono")).to_have_text([workspace.phones[3]])
    expect(rows.first).to_contain_text("Unassigned")
    page.goto(f"{console.root}?source=byot")
    expect(rows.locator("a.mono")).to_have_text([carried])
    expect(rows.first).to_contain_text("Other carrier")
    assert_accessible(page, console, "filtered list")


# -- the add-number wizard


def start_wizard(page: Page, how: str) -> None:
    page.get_by_role("link", name="Add number").click()
    expect(heading(page)).to_have_text("Add number")
    page.get_by_label(how).check()
    page.get_by_role("button", name="Next").click()


def test_buying_by_area_code_asks_to_confirm_the_charges_then_configures_the_number(page, console, workspace):
    open_console(page, console, workspace)
    start_wizard(page, "Purchase from Twilio")
    assert_accessible(page, console, "wizard: purchase search")
    page.get_by_label("Area code").fill("305")
    page.get_by_role("button", name="Search").click()
    buy = page.get_by_role("button", name=re.compile(r"^Buy \+1305"))
    expect(buy.first).to_be_visible()
    assert_accessible(page, console, "wizard: available numbers")
    phone = buy.first.get_attribute("aria-label").removeprefix("Buy ")

    buy.first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Twilio charges your account")
    assert_accessible(page, console, "wizard: buy confirmation")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert phone not in workspace.own()

    buy.first.click()
    page.get_by_role("dialog").get_by_role("button", name="Buy number").click()
    expect(page.get_by_role("heading", name=f"Configure {phone}")).to_be_visible()
    assert workspace.own()[phone]["source"] == "twilio"
    assert_accessible(page, console, "wizard: configure")
    page.get_by_label("Label").fill("Miami line")
    page.get_by_label("Inbound agent").fill(workspace.agent.worker_sid)
    page.get_by_label("Allowed inbound countries").select_option(["US", "CA"])
    page.get_by_label("Allowed outbound countries").select_option(["US"])
    page.get_by_role("button", name="Save and finish").click()
    expect(page.get_by_role("heading", name="Number added")).to_be_visible()
    assert_accessible(page, console, "wizard: done")
    saved = workspace.own()[phone]
    assert (saved["label"], saved["inboundAgent"]) == ("Miami line", workspace.agent.worker_sid)
    assert (sorted(saved["allowedInboundCountries"]), saved["allowedOutboundCountries"]) == (["CA", "US"], ["US"])

    page.get_by_role("link", name="View number").click()
    expect(heading(page)).to_have_text(phone)
    expect(page.get_by_label("Label")).to_have_value("Miami line")
    page.get_by_role("link", name="← All numbers").click()
    expect(page.get_by_role("row", name=re.compile(re.escape(phone)))).to_contain_text(workspace.agent.worker_sid)


def test_importing_an_owned_number_warns_that_its_webhooks_are_replaced(page, console, local_stack, workspace):
    sid = workspace.own()[workspace.phones[1]]["sid"]
    url = f"{local_stack.emulator}/2010-04-01/Accounts/{workspace.sid}/IncomingPhoneNumbers/{sid}.json"
    auth = (workspace.sid, local_stack.auth_token(workspace.sid))
    requests.post(url, data={"VoiceUrl": "https://pbx.example.com/voice"}, auth=auth, timeout=10).raise_for_status()
    open_console(page, console, workspace)
    start_wizard(page, "Purchase from Twilio")
    page.get_by_role("tab", name="In your Twilio account").click()
    row = page.get_by_role("row", name=re.compile(re.escape(workspace.phones[1])))
    expect(row).to_contain_text("Not in app yet")
    assert_accessible(page, console, "wizard: owned numbers")
    row.get_by_role("button", name=f"Import {workspace.phones[1]}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("replaces this number's webhooks")
    expect(dialog).to_contain_text("https://pbx.example.com/voice")
    dialog.get_by_role("button", name="Import and replace webhooks").click()
    expect(page.get_by_role("heading", name=f"Configure {workspace.phones[1]}")).to_be_visible()
    page.get_by_role("button", name="Skip").click()
    expect(page.get_by_role("heading", name="Number added")).to_be_visible()

    page.get_by_role("button", name="Add another").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("tab", name="In your Twilio account").click()
    page.get_by_role("button", name="Refresh").click()
    expect(page.get_by_role("row", name=re.compile(re.escape(workspace.phones[1])))).to_contain_text("Already imported")
    expect(page.get_by_role("row", name=re.compile(re.escape(workspace.phones[0])))).to_contain_text("Not in app yet")
    voice = requests.get(url, auth=auth, timeout=10).json()["voice_url"]
    assert voice == f"{local_stack.facts['publicBaseUrl']}/webhooks/twilio/voice"


def test_adding_a_number_manually_waits_for_a_valid_number_and_a_provider(page, console, workspace):
    open_console(page, console, workspace)
    start_wizard(page, "Add manually")
    next_button = page.get_by_role("button", name="Next")
    expect(next_button).to_be_disabled()
    assert_accessible(page, console, "wizard: add manually")
    page.get_by_label("Phone number").fill("12")
    page.get_by_label("Provider").fill("Acme Telecom")
    page.get_by_label("Connection").fill("sip:pbx.example.com")
    expect(next_button).to_be_disabled()
    page.get_by_label("Phone number").fill("+1 999 555 0100")  # counted as a number here; the API says no
    expect(next_button).to_be_enabled()
    page.get_by_label("Provider").fill("")
    expect(next_button).to_be_disabled()
    page.get_by_label("Provider").fill("Acme Telecom")
    next_button.click()
    refused = workspace.call(
        "POST", "/v1/phone-numbers", json={"phoneNumber": "+1 999 555 0100", "provider": "A", "connection": "B"}
    )
    assert refused.json()["error"]["code"] == "invalid_phone_number"
    expect(page.get_by_role("alert")).to_have_text(refused.json()["error"]["message"])
    expect(page.get_by_label("Phone number")).to_have_attribute("aria-invalid", "true")

    phone = f"+1720555{next(BLOCKS):04d}"
    page.get_by_label("Phone number").fill(f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}")
    next_button.click()
    expect(page.get_by_role("heading", name=f"Configure {phone}")).to_be_visible()
    number = workspace.own()[phone]
    assert (number["source"], number["status"]) == ("byot", "active")


# -- a number's detail


def test_a_numbers_actions_and_sections_save_what_they_show(page, console, local_stack, workspace):
    phone = workspace.phones[0]
    sid = workspace.own()[phone]["sid"]
    open_console(page, console, workspace, f"numbers/{sid}")
    expect(heading(page)).to_have_text(phone)
    expect(page.get_by_text("Twilio-managed")).to_be_visible()
    expect(page.get_by_text("State:")).to_be_visible()
    assert_accessible(page, console, "number detail")

    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status").filter(has_text="Deactivated.")).to_be_visible()
    assert workspace.own()[phone]["status"] == "inactive"
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("button", name="Deactivate")).to_be_visible()
    assert workspace.own()[phone]["status"] == "active"

    page.get_by_role("button", name="Set as primary").click()
    expect(page.get_by_role("button", name="Primary number")).to_be_disabled()
    assert [p for p, n in workspace.own().items() if n["isPrimary"]] == [phone]

    page.get_by_role("button", name="Re-sync from Twilio").click()
    expect(page.get_by_text("Re-read from Twilio.")).to_be_visible()

    page.get_by_label("Label").fill("Front desk")
    page.get_by_role("button", name="Save label").click()
    expect(page.get_by_text("Label saved.")).to_be_visible()
    page.get_by_label("Allowed outbound countries").select_option(["GB", "US"])
    page.get_by_role("button", name="Save countries").click()
    expect(page.get_by_text("Countries saved.")).to_be_visible()
    page.get_by_label("Child accounts' agents may call from this number").check()
    page.get_by_role("button", name="Save sharing").click()
    expect(page.get_by_text("Sharing saved.")).to_be_visible()
    page.get_by_label("A team").check()
    page.get_by_label("Who").fill("Sales")
    page.get_by_role("button", name="Save outbound assignment").click()
    expect(page.get_by_text("Outbound assignment saved.")).to_be_visible()
    page.get_by_label("Worker SID", exact=True).fill("not-a-worker")
    page.get_by_role("button", name="Save inbound agent").click()
    expect(page.locator("form", has_text="Save inbound agent").get_by_role("alert")).to_contain_text("inboundAgent")

    saved = workspace.own()[phone]
    assert (saved["label"], sorted(saved["allowedOutboundCountries"])) == ("Front desk", ["GB", "US"])
    assert saved["outboundShareable"] is True and saved["outboundAssignment"]["team"] == "Sales"
    assert saved["inboundAgent"] is None
    page.reload()
    expect(page.get_by_label("Label")).to_have_value("Front desk")
    expect(page.get_by_label("A team")).to_be_checked()
    expect(page.get_by_label("Who")).to_have_value("Sales")


def test_health_shows_the_calls_counted_for_the_number(page, console, local_stack, workspace):
    phone = workspace.phones[2]
    sid = workspace.own()[phone]["sid"]
    for status, call in (("completed", "CA" + uuid.uuid4().hex), ("no-answer", "CA" + uuid.uuid4().hex)):
        params = {
            "AccountSid": workspace.sid,
            "CallSid": call,
            "CallStatus": status,
            "From": phone,
            "To": "+14155552671",
            "Direction": "outbound-api",
            "CallDuration": "30" if status == "completed" else "0",
            "Timestamp": "Thu, 03 Dec 2026 06:00:00 +0000",
        }
        assert local_stack.webhook("/webhooks/twilio/call-status", params).status_code == 204
    health = workspace.call("GET", f"/v1/phone-numbers/{sid}/health").json()
    assert (health["attempts"], health["answered"]) == (2, 1)
    open_console(page, console, workspace, f"numbers/{sid}")
    section = page.get_by_role("region", name="Health")
    expect(section).to_contain_text("Calls2")
    expect(section).to_contain_text("Answered1")
    expect(section).to_contain_text("Answer rate50%")
    expect(section).to_contain_text(health["state"])


def test_releasing_names_its_permanence_and_a_locked_number_is_refused(page, console, workspace):
    phone = workspace.phones[1]
    sid = workspace.own()[phone]["sid"]
    call = workspace.call("POST", "/v1/outbound-calls", workspace.agent, json={"to": "+14155552671", "from": phone})
    assert call.status_code == 200, call.text
    open_console(page, console, workspace, f"numbers/{sid}")
    expect(page.get_by_text(f"On a call by {workspace.agent.worker_sid}")).to_be_visible()
    page.get_by_role("button", name="Release").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text(f"Release {phone} permanently?")
    expect(dialog).to_contain_text("This is permanent")
    assert_accessible(page, console, "release confirmation")
    dialog.get_by_role("button", name="Release permanently").click()
    refused = workspace.call("DELETE", f"/v1/phone-numbers/{sid}")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "caller_id_in_use"
    expect(page.get_by_role("alert")).to_have_text(refused.json()["error"]["message"])
    assert phone in workspace.own()

    released = workspace.call("DELETE", "/v1/outbound-calls/lock", workspace.agent)
    assert released.status_code == 200, released.text
    page.get_by_role("button", name="Release").click()
    page.get_by_role("dialog").get_by_role("button", name="Release permanently").click()
    expect(page.get_by_text(f"Released {phone}.")).to_be_visible()
    expect(heading(page)).to_have_text("Phone numbers")
    assert phone not in workspace.own()


def test_an_unknown_number_or_screen_is_not_available_with_a_way_back(page, console, workspace):
    open_console(page, console, workspace, "numbers/PN" + "0" * 32)
    expect(heading(page)).to_have_text("Resource not available")
    assert_accessible(page, console, "not available")
    page.get_by_role("link", name="Back to phone numbers").click()
    expect(heading(page)).to_have_text("Phone numbers")
    page.goto(f"{console.root}no/such/screen")
    expect(heading(page)).to_have_text("Resource not available")


# -- verified caller IDs


def play(local_stack, call_sid: str, digits: str) -> None:
    answer = requests.post(
        f"{local_stack.emulator}/_emulator/verification-calls/{call_sid}", json={"digits": digits}, timeout=30
    )
    assert answer.status_code == 200, answer.text


def test_verifying_a_caller_id_shows_the_code_and_follows_the_call_to_the_end(page, console, local_stack, workspace):
    phone = f"+1971555{next(BLOCKS):04d}"
    open_console(page, console, workspace)
    page.get_by_role("link", name="Verified caller IDs").click()
    expect(heading(page)).to_have_text("Verified caller IDs")
    expect(page.get_by_text("No verified caller IDs yet.")).to_be_visible()
    assert_accessible(page, console, "caller IDs")

    page.get_by_label("Phone number").fill(phone)
    page.get_by_label("Name").fill("Portland desk")
    with page.expect_response(lambda r: r.url.endswith("/v1/caller-ids/verifications")) as started:
        page.get_by_role("button", name="Call and verify").click()
    body = started.value.json()
    expect(page.locator(".code")).to_have_text(body["validationCode"])
    expect(page.get_by_role("status").filter(has_text="waiting for the code")).to_be_visible()
    assert_accessible(page, console, "verification pending")
    wrong = "000000" if body["validationCode"] != "000000" else "111111"
    play(local_stack, body["callSid"], wrong)
    expect(page.get_by_text("Verification failed")).to_be_visible(timeout=20_000)

    with page.expect_response(lambda r: r.url.endswith("/v1/caller-ids/verifications")) as again:
        page.get_by_role("button", name="Call and verify").click()
    body = again.value.json()
    expect(page.locator(".code")).to_have_text(body["validationCode"])
    play(local_stack, body["callSid"], body["validationCode"])
    expect(page.get_by_text(f"{phone} is verified")).to_be_visible(timeout=20_000)
    row = page.get_by_role("row", name=re.compile(re.escape(phone)))
    expect(row).to_contain_text("Portland desk")

    row.get_by_role("button", name=f"Rename {phone}").click()
    page.get_by_label(f"New name for {phone}").fill("Portland front desk")
    assert_accessible(page, console, "caller ID rename")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(f"Renamed {phone} to Portland front desk.")).to_be_visible()
    listed = workspace.call("GET", "/v1/caller-ids", params={"phoneNumber": phone}).json()["callerIds"]
    assert [c["friendlyName"] for c in listed] == ["Portland front desk"]

    row.get_by_role("button", name=f"Delete {phone}").click()
    assert_accessible(page, console, "caller ID delete confirmation")
    page.get_by_role("dialog").get_by_role("button", name="Delete caller ID").click()
    expect(page.get_by_text(f"Deleted {phone}.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(re.escape(phone)))).to_have_count(0)
    assert workspace.call("GET", "/v1/caller-ids", params={"phoneNumber": phone}).json()["callerIds"] == []


# -- what the page loads


def test_the_console_loads_nothing_from_another_origin_and_breaks_no_policy(page, console, local_stack, workspace):
    elsewhere = block_other_origins(page, local_stack.api)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    loaded: list[str] = []
    page.on("requestfinished", lambda r: loaded.append(r.url))
    sid = workspace.own()[workspace.phones[0]]["sid"]
    for path in ("", f"numbers/{sid}", "add", "caller-ids"):
        open_console(page, console, workspace, path)
        expect(heading(page)).not_to_have_text("Loading…")
        page.wait_for_load_state("networkidle")
    assert elsewhere == [] and refused == []
    assert any(u.endswith("/console/js/app.js") for u in loaded)
    assert any(u.endswith("/console/console.css") for u in loaded)


def test_axe_reports_what_it_should_so_a_clean_screen_means_something(page, console, workspace):
    open_console(page, console, workspace)
    expect(page.get_by_role("link", name=workspace.phones[0])).to_be_visible()
    page.evaluate("() => document.querySelector('#search').closest('.field').querySelector('label').remove()")
    found = {v["id"] for v in console.serious_violations(page)}
    assert "label" in found


def test_the_console_works_from_the_keyboard(page, console, workspace):
    open_console(page, console, workspace)
    expect(page.get_by_role("link", name=workspace.phones[0])).to_be_visible()
    expect(heading(page)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Add number")).to_be_focused()
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Add number")
    expect(page.get_by_role("heading", name="How do you want to add a number?")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Purchase from Twilio")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Add manually")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Add a number from another carrier")).to_be_visible()
    page.get_by_role("button", name="Back").click()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Purchase from Twilio")).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="Available to purchase").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="In your Twilio account")).to_be_focused()
    expect(page.get_by_role("tab", name="In your Twilio account")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("row", name=re.compile(re.escape(workspace.phones[0])))).to_be_visible()
    page.get_by_role("button", name=f"Import {workspace.phones[0]}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_role("button", name="Import and replace webhooks")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert workspace.call("GET", "/v1/phone-numbers/twilio").json()["phoneNumbers"][0]["imported"] is False


def test_the_console_without_its_trailing_slash_is_the_same_console(page, console, workspace):
    page.goto(console.link(workspace.supervisor.token, workspace.sid).replace("/console/#", "/console#"))
    expect(page.get_by_role("link", name=workspace.phones[0])).to_be_visible()
    page.get_by_role("link", name="Verified caller IDs").click()
    expect(page).to_have_url(console.root + "caller-ids")
    expect(heading(page)).to_have_text("Verified caller IDs")


# -- Trust Hub


def test_a_numbers_trust_hub_products_show_as_badges_with_their_kind_and_status(page, console, local_stack, workspace):
    parent = local_stack.parent["sid"]
    products = {}
    for kind, status in (("voice_integrity", "twilio-approved"), ("shaken_stir", "draft"), ("cnam", "twilio-approved")):
        body = {"accountSid": parent, "friendlyName": f"{kind} {uuid.uuid4().hex[:6]}", "kind": kind, "status": status}
        products[kind] = requests.post(
            f"{local_stack.emulator}/_emulator/trust-products", json=body, timeout=10
        ).json()["sid"]
    phone = workspace.phones[0]
    sid = workspace.own()[phone]["sid"]
    answer = workspace.call("PUT", f"/v1/phone-numbers/{sid}/trust", json={"productSids": list(products.values())})
    assert answer.status_code == 200, answer.text
    # Twilio's review rejects the CNAM product afterwards; a re-sync reads it
    rejected = {"status": "twilio-rejected"}
    requests.post(f"{local_stack.emulator}/_emulator/trust-products/{products['cnam']}", json=rejected, timeout=10)

    open_console(page, console, workspace, f"numbers/{sid}")
    page.get_by_role("button", name="Re-sync from Twilio").click()
    trust = page.locator("dd").filter(has=page.locator(".trust-list"))
    expect(trust).to_contain_text("Voice Integrity: approved")
    expect(trust).to_contain_text("SHAKEN/STIR: draft")
    expect(trust).to_contain_text("CNAM: rejected by Twilio")
    expect(page.locator(".badge-trust-approved")).to_have_count(1)
    expect(page.locator(".badge-trust-pending")).to_have_count(1)
    expect(page.locator(".badge-trust-rejected")).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_count(0)  # a status, not an error
    assert_accessible(page, console, "a number with Trust Hub products")

    page.goto(console.link(workspace.supervisor.token, workspace.sid, ""))
    row = page.get_by_role("row").filter(has_text=phone)
    expect(row).to_contain_text("Voice Integrity: approved")
    expect(row.locator(".badge-trust-rejected")).to_have_count(1)
    assert_accessible(page, console, "the list with Trust Hub badges")


def test_a_numbers_page_shows_its_last_30_days_and_its_recent_calls(page, console, local_stack, workspace):
    phone = workspace.phones[1]
    sid = workspace.own()[phone]["sid"]
    agent = local_stack.agent(account_sid=workspace.sid)
    placed = local_stack.call("POST", "/v1/outbound-calls", agent, json={"to": "+14155552671", "from": phone})
    assert placed.status_code == 200, placed.text
    params = {
        "AccountSid": workspace.sid,
        "CallSid": "CA" + uuid.uuid4().hex,
        "CallStatus": "failed",
        "From": phone,
        "To": "+14155552671",
        "Direction": "outbound-api",
        "CallDuration": "0",
        "SipResponseCode": "608",
        "Timestamp": "Thu, 03 Dec 2026 06:00:00 +0000",
    }
    assert local_stack.webhook("/webhooks/twilio/call-status", params).status_code == 204
    open_console(page, console, workspace, f"numbers/{sid}")
    health = page.get_by_role("region", name="Health")
    expect(health).to_contain_text("Blocked by carriers1")
    expect(health.get_by_role("table", name="Last 30 days (UTC)").get_by_role("row")).to_have_count(31)
    calls = page.get_by_role("region", name="Recent calls")
    row = calls.get_by_role("row").nth(1)
    expect(row).to_contain_text("+14155552671")
    expect(row).to_contain_text("Blocked")
    expect(row).to_contain_text("608")
    expect(row).to_contain_text(agent.worker_sid)
