"""check_catalog / main_check: the sample course is fine; a broken solution, a starter that
already passes, and a catalog that doesn't load all make the command fail, saying why."""

from __future__ import annotations

from pathlib import Path

from course_kit import SAMPLE

from courses.validate import check_catalog, main_check


def test_sample_catalog_is_fine() -> None:
    seen: list[str] = []
    report = check_catalog(SAMPLE, progress=lambda r, done, total: seen.append(f"{done}/{total}"))
    assert report.ok, [r.problems for r in report.exercises]
    assert len(report.exercises) == 5
    assert seen[-1] == "5/5"


def test_broken_solution_and_solved_starter_are_reported(sample_copy: Path, capsys) -> None:
    greet = sample_copy / "01-greet"
    (greet / "solution" / "greet.js").write_text("module.exports = {};\n")
    nav = sample_copy / "03-nav"
    (nav / "starter" / "style.css").write_text((nav / "solution" / "style.css").read_text())
    assert main_check(sample_copy) == 1
    out = capsys.readouterr().out
    assert "3 of 5 exercises in 1 courses are fine" in out
    assert "sample/greet" in out and "solution failed" in out
    assert "starter passes already" in out


def test_one_exercise_folder_can_be_checked(capsys) -> None:
    assert main_check(SAMPLE / "03-nav") == 0
    assert "1 of 1 exercises" in capsys.readouterr().out


def test_catalog_that_does_not_load_fails(sample_copy: Path, capsys) -> None:
    (sample_copy / "02-page" / "lesson.md").unlink()
    assert main_check(sample_copy) == 1
    assert "02-page/lesson.md: missing" in capsys.readouterr().out
