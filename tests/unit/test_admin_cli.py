"""``callerid-admin`` is a console script of the project, whose entry point parses its commands."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from callerid.admin.cli import parser, stack_file_environment
from callerid.admin.plans import NEEDED_EVENTS, merged_filter

ROOT = Path(__file__).resolve().parents[2]


def test_the_console_script_is_the_admin_tools_main():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["callerid-admin"] == "callerid.admin.cli:main"


@pytest.mark.parametrize(
    "argv",
    [["connect", "--force", "--event-streams"], ["--dry-run", "reconcile", "--account", "AC1"], ["teardown"]],
)
def test_the_commands_parse(argv):
    command = argv[1] if argv[0] == "--dry-run" else argv[0]
    assert parser().parse_args(argv).command == command


def test_a_filter_keeps_its_entries_and_gains_ours():
    assert merged_filter(("task.created",), False) == ("task.created", *NEEDED_EVENTS)
    assert merged_filter((), True) == (), "every event already reaches this deployment"
    assert merged_filter((), False) == NEEDED_EVENTS
    assert merged_filter(NEEDED_EVENTS, True) == NEEDED_EVENTS


def test_the_local_stack_file_gives_the_functions_environment(tmp_path):
    facts = {
        "tableName": "t",
        "dynamodbEndpoint": "http://127.0.0.1:1",
        "emulatorUrl": "http://127.0.0.1:2",
        "apiUrl": "http://127.0.0.1:3",
        "publicBaseUrl": "http://127.0.0.1:3",
        "taskrouterWorkspaceSid": "WS1",
        "accounts": [{"sid": "AC1", "authToken": "x", "parentSid": None}, {"sid": "AC2", "parentSid": "AC1"}],
    }
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(facts))
    env = stack_file_environment(path)
    assert env["TWILIO_ACCOUNT_SID"] == "AC1" and env["TABLE_NAME"] == "t"
    assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:3"
