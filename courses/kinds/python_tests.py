"""The ``pytest`` check kind: Python exercises, tested with pytest or, without it, unittest.

Owns running the course's Python test files and turning their report into outcomes. Like
node-test (issue 9), a check is two sandboxes joined by pipes (``courses/kinds/_pair.py``): the
course's tests run in ``harness/pyharness.py`` under the jail's unprivileged uid, with no learner
file in reach, and ``import <module>`` of the learner's file gives a proxy to
``harness/pyserve.py``, which holds the learner's module under the learner's uid and answers
calls with values as data (``harness/pyrpc.py``).

Invariants kept here:
- The verdict is read only from the harness's output; nothing the learner's code does (print,
  exit, write to any fd, patch anything, return hostile objects) reaches that process: their
  values cross as data, everything else as handles the harness can only ask questions about.
- Every test the course wrote (``def test_...`` found in the test files) must have run and
  passed; tests that never ran fail with a plain reason (endless loop, crash while loading).
"""

from __future__ import annotations

import json
import re
from typing import Any

from courses.assets import asset_binds, placement_problems, work_relative
from courses.fields import check_fields
from courses.kinds import _pair as pair
from courses.model import CheckContext, Exercise, TestOutcome

KIND = "pytest"

MARKER = "@@slate-py-result"
"""What starts the harness's one result line (harness/pyharness.py)."""

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


def learner_modules(exercise: Exercise) -> list[str]:
    """The module names the tests may import from the learner: their top-level ``.py`` files."""
    names = []
    for rel in [*exercise.files, *exercise.readonly]:
        if "/" not in rel and rel.endswith(".py") and rel[:-3].isidentifier():
            names.append(rel[:-3])
    return names


async def run(check: dict[str, Any], ctx: CheckContext) -> list[TestOutcome]:
    """Run the course's Python tests in a harness sandbox (not the learner's uid, no learner
    file in it), with the learner's module served from a second sandbox under the learner's
    uid: the verdict is read from the harness only (see ``harness/pyharness.py``)."""
    tests: list[str] = check["tests"]
    course_files = tests + check.get("support", [])
    local = [work_relative(t) for t in course_files]
    modules = ",".join(learner_modules(ctx.exercise))
    folder = pair.make_folder(ctx, None, local)  # the course's files only
    try:
        harness = pair.Side(
            argv=["python3", "-I", "-B", f"{pair.HARNESS_IN_SANDBOX}/pyharness.py",
                  *[work_relative(t) for t in tests]],  # fmt: skip
            env={"SLATE_PY_MODULES": modules},
            ro_files=asset_binds(ctx.exercise, course_files),
            as_learner=False,
            work=folder,
            work_writable=False,
        )
        subject = pair.Side(
            argv=["python3", "-I", "-B", f"{pair.HARNESS_IN_SANDBOX}/pyserve.py"],
            env={"SLATE_PY_MODULES": modules},
            ro_files={},
            as_learner=True,
        )
        both = await pair.run_pair(ctx, harness, subject)
    finally:
        pair.remove_folder(folder)
    result, learner = both.proxy, both.server
    reported: list[dict[str, Any]] = []
    for line in result.stdout.decode("utf-8", errors="replace").splitlines():
        if line.startswith(MARKER + " "):
            try:
                reported = json.loads(line[len(MARKER) + 1 :])
            except ValueError:
                reported = []
    # Shown: only what the learner's own code printed (the harness's output is the course's).
    output = (learner.stdout + learner.stderr).decode("utf-8", errors="replace").strip()
    limit = result.limit or learner.limit
    return outcomes_from_report(reported, expected_names(ctx.exercise, check), limit, output)


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
