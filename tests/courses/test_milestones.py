"""Milestones in ``course.toml``: which courses each covers, and every bad value refused with the
file and the field named (courses/FORMAT.md, "Milestones")."""

from __future__ import annotations

from pathlib import Path

import pytest
from course_kit import COURSE, make_exercise, write

from courses.catalog import CourseError, load_catalog


def course(root: Path, folder: str, cid: str, stage: int, order: int, milestone: str = "") -> Path:
    text = (
        COURSE.replace('"demo"', f'"{cid}"')
        .replace("stage = 1", f"stage = {stage}")
        .replace("order = 1", f"order = {order}")
    )
    if milestone:
        text += f"milestone = {milestone}\n"
    write(root / folder / "course.toml", text)
    make_exercise(root / folder, "01-first")
    return root / folder / "course.toml"


def problems(root: Path) -> list[str]:
    with pytest.raises(CourseError) as info:
        load_catalog(root)
    return info.value.problems


def test_a_milestone_covers_its_stage_back_to_the_previous_milestone(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    course(root, "01-a", "a", 1, 10)
    course(root, "02-b", "b", 1, 20, '"Web pages"')
    course(root, "03-c", "c", 1, 30)
    course(root, "04-d", "d", 1, 40, '"Programs"')
    course(root, "05-e", "e", 1, 50)  # after the stage's last milestone: in none
    course(root, "06-f", "f", 2, 10)
    course(root, "07-g", "g", 2, 20, '"  Teamwork  "')
    catalog = load_catalog(root)
    got = [(m.id, m.title, m.stage, m.courses) for m in catalog.milestones()]
    assert got == [
        ("b", "Web pages", 1, ("a", "b")),
        ("d", "Programs", 1, ("c", "d")),
        ("g", "Teamwork", 2, ("f", "g")),  # a stage never reaches back into the one before
    ]
    assert catalog.course("b").milestone == "Web pages"
    assert catalog.course("a").milestone is None
    assert {c["id"]: c["milestone"] for c in catalog.course_map()}["d"] == "Programs"


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ('""', "must not be empty"),
        ('"   "', "must not be empty"),
        ("3", "must be"),
        ('["a"]', "must be"),
        ('"' + "x" * 81 + '"', "at most 80 characters"),
        ('"Foundations\\u001b[2J"', "one line of plain text"),
        ('"Two\\nlines"', "one line of plain text"),
        ('"Right\\u202eto left"', "one line of plain text"),
    ],
)
def test_bad_milestones_are_refused_naming_the_file_and_field(
    tmp_path: Path, value: str, needle: str
) -> None:
    toml = course(tmp_path / "cat", "01-a", "a", 1, 10, value)
    found = problems(tmp_path / "cat")
    assert any(p.startswith(f"{toml}: milestone: ") and needle in p for p in found), found


def test_two_courses_may_not_close_the_same_milestone(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    course(root, "01-a", "a", 1, 10, '"Web pages"')
    second = course(root, "02-b", "b", 2, 10, '"web PAGES"')
    found = problems(root)
    assert any(p.startswith(f"{second}: milestone: ") and "also the milestone" in p for p in found)


def test_the_built_in_catalog_marks_its_milestones() -> None:
    catalog = load_catalog(strict=False)
    by_id = {m.id: m for m in catalog.milestones()}
    foundations = by_id["javascript"]
    assert foundations.title == "Foundations: HTML, CSS and JavaScript"
    assert foundations.courses[:4] == ("start", "html", "css", "javascript")
    assert by_id["fullstack"].courses[-3:] == ("mvc", "sql", "fullstack")
    assert all(m.stage == catalog.course(m.id).stage for m in by_id.values())
    covered = [c for m in catalog.milestones() for c in m.courses]
    assert sorted(covered) == sorted(c.id for c in catalog.courses), (
        "every course counts towards a milestone (courses/FORMAT.md, Milestones)")


def test_slate_course_list_names_each_milestone(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from server import cli

    root = tmp_path / "cat"
    course(root, "01-a", "a", 1, 10)
    course(root, "02-b", "b", 1, 20, '"Web pages"')
    result = CliRunner().invoke(cli.main, ["--data-dir", str(tmp_path / "data"), "course",
                                           "list", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1].strip() == "milestone: Web pages (instructors sign off)"
    assert sum("milestone:" in line for line in lines) == 1
