"""`make dev`'s orchestrator: boots, writes the stack facts, and Ctrl-C leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from local.stack import free_port
from local.template import ROOT


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


def test_the_stack_boots_and_ctrl_c_stops_every_process(tmp_path):
    stack_file = tmp_path / "stack.json"
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'shared'}",
        "PORT": str(free_port()),
        "TWILIO_EMULATOR_PORT": str(free_port()),
        "DYNAMODB_PORT": str(free_port()),
        "STACK_FILE": str(stack_file),
    }
    for name in ("DYNAMODB_ENDPOINT_URL", "TWILIO_API_BASE_URL", "PUBLIC_BASE_URL"):
        env.pop(name, None)
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
        spawned = children(process.pid)
        assert len(spawned) == 3
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in spawned) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in spawned if alive(pid)] == []
    finally:
        if process.poll() is None:
            process.kill()
