"""``make dev``: the whole local stack in the foreground.

Starts the embedded DynamoDB (moto, single-threaded) and the Twilio emulator unless ``DYNAMODB_ENDPOINT_URL`` /
``TWILIO_API_BASE_URL`` point elsewhere, creates the table from ``template.yaml``, seeds the demo data, starts
the API and prints how to use it; ``.dev/stack.json`` (or ``STACK_FILE``) holds the same facts. Ctrl-C stops every
child process.

The stack file is this run's or none: a previous run's is removed once the ports are known free, the new one is
written whole (a temporary file renamed over it) before the API answers ``/health``, it names the process that
wrote it (``pid``), and it is removed when the stack stops.

Nothing starts unless every port it needs is free, and nothing is called "up" unless every process it started
is still running: a port taken by something else would otherwise answer in place of ours (a DynamoDB on 8000
would get our table).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import requests

from local.dynamodb import ensure_table
from local.seed import seed_emulator
from local.template import ROOT, static_environment

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


class StackError(RuntimeError):
    """The stack cannot start or stopped: one line per problem, saying what to do."""


@dataclass(frozen=True)
class Service:
    """A server the stack starts, with the environment variables that move it or replace it."""

    name: str
    module: str
    port: int
    port_variable: str
    endpoint_variable: str | None = None

    def busy(self) -> str:
        instead = f", or {self.endpoint_variable} to use a running {self.name}" if self.endpoint_variable else ""
        return f"Port {self.port} is already in use ({self.name}). Set {self.port_variable} to another port{instead}."


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something answers on ``port``, or a server could not bind it (as werkzeug binds: SO_REUSEADDR)."""
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def wait_for(
    url: str, process: subprocess.Popen[bytes] | None = None, name: str | None = None, seconds: float = 30.0
) -> None:
    """Wait until ``url`` answers. For a server we started (``process``), only a 200 counts, and only while the
    process runs: if it exits first (it lost its port, or crashed), this says so at once."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StackError(f"{name} exited (code {process.returncode}) before it answered on {url}.")
        try:
            answer = requests.get(url, timeout=1)
        except requests.RequestException:
            time.sleep(0.1)
            continue
        if process is None or answer.status_code == 200:
            return
        time.sleep(0.1)
    raise StackError(f"{name or url} did not answer on {url} within {seconds:.0f}s.")


@dataclass
class Stack:
    api_port: int = 3000
    emulator_port: int = 3001
    dynamodb_port: int = 8000
    table_name: str = "caller-id-local"
    dynamodb_url: str | None = None
    emulator_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # ``make dev``: bought and imported numbers join the demo's approved Trust Hub products (TRUST_PRODUCT_SIDS);
    # test stacks leave it empty unless their ``extra_env`` sets it.
    join_trust_products: bool = False
    quiet: bool = False
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    started: dict[int, Service] = field(default_factory=dict)
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

    @property
    def api(self) -> Service:
        return Service("API", "local.devserver", self.api_port, "PORT")

    @property
    def dynamodb(self) -> Service:
        return Service("DynamoDB", "local.dynamodb", self.dynamodb_port, "DYNAMODB_PORT", "DYNAMODB_ENDPOINT_URL")

    @property
    def emulator(self) -> Service:
        return Service(
            "Twilio emulator", "local.emulator.app", self.emulator_port, "TWILIO_EMULATOR_PORT", "TWILIO_API_BASE_URL"
        )

    def services(self) -> list[Service]:
        """What this stack will start: the API always; DynamoDB and the emulator unless given endpoints."""
        return [
            *([] if self.dynamodb_url else [self.dynamodb]),
            *([] if self.emulator_url else [self.emulator]),
            self.api,
        ]

    def check_ports(self) -> None:
        """Refuse, before anything starts, ports that two services share or that something else holds."""
        services = self.services()
        for i, service in enumerate(services):
            for other in services[i + 1 :]:
                if other.port == service.port:
                    raise StackError(
                        f"{service.port_variable} and {other.port_variable} are both {service.port}: "
                        "give each its own port."
                    )
        problems = [service.busy() for service in services if port_in_use(service.port)]
        if problems:
            raise StackError("\n".join(problems))

    def _spawn(self, service: Service, env: dict[str, str]) -> subprocess.Popen[bytes]:
        output = subprocess.DEVNULL if self.quiet else None
        process = subprocess.Popen(
            [sys.executable, "-m", service.module, "--port", str(service.port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )
        self.processes.append(process)
        self.started[process.pid] = service
        return process

    def ensure_running(self) -> None:
        """Every process this stack started still runs (a server that lost its port to another has exited)."""
        for process in self.processes:
            if process.poll() is not None:
                service = self.started[process.pid]
                raise StackError(f"The {service.name} on port {service.port} exited (code {process.returncode}).")

    def start(self, ready: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        """Start every service and seed the demo data; answers the stack's facts. ``ready`` is given the facts
        before the API is started, so whatever it writes exists before ``/health`` answers."""
        env = {**os.environ, **LOCAL_AWS, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "layers" / "shared")])}
        self.check_ports()
        try:
            dynamodb = None if self.dynamodb_url else self._spawn(self.dynamodb, env)
            emulator = None if self.emulator_url else self._spawn(self.emulator, env)
            self.dynamodb_url = self.dynamodb_url or f"http://127.0.0.1:{self.dynamodb_port}"
            self.emulator_url = self.emulator_url or f"http://127.0.0.1:{self.emulator_port}"
            # Our DynamoDB answers 200 on its own path; a DynamoDB given by URL only has to answer.
            wait_for(f"{self.dynamodb_url}/_dynamodb/requests" if dynamodb else self.dynamodb_url, dynamodb, "DynamoDB")
            wait_for(f"{self.emulator_url}/_emulator/requests", emulator, "Twilio emulator")
            for key, value in LOCAL_AWS.items():
                os.environ.setdefault(key, value)
            ensure_table(self.dynamodb_url, self.table_name)
            public_base_url = os.environ.get("PUBLIC_BASE_URL", self.api_url)
            seeded = seed_emulator(self.emulator_url, public_base_url=public_base_url)
            parent = next(a for a in seeded["accounts"] if a["parentSid"] is None)
            api_env = {
                **{name: value for name, value in env.items() if name != "TWILIO_AUTH_TOKEN"},
                "TABLE_NAME": self.table_name,
                "DYNAMODB_ENDPOINT_URL": self.dynamodb_url,
                "TWILIO_API_BASE_URL": self.emulator_url,
                "TWILIO_ACCOUNT_SID": parent["sid"],
                **self._auth_token_environment(parent["authToken"], own_moto=dynamodb is not None),
                **static_environment(),
                "TASKROUTER_WORKSPACE_SID": parent["taskrouterWorkspaceSid"],
                "PUBLIC_BASE_URL": public_base_url,
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                **self._trust_environment(parent),
                **self.extra_env,
            }
            self.api_env = api_env
            self.facts = {
                "apiUrl": self.api_url,
                "emulatorUrl": self.emulator_url,
                "dynamodbEndpoint": self.dynamodb_url,
                "tableName": self.table_name,
                "publicBaseUrl": api_env["PUBLIC_BASE_URL"],
                "pid": os.getpid(),
                "accounts": [
                    {
                        "sid": a["sid"],
                        "authToken": a["authToken"],
                        "friendlyName": a["friendlyName"],
                        "parentSid": a["parentSid"],
                        "taskrouterWorkspaceSid": a["taskrouterWorkspaceSid"],
                        "trustProducts": a.get("trustProducts", []),
                    }
                    for a in seeded["accounts"]
                ],
                "taskrouterWorkspaceSid": parent["taskrouterWorkspaceSid"],
                "workers": seeded["workers"],
            }
            if ready is not None:
                ready(self.facts)
            wait_for(f"{self.api_url}/health", self._spawn(self.api, api_env), "API")
            self.ensure_running()
        except BaseException:
            self.stop()
            raise
        return self.facts

    def _trust_environment(self, parent: dict[str, Any]) -> dict[str, str]:
        """TRUST_PRODUCT_SIDS for ``make dev``: the parent's approved demo products (an operator's own wins)."""
        if not self.join_trust_products or os.environ.get("TRUST_PRODUCT_SIDS"):
            return {}
        approved = [p["sid"] for p in parent.get("trustProducts", []) if p["status"] == "twilio-approved"]
        return {"TRUST_PRODUCT_SIDS": ",".join(approved)}

    def _auth_token_environment(self, auth_token: str, *, own_moto: bool) -> dict[str, str]:
        """How the API gets the root account's auth token. With our own moto server (which serves SSM as well as
        DynamoDB) it is an SSM SecureString, read as in AWS (``TWILIO_AUTH_TOKEN_PARAMETER``, the endpoint from
        botocore's ``AWS_ENDPOINT_URL_SSM``), so rotating it is ``ssm put-parameter --overwrite`` as in production.
        A DynamoDB given by URL may serve nothing else: then the token is ``TWILIO_AUTH_TOKEN`` (no rotation)."""
        if not own_moto:
            return {"TWILIO_AUTH_TOKEN": auth_token}
        assert self.dynamodb_url is not None
        put_auth_token(self.dynamodb_url, auth_token)
        return {"TWILIO_AUTH_TOKEN_PARAMETER": AUTH_TOKEN_PARAMETER, "AWS_ENDPOINT_URL_SSM": self.dynamodb_url}

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
        self.started.clear()


AUTH_TOKEN_PARAMETER = "/caller-id/twilio-auth-token"  # the template's default name


def put_auth_token(ssm_endpoint: str, auth_token: str, name: str = AUTH_TOKEN_PARAMETER) -> int:
    """Store the root account's auth token as the operator does in AWS (a new version when it changes, which is
    how a rotation reaches the functions); answers the parameter's version."""
    ssm = boto3.client("ssm", endpoint_url=ssm_endpoint, region_name=LOCAL_AWS["AWS_DEFAULT_REGION"])
    answer = ssm.put_parameter(Name=name, Value=auth_token, Type="SecureString", Overwrite=True)
    return int(answer["Version"])


