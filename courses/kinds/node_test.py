"""The ``node-test`` check kind: course test files run by node's built-in test runner.

Owns running the course's test files in a *harness* sandbox and turning node's TAP into
beginner-friendly outcomes, e.g. "greet('Sam') gave 'Hello Sam' but the test expected
'Hello, Sam!'".

Invariants kept here (ARCHITECTURE invariant 3):
- No learner code runs where the verdict is made. The course's tests run under the jail's
  unprivileged uid that is not the learner's, in their own sandbox (own pid namespace: no
  ``/proc`` of it is visible to the learner), with node's test runner and reporter in that one
  process. ``require()`` of a learner file there gives a proxy (``harness/proxy.cjs``); the
  learner's module is loaded in a separate *subject* sandbox under the learner's uid by a small
  agent (``harness/serve.cjs``) that answers calls over two pipes. Values cross as data,
  functions and objects with methods as handles (``harness/rpc.cjs``); nothing of the course
  (test source, solution) is sent to the subject. The verdict is read only from the harness's
  stdout, which only its reporter writes. Learner code can make its functions return what the
  tests expect — that is passing — but cannot make a wrong answer read as right: it cannot
  write the harness's stdout, its runner frames, its memory or its globals.
- Every test the course wrote — found by name in the test files, or counted with
  ``expected_tests`` — must have run *and* passed: ``process.exit(0)`` or a crash in the
  learner's sandbox leaves tests that "never ran", which fail.
- A learner's program that never answers fails with a plain "took too long" message (a
  per-call timeout in the harness, then the sandbox's wall limit), never a hang.
- What the learner sees as output is only what their own code printed (the subject sandbox's
  stdout and stderr); the harness's own output (which could quote the course's tests) is never
  shown.
"""

from __future__ import annotations

import re
from typing import Any

from courses.assets import asset_binds, placement_problems, work_relative
from courses.fields import check_fields
from courses.kinds import _pair as pair
from courses.model import CheckContext, Exercise, TestOutcome
from courses.tap import TapReport, TapResult, parse_tap

KIND = "node-test"

TEST_SUFFIXES = (".js", ".mjs", ".cjs")

# test('name', ...) / it("name", ...) / test.it(`name`, ...) with a literal name.
_TEST_CALL = re.compile(
    r"""(?<![\w$])(?:test\.)?(?:test|it)(?:\.(?P<mod>only|skip|todo))?\s*\(\s*
        (?:'(?P<sq>(?:\\.|[^'\\\n])*)'|"(?P<dq>(?:\\.|[^"\\\n])*)"|`(?P<bq>[^`$\\]*)`)""",
    re.VERBOSE,
)
# import('./x.js') or import ... from './x.js': an ES-module import of an exercise file, which
# the harness refuses (node >= 20.6) or, on older nodes, would evaluate in the harness.
_RELATIVE_IMPORT = re.compile(
    r"""\bimport\s*\(\s*['"`]\.{1,2}/|\bfrom\s*['"]\.{1,2}/|^\s*import\s*['"]\.{1,2}/""",
    re.MULTILINE,
)
_GENERATED = (
    "Expected values to be",
    "The expression evaluated to a falsy value",
    'Expected "actual"',
    "Values identical but not reference-equal",
    "Missing expected exception",
    "Got unwanted exception",
    "The input did not match",
    "The input was expected to not match",
    "false == true",
)
_EQUALITY = ("strictEqual", "equal", "deepStrictEqual", "deepEqual")
_CALL_IN_NAME = re.compile(r"^([A-Za-z_$][\w$.]*\(.*?\))(?=\s|$|:|,)")

LIMIT_WORDS = {
    "wall": "Your program took too long to finish — is there a loop that never ends?",
    "cpu": "Your program used too much computer time — is there a loop that never ends?",
    "memory": "Your program used too much memory — is a list or string growing forever, or "
    "a console.log inside a loop that never ends?",
    "pids": "Your program started too many processes.",
    "output": "Your program printed far too much — is there a console.log inside a loop "
    "that never ends?",
    "disk": "Your program wrote too much to disk.",
}


