"""The ``pytest`` check kind: Python exercises, tested with pytest or, without it, unittest.

Owns running the course's Python test files in a fresh sandbox through a small driver
(``pytest_driver.py.in``, bound read-only) and turning its report into outcomes.

Invariants kept here:
- Results are read only from the driver's report line, which starts with a random nonce the
  driver reads from stdin before any learner code is imported; a learner's prints can't
  produce it by accident or by copying earlier output.
- Every test the course wrote (``def test_...`` found in the test files) must have run and
  passed; tests that never ran fail with a plain reason (endless loop, crash while loading).
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any

from courses.assets import asset_binds, placement_problems, work_relative
from courses.fields import check_fields
from courses.model import CheckContext, Exercise, TestOutcome

KIND = "pytest"

DRIVER = Path(__file__).resolve().parent / "pytest_driver.py.in"
DRIVER_IN_SANDBOX = "/slate/pytest_driver.py"

_TEST_DEF = re.compile(r"^(?P<indent>[ \t]*)def (?P<name>test\w*)\s*\(", re.MULTILINE)
_CLASS_DEF = re.compile(r"^(?P<indent>[ \t]*)class (?P<name>\w+)", re.MULTILINE)

LIMIT_WORDS = {
    "wall": "Your program took too long to finish — is there a loop that never ends?",
    "cpu": "Your program used too much computer time — is there a loop that never ends?",
    "memory": "Your program used too much memory — is a list or string growing forever, or "
    "a print inside a loop that never ends?",
    "pids": "Your program started too many processes.",
    "output": "Your program printed far too much — is there a print inside a loop that never ends?",
    "disk": "Your program wrote too much to disk.",
}


def validate(check: dict[str, Any], exercise: Exercise) -> list[str]:
    """Problems with a ``pytest`` check table."""
    problems = check_fields(
        check, {"kind": str, "tests": ("list", str)}, {"support": ("list", str), "name": str}
    )
    if problems:
        return problems
    if not check["tests"]:
        problems.append("tests: must list at least one test file")
    problems += placement_problems(exercise, "tests", check["tests"])
    problems += placement_problems(exercise, "support", check.get("support", []))
    for rel in check["tests"]:
        if not rel.endswith(".py"):
            problems.append(f"tests: {rel!r} is not a Python file (.py)")
    if not problems and not expected_names(exercise, check):
        problems.append("tests: no 'def test_...' found in the test files")
    return problems


def expected_names(exercise: Exercise, check: dict[str, Any]) -> list[str]:
    """``test_x`` for module-level tests, ``Class.test_x`` for methods, in file order."""
    names: list[str] = []
    for rel in check["tests"]:
        text = (exercise.dir / rel).read_text(encoding="utf-8", errors="replace")
        classes = [
            (m.start(), len(m.group("indent")), m.group("name")) for m in _CLASS_DEF.finditer(text)
        ]
        for m in _TEST_DEF.finditer(text):
            indent = len(m.group("indent"))
            if indent == 0:
                names.append(m.group("name"))
                continue
            owner = [c for c in classes if c[0] < m.start() and c[1] < indent]
            if owner:
                names.append(f"{owner[-1][2]}.{m.group('name')}")
    return names


async def run(check: dict[str, Any], ctx: CheckContext) -> list[TestOutcome]:
    """Run the course's Python tests against the learner's copy in a fresh sandbox."""
    tests: list[str] = check["tests"]
    ro_files = asset_binds(ctx.exercise, tests + check.get("support", []))
    ro_files[str(DRIVER)] = DRIVER_IN_SANDBOX
    nonce = "@@slate-" + secrets.token_hex(16)
    argv = ["python3", "-B", DRIVER_IN_SANDBOX, *[work_relative(t) for t in tests]]
    result = await ctx.run(argv, ro_files=ro_files, stdin=(nonce + "\n").encode())
    stdout = result.stdout.decode("utf-8", errors="replace")
    reported: list[dict[str, Any]] = []
    own_output: list[str] = []
    for line in stdout.splitlines():
        if line.startswith(nonce + " "):
            try:
                reported = json.loads(line[len(nonce) + 1 :])
            except ValueError:
                reported = []
        else:
            own_output.append(line)
    stderr = result.stderr.decode("utf-8", errors="replace").strip()
    output = "\n".join(own_output).strip()
    if stderr:
        output = f"{output}\n{stderr}".strip()
    return outcomes_from_report(reported, expected_names(ctx.exercise, check), result.limit, output)


def outcomes_from_report(
    reported: list[dict[str, Any]], expected: list[str], limit: str | None, output: str
) -> list[TestOutcome]:
    """One outcome per expected test (plus unexpected failures), from the driver's report."""
    load_errors = [r for r in reported if r.get("load")]
    by_name: dict[str, dict[str, Any]] = {}
    for entry in reported:
        by_name.setdefault(str(entry.get("name", "")), entry)
    if limit in LIMIT_WORDS:
        never = LIMIT_WORDS[limit]
    elif load_errors:
        never = "Your code stopped with an error while loading: " + _message(load_errors[0])
    else:
        never = (
            "This test never ran. Does your code stop the program early (for example with "
            "sys.exit), or crash while loading?"
        )
    outcomes: list[TestOutcome] = []
    for name in expected:
        found = by_name.pop(name, None)
        if found is None:
            outcomes.append(TestOutcome(name=name, status="failed", message=never))
        elif found.get("status") == "passed":
            outcomes.append(TestOutcome(name=name, status="passed"))
        else:
            outcomes.append(TestOutcome(name=name, status="failed", message=_message(found)))
    for name, r in by_name.items():
        if r.get("status") != "passed" and not r.get("load"):
            outcomes.append(TestOutcome(name=name, status="failed", message=_message(r)))
    if output and outcomes:
        target = next((o for o in outcomes if o.status != "passed"), outcomes[0])
        target.output = output
    return outcomes


def _message(r: dict[str, Any]) -> str:
    text = str(r.get("message", "")).strip() or "The test failed."
    where = r.get("where")
    if text.startswith("AssertionError: "):
        text = "The check was not true: " + text[len("AssertionError: ") :]
    elif text == "AssertionError":
        text = "A check in this test was not true."
    return f"{text} (in {where})" if where else text
