"""Check kind ``tdd``: the learner's own tests must pass on a correct version and catch bugs.

Owns how test-writing is judged: the learner's test file runs with node's built-in test runner
(``node --test-reporter=tap <file>``) once against the course's reference implementation and
once against each *mutant* (a deliberately broken copy described in the manifest). Tests that
pass on the reference and fail on every mutant are good tests; each mutant they miss is reported
in words ("Your tests did not notice when `total` forgot to add the last price ...").

Invariants kept here (ARCHITECTURE invariant 3):
- The learner's tests are the untrusted code. They run in their own sandbox (the learner's
  uid, ``/work`` read-only, a fresh /tmp), where ``require('./<subject>')`` gives a proxy
  (``harness/proxy.cjs``); the reference or mutant is loaded in *another* sandbox, under the
  jail's uid that is not the learner's, by ``harness/serve.cjs`` in trusted mode, and answers
  calls over two pipes. No byte of the reference, the mutants or the course's tests is in the
  learner's sandbox; ``fn.toString()`` on the proxy gives ``[native code]``, the trusted side
  hands out no builtin (no ``Function`` to evaluate code with), keeps its error stacks, and replaces
  engine messages that could quote its code ("items.reduce is not a function").
- Why a forged pass is only a test: each version's run reports its own TAP, which learner code
  could write by itself; but every run is identical from the learner's side (same files, same
  environment, same names, nothing carried over: ``/work`` is read-only and each run is a fresh
  sandbox; versions run in random order). The only thing that differs between the reference
  and a mutant is what the proxy's calls answer. So a test file that passes on the reference
  and fails on a mutant must be deciding from those answers — which is what a test is. The
  verdict itself (reference passed *and* each mutant failed) is computed here, on the host.
- A test file that never ends meets the sandbox's limits; the learner's printed output is
  escaped by the runner and cannot pose as a result of another version.
"""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from courses.kinds import _pair as pair
from courses.model import CheckContext, Exercise, TestOutcome
from courses.tap import parse_tap as parse_tap_tree

KIND = "tdd"

CHECK_FIELDS = ("kind", "name", "tests", "subject", "reference", "mutants", "min_tests")
PARALLEL = 2  # sandboxes at once (the host has two cores)

_NOT_OK_RE = re.compile(r"^(\s*)not ok \d+ - (.*)$")
_SUMMARY_RE = re.compile(r"^# (tests|pass|fail) (\d+)\s*$")
_OK_RE = re.compile(r"^\s*(?:not )?ok \d+ - (.*)$")
# The runner's YAML for a test file killed by a signal (learner output is "# "-escaped, so a
# printed copy of this line cannot match: it would not start with spaces).
_SIGNAL_RE = re.compile(r"^\s+signal: '(SIG[A-Z]+)'\s*$", re.MULTILINE)
SIGNAL_LIMITS = {"SIGXCPU": "cpu", "SIGKILL": "wall", "SIGXFSZ": "disk"}
FILE_SUFFIXES = (".js", ".mjs", ".cjs")
# Lines that are node's TAP itself (results, plans, comments, YAML blocks, which are indented)
_TAP_LINE_RE = re.compile(r"^(?:\s|#|ok |not ok |TAP version |1\.\.|Bail out!)")


def _mutant_tables(check: dict[str, Any]) -> list[dict[str, str]]:
    """Mutants as ``{"file", "description"}``: tables, or bare paths (generic description)."""
    out = []
    for item in check.get("mutants") or []:
        if isinstance(item, str):
            stem = Path(item).stem.replace("-", " ").replace("_", " ")
            out.append({"file": item, "description": f"the code has a bug ({stem})"})
        elif isinstance(item, dict):
            out.append(
                {"file": str(item.get("file", "")), "description": str(item.get("description", ""))}
            )
    return out


