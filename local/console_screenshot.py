"""Take docs/admin-console.md's picture of the numbers list (``docs/console-numbers.png``) from a running
``make dev`` stack: it signs in with the demo supervisor's link, as the stack's banner prints it.

    make dev                                    # in one terminal
    .venv/bin/python -m local.console_screenshot  # in another (STACK_FILE if the stack writes elsewhere)
"""

from __future__ import annotations

import json
import os

from playwright.sync_api import sync_playwright

from local.stack import console_link, stack_file
from local.template import ROOT

TARGET = ROOT / "docs" / "console-numbers.png"


def main() -> None:
    facts = json.loads(stack_file().read_text())
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
        page = browser.new_page(viewport={"width": 1280, "height": 720}, device_scale_factor=1)
        page.goto(console_link(facts))
        page.locator("table.numbers tbody tr").first.wait_for()
        TARGET.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(TARGET), full_page=True)
        browser.close()
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
