"""``make dev``: the whole local stack in the foreground.

Starts the embedded DynamoDB (moto, single-threaded) and the Twilio emulator unless ``DYNAMODB_ENDPOINT_URL`` /
``TWILIO_API_BASE_URL`` point elsewhere, creates the table from ``template.yaml``, seeds the demo data, starts
the API and prints how to use it; ``.dev/stack.json`` holds the same facts. Ctrl-C stops every child process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from local.dynamodb import ensure_table
from local.seed import seed_emulator
from local.template import ROOT

LOCAL_AWS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {seconds:.0f}s")


@dataclass
class Stack:
    api_port: int = 3000
    emulator_port: int = 3001
    dynamodb_port: int = 8000
    table_name: str = "caller-id-local"
    dynamodb_url: str | None = None
    emulator_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    quiet: bool = False
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    api_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def throwaway(cls, table_name: str) -> Stack:
        """A quiet stack on free ports with local AWS credentials (tests and benchmarks)."""
        for key, value in LOCAL_AWS.items():
            os.environ.setdefault(key, value)
        return cls(
            api_port=free_port(),
            emulator_port=free_port(),
            dynamodb_port=free_port(),
            table_name=table_name,
            quiet=True,
        )

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def _spawn(self, module: str, port: int, env: dict[str, str]) -> None:
        output = subprocess.DEVNULL if self.quiet else None
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", module, "--port", str(port)], cwd=ROOT, env=env, stdout=output, stderr=output
            )
        )

    def start(self) -> dict[str, Any]:
        env = {**os.environ, **LOCAL_AWS, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "layers" / "shared")])}
        try:
            if not self.dynamodb_url:
                self._spawn("local.dynamodb", self.dynamodb_port, env)
                self.dynamodb_url = f"http://127.0.0.1:{self.dynamodb_port}"
            if not self.emulator_url:
                self._spawn("local.emulator.app", self.emulator_port, env)
                self.emulator_url = f"http://127.0.0.1:{self.emulator_port}"
            wait_for(f"{self.dynamodb_url}/_dynamodb/requests" if self.processes else self.dynamodb_url)
            wait_for(f"{self.emulator_url}/_emulator/requests")
            for key, value in LOCAL_AWS.items():
                os.environ.setdefault(key, value)
            ensure_table(self.dynamodb_url, self.table_name)
            seeded = seed_emulator(self.emulator_url)
            parent = next(a for a in seeded["accounts"] if a["parentSid"] is None)
            api_env = {
                **env,
                "TABLE_NAME": self.table_name,
                "DYNAMODB_ENDPOINT_URL": self.dynamodb_url,
                "TWILIO_API_BASE_URL": self.emulator_url,
                "TWILIO_ACCOUNT_SID": parent["sid"],
                "TWILIO_AUTH_TOKEN": parent["authToken"],
                "TASKROUTER_WORKSPACE_SID": parent["taskrouterWorkspaceSid"],
                "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", self.api_url),
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                **self.extra_env,
            }
            self.api_env = api_env
            self._spawn("local.devserver", self.api_port, api_env)
            wait_for(f"{self.api_url}/health")
        except BaseException:
            self.stop()
            raise
        self.facts = {
            "apiUrl": self.api_url,
            "emulatorUrl": self.emulator_url,
            "dynamodbEndpoint": self.dynamodb_url,
            "tableName": self.table_name,
            "publicBaseUrl": api_env["PUBLIC_BASE_URL"],
            "accounts": [
                {
                    "sid": a["sid"],
                    "authToken": a["authToken"],
                    "friendlyName": a["friendlyName"],
                    "parentSid": a["parentSid"],
                }
                for a in seeded["accounts"]
            ],
            "taskrouterWorkspaceSid": parent["taskrouterWorkspaceSid"],
            "workers": seeded["workers"],
        }
        return self.facts

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


def banner(facts: dict[str, Any]) -> str:
    lines = [
        "",
        "Caller-ID backend for Twilio Flex: local stack is up",
        f"  API              {facts['apiUrl']}   (OpenAPI: {facts['apiUrl']}/openapi.json)",
        f"  Twilio emulator  {facts['emulatorUrl']}",
        f"  DynamoDB (moto)  {facts['dynamodbEndpoint']}   table {facts['tableName']}",
        "",
        "Accounts:",
    ]
    lines += [
        f"  {a['sid']}  {a['friendlyName']}" + (f"  (child of {a['parentSid']})" if a["parentSid"] else "")
        for a in facts["accounts"]
    ]
    lines += ["", "Workers and ready Flex tokens (also in .dev/stack.json):"]
    for w in facts["workers"]:
        lines.append(f"  {w['identity']:<6} {','.join(w['roles']):<11} {w['sid']}")
        lines.append(f"         export {w['identity'].upper()}_TOKEN='{w['token']}'")
    lines += [
        "",
        'Try:  curl -s -H "Authorization: Bearer $ALICE_TOKEN" ' + facts["apiUrl"] + "/v1/phone-numbers",
        "Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    def port(name: str, default: int) -> int:
        return int(os.environ.get(name, default))

    stack = Stack(
        api_port=port("PORT", 3000),
        emulator_port=port("TWILIO_EMULATOR_PORT", 3001),
        dynamodb_port=port("DYNAMODB_PORT", 8000),
        table_name=os.environ.get("TABLE_NAME", "caller-id-local"),
        dynamodb_url=os.environ.get("DYNAMODB_ENDPOINT_URL") or None,
        emulator_url=os.environ.get("TWILIO_API_BASE_URL") or None,
    )

    def shutdown(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Explicit handlers: a shell that starts `make dev` in the background leaves SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, shutdown)
    try:
        facts = stack.start()
        out = Path(os.environ.get("STACK_FILE") or ROOT / ".dev" / "stack.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(facts, indent=2))
        print(banner(facts), flush=True)
        while all(p.poll() is None for p in stack.processes):
            time.sleep(0.5)
        print("A local service stopped; shutting the stack down.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
