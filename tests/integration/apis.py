"""A second API process of the local stack, with some of its settings changed (a DynamoDB endpoint that is down,
hung or slow; other reputation limits): the same handlers through the dev server, on a port of its own."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

from local.stack import free_port, wait_for
from local.template import ROOT


def another_api(local_stack, env: dict[str, str]) -> Iterator[str]:
    """Yields the process's base URL while it runs (a generator for ``yield from`` in a fixture)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "local.devserver", "--port", str(port)],
        cwd=ROOT,
        env={**local_stack.stack.api_env, **env, "PUBLIC_BASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{url}/health")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
