"""Check kind ``tdd`` (courses/kinds/tdd.py) with real node in real sandboxes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from courses.kinds import tdd as tdd_kind
from courses.model import CheckContext, Exercise

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("bwrap") is None,
    reason="needs node and bubblewrap",
)

REFERENCE = """function total(prices) {
  let sum = 0;
  for (const p of prices) sum += p;
  return sum;
}
module.exports = { total };
"""
FORGOT_LAST = REFERENCE.replace("for (const p of prices) sum += p;",
                                "for (let i = 0; i < prices.length - 1; i++) sum += prices[i];")
EMPTY_IS_NULL = REFERENCE.replace("let sum = 0;", "if (prices.length === 0) return null;\n"
                                  "  let sum = 0;")

HEAD = ("const test = require('node:test');\nconst assert = require('node:assert');\n"
        "const { total } = require('./total.js');\n")
GOOD = HEAD + """
test('total of two prices', () => { assert.strictEqual(total([2, 3]), 5); });
test('total of nothing is 0', () => { assert.strictEqual(total([]), 0); });
"""


def _exercise(tmp_path: Path, **extra: Any) -> tuple[Exercise, dict[str, Any]]:
    ex_dir = tmp_path / "exercise"
    (ex_dir / "tests" / "mutants").mkdir(parents=True, exist_ok=True)
    (ex_dir / "tests" / "reference.js").write_text(REFERENCE)
    (ex_dir / "tests" / "mutants" / "forgot-last.js").write_text(FORGOT_LAST)
    (ex_dir / "tests" / "mutants" / "empty-null.js").write_text(EMPTY_IS_NULL)
    table = {
        "kind": "tdd", "tests": "total.test.js", "subject": "total.js",
        "reference": "tests/reference.js",
        "mutants": [
            {"file": "tests/mutants/forgot-last.js",
             "description": "`total` forgot to add the last price"},
            {"file": "tests/mutants/empty-null.js",
             "description": "`total` gave null for an empty list"},
        ],
        **extra,
    }
    exercise = Exercise(course_id="tdd", id="demo", title="Demo", learn="TDD", dir=ex_dir,
                        files=["total.test.js"], hints=["a", "b"], checks=[table])
    return exercise, table


async def _check(tmp_path: Path, learner_tests: str, *, learner_subject: str | None = None,
                 **limits: Any) -> list[tuple[str, str, str]]:
    from jail.run import Limits

    exercise, table = _exercise(tmp_path)
    assert tdd_kind.validate(table, exercise) == []
    work = tmp_path / "work"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    (work / "total.test.js").write_text(learner_tests)
    if learner_subject is not None:
        (work / "total.js").write_text(learner_subject)
    ctx = CheckContext(exercise=exercise, work_dir=work, learner_dir=None,
                       limits=Limits(**limits))
    return [(t.name, t.status, t.message) for t in await tdd_kind.run(table, ctx)]


async def test_good_tests_pass_and_catch_every_mutant(tmp_path: Path) -> None:
    results = await _check(tmp_path, GOOD)
    assert [s for _, s, _ in results] == ["passed"] * 3, results
    assert results[1][0] == "Your tests catch the bug: `total` forgot to add the last price"


async def test_a_missed_mutant_is_named_in_words(tmp_path: Path) -> None:
    only_two = HEAD + "test('two prices', () => { assert.strictEqual(total([2, 3]), 5); });\n"
    results = await _check(tmp_path, only_two)
    assert [s for _, s, _ in results] == ["passed", "passed", "failed"]
    assert results[2][2] == ("Your tests did not notice when `total` gave null for an empty "
                             "list — add a test that would catch that.")


async def test_a_test_that_expects_the_wrong_thing_is_named(tmp_path: Path) -> None:
    wrong = HEAD + "test('two prices make six', () => { assert.strictEqual(total([2, 3]), 6); });\n"
    results = await _check(tmp_path, wrong)
    assert results[0][1] == "failed"
    assert 'Your test "two prices make six" fails on a correct version of total.js' in (
        results[0][2])
    assert "5 !== 6" in results[0][2]
    assert all(m == "First make your tests pass on the correct total.js." for _, _, m in
               results[1:])


async def test_no_tests_and_broken_test_files_fail_plainly(tmp_path: Path) -> None:
    results = await _check(tmp_path, HEAD + "// no tests yet\n")
    assert results[0][1] == "failed" and "has no tests that ran" in results[0][2]
    results = await _check(tmp_path, HEAD + "test('x', () => { assert.strictEqual(total([1]), 1) ")
    assert results[0][1] == "failed"
    assert "stopped with an error" in results[0][2] or "no tests" in results[0][2]


async def test_sec_an_endless_test_file_hits_the_wall_limit(tmp_path: Path) -> None:
    endless = HEAD + "test('spins', () => { while (true) {} });\n"
    results = await _check(tmp_path, endless, wall=3, cpu=2)
    assert results[0][1] == "failed" and "took too long" in results[0][2]


async def test_sec_the_learner_cannot_swap_the_subject(tmp_path: Path) -> None:
    """A learner's own total.js is hidden by the read-only reference/mutant, and a test file
    that tries to overwrite it cannot."""
    sneaky = HEAD.replace("const { total } = require('./total.js');\n", "") + """
