"""The node-test kind in real sandboxes: passing, failing with beginner messages, and hostile
learner code (endless loops, process.exit(0), fake TAP lines, patching assert, syntax errors)
that must never pass and never hang."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest
from course_kit import SAMPLE

from courses.catalog import load_catalog
from courses.checks import run_checks
from courses.kinds.node_test import explain, outcomes_from_report
from courses.tap import parse_tap

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("bwrap") is None, reason="needs node and bwrap"
)


def greet_exercise():
    return load_catalog(SAMPLE).exercise("sample", "greet")


def check(tmp_path: Path, code: str, exercise=None, **limits):
    ex = exercise or greet_exercise()
    if limits:
        ex.limits = {**ex.limits, **limits}
    work = tmp_path / "learner"
    work.mkdir(exist_ok=True)
    (work / ex.files[0]).write_text(code)
    return asyncio.run(run_checks(ex, work))


GOOD = "function greet(name) { return `Hello, ${name}!`; }\nmodule.exports = { greet };\n"


def test_solution_passes(tmp_path: Path) -> None:
    result = check(tmp_path, GOOD)
    assert result.status == "passed", result.to_dict()
    assert [t.name for t in result.tests] == [
        "greet('Sam') says hello to Sam",
        "greet works for another name",
    ]


def test_wrong_answer_reads_like_a_sentence(tmp_path: Path) -> None:
    result = check(
        tmp_path, "function greet(n) { return 'Hello ' + n; }\nmodule.exports = { greet };"
    )
    assert result.status == "failed"
    first, second = result.tests
    assert first.message == "greet('Sam') gave 'Hello Sam' but the test expected 'Hello, Sam!'."
    # The course's own assertion message wins, with the learner's value added.
    assert second.message == "greet should use the name it is given (Your code gave 'Hello Ann'.)"


def test_learner_output_is_captured(tmp_path: Path) -> None:
    code = (
        "function greet(n) { console.log('debugging', n); return n; }\nmodule.exports = { greet };"
    )
    result = check(tmp_path, code)
    assert "debugging Sam" in result.tests[0].output


def test_sec_endless_loop_hits_the_wall_limit(tmp_path: Path) -> None:
    start = time.monotonic()
    result = check(tmp_path, "while (true) {}\n", wall=2)
    assert time.monotonic() - start < 8
    assert result.status == "failed"
    assert all(t.status == "failed" for t in result.tests)
    assert "took too long to finish" in result.tests[0].message
    assert "loop that never ends" in result.tests[0].message


def test_sec_process_exit_zero_does_not_pass(tmp_path: Path) -> None:
    result = check(tmp_path, "process.exit(0);\n")
    assert result.status == "failed"
    assert all("never ran" in t.message for t in result.tests)


def test_sec_printed_fake_tap_does_not_pass(tmp_path: Path) -> None:
    fake = "\\n".join(
        ["ok 1 - greet('Sam') says hello to Sam", "ok 2 - greet works for another name", "1..2"]
    )
    code = f"console.log('{fake}');\nprocess.stdout.write('ok 1 - x\\n');\nprocess.exit(0);\n"
    result = check(tmp_path, code)
    assert result.status == "failed"
    assert [t.status for t in result.tests] == ["failed", "failed"]


def test_sec_writing_into_the_parents_stdout_does_not_pass(tmp_path: Path) -> None:
    """Learner code runs in a sandbox of its own: /proc/<ppid>/fd/1 is its own sandbox's,
    never the harness's, so lines written there are the learner's output, never results."""
    code = (
        "const lines = ['ok 1 - greet(\\'Sam\\') says hello to Sam',\n"
        "  'ok 2 - greet works for another name', '1..2', ''].join('\\n');\n"
        "try { require('fs').writeFileSync(`/proc/${process.ppid}/fd/1`, lines); } catch (e) {}\n"
        "process.exit(0);\n"
    )
    result = check(tmp_path, code)
    assert result.status == "failed"
    assert [t.status for t in result.tests] == ["failed", "failed"]


def test_a_learner_file_named_like_an_old_secret_is_just_a_file(tmp_path: Path) -> None:
    work = tmp_path / "learner"
    work.mkdir()
    (work / ".slate-nonce").write_text("@@slate-known")
    result = check(tmp_path, GOOD)
    assert result.status == "passed"
    assert (work / ".slate-nonce").read_text() == "@@slate-known"  # the workspace is untouched


def test_sec_patching_assert_does_not_turn_failures_into_passes(tmp_path: Path) -> None:
    code = (
        "const assert = require('assert');\n"
        "try { assert.strictEqual = () => {}; assert.ok = () => {}; } catch (e) {}\n"
        "try { require('assert/strict').strictEqual = () => {}; } catch (e) {}\n"
        "function greet(n) { return 'nope'; }\nmodule.exports = { greet };\n"
    )
    result = check(tmp_path, code)
    assert result.status == "failed"
    assert "gave 'nope'" in result.tests[0].message


def test_syntax_error_names_the_learner_line(tmp_path: Path) -> None:
    result = check(tmp_path, "function greet(n) {\n  return 'x';\n\nmodule.exports = { greet };\n")
    assert result.status == "failed"
    message = result.tests[0].message
    assert message.startswith("Your file greet.js has a mistake near line")
    assert "SyntaxError" in message and "missing bracket" in message


def test_missing_export_explains_itself(tmp_path: Path) -> None:
    result = check(tmp_path, "function greet(n) { return n; }\n")
    assert result.status == "failed"
    message = result.tests[0].message
    assert "greet is not a function" in message and "module.exports" in message


def test_learner_cannot_replace_the_course_tests(tmp_path: Path) -> None:
    """A learner file with the test file's name is hidden by the read-only course copy."""
    ex = greet_exercise()
    work = tmp_path / "learner"
    work.mkdir()
    (work / "greet.js").write_text("module.exports = { greet: () => 'x' };\n")
    (work / "greet.test.js").write_text("require('node:test')('greet says hello', () => {});\n")
    result = asyncio.run(run_checks(ex, work))
    assert result.status == "failed"


