"""Builders for the course engine's tests: the sample course's path and tiny catalogs written in
tmp_path one file at a time, so each malformed case is a one-line change. (A module with its own
name, not conftest: several test folders have a conftest.py and imports of it collide.)"""

from __future__ import annotations

import textwrap
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent / "sample"

LESSON = """# Title

## What you will learn
Something.

## How it works
An example.

## Your task
Do it.
"""

COURSE = """id = "demo"
title = "Demo"
stage = 1
order = 1
summary = "A demo course."
"""

EXERCISE = """title = "First"
learn = "One thing."
files = ["index.html"]
hints = ["gentle", "specific"]

[[checks]]
kind = "html"
file = "index.html"

[[checks.assert]]
exists = "h1"
"""


def write(path: Path, text: str) -> Path:
    """Write ``text`` (dedented) to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_exercise(
    course_dir: Path,
    name: str = "01-first",
    *,
    toml: str = EXERCISE,
    starter: dict[str, str] | None = None,
    solution: dict[str, str] | None = None,
    tests: dict[str, str] | None = None,
    lesson: str | None = LESSON,
) -> Path:
    """One exercise folder with a manifest, lesson, starter, solution and test assets."""
    ex = course_dir / name
    write(ex / "exercise.toml", toml)
    if lesson is not None:
        write(ex / "lesson.md", lesson)
    for rel, text in (starter if starter is not None else {"index.html": "<p>hi</p>\n"}).items():
        write(ex / "starter" / rel, text)
    for rel, text in (
        solution if solution is not None else {"index.html": "<h1>hi</h1>\n"}
    ).items():
        write(ex / "solution" / rel, text)
    for rel, text in (tests or {}).items():
        write(ex / "tests" / rel, text)
    return ex
