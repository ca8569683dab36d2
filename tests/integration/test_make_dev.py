"""`make dev`'s orchestrator: boots, writes the stack facts, and Ctrl-C leaves no process behind; a taken port, a
server that dies while starting, or an unsupported Python stops it with one clear line before anything starts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

import local.stack
from local.stack import Stack, StackError, free_port
from local.template import ROOT

PYTHONPATH = f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'shared'}"


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    return bool(state) and not state.startswith("Z")


def stack_env(stack_file: Path, **ports: int) -> dict[str, str]:
    """``make dev``'s environment: free ports unless given, and no endpoints of a running stack."""
    env = {
        **os.environ,
        "PYTHONPATH": PYTHONPATH,
        "PORT": str(ports.get("PORT") or free_port()),
        "TWILIO_EMULATOR_PORT": str(ports.get("TWILIO_EMULATOR_PORT") or free_port()),
        "DYNAMODB_PORT": str(ports.get("DYNAMODB_PORT") or free_port()),
        "STACK_FILE": str(stack_file),
    }
    for name in ("DYNAMODB_ENDPOINT_URL", "TWILIO_API_BASE_URL", "PUBLIC_BASE_URL"):
        env.pop(name, None)
    return env


def test_the_stack_boots_and_ctrl_c_stops_every_process(tmp_path):
    stack_file = tmp_path / "stack.json"
    env = stack_env(stack_file)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.stack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = []
        for line in process.stdout:  # type: ignore[union-attr]
            banner.append(line)
            if "Ctrl-C stops everything" in line:
                break
        assert stack_file.exists(), "".join(banner)
        facts = json.loads(stack_file.read_text())
        assert {
            "apiUrl",
            "emulatorUrl",
            "dynamodbEndpoint",
            "tableName",
            "publicBaseUrl",
            "accounts",
            "taskrouterWorkspaceSid",
            "workers",
        } <= set(facts)
        assert {w["identity"] for w in facts["workers"]} == {"alice", "bob", "sam", "carol"}
        assert any(w["token"] in "".join(banner) for w in facts["workers"])
        assert f"(also in {stack_file})" in "".join(banner), "the banner names the file it wrote"
        sam = next(w for w in facts["workers"] if w["identity"] == "sam")
        link = f"{facts['apiUrl']}/console/#token={sam['token']}&accountSid={sam['accountSid']}"
        assert link in "".join(banner), "the banner signs the demo supervisor in to the admin console"
        console = requests.get(link.split("#")[0], timeout=10)
        assert console.status_code == 200 and console.headers["Content-Type"] == "text/html; charset=utf-8"
        spawned = children(process.pid)
        assert len(spawned) == 3
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in spawned) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in spawned if alive(pid)] == []
    finally:
        if process.poll() is None:  # a failed assertion: stop it as Ctrl-C would, so no server is left behind
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


