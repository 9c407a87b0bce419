"""``slate course check`` and ``slate course try``: prove every exercise judges right.

Owns ``check_catalog`` (load the catalog, then run each exercise's checks against its
``solution/``, which must pass, its ``starter/``, which must fail, each ``alternatives/<name>/``,
which must pass, and each ``mistakes/<name>/``, which must fail with the test its ``case.toml``
names failing first, two runs at a time), ``main_check`` (the command's progress line, summary
table and exit status), ``internals`` (tool internals a learner must never read) and
``main_try`` (one exercise's checks on any folder, as the server runs them).

Invariant: the exit status is 0 only when the catalog loaded without a single problem, every
exercise's solution and alternatives passed, its starter and mistakes failed as their manifests
say, and no mistake's messages show tool internals (an ``error`` is never mistaken for a
failure).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from courses.catalog import Catalog, CourseError, load_catalog
from courses.checks import run_checks
from courses.fields import check_fields
from courses.model import CheckResult, Exercise

CONCURRENCY = 2
CASE_KINDS = ("alternatives", "mistakes")
MANIFEST = "case.toml"
_CASE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")

# Tool internals a learner must never read in a message (issue 12.5). Each is a pattern and the
# words the author reads when a mistake's message shows it.
INTERNALS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\(\s*'[^']*'\s*,\s*'[^']*'\s*,\s*\d"), "a SQLite pragma row"),
    (re.compile(r"\bpragma_\w+|\bPRAGMA\b"), "a SQLite pragma"),
    (re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d"), "a traceback"),
    (re.compile(r"\bnode:internal\b|\n\s+at \S+ \(|^\s*at \S+ \(", re.M), "a node stack frame"),
    (re.compile(r"\bERR_[A-Z_]{3,}\b"), "a node error code"),
    (re.compile(r"Listen method has been called more than once"), "a node error text"),
    (
        re.compile(
            r"^\s*(not )?ok \d+ - |^TAP version|^\s*---\s*$|^\s*\.\.\.\s*$|"
            r"\b(duration_ms|failureType|operator|stack):",
            re.M,
        ),
        "TAP/YAML",
    ),
    (re.compile(r"\bAssertionError\b|\bERR_ASSERTION\b"), "an assertion class name"),
    (
        re.compile(r"Expected values to be (strictly|loosely|deeply)|\+ actual - expected"),
        "node's assertion diff",
    ),
    (
        re.compile(r"\b(undefined|null) !== |!== (undefined|null)\b|\s!==\s|\s===\s"),
        "a strict-equality dump",
    ),
    (re.compile(r"\bCommand failed: "), "a command line"),
    (
        re.compile(r"Parse error near line|Runtime error near line|\bsqlite3\.\w+Error"),
        "a sqlite3 error line",
    ),
    (
        re.compile(r"\bERROR node\b|\bMISSING node\b|tree-sitter|html5lib|tinycss2|cssselect2"),
        "a parser's name",
    ),
    (re.compile(r"\\n|\\x[0-9a-f]{2}|\\u[0-9a-f]{4}"), "an escaped character"),
)


def internals(message: str) -> list[str]:
    """What in ``message`` is a tool's internals rather than words for a learner."""
    return [words for pattern, words in INTERNALS if pattern.search(message)]


