"""run_checks: learner files are copied (regular files only) into a fresh dir per check, the
workspace is never touched, and a broken kind or sandbox is an ``error``, never a pass."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from course_kit import SAMPLE

from courses import kinds as kinds_module
from courses.catalog import load_catalog
from courses.checks import CopyError, copy_learner_files, run_checks
from courses.kinds import Kind, KindError, get_kind, kinds
from courses.model import CheckResult, Exercise, TestOutcome


def test_copy_takes_regular_files_only(tmp_path: Path) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "sub").mkdir(parents=True)
    dest.mkdir()
    (src / "a.js").write_text("a")
    (src / "sub" / "b.js").write_text("b")
    (src / "secret-link").symlink_to("/etc/hostname")
    (src / "dir-link").symlink_to(src / "sub")
    os.mkfifo(src / "fifo")
    (src / ".git").mkdir()
    (src / ".git" / "config").write_text("x")
    assert copy_learner_files(src, dest) == 2
    found = sorted(str(p.relative_to(dest)) for p in dest.rglob("*"))
    assert found == ["a.js", "sub", "sub/b.js"]


def test_copy_refuses_a_flood_of_files(tmp_path: Path, monkeypatch) -> None:
    import courses.checks as checks

    monkeypatch.setattr(checks, "MAX_COPY_FILES", 3)
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    dest.mkdir()
    for i in range(5):
        (src / f"f{i}.txt").write_text("x")
    with pytest.raises(CopyError, match="too many or too large"):
        copy_learner_files(src, dest)


def test_each_check_gets_a_fresh_work_dir(tmp_path: Path, monkeypatch) -> None:
    seen: list[Path] = []

    async def fake_run(check, ctx):
        seen.append(ctx.work_dir)
        (ctx.work_dir / "scribble.txt").write_text("left behind")
        assert sorted(p.name for p in ctx.work_dir.iterdir()) == ["index.html", "scribble.txt"]
        return [TestOutcome("t", "passed")]

    real = get_kind("html")
    monkeypatch.setitem(kinds(), "html", Kind("html", real.module, real.validate, fake_run))
    ex = Exercise("c", "e", "t", "l", tmp_path, ["index.html"], checks=[{"kind": "html"}] * 2)
    work = tmp_path / "learner"
    work.mkdir()
    (work / "index.html").write_text("<p>")
    result = asyncio.run(run_checks(ex, work))
    assert result.status == "passed"
    assert len(seen) == 2 and seen[0] != seen[1]
    assert not any(p.exists() for p in seen)  # removed afterwards
    assert sorted(p.name for p in work.iterdir()) == ["index.html"]


def test_a_kind_that_crashes_is_an_error_not_a_pass(tmp_path: Path, monkeypatch) -> None:
    async def broken(check, ctx):
        raise RuntimeError("kaboom")

    real = get_kind("html")
    monkeypatch.setitem(kinds(), "html", Kind("html", real.module, real.validate, broken))
    ex = Exercise("c", "e", "t", "l", tmp_path, ["index.html"], checks=[{"kind": "html"}])
    result = asyncio.run(run_checks(ex, tmp_path))
    assert result.status == "error"
    assert "tell your instructor" in result.tests[0].message
    assert "kaboom" in result.tests[0].message


def test_named_checks_prefix_their_tests() -> None:
    ex = load_catalog(SAMPLE).exercise("sample", "total")
    result = asyncio.run(run_checks(ex, ex.starter_dir))
    names = [t.name for t in result.tests]
    assert names[0].startswith("Style: ") and names[-1].startswith("Behaviour: ")


def test_unknown_limit_override_is_an_error(tmp_path: Path) -> None:
    ex = Exercise("c", "e", "t", "l", tmp_path, ["a"], checks=[{"kind": "html"}])
    ex.limits = {"speed": 3}
    result = asyncio.run(run_checks(ex, tmp_path))
    assert result.status == "error" and "unknown limits" in result.tests[0].message


def test_limits_overrides_apply() -> None:
    ex = load_catalog(SAMPLE).exercise("sample", "total")
    assert ex.make_limits().wall == 5


def test_registry_discovers_every_engine_kind() -> None:
    assert {"node-test", "html", "css", "js-structure", "pytest"} <= set(kinds())
    with pytest.raises(KindError, match="unknown check kind 'nope' \\(known kinds: "):
        get_kind("nope")


def test_registry_refuses_malformed_kind_modules() -> None:
    import types

    bad = types.ModuleType("courses.kinds.bad")
    bad.KIND = "bad"
    bad.validate = lambda check, ex: []
    bad.run = lambda check, ctx: []  # not async
    with pytest.raises(KindError, match="must be 'async def'"):
        kinds_module._load(bad)


def test_result_schema_round_trip_and_caps() -> None:
    long = "x" * 2000
    result = CheckResult.from_tests(
        [TestOutcome("a", "passed"), TestOutcome("b", "failed", message=long, output=long * 5)]
    )
    data = result.to_dict()
    assert data["status"] == "failed" and data["summary"] == "1 of 2 tests passed."
    assert len(data["tests"][1]["message"]) == 500 and data["tests"][1]["message"].endswith("…")
    assert CheckResult.from_dict(data).to_dict() == data
    with pytest.raises(ValueError):
        TestOutcome("a", "maybe")
    with pytest.raises(ValueError, match="not a check result"):
        CheckResult.from_dict({"tests": []})


def test_nothing_tested_is_never_a_pass() -> None:
    assert CheckResult.from_tests([]).status == "error"
    assert (
        CheckResult.from_tests([TestOutcome("a", "passed"), TestOutcome("b", "error")]).status
        == "error"
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="per-learner uids need root")
def test_checks_run_under_a_learner_uid() -> None:
    """Production runs sandboxes as the learner's own host uid: the copy must be theirs."""
    catalog = load_catalog(SAMPLE)
    for ex_id in ("greet", "python"):
        ex = catalog.exercise("sample", ex_id)
        result = asyncio.run(run_checks(ex, ex.solution_dir, host_uid=2001))
        assert result.status == "passed", result.to_dict()


