"""Check kind ``sql`` (courses/kinds/sql.py) in real sandboxes with the real sqlite3 CLI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from courses.kinds import sql as sql_kind
from courses.model import CheckContext, Exercise

pytestmark = pytest.mark.skipif(
    shutil.which("sqlite3") is None or shutil.which("bwrap") is None,
    reason="needs sqlite3 and bubblewrap",
)

FIXTURE = """
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, stock INTEGER);
INSERT INTO items VALUES (1, 'Tea', 2.5, 10), (2, 'Coffee', 4.0, 0), (3, 'Bread', 1.2, 5),
  (4, 'Milk', 0.9, 20), (5, 'Jam', 3.1, NULL);
"""


def _exercise(tmp_path: Path, solution: str, **check: Any) -> tuple[Exercise, dict[str, Any]]:
    ex_dir = tmp_path / "exercise"
    for sub in ("starter", "solution", "tests"):
        (ex_dir / sub).mkdir(parents=True, exist_ok=True)
    (ex_dir / "tests" / "shop.sql").write_text(FIXTURE)
    (ex_dir / "solution" / "query.sql").write_text(solution)
    (ex_dir / "starter" / "query.sql").write_text("-- write your query here\n")
    table = {"kind": "sql", "query": "query.sql", "fixture": "tests/shop.sql", **check}
    exercise = Exercise(course_id="sql", id="demo", title="Demo", learn="SQL", dir=ex_dir,
                        files=["query.sql"], hints=["a", "b"], checks=[table])
    return exercise, table


async def _check(tmp_path: Path, exercise: Exercise, table: dict[str, Any], learner: str,
                 **limits: Any) -> list[tuple[str, str, str]]:
    from jail.run import Limits

    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / "query.sql").write_text(learner)
    ctx = CheckContext(exercise=exercise, work_dir=work, learner_dir=None,
                       limits=Limits(**limits))
    return [(t.name, t.status, t.message) for t in await sql_kind.run(table, ctx)]


def _statuses(results: list[tuple[str, str, str]]) -> list[str]:
    return [s for _, s, _ in results]


CHEAP = "SELECT name, price FROM items WHERE price < 3;"


async def test_a_correct_query_passes_in_any_order(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, CHEAP)
    assert sql_kind.validate(table, exercise) == []
    results = await _check(tmp_path, exercise, table,
                           "select NAME, Price from items\nwhere price < 3 order by name desc;")
    assert _statuses(results) == ["passed"] * 3, results


async def test_wrong_rows_columns_and_order_say_what_to_look_at(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, CHEAP)
    too_many = await _check(tmp_path, exercise, table, "SELECT name, price FROM items;")
    assert too_many[2][1:] == (
        "failed", "Your query returned 5 rows; 3 were expected. Check your WHERE condition.")
    too_few = await _check(tmp_path, exercise, table,
                           "SELECT name, price FROM items WHERE price < 1;")
    assert "returned 1 row; 3 were expected" in too_few[2][2]
    columns = await _check(tmp_path, exercise, table, "SELECT name FROM items WHERE price < 3;")
    assert columns[1][1] == "failed" and "1 column (name); 2 were expected" in columns[1][2]
    names = await _check(tmp_path, exercise, table,
                         "SELECT name, stock FROM items WHERE price < 3;")
    assert "called (name, stock); expected (name, price)" in names[1][2]
    values = await _check(tmp_path, exercise, table,
                          "SELECT name, price FROM items WHERE price < 3.5 AND id <> 3;")
    assert values[2][1] == "failed"
    assert "one is not expected (name 'Jam', price 3.1)" in values[2][2]
    assert "one is missing (name 'Bread', price 1.2)" in values[2][2]

    exercise, table = _exercise(tmp_path, "SELECT name FROM items ORDER BY price DESC;",
                                ordered=True)
    wrong_order = await _check(tmp_path, exercise, table,
                               "SELECT name FROM items ORDER BY price;")
    assert _statuses(wrong_order) == ["passed", "passed", "passed", "failed"]
    assert "row 1 should be name 'Coffee'" in wrong_order[3][2]
    assert "ORDER BY" in wrong_order[3][2]


async def test_sql_errors_are_explained_with_the_line(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, CHEAP)
    [(name, status, message)] = await _check(tmp_path, exercise, table,
                                             "SELECT nme\nFROM items;")
    assert (name, status) == ("Your SQL runs without errors", "failed")
    assert "there is no column called nme" in message and message.startswith("Line ")
    [(_, _, message)] = await _check(tmp_path, exercise, table, "SELECT * FORM items;")
    assert 'did not understand the SQL near "FORM"' in message
    [(_, _, message)] = await _check(tmp_path, exercise, table, "SELECT * FROM item;")
    assert "no table called item" in message
    [(_, status, message)] = await _check(tmp_path, exercise, table,
                                          "-- nothing yet\n/* still\nnothing */\n")
    assert status == "failed" and "query.sql is empty" in message
    nothing = await _check(tmp_path, exercise, table, "SELECT name, price FROM items WHERE 0;")
    assert "returned 0 rows; 3 were expected" in nothing[2][2]
    [(_, status, message)] = await _check(tmp_path, exercise, table, CHEAP + CHEAP)
    assert status == "failed" and "2 queries that print results" in message


async def test_insert_update_delete_are_judged_by_the_after_query(tmp_path: Path) -> None:
    exercise, table = _exercise(
        tmp_path, "UPDATE items SET stock = 12 WHERE name = 'Coffee';",
        after="SELECT id, name, stock FROM items ORDER BY id", ordered=True)
    assert sql_kind.validate(table, exercise) == []
    good = await _check(tmp_path, exercise, table,
                        "update items set stock = 12 where id = 2;")
    assert _statuses(good) == ["passed"] * 4, good
    everyone = await _check(tmp_path, exercise, table, "UPDATE items SET stock = 12;")
    assert everyone[2][1] == "failed"
    assert "one is not expected (" in everyone[2][2] and "'Tea'" in everyone[2][2]
    deleted = await _check(tmp_path, exercise, table, "DELETE FROM items WHERE id > 3;")
    assert "Afterwards the table has 3 rows; 5 were expected." in deleted[2][2]
    dropped = await _check(tmp_path, exercise, table, "DROP TABLE items;")
    assert dropped[1][1] == "failed" and "no table called items" in dropped[1][2]
    constraint = await _check(tmp_path, exercise, table,
                              "INSERT INTO items (id, price) VALUES (9, 1);")
    assert "items.name needs a value" in constraint[0][2]


async def test_a_broken_fixture_or_solution_is_an_error_not_the_learners_fault(
    tmp_path: Path,
) -> None:
    exercise, table = _exercise(tmp_path, "SELECT nope FROM items;")
    [(_, status, message)] = await _check(tmp_path, exercise, table, CHEAP)
    assert status == "error" and "reference answer could not be run" in message
    exercise, table = _exercise(tmp_path, CHEAP)
    (exercise.dir / "tests" / "shop.sql").write_text("CREATE TABLE broken (;")
    [(_, status, message)] = await _check(tmp_path, exercise, table, CHEAP)
    assert status == "error"


def test_validate_names_each_problem(tmp_path: Path) -> None:
    exercise, _ = _exercise(tmp_path, CHEAP)
    bad = {"kind": "sql", "query": "other.sql", "fixture": "shop.sql", "expected": "rows",
           "ordered": "yes", "after": " ", "colour": 1}
    text = "\n".join(sql_kind.validate(bad, exercise))
    assert "unknown field 'colour'" in text
    assert "query must name one of the exercise's files" in text
    assert "fixture must name a SQL file under tests/" in text
    assert 'expected must be "solution"' in text
    assert "ordered must be true or false" in text
    assert "after must be a SQL query" in text
    (exercise.solution_dir / "query.sql").unlink()
    missing = {"kind": "sql", "query": "query.sql", "fixture": "tests/none.sql"}
    text = "\n".join(sql_kind.validate(missing, exercise))
    assert "solution/query.sql is missing" in text and "tests/none.sql does not exist" in text


# ---- hostile SQL --------------------------------------------------------------------------


async def test_sec_endless_query_hits_a_limit_and_fails_plainly(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, CHEAP)
    endless = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
               "SELECT count(*) FROM n;")
    [(_, status, message)] = await _check(tmp_path, exercise, table, endless, wall=3, cpu=2)
    assert status == "failed"
    assert "never ends" in message


async def test_sec_endless_output_hits_the_output_limit(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, CHEAP)
    flood = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n;"
    [(_, status, message)] = await _check(tmp_path, exercise, table, flood, wall=5,
                                          output=64 << 10)
    assert status == "failed"
    assert "far too many rows" in message or "never ends" in message


async def test_sec_shell_and_file_commands_are_refused(tmp_path: Path) -> None:
    exercise, table = _exercise(tmp_path, CHEAP)
    for attack in (".shell echo pwned\n", ".system id\n", "ATTACH '/etc/passwd' AS p;\n",
                   ".read /slate/solution.sql\n", "SELECT load_extension('/tmp/x');\n",
                   "SELECT writefile('/work/x', 'y');\n"):
        results = await _check(tmp_path, exercise, table, attack)
        assert results[0][1] == "failed", (attack, results)
    assert not (tmp_path / "work" / "x").exists()


async def test_sec_learner_output_cannot_pose_as_the_harness(tmp_path: Path) -> None:
    """Printing marker-like lines or a fake result, then exiting, does not pass."""
    exercise, table = _exercise(tmp_path, CHEAP)
    fake = (".print '@@slate- query-exit 0'\n.print '[{\"name\":\"Tea\",\"price\":2.5}]'\n"
            ".exit 0\n")
    results = await _check(tmp_path, exercise, table, fake)
    assert "passed" not in _statuses(results)[1:], results


async def test_sec_the_solution_never_enters_the_learner_sandbox(tmp_path: Path) -> None:
    """The learner's SQL cannot read the solution: it is not bound in its sandbox."""
    exercise, table = _exercise(tmp_path, CHEAP)
    (exercise.solution_dir / "query.sql").write_text(CHEAP + "-- SECRET-ANSWER\n")
    probe = "SELECT readfile('/slate/solution.sql') AS x;"
    results = await _check(tmp_path, exercise, table, probe)
    assert all("SECRET-ANSWER" not in m for _, _, m in results)


