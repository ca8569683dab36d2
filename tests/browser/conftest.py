"""Browser tests: a real headless Chromium (Debian's ``chromium``, driven by Playwright) calls the API from web
pages on two origins, one of them allowed, so CORS is judged by a browser rather than by reading headers.

The pages come from small static servers on loopback (the API is on loopback too, so Chromium's private-network
rules stay out of the way); the API runs in a stack of its own whose ``ALLOWED_ORIGINS`` names the allowed page's
origin. A failing test leaves a screenshot of its page (each call and its outcome, as the page saw it) and the
browser console (where Chromium says why it blocked a request) under ``.artifacts/browser/``.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright

from callerid.config import FLEX_ORIGIN
from local.stack import Stack
from tests.conftest import LocalStack

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / ".artifacts" / "browser"
FAILED = pytest.StashKey[bool]()

# The page the Flex plugin would be: ``callApi`` fetches like the plugin does and lists each outcome on the page.
PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>CORS test page</title></head>
<body><h1>Calls from <span id="origin"></span></h1><ol id="calls"></ol>
<script>
document.getElementById("origin").textContent = location.origin;
async function callApi(method, url, headers, body) {
  const row = document.createElement("li");
  row.textContent = `${method} ${url} ...`;
  document.getElementById("calls").append(row);
  try {
    const response = await fetch(url, {method, headers, body: body === null ? undefined : JSON.stringify(body)});
    const text = await response.text();
    row.textContent = `${method} ${url} -> ${response.status} ${text.slice(0, 300)}`;
    return {ok: true, status: response.status, body: text};
  } catch (error) {
    row.textContent = `${method} ${url} -> ${error.name}: ${error.message}`;
    return {ok: false, error: `${error.name}: ${error.message}`};
  }
}
</script></body></html>
"""


# Files the page servers also serve: the Flex stand-in page, React from the plugin's node_modules (Flex provides it to
# plugins as a global), and the BUILT plugin bundle (`make plugin-build`), for tests/browser/test_flex_plugin.py.
PLUGIN = ROOT / "clients" / "flex-plugin"
STATIC: dict[str, tuple[Path, str]] = {
    "/flex/": (ROOT / "tests" / "browser" / "flex_standin.html", "text/html; charset=utf-8"),
    "/flex/standin.js": (ROOT / "tests" / "browser" / "flex_standin.js", "text/javascript"),
    "/flex/react.js": (PLUGIN / "node_modules" / "react" / "umd" / "react.production.min.js", "text/javascript"),
    "/flex/react-dom.js": (
        PLUGIN / "node_modules" / "react-dom" / "umd" / "react-dom.production.min.js",
        "text/javascript",
    ),
    "/flex/plugin-caller-id.js": (PLUGIN / "build" / "plugin-caller-id.js", "text/javascript"),
}


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in STATIC:
            file, content_type = STATIC[path]
            if not file.is_file():
                self.send_error(404, f"{file} is missing: `make plugin-build` makes the plugin and its node_modules")
                return
            body = file.read_bytes()
        else:
            body, content_type = PAGE, "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


def _serve_page() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def allowed_origin() -> Iterator[str]:
    """The origin of a page the API grants (listed in its ALLOWED_ORIGINS)."""
    yield from _serve_page()


@pytest.fixture(scope="session")
def unlisted_origin() -> Iterator[str]:
    """The origin of a page the API does not grant."""
    yield from _serve_page()


@pytest.fixture(scope="session")
def browser_stack(allowed_origin: str) -> Iterator[LocalStack]:
    """A local stack whose API allows the Flex origin and the allowed test page's origin."""
    stack = Stack.throwaway(f"caller-id-browser-{uuid.uuid4().hex[:6]}")
    stack.extra_env["ALLOWED_ORIGINS"] = f"{FLEX_ORIGIN},{allowed_origin}"
    facts = stack.start()
    try:
        yield LocalStack(stack, facts)
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `make chromium` installs it (as root), or set CHROMIUM to its path.",
            pytrace=False,
        )
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield chromium
    chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context per test (no preflight cached by an earlier test); on failure, its screenshot and
    console log are kept under ``.artifacts/browser/``."""
    context = browser.new_context()
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    console: list[str] = []
    opened.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    yield opened
    if request.node.stash.get(FAILED, False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        opened.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.console.log").write_text("\n".join(console) + "\n")
    context.close()


def block_other_origins(page: Page, api: str) -> list[str]:
    """Abort every request of ``page`` that is not to ``api``'s origin; answers the list they are added to."""
    elsewhere: list[str] = []
    api_host = urlsplit(api).netloc

    def only_this_api(route: Route) -> None:
        if urlsplit(route.request.url).netloc != api_host:
            elsewhere.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", only_this_api)
    return elsewhere


# -- the admin console (tests/browser/test_console.py)

AXE = ROOT / "tests" / "browser" / "vendor" / "axe-core" / "axe.min.js"
# What axe reports per violation: the rule, how bad, and where (CSS selectors of the offending nodes).
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" "))}));
}"""


class Console:
    """The console of one local stack: sign-in links as the Flex plugin opens them, and axe-core's verdict on the
    page as it stands. axe is handed to the page through DevTools (``evaluate``), which the page's
    Content-Security-Policy does not govern, so the policy under test stays as strict as deployed."""

    def __init__(self, api: str) -> None:
        self.root = f"{api}/console/"
        self._axe = AXE.read_text(encoding="utf-8")

    def link(self, token: str, account_sid: str | None = None, path: str = "") -> str:
        fragment = f"token={token}" + (f"&accountSid={account_sid}" if account_sid else "")
        return f"{self.root}{path}#{fragment}"

    def serious_violations(self, page: Page) -> list[dict[str, object]]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self._axe + "\n;true")
        violations: list[dict[str, object]] = page.evaluate(AXE_RUN)
        return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="session")
def console(local_stack: LocalStack) -> Console:
    return Console(local_stack.api)