@pytest.mark.skipif(os.geteuid() != 0, reason="the tmpfs work dir needs root")
def test_sec_a_check_cannot_fill_the_host_disk(tmp_path: Path) -> None:
    """Writing without end into /work stops at the work dir's small tmpfs (ENOSPC)."""
    import courses.checks as checks

    work = tmp_path / "learner"
    work.mkdir()
    (work / "greet.js").write_text(
        "const fs = require('fs'); let n = 0;\n"
        "try { for (; n < 100; n++) fs.writeFileSync(`/work/f${n}`, Buffer.alloc(8 << 20)); }\n"
        "catch (e) { console.log('stopped', e.code); }\n"
        "console.log('wrote', n);\n"
        "module.exports = { greet: () => 'x' };\n"
    )
    ex = load_catalog(SAMPLE).exercise("sample", "greet")
    result = asyncio.run(run_checks(ex, work))
    output = result.tests[0].output
    assert "stopped ENOSPC" in output
    written = int(output.split("wrote ")[1].split()[0])
    assert written * (8 << 20) <= checks.MAX_COPY_BYTES + checks.WORK_DIR_SPARE
    assert not [
        line for line in Path("/proc/mounts").read_text().splitlines() if "slate-check" in line
    ]


def test_stale_work_dirs_are_swept(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    from courses.checks import sweep_stale_work_dirs

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    old = tmp_path / "slate-check-old"
    (old / "sub").mkdir(parents=True)
    os.utime(old, (1, 1))
    fresh = tmp_path / "slate-check-fresh"
    fresh.mkdir()
    other = tmp_path / "not-ours"
    other.mkdir()
    os.utime(other, (1, 1))
    assert sweep_stale_work_dirs() == 1
    assert not old.exists() and fresh.exists() and other.exists()
