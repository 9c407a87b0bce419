"""The pytest kind in real sandboxes: passing, failing, an endless loop, a crash while loading,
and a learner who prints a fake report line."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest
from course_kit import SAMPLE

from courses.catalog import load_catalog
from courses.checks import run_checks

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bwrap")


def check(tmp_path: Path, code: str, **limits):
    ex = load_catalog(SAMPLE).exercise("sample", "python")
    ex.limits = {**ex.limits, **limits}
    work = tmp_path / "learner"
    work.mkdir()
    (work / "double.py").write_text(code)
    return asyncio.run(run_checks(ex, work))


NAMES = ["test_double_four", "TestDouble.test_zero", "TestDouble.test_negative"]


def test_solution_passes(tmp_path: Path) -> None:
    result = check(tmp_path, "def double(n):\n    return n * 2\n")
    assert result.status == "passed", result.to_dict()
    assert [t.name for t in result.tests] == NAMES


def test_failures_name_the_check_and_line(tmp_path: Path) -> None:
    result = check(tmp_path, "def double(n):\n    return n * 2 if n >= 0 else n\n")
    assert result.status == "failed"
    by_name = {t.name: t for t in result.tests}
    assert by_name["test_double_four"].status == "passed"
    negative = by_name["TestDouble.test_negative"]
    assert negative.status == "failed"
    assert negative.message.startswith("The check was not true: -3 != -6")
    assert "test_double.py line" in negative.message


def test_sec_endless_loop_fails_with_a_plain_message(tmp_path: Path) -> None:
    start = time.monotonic()
    result = check(tmp_path, "while True:\n    pass\n", wall=2)
    assert time.monotonic() - start < 8
    assert result.status == "failed"
    assert "took too long" in result.tests[0].message or "computer time" in result.tests[0].message


def test_crash_while_loading_is_explained(tmp_path: Path) -> None:
    result = check(tmp_path, "def double(n)\n    return n\n")
    assert result.status == "failed"
    assert "SyntaxError" in result.tests[0].message


def test_sec_fake_report_line_does_not_pass(tmp_path: Path) -> None:
    fake = '[{"name": "test_double_four", "status": "passed", "message": ""}]'
    code = f"import sys, os\nprint('@@slate-0000 ' + {fake!r})\nos._exit(0)\n"
    result = check(tmp_path, code)
    assert result.status == "failed"
    assert all(t.status == "failed" for t in result.tests)