class Recorder(BaseHTTPRequestHandler):
    """Something else on the port (another DynamoDB, another dev server): answers 200 to anything, remembers it."""

    seen: list[str] = []

    def answer(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_GET(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.answer()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def foreign_server() -> Iterator[tuple[int, list[str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    Recorder.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], Recorder.seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("variable", "expected"),
    [
        (
            "DYNAMODB_PORT",
            "Port {port} is already in use (DynamoDB). Set DYNAMODB_PORT to another port, or DYNAMODB_ENDPOINT_URL "
            "to use a running DynamoDB.",
        ),
        (
            "TWILIO_EMULATOR_PORT",
            "Port {port} is already in use (Twilio emulator). Set TWILIO_EMULATOR_PORT to another port, or "
            "TWILIO_API_BASE_URL to use a running Twilio emulator.",
        ),
        ("PORT", "Port {port} is already in use (API). Set PORT to another port."),
    ],
)
def test_a_taken_port_stops_make_dev_before_anything_starts(tmp_path, foreign_server, variable, expected):
    port, seen = foreign_server
    stack_file = tmp_path / "stack.json"
    env = stack_env(stack_file, **{variable: port})
    run = subprocess.run(
        [sys.executable, "-m", "local.stack"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    assert run.stderr.strip() == expected.format(port=port)
    assert "local stack is up" not in run.stdout
    assert seen == [], "nothing may talk to (or create a table in) what holds the port"
    assert not stack_file.exists()


def test_a_given_dynamodb_endpoint_frees_its_port(tmp_path, foreign_server):
    # DYNAMODB_ENDPOINT_URL set: make dev starts no DynamoDB, so DYNAMODB_PORT may be anything, even taken.
    port, _ = foreign_server
    stack = Stack(
        api_port=free_port(), emulator_port=free_port(), dynamodb_port=port, dynamodb_url="http://127.0.0.1:1"
    )
    assert [s.port_variable for s in stack.services()] == ["TWILIO_EMULATOR_PORT", "PORT"]
    stack.check_ports()


def test_a_server_that_exits_while_starting_fails_the_stack_at_once(monkeypatch):
    # The port was free when checked and taken before our DynamoDB bound it (a race): moto exits, and the stack
    # must say so, not wait for (or talk to) whatever holds the port.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    monkeypatch.setattr(local.stack, "port_in_use", lambda port, host="127.0.0.1": False)
    stack = Stack(
        api_port=free_port(),
        emulator_port=free_port(),
        dynamodb_port=silent.getsockname()[1],
        table_name=f"caller-id-race-{uuid.uuid4().hex[:6]}",
        quiet=True,
    )
    try:
        with pytest.raises(StackError, match=r"^DynamoDB exited \(code \d+\) before it answered"):
            stack.start()
    finally:
        silent.close()
        stack.stop()
    assert stack.processes == []


def test_the_access_log_shows_method_path_and_status_never_a_query_string(tmp_path):
    port = free_port()
    log = tmp_path / "devserver.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "local.devserver", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": PYTHONPATH},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        local.stack.wait_for(f"http://127.0.0.1:{port}/nothing-here")
        answer = requests.get(f"http://127.0.0.1:{port}/v1/nothing-here?Token=s3cret-flex-token&page=2", timeout=10)
        assert answer.status_code == 404
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"GET /v1/phone-numbers?Token=s3cret-flex-token HTTP/1.1 junk\r\n\r\n")
            raw.recv(1024)
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = log.read_text()
    assert '"GET /v1/nothing-here" 404' in lines
    assert "s3cret" not in lines and "page=2" not in lines and "?" not in lines, lines


def fake_python(path: Path, version: str) -> Path:
    """An interpreter that says it is ``version`` and otherwise is this one."""
    path.write_text(
        f'#!/bin/sh\n[ "$1" = --version ] && {{ echo "Python {version}"; exit 0; }}\nexec {sys.executable} "$@"\n'
    )
    path.chmod(0o755)
    return path


def test_make_refuses_an_unsupported_python_before_installing_anything(tmp_path):
    python = fake_python(tmp_path / "python3", "3.13.0")
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    make = subprocess.Popen(
        ["make", "--no-print-directory", "dev", f"PYTHON={python}", f"VENV={venv}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = make.communicate(timeout=120)
    finally:
        if make.poll() is None:  # it went on to install and run the stack: stop all of it
            os.killpg(make.pid, signal.SIGKILL)
    assert make.returncode != 0
    first = stderr.splitlines()[0]
    assert first.startswith(f"{python} is Python 3.13.0, but this project needs Python 3.11 or 3.12: ")
    assert "PYTHON=" in first
    assert not venv.exists()
    assert "pip install" not in stdout


def test_the_stack_file_is_this_runs_whole_before_health_answers_and_gone_after(tmp_path):
    # A previous run's file (killed, say): its tokens are dead, and it must never pass for the new stack's.
    stack_file = tmp_path / "stack.json"
    stack_file.write_text(json.dumps({"pid": 1, "apiUrl": "http://127.0.0.1:1", "workers": []}))
    env = stack_env(stack_file)
    health = f"http://127.0.0.1:{env['PORT']}/health"
    process = subprocess.Popen(
        [sys.executable, "-m", "local.stack"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    seen: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                up = requests.get(health, timeout=1).status_code == 200
            except requests.RequestException:
                up = False
            try:
                facts = json.loads(stack_file.read_text())  # never half a file: it is renamed into place
            except FileNotFoundError:
                facts = None
            if facts is not None:
                seen.append(facts["pid"])
            if up:
                assert facts is not None, "the API answered /health before the stack file was written"
                assert facts["pid"] == process.pid and facts["apiUrl"] == f"http://127.0.0.1:{env['PORT']}"
                break
            assert process.poll() is None
            time.sleep(0.02)
        else:
            pytest.fail("the stack did not answer /health")
        assert list(tmp_path.iterdir()) == [stack_file], "no temporary file is left beside it"
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        assert not stack_file.exists(), "a stopped stack leaves no file to be taken for a running one"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    assert set(seen) <= {1, process.pid}


def test_a_taken_port_leaves_the_running_stacks_file_alone(tmp_path, foreign_server):
    port, _ = foreign_server
    stack_file = tmp_path / "stack.json"
    stack_file.write_text('{"pid": 4242}')
    env = stack_env(stack_file, PORT=port)
    run = subprocess.run(
        [sys.executable, "-m", "local.stack"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    assert stack_file.read_text() == '{"pid": 4242}', "another stack on these ports still owns its file"


def test_webhook_team_changes_the_worker_at_taskrouter_too(local_stack, tmp_path):
    # The backend keeps a worker's team from TaskRouter's events, and a selection PUT stores the team it reads
    # from the worker at TaskRouter: a team changed only in the event would be put back by the next PUT.
    agent = local_stack.agent()
    parent = local_stack.parent
    facts = {
        **local_stack.facts,
        "workers": [
            {
                "sid": agent.worker_sid,
                "identity": agent.identity,
                "roles": ["agent"],
                "accountSid": agent.account_sid,
                "token": agent.token,
            }
        ],
    }
    stack_file = tmp_path / "stack.json"
    stack_file.write_text(json.dumps(facts))
    played = subprocess.run(
        [
            sys.executable,
            "-m",
            "local.webhook",
            "taskrouter-event",
            "--worker",
            agent.identity,
            "--event-type",
            "worker.attributes.update",
            "--team",
            "closers",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": PYTHONPATH, "STACK_FILE": str(stack_file)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert played.returncode == 0, played.stderr
    assert played.stdout.splitlines() == [
        f'TaskRouter worker {agent.identity}: team_name "closers"',
        "POST /webhooks/twilio/taskrouter-events -> 204",
    ]
    worker_url = f"{local_stack.emulator}/v1/Workspaces/{parent['taskrouterWorkspaceSid']}/Workers/{agent.worker_sid}"
    auth = (parent["sid"], parent["authToken"])

    def teams() -> tuple[str | None, str | None]:
        at_twilio = json.loads(requests.get(worker_url, auth=auth, timeout=10).json()["attributes"])
        stored = local_stack.table.get_item(
            TableName=local_stack.stack.table_name,
            Key={"pk": {"S": f"WS#{parent['sid']}"}, "sk": {"S": f"WORKER#{agent.worker_sid}"}},
            ConsistentRead=True,
        ).get("Item", {})
        return at_twilio.get("team_name"), stored.get("team_name", {}).get("S")

    assert teams() == ("closers", "closers")
    selected = local_stack.call(
        "PUT", "/v1/workers/me/caller-id", agent, json={"callerId": None, "localPresence": False}
    )
    assert selected.status_code == 200, selected.text
    assert teams() == ("closers", "closers"), "the selection PUT read the team back from TaskRouter"


def test_make_help_rows_line_up():
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    rows = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    ).stdout.splitlines()
    assert len(rows) > 10 and all(row.startswith("  make ") for row in rows)
    names = [row.split()[1] for row in rows]
    assert {"dev", "test", "lint", "format", "bench", "build", "validate", "plugin-build"} <= set(names)
    columns = {row.index(row.split()[2], len("  make ") + len(row.split()[1])) for row in rows}
    assert len(columns) == 1, "\n".join(rows)
