"""Check kind ``sql``: the learner's query, run with the sqlite3 CLI, against the solution's.

Owns how a SQL exercise is judged: a fixture database is built from the exercise's ``fixture``
SQL inside a fresh sandbox, the learner's file runs against it, and the result is compared with
the reference solution's result, computed the same way in a sandbox of its own. For
INSERT/UPDATE/DELETE exercises an ``after`` query, written by the course author, reads the table
back once the learner's statements have run, and that is what gets compared.

Invariants kept here:
- Learner SQL runs only inside ``ctx.run`` sandboxes, with ``sqlite3 -safe`` (no ``.shell``,
  ``.system``, ``ATTACH``, ``.read``, file output, extensions): it can touch nothing but a
  throwaway database in the sandbox's /tmp. A query that never ends meets the wall-clock, CPU
  or output limit and fails with a plain message.
- The solution file is read on the host from the catalog and bound read-only into *its own*
  sandbox (an empty work folder, no learner files); it never enters the learner's sandbox.
- The learner's output cannot pose as the harness's: stages are separated by a random marker
  the learner's SQL cannot know, and results are parsed from sqlite3's JSON mode.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from courses.model import CheckContext, Exercise, TestOutcome
from jail.safe_text import safe_text

KIND = "sql"

CHECK_FIELDS = ("kind", "name", "query", "fixture", "expected", "ordered", "after",
                "column_names", "message")
FIXTURE_AT = "/slate/fixture.sql"
SOLUTION_AT = "/slate/solution.sql"
DB = "/tmp/slate.db"
MAX_SHOWN_VALUE = 40

# Runs in the sandbox: $1 = marker, $2 = the SQL file to judge, $3 = the "after" query or "".
# Stage 1 builds the database from the fixture (no -safe: the author's file), stage 2 runs the
# file under check with -safe, stage 3 (optional) reads the table back with the author's query.
SCRIPT = r"""
m=$1; sql=$2; after=$3
if ! sqlite3 -batch -bail "$DB" < "$FIXTURE" > /dev/null 2> /tmp/fixture.err; then
  printf '%s fixture-failed\n' "$m"; head -c 2000 /tmp/fixture.err; exit 0
fi
printf '%s query\n' "$m"
sqlite3 -safe -batch -bail -json "$DB" < "$sql"
printf '\n%s query-exit %d\n' "$m" "$?"
if [ -n "$after" ]; then
  sqlite3 -safe -batch -bail -json "$DB" "$after" 2>&1
  printf '\n%s after-exit %d\n' "$m" "$?"
