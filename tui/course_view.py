"""What the learner app shows, parsed from the server's replies (``course_map`` and ``exercise``).

Owns the reading of those replies: every field is checked and given a safe default here, once,
so screens never index raw JSON. Invariant kept: a reply that does not have the expected shape
raises :class:`ReplyProblem` with a plain message instead of crashing a screen, and every string
from the server passes through :func:`tui.safe_text.visible` before it reaches a widget.

Expected shapes (the server's ``course_map`` and ``exercise`` handlers produce them)::

    course_map -> {"stages": [{"stage": 1, "title": "Foundations",
                               "milestones": [{"id", "title", "done", "total", "state",
                                               "signed_by", "signed_at"}],
                               "courses": [{"id", "title", "summary",
                                            "exercises": [{"id", "title", "state",
                                                           "attempts", "hints_used"}]}]}],
                   "last": {"course", "exercise"} | null}
    exercise   -> {"exercise": {"course", "id", "title", "learn", "lesson", "files",
                                "readonly", "run": bool | [argv], "hints_total",
                                "next": {"course", "exercise"} | null},
                   "progress": {"state", "attempts", "hints_used", "hints": [revealed texts]}}

``state`` is ``"not_started"``, ``"in_progress"`` or ``"passed"``; a milestone's ``state`` is
``"not_reached"``, ``"ready"`` (for sign-off) or ``"signed"``; its ``id`` is the id of the course
that closes it (server/milestones.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from tui.safe_text import visible

STATES = ("not_started", "in_progress", "passed")
STATE_WORDS = {"not_started": "not started", "in_progress": "started", "passed": "done"}
STATE_MARKS = {"not_started": "[ ]", "in_progress": "[~]", "passed": "[x]"}

LANGUAGES = {
    ".html": "html",
    ".htm": "html",
    ".css": "css",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".json": "json",
    ".sql": "sql",
    ".py": "python",
    ".md": "markdown",
}


class ReplyProblem(ValueError):
    """A server reply without the expected shape (shown to the learner in plain words)."""


def language_for(name: str) -> str | None:
    """The tree-sitter language for a file name (by extension), or None for plain text."""
    return LANGUAGES.get(PurePosixPath(name).suffix.lower())


def _text(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    return visible(str(value)) if value is not None else default


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _state(data: dict[str, Any]) -> str:
    state = data.get("state")
    return state if state in STATES else "not_started"


def _ref(value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict) and value.get("course") and value.get("exercise"):
        return str(value["course"]), str(value["exercise"])
    return None


def _names(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ReplyProblem(f"The server sent a bad list of {what}.")
    for name in value:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts:
            raise ReplyProblem(f"The server sent a file name Slate cannot use: {visible(name)!r}")
    return list(value)


@dataclass
class ExerciseEntry:
    """One exercise line in the course map."""

    course: str
    id: str
    title: str
    state: str = "not_started"
    attempts: int = 0
    hints_used: int = 0

    def line(self) -> str:
        """The map line: a mark readable without colour, the title, and progress in words."""
        extra = [STATE_WORDS[self.state]]
        if self.hints_used:
            extra.append(f"{self.hints_used} hint{'s' if self.hints_used != 1 else ''} used")
        return f"{STATE_MARKS[self.state]} {self.title}  ({', '.join(extra)})"


@dataclass
class CourseEntry:
    """A course in the map."""

    id: str
    title: str
    summary: str
    exercises: list[ExerciseEntry] = field(default_factory=list)

    @property
    def done(self) -> int:
        """How many of its exercises are passed."""
        return sum(e.state == "passed" for e in self.exercises)


MILESTONE_STATES = ("not_reached", "ready", "signed")
MILESTONE_MARKS = {"not_reached": "[ ]", "ready": "[!]", "signed": "[*]"}


@dataclass
class MilestoneEntry:
    """A milestone an instructor signs off, closing a block of courses of a stage."""

    id: str
    title: str
    done: int = 0
    total: int = 0
    state: str = "not_reached"
    signed_by: str = ""
    signed_at: str = ""

    def line(self) -> str:
        """The map line: a mark readable without colour and the title."""
        return f"{MILESTONE_MARKS[self.state]} Milestone: {self.title}"

    def where(self) -> str:
        """Where the learner stands, in words (the map's second line)."""
        if self.state == "signed":
            when = f" on {self.signed_at[:10]}" if self.signed_at else ""
            return f"signed off by {self.signed_by or 'your instructor'}{when}"
        if self.state == "ready":
            return f"all {self.total} exercises done: ready for sign-off, ask your instructor"
        return f"not reached yet: {self.done} of {self.total} exercises done"


@dataclass
class Stage:
    """A stage of the programme (1 = foundations, 2 = professional practice)."""

    number: int
    title: str
    courses: list[CourseEntry] = field(default_factory=list)
    milestones: list[MilestoneEntry] = field(default_factory=list)

    @property
    def done(self) -> int:
        """How many exercises of the stage are passed."""
        return sum(c.done for c in self.courses)

    @property
    def total(self) -> int:
        """How many exercises the stage has."""
        return sum(len(c.exercises) for c in self.courses)

    def heading(self) -> str:
        """The stage line: number, title and completion (plain ASCII, no colour needed)."""
        title = f"Stage {self.number}" + (f": {self.title}" if self.title else "")
        return f"{title} - {self.done} of {self.total} done"

    def milestone_after(self, course_id: str) -> MilestoneEntry | None:
        """The milestone the course ``course_id`` closes, if any."""
        for milestone in self.milestones:
            if milestone.id == course_id:
                return milestone
        return None


@dataclass
class CourseMap:
    """The whole programme as the learner sees it."""

    stages: list[Stage]
    last: tuple[str, str] | None = None

    def exercises(self) -> list[ExerciseEntry]:
        """Every exercise in programme order."""
        return [e for s in self.stages for c in s.courses for e in c.exercises]

    def continue_target(self) -> ExerciseEntry | None:
        """Where "continue" goes: the last one opened unless passed, else the first not done."""
        everything = self.exercises()
        if self.last is not None:
            for entry in everything:
                if (entry.course, entry.id) == self.last and entry.state != "passed":
                    return entry
        for entry in everything:
            if entry.state != "passed":
                return entry
        return everything[-1] if everything else None


def parse_course_map(reply: dict[str, Any]) -> CourseMap:
    """Read a ``course_map`` reply.

    Raises:
        ReplyProblem: the reply does not have the documented shape.
    """
    stages_raw = reply.get("stages")
    if not isinstance(stages_raw, list):
        raise ReplyProblem("The server sent a course list Slate cannot read.")
    stages: list[Stage] = []
    for number, raw in enumerate(stages_raw, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("courses", []), list):
            raise ReplyProblem("The server sent a course list Slate cannot read.")
        num = raw.get("stage", raw.get("number", number))
        stage = Stage(num if isinstance(num, int) else number, _text(raw, "title"))
        for course_raw in raw.get("courses", []):
            if not isinstance(course_raw, dict) or not course_raw.get("id"):
                raise ReplyProblem("The server sent a course without a name.")
            course = CourseEntry(
                str(course_raw["id"]),
                _text(course_raw, "title", str(course_raw["id"])),
                _text(course_raw, "summary"),
            )
            for ex in course_raw.get("exercises", []) or []:
                if not isinstance(ex, dict) or not ex.get("id"):
                    raise ReplyProblem("The server sent an exercise without a name.")
                course.exercises.append(
                    ExerciseEntry(
                        course.id,
                        str(ex["id"]),
                        _text(ex, "title", str(ex["id"])),
                        _state(ex),
                        _int(ex, "attempts"),
                        _int(ex, "hints_used"),
                    )
                )
            stage.courses.append(course)
        stage.milestones = _milestones(raw.get("milestones"))
        stages.append(stage)
    return CourseMap(stages, _ref(reply.get("last")))


def _milestones(value: Any) -> list[MilestoneEntry]:
    """The stage's milestones; a malformed one is left out (it is a courtesy, not a lesson)."""
    found: list[MilestoneEntry] = []
    for raw in value if isinstance(value, list) else []:
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("title"):
            continue
        state = raw.get("state")
        found.append(
            MilestoneEntry(
                id=str(raw["id"]),
                title=_text(raw, "title"),
                done=_int(raw, "done"),
                total=_int(raw, "total"),
                state=state if state in MILESTONE_STATES else "not_reached",
                signed_by=_text(raw, "signed_by"),
                signed_at=_text(raw, "signed_at"),
            )
        )
    return found


@dataclass
class ExerciseDetail:
    """Everything the exercise screen needs about one exercise."""

    course: str
    id: str
    title: str
    learn: str
    lesson: str
    files: list[str]
    readonly: list[str] = field(default_factory=list)
    can_run: bool = False
    hints_total: int = 0
    hints: list[str] = field(default_factory=list)
    state: str = "not_started"
    attempts: int = 0
    next: tuple[str, str] | None = None

    @property
    def folder(self) -> str:
        """The exercise folder inside the workspace."""
        return f"{self.course}/{self.id}"

    def path_of(self, name: str) -> str:
        """The workspace-relative path of one of its files."""
        return f"{self.folder}/{name}"


def parse_exercise(reply: dict[str, Any]) -> ExerciseDetail:
    """Read an ``exercise`` reply.

    Raises:
        ReplyProblem: the reply does not have the documented shape.
    """
    ex = reply.get("exercise")
    progress = reply.get("progress") or {}
    if not isinstance(ex, dict) or not isinstance(progress, dict):
        raise ReplyProblem("The server sent an exercise Slate cannot read.")
    if not ex.get("course") or not ex.get("id"):
        raise ReplyProblem("The server sent an exercise without a name.")
    for key in ("course", "id"):
        value = str(ex[key])
        if "/" in value or value in (".", ".."):
            raise ReplyProblem(f"The server sent a bad exercise name: {visible(value)!r}")
    files = _names(ex.get("files"), "files")
    readonly = [n for n in _names(ex.get("readonly"), "read-only files") if n not in files]
    if not files and not readonly:
        raise ReplyProblem("This exercise has no files to show.")
    hints_raw = progress.get("hints") or []
    hints = [visible(str(h)) for h in hints_raw] if isinstance(hints_raw, list) else []
    total = _int(ex, "hints_total") or _int(ex, "hints")
    return ExerciseDetail(
        course=str(ex["course"]),
        id=str(ex["id"]),
        title=_text(ex, "title", str(ex["id"])),
        learn=_text(ex, "learn"),
        lesson=_text(ex, "lesson"),
        files=files,
        readonly=readonly,
        can_run=bool(ex.get("run")),
        hints_total=max(total, len(hints)),
        hints=hints,
        state=_state(progress),
        attempts=_int(progress, "attempts"),
        next=_ref(ex.get("next")),
    )
