"""The docs' walks run: every ```sh block of the walks in docs/, in order, against a fresh local stack, and the
README's first call on a stack of its own, each answer compared with the one printed under its command. The syntax
is docs/README.md's ("Walks that run")."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from local.stack import Stack, shell_variables, write_facts
from local.template import ROOT

DOCS = ROOT / "docs"
# In the order a newcomer reads them: each walk may use what the walks before it left (a walk never destroys
# demo data a later one needs; one that needs other settings starts its own stack with a `make dev` line).
WALKS = [
    "agent-call.md",
    "managing-numbers.md",
    "verifying-caller-ids.md",
    "taskrouter-events.md",
    "transfers.md",
    "local-presence-and-assignments.md",
    "number-reputation.md",
    "trust-hub.md",
    "call-outcomes.md",
]
ELLIPSIS = "…"
STATUS = re.compile(r"^([1-5]\d\d)(?:\s+|$)")
REMARK = re.compile(r"\s{2,}\(.*\)\s*$")  # "# {…}   (still Alice's)": a remark after the answer
MAKE_DEV = re.compile(r"^((?:[A-Z_][A-Z0-9_]*=\S*\s+)*)make dev$")
# The curl a walk runs is curl, plus one thing: each answer's status, written to stderr for the runner.
PRELUDE = """set -o pipefail
curl() { command curl -w '%{stderr}@@http %{http_code}\\n' "$@"; }
"""


@dataclass
class Step:
    """One command of a block and the answer printed under it (comment lines right below it)."""

    block: int
    line: int
    command: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    code: int
    stdout: str
    statuses: list[int]
    stderr: str


def sh_blocks(text: str) -> list[tuple[int, list[str]]]:
    """The ```sh blocks of a page: (line number of the first line, lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        if current is None and line.strip() == "```sh":
            current, start = [], number + 1
        elif current is not None and line.strip() == "```":
            blocks.append((start, current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def complete(command: str) -> bool:
    """Whether bash reads ``command`` as whole (no open quote, ``$(``, ``do`` … ``done`` or trailing ``\\``)."""
    if command.rstrip().endswith(("\\", "|", "&&")):
        return False
    return subprocess.run(["bash", "-n"], input=command, capture_output=True, text=True).returncode == 0


def steps_of(text: str) -> list[Step]:
    steps: list[Step] = []
    for index, (start, lines) in enumerate(sh_blocks(text)):
        pending: list[str] = []
        last: Step | None = None  # the step whose answer a comment right below would be
        for offset, line in enumerate(lines):
            stripped = line.strip()
            if pending:
                pending.append(line)
            elif stripped.startswith("#"):
                if last is not None:
                    last.expected.append(stripped[1:].strip())
                continue
            elif not stripped:
                last = None
                continue
            else:
                pending = [line]
                first = start + offset
            if complete("\n".join(pending)):
                last = Step(index, first, "\n".join(pending))
                steps.append(last)
                pending = []
        assert not pending, f"block at line {start}: an unfinished command: {pending}"
    return steps


# -- the answers printed in the docs


class Shown(list[tuple[str, Any]]):
    """An object as the docs print it: its pairs, in order (``…`` among them: other keys may follow)."""


MORE = "\0more"
ANY = "\0any"


def expected_json(text: str) -> list[Any]:
    """The JSON values of an answer, where a bare ``…`` is any value, any other keys of an object, or any other
    elements of a list; a string with ``…`` in it matches a string with anything in that place."""
    out: list[str] = []
    stack: list[str] = []
    i, in_string = 0, False
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(text[i : i + 2] if c == "\\" else c)
            i += 2 if c == "\\" else 1
            in_string = c != '"'
            continue
        if c == ELLIPSIS:
            before = "".join(out).rstrip()[-1:]
            if stack and stack[-1] == "{" and before in "{,":
                out.append(json.dumps(MORE) + ":0")
            elif stack and stack[-1] == "[":
                out.append(json.dumps(MORE))
            else:
                out.append(json.dumps(ANY))
        else:
            if c in "{[":
                stack.append(c)
            elif c in "}]" and stack:
                stack.pop()
            in_string = c == '"'
            out.append(c)
        i += 1
    return json_values("".join(out), hook=Shown)


def json_values(text: str, hook: Any = None) -> list[Any]:
    decoder = json.JSONDecoder(object_pairs_hook=hook)
    values, i, text = [], 0, text.strip()
    while i < len(text):
        value, i = decoder.raw_decode(text, i)
        values.append(value)
        while i < len(text) and text[i].isspace():
            i += 1
    return values


def matches(expected: Any, actual: Any) -> bool:
    if expected == ANY:
        return True
    if isinstance(expected, Shown):
        if not isinstance(actual, dict):
            return False
        shown = [(k, v) for k, v in expected if k != MORE]
        if len(shown) == len(expected) and {k for k, _ in shown} != set(actual):
            return False
        return all(k in actual and matches(v, actual[k]) for k, v in shown)
    if isinstance(expected, list):
        return isinstance(actual, list) and list_matches(expected, actual)
    if isinstance(expected, str) and ELLIPSIS in expected:
        return isinstance(actual, str) and text_matches(expected, actual)
    return type(expected) is type(actual) and expected == actual


def list_matches(expected: list[Any], actual: list[Any]) -> bool:
    if not expected:
        return not actual
    if expected[0] == MORE:
        return any(list_matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and matches(expected[0], actual[0]) and list_matches(expected[1:], actual[1:])


def text_matches(expected: str, actual: str) -> bool:
    """Text with runs of white space as one space, ``…`` as anything."""
    pattern = ".*".join(re.escape(" ".join(part.split())) for part in expected.split(ELLIPSIS))
    return re.fullmatch(pattern, " ".join(actual.split()), re.DOTALL) is not None


def check(step: Step, outcome: Outcome) -> str | None:
    """What is wrong with the outcome of ``step``, or None."""
    if outcome.code != 0:
        return f"the command exited with {outcome.code}"
    shown = " ".join(REMARK.sub("", line) for line in step.expected)
    status = STATUS.match(shown)
    body = shown[status.end() :] if status else shown
    statuses = outcome.statuses
    if status:
        if not statuses or statuses[-1] != int(status.group(1)):
            return f"status {statuses[-1] if statuses else 'none (no curl)'}, not {status.group(1)}"
        statuses = statuses[:-1]
    failed = [s for s in statuses if s >= 400]
    if failed:
        return f"a request answered {failed[0]}"
    if step.expected and not status and statuses and not 200 <= statuses[-1] < 300:
        return f"status {statuses[-1]}: an answer shown without a status is a success (2xx)"
    if not step.expected or (status and not body):
        if status and outcome.stdout.strip():
            return "an answer with a body, where none is printed"
        return None
    if body[:1] in '{["' or body.split(" ")[0] in ("null", "true", "false"):
        try:
            actual = json_values(outcome.stdout)
        except ValueError:
            return "not JSON"
        wanted = expected_json(body)
        if len(actual) != len(wanted) or not all(matches(w, a) for w, a in zip(wanted, actual, strict=True)):
            return "a different answer"
        return None
    return None if text_matches(body, outcome.stdout) else "a different answer"


def run(steps: list[Step], cwd: Path, env: dict[str, str]) -> list[Outcome]:
    """Every step in one shell, as a reader types them into one terminal; markers split the outputs."""
    script = PRELUDE + "".join(
        f"{step.command}\n__code=$?; printf '\\n@@step {n} %d\\n' $__code; printf '\\n@@step {n}\\n' >&2\n"
        for n, step in enumerate(steps)
    )
    done = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
    )
    stdouts = re.split(r"\n@@step \d+ (\d+)\n", "\n" + done.stdout)
    stderrs = re.split(r"\n@@step \d+\n", "\n" + done.stderr)
    outcomes = []
    for n in range(len(steps)):
        if 2 * n + 1 >= len(stdouts):
            outcomes.append(Outcome(-1, "", [], f"the walk stopped before this command:\n{done.stderr[-2000:]}"))
            continue
        err = stderrs[n] if n < len(stderrs) else ""
        statuses = [int(s) for s in re.findall(r"@@http (\d+)", err)]
        other = re.sub(r"@@http \d+\n?", "", err).strip()
        outcomes.append(Outcome(int(stdouts[2 * n + 1]), stdouts[2 * n].strip(), statuses, other))
    return outcomes


def report(walk: str, text: str, step: Step, outcome: Outcome, problem: str) -> str:
    """The failing command in its block (marked ``>>``), the answer printed under it, and the one it got."""
    start, lines = sh_blocks(text)[step.block]
    block = "\n".join((">> " if start + i == step.line else "   ") + line for i, line in enumerate(lines))
    expected = "\n".join(f"   # {line}" for line in step.expected) or "   (nothing printed: a success)"
    statuses = ", ".join(map(str, outcome.statuses)) or "none (no curl)"
    stderr = f"\nstderr:\n   {outcome.stderr}" if outcome.stderr else ""
    return (
        f"{walk}, line {step.line}: {problem}\n\nThe block:\n{block}\n\nExpected:\n{expected}\n\n"
        f"Actual (HTTP status {statuses}; exit {outcome.code}):\n   {outcome.stdout or '(no output)'}{stderr}"
    )


# -- the stacks


class Stacks:
    """The walks' shared stack, started on first use, and a stack of its own for a walk that starts one."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: list[Stack] = []
        self.shared: tuple[Stack, dict[str, Any]] | None = None

    def start(self, settings: dict[str, str]) -> tuple[Stack, dict[str, Any]]:
        stack = Stack.throwaway(f"caller-id-docs-{uuid.uuid4().hex[:6]}")
        stack.extra_env = settings
        stack_file = self.workdir / ".dev" / "stack.json"
        self.running.append(stack)
        return stack, stack.start(ready=lambda facts: write_facts(stack_file, facts))

    def for_walk(self, steps: list[Step]) -> tuple[Stack | None, dict[str, Any], list[Step]]:
        """The stack a walk runs on: its own (answered first, to be stopped after the walk) when its first command
        is ``make dev``, else the shared one; and the steps left to run."""
        first = MAKE_DEV.match(steps[0].command.strip()) if steps else None
        if first:
            settings = dict(pair.split("=", 1) for pair in first.group(1).split())
            return *self.start(settings), steps[1:]
        if self.shared is None:
            self.shared = self.start({})
        write_facts(self.workdir / ".dev" / "stack.json", self.shared[1])
        return None, self.shared[1], steps

    def stop(self) -> None:
        for stack in self.running:
            stack.stop()


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stacks]:
    """A working directory as a reader's checkout looks to the walks: ``.venv`` (this interpreter's) and
    ``.dev/stack.json`` (the running stack's)."""
    workdir = tmp_path_factory.mktemp("walks")
    (workdir / ".venv").symlink_to(Path(sys.executable).parent.parent)
    made = Stacks(workdir)
    try:
        yield made
    finally:
        made.stop()


def walk_env(workdir: Path, facts: dict[str, Any]) -> dict[str, str]:
    """The reader's terminal after pasting the banner's ``export`` lines."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_TOKEN", "_ACCOUNT_SID"))}
    env.update(shell_variables(facts))
    env["STACK_FILE"] = str(workdir / ".dev" / "stack.json")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "layers" / "shared")])
    return env


def test_every_walk_is_run():
    """A page with a ```sh block is a walk, and every walk is in WALKS (so none is skipped unnoticed)."""
    pages = {p.name for p in DOCS.glob("*.md") if sh_blocks(p.read_text())}
    assert pages == set(WALKS)


def walk_through(page: str, steps: list[Step], facts: dict[str, Any], stacks: Stacks) -> None:
    text = (ROOT / page).read_text()
    outcomes = run(steps, stacks.workdir, walk_env(stacks.workdir, facts))
    for step, outcome in zip(steps, outcomes, strict=True):
        problem = check(step, outcome)
        assert problem is None, report(page, text, step, outcome, problem)


def test_the_front_pages_first_call(stacks: Stacks) -> None:
    steps = steps_of((ROOT / "README.md").read_text())
    assert steps, "README.md shows a first call"
    own, facts = stacks.start({})
    try:
        walk_through("README.md", steps, facts, stacks)
    finally:
        own.stop()


@pytest.mark.parametrize("walk", WALKS)
def test_walk(walk: str, stacks: Stacks) -> None:
    steps = steps_of((DOCS / walk).read_text())
    assert steps, f"docs/{walk} has no command"
    own, facts, steps = stacks.for_walk(steps)
    try:
        walk_through(f"docs/{walk}", steps, facts, stacks)
    finally:
        if own is not None:
            own.stop()


# -- the runner's own rules (no stack)


@pytest.mark.parametrize(
    ("shown", "answer", "agrees"),
    [
        ('{"released":true,"phoneNumber":"+12125550100"}', {"released": True, "phoneNumber": "+12125550100"}, True),
        ('{"released":true}', {"released": True, "phoneNumber": "+1"}, False),  # no …: exactly these keys
        ('{"released":true,…}', {"released": True, "phoneNumber": "+1"}, True),
        ('{…,"label":"x",…}', {"sid": "PN1", "label": "x", "status": "active"}, True),
        ('{"workerSid":"WK…"}', {"workerSid": "WK0123"}, True),
        ('{"workerSid":"WK…"}', {"workerSid": "PN0123"}, False),
        ('{"lock":…}', {"lock": {"phoneNumber": "+1"}}, True),
        ('{"guard":null}', {"guard": False}, False),  # a literal is that value, of that type
        ('{"n":1}', {"n": True}, False),
        ('[{"a":1},…]', [{"a": 1}, {"a": 2}, {"a": 3}], True),
        ('[{"a":1},…]', [{"a": 2}], False),
        ('{"l":[{…},{…}]}', {"l": [{"a": 1}]}, False),
    ],
)
def test_a_json_answer_agrees_with_what_is_shown(shown, answer, agrees):
    (expected,) = expected_json(shown)
    assert matches(expected, answer) is agrees


def outcome(stdout: str, *statuses: int, code: int = 0) -> Outcome:
    return Outcome(code, stdout, list(statuses), "")


@pytest.mark.parametrize(
    ("expected", "got", "problem"),
    [
        (
            ['409 {"error":{"code":"caller_id_in_use",…}}   (still Alice\'s)'],
            outcome('{"error":{"code":"caller_id_in_use"}}', 409),
            None,
        ),
        (['409 {"error":…}'], outcome('{"error":{}}', 204), "status 204, not 409"),
        (['{"from":"+1…",…}'], outcome('{"from":"+1"}', 422), "a request answered 422"),
        (["204"], outcome("", 204), None),
        (["204"], outcome("{}", 204), "an answer with a body, where none is printed"),
        ([], outcome("anything", 200, 201), None),
        ([], outcome("", 200, 404), "a request answered 404"),
        ([], outcome("", code=1), "the command exited with 1"),
        (['{"a":1}', '{"a":2}'], outcome('{"a":1}\n{"a":2}', 200, 200), None),
        (['{"a":1}', '{"a":2}'], outcome('{"a":1}', 200), "a different answer"),
        (
            ["POST /webhooks/twilio/voice -> 200 <?xml …><Response>…</Response>"],
            outcome('POST /webhooks/twilio/voice -> 200 <?xml version="1.0"?><Response><Reject/></Response>'),
            None,
        ),
        (["405 Allow: OPTIONS,POST"], outcome("Allow: OPTIONS,POST\r", 405), None),
    ],
)
def test_a_step_is_checked_as_docs_readme_says(expected, got, problem):
    assert check(Step(0, 1, "true", expected), got) == problem


def test_comments_right_under_a_command_are_its_answer_and_others_are_notes():
    page = "\n".join(
        [
            "```sh",
            "# a note above",
            "X=$(echo 1 |",
            "  cat)",
            "curl -s \\",
            "  $API/x",
            "# {…}",
            "#  (continued)",
            "",
            "# a note after a blank line",
            "for i in 1 2; do",
            "  echo $i",
            "done",
            "# 1",
            "```",
            "```bash",
            "aws ssm put-parameter",
            "```",
        ]
    )
    steps = steps_of(page)
    assert [(s.line, s.command.split()[0], s.expected) for s in steps] == [
        (3, "X=$(echo", []),
        (5, "curl", ["{…}", "(continued)"]),
        (11, "for", ["1"]),
    ]
