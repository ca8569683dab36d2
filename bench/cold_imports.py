"""The cold imports of ``make bench``: each function's handler import (``functions/*/app.py``, module load = Lambda
init) as a multiple of ``import boto3``, in what Lambda gives a function, not the dev venv.

The layer-only environment: the layer's requirements (``layers/shared/requirements.txt``) installed by the
project's pip into a target directory, less what the Lambda runtime provides (boto3, botocore, s3transfer, as
``layers/shared/Makefile`` takes them out), the layer's own code (``layers/shared``), and boto3/botocore at the dev
venv's versions in a directory of their own, as the runtime provides them. It is kept under ``.bench/``, keyed by
the requirements' hash and those versions, so a second run installs nothing. Each import runs in a fresh
interpreter without site-packages (``python -S``), with the function's folder, the layer and the runtime on its
path in Lambda's order.

Imports are measured interleaved: boto3, then a handler, in turn, so that noise on the shared machine hits both;
a handler's figure is the median of its pairs' ratios. Bytecode is cached (the first import of each is not
counted).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from local.template import ROOT

REQUIREMENTS = ROOT / "layers" / "shared" / "requirements.txt"
CACHE = ROOT / ".bench"
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
REPEATS = int(os.environ.get("BENCH_IMPORT_REPEATS", "7"))
TIMED = (
    "import time, sys\nsys.path.insert(0, {folder!r})\nt = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)"
)
# What the handlers read at import (settings), and Powertools kept from sending anything.
ENVIRONMENT = {
    "TABLE_NAME": "bench",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class ColdImport:
    """One function: the median ratio of its import to boto3's, its median seconds, and whether it imports
    ``twilio.rest``; or why it could not be imported."""

    name: str
    ratio: float = 0.0
    seconds: float = 0.0
    twilio_rest: bool = False
    failed: str | None = None


@dataclass(frozen=True)
class ColdImports:
    boto3_seconds: float
    functions: list[ColdImport]
    environment: Path
    repeats: int


def layer_environment(log: Callable[[str], None] = print) -> Path:
    """The layer-only environment's folder (``layer/`` and ``runtime/``), installed once per requirements."""
    versions = f"boto3=={metadata.version('boto3')} botocore=={metadata.version('botocore')}"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes() + versions.encode() + sys.version.encode()).hexdigest()[:16]
    home = CACHE / f"layer-env-{digest}"
    if (home / "complete").exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    pip = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--target"]
    log(f"  installing the layer-only environment into {home.relative_to(ROOT)} (once per requirements)...")
    install([*pip, str(home / "layer"), "--requirement", str(REQUIREMENTS)])
    for package in RUNTIME_PROVIDED:
        for path in (home / "layer").glob(f"{package}*"):
            if path.name == package or path.name.startswith(f"{package}-"):
                shutil.rmtree(path)
    shutil.rmtree(home / "layer" / "bin", ignore_errors=True)
    install([*pip, str(home / "runtime"), *versions.split()])
    (home / "complete").write_text(versions + "\n")
    return home


def install(command: list[str]) -> None:
    """Run pip quietly; its output only when it fails."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[3:5])} failed: {done.stderr.strip()[-2000:]}")


def seconds(code: str, folder: Path, home: Path) -> tuple[float, list[str]]:
    """Seconds ``code`` takes in a fresh interpreter of the layer-only environment, and its other output."""
    # Lambda's order: the function's folder (/var/task), the layer (/opt/python), the runtime (/var/runtime).
    path = [str(home / "layer"), str(ROOT / "layers" / "shared"), str(home / "runtime")]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(path), **ENVIRONMENT}
    script = TIMED.format(folder=str(folder), code=code)
    done = subprocess.run([sys.executable, "-S", "-c", script], env=env, cwd=folder, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["(no output)"])[-1])
    lines = done.stdout.split()
    return float(lines[-1]), lines[:-1]


def handlers() -> list[Path]:
    return sorted(path.parent for path in (ROOT / "functions").glob("*/app.py"))


def measure(home: Path, repeats: int = REPEATS, only: set[str] | None = None) -> ColdImports:
    """Every handler (or those named in ``only``) against boto3, interleaved."""
    boto3_code = "import boto3"
    handler_code = "import app\nprint('twilio.rest' in sys.modules)"
    baseline: list[float] = []
    results: list[ColdImport] = []
    seconds(boto3_code, ROOT, home)  # bytecode written before anything is timed
    for folder in handlers():
        if only and folder.name not in only:
            continue
        try:
            seconds(handler_code, folder, home)
        except RuntimeError as exc:
            results.append(ColdImport(folder.name, failed=str(exc)))
            continue
        ratios, own, rest = [], [], False
        for _ in range(repeats):
            boto3_seconds, _ = seconds(boto3_code, ROOT, home)
            handler_seconds, printed = seconds(handler_code, folder, home)
            baseline.append(boto3_seconds)
            ratios.append(handler_seconds / boto3_seconds)
            own.append(handler_seconds)
            rest = printed[-1:] == ["True"]
        results.append(ColdImport(folder.name, statistics.median(ratios), statistics.median(own), rest))
    return ColdImports(statistics.median(baseline) if baseline else 0.0, results, home, repeats)


def print_cold_imports(measured: ColdImports) -> None:
    where = measured.environment.relative_to(ROOT)
    print(
        f"\nCold import of each function (module load = Lambda init) in the layer-only environment ({where}), "
        f"as multiples of `import boto3` ({measured.boto3_seconds * 1000:.0f} ms), interleaved, "
        f"median of {measured.repeats} pairs"
    )
    print(f"  {'import boto3 (baseline)':<28} {1:5.2f}x")
    for cold in measured.functions:
        if cold.failed:
            print(f"  {cold.name:<28} failed to import: {cold.failed}")
            continue
        flag = "imports twilio.rest" if cold.twilio_rest else "no twilio.rest"
        print(f"  {cold.name:<28} {cold.ratio:5.2f}x   {cold.seconds * 1000:5.0f} ms   {flag}")


def main() -> None:
    """Only the cold imports: ``python -m bench.cold_imports [function ...]`` (``make bench-imports``)."""
    only = set(sys.argv[1:])
    home = layer_environment(lambda message: print(message, file=sys.stderr, flush=True))
    print_cold_imports(measure(home, only=only or None))


if __name__ == "__main__":
    main()
