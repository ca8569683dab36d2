"""The admin console's files through its Lambda handler (the committed events, as ``sam local invoke`` would send
them): the page for every screen, each file with its content type, 404 for what is not a file, and headers that
keep the page to this API."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from callerid import runtime
from callerid.domain.errors import NotFound
from callerid.http.console import ConsoleFiles, content_security_policy
from local.functions import LambdaContext, load_function
from local.template import ROOT, load_template

CONSOLE = ROOT / "clients" / "console"
EVENTS = ROOT / "events" / "console"
FLEX = "https://flex.twilio.com"


@pytest.fixture(scope="module")
def handler():
    patch = pytest.MonkeyPatch()
    patch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    patch.setenv("PUBLIC_BASE_URL", "https://calls.example.com/caller-id")
    patch.setenv("ALLOWED_ORIGINS", f"{FLEX},https://flex.example.com")
    patch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    runtime.reset()
    module = load_function(ROOT / "functions" / "console")
    yield module.lambda_handler
    patch.undo()
    runtime.reset()


def get(handler, path: str, headers: dict[str, str] | None = None) -> dict:
    """The committed event of the route that API Gateway would pick for ``path``, pointed at ``path``."""
    name = "ConsolePage" if path.rstrip("/") == "/console" else "ConsoleFile"
    event = json.loads((EVENTS / f"{name}.json").read_text())
    event["path"] = path
    event["requestContext"]["path"] = f"/Prod{path}"
    event["headers"] = {**event["headers"], **(headers or {})}
    if name == "ConsoleFile":
        event["pathParameters"] = {"proxy": path.removeprefix("/console/")}
    return dict(handler(event, LambdaContext("ConsoleFunction")))


def header(answer: dict, name: str) -> str | None:
    values = {**answer.get("headers", {}), **answer.get("multiValueHeaders", {})}
    found = next((v for k, v in values.items() if k.lower() == name.lower()), None)
    return ",".join(found) if isinstance(found, list) else found


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/console/js/app.js", "text/javascript; charset=utf-8"),
        ("/console/js/views/numbers.js", "text/javascript; charset=utf-8"),
        ("/console/console.css", "text/css; charset=utf-8"),
        ("/console/favicon.svg", "image/svg+xml; charset=utf-8"),
        ("/console/index.html", "text/html; charset=utf-8"),
    ],
)
def test_each_file_is_served_with_its_content_type_and_a_revalidating_cache(handler, path, content_type):
    answer = get(handler, path)
    assert answer["statusCode"] == 200
    assert header(answer, "Content-Type") == content_type
    assert answer["body"] == (CONSOLE / path.removeprefix("/console/")).read_text()
    assert header(answer, "Cache-Control") == "public, max-age=300, must-revalidate"
    assert header(answer, "X-Content-Type-Options") == "nosniff"
    assert header(answer, "ETag")


def test_a_file_the_browser_holds_is_answered_304_without_a_body(handler):
    etag = header(get(handler, "/console/js/app.js"), "ETag")
    again = get(handler, "/console/js/app.js", {"If-None-Match": f"W/{etag}"})
    assert (again["statusCode"], again["body"]) == (304, "")
    changed = get(handler, "/console/js/app.js", {"If-None-Match": '"something-else"'})
    assert changed["statusCode"] == 200


@pytest.mark.parametrize(
    "path", ["/console/nope.js", "/console/js/nope.js", "/console/../template.yaml", "/console/js/../../app.py"]
)
def test_what_is_not_a_console_file_is_404_in_the_error_envelope(handler, path):
    answer = get(handler, path)
    assert answer["statusCode"] == 404
    assert json.loads(answer["body"])["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("path", "base"),
    [
        ("/console/", "./"),
        ("/console", "console/"),
        ("/console/caller-ids", "./"),
        ("/console/numbers/PN0123", "../"),
        ("/console/numbers/PN0123/", "../../"),
    ],
)
def test_every_screen_is_the_page_with_a_base_that_reaches_the_console_root(handler, path, base):
    answer = get(handler, path)
    assert answer["statusCode"] == 200
    assert header(answer, "Content-Type") == "text/html; charset=utf-8"
    assert header(answer, "Cache-Control") == "no-cache"
    assert f'<base href="{base}">' in answer["body"]
    assert '<script type="module" src="js/app.js"></script>' in answer["body"]


def test_the_policy_allows_this_origin_and_the_api_and_frames_only_in_flex(handler):
    policy = header(get(handler, "/console/"), "Content-Security-Policy") or ""
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self' https://calls.example.com"
    assert directives["frame-ancestors"] == f"'self' {FLEX} https://flex.example.com"
    assert directives["object-src"] == "'none'"
    assert header(get(handler, "/console/console.css"), "Content-Security-Policy") == policy


def test_a_policy_without_a_public_url_names_this_origin_alone():
    assert "connect-src 'self';" in content_security_policy([], [FLEX])


def test_the_page_and_modules_use_no_inline_script_or_style_and_load_only_relative_urls():
    page = (CONSOLE / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script: the policy would block it"
    assert "<style" not in page and " style=" not in page
    for source in [page, *(p.read_text() for p in CONSOLE.rglob("*.js")), (CONSOLE / "console.css").read_text()]:
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", source)
        assert "@import" not in source and "url(http" not in source
        assert ".innerHTML" not in source and "insertAdjacentHTML" not in source


def test_every_module_import_is_a_file_the_console_serves():
    files = ConsoleFiles(CONSOLE)
    for module in CONSOLE.rglob("*.js"):
        for target in re.findall(r"^import .* from \"(\.[^\"]+)\";$", module.read_text(), flags=re.M):
            resolved = (module.parent / target).resolve().relative_to(CONSOLE.resolve()).as_posix()
            assert resolved in files.files, f"{module.name} imports {target}"
    with pytest.raises(NotFound):
        files.answer("js/missing.js", {})


def test_the_country_list_is_exactly_the_codes_the_api_accepts():
    document = json.loads((ROOT / "layers" / "shared" / "callerid" / "openapi.json").read_text())
    accepted = document["components"]["schemas"]["CountryCode"]["enum"]
    listed = re.findall(r'^  \["([A-Z]{2})", "[^"]+"\],$', (CONSOLE / "js" / "countries.js").read_text(), flags=re.M)
    assert listed == sorted(accepted)


def test_sam_builds_the_console_from_the_one_copy_of_its_files():
    function = load_template()["Resources"]["ConsoleFunction"]
    assert function["Metadata"]["BuildMethod"] == "makefile"
    makefile = (ROOT / Path(function["Properties"]["CodeUri"]) / "Makefile").read_text()
    assert "build-ConsoleFunction:" in makefile and "clients/console" in makefile
    paths = {e["Properties"]["Path"] for e in function["Properties"]["Events"].values()}
    assert paths == {"/console", "/console/{proxy+}"}
    assert "Policies" not in function["Properties"]
