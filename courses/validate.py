"""``slate course check``: prove every exercise is solvable and not already solved.

Owns ``check_catalog`` (load the catalog, then run each exercise's checks against its
``solution/``, which must pass, and its ``starter/``, which must fail, two at a time) and
``main_check`` (the command's progress line, summary table and exit status).

Invariant: the exit status is 0 only when the catalog loaded without a single problem and every
exercise's solution passed and starter failed (an ``error`` is never mistaken for a failure).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from courses.catalog import Catalog, CourseError, load_catalog
from courses.checks import run_checks
from courses.model import CheckResult, Exercise

CONCURRENCY = 2


@dataclass
class ExerciseReport:
    """The verdict on one exercise."""

    exercise: Exercise
    solution: CheckResult | None = None
    starter: CheckResult | None = None
    seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        """What is wrong, one line each (empty when the exercise is fine)."""
        found: list[str] = []
        sol, start = self.solution, self.starter
        if sol is not None and sol.status != "passed":
            bad = [t for t in sol.tests if t.status != "passed"]
            found.append(f"solution {sol.status}: {sol.summary}")
            found += [f"  - {t.name}: {_one_line(t.message)}" for t in bad[:3]]
        if start is not None and start.status == "passed":
            found.append("starter passes already: the learner would have nothing to do")
        elif start is not None and start.status == "error":
            bad = [t for t in start.tests if t.status == "error"]
            found.append(f"starter check errored: {start.summary}")
            found += [f"  - {t.name}: {_one_line(t.message)}" for t in bad[:3]]
        return found

    @property
    def ok(self) -> bool:
        """The solution passed and the starter failed."""
        return self.solution is not None and self.starter is not None and not self.problems


@dataclass
class CatalogReport:
    """The verdict on a whole catalog (or the part of it that was asked for)."""

    load_problems: list[str] = field(default_factory=list)
    exercises: list[ExerciseReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Everything loaded and every exercise is fine."""
        return not self.load_problems and all(r.ok for r in self.exercises)


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def select(path: Path | None) -> tuple[Catalog, list[Exercise]]:
    """Load what ``path`` names: a catalog, one course folder, or one exercise folder.

    Raises:
        CourseError: the catalog (or the course holding the exercise) does not load.
    """
    if path is not None and (Path(path) / "exercise.toml").is_file():
        ex_dir = Path(path).resolve()
        catalog = load_catalog(ex_dir.parent)
        chosen = [ex for ex in catalog.exercises() if ex.dir.resolve() == ex_dir]
        return catalog, chosen
    catalog = load_catalog(path)
    return catalog, list(catalog.exercises())


async def check_exercises(
    exercises: list[Exercise],
    *,
    concurrency: int = CONCURRENCY,
    progress: Callable[[ExerciseReport, int, int], None] | None = None,
) -> list[ExerciseReport]:
    """Run solution and starter checks for each exercise, ``concurrency`` runs at a time."""
    gate = asyncio.Semaphore(concurrency)
    reports = [ExerciseReport(ex) for ex in exercises]
    done = 0

    async def one(report: ExerciseReport) -> None:
        nonlocal done
        start = time.monotonic()

        async def run(folder: Path) -> CheckResult:
            async with gate:
                return await run_checks(report.exercise, folder)

        report.solution, report.starter = await asyncio.gather(
            run(report.exercise.solution_dir), run(report.exercise.starter_dir)
        )
        report.seconds = time.monotonic() - start
        done += 1
        if progress is not None:
            progress(report, done, len(reports))

    await asyncio.gather(*(one(r) for r in reports))
    return reports


def check_catalog(
    path: Path | None = None,
    *,
    concurrency: int = CONCURRENCY,
    progress: Callable[[ExerciseReport, int, int], None] | None = None,
) -> CatalogReport:
    """Validate the catalog at ``path`` (default: the built-in one) and run every check.

    Args:
        path: a catalog folder, a course folder or an exercise folder.
        concurrency: how many check runs at once (2 suits a 2-core machine).
        progress: called after each exercise with (report, done, total).

    Returns:
        The report; ``report.ok`` says whether the command should succeed.
    """
    start = time.monotonic()
    try:
        _catalog, exercises = select(path)
    except CourseError as exc:
        return CatalogReport(load_problems=exc.problems, seconds=time.monotonic() - start)
    reports = asyncio.run(check_exercises(exercises, concurrency=concurrency, progress=progress))
    return CatalogReport(exercises=reports, seconds=time.monotonic() - start)


def _cell(result: CheckResult | None, want: str) -> str:
    if result is None:
        return "-"
    mark = "ok" if result.status == want else "BAD"
    return f"{result.status} {mark}"


def print_report(report: CatalogReport, out: TextIO) -> None:
    """The summary table and the list of problems (plain text, fits 80 columns)."""
    if report.load_problems:
        out.write(f"The catalog does not load ({len(report.load_problems)} problems):\n")
        for problem in report.load_problems:
            out.write(f"  {problem}\n")
        return
    out.write(f"{'exercise':<40} {'kinds':<14} {'solution':<11} {'starter':<11}\n")
    for r in report.exercises:
        kinds = ",".join(r.exercise.check_kinds)
        out.write(
            f"{r.exercise.key[:40]:<40} {kinds[:14]:<14} {_cell(r.solution, 'passed'):<11} "
            f"{_cell(r.starter, 'failed'):<11}\n"
        )
    bad = [r for r in report.exercises if not r.ok]
    for r in bad:
        out.write(f"\n{r.exercise.key} ({r.exercise.dir}):\n")
        for line in r.problems:
            out.write(f"  {line}\n")
    good = len(report.exercises) - len(bad)
    courses = len({r.exercise.course_id for r in report.exercises})
    out.write(
        f"\n{good} of {len(report.exercises)} exercises in {courses} courses are fine"
        f" ({report.seconds:.1f} s).\n"
    )


def main_check(path: Path | None = None) -> int:
    """``slate course check [PATH]``: progress on stderr, table on stdout, exit status.

    Returns:
        0 when everything is fine, 1 otherwise.
    """
    err = sys.stderr
    live = err.isatty()

    def progress(report: ExerciseReport, done: int, total: int) -> None:
        mark = "ok " if report.ok else "BAD"
        line = f"[{done:>3}/{total}] {mark} {report.exercise.key} ({report.seconds:.1f} s)"
        if live:
            filled = round(20 * done / total)
            bar = "#" * filled + "-" * (20 - filled)
            err.write("\r\x1b[K" + f"{bar} {line}"[:79])
            if done == total:
                err.write("\n")
        else:
            err.write(line + "\n")
        err.flush()

    report = check_catalog(path, progress=progress)
    print_report(report, sys.stdout)
    if not report.exercises and not report.load_problems:
        sys.stdout.write("Nothing to check: no exercises found.\n")
        return 1
    return 0 if report.ok else 1