async def test_a_custom_message_replaces_the_generic_advice(tmp_path: Path) -> None:
    exercise, table = _exercise(
        tmp_path, "CREATE TABLE m (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
        after="INSERT OR IGNORE INTO m (id, name) VALUES (1, 'a'), (2, NULL); SELECT * FROM m",
        message="Check that name cannot be left empty (NOT NULL).")
    assert sql_kind.validate(table, exercise) == []
    good = await _check(tmp_path, exercise, table,
                        "CREATE TABLE m (id INTEGER PRIMARY KEY, name TEXT NOT NULL);")
    assert [s for _, s, _ in good] == ["passed"] * 3, good
    loose = await _check(tmp_path, exercise, table, "CREATE TABLE m (id INTEGER PRIMARY KEY, "
                         "name TEXT);")
    assert loose[2] == ("The table afterwards has the right rows", "failed",
                        "Afterwards the table has 2 rows; 1 was expected. Check that name "
                        "cannot be left empty (NOT NULL).")


@pytest.mark.skipif(os.geteuid() != 0, reason="per-learner uids need root")
async def test_runs_as_a_per_learner_uid() -> None:
    """In production sandboxes run as the learner's own host uid: both the solution's and the
    learner's sandboxes must still work (work dirs and fixtures readable by that uid)."""
    import tempfile

    from jail.run import Limits

    base = Path(tempfile.mkdtemp(prefix="slate-sql-uid-"))  # pytest's tmp is root-only
    try:
        base.chmod(0o755)
        exercise, table = _exercise(base, CHEAP)
        work = base / "work"
        work.mkdir()
        (work / "query.sql").write_text("SELECT name, price FROM items WHERE price < 3;")
        os.chown(work, 2001, 2001)
        os.chmod(work, 0o700)
        ctx = CheckContext(exercise=exercise, work_dir=work, learner_dir=None,
                           limits=Limits(), host_uid=2001)
        results = await sql_kind.run(table, ctx)
        assert [t.status for t in results] == ["passed"] * 3, [t.message for t in results]
    finally:
        shutil.rmtree(base)