fi
"""


def validate(check: dict[str, Any], exercise: Exercise) -> list[str]:
    """Problems in a ``sql`` check table (empty when it is fine)."""
    problems = [
        f"unknown field {key!r} (allowed: {', '.join(CHECK_FIELDS)})"
        for key in sorted(set(check) - set(CHECK_FIELDS))
    ]
    query = check.get("query")
    if not isinstance(query, str) or query not in exercise.files:
        problems.append("query must name one of the exercise's files (the learner's SQL file)")
    elif not (exercise.solution_dir / query).is_file():
        problems.append(f"solution/{query} is missing (the reference answer)")
    fixture = check.get("fixture")
    if not isinstance(fixture, str) or not fixture.startswith("tests/"):
        problems.append("fixture must name a SQL file under tests/")
    elif not (exercise.dir / fixture).is_file():
        problems.append(f"fixture {fixture} does not exist")
    if check.get("expected", "solution") != "solution":
        problems.append('expected must be "solution" (the only way results are compared)')
    for key in ("ordered", "column_names"):
        if key in check and not isinstance(check[key], bool):
            problems.append(f"{key} must be true or false")
    if "message" in check and not (isinstance(check["message"], str) and check["message"]):
        problems.append("message must be non-empty text (advice shown when the rows are wrong)")
    after = check.get("after")
    if after is not None and not (isinstance(after, str) and after.strip()):
        problems.append("after must be a SQL query, e.g. \"SELECT * FROM items ORDER BY id\"")
    return problems


# ---- running ------------------------------------------------------------------------------


@dataclasses.dataclass
class Stage:
    """What one SQL file did in the sandbox."""

    ok: bool  # the harness ran to the end (no limit hit, fixture built)
    problem: str = ""  # why not, for the learner (or the author when ``broken``)
    broken: bool = False  # the course's side failed (fixture, solution, after query)
    query_exit: int = 0
    query_out: str = ""
    query_err: str = ""
    after_exit: int = 0
    after_out: str = ""
    cpu_time: float | None = None  # CPU seconds of the whole run, where the jail knows


LIMIT_WORDS = {
    "wall": "Your SQL took too long to finish. Is there a query that never ends, such as a "
    "WITH RECURSIVE without a stopping condition?",
    "cpu": "Your SQL used too much computer time. Is there a query that never ends, such as a "
    "WITH RECURSIVE without a stopping condition?",
    "output": "Your query printed far too many rows. Check your WHERE condition, or add a "
    "LIMIT.",
    "memory": "Your SQL used too much memory. Check for a join without an ON condition.",
    "disk": "Your SQL made the database far too big.",
    "pids": "Your SQL started too many programs.",
    "killed": "Your SQL was stopped: it used too much computer time or memory. Is there a "
    "query that never ends (a WITH RECURSIVE without a stop), or a join without ON?",
}

# Signals that end sqlite3 when it meets a limit: SIGXCPU (cpu), SIGXFSZ (file size), SIGKILL.
SIGNAL_LIMITS = {24: "cpu", 25: "disk", 9: "killed"}


async def _run_stage(ctx: CheckContext, sql_host: Path | None, sql_in_sandbox: str,
                     fixture_host: Path, after: str) -> Stage:
    marker = "@@slate-" + secrets.token_hex(12)
    ro = {str(fixture_host): FIXTURE_AT}
    if sql_host is not None:
        ro[str(sql_host)] = SOLUTION_AT
    script = SCRIPT.replace("$DB", DB).replace("$FIXTURE", FIXTURE_AT)
    result = await ctx.run(["sh", "-c", script, "sh", marker, sql_in_sandbox, after],
                           ro_files=ro)
    stdout = _text(result.stdout)
    stderr = _text(result.stderr)
    if result.limit:
        return Stage(False, LIMIT_WORDS.get(result.limit, f"Your SQL hit the {result.limit} "
                                            "limit."))
    lines = stdout.split("\n")
    marks = [(i, line[len(marker) + 1:]) for i, line in enumerate(lines)
             if line.startswith(marker + " ")]
    if marks and marks[0][1] == "fixture-failed":
        return Stage(False, "The exercise's database could not be built: "
                     + "\n".join(lines[marks[0][0] + 1:])[:300], broken=True)
    found = dict((word.split(" ")[0], (i, word)) for i, word in marks)
    if "query" not in found or "query-exit" not in found:
        return Stage(False, "The SQL check stopped unexpectedly. Please tell your instructor.",
                     broken=True)
    start, end = found["query"][0], found["query-exit"][0]
    stage = Stage(True, query_out="\n".join(lines[start + 1:end]), query_err=stderr,
                  query_exit=_code(found["query-exit"][1]),
                  cpu_time=getattr(result, "cpu_time", None))
    if after:
        if "after-exit" not in found:
            return Stage(False, "The SQL check stopped unexpectedly. Please tell your "
                         "instructor.", broken=True)
        stage.after_out = "\n".join(lines[end + 1:found["after-exit"][0]])
        stage.after_exit = _code(found["after-exit"][1])
    return stage


def _text(data: bytes | str) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)


def _code(word: str) -> int:
    try:
        return int(word.split(" ")[1])
    except (IndexError, ValueError):
        return -1


# ---- results --------------------------------------------------------------------------------


@dataclasses.dataclass
class Table:
    """One result set: column names and rows of plain values."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


class ParseError(ValueError):
    """sqlite3's output was not the JSON it should be."""


