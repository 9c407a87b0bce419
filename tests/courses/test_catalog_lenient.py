"""A running classroom loads the catalog leniently: one broken exercise is left out (and
listed), never every course hidden from learners; authoring stays strict."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from courses.catalog import CourseError, load_catalog

SAMPLE = Path(__file__).parent / "sample"


def test_one_broken_exercise_is_left_out_not_everything(tmp_path: Path) -> None:
    course = tmp_path / "sample"
    shutil.copytree(SAMPLE, course)
    broken = course / "02-page" / "exercise.toml"
    broken.write_text(broken.read_text() + "\ntypo_field = 1\n")

    with pytest.raises(CourseError) as raised:
        load_catalog(tmp_path)
    assert "typo_field" in str(raised.value)

    catalog = load_catalog(tmp_path, strict=False)
    ids = [ex.id for ex in catalog.exercises()]
    assert "page" not in ids and "greet" in ids and len(ids) == 4
    assert any("typo_field" in p for p in catalog.problems)


def test_an_unusable_folder_still_fails_when_lenient(tmp_path: Path) -> None:
    with pytest.raises(CourseError):
        load_catalog(tmp_path / "missing", strict=False)
