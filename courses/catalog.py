"""The course catalog: loading ``courses/catalog/`` into ``Course`` and ``Exercise`` objects.

Owns the format rules of courses/FORMAT.md for ``course.toml``, ``exercise.toml`` and the folder
layout, and the serialisable views the TUI renders.

Invariants kept here:
- A catalog either loads completely or not at all: every problem found is collected and raised
  together as one ``CourseError`` whose lines each name the file and the field.
- The views for the TUI (``course_map``, ``exercise_view``) carry titles, lessons, file names and
  counts only: never a solution, a test asset, or a hint's text (hints are revealed one at a time
  by the server).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courses.fields import check_fields, rel_path_problem
from courses.kinds import KindError, get_kind
from courses.model import LIMIT_FIELDS, Exercise
from jail.safe_text import is_safe

DEFAULT_CATALOG = Path(__file__).resolve().parent / "catalog"

_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_EXERCISE_DIR = re.compile(r"(\d{2,})-([a-z0-9][a-z0-9-]*)")
_LESSON_HEADINGS = ("## What you will learn", "## Your task")

COURSE_FIELDS = {"id": str, "title": str, "stage": int, "order": int, "summary": str}
COURSE_OPTIONAL = {"milestone": str}
MILESTONE_MAX = 80
"""Longest milestone title (it is one line of the course map and of the instructor console)."""
EXERCISE_REQUIRED = {
    "title": str,
    "learn": str,
    "files": ("list", str),
    "hints": ("list", str),
    "checks": ("list", dict),
}
EXERCISE_OPTIONAL = {"readonly": ("list", str), "run": ("list", str), "limits": dict}


class CourseError(Exception):
    """A malformed catalog. ``problems`` holds one line per problem, each naming file and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Course:
    """One course: its ``course.toml`` and its exercises in folder order."""

    id: str
    title: str
    stage: int
    order: int
    summary: str
    dir: Path
    exercises: list[Exercise] = field(default_factory=list)
    milestone: str | None = None
    """The title of the milestone this course closes (``course.toml`` ``milestone``), or None."""

    def exercise(self, ex_id: str) -> Exercise:
        """The exercise called ``ex_id``.

        Raises:
            KeyError: naming the course and the missing exercise.
        """
        for ex in self.exercises:
            if ex.id == ex_id:
                return ex
        raise KeyError(f"course {self.id!r} has no exercise {ex_id!r}")


@dataclass(frozen=True)
class Milestone:
    """A point in the programme an instructor signs off (``course.toml`` ``milestone``).

    Attributes:
        id: the id of the course that closes it (stable: sign-offs are stored under it).
        title: what the learner has reached, e.g. "Foundations: HTML, CSS and JavaScript".
        stage: the stage it belongs to.
        courses: the ids of the courses it covers, in programme order (``id`` last).
    """

    id: str
    title: str
    stage: int
    courses: tuple[str, ...]


