"""Swagger UI at /docs renders the API's document in a real Chromium, loading nothing from anywhere else."""

from __future__ import annotations

from tests.browser.conftest import block_other_origins


def test_swagger_ui_renders_the_document_from_this_api_alone(browser_stack, page):
    elsewhere = block_other_origins(page, browser_stack.api)
    page.goto(f"{browser_stack.api}/docs")
    page.wait_for_selector("text=Caller-ID backend for Twilio Flex", timeout=20_000)
    page.get_by_text("/v1/outbound-calls/lock").first.wait_for(timeout=20_000)
    assert elsewhere == []


def test_swagger_ui_groups_operations_by_area_with_their_summaries(browser_stack, page):
    page.goto(f"{browser_stack.api}/docs")
    for tag in ("calls", "numbers", "caller IDs", "people", "webhooks", "console"):
        page.locator(f"h3.opblock-tag[data-tag='{tag}']").wait_for(timeout=20_000)
    assert page.locator("h3.opblock-tag[data-tag='default']").count() == 0
    page.get_by_text("Free a number's lock").first.wait_for(timeout=20_000)
    page.get_by_text("Read the audit log").first.wait_for(timeout=20_000)


def test_an_operation_in_swagger_ui_shows_its_description_and_example_body(browser_stack, page):
    page.goto(f"{browser_stack.api}/docs")
    page.get_by_text("Configure a number").first.click()
    page.get_by_text("concurrent changes of different fields both survive").first.wait_for(timeout=20_000)
    page.get_by_text('"Sales West"').first.wait_for(timeout=20_000)  # the request body's example
    page.get_by_text("List numbers", exact=True).first.click()
    page.get_by_text('"San Francisco"').first.wait_for(timeout=20_000)  # the answer's example