def validate(check: dict[str, Any], exercise: Exercise) -> list[str]:
    """Problems with a ``node-test`` check table."""
    problems = check_fields(
        check,
        {"kind": str, "tests": ("list", str)},
        {"support": ("list", str), "expected_tests": int, "name": str},
    )
    if problems:
        return problems
    if not check["tests"]:
        problems.append("tests: must list at least one test file")
    problems += placement_problems(exercise, "tests", check["tests"])
    problems += placement_problems(exercise, "support", check.get("support", []))
    for rel in check["tests"]:
        if not rel.endswith(TEST_SUFFIXES):
            problems.append(f"tests: {rel!r} is not a JavaScript file (.js, .mjs or .cjs)")
    if problems:
        return problems
    for rel in check["tests"]:
        text = (exercise.dir / rel).read_text(encoding="utf-8", errors="replace")
        if _RELATIVE_IMPORT.search(text):
            problems.append(
                f"tests: {rel!r} imports a file with import: load the learner's code with "
                "require('./file.js') (a check reaches it in the learner's own sandbox)"
            )
    if problems:
        return problems
    if "expected_tests" in check:
        if check["expected_tests"] < 1:
            problems.append("expected_tests: must be 1 or more")
    elif not expected_names(exercise, check):
        problems.append(
            "tests: no test('literal name', ...) or it('literal name', ...) found; "
            "write literal test names or set expected_tests"
        )
    return problems


def expected_names(exercise: Exercise, check: dict[str, Any]) -> list[str]:
    """The literal names of the tests the course wrote (skipped and todo tests excluded)."""
    names: list[str] = []
    for rel in check["tests"]:
        text = (exercise.dir / rel).read_text(encoding="utf-8", errors="replace")
        for m in _TEST_CALL.finditer(text):
            if m.group("mod") in ("skip", "todo"):
                continue
            raw = next(g for g in (m.group("sq"), m.group("dq"), m.group("bq")) if g is not None)
            names.append(re.sub(r"\\(.)", r"\1", raw))
    return names


async def run(check: dict[str, Any], ctx: CheckContext) -> list[TestOutcome]:
    """Run the course's test files in a harness sandbox, the learner's code in another."""
    tests: list[str] = check["tests"]
    course_files = tests + check.get("support", [])
    local = [work_relative(t) for t in course_files]
    folder = pair.make_folder(ctx, ctx.work_dir, local)
    try:
        harness = pair.Side(
            argv=[
                "node",
                "--require",
                f"{pair.HARNESS_IN_SANDBOX}/proxy.cjs",
                "--test-reporter=tap",
                "--test-reporter-destination=stdout",
                f"{pair.HARNESS_IN_SANDBOX}/main.cjs",
                *[work_relative(t) for t in tests],
            ],
            env={
                "SLATE_RPC_ROLE": "harness",
                "SLATE_RPC_LOCAL": "\n".join(local),
                "SLATE_RPC_TIMEOUT": str(_call_timeout(ctx)),
                "SLATE_RPC_ESM_GUARD": "1" if _may_import(ctx.exercise, course_files) else "0",
            },
            ro_files=asset_binds(ctx.exercise, course_files),
            as_learner=False,
            work=folder,
            work_writable=False,
        )
        subject = pair.Side(
            argv=list(pair.SERVE_ARGV),
            env={"SLATE_RPC_MODE": "learner"},
            ro_files={},
            as_learner=True,
            lazy=_reads_only(ctx.exercise, course_files),
        )
        both = await pair.run_pair(ctx, harness, subject)
    finally:
        pair.remove_folder(folder)
    result, learner = both.proxy, both.server
    report = parse_tap(result.stdout.decode("utf-8", errors="replace"))
    learner_output = (learner.stdout + learner.stderr).decode("utf-8", errors="replace").strip()
    file_names = {work_relative(t) for t in tests}
    if "expected_tests" in check:
        expected = None
        count = int(check["expected_tests"])
    else:
        expected = expected_names(ctx.exercise, check)
        count = len(expected)
    limit = _limit(result, learner, ctx)
    # Shown: only what the learner's own code printed. The harness's output is the course's
    # (an uncaught error there would quote a line of the test file): never shown.
    report.output = learner_output.splitlines()[-200:] if learner_output else []
    return outcomes_from_report(
        report,
        expected=expected,
        expected_count=count,
        test_files=file_names,
        learner_files=ctx.exercise.files,
        limit=limit,
    )