const fs = require('node:fs');
try { fs.writeFileSync(__dirname + '/total.js', 'module.exports = { total: () => 5 };'); }
catch (e) { console.log('write refused: ' + e.code); }
const { total } = require('./total.js');
test('two prices', () => { assert.strictEqual(total([2, 3]), 5); });
test('nothing', () => { assert.strictEqual(total([]), 0); });
"""
    results = await _check(tmp_path, sneaky,
                           learner_subject="module.exports = { total: (p) => p.length ? 5 : 0 };")
    assert [s for _, s, _ in results] == ["passed", "passed", "passed"], results


async def test_sec_printing_fake_results_does_not_pass(tmp_path: Path) -> None:
    fake = HEAD + ("console.log('ok 1 - fine\\n# tests 3\\n# pass 3\\n# fail 0');\n"
                   "test('always fine', () => {});\n")
    results = await _check(tmp_path, fake)
    assert results[0][1] == "passed"
    assert [s for _, s, _ in results[1:]] == ["failed", "failed"]


def test_validate_names_each_problem(tmp_path: Path) -> None:
    exercise, _ = _exercise(tmp_path)
    bad = {"kind": "tdd", "tests": "nope.js", "subject": "../x.js", "reference": "ref.js",
           "mutants": [{"file": "tests/none.js"}, 5, "elsewhere.js"], "min_tests": 0,
           "extra": True}
    text = "\n".join(tdd_kind.validate(bad, exercise))
    for expected in ("unknown field 'extra'", "tests must name one of the exercise's files",
                     "subject must be the relative path", "reference must name a file under",
                     "mutant 1: needs a description", "mutant 1: tests/none.js does not exist",
                     "mutant 2: must be a path or a table", "mutant 3: file must be under",
                     "min_tests must be a whole number"):
        assert expected in text, (expected, text)


def test_parse_tap_reads_the_final_summary_and_first_failure() -> None:
    tap = """TAP version 13
# \\# tests 99
not ok 1 - /work/total.test.js
  ---
  ...
# Subtest: empty
not ok 2 - empty
  ---
  error: |-
    Expected values to be strictly equal:

    0 !== 1
  code: 'ERR_ASSERTION'
  ...
