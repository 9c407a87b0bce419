"""The course engine's data model and the check-kind interface (pinned: others build against it).

Owns the shapes every piece agrees on: an ``Exercise`` as loaded from ``exercise.toml``, the
``CheckContext`` a check kind runs in, and the ``CheckResult`` / ``TestOutcome`` schema the server
records and the TUI renders (docs/CONTRACTS.md, "Result schema").

Invariants kept here:
- A ``TestOutcome.message`` is at most ``MESSAGE_LIMIT`` characters and ``output`` at most
  ``OUTPUT_LIMIT``: whatever a kind or a learner's program produces is capped on construction.
- ``CheckContext.run`` is the only way a kind executes anything, and it always goes through
  ``jail.run`` (a fresh sandbox with limits): learner code never runs on the host (invariant 2).
  Course test assets are bound read-only; solutions are never bound at all.

Each check kind is a module ``courses/kinds/<name>.py`` with::

    KIND = "sql"
    def validate(check: dict, exercise: Exercise) -> list[str]      # problems in the manifest
    async def run(check: dict, ctx: CheckContext) -> list[TestOutcome]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jail.run is imported lazily: loading a catalog must not need a sandbox.
    from jail.run import Limits, RunResult

MESSAGE_LIMIT = 500
OUTPUT_LIMIT = 4000
STATUSES = ("passed", "failed", "error")

# The Limits fields an exercise may override (docs/CONTRACTS.md, jail/run.py ``Limits``).
LIMIT_FIELDS = ("wall", "cpu", "memory", "pids", "fsize", "tmp", "output", "nofile")

# Where the copy of the learner's files lives inside a check sandbox.
SANDBOX_WORK = "/work"


def clip(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, marking the cut with an ellipsis.

    Args:
        text: any text (learner output included).
        limit: the maximum length of the result, at least 1.

    Returns:
        ``text`` unchanged if short enough, else its start plus "…".
    """
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"


@dataclass
class TestOutcome:
    """One test inside a check, as a beginner will read it.

    Attributes:
        name: what was tested, in plain words ("greet('Sam') says hello").
        status: "passed", "failed" or "error" (the check itself broke, not the learner's code).
        message: at most 500 characters for an adult beginner; names the line when it can.
        output: captured program output (capped).
    """

    __test__ = False  # not a pytest test class, despite the name

    name: str
    status: str
    message: str = ""
    output: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"TestOutcome.status must be one of {STATUSES}, not {self.status!r}")
        self.name = clip(self.name, 200)
        self.message = clip(self.message, MESSAGE_LIMIT)
        self.output = clip(self.output, OUTPUT_LIMIT)

    def to_dict(self) -> dict[str, str]:
        """The result-schema dict for this test."""
        return {
            "name": self.name,
            "status": self.status,
            "message": self.message,
            "output": self.output,
        }


@dataclass
class CheckResult:
    """The outcome of all checks of one exercise.

    Attributes:
        status: "passed" when every test passed, "error" when a check could not be run,
            otherwise "failed".
        summary: one line for the learner ("3 of 4 tests passed").
        tests: every test, in check order.
    """

    status: str
    summary: str
    tests: list[TestOutcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"CheckResult.status must be one of {STATUSES}, not {self.status!r}")

    @property
    def passed(self) -> bool:
        """True when the exercise is done."""
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        """The result schema of docs/CONTRACTS.md (JSON-serialisable)."""
        return {
            "status": self.status,
            "summary": self.summary,
            "tests": [t.to_dict() for t in self.tests],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        """Rebuild a result from ``to_dict`` output (e.g. read back from the store).

        Raises:
            ValueError: when ``data`` does not follow the schema.
        """
        try:
            tests = [
                TestOutcome(
                    name=str(t["name"]),
                    status=str(t["status"]),
                    message=str(t.get("message", "")),
                    output=str(t.get("output", "")),
                )
                for t in data.get("tests", [])
            ]
            return cls(status=str(data["status"]), summary=str(data["summary"]), tests=tests)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a check result: {exc}") from exc

    @classmethod
    def from_tests(cls, tests: list[TestOutcome]) -> CheckResult:
        """Summarise a list of outcomes: any error → "error", any failure → "failed".

        An empty list is an error: a check that tested nothing must never count as a pass.
        """
        if not tests:
            return cls("error", "The checks found nothing to test. Please tell your instructor.")
        passed = sum(t.status == "passed" for t in tests)
        if any(t.status == "error" for t in tests):
            status = "error"
        elif passed == len(tests):
            status = "passed"
        else:
            status = "failed"
        if status == "passed":
            summary = (
                f"All {len(tests)} tests passed. Well done!"
                if len(tests) > 1
                else ("The test passed. Well done!")
            )
        else:
            summary = f"{passed} of {len(tests)} tests passed."
        return cls(status, summary, list(tests))


@dataclass
class Exercise:
    """One exercise folder: its ``exercise.toml`` plus where its parts live.

    Attributes:
        course_id: the id of the course it belongs to.
        id: the exercise id (the folder name without its ``NN-`` prefix).
        title: shown in the course map.
        learn: one sentence: what the learner will learn.
        dir: the exercise folder.
        files: the files the learner edits (copied from ``starter/``).
        readonly: files shown read-only (from ``starter/``).
        run: argv for the Run key (cwd = the exercise dir), or None.
        hints: from gentle to specific.
        checks: the ``[[checks]]`` tables, each with a ``kind``.
        limits: overrides for ``jail.run.Limits`` fields.
    """

    course_id: str
    id: str
    title: str
    learn: str
    dir: Path
    files: list[str]
    readonly: list[str] = field(default_factory=list)
    run: list[str] | None = None
    hints: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    limits: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``course/exercise``: unique in a catalog, also the workspace sub-path."""
        return f"{self.course_id}/{self.id}"

    @property
    def lesson_path(self) -> Path:
        """The lesson (markdown)."""
        return self.dir / "lesson.md"

    @property
    def starter_dir(self) -> Path:
        """What the learner starts with."""
        return self.dir / "starter"

    @property
    def solution_dir(self) -> Path:
        """The reference solution: never shown to the learner, never in their sandbox."""
        return self.dir / "solution"

    @property
    def tests_dir(self) -> Path:
        """Check assets: bound read-only into check sandboxes only."""
        return self.dir / "tests"

    @property
    def check_kinds(self) -> list[str]:
        """The kinds of this exercise's checks, in order, without repeats."""
        return list(dict.fromkeys(str(c.get("kind", "")) for c in self.checks))

    @property
    def is_git(self) -> bool:
        """A git exercise: its folder holds the learner's own repository (started from a
        scripted one), which provisioning, copying for a check and validation must carry."""
        return "git" in self.check_kinds

    def make_limits(self, base: Limits | None = None) -> Limits:
        """``jail.run.Limits`` for this exercise's checks: ``base`` (or the defaults) + overrides.

        Raises:
            ValueError: when an override names no Limits field.
        """
        from jail.run import Limits

        base = base if base is not None else Limits()
        known = {f.name for f in dataclasses.fields(base)}
        unknown = sorted(set(self.limits) - known)
        if unknown:
            raise ValueError(f"{self.key}: unknown limits {unknown}; known: {sorted(known)}")
        return dataclasses.replace(base, **self.limits)


# A clean, predictable environment inside check sandboxes (nothing inherited from the server).
SANDBOX_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "NODE_DISABLE_COLORS": "1",
    "NO_COLOR": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONIOENCODING": "utf-8",
}