def validate(check: dict[str, Any], exercise: Exercise) -> list[str]:
    """Problems in a ``tdd`` check table (empty when it is fine)."""
    problems = [
        f"unknown field {key!r} (allowed: {', '.join(CHECK_FIELDS)})"
        for key in sorted(set(check) - set(CHECK_FIELDS))
    ]
    tests = check.get("tests")
    if not isinstance(tests, str) or tests not in exercise.files:
        problems.append("tests must name one of the exercise's files (the learner's test file)")
    subject = check.get("subject")
    if (
        not isinstance(subject, str)
        or not subject
        or subject.startswith(("/", "."))
        or (".." in Path(subject).parts)
    ):
        problems.append('subject must be the relative path the tests import, e.g. "total.js"')
    elif subject == tests:
        problems.append("subject and tests must be different files")
    for field in ("reference",):
        value = check.get(field)
        if not isinstance(value, str) or not value.startswith("tests/"):
            problems.append(f"{field} must name a file under tests/")
        elif not (exercise.dir / value).is_file():
            problems.append(f"{field} {value} does not exist")
    raw = check.get("mutants")
    if not isinstance(raw, list) or not raw:
        problems.append("mutants must list one or more broken versions")
    else:
        for number, item in enumerate(raw, 1):
            if isinstance(item, dict):
                extra = sorted(set(item) - {"file", "description"})
                if extra:
                    problems.append(f"mutant {number}: unknown field(s) {extra}")
                if not isinstance(item.get("description"), str) or not item["description"]:
                    problems.append(
                        f"mutant {number}: needs a description (what is broken, "
                        "in words a learner understands)"
                    )
                path = item.get("file")
            elif isinstance(item, str):
                path = item
            else:
                problems.append(f"mutant {number}: must be a path or a table")
                continue
            if not isinstance(path, str) or not path.startswith("tests/"):
                problems.append(f"mutant {number}: file must be under tests/")
            elif not (exercise.dir / path).is_file():
                problems.append(f"mutant {number}: {path} does not exist")
    min_tests = check.get("min_tests", 1)
    if not isinstance(min_tests, int) or isinstance(min_tests, bool) or min_tests < 1:
        problems.append("min_tests must be a whole number >= 1")
    return problems


# ---- running ------------------------------------------------------------------------------


@dataclass
class Failure:
    """The first failing test in node's TAP output."""

    name: str
    error: str = ""  # node's error message
    code: str = ""  # "ERR_ASSERTION" for a failed assert, "ERR_TEST_FAILURE" for a throw
    error_name: str = ""  # "ReferenceError", "TypeError", ... when node names it
    origin: str = ""  # the first line of the stack: where the error was thrown


@dataclass
class Verdict:
    """How the learner's tests did against one version of the subject."""

    passed: bool
    tests: int
    failure: Failure | None = None
    limit: str | None = None
    output: str = ""


def parse_tap(stdout: str) -> tuple[int | None, int | None, Failure | None]:
    """(tests, failed, the first failing test) from node's TAP output.

    The counts come from the runner's *final* summary, less the entries node makes for test
    *files* (a file with no tests, or one that crashed, is reported as a test of its path).
    """
    counts: dict[str, int] = {}
    failure: Failure | None = None
    wrappers = 0
    lines = stdout.splitlines()
    for index, line in enumerate(lines):
        summary = _SUMMARY_RE.match(line)
        if summary:
            counts[summary.group(1)] = int(summary.group(2))
            continue
        result = _OK_RE.match(line)
        if result and result.group(1).strip().endswith(FILE_SUFFIXES):
            wrappers += 1
            continue
        bad = _NOT_OK_RE.match(line)
        if bad and failure is None:
            failure = _failure_after(bad.group(2).strip(), lines, index)
    tests = counts.get("tests")
    if tests is not None:
        tests = max(tests - wrappers, 0)
    return tests, counts.get("fail"), failure


def _yaml_value(text: str) -> str:
    return text.strip().strip("'\"")


def _failure_after(name: str, lines: list[str], index: int) -> Failure:
    """Read the YAML block after a ``not ok`` line: error, code and error name."""
    failure = Failure(name)
    for j in range(index + 1, min(index + 60, len(lines))):
        stripped = lines[j].strip()
        if stripped == "..." or _NOT_OK_RE.match(lines[j]):
            break
        key, _, rest = stripped.partition(":")
        if key == "code" and not failure.code:
            failure.code = _yaml_value(rest)
        elif key == "name" and not failure.error_name:
            failure.error_name = _yaml_value(rest)
        elif key == "stack" and not failure.origin and j + 1 < len(lines):
            first = lines[j + 1].strip() if rest.strip() in ("|-", "|") else rest
            failure.origin = _yaml_value(first)[:200]
        elif key == "error" and not failure.error:
            rest = rest.strip()
            if rest and rest not in ("|-", "|", ">-"):
                failure.error = _yaml_value(rest)[:300]
                continue
            body = []
            indent = len(lines[j]) - len(lines[j].lstrip())
            for k in range(j + 1, min(j + 12, len(lines))):
                line = lines[k]
                if line.strip() and len(line) - len(line.lstrip()) <= indent:
                    break
                if line.strip():
                    body.append(line.strip())
            failure.error = " ".join(body)[:300]
    return failure


