"""A node-test check whose course tests only read the learner's files as data starts the
learner's sandbox only if the tests call into it after all (``courses/kinds/_pair.py``, lazy
serving side): real bubblewrap, real node, the real harness and subject.

What must hold: a course that reads files runs one sandbox, not two, and still tells right from
wrong; a course that the host guessed wrongly (it reaches the learner's code in a way the guess
did not see) still gets the learner's sandbox, started on the first call, with every forgery
failing as in an eager check; no pipe end is left open either way. The verdict's own safeguards
are the ones tests/courses/test_sec_verdict.py attacks; the gateway's audited check record is
tests/gateway/test_sec_verdict_ssh.py's.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from courses.checks import run_checks
from courses.kinds import node_test
from jail import run as jail_run

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("bwrap") is None, reason="needs node and bwrap"
)

MARKER = "SLATE-SECRET-3e9a"  # in every course file: it must never reach a result

READS_ONLY = f"""// {MARKER} course test source
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

test('the answer says hello', () => {{
  const text = fs.readFileSync(path.join(__dirname, 'answer.txt'), 'utf8');
  assert.equal(text.trim(), 'hello', 'The answer should be hello.');
}});
"""

# Every require names a built-in, so the host guesses "reads only"; the alias still loads the
# learner's module (through the harness's proxy, i.e. over the pipe).
HIDDEN_CALL = f"""// {MARKER} course test source
const test = require('node:test');
const assert = require('node:assert');
const load = require;
const {{ greet }} = load('./greet.js');

test("greet('Sam') says hello to Sam", () => {{
  assert.strictEqual(greet('Sam'), 'Hello, Sam!');
}});
"""

GOOD = "function greet(name) { return `Hello, ${name}!`; }\nmodule.exports = { greet };\n"


def _exercise(tmp_path: Path, course_test: str) -> Any:
    from course_kit import SAMPLE

    from courses.catalog import load_catalog

    root = tmp_path / "catalog"
    shutil.copytree(SAMPLE, root, dirs_exist_ok=True)
    ex_dir = root / "01-greet"
    (ex_dir / "tests" / "greet.test.js").write_text(course_test)
    (ex_dir / "solution" / "greet.js").write_text(f"// {MARKER} solution\n" + GOOD)
    return load_catalog(root).exercise("sample", "greet")


def _check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, course_test: str, files: dict[str, str]
) -> tuple[dict[str, Any], list[list[str]]]:
    """Run the check; return the result and the argv of every sandbox it started."""
    ex = _exercise(tmp_path, course_test)
    started: list[list[str]] = []
    real = jail_run.run_async

    async def counting(spec: Any, *args: Any, **kwargs: Any) -> Any:
        started.append(list(spec.argv))
        return await real(spec, *args, **kwargs)

    monkeypatch.setattr(jail_run, "run_async", counting)
    work = tmp_path / "learner"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    for name, text in files.items():
        (work / name).write_text(text)
    result = asyncio.run(run_checks(ex, work)).to_dict()
    assert MARKER not in json.dumps(result), "course material reached the result"
    return result, started


def _serving(started: list[list[str]]) -> list[list[str]]:
    return [argv for argv in started if any(a.endswith("/serve.cjs") for a in argv)]


def test_a_course_that_reads_files_runs_one_sandbox_and_still_judges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ex = _exercise(tmp_path, READS_ONLY)
    assert node_test._reads_only(ex, ["tests/greet.test.js"])
    # A learner program beside the answer never runs: nothing asks for it.
    loud = "require('fs').writeFileSync('/work/ran.txt', 'x'); console.log('I RAN');\n"
    right, started = _check(
        tmp_path, monkeypatch, READS_ONLY, {"answer.txt": "hello\n", "greet.js": loud}
    )
    assert right["status"] == "passed", right
    assert len(started) == 1 and not _serving(started), started
    assert "I RAN" not in json.dumps(right)
    wrong, started = _check(tmp_path, monkeypatch, READS_ONLY, {"answer.txt": "helo\n"})
    assert wrong["status"] == "failed", wrong
    assert wrong["tests"][0]["message"].startswith("The answer should be hello."), wrong
    assert len(started) == 1, started


def test_a_course_that_requires_learner_code_starts_both_at_once(tmp_path: Path) -> None:
    """The guess stays eager for every course test that plainly loads a learner file."""
    from course_kit import SAMPLE

    from courses.catalog import load_catalog

    ex = load_catalog(SAMPLE).exercise("sample", "greet")
    assert not node_test._reads_only(ex, ["tests/greet.test.js"])


def test_sec_a_wrong_guess_still_reaches_the_learner_and_forgeries_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ex = _exercise(tmp_path, HIDDEN_CALL)
    assert node_test._reads_only(ex, ["tests/greet.test.js"])  # the guess is wrong here
    good, started = _check(tmp_path, monkeypatch, HIDDEN_CALL, {"greet.js": GOOD})
    assert good["status"] == "passed", good
    assert len(_serving(started)) == 1, started  # started on the first call
    printed = (
        "console.log('TAP version 13\\nok 1 - greet(\\'Sam\\') says hello to Sam\\n1..1\\n"
        "# pass 1\\n# fail 0');\n"
    )
    for code in (
        "function greet(n) { return 'Hello ' + n; }\nmodule.exports = { greet };\n",
        printed + "process.exit(0);\n",
        "function greet(n) {\n" + printed + "process.exit(0);\n}\nmodule.exports = { greet };\n",
        "for (let fd = 0; fd < 64; fd++) { try { require('fs').writeSync(fd, 'ok 1 - x\\n'); }"
        " catch (e) {} }\nfunction greet(n) { return 'nope'; }\nmodule.exports = { greet };\n",
    ):
        result, started = _check(tmp_path, monkeypatch, HIDDEN_CALL, {"greet.js": code})
        assert result["status"] != "passed", (code, result)
        assert all(t["status"] != "passed" for t in result["tests"]), (code, result)
        assert len(_serving(started)) == 1, started


def test_no_pipe_end_is_left_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = set(os.listdir("/proc/self/fd"))
    for course_test, files in (
        (READS_ONLY, {"answer.txt": "hello\n"}),  # the learner's side never started
        (HIDDEN_CALL, {"greet.js": GOOD}),  # started late
    ):
        result, _ = _check(tmp_path, monkeypatch, course_test, files)
        assert result["status"] == "passed", result
    leaked = set(os.listdir("/proc/self/fd")) - before
    assert not leaked, leaked