def stack_file() -> Path:
    """Where ``make dev`` writes its facts and the local tools read them: ``STACK_FILE``, else ``.dev/stack.json``."""
    return Path(os.environ.get("STACK_FILE") or ROOT / ".dev" / "stack.json")


def write_facts(path: Path, facts: dict[str, Any]) -> None:
    """Write the stack file whole or not at all: a reader sees the previous state or this one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(json.dumps(facts, indent=2))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_facts(path: Path, pid: int) -> None:
    """Remove the stack file if the process ``pid`` wrote it (another stack's file is left alone)."""
    try:
        if json.loads(path.read_text()).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError):
        pass


def shell_variables(facts: dict[str, Any]) -> dict[str, str]:
    """The shell variables the banner exports and the docs' walks use: ``API``, ``EMU``, a token per demo worker,
    and the account SID of each subaccount worker (tokens are opaque: a subaccount's user names its account)."""
    root = next(a["sid"] for a in facts["accounts"] if a["parentSid"] is None)
    variables = {"API": facts["apiUrl"], "EMU": facts["emulatorUrl"]}
    for w in facts["workers"]:
        variables[f"{w['identity'].upper()}_TOKEN"] = w["token"]
        if w["accountSid"] != root:
            variables[f"{w['identity'].upper()}_ACCOUNT_SID"] = w["accountSid"]
    return variables