@dataclass
class CaseReport:
    """One alternative (must pass) or mistake (must fail, first with ``fails``)."""

    kind: str  # "alternatives" | "mistakes"
    name: str
    folder: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    result: CheckResult | None = None
    load_problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``mistakes/unclosed-h1``."""
        return f"{self.kind}/{self.name}"

    @property
    def problems(self) -> list[str]:
        """What is wrong with this case's verdict, one line each."""
        found = list(self.load_problems)
        result = self.result
        if found or result is None:
            return found
        if self.kind == "alternatives":
            if result.status != "passed":
                found.append(f"{self.label} should pass but {result.status}: {result.summary}")
                bad = [t for t in result.tests if t.status != "passed"]
                found += [f"  - {t.name}: {_one_line(t.message)}" for t in bad[:3]]
            return found
        if result.status != "failed":
            found.append(f"{self.label} should fail but {result.status}: {result.summary}")
            return found
        first = next(t for t in result.tests if t.status == "failed")
        if first.name != self.manifest["fails"]:
            found.append(
                f"{self.label}: the first failing test is {first.name!r}, but case.toml says "
                f"{self.manifest['fails']!r} ({_one_line(first.message, 100)})"
            )
        want = self.manifest.get("message_contains")
        if want and want.casefold() not in first.message.casefold():
            found.append(
                f"{self.label}: the message should contain {want!r}: {_one_line(first.message)}"
            )
        for test in result.tests:
            shown = internals(test.message)
            if shown:
                found.append(
                    f"{self.label}: {test.name!r} shows {', '.join(shown)} to the learner: "
                    f"{_one_line(test.message, 100)}"
                )
        return found


@dataclass
class ExerciseReport:
    """The verdict on one exercise."""

    exercise: Exercise
    solution: CheckResult | None = None
    starter: CheckResult | None = None
    seconds: float = 0.0
    cases: list[CaseReport] = field(default_factory=list)
    min_cases: int = 0
    """At least this many alternatives and this many mistakes (``--min-cases``; 0: any)."""

    @property
    def problems(self) -> list[str]:
        """What is wrong, one line each (empty when the exercise is fine)."""
        found: list[str] = []
        for kind, words in (("alternatives", "ways to be right"), ("mistakes", "ways to be wrong")):
            have = sum(1 for c in self.cases if c.kind == kind)
            if have < self.min_cases:
                found.append(
                    f"only {have} {kind} ({words}); at least {self.min_cases} are asked for"
                )
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
        for case in self.cases:
            found += case.problems
        return found

    def counted(self, kind: str) -> str:
        """``3/3`` (cases of ``kind`` judged right / cases), or ``-`` when there are none."""
        mine = [c for c in self.cases if c.kind == kind]
        if not mine:
            return "-"
        good = sum(1 for c in mine if not c.problems)
        return f"{good}/{len(mine)}"

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


def find_cases(exercise: Exercise) -> list[CaseReport]:
    """The exercise's ``alternatives/*/`` and ``mistakes/*/`` folders, manifests read.

    Manifest (``case.toml``): ``about`` (what the answer does, in words; required for a
    mistake), ``fails`` (a mistake's first failing test name, required) and
    ``message_contains`` (text that test's message must contain, optional). An alternative's
    manifest is optional and may hold only ``about``.
    """
    cases: list[CaseReport] = []
    for kind in CASE_KINDS:
        root = exercise.dir / kind
        if not root.is_dir():
            continue
        for folder in sorted(p for p in root.iterdir()):
            case = CaseReport(kind=kind, name=folder.name, folder=folder)
            cases.append(case)
            if not folder.is_dir() or not _CASE_NAME.fullmatch(folder.name):
                case.load_problems.append(
                    f"{case.label}: expected a folder named with a-z, 0-9 and '-'"
                )
                continue
            case.load_problems += _read_manifest(case)
    return cases


def _read_manifest(case: CaseReport) -> list[str]:
    path = case.folder / MANIFEST
    if not path.is_file():
        if case.kind == "mistakes":
            return [f"{case.label}/{MANIFEST}: missing (a mistake names the test that fails)"]
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return [f"{case.label}/{MANIFEST}: not valid TOML ({exc})"]
    if case.kind == "mistakes":
        problems = check_fields(
            data, {"about": str, "fails": str}, {"message_contains": str}, where=""
        )
    else:
        problems = check_fields(data, {}, {"about": str}, where="")
    case.manifest = data
    return [f"{case.label}/{MANIFEST}: {p}" for p in problems]


def assemble_case(exercise: Exercise, case_folder: Path, into: Path) -> Path:
    """The files of a case: the solution's, then the case folder's on top (not its manifest).

    A case holds only the files that differ from the solution.
    """
    files = into / "files"
    shutil.copytree(exercise.solution_dir, files, symlinks=False)
    for item in sorted(case_folder.rglob("*")):
        rel = item.relative_to(case_folder)
        if rel.as_posix() == MANIFEST or item.is_symlink() or not item.is_file():
            continue
        target = files / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(item, target)
    return files