def test_learner_workspace_is_never_written(tmp_path: Path) -> None:
    code = "require('fs').writeFileSync('greet.js', 'overwritten');\n" + GOOD
    work = tmp_path / "learner"
    work.mkdir()
    (work / "greet.js").write_text(code)
    asyncio.run(run_checks(greet_exercise(), work))
    assert (work / "greet.js").read_text() == code
    assert sorted(p.name for p in work.iterdir()) == ["greet.js"]


# --- TAP handling without a sandbox -----------------------------------------------------------

TAP = """TAP version 13
# ok 1 - printed by the learner
# Subtest: adds
ok 1 - adds
  ---
  duration_ms: 1.2
  ...
# Subtest: group
    # Subtest: inner \\# one
    not ok 1 - inner \\# one
      ---
      duration_ms: 1.3
      failureType: 'testCodeFailure'
      error: |-
        Expected values to be strictly deep-equal:
        + actual - expected

          [
        +   2
        -   3
          ]
      code: 'ERR_ASSERTION'
      name: 'AssertionError'
      expected:
        0: 3
      actual:
        0: 2
      operator: 'deepStrictEqual'
      ...
    1..1
not ok 2 - group
  ---
  type: 'suite'
  ...
# Subtest: skipped one
ok 3 - skipped one # SKIP
1..3
# tests 2
# pass 1
"""


def test_tap_nesting_names_and_comments() -> None:
    report = parse_tap(TAP)
    leaves = report.leaves()
    assert [(leaf.path, leaf.ok, leaf.directive) for leaf in leaves] == [
        ("adds", True, None),
        ("group > inner # one", False, None),
        ("skipped one", True, "SKIP"),
    ]
    assert report.output == ["ok 1 - printed by the learner"]


def test_multiline_values_are_shown_as_a_diff() -> None:
    leaf = parse_tap(TAP).leaves()[1]
    message = explain(leaf, ["a.js"])
    assert message.startswith("Your answer is different from what the test expected")
    assert "+   2" in message and "-   3" in message


def test_expected_names_decide_and_counting_mode_catches_missing_tests() -> None:
    report = parse_tap(TAP)
    outcomes = outcomes_from_report(
        report,
        expected=["adds", "inner # one", "never written"],
        expected_count=3,
        test_files={"a.test.js"},
        learner_files=["a.js"],
        limit=None,
    )
    assert [(o.name, o.status) for o in outcomes] == [
        ("adds", "passed"),
        ("group > inner # one", "failed"),
        ("never written", "failed"),
    ]
    assert "never ran" in outcomes[2].message
    counted = outcomes_from_report(
        report,
        expected=None,
        expected_count=4,
        test_files={"a.test.js"},
        learner_files=["a.js"],
        limit="wall",
    )
    assert counted[-1].name == "2 more tests" and "took too long" in counted[-1].message


def test_file_level_result_is_not_a_test() -> None:
    report = parse_tap("TAP version 13\nok 1 - /work/greet.test.js\n1..1\n")
    outcomes = outcomes_from_report(
        report,
        expected=["greet works"],
        expected_count=1,
        test_files={"greet.test.js"},
        learner_files=["greet.js"],
        limit=None,
    )
    assert [(o.name, o.status) for o in outcomes] == [("greet works", "failed")]


def test_node18_file_wrapper_is_not_part_of_test_names() -> None:
    """node 18 nests each file's tests under a subtest named after the file."""
    tap = (
        "TAP version 13\n"
        "# Subtest: /work/greet.test.js\n"
        "    # Subtest: greet works\n"
        "    ok 1 - greet works\n"
        "      ---\n"
        "      duration_ms: 1\n"
        "      ...\n"
        "    1..1\n"
        "ok 1 - /work/greet.test.js\n"
        "1..1\n"
    )
    outcomes = outcomes_from_report(
        parse_tap(tap),
        expected=["greet works"],
        expected_count=1,
        test_files={"greet.test.js"},
        learner_files=["greet.js"],
        limit=None,
    )
    assert [(o.name, o.status) for o in outcomes] == [("greet works", "passed")]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("while (true) console.log('spam spam spam');\n", "console.log inside a loop"),
        ("const a = []; while (true) a.push(new Array(1e6).fill(1));\n", "too much memory"),
        (
            "const cp = require('child_process');\n"
            "for (;;) { try { cp.spawn('node', ['-e', 'setInterval(() => {}, 1000)']); }"
            " catch (e) {} }\n",
            # Where the process count is per uid (shared mode, course validation), a program
            # that swallows the failed spawn spins until the time limit (wall, or its CPU
            # seconds first when it had a core to itself); the children (each a node) may fill
            # the run's memory first: each is a plain limit message.
            ("too many processes", "took too long", "too much memory", "too much computer time"),
        ),
    ],
    ids=["output-flood", "memory-bomb", "process-bomb"],
)
def test_sec_bombs_fail_plainly(tmp_path: Path, code: str, words: str) -> None:
    result = check(tmp_path, code)
    assert result.status == "failed"
    accepted = (words,) if isinstance(words, str) else words
    assert any(w in result.tests[0].message for w in accepted), result.tests[0].message