def parse_results(text: str) -> list[Table]:
    """Parse sqlite3 ``-json`` output: one JSON array per statement that returned rows.

    Duplicate column names are kept (``SELECT a.id, b.id``), in order.

    Raises:
        ParseError: on anything that is not a sequence of JSON arrays of objects.
    """
    decoder = json.JSONDecoder(object_pairs_hook=lambda pairs: pairs)
    tables: list[Table] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return tables
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ParseError(str(exc)) from exc
        if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
            raise ParseError("not a result set")
        columns = [k for k, _ in value[0]] if value else []
        rows = [tuple(_norm(v) for _, v in row) for row in value]
        tables.append(Table(columns, rows))


def _norm(value: Any) -> Any:
    """Compare numbers by value (3 == 3.0) and floats to 6 decimal places."""
    if isinstance(value, float):
        rounded = round(value, 6)
        return int(rounded) if rounded.is_integer() else rounded
    return value


def _show_value(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        text = value if len(value) <= MAX_SHOWN_VALUE else value[: MAX_SHOWN_VALUE - 1] + "…"
        return "'" + safe_text(text) + "'"
    return str(value)


def _show_row(row: tuple[Any, ...], columns: list[str] | None = None) -> str:
    """A row in words: ``name 'Bread', price 1.2`` (each value after its column's name), or
    the values alone, between bars, when the names are not known."""
    shown = [_show_value(v) for v in row]
    if columns and len(columns) == len(row):
        return ", ".join(f"{safe_text(str(c), limit=40)} {v}" for c, v in zip(columns, shown,
                                                                             strict=True))
    return " | ".join(shown)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def explain_sql_error(stderr: str) -> str:
    """Turn sqlite3's error text into a sentence for a beginner (keeps the line number)."""
    text = stderr.strip().splitlines()[0] if stderr.strip() else ""
    line = ""
    m = re.search(r"(?:Parse|Runtime) error near line (\d+):\s*(.*)", text)
    if m:
        line, text = m.group(1), m.group(2)
    else:
        m = re.search(r"Error: (?:near|in prepare,)?\s*line (\d+):\s*(.*)", text)
        if m:
            line, text = m.group(1), m.group(2)
    where = f"Line {line}: " if line else ""
    rules = [
        (r"no such column: (\S+)", "there is no column called {0}. Check the spelling against "
         "the table's columns."),
        (r"no such table: (\S+)", "there is no table called {0}. Check the spelling of the "
         "table name after FROM (or JOIN, INTO, UPDATE)."),
        (r'near "(.*?)": syntax error', "SQLite did not understand the SQL near \"{0}\". "
         "Check the spelling of keywords, the commas between columns, and quotes around text."),
        (r"table (\S+) has (\d+) columns but (\d+) values were supplied", "the table {0} has "
         "{1} columns but you gave {2} values. Name the columns you fill in: INSERT INTO {0} "
         "(name, ...) VALUES (...)."),
        (r'unrecognized token: "(.{0,20})', "SQLite met something it does not know at "
         "\"{0}\". Is a quote ' missing its partner?"),
        (r"incomplete input", "the SQL stops in the middle. Is a closing bracket, quote or "
         "semicolon missing?"),
        (r"UNIQUE constraint failed: (\S+)", "the value in {0} is already used by another row, "
         "and this column must be unique."),
        (r"NOT NULL constraint failed: (\S+)", "{0} needs a value: it cannot be left empty."),
        (r"FOREIGN KEY constraint failed", "a row points to another row that does not exist "
         "(a foreign key)."),
        (r"CHECK constraint failed: (.*)", "a value breaks the rule {0}."),
        (r"(\d+) values for (\d+) columns", "you gave {0} values for {1} columns: each column "
         "named needs exactly one value."),
        (r"(?:index|table|view|trigger) (\S+) already exists", "that name, {0}, is already "
         "used. Give each table and index a name of its own."),
        (r"ambiguous column name: (\S+)", "{0} is a column in more than one table. Say which "
         "one you mean, like table.{0}."),
        (r"misuse of aggregate", "COUNT, AVG, SUM and friends cannot go straight in WHERE. "
         "For a condition on each group's total, use HAVING after GROUP BY; to compare each "
         "row with a total, work the total out in brackets: WHERE price > (SELECT AVG(price) "
         "FROM ...)."),
        (r"cannot run (\.\w+) in safe mode|not authorized", "that command is not allowed in "
         "exercises. Use plain SQL statements only."),
    ]
    for pattern, words in rules:
        hit = re.search(pattern, text)
        if hit:
            sentence = words.format(*hit.groups())
            return (where + sentence) if where else sentence[0].upper() + sentence[1:]
    shown = safe_text(text, limit=200) or "an error"
    return f"{where}SQLite reported: {shown}. Read your SQL carefully near that line."


def compare(got: Table, want: Table, *, ordered: bool, column_names: bool
            ) -> list[tuple[str, bool, str]]:
    """(test name, passed, message) for the columns, the rows, and the order if it matters."""
    results: list[tuple[str, bool, str]] = []
    # Columns: only comparable when both sides printed at least one row.
    cols_ok, cols_msg = True, ""
    if got.rows and want.rows:
        if len(got.columns) != len(want.columns):
            cols_ok = False
            cols_msg = (f"Your result has {_plural(len(got.columns), 'column')} "
                        f"({', '.join(got.columns)}); {len(want.columns)} were expected. Check "
                        "the list of columns after SELECT.")
        elif column_names and [c.lower() for c in got.columns] != [
                c.lower() for c in want.columns]:
            cols_ok = False
            cols_msg = (f"Your columns are called ({', '.join(got.columns)}); expected "
                        f"({', '.join(want.columns)}). Check the names after SELECT, and any "
                        "AS you need.")
    results.append(("The result has the right columns", cols_ok, cols_msg))
    # Rows, as multisets.
    rows_ok, rows_msg = True, ""
    if len(got.rows) != len(want.rows):
        rows_ok = False
        rows_msg = (f"Your query returned {_plural(len(got.rows), 'row')}; "
                    f"{len(want.rows)} {'was' if len(want.rows) == 1 else 'were'} expected. "
                    + ("Check your WHERE condition." if len(got.rows) > len(want.rows)
                       else "Check your WHERE condition: is it too strict?"))
    elif cols_ok and Counter(got.rows) != Counter(want.rows):
        rows_ok = False
        extra = list((Counter(got.rows) - Counter(want.rows)).elements())
        missing = list((Counter(want.rows) - Counter(got.rows)).elements())
        rows_msg = (f"You have the right number of rows, but one is not expected ("
                    f"{_show_row(extra[0], want.columns)}) and one is missing ("
                    f"{_show_row(missing[0], want.columns)}). Check which rows and values you "
                    "select.")
    elif not cols_ok:
        rows_ok = False
        rows_msg = "Fix the columns first."
    results.append(("The result has the right rows", rows_ok, rows_msg))
    if ordered:
        if rows_ok and got.rows != want.rows:
            first = next(i for i, (a, b) in enumerate(zip(got.rows, want.rows, strict=True))
                         if a != b)
            results.append(("The rows are in the right order", False,
                            f"The rows are right but in the wrong order: row {first + 1} "
                            f"should be {_show_row(want.rows[first], want.columns)}. Check "
                            "your ORDER BY "
                            "(ASC is smallest first, DESC is largest first)."))
        else:
            results.append(("The rows are in the right order", rows_ok,
                            "" if rows_ok else "Get the right rows first."))
    return results


def _without_comments(sql: str) -> str:
    """The SQL with ``-- line`` and ``/* block */`` comments removed (quotes respected)."""
    return re.sub(r"('(?:[^']|'')*')|--[^\n]*|/\*.*?(\*/|$)",
                  lambda m: m.group(1) or " ", sql, flags=re.DOTALL)


def _single(text: str, what: str) -> tuple[Table | None, str]:
    try:
        tables = parse_results(text)
    except ParseError:
        return None, f"The {what} printed something that is not a table of results."
    if len(tables) > 1:
        return None, (f"Your file has {len(tables)} queries that print results; keep just "
                      "the one the task asks for.")
    return (tables[0] if tables else Table([], [])), ""


async def run(check: dict[str, Any], ctx: CheckContext) -> list[TestOutcome]:
    """Judge the learner's SQL file against the solution's, on fresh fixture databases."""
    exercise = ctx.exercise
    query = str(check["query"])
    fixture = exercise.dir / str(check["fixture"])
    solution = exercise.solution_dir / query
    after = str(check.get("after") or "")
    ordered = bool(check.get("ordered", False))
    column_names = bool(check.get("column_names", True))
    advice = str(check.get("message") or "")
    runs = "Your SQL runs without errors"

    # The solution first, in a sandbox of its own with an empty work folder.
    with tempfile.TemporaryDirectory(prefix="slate-sql-") as empty:
        os.chmod(empty, 0o755)  # the sandbox may run as the learner's uid: /work must open
        solo = dataclasses.replace(ctx, work_dir=Path(empty), learner_dir=None)
        want_stage = await _run_stage(solo, solution, SOLUTION_AT, fixture, after)
    want_text = want_stage.after_out if after else want_stage.query_out
    want_exit = want_stage.after_exit if after else want_stage.query_exit
    want, problem = _single(want_text, "solution")
    if not want_stage.ok or want_exit != 0 or want is None:
        detail = want_stage.problem or problem or want_stage.query_err[:200]
        return [TestOutcome(runs, "error", "The exercise's reference answer could not be run. "
                            "Please tell your instructor.", output=detail)]

    learner_file = ctx.work_dir / query
    if not learner_file.is_file() or not _without_comments(learner_file.read_text(
            encoding="utf-8", errors="replace")).strip():
        return [TestOutcome(runs, "failed", f"{query} is empty. Write your SQL there, end it "
                            "with a semicolon ;, save, then check again.")]
    stage = await _run_stage(ctx, None, f"/work/{query}", fixture, after)
    if not stage.ok:
        status = "error" if stage.broken else "failed"
        return [TestOutcome(runs, status, stage.problem)]
    if stage.query_exit > 128:  # sqlite3 killed by a signal; the shell around it lived on
        limit = SIGNAL_LIMITS.get(stage.query_exit - 128, "killed")
        if limit == "killed" and stage.cpu_time is not None and (
                stage.cpu_time >= 0.9 * float(getattr(ctx.limits, "cpu", 0) or 0)):
            limit = "cpu"
        return [TestOutcome(runs, "failed", LIMIT_WORDS[limit])]
    if stage.query_exit != 0:
        return [TestOutcome(runs, "failed", explain_sql_error(stage.query_err),
                            output=stage.query_err)]
    if after:
        if stage.after_exit != 0:
            return [TestOutcome(runs, "passed"),
                    TestOutcome("The table is right afterwards", "failed",
                                "After your SQL ran, the check could not use the table: "
                                + explain_sql_error(stage.after_out)
                                + " Did your SQL drop, rename or leave out something?",
                                output=stage.after_out[:500])]
        got, problem = _single(stage.after_out, "check")
    else:
        got, problem = _single(stage.query_out, "query")
    if got is None:
        return [TestOutcome(runs, "failed", problem)]
    outcomes = [TestOutcome(runs, "passed")]
    for name, ok, message in compare(got, want, ordered=ordered, column_names=column_names):
        if after:
            name = name.replace("The result", "The table afterwards").replace(
                "The rows", "The table's rows")
            message = message.replace("Your query returned", "Afterwards the table has")
            if message.startswith("Afterwards") and "WHERE" in message:
                message = message.split(". ")[0] + (". Check your statement and its WHERE "
                                                    "condition.")
        if not ok and advice and "rows" in name and "order" not in name and (
                message != "Fix the columns first."):
            # Keep the facts ("returned 5 rows; 3 were expected."), swap the generic advice.
            message = (message.rsplit(" Check ", 1)[0] + " " + advice) if message else advice
        elif after:
            message = message.replace("Check which rows and values you select.",
                                      "Check the values and the WHERE of each statement.")
        outcomes.append(TestOutcome(name, "passed" if ok else "failed", message))
    return outcomes