TIMED_OUT = ("took too long", "did not finish in time")
"""Words of a result that timed out (the wall limit; a call into the learner's code)."""


async def run_steady(exercise: Exercise, folder: Path, gate: asyncio.Semaphore) -> CheckResult:
    """``run_checks`` for the catalog check: a run in which something timed out is run once
    more (a busy machine slows every sandbox; an endless loop times out twice)."""
    async with gate:
        result = await run_checks(exercise, folder)
    if any(words in t.message for t in result.tests for words in TIMED_OUT):
        async with gate:
            result = await run_checks(exercise, folder)
    return result


async def run_case(exercise: Exercise, case: CaseReport, gate: asyncio.Semaphore) -> None:
    """Run the exercise's checks on one case (its result lands in ``case.result``)."""
    if case.load_problems:
        return
    with tempfile.TemporaryDirectory(prefix="slate-case-") as tmp:
        files = assemble_case(exercise, case.folder, Path(tmp))
        case.result = await run_steady(exercise, files, gate)


async def check_exercises(
    exercises: list[Exercise],
    *,
    concurrency: int = CONCURRENCY,
    progress: Callable[[ExerciseReport, int, int], None] | None = None,
    cases: bool = True,
    min_cases: int = 0,
) -> list[ExerciseReport]:
    """Run solution, starter, alternatives and mistakes checks for each exercise,
    ``concurrency`` runs at a time."""
    gate = asyncio.Semaphore(concurrency)
    reports = [ExerciseReport(ex, min_cases=min_cases if cases else 0) for ex in exercises]
    done = 0

    async def one(report: ExerciseReport) -> None:
        nonlocal done
        start = time.monotonic()

        async def run(folder: Path) -> CheckResult:
            return await run_steady(report.exercise, folder, gate)

        report.cases = find_cases(report.exercise) if cases else []
        report.solution, report.starter, *_ = await asyncio.gather(
            run(report.exercise.solution_dir),
            run(report.exercise.starter_dir),
            *(run_case(report.exercise, case, gate) for case in report.cases),
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
    cases: bool = True,
    min_cases: int = 0,
) -> CatalogReport:
    """Validate the catalog at ``path`` (default: the built-in one) and run every check.

    Args:
        path: a catalog folder, a course folder or an exercise folder.
        concurrency: how many check runs at once (2 suits a 2-core machine).
        progress: called after each exercise with (report, done, total).
        cases: also run each exercise's alternatives and mistakes.
        min_cases: an exercise with fewer alternatives or fewer mistakes than this is a
            problem (the built-in catalog is held to 3 of each).

    Returns:
        The report; ``report.ok`` says whether the command should succeed.
    """
    start = time.monotonic()
    try:
        _catalog, exercises = select(path)
    except CourseError as exc:
        return CatalogReport(load_problems=exc.problems, seconds=time.monotonic() - start)
    reports = asyncio.run(
        check_exercises(
            exercises, concurrency=concurrency, progress=progress, cases=cases,
            min_cases=min_cases,
        )
    )
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
    out.write(f"{'exercise':<30} {'kinds':<12} {'solution':<11} {'starter':<11} alt   mist\n")
    for r in report.exercises:
        kinds = ",".join(r.exercise.check_kinds)
        out.write(
            f"{r.exercise.key[:30]:<30} {kinds[:12]:<12} {_cell(r.solution, 'passed'):<11} "
            f"{_cell(r.starter, 'failed'):<11} {r.counted('alternatives'):<5} "
            f"{r.counted('mistakes')}\n"
        )
    bad = [r for r in report.exercises if not r.ok]
    for r in bad:
        out.write(f"\n{r.exercise.key} ({r.exercise.dir}):\n")
        for line in r.problems:
            out.write(f"  {line}\n")
    good = len(report.exercises) - len(bad)
    courses = len({r.exercise.course_id for r in report.exercises})
    alternatives = sum(1 for r in report.exercises for c in r.cases if c.kind == "alternatives")
    mistakes = sum(1 for r in report.exercises for c in r.cases if c.kind == "mistakes")
    out.write(
        f"\n{good} of {len(report.exercises)} exercises in {courses} courses are fine"
        f" ({alternatives} alternatives, {mistakes} mistakes; {report.seconds:.1f} s).\n"
    )