@dataclass
class CheckContext:
    """What a check kind gets to do its work.

    Attributes:
        exercise: the exercise being checked.
        work_dir: a fresh host temp dir holding a copy of the learner's exercise files.
        learner_dir: the learner's real exercise folder (the git kind reads it with pygit2);
            None when checking a starter/solution folder that is not a workspace.
        limits: ``jail.run.Limits`` for every sandbox this check starts.
        host_uid: the host uid sandboxes run as (None: the server's own, demo mode).
    """

    exercise: Exercise
    work_dir: Path
    learner_dir: Path | None
    limits: Limits
    host_uid: int | None = None
    stop: Any = None
    """An ``asyncio.Event``: the learner pressed Stop, so every sandbox of the check ends."""

    async def run(
        self,
        argv: list[str],
        *,
        ro_files: dict[str, str] | None = None,
        cwd: str = SANDBOX_WORK,
        stdin: bytes | None = None,
        env: dict[str, str] | None = None,
        pass_fds: tuple[int, ...] = (),
        as_learner: bool = True,
        work: Path | None = None,
        work_writable: bool = True,
        stop: Any = None,
    ) -> RunResult:
        """Run ``argv`` in a fresh sandbox through ``jail.run``.

        ``work_dir`` is copied into a sized tmpfs at ``/work`` (the Check profile,
        ``jail.profiles.check_run``: what the program writes never reaches a host disk);
        each ``ro_files[host_path] ->
        sandbox_path`` is bound read-only (e.g. a course test file placed beside the learner's
        files at ``/work/greet.test.js``); limits come from ``self.limits``.

        Args:
            argv: the command inside the sandbox.
            ro_files: host path -> absolute sandbox path, bound read-only.
            cwd: working directory inside the sandbox.
            stdin: bytes fed to the program's standard input.
            env: extra environment variables.
            pass_fds: open fds inherited at the same numbers (``jail.run`` closes them once
                the sandbox has started), e.g. the pipes between a check's two sandboxes.
            as_learner: False runs under the jail's unprivileged uid that is *not* the
                learner's (a check's trusted half: course tests, a reference).
            work: the folder bound at ``/work`` instead of ``work_dir``.
            work_writable: False binds ``/work`` read-only.
            stop: an ``asyncio.Event``; setting it ends the run.

        Returns:
            The ``jail.run.RunResult`` (exit code, limit hit, capped stdout/stderr).

        Raises:
            ValueError: when a read-only destination is not an absolute sandbox path.
        """
        from jail import profiles
        from jail import run as jail_run

        # The Check profile: /work is a sized tmpfs copy of the work dir (never a host disk).
        spec = profiles.check_run(
            list(argv),
            work_dir=work or self.work_dir,
            work_writable=work_writable,
            limits=self.limits,
            host_uid=self.host_uid if as_learner else None,
            ro_files=ro_files,
            cwd=cwd,
            env={**SANDBOX_ENV, **(env or {})},
            stdin=stdin,
            pass_fds=tuple(pass_fds),
        )
        return await jail_run.run_async(spec, stop=stop if stop is not None else self.stop)