@dataclass
class Catalog:
    """All courses, in programme order (stage, then order)."""

    root: Path
    courses: list[Course]
    problems: list[str] = field(default_factory=list)  # what a lenient load left out

    def course(self, course_id: str) -> Course:
        """The course called ``course_id``.

        Raises:
            KeyError: naming the missing course.
        """
        for course in self.courses:
            if course.id == course_id:
                return course
        raise KeyError(f"no course {course_id!r} in the catalog")

    def exercise(self, course_id: str, ex_id: str) -> Exercise:
        """The exercise ``ex_id`` of course ``course_id`` (``KeyError`` if either is missing)."""
        return self.course(course_id).exercise(ex_id)

    def exercises(self) -> Iterator[Exercise]:
        """Every exercise, in programme order."""
        for course in self.courses:
            yield from course.exercises

    def milestones(self) -> list[Milestone]:
        """Every milestone, in programme order, with the courses it covers.

        A course with a ``milestone`` closes it: the milestone covers that course and the
        courses of the same stage before it, back to (not including) the previous milestone's
        course. Courses after a stage's last milestone belong to no milestone.
        """
        found: list[Milestone] = []
        pending: dict[int, list[str]] = {}
        for course in self.courses:
            covered = pending.setdefault(course.stage, [])
            covered.append(course.id)
            if course.milestone is not None:
                found.append(Milestone(course.id, course.milestone, course.stage, tuple(covered)))
                pending[course.stage] = []
        return found

    def exercise_view(self, ex: Exercise) -> dict[str, Any]:
        """``exercise_view(ex)``, as a method for callers holding the catalog."""
        return exercise_view(ex)

    def course_map(self) -> list[dict[str, Any]]:
        """The whole programme as plain data for the TUI's course map (no solutions, no tests)."""
        return [
            {
                "id": c.id,
                "title": c.title,
                "stage": c.stage,
                "order": c.order,
                "summary": c.summary,
                "milestone": c.milestone,
                "exercises": [
                    {
                        "id": ex.id,
                        "title": ex.title,
                        "learn": ex.learn,
                        "hint_count": len(ex.hints),
                        "check_kinds": ex.check_kinds,
                    }
                    for ex in c.exercises
                ],
            }
            for c in self.courses
        ]


def exercise_view(ex: Exercise) -> dict[str, Any]:
    """One exercise as plain data for the TUI: title, lesson, file names, counts.

    Never includes the solution, the test assets, the check fields or the hints' text.
    """
    return {
        "course_id": ex.course_id,
        "id": ex.id,
        "title": ex.title,
        "learn": ex.learn,
        "lesson": ex.lesson_path.read_text(encoding="utf-8"),
        "files": list(ex.files),
        "readonly": list(ex.readonly),
        "run": list(ex.run) if ex.run else None,
        "hint_count": len(ex.hints),
        "check_kinds": ex.check_kinds,
    }


def starter_files(ex: Exercise) -> dict[str, bytes]:
    """The starter contents of the learner's files and read-only files, by relative name."""
    return {rel: (ex.starter_dir / rel).read_bytes() for rel in [*ex.files, *ex.readonly]}


def load_catalog(path: Path | str | None = None, *, strict: bool = True) -> Catalog:
    """Load and validate every course under ``path`` (default: the built-in catalog).

    Args:
        path: a catalog folder (holding course folders), or a single course folder (holding a
            ``course.toml``).

        strict: raise on any problem (authoring, ``slate course check``). With False (a
            running classroom), broken exercises and courses are left out and listed in
            ``Catalog.problems``, so one bad exercise never hides every course from learners.

    Returns:
        The catalog, courses in programme order, exercises in folder order.

    Raises:
        CourseError: listing every problem found, each naming the file and field (when not
            strict: only if the folder itself is unusable).
    """
    root = Path(path).resolve() if path is not None else DEFAULT_CATALOG
    if not root.is_dir():
        raise CourseError([f"{root}: not a folder"])
    problems: list[str] = []
    if (root / "course.toml").is_file():
        course_dirs = [root]
    else:
        course_dirs = sorted(p for p in root.iterdir() if (p / "course.toml").is_file())
    courses = []
    for course_dir in course_dirs:
        course = _load_course(course_dir, problems)
        if course is not None:
            courses.append(course)
    if not courses and not problems:
        problems.append(f"{root}: no courses found (a course folder holds a course.toml)")
    _check_unique_courses(courses, problems)
    if problems and (strict or not courses):
        raise CourseError(problems)
    courses = [c for c in courses if c.exercises]
    courses.sort(key=lambda c: (c.stage, c.order))
    return Catalog(root=root, courses=courses, problems=problems)


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(f"{path}: missing")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: not valid TOML: {exc}")
    except OSError as exc:
        problems.append(f"{path}: cannot be read: {exc.strerror or exc}")
    return None


