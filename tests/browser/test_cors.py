"""The Flex plugin's calls from a web page in a real browser: the browser runs the CORS checks (a refused
preflight or response shows as a TypeError from fetch), so these pass only if the API's answers satisfy them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.conftest import Agent, LocalStack

pytestmark = pytest.mark.stack

JSON = "application/json"

# Every route and method the Flex plugin uses, in the order of an agent's outbound call.
PLUGIN_CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/phone-numbers", None),
    ("GET", "/v1/workers/me/caller-id", None),
    ("PUT", "/v1/workers/me/caller-id", {"callerId": "+12125550100", "localPresence": False}),
    ("POST", "/v1/outbound-calls", {"to": "+14155552671"}),
    ("DELETE", "/v1/outbound-calls/lock", None),
]


def call_api(
    page: Page,
    stack: LocalStack,
    method: str,
    path: str,
    agent: Agent,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``fetch()`` from the page, as the plugin does: bearer token and a JSON content type."""
    sent = {"Authorization": f"Bearer {agent.token}", "Content-Type": JSON, **(headers or {})}
    return dict(
        page.evaluate(
            "([method, url, headers, body]) => callApi(method, url, headers, body)",
            [method, f"{stack.api}{path}", sent, body],
        )
    )


def test_the_flex_plugins_calls_succeed_from_an_allowed_origin(page, browser_stack, allowed_origin):
    agent = browser_stack.agent()
    page.goto(allowed_origin)

    outcomes = {f"{m} {p}": call_api(page, browser_stack, m, p, agent, body) for m, p, body in PLUGIN_CALLS}

    failed = {call: o for call, o in outcomes.items() if not (o["ok"] and 200 <= o["status"] < 300)}
    assert not failed, failed
    assert '"released":true' in outcomes["DELETE /v1/outbound-calls/lock"]["body"].replace(" ", "")


def test_a_supervisor_manages_an_agents_selection_from_an_allowed_origin(page, browser_stack, allowed_origin):
    agent = browser_stack.agent()
    supervisor = browser_stack.agent(("supervisor",))
    page.goto(allowed_origin)
    path = f"/v1/workers/{agent.worker_sid}/caller-id"

    read = call_api(page, browser_stack, "GET", path, supervisor)
    written = call_api(
        page, browser_stack, "PUT", path, supervisor, {"callerId": "+12125550100", "localPresence": True}
    )

    assert read["ok"] and read["status"] == 200, read
    assert written["ok"] and written["status"] == 200, written


def test_the_account_header_of_subaccount_agents_passes_the_preflight(page, browser_stack, allowed_origin):
    agent = browser_stack.agent()
    page.goto(allowed_origin)

    outcome = call_api(
        page,
        browser_stack,
        "PUT",
        "/v1/workers/me/caller-id",
        agent,
        {"callerId": "+12125550100", "localPresence": False},
        headers={"X-Twilio-Account-Sid": agent.account_sid},
    )

    assert outcome["ok"] and outcome["status"] == 200, outcome


@pytest.mark.parametrize(("method", "path", "body"), PLUGIN_CALLS, ids=[f"{m} {p}" for m, p, _ in PLUGIN_CALLS])
def test_a_page_on_an_unlisted_origin_is_refused_by_the_browser(
    page, browser_stack, unlisted_origin, method, path, body
):
    page.goto(unlisted_origin)

    outcome = call_api(page, browser_stack, method, path, browser_stack.agent(), body)

    assert not outcome["ok"], outcome
    assert outcome["error"].startswith("TypeError"), outcome


def test_an_unlisted_origin_cannot_read_even_a_simple_request(page, browser_stack, unlisted_origin, allowed_origin):
    """No preflight for a plain GET: the response itself must carry no grant for the page to be refused it."""
    script = "url => fetch(url).then(r => r.status, e => `${e.name}: ${e.message}`)"
    page.goto(allowed_origin)
    assert page.evaluate(script, f"{browser_stack.api}/health") == 200

    page.goto(unlisted_origin)
    refused = page.evaluate(script, f"{browser_stack.api}/health")

    assert str(refused).startswith("TypeError"), refused