def banner(facts: dict[str, Any], stack_file: Path) -> str:
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
    lines += ["", f"Workers and ready Flex tokens (also in {shown(stack_file)}):"]
    variables = shell_variables(facts)
    for w in facts["workers"]:
        lines.append(f"  {w['identity']:<6} {','.join(w['roles']):<11} {w['sid']}")
        for suffix in ("TOKEN", "ACCOUNT_SID"):
            name = f"{w['identity'].upper()}_{suffix}"
            if name in variables:
                lines.append(f"         export {name}='{variables[name]}'")
    lines += [
        "",
        "The docs' walks (docs/) use these too:",
        f"  export API='{facts['apiUrl']}' EMU='{facts['emulatorUrl']}'",
    ]
    lines += ["", "Admin console, signed in as the demo supervisor (the token stays in that tab's sessionStorage):"]
    lines += [f"  {console_link(facts)}"]
    lines += [
        "",
        'Try:  curl -s -H "Authorization: Bearer $ALICE_TOKEN" ' + facts["apiUrl"] + "/v1/phone-numbers",
        "Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def console_link(facts: dict[str, Any]) -> str:
    """The console's sign-in link for the first supervisor: ``#token=…&accountSid=…``, the format the Flex plugin
    opens too (a fragment never reaches a server or its logs; the console removes it from the address bar)."""
    supervisor = next(w for w in facts["workers"] if {"supervisor", "admin"} & set(w["roles"]))
    fragment = urlencode({"token": supervisor["token"], "accountSid": supervisor["accountSid"]})
    return f"{facts['apiUrl']}/console/#{fragment}"


def shown(path: Path) -> str:
    """``path`` as a newcomer would type it: relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


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
        join_trust_products=True,
    )

    def shutdown(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Explicit handlers: a shell that starts `make dev` in the background leaves SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, shutdown)
    out = stack_file()
    failure = None
    try:
        stack.check_ports()  # before the old file goes: it may be a running stack's, on these very ports
        out.unlink(missing_ok=True)
        facts = stack.start(ready=lambda facts: write_facts(out, facts))
        print(banner(facts, out), flush=True)
        while True:
            stack.ensure_running()
            time.sleep(0.5)
    except StackError as exc:
        failure = str(exc)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
        remove_facts(out, os.getpid())
    if failure:
        sys.exit(failure)


if __name__ == "__main__":
    main()