def _load_course(course_dir: Path, problems: list[str]) -> Course | None:
    toml_path = course_dir / "course.toml"
    data = _read_toml(toml_path, problems)
    if data is None:
        return None
    found = [f"{toml_path}: {p}" for p in check_fields(data, COURSE_FIELDS, COURSE_OPTIONAL)]
    if not found:
        if not _ID.fullmatch(data["id"]):
            found.append(f"{toml_path}: id: {data['id']!r} must be lowercase letters, digits, '-'")
        for name in ("title", "summary"):
            if not data[name].strip():
                found.append(f"{toml_path}: {name}: must not be empty")
        if data["stage"] not in (1, 2):
            found.append(f"{toml_path}: stage: must be 1 (foundations) or 2 (professional)")
        if data["order"] < 0:
            found.append(f"{toml_path}: order: must be 0 (the first-day course) or more")
        if "milestone" in data:
            bad = _milestone_problems(data["milestone"])
            found += [f"{toml_path}: milestone: {p}" for p in bad]
    problems.extend(found)
    if found:
        return None
    course = Course(
        id=data["id"],
        title=data["title"],
        stage=data["stage"],
        order=data["order"],
        summary=data["summary"],
        dir=course_dir,
        milestone=data["milestone"].strip() if "milestone" in data else None,
    )
    seen: dict[str, Path] = {}
    for sub in sorted(p for p in course_dir.iterdir() if p.is_dir()):
        if sub.name.startswith((".", "_")):
            continue
        match = _EXERCISE_DIR.fullmatch(sub.name)
        if not match:
            problems.append(
                f"{sub}: not an exercise folder name (expected NN-slug, e.g. 01-first-page)"
            )
            continue
        ex_id = match.group(2)
        if ex_id in seen:
            problems.append(f"{sub}: duplicate exercise id {ex_id!r} (also {seen[ex_id].name})")
            continue
        seen[ex_id] = sub
        ex = _load_exercise(course.id, ex_id, sub, problems)
        if ex is not None:
            course.exercises.append(ex)
    if not seen:
        problems.append(f"{course_dir}: course {course.id!r} has no exercises")
    return course


def _load_exercise(
    course_id: str, ex_id: str, ex_dir: Path, problems: list[str]
) -> Exercise | None:
    toml_path = ex_dir / "exercise.toml"
    data = _read_toml(toml_path, problems)
    if data is None:
        return None
    prefix = f"{toml_path}: "
    found = [prefix + p for p in check_fields(data, EXERCISE_REQUIRED, EXERCISE_OPTIONAL)]
    if found:
        problems.extend(found)
        return None
    found += [prefix + p for p in _exercise_value_problems(data, ex_dir)]
    if not ex_dir.joinpath("lesson.md").is_file():
        found.append(f"{ex_dir / 'lesson.md'}: missing")
    else:
        found += _lesson_problems(ex_dir / "lesson.md")
    if found:
        problems.extend(found)
        return None
    ex = Exercise(
        course_id=course_id,
        id=ex_id,
        title=data["title"],
        learn=data["learn"],
        dir=ex_dir,
        files=list(data["files"]),
        readonly=list(data.get("readonly", [])),
        run=list(data["run"]) if "run" in data else None,
        hints=list(data["hints"]),
        checks=[dict(c) for c in data["checks"]],
        limits=dict(data.get("limits", {})),
    )
    for i, check in enumerate(ex.checks, start=1):
        where = f"{prefix}checks[{i}]"
        kind_name = check.get("kind")
        if not isinstance(kind_name, str):
            problems.append(f'{where}.kind: missing (required; e.g. kind = "node-test")')
            continue
        try:
            kind = get_kind(kind_name)
        except KindError as exc:
            problems.append(f"{where}.kind: {exc}")
            continue
        try:
            kind_problems = kind.validate(check, ex)
        except Exception as exc:  # a kind's validator crashing is a bug, reported, not raised
            kind_problems = [f"the {kind_name} validator crashed: {exc!r}"]
        found += [f"{where}.{p}" for p in kind_problems]
    if found:
        problems.extend(found)
        return None
    return ex