def main_check(path: Path | None = None, *, cases: bool = True, min_cases: int = 0) -> int:
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

    report = check_catalog(path, progress=progress, cases=cases, min_cases=min_cases)
    print_report(report, sys.stdout)
    if not report.exercises and not report.load_problems:
        sys.stdout.write("Nothing to check: no exercises found.\n")
        return 1
    return 0 if report.ok else 1


# ---------------------------------------------------------------------------------------------
# slate course try


def find_exercise(name: str, catalog_path: Path | None = None) -> Exercise:
    """The exercise ``name`` names: ``course/exercise`` (ids), or an exercise folder.

    Raises:
        CourseError: the catalog does not load.
        KeyError: no such exercise (the message lists how to name one).
    """
    as_path = Path(name)
    if (as_path / "exercise.toml").is_file():
        _catalog, chosen = select(as_path)
        if chosen:
            return chosen[0]
    catalog = load_catalog(catalog_path)
    course_id, _, ex_id = name.partition("/")
    if not ex_id:
        raise KeyError(f"{name!r}: name an exercise as COURSE/EXERCISE, e.g. html/first-page")
    return catalog.exercise(course_id, ex_id)


def try_folder(exercise: Exercise, folder: Path) -> CheckResult:
    """Run ``exercise``'s checks on ``folder`` as the server does for a learner's Check.

    The folder's regular files are copied first (links and special files are left out, as the
    server's safe copy does); the git kind reads the copy's repository.
    """

    async def go() -> CheckResult:
        with tempfile.TemporaryDirectory(prefix="slate-try-") as tmp:
            copy = Path(tmp) / "files"
            _copy_regular(folder, copy, include_git="git" in exercise.check_kinds)
            learner_dir = copy if "git" in exercise.check_kinds else None
            return await run_checks(exercise, copy, learner_dir=learner_dir)

    return asyncio.run(go())


def _copy_regular(src: Path, dest: Path, *, include_git: bool) -> None:
    dest.mkdir(parents=True)
    for item in sorted(src.rglob("*")):
        rel = item.relative_to(src)
        if not include_git and rel.parts[0] == ".git":
            continue
        if "node_modules" in rel.parts or item.is_symlink():
            continue
        if any(p.is_symlink() for p in (src / rel).parents if p != src and src in p.parents):
            continue
        target = dest / rel
        if item.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif item.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, target)


def print_result(result: CheckResult, out: TextIO) -> None:
    """A check result as a learner would read it, one test a line (plain text)."""
    out.write(f"{result.status.upper()}: {result.summary}\n")
    marks = {"passed": "ok  ", "failed": "FAIL", "error": "ERR "}
    for test in result.tests:
        out.write(f"  {marks.get(test.status, test.status)} {test.name}\n")
        if test.message:
            out.write(f"       {_one_line(test.message, 400)}\n")


def main_try(name: str, folder: Path, *, as_json: bool = False) -> int:
    """``slate course try EXERCISE FOLDER [--json]``.

    Returns:
        0 when the checks pass, 1 when they fail, 2 when they could not run or the exercise
        or folder is not found.
    """
    try:
        exercise = find_exercise(name)
    except CourseError as exc:
        sys.stderr.write("The catalog does not load:\n" + "\n".join(exc.problems) + "\n")
        return 2
    except KeyError as exc:
        sys.stderr.write(f"{exc.args[0]}\n")
        return 2
    if not folder.is_dir():
        sys.stderr.write(f"{folder}: not a folder\n")
        return 2
    result = try_folder(exercise, folder)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        print_result(result, sys.stdout)
    return {"passed": 0, "failed": 1}.get(result.status, 2)