def explain_failure(failure: Failure, subject: str) -> str:
    """Why a learner's test fails on the *correct* code, in words for a beginner."""
    quoted = f'Your test "{failure.name}"'
    detail = f" ({failure.error})" if failure.error else ""
    if failure.code == "ERR_ASSERTION":
        return (f"{quoted} fails on a correct version of {subject}, so it expects the wrong "
                f"thing{detail}. Check the value that test expects.")
    thrown_by_code = f"/{subject}:" in failure.origin
    if not thrown_by_code and failure.error_name in ("ReferenceError", "TypeError",
                                                     "SyntaxError"):
        return (f"{quoted} stopped with a {failure.error_name}{detail}. Check the spelling of "
                "the names in that test, and that you call the function the way the lesson "
                "shows.")
    return (f"{quoted} stopped because the code threw an error{detail}. If the test is meant "
            "to check that an error is thrown, wrap the call in an arrow function: "
            "assert.throws(() => ...).")


async def _judge(ctx: CheckContext, tests: str, subject: str, version: Path) -> Verdict:
    """Run the learner's tests (their sandbox, their uid, ``/work`` read-only) against
    ``version`` served from another sandbox that the learner's code cannot see into."""
    folder = pair.make_folder(ctx, None, [subject])
    try:
        learner = pair.Side(
            argv=[
                "node",
                "--require",
                f"{pair.HARNESS_IN_SANDBOX}/proxy.cjs",
                "--test-reporter=tap",
                "--test-reporter-destination=stdout",
                f"/work/{tests}",
            ],
            env={"SLATE_RPC_ROLE": "tests", "SLATE_RPC_REMOTE": subject},
            ro_files={},
            as_learner=True,
            work_writable=False,  # nothing carries over from one version's run to the next
        )
        reference = pair.Side(
            argv=list(pair.SERVE_ARGV),
            env={"SLATE_RPC_MODE": "trusted", "SLATE_RPC_SERVE": subject},
            ro_files={str(version): f"/work/{subject}"},
            as_learner=False,
            work=folder,
            work_writable=False,
        )
        both = await pair.run_pair(ctx, learner, reference)
    finally:
        pair.remove_folder(folder)
    result = both.proxy
    stdout = _text(result.stdout)
    stderr = _text(result.stderr)
    count, failed, failure = parse_tap(stdout)
    killed = _SIGNAL_RE.search(stdout)
    limit = result.limit or (SIGNAL_LIMITS.get(killed.group(1), "cpu") if killed else None)
    if limit:
        return Verdict(passed=False, tests=count or 0, limit=limit, output=stderr[-800:])
    passed = result.exit_code == 0 and (failed or 0) == 0
    return Verdict(passed=passed, tests=count or 0, failure=failure,
                   output=readable_results(stdout, stderr))


def readable_results(stdout: str, stderr: str = "") -> str:
    """Node's TAP told for a learner: one line per test (``passed``/``FAILED`` and its name,
    the error under a failed one), then what the tests printed. Never the raw TAP."""
    report = parse_tap_tree(stdout)
    lines = []
    for leaf in report.leaves():
        if leaf.name.strip().endswith(FILE_SUFFIXES):
            continue  # node's entry for the test *file* (a crash), not a test
        name = " > ".join(part for part in leaf.path.split(" > ") if not
                          part.strip().endswith(FILE_SUFFIXES))
        if leaf.directive:
            lines.append(f"  skipped  {name}")
        elif leaf.ok:
            lines.append(f"  passed   {name}")
        else:
            lines.append(f"  FAILED   {name}")
            error = leaf.diag.get("error", "").strip().strip("'\"")
            if error:
                lines.append("           " + " ".join(error.split())[:300])
    printed = [line for line in report.output if line.strip()]
    # run in-process (no --test), console.log goes straight to stdout between the TAP lines
    printed += [line for line in stdout.splitlines() if line.strip() and not
                _TAP_LINE_RE.match(line)]
    out = []
    if lines:
        out.append("Your tests:")
        out += lines[-40:]
    if printed:
        out.append("What your tests printed:")
        out += ["  " + line for line in printed[-20:]]
    errors = stderr.strip()
    if errors:
        out.append(errors[-500:])
    return "\n".join(out)[-2500:]


