"""Fixtures for the course engine's tests (builders live in course_kit.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from course_kit import COURSE, SAMPLE, make_exercise, write

# The sample course holds course test files (test_double.py) that are assets, not our tests.
collect_ignore_glob = ["sample/*"]


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A valid one-course, one-exercise catalog in tmp_path/catalog."""
    root = tmp_path / "catalog"
    course = root / "01-demo"
    write(course / "course.toml", COURSE)
    make_exercise(course)
    return root


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample course."""
    dest = tmp_path / "sample"
    shutil.copytree(SAMPLE, dest)
    return dest
