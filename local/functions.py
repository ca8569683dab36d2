"""Loading the Lambda functions' ``app.py`` modules exactly as Lambda does: each import is one "container"."""

from __future__ import annotations

import importlib.util
import itertools
import sys
import threading
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


@dataclass
class LambdaContext:
    """The parts of Lambda's context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


class FunctionPool:
    """Warm "containers" of one function. Like Lambda, a container serves one request at a time (Powertools'
    resolver keeps per-request state); concurrent requests get more containers, up to ``size``."""

    def __init__(self, name: str, code_uri: Path, size: int = 4) -> None:
        self.name = name
        self.code_uri = code_uri
        self.size = size
        self._idle: list[ModuleType] = []
        self._created = 0
        self._cond = threading.Condition()

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        module = self._checkout()
        try:
            return dict(module.lambda_handler(event, LambdaContext(self.name)))
        finally:
            with self._cond:
                self._idle.append(module)
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
            with self._cond:
                self._created -= 1
                self._cond.notify()
            raise
