"""`make`'s first question: is PYTHON one the project supports, and was .venv made by it?"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from local.interpreter import ROOT, Verdict, decide, parse_version, supported_minors

SUPPORTED = [(3, 11), (3, 12)]


def judge(python_version, venv_version=None, *, venv_exists=None, explicit=False, alternatives=()):
    return decide(
        "python3",
        python_version=python_version,
        venv=".venv",
        venv_version=venv_version,
        venv_exists=venv_version is not None if venv_exists is None else venv_exists,
        explicit=explicit,
        supported=SUPPORTED,
        goal="dev",
        alternatives=alternatives,
    )


def test_the_supported_versions_are_pyproject_requires_python():
    text = (ROOT / "pyproject.toml").read_text()
    assert tomllib.loads(text)["project"]["requires-python"] == ">=3.11,<3.13"
    assert supported_minors(text) == SUPPORTED


def test_python_3_13_is_refused_in_one_line_that_names_a_way_out():
    verdict = judge((3, 13, 1), alternatives=("python3.12", "python3.11"))
    assert verdict.refusal == (
        "python3 is Python 3.13.1, but this project needs Python 3.11 or 3.12: run `make dev PYTHON=python3.12`."
    )
    assert "\n" not in verdict.refusal


def test_without_a_supported_python_on_path_the_way_out_is_to_install_one():
    verdict = judge((3, 10, 4))
    assert verdict.refusal is not None
    assert "install one and run `make dev PYTHON=/path/to/python3.12`" in verdict.refusal


def test_a_supported_python_without_a_venv_goes_on():
    assert judge((3, 11, 7)) == judge((3, 12, 1)) == Verdict()


def test_a_working_venv_is_kept_when_python_was_not_named():
    # python3 became 3.13 since: the 3.11 venv still works, and nobody asked for another.
    assert judge((3, 13, 0), (3, 11, 7)).refusal is None
    assert judge((3, 12, 1), (3, 11, 7)).rebuild is None


def test_a_venv_of_another_version_than_the_named_python_is_rebuilt():
    verdict = judge((3, 12, 1), (3, 11, 7), explicit=True)
    assert verdict.rebuild == "Rebuilding .venv: it was made with Python 3.11.7; PYTHON is python3 (Python 3.12.1)."
    assert judge((3, 11, 9), (3, 11, 7), explicit=True).rebuild is None


def test_a_venv_of_an_unsupported_version_is_rebuilt():
    verdict = judge((3, 11, 7), (3, 13, 0))
    assert (
        verdict.rebuild is not None
        and "made with Python 3.13.0, which this project does not support" in verdict.rebuild
    )


def test_a_venv_whose_python_no_longer_runs_is_rebuilt():
    assert judge((3, 11, 7), None, venv_exists=True).rebuild == (
        "Rebuilding .venv: its Python no longer runs; using python3 (Python 3.11.7)."
    )


def test_a_named_python_that_does_not_run_is_refused():
    verdict = judge(None, (3, 11, 7), explicit=True)
    assert verdict.refusal is not None and verdict.refusal.startswith("python3 does not run; this project needs")


@pytest.mark.parametrize(
    ("output", "version"),
    [("Python 3.12.1\n", (3, 12, 1)), ("Python 3.13.0rc2", (3, 13, 0)), ("pyenv: python3.9: not found", None)],
)
def test_python_version_output_is_read(output, version):
    assert parse_version(output) == version


def fake_python(path: Path, version: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho "Python {version}"\n')
    path.chmod(0o755)
    return path


def check(python: str, venv: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    script = str(ROOT / "local" / "interpreter.py")
    command = [sys.executable, script, "--python", python, "--venv", str(venv), *flags]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_the_script_removes_a_venv_made_by_another_python(tmp_path):
    venv = tmp_path / "venv"
    fake_python(venv / "bin" / "python", "3.12.1")
    (venv / "pyvenv.cfg").write_text("version = 3.12.1\n")
    run = check(sys.executable, venv, "--explicit")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"Rebuilding {venv}: it was made with Python 3.12.1; PYTHON is {sys.executable}")
    assert not venv.exists()


def test_the_script_never_removes_a_folder_that_is_not_a_venv(tmp_path):
    venv = tmp_path / "not-a-venv"
    fake_python(venv / "bin" / "python", "3.13.0")
    run = check(sys.executable, venv)
    assert run.returncode == 1
    assert "is not a virtualenv (no pyvenv.cfg)" in run.stderr
    assert (venv / "bin" / "python").exists()
