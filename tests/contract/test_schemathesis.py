"""Schemathesis over the served OpenAPI document: generated requests (valid and not) for every operation, as an
agent and as a supervisor, checked with every check it has (no 5xx, answers conform to the document, bad input
refused, undeclared methods 405 with Allow, ...). Seeded and bounded, so a run is repeatable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from local.template import ROOT

SEED = "20261125"
EXAMPLES = "60"
REPORT = ROOT / ".artifacts" / "schemathesis"


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_schemathesis_finds_no_failure(local_stack, role):
    """The supervisor may release numbers (schemathesis follows the SIDs list-numbers answers), so it works in a
    subaccount of its own."""
    if role == "supervisor":
        account = local_stack.subaccount(["+12135559001", "+12135559002", "+13105559003"])["sid"]
        headers = ["--header", f"X-Twilio-Account-Sid: {account}"]
    else:
        account, headers = local_stack.parent["sid"], []
    token = local_stack.agent((role,), account_sid=account).token
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{local_stack.api}/openapi.json",
        "--checks=all",
        f"--max-examples={EXAMPLES}",
        f"--seed={SEED}",
        # One worker: hypothesis describes its strategies' lambdas with ``ast.parse``, and Python 3.11's parser
        # is not safe in two threads at once ("SystemError: AST constructor recursion depth mismatch" failed a run).
        "--workers=1",
        "--header",
        f"Authorization: Bearer {token}",
        *headers,
        "--output-truncate=false",
    ]
    try:
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    finally:
        local_stack.release_locks()  # the calls it placed must not hold numbers other tests dial
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / f"{role}.txt").write_text(run.stdout + run.stderr)
    counted = re.search(r"(\d+) generated, (.*)", run.stdout)
    assert counted, run.stdout[-3000:]
    assert run.returncode == 0, run.stdout[-6000:]
    assert int(counted.group(1)) > 200, counted.group(0)
