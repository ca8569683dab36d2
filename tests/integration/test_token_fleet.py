"""One IAM check per token across the fleet: Lambda containers are processes, each importing its handler cold; the
validated answer is shared through the table (by the token's hash), so 8 containers ask Twilio once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from local.template import ROOT

CONTAINER = """
import json, sys
from pathlib import Path
from local.functions import LambdaContext, load_function
app = load_function(Path("functions/worker_caller_id"))
answer = app.lambda_handler(json.loads(sys.argv[1]), LambdaContext("worker-caller-id"))
print(answer["statusCode"])
"""


def container(stack, token: str) -> int:
    """A new process importing the handler as Lambda does, answering one request with ``token``."""
    event = json.loads((ROOT / "events" / "worker_caller_id" / "GetOwn.json").read_text())
    event["headers"]["Authorization"] = f"Bearer {token}"
    event["multiValueHeaders"]["Authorization"] = [f"Bearer {token}"]
    env = {
        **os.environ,
        **stack.stack.api_env,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "layers" / "shared")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", CONTAINER, json.dumps(event)], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1])


def validations(stack) -> list[dict]:
    return [r for r in stack.twilio_requests() if r["path"].endswith("/Tokens/validate")]


def test_eight_containers_validate_one_token_once(stack):
    alice = stack.agent()
    stack.clear_twilio_requests()
    assert container(stack, alice.token) == 200  # the first container asks IAM and shares the answer
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: container(stack, alice.token), range(7)))
    assert statuses == [200] * 7
    assert len(validations(stack)) == 1


def test_a_token_iam_refuses_is_never_shared(stack):
    stack.clear_twilio_requests()
    statuses = [container(stack, "not-a-flex-token") for _ in range(2)]
    assert statuses == [401, 401]
    assert len(validations(stack)) == 2