def _text(data: bytes | str) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)


async def run(check: dict[str, Any], ctx: CheckContext) -> list[TestOutcome]:
    """Run the learner's tests against the reference, then against each mutant."""
    exercise = ctx.exercise
    tests = str(check["tests"])
    subject = str(check["subject"])
    reference = exercise.dir / str(check["reference"])
    mutants = _mutant_tables(check)
    min_tests = int(check.get("min_tests", 1))
    good_name = f"Your tests pass on a correct {subject}"

    test_file = ctx.work_dir / tests
    if not test_file.is_file():
        return [TestOutcome(f"{tests} is missing", "failed",
                            f"{tests} is missing. Write your tests in it.")]
    # The subject is bound over this path; make sure the mount point exists.
    target = ctx.work_dir / subject
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_text("")

    gate = asyncio.Semaphore(PARALLEL)

    async def judged(version: Path) -> Verdict:
        async with gate:
            return await _judge(ctx, tests, subject, version)

    versions = [reference, *(exercise.dir / m["file"] for m in mutants)]
    order = list(range(len(versions)))
    random.SystemRandom().shuffle(order)  # no version is told apart by when it runs
    results = await asyncio.gather(*(judged(versions[i]) for i in order))
    verdicts = [results[order.index(i)] for i in range(len(versions))]
    ref, rest = verdicts[0], verdicts[1:]
    outcomes: list[TestOutcome] = []
    ref_ok = False
    if ref.limit:
        good_name = "Your tests did not finish"
        message = (
            "Your tests took too long to finish. Is there a loop that never ends, or a "
            "test that waits for something that never happens?"
        )
        if ref.limit not in ("wall", "cpu"):
            message = f"Your tests were stopped: they hit the {ref.limit} limit."
        outcomes.append(TestOutcome(good_name, "failed", message, output=ref.output))
    elif not ref.passed:
        if ref.failure is not None:
            good_name = f"Your tests fail on a correct {subject}"
            message = explain_failure(ref.failure, subject)
        else:
            good_name = "Your test file stopped with an error"
            message = (f"Your test file stopped with an error before its tests finished. Look "
                       f"at the output below: is there a typo in {tests}?")
        outcomes.append(TestOutcome(good_name, "failed", message, output=ref.output))
    elif ref.tests < min_tests:
        good_name = f"Not enough tests in {tests}"
        need = "a test" if min_tests == 1 else f"at least {min_tests} tests"
        found = ("has no tests that ran" if not ref.tests else
                 f"has only {ref.tests} test{'s' if ref.tests > 1 else ''}")
        outcomes.append(TestOutcome(
            good_name, "failed",
            f"{tests} {found}. Write {need} with test('what it checks', () => {{ ... }}): "
            "one for each case the lesson lists.", output=ref.output))
    else:
        ref_ok = True
        outcomes.append(TestOutcome(good_name, "passed"))
    for mutant, verdict in zip(mutants, rest, strict=True):
        # the title says what happened: caught, missed, or not tried yet
        name = f"Your tests catch the bug: {mutant['description']}"
        if not ref_ok:
            outcomes.append(
                TestOutcome(f"Not tried yet, the bug: {mutant['description']}", "failed",
                            f"First make your tests pass on the correct {subject}.")
            )
        elif verdict.passed:
            outcomes.append(
                TestOutcome(
                    f"Your tests missed the bug: {mutant['description']}",
                    "failed",
                    f"Your tests did not notice when {mutant['description']} — add a test that "
                    "would catch that.",
                )
            )
        else:
            outcomes.append(TestOutcome(name, "passed"))
    return outcomes