def _exercise_value_problems(data: dict[str, Any], ex_dir: Path) -> list[str]:
    found = []
    for name in ("title", "learn"):
        if not data[name].strip():
            found.append(f"{name}: must not be empty")
    if not data["files"]:
        found.append("files: must list at least one file the learner edits")
    if not 2 <= len(data["hints"]) <= 3:
        count = len(data["hints"])
        found.append(f"hints: must have 2 or 3 hints (gentle to specific), not {count}")
    if any(not h.strip() for h in data["hints"]):
        found.append("hints: a hint is empty")
    if not data["checks"]:
        found.append("checks: must have at least one [[checks]] table")
    if "run" in data and not data["run"]:
        found.append("run: must not be empty (leave it out if the exercise has no Run)")
    readonly = data.get("readonly", [])
    for name, rels in (("files", data["files"]), ("readonly", readonly)):
        if len(set(rels)) != len(rels):
            found.append(f"{name}: lists a file twice")
        for rel in rels:
            bad = rel_path_problem(rel)
            if bad:
                found.append(f"{name}: {bad}")
                continue
            if not _regular_file(ex_dir / "starter" / rel):
                found.append(f"{name}: {rel!r} is listed but starter/{rel} does not exist")
            if name == "files" and not _regular_file(ex_dir / "solution" / rel):
                found.append(f"{name}: {rel!r} is listed but solution/{rel} does not exist")
    for rel in set(data["files"]) & set(readonly):
        found.append(f"readonly: {rel!r} is also in files (a file is either edited or read-only)")
    for key, value in data.get("limits", {}).items():
        if key not in LIMIT_FIELDS:
            found.append(f"limits.{key}: unknown limit (known: {', '.join(LIMIT_FIELDS)})")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            found.append(f"limits.{key}: must be a positive number")
    return found


def _milestone_problems(title: str) -> list[str]:
    """What is wrong with a milestone title (it is shown on one line to learners and staff)."""
    text = title.strip()
    if not text:
        return ["must not be empty (leave it out if this course closes no milestone)"]
    if len(text) > MILESTONE_MAX:
        return [f"must be at most {MILESTONE_MAX} characters, not {len(text)}"]
    if not is_safe(text):
        return ["must be one line of plain text (no control characters)"]
    return []


def _regular_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _lesson_problems(lesson: Path) -> list[str]:
    try:
        text = lesson.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [f"{lesson}: not UTF-8 text ({exc.reason} at byte {exc.start})"]
    headings = [line.strip().lower() for line in text.splitlines() if line.startswith("## ")]
    missing = [h for h in _LESSON_HEADINGS if h.lower() not in headings]
    return [f"{lesson}: missing the section heading {h!r}" for h in missing]


def _check_unique_courses(courses: list[Course], problems: list[str]) -> None:
    ids: dict[str, Path] = {}
    places: dict[tuple[int, int], Path] = {}
    milestones: dict[str, Path] = {}
    for course in courses:
        if course.milestone is not None:
            key = course.milestone.casefold()
            if key in milestones:
                problems.append(
                    f"{course.dir / 'course.toml'}: milestone: {course.milestone!r} is also the "
                    f"milestone of {milestones[key] / 'course.toml'} (each must be told apart)"
                )
            milestones.setdefault(key, course.dir)
        toml_path = course.dir / "course.toml"
        if course.id in ids:
            problems.append(
                f"{toml_path}: id: duplicate course id {course.id!r} "
                f"(also in {ids[course.id] / 'course.toml'})"
            )
        ids.setdefault(course.id, course.dir)
        place = (course.stage, course.order)
        if place in places:
            problems.append(
                f"{toml_path}: order: stage {place[0]} order {place[1]} is also used by "
                f"{places[place] / 'course.toml'}"
            )
        places.setdefault(place, course.dir)
