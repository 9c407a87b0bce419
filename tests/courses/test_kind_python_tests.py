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


# -- issue 9: the verdict is decided where the learner's code cannot reach ------------------------


def test_sec_the_real_marker_printed_by_learner_code_does_not_pass(tmp_path: Path) -> None:
    """The learner knows the harness's result marker (it is in the source): printing it with
    every test passed, then exiting, still fails — their stdout is not the harness's."""
    fake = '[{"name": "test_double_four", "status": "passed", "message": ""}, ' \
        '{"name": "TestDouble.test_zero", "status": "passed", "message": ""}, ' \
        '{"name": "TestDouble.test_negative", "status": "passed", "message": ""}]'
    code = (
        "import os, sys\n"
        f"line = '\\n@@slate-py-result ' + {fake!r} + '\\n'\n"
        "for fd in range(0, 64):\n"
        "    try:\n"
        "        os.write(fd, line.encode())\n"
        "    except OSError:\n"
        "        pass\n"
        "def double(n):\n"
        "    os._exit(0)\n"
    )
    result = check(tmp_path, code)
    assert result.status == "failed", result.to_dict()
    assert all(t.status == "failed" for t in result.tests)
    assert "stopped before it answered" in result.tests[0].message


def test_sec_an_equal_to_anything_value_compares_as_what_it_is(tmp_path: Path) -> None:
    """A wrong double() returning objects that claim to equal anything (an int subclass and a
    plain object with a hostile __eq__/__bool__): the int crosses as its real number, the
    object as a handle that equals only itself — every comparison fails."""
    code = (
        "class Liar(int):\n"
        "    def __eq__(self, other): return True\n"
        "    def __ne__(self, other): return False\n"
        "    __hash__ = int.__hash__\n"
        "class Anything:\n"
        "    def __eq__(self, other): return True\n"
        "    def __bool__(self): return False\n"
        "def double(n):\n"
        "    return Liar(7) if n else Anything()\n"
    )
    result = check(tmp_path, code)
    assert result.status == "failed", result.to_dict()
    assert [t.status for t in result.tests] == ["failed", "failed", "failed"]
    by_name = {t.name: t for t in result.tests}
    assert "7 != -6" in by_name["TestDouble.test_negative"].message


def test_sec_learner_code_finds_no_course_file_and_no_harness(tmp_path: Path) -> None:
    """From the learner's sandbox: the course's test file is not in /work, no process of the
    harness is visible, and the answer they smuggle out is only a (wrong) return value."""
    code = (
        "import os\n"
        "def double(n):\n"
        "    seen = sorted(os.listdir('/work'))\n"
        "    procs = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "    cmd = [open(f'/proc/{p}/cmdline', 'rb').read() for p in procs]\n"
        "    return repr((seen, [c for c in cmd if b'pyharness' in c]))\n"
    )
    result = check(tmp_path, code)
    assert result.status == "failed"
    message = {t.name: t for t in result.tests}["TestDouble.test_negative"].message
    # What the learner's code saw: only their own file, and no harness process.
    assert "\"(['double.py'], [])\" != -6" in message, message


def test_a_subclass_the_learner_wrote_compares_as_its_data(tmp_path: Path) -> None:
    """A right answer written differently passes: a namedtuple-like or int subclass result
    crosses as the number it holds, and errors keep their built-in class."""
    code = (
        "class Number(int):\n"
        "    pass\n"
        "def double(n):\n"
        "    if not isinstance(n, int):\n"
        "        raise ValueError('numbers only')\n"
        "    return Number(n + n)\n"
    )
    result = check(tmp_path, code)
    assert result.status == "passed", result.to_dict()
