"""Issue 13: Run in a TDD exercise shows readable results, not node's raw TAP (real node in a
real sandbox, through the same jail.run.run_in_workspace a learner's Run uses)."""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from jail.run import Limits, run_in_workspace
from jail.workspace import Workspace

CATALOG = Path(__file__).resolve().parents[2] / "courses" / "catalog"
TDD = sorted(p for p in (CATALOG / "05-tdd").iterdir() if (p / "exercise.toml").is_file())


def _run_argv(exercise: Path) -> list[str]:
    return list(tomllib.loads((exercise / "exercise.toml").read_text())["run"])


@pytest.fixture
def ws() -> Iterator[Workspace]:
    root = Path(tempfile.mkdtemp(prefix="slate-tdd-run-", dir="/tmp"))
    try:
        workspace = Workspace(root / "ws")
        workspace.provision()
        yield workspace
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_every_node_test_run_in_the_tdd_course_asks_for_the_readable_reporter() -> None:
    for exercise in TDD:
        argv = _run_argv(exercise)
        if "--test" in argv:
            assert "--test-reporter=spec" in argv, exercise.name


async def test_run_of_a_tdd_exercise_prints_readable_results_not_tap(ws: Workspace) -> None:
    exercise = CATALOG / "05-tdd" / "02-edge-cases"
    for folder in ("starter", "solution"):
        for path in sorted((exercise / folder).glob("*")):
            if path.is_file():
                ws.write_atomic(f"ex/{path.name}", path.read_bytes())
    # one passing and one failing test of the learner's own
    test_file = next(n for n in _run_argv(exercise) if n.endswith(".test.js"))
    ws.write_atomic(f"ex/{test_file}", (
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "test('one is one', () => { assert.strictEqual(1, 1); });\n"
        "test('two is three', () => { assert.strictEqual(2, 3); });\n"
    ))
    result = await run_in_workspace(ws, "ex", _run_argv(exercise), limits=Limits(),
                                    host_uid=None)
    out = (result.stdout + result.stderr).decode("utf-8", "replace")
    for raw in ("TAP version", "not ok 2", "ok 1 - ", "# Subtest", "duration_ms:", "  ---"):
        assert raw not in out, (raw, out)
    assert "\u2714 one is one" in out and "\u2716 two is three" in out
    assert "2 !== 3" in out
    assert result.exit_code != 0
