"""The BUILT Flex plugin (clients/flex-plugin/build/plugin-caller-id.js, what the Flex plugin builder makes in
`make plugin-build`) in a real browser, loaded by a stand-in of Flex's plugin API (flex_standin.js) on an origin the
API's CORS allows, against the local stack: the dropdown lists and saves, a call's From is rewritten and its number
locked, a colleague's explicit call from that number is refused (409, aborted, the API's message shown), and ending
the call frees the number for the next agent."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import ROOT, STATIC
from tests.conftest import Agent, LocalStack

pytestmark = pytest.mark.stack

# docs/flex-plugin.md's picture of the plugin: written on every run under .artifacts/, and to docs/ when asked
# (`UPDATE_SCREENSHOTS=1 make test`), so a test run leaves the work tree clean.
SCREENSHOT = ROOT / "docs" / "flex-plugin-dropdown.png"
ARTIFACT = ROOT / ".artifacts" / "browser" / "flex-plugin-dropdown.png"
QUEUE_SID = "WQ" + "0" * 31 + "1"


def _numbers(series: int) -> tuple[str, str]:
    """Two numbers of a test's own workspace (locks belong to numbers, so no other test may hold them)."""
    return f"+1720555{series:02d}01", f"+1917555{series:02d}02"


def _open_flex(browser: Browser, stack: LocalStack, origin: str, agent: Agent, roles: list[str]) -> Page:
    missing = [str(path) for path, _ in STATIC.values() if not Path(path).is_file()]
    assert not missing, f"run `make plugin-build` first (missing {missing})"
    context = browser.new_context(viewport={"width": 900, "height": 420})
    page = context.new_page()
    page.set_default_timeout(15_000)
    config = {
        "token": agent.token,
        "accountSid": agent.account_sid,
        "roles": roles,
        "identity": agent.identity,
        "workerSid": agent.worker_sid,
        "backendUrl": stack.api,
        "queueSid": QUEUE_SID,
    }
    page.add_init_script(f"window.FLEX_STANDIN = {json.dumps(config)};")
    page.goto(f"{origin}/flex/")
    page.wait_for_function("window.standin && window.standin.plugins.includes('CallerIdPlugin')")
    return page


def _lock_holder(stack: LocalStack, agent: Agent, number: str) -> Any:
    listed = stack.call("GET", "/v1/phone-numbers", agent, params={"search": number, "include": "locks"})
    assert listed.status_code == 200, listed.text
    (item,) = [n for n in listed.json()["phoneNumbers"] if n["phoneNumber"] == number]
    return item["lockedBy"]


def test_an_agent_calls_through_the_built_plugin(browser, browser_stack, allowed_origin):
    first, second = _numbers(35)
    account = browser_stack.subaccount(numbers=[first, second])
    agent, colleague, third = (browser_stack.agent(account_sid=account["sid"]) for _ in range(3))
    page = _open_flex(browser, browser_stack, allowed_origin, agent, ["agent"])
    try:
        # The dropdown lists the workspace's numbers (GET /v1/phone-numbers) and starts at "Automatic".
        select = page.get_by_label("Call from")
        page.wait_for_function("document.querySelectorAll('#caller-id-select option').length === 3")
        values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
        assert sorted(values) == sorted(["", first, second])
        assert select.input_value() == ""
        assert page.get_by_role("button", name="Phone numbers").count() == 0  # agents get no console link

        # Choosing a number saves it (PUT /v1/workers/me/caller-id): the API reads it back.
        select.select_option(first)
        page.wait_for_function("document.querySelector('[role=status]').textContent === ''")
        saved = browser_stack.call("GET", "/v1/workers/me/caller-id", agent).json()
        assert saved == {"workerSid": agent.worker_sid, "callerId": first, "localPresence": False, "version": 1}
        for target in [ARTIFACT, SCREENSHOT] if os.environ.get("UPDATE_SCREENSHOTS") == "1" else [ARTIFACT]:
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target))

        # The agent dials: the From rewrite puts the saved number in the payload, and the number is locked.
        page.get_by_role("button", name="Call", exact=True).click()
        page.wait_for_function("window.standin.settled('StartOutboundCall')")
        assert page.evaluate("window.standin.calls.length") == 1
        call = page.evaluate("window.standin.calls[0].payload")
        assert call["callerId"] == first and call["destination"] == "+14155551234"
        assert _lock_holder(browser_stack, third, first) == agent.worker_sid

        # A colleague asking for that number explicitly is refused: the plugin aborts and shows the API's message.
        refusal = browser_stack.call(
            "POST", "/v1/outbound-calls", colleague, json={"to": "+13035551234", "from": first}
        )
        assert refusal.status_code == 409, refusal.text
        message = refusal.json()["error"]["message"]
        other = _open_flex(browser, browser_stack, allowed_origin, colleague, ["agent"])
        try:
            started = other.evaluate(
                "number => Twilio.Flex.Actions.invokeAction('StartOutboundCall',"
                " {destination: '+13035551234', callerId: number})",
                first,
            )
            assert started is False
            assert other.evaluate("window.standin.calls.length") == 0
            shown = other.locator("#notifications li")
            assert shown.all_text_contents() == [f"The call was not placed: {message}"]
        finally:
            other.context.close()
        assert _lock_holder(browser_stack, third, first) == agent.worker_sid

        # The agent hangs up and completes the task: the lock is released, so a third agent can take the number.
        page.get_by_role("button", name="Hang up").click()
        page.get_by_role("button", name="Complete").click()
        page.wait_for_function("window.standin.settled('HangupCall') && window.standin.settled('CompleteTask')")
        assert page.evaluate("window.standin.calls[0].task.status") == "completed"
        assert _lock_holder(browser_stack, third, first) is None
        taken = browser_stack.call("POST", "/v1/outbound-calls", third, json={"to": "+13035551234", "from": first})
        assert taken.status_code == 200, taken.text
        assert taken.json()["lock"] == {**taken.json()["lock"], "phoneNumber": first, "workerSid": third.worker_sid}
        browser_stack.call("DELETE", "/v1/outbound-calls/lock", third)
    finally:
        page.context.close()


def test_the_local_presence_toggle_is_saved(browser, browser_stack, allowed_origin):
    first, second = _numbers(36)
    account = browser_stack.subaccount(numbers=[first, second])
    agent = browser_stack.agent(account_sid=account["sid"])
    page = _open_flex(browser, browser_stack, allowed_origin, agent, ["agent"])
    try:
        page.wait_for_function("document.querySelectorAll('#caller-id-select option').length === 3")
        page.get_by_role("switch").check()
        page.wait_for_function("document.querySelector('[role=status]').textContent === ''")
        assert browser_stack.call("GET", "/v1/workers/me/caller-id", agent).json()["localPresence"] is True
    finally:
        page.context.close()


def test_a_supervisor_opens_the_console_signed_in(browser, browser_stack, allowed_origin):
    supervisor = browser_stack.agent(("supervisor",))
    page = _open_flex(browser, browser_stack, allowed_origin, supervisor, ["supervisor"])
    try:
        with page.context.expect_page() as opened:
            page.get_by_role("button", name="Phone numbers").click()
        url = opened.value.url
        assert url == f"{browser_stack.api}/console/#token={supervisor.token}&accountSid={supervisor.account_sid}"
    finally:
        page.context.close()