_CHANNEL = re.compile(r"^# slate-channel: (timeout|gone)$", re.MULTILINE)


def _limit(harness: Any, learner: Any, ctx: CheckContext) -> str | None:
    """Which limit explains tests that never ran: the learner's sandbox's own first, then a
    call into the learner's code that never answered, then the harness's."""
    if learner.limit and learner.limit != "wall":
        return str(learner.limit)
    if _printed_much(learner, ctx):
        return "output"
    if _grew_much(learner, ctx):
        return "memory"
    if learner.limit:
        return str(learner.limit)
    state = _CHANNEL.search(harness.stdout.decode("utf-8", errors="replace"))
    if state and state.group(1) == "timeout":
        return "wall"
    return harness.limit


def _printed_much(learner: Any, ctx: CheckContext) -> bool:
    """A learner's program that printed an eighth of its output limit or more during a check
    (a flood: under load it may be stopped, or crash, before it reaches the limit itself)."""
    cap = int(getattr(ctx.limits, "output", 1 << 20))
    return bool(learner.truncated) or len(learner.stdout) + len(learner.stderr) >= cap // 8


def _may_import(exercise: Exercise, course_files: list[str]) -> bool:
    """Whether the course's own files could import anything as an ES module (then the harness
    loads its import guard; without the word ``import`` or an .mjs file, nothing can)."""
    for rel in course_files:
        if rel.endswith(".mjs"):
            return True
        text = (exercise.dir / rel).read_text(encoding="utf-8", errors="replace")
        if re.search(r"\bimport\b", text):
            return True
    return False


_REQUIRE_CALL = re.compile(r"\brequire\s*\(")
_REQUIRE_BUILTIN = re.compile(r"""\brequire\s*\(\s*(['"])(?:node:)?[a-z_]+(?:/[a-z_]+)?\1\s*\)""")


def _reads_only(exercise: Exercise, course_files: list[str]) -> bool:
    """Whether the course's files plainly never call into the learner's sandbox: every
    ``require`` names a built-in module (``node:fs``...), nothing runs a program, nothing is
    imported. Then the learner's side of the check starts only if the tests write to it after
    all (``pair.Side.lazy``): a wrong guess costs a little time, never a verdict."""
    for rel in course_files:
        if not rel.endswith((".js", ".cjs")):
            return False
        text = (exercise.dir / rel).read_text(encoding="utf-8", errors="replace")
        if re.search(r"\bimport\b|child_process|spawnSync", text):
            return False
        if len(_REQUIRE_CALL.findall(text)) != len(_REQUIRE_BUILTIN.findall(text)):
            return False
    return True


def _grew_much(learner: Any, ctx: CheckContext) -> bool:
    """A learner's program that was still growing past half its memory limit when the time
    ran out (on a busy server it may not reach the limit itself before the wall clock)."""
    peak = getattr(learner, "memory_peak", None)
    cap = int(getattr(ctx.limits, "memory", 256 << 20))
    return isinstance(peak, int) and peak >= cap // 2


def _call_timeout(ctx: CheckContext) -> int:
    """Milliseconds the harness waits for one answer from the learner's code."""
    # Long enough for a runaway program to meet its own memory or process limit first (the
    # plainer message), short enough that the harness still reports before the wall limit.
    wall = float(getattr(ctx.limits, "wall", 10.0))
    return int(max(1000, wall * 1000 * 0.7))