1..2
# tests 2
# pass 1
# fail 1
"""
    tests, failed, failure = tdd_kind.parse_tap(tap)
    assert (tests, failed) == (1, 1)
    assert failure == tdd_kind.Failure(
        "empty", "Expected values to be strictly equal: 0 !== 1", "ERR_ASSERTION")


async def test_a_forgotten_arrow_in_assert_throws_and_a_typo_are_explained(
    tmp_path: Path,
) -> None:
    no_arrow = HEAD + "test('empty list', () => { assert.throws(total(null), /x/); });\n"
    results = await _check(tmp_path, no_arrow)
    assert results[0][1] == "failed"
    assert 'Your test "empty list" stopped because the code threw an error' in results[0][2]
    assert "assert.throws(() => ...)" in results[0][2]
    typo = HEAD + "test('two', () => { assert.strictEqual(totl([1]), 1); });\n"
    results = await _check(tmp_path, typo)
    assert 'stopped with a ReferenceError (totl is not defined)' in results[0][2]


async def test_too_few_tests_is_counted(tmp_path: Path) -> None:
    from jail.run import Limits

    exercise, table = _exercise(tmp_path, min_tests=3)
    work = tmp_path / "work"
    work.mkdir()
    (work / "total.test.js").write_text(GOOD)
    ctx = CheckContext(exercise=exercise, work_dir=work, learner_dir=None, limits=Limits())
    results = await tdd_kind.run(table, ctx)
    assert results[0].status == "failed"
    assert results[0].message.startswith("total.test.js has only 2 tests. Write at least 3")


async def test_result_titles_say_what_happened_and_output_is_not_raw_tap(tmp_path: Path) -> None:
    """Issue 13: a failed result never carries a title that says it passed ("FAIL  Your tests
    pass on a correct total.js"), and the output shown under it is read, not node's TAP."""
    wrong = (HEAD + "test('two prices make six', () => { assert.strictEqual(total([2, 3]), 6); "
             "});\ntest('one price', () => { console.log('hi there'); "
             "assert.strictEqual(total([4]), 4); });\n")
    exercise, table = _exercise(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    (work / "total.test.js").write_text(wrong)
    from jail.run import Limits

    ctx = CheckContext(exercise=exercise, work_dir=work, learner_dir=None, limits=Limits())
    outcomes = await tdd_kind.run(table, ctx)
    assert [o.name for o in outcomes][0] == "Your tests fail on a correct total.js"
    assert all(o.name.startswith("Not tried yet, the bug: ") for o in outcomes[1:])
    shown = outcomes[0].output
    for raw in ("TAP version", "not ok", "# Subtest", "---", "duration_ms", "..."):
        assert raw not in shown, (raw, shown)
    assert "  FAILED   two prices make six" in shown
    assert "5 !== 6" in shown
    assert "  passed   one price" in shown
    assert "What your tests printed:\n  hi there" in shown

    only_two = HEAD + "test('two prices', () => { assert.strictEqual(total([2, 3]), 5); });\n"
    names = [n for n, _, _ in await _check(tmp_path, only_two)]
    assert names[0] == "Your tests pass on a correct total.js"
    assert names[2] == "Your tests missed the bug: `total` gave null for an empty list"
    names = [n for n, _, _ in await _check(tmp_path, HEAD + "// no tests yet\n")]
    assert names[0] == "Not enough tests in total.test.js"
    endless = HEAD + "test('spins', () => { while (true) {} });\n"
    names = [n for n, _, _ in await _check(tmp_path, endless, wall=3, cpu=2)]
    assert names[0] == "Your tests did not finish"


def test_readable_results_from_real_node_tap_shapes() -> None:
    tap = """TAP version 13
# Subtest: sums
    # Subtest: two
    ok 1 - two
      ---
      duration_ms: 0.5
      ...
    # Subtest: three
    not ok 2 - three
      ---
      duration_ms: 0.4
      failureType: 'testCodeFailure'
      error: |-
        Expected values to be strictly equal:
        
        5 !== 6
        
      code: 'ERR_ASSERTION'
      ...
    1..2
not ok 1 - sums
  ---
  duration_ms: 2
  ...
# printed by me
# not ok 9 - forged
1..1
# tests 2
# pass 1
# fail 1
"""
    text = tdd_kind.readable_results(tap)
    assert text.splitlines()[:4] == [
        "Your tests:",
        "  passed   sums > two",
        "  FAILED   sums > three",
        "           Expected values to be strictly equal: 5 !== 6",
    ]
    assert "  printed by me" in text and "  not ok 9 - forged" in text  # output, not a result
    assert "# tests" not in text and "TAP" not in text
