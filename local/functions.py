"""Loading the Lambda functions' ``app.py`` modules exactly as Lambda does: each import is one "container"."""

from __future__ import annotations

import importlib.util
import itertools
import logging
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

_counter = itertools.count()


def load_function(code_uri: Path) -> ModuleType:
    """Import ``code_uri/app.py`` under a fresh module name (a cold start)."""
    name = f"lambda_{code_uri.name}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, code_uri / "app.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {code_uri}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# What API Gateway answers when the Lambda function fails or runs out of time (not the API's own envelope).
GATEWAY_FAILURE: dict[str, Any] = {
    "statusCode": 502,
    "headers": {"Content-Type": "application/json", "x-amzn-ErrorType": "InternalServerErrorException"},
    "body": '{"message": "Internal server error"}',
}


@dataclass
class LambdaContext:
    """The parts of Lambda's context object that Powertools and the handlers read, with a real deadline."""

    function_name: str
    timeout_seconds: float = 15.0
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_seconds - time.monotonic()) * 1000))


class FunctionPool:
    """Warm "containers" of one function. Like Lambda, a container serves one request at a time (Powertools'
    resolver keeps per-request state); concurrent requests get more containers, up to ``size``. Like Lambda, an
    invocation that outlives the function's timeout, or raises, is answered by "API Gateway" with a 502, and its
    container is not used again."""

    def __init__(self, name: str, code_uri: Path, *, timeout_seconds: float = 15.0, size: int = 4) -> None:
        self.name = name
        self.code_uri = code_uri
        self.timeout_seconds = timeout_seconds
        self.size = size
        self._idle: list[ModuleType] = []
        self._created = 0
        self._cond = threading.Condition()

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        module = self._checkout()
        context = LambdaContext(self.name, self.timeout_seconds)
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["answer"] = dict(module.lambda_handler(event, context))
            except Exception:
                logging.getLogger(__name__).exception("%s failed", self.name)

        invocation = threading.Thread(target=run, name=f"{self.name}-invocation", daemon=True)
        invocation.start()
        invocation.join(self.timeout_seconds)
        if invocation.is_alive() or "answer" not in outcome:
            if invocation.is_alive():
                logging.getLogger(__name__).error("%s timed out after %ss", self.name, self.timeout_seconds)
            self._retire()
            return dict(GATEWAY_FAILURE)
        with self._cond:
            self._idle.append(module)
            self._cond.notify()
        return dict(outcome["answer"])

    def _retire(self) -> None:
        with self._cond:
            self._created -= 1
            self._cond.notify()

    def _checkout(self) -> ModuleType:
        with self._cond:
            while not self._idle and self._created >= self.size:
                self._cond.wait()
            if self._idle:
                return self._idle.pop()
            self._created += 1
        try:
            return load_function(self.code_uri)
        except BaseException:
            self._retire()
            raise
