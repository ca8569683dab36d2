"""Which Python makes ``.venv``: ``make`` asks this before it installs anything.

pyproject.toml's ``requires-python`` admits 3.11 and 3.12. When ``python3`` is 3.13, pip would fail late, deep in
the install, with "requires a different Python"; this stops first, with one line that says how to point
``PYTHON=`` at another interpreter. A ``.venv`` made by another Python than the one asked for, one the project
does not support, or one whose interpreter no longer runs, is removed (saying so) and made again.

``make`` runs this file with the interpreter it is about to use, which may be the wrong one: it keeps to the
standard library and to syntax that Python 3.7 reads.
"""

from __future__ import annotations

import argparse
import functools
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def supported_minors(pyproject: str) -> list[tuple[int, int]]:
    """The 3.x versions that ``requires-python = ">=3.a,<3.b"`` admits (tomllib is 3.11+, so a regex)."""
    found = re.search(r'^requires-python\s*=\s*">=\s*3\.(\d+)\s*,\s*<\s*3\.(\d+)\s*"', pyproject, re.MULTILINE)
    if found is None:
        raise ValueError('pyproject.toml: expected requires-python = ">=3.a,<3.b"')
    return [(3, minor) for minor in range(int(found.group(1)), int(found.group(2)))]


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``Python 3.12.1`` (what ``python --version`` prints) → ``(3, 12, 1)``."""
    found = re.search(r"Python (\d+)\.(\d+)\.(\d+)", text)
    return (int(found.group(1)), int(found.group(2)), int(found.group(3))) if found else None


def version_of(command: str) -> tuple[int, int, int] | None:
    """The version ``command --version`` reports, or ``None`` when it does not run."""
    try:
        answer = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_version(answer.stdout + answer.stderr) if answer.returncode == 0 else None


def dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def spoken(minors: list[tuple[int, int]]) -> str:
    names = [dotted(m) for m in minors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


@dataclass(frozen=True)
class Verdict:
    """What ``make`` does next: go on, remove the virtualenv first (``rebuild`` says why), or stop (``refusal``)."""

    rebuild: str | None = None
    refusal: str | None = None


def decide(
    python: str,
    *,
    python_version: tuple[int, int, int] | None,
    venv: str,
    venv_version: tuple[int, int, int] | None,
    venv_exists: bool,
    explicit: bool,
    supported: list[tuple[int, int]],
    goal: str = "dev",
    alternatives: tuple[str, ...] = (),
) -> Verdict:
    """Judge the interpreter ``PYTHON`` names and the virtualenv already there.

    ``explicit`` is whether ``PYTHON`` was given (command line or environment): a working ``.venv`` of a supported
    version is kept when it was not, whatever ``python3`` is now, so ``make test`` does not flip between versions.
    ``alternatives`` are interpreters on ``PATH`` that would do, best first, for the refusal's suggestion.
    """
    venv_ok = venv_version is not None and venv_version[:2] in supported
    same = venv_version is not None and python_version is not None and venv_version[:2] == python_version[:2]
    if venv_ok and (same or not explicit):
        return Verdict()
    if python_version is None or python_version[:2] not in supported:
        found = f"{python} is Python {dotted(python_version)}, but" if python_version else f"{python} does not run;"
        instead = alternatives[0] if alternatives else f"/path/to/python{dotted(supported[-1])}"
        install = "" if alternatives else "install one and "
        way_out = f"{install}run `make {goal} PYTHON={instead}`"
        return Verdict(refusal=f"{found} this project needs Python {spoken(supported)}: {way_out}.")
    if not venv_exists:
        return Verdict()
    using = f"{python} (Python {dotted(python_version)})"
    if venv_version is None:
        return Verdict(rebuild=f"Rebuilding {venv}: its Python no longer runs; using {using}.")
    if not venv_ok:
        return Verdict(
            rebuild=f"Rebuilding {venv}: it was made with Python {dotted(venv_version)}, which this project does "
            f"not support; using {using}."
        )
    return Verdict(rebuild=f"Rebuilding {venv}: it was made with Python {dotted(venv_version)}; PYTHON is {using}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the interpreter that makes the virtualenv")
    parser.add_argument("--python", required=True, help="the interpreter PYTHON names")
    parser.add_argument("--venv", required=True, help="the virtualenv folder")
    parser.add_argument("--explicit", action="store_true", help="PYTHON was given, not the default")
    parser.add_argument("--goal", default="dev", help="the make target, for the suggestion")
    args = parser.parse_args(argv)

    supported = supported_minors((ROOT / "pyproject.toml").read_text())
    venv = Path(args.venv)
    venv_python = venv / "bin" / "python"
    venv_exists = venv_python.is_symlink() or venv_python.exists() or (venv / "pyvenv.cfg").exists()
    judge = functools.partial(
        decide,
        args.python,
        python_version=version_of(args.python),
        venv=args.venv,
        venv_version=version_of(str(venv_python)) if venv_exists else None,
        venv_exists=venv_exists,
        explicit=args.explicit,
        supported=supported,
        goal=args.goal,
    )
    verdict = judge()
    if verdict.refusal:
        # Only now look for interpreters that would do, to name one in the way out.
        candidates = [f"python{dotted(minor)}" for minor in reversed(supported)]
        verdict = judge(alternatives=tuple(c for c in candidates if shutil.which(c) and version_of(c)))
        print(verdict.refusal, file=sys.stderr)
        return 1
    if verdict.rebuild:
        if not (venv / "pyvenv.cfg").exists():
            print(
                f"{venv} is not a virtualenv (no pyvenv.cfg): move it away, or set VENV= to another folder.",
                file=sys.stderr,
            )
            return 1
        print(verdict.rebuild, flush=True)
        shutil.rmtree(venv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