def outcomes_from_report(
    report: TapReport,
    *,
    expected: list[str] | None,
    expected_count: int,
    test_files: set[str],
    learner_files: list[str],
    limit: str | None,
    stderr: str = "",
) -> list[TestOutcome]:
    """Turn a parsed run into outcomes: one per expected test, plus unexpected failures.

    Args:
        report: the parsed TAP.
        expected: the course's test names, or None to count instead.
        expected_count: how many tests must have run (used when ``expected`` is None).
        test_files: the test files' paths relative to ``/work`` (their file-level results are
            not tests of their own).
        learner_files: the learner's files, to point at their lines in stack traces.
        limit: the sandbox limit the run hit, if any.
        stderr: what the runner itself printed on stderr.
    """
    leaves = [leaf for leaf in report.leaves() if leaf.directive is None]
    file_level = [leaf for leaf in leaves if _is_file_result(leaf, test_files)]
    real = [leaf for leaf in leaves if leaf not in file_level]
    never_ran = _never_ran_reason(report, file_level, limit, learner_files)
    outcomes: list[TestOutcome] = []
    used: set[int] = set()
    if expected is not None:
        for name in expected:
            match = next(
                (i for i, leaf in enumerate(real) if i not in used and leaf.name == name), None
            )
            if match is None:
                outcomes.append(TestOutcome(name=name, status="failed", message=never_ran))
                continue
            used.add(match)
            outcomes.append(_outcome(real[match], learner_files, test_files))
        for i, leaf in enumerate(real):  # real tests the name scan missed: failures still count
            if i not in used and not leaf.ok:
                outcomes.append(_outcome(leaf, learner_files, test_files))
    else:
        outcomes = [_outcome(leaf, learner_files, test_files) for leaf in real]
        missing = expected_count - len(real)
        if missing > 0:
            outcomes.append(
                TestOutcome(
                    name=f"{missing} more test{'s' if missing != 1 else ''}",
                    status="failed",
                    message=never_ran,
                )
            )
    output = "\n".join(report.output)
    if stderr:
        output = f"{output}\n{stderr}".strip()
    if output and outcomes:
        target = next((o for o in outcomes if o.status != "passed"), outcomes[0])
        target.output = _capped(output)
    return outcomes


def _capped(text: str) -> str:
    return text if len(text) <= 4000 else text[:3990] + "\n…"


def _is_file_result(leaf: TapResult, test_files: set[str]) -> bool:
    name = leaf.name.strip()
    return any(name == f or name.endswith("/" + f) for f in test_files)


def _never_ran_reason(
    report: TapReport, file_level: list[TapResult], limit: str | None, learner_files: list[str]
) -> str:
    if limit in LIMIT_WORDS:
        return LIMIT_WORDS[limit]
    load_error = _load_error(report.output, learner_files)
    if load_error:
        return load_error
    failed_file = next((f for f in file_level if not f.ok), None)
    if failed_file is not None:
        return (
            "This test never ran: the test file stopped with an error while loading your code. "
            "Look at the output below for the first error."
        )
    return (
        "This test never ran. Does your code stop the program early (for example with "
        "process.exit), or crash while loading?"
    )


_LOCATION_LINE = re.compile(r"^/work/(?P<file>[^:]+):(?P<line>\d+)$")
_ERROR_LINE = re.compile(r"^(?P<name>[A-Z][A-Za-z]*Error|Error): (?P<msg>.*)$")


def _load_error(output: list[str], learner_files: list[str]) -> str | None:
    """A plain sentence for an error thrown while the learner's file was loading."""
    for i, line in enumerate(output):
        m = _LOCATION_LINE.match(line.strip())
        if not m or m.group("file") not in learner_files:
            continue
        for later in output[i + 1 : i + 8]:
            e = _ERROR_LINE.match(later.strip())
            if e:
                return (
                    f"Your file {m.group('file')} has a mistake near line {m.group('line')}: "
                    f"{e.group('name')}: {e.group('msg')}{_advice(e.group('name'), e.group('msg'))}"
                )
    for line in output:
        e = _ERROR_LINE.match(line.strip())
        if e:
            return (
                f"Your code stopped with an error while loading: {e.group('name')}: "
                f"{e.group('msg')}{_advice(e.group('name'), e.group('msg'))}"
            )
    return None


def _advice(name: str, message: str) -> str:
    if name == "SyntaxError":
        return ". Check for a missing bracket, quote or comma."
    if "is not a function" in message:
        return (
            ". Check the function exists, is spelled the same, and is exported "
            "(module.exports = { ... })."
        )
    if "is not defined" in message:
        return ". Check the spelling, and that it is declared with const, let or function."
    if "Cannot read properties of undefined" in message or "of null" in message:
        return ". Something here is undefined: a value may be missing or a return forgotten."
    if "is not iterable" in message:
        return ". A loop or spread got something that is not a list."
    return "."


def _scalar(value: str | None) -> str | None:
    """A one-line YAML scalar from node's TAP, shown the way JavaScript would write it."""
    if value is None or "\n" in value:
        return None
    value = value.strip()
    if value == "~":
        return "null"
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return "'" + value[1:-1].replace("''", "'") + "'"
    return value


def _learner_location(diag: dict[str, str], learner_files: list[str]) -> str:
    stack = diag.get("stack", "")
    for line in stack.splitlines():
        for rel in learner_files:
            m = re.search(rf"/work/{re.escape(rel)}:(\d+)", line)
            if m:
                return f" (in {rel}, line {m.group(1)})"
    return ""


def display_name(leaf: TapResult, test_files: set[str]) -> str:
    """``group > test``, without the file-level wrapper node 18 puts around each test file."""
    names = []
    node: TapResult | None = leaf
    while node is not None:
        if node is leaf or not _is_file_result(node, test_files):
            names.append(node.name)
        node = node.parent
    return " > ".join(reversed(names))


def _outcome(leaf: TapResult, learner_files: list[str], test_files: set[str]) -> TestOutcome:
    name = display_name(leaf, test_files)
    if leaf.ok:
        return TestOutcome(name=name, status="passed")
    return TestOutcome(name=name, status="failed", message=explain(leaf, learner_files))


def explain(leaf: TapResult, learner_files: list[str]) -> str:
    """A beginner's sentence for one failed test."""
    diag = leaf.diag
    error = diag.get("error", "").strip()
    if len(error) >= 2 and error[0] == error[-1] and error[0] in "'\"`":
        # node quotes a one-line message as util.inspect does: '...', or "..." when it holds
        # a ', or `...` when it holds both, with \ before a quote or \ inside. Other escapes
        # (\x1b...) stay as they are: visible text, never a control character.
        error = re.sub(r"\\([\\'\"`])", r"\1", error[1:-1])
    failure_type = diag.get("failureType", "").strip("'")
    code = diag.get("code", "").strip("'")
    if failure_type == "testTimeoutFailure":
        return LIMIT_WORDS["wall"]
    if failure_type == "cancelledByParent" or "cancelled" in error:
        return "This test was stopped before it finished: an earlier problem stopped the run."
    if code == "ERR_ASSERTION":
        actual, expected = _scalar(diag.get("actual")), _scalar(diag.get("expected"))
        operator = diag.get("operator", "").strip("'")
        if not error.startswith(_GENERATED):
            # The course's own words (the assertion's message); node may append a diff.
            words = error.split("\n\n")[0].split("\n+ actual - expected")[0].strip()
            if operator in _EQUALITY and actual is not None and actual not in words:
                words += f" (Your code gave {actual}.)"
            return words
        if operator in _EQUALITY and (actual is not None and expected is not None):
            call = _CALL_IN_NAME.match(leaf.name)
            if call:
                return f"{call.group(1)} gave {actual} but the test expected {expected}."
            return f"Your answer was {actual} but the test expected {expected}."
        if error.startswith("The expression evaluated to a falsy value"):
            # node quotes the assert's line of the course's test file here: never shown.
            return "A check in this test was not true."
        if error.startswith("Missing expected exception"):
            return (
                "The test expected your code to throw an error here (throw new Error(...)), "
                "but it did not."
            )
        if error.startswith("Got unwanted exception"):
            return "Your code threw an error where the test expected none. " + _tail(error)
        lines = [line for line in error.splitlines() if line.strip()]
        lines = [line for line in lines if line.strip() != "+ actual - expected"]
        return (
            "Your answer is different from what the test expected (+ is yours, - is "
            "expected):\n" + "\n".join(lines[1:12])
        )
    err_name = diag.get("name", "").strip("'")
    where = _learner_location(diag, learner_files)
    if err_name and error:
        return f"Your code stopped with {err_name}: {error}{where}{_advice(err_name, error)}"
    if error:
        return f"The test failed: {error}{where}"
    return "The test failed."


def _tail(error: str) -> str:
    lines = [line for line in error.splitlines() if line.strip()]
    return lines[-1] if lines else ""
