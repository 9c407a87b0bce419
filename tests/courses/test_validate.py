"""check_catalog / main_check: the sample course is fine; a broken solution, a starter that
already passes, and a catalog that doesn't load all make the command fail, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest
from course_kit import SAMPLE

from courses.validate import check_catalog, internals, main_check, main_try

CATALOG = Path(__file__).resolve().parents[2] / "courses" / "catalog"


def test_sample_catalog_is_fine() -> None:
    seen: list[str] = []
    report = check_catalog(SAMPLE, progress=lambda r, done, total: seen.append(f"{done}/{total}"))
    assert report.ok, [r.problems for r in report.exercises]
    assert len(report.exercises) == 5
    assert seen[-1] == "5/5"


def test_broken_solution_and_solved_starter_are_reported(sample_copy: Path, capsys) -> None:
    greet = sample_copy / "01-greet"
    (greet / "solution" / "greet.js").write_text("module.exports = {};\n")
    nav = sample_copy / "03-nav"
    (nav / "starter" / "style.css").write_text((nav / "solution" / "style.css").read_text())
    assert main_check(sample_copy) == 1
    out = capsys.readouterr().out
    assert "3 of 5 exercises in 1 courses are fine" in out
    assert "sample/greet" in out and "solution failed" in out
    assert "starter passes already" in out


def test_one_exercise_folder_can_be_checked(capsys) -> None:
    assert main_check(SAMPLE / "03-nav") == 0
    assert "1 of 1 exercises" in capsys.readouterr().out


def test_catalog_that_does_not_load_fails(sample_copy: Path, capsys) -> None:
    (sample_copy / "02-page" / "lesson.md").unlink()
    assert main_check(sample_copy) == 1
    assert "02-page/lesson.md: missing" in capsys.readouterr().out


# -- alternatives and mistakes (issue 12.3) ------------------------------------------------------


def _case(root: Path, kind: str, name: str, files: dict[str, str], manifest: str = "") -> Path:
    folder = root / kind / name
    folder.mkdir(parents=True)
    for rel, text in files.items():
        (folder / rel).write_text(text)
    if manifest:
        (folder / "case.toml").write_text(manifest)
    return folder


def test_alternatives_must_pass_and_mistakes_must_fail_first_where_the_manifest_says(
    sample_copy: Path, capsys
) -> None:
    nav = sample_copy / "03-nav"
    _case(nav, "alternatives", "caps", {"style.css": ".nav{DISPLAY:Flex !important}\n"})
    _case(
        nav,
        "mistakes",
        "flex-on-links",
        {"style.css": ".nav a { display: flex; }\n"},
        'about = "flex on the links"\nfails = "The stylesheet sets display: flex in the .nav rule"'
        '\nmessage_contains = "no rule for .nav"\n',
    )
    assert main_check(nav) == 0
    out = capsys.readouterr().out
    assert "1/1   1/1" in out
    assert "(1 alternatives, 1 mistakes;" in out


def test_a_wrong_alternative_a_passing_mistake_and_a_wrong_first_test_are_reported(
    sample_copy: Path, capsys
) -> None:
    nav = sample_copy / "03-nav"
    _case(nav, "alternatives", "not-really", {"style.css": ".nav { display: block }\n"})
    _case(
        nav,
        "mistakes",
        "actually-right",
        {"style.css": ".nav { display: flex }\n"},
        'about = "x"\nfails = "The stylesheet has no mistakes in its punctuation"\n',
    )
    _case(
        nav,
        "mistakes",
        "other-test",
        {"style.css": ".nav { display: flex\n"},
        'about = "x"\nfails = "The stylesheet sets display: flex in the .nav rule"\n',
    )
    _case(nav, "mistakes", "no-manifest", {"style.css": ""})
    assert main_check(nav) == 1
    out = capsys.readouterr().out
    assert "alternatives/not-really should pass but failed" in out
    assert "mistakes/actually-right should fail but passed" in out
    assert (
        "mistakes/other-test: the first failing test is 'The stylesheet has no mistakes in its "
        "punctuation', but case.toml says 'The stylesheet sets display: flex in the .nav rule'"
    ) in out
    assert "mistakes/no-manifest/case.toml: missing" in out


def test_a_case_holds_only_the_files_that_differ(sample_copy: Path) -> None:
    from courses.catalog import load_catalog
    from courses.validate import assemble_case

    ex = load_catalog(sample_copy).exercise("sample", "page")
    folder = _case(sample_copy / "02-page", "alternatives", "x", {}, 'about = "same"\n')
    (folder / "extra.txt").write_text("hi")
    files = assemble_case(ex, folder, sample_copy / "tmp")
    assert sorted(p.name for p in files.iterdir()) == sorted(
        [p.name for p in ex.solution_dir.iterdir()] + ["extra.txt"]
    )
    assert not (files / "case.toml").exists()


@pytest.mark.parametrize(
    "message",
    [
        "Your table has ('customer_id', 'INTEGER', 0, 0) but it should be ...",
        "Listen method has been called more than once",
        "not ok 1 - adds\n  ---\n  duration_ms: 3\n  ...",
        "Error [ERR_SERVER_ALREADY_LISTEN]: boom",
        "AssertionError: 5 !== 6",
        "it expects the wrong thing (Expected values to be strictly equal: + actual - expected)",
        'Traceback (most recent call last):\n  File "x.py", line 3',
        "    at Object.<anonymous> (/work/app.js:3:9)\n    at node:internal/main",
        'Parse error near line 2: near "FORM": syntax error',
        "pragma_table_info('t') returned 3 rows",
        "The test failed: Command failed: sqlite3 -json /tmp/x/guestbook.db CREATE TABLE",
    ],
)
def test_tool_internals_are_recognised(message: str) -> None:
    assert internals(message)


@pytest.mark.parametrize(
    "message",
    [
        "Line 8: the <h1> is never closed: the second <h1> should be </h1>.",
        "Your query returned 3 rows; 5 were expected. Check your WHERE condition.",
        "total([2, 3]) gave 6 but the test expected 5",
        "Line 2: color is 'red' here, but it should be darkslategray.",
        "Your server answered /missing with status 200; it should be 404 (Not Found).",
    ],
)
def test_beginner_sentences_are_not_flagged(message: str) -> None:
    assert internals(message) == []


def test_a_mistake_whose_message_shows_tool_internals_is_reported(
    sample_copy: Path, capsys
) -> None:
    """A failure message carrying a stack frame would reach the learner as it is: the check
    reports it (as it does for every mistake of the built-in catalog in `make test`)."""
    greet = sample_copy / "01-greet"
    _case(
        greet,
        "mistakes",
        "stack-in-message",
        {"greet.js": "exports.greet = () => { throw new Error("
                     "'no\\n    at Object.<anonymous> (/work/greet.js:1:31)'); };\n"},
        'about = "x"\nfails = "greet(\'Sam\') says hello to Sam"\n',
    )
    assert main_check(greet) == 1
    out = capsys.readouterr().out
    assert "mistakes/stack-in-message: \"greet('Sam') says hello to Sam\" shows a node stack" in out


def test_min_cases_asks_for_enough_alternatives_and_mistakes(sample_copy: Path) -> None:
    """`slate course check --min-cases 3` (what `make test` runs over the built-in catalog)
    fails an exercise with fewer than 3 ways to be right or 3 ways to be wrong."""
    from click.testing import CliRunner

    from server.cli import main

    nav = sample_copy / "03-nav"
    for i in range(3):
        css = f".nav {{ display: flex; }} /* {i} */\n"
        _case(nav, "alternatives", f"alt{i}", {"style.css": css})
    _case(
        nav,
        "mistakes",
        "block",
        {"style.css": ".nav { display: block }\n"},
        'about = "x"\nfails = "The stylesheet sets display: flex in the .nav rule"\n',
    )
    result = CliRunner().invoke(main, ["course", "check", "--min-cases", "3", str(nav)])
    assert result.exit_code == 1, result.output
    assert "only 1 mistakes (ways to be wrong); at least 3 are asked for" in result.output
    assert "alternatives (ways to be right)" not in result.output
    result = CliRunner().invoke(main, ["course", "check", str(nav)])
    assert result.exit_code == 0, result.output


# -- slate course try (issue 12.4) ---------------------------------------------------------------


def test_course_try_runs_an_exercise_on_a_folder(tmp_path: Path, capsys) -> None:
    import json
    import shutil

    folder = tmp_path / "mine"
    shutil.copytree(SAMPLE / "03-nav" / "solution", folder)
    assert main_try(str(SAMPLE / "03-nav"), folder) == 0
    assert capsys.readouterr().out.startswith("PASSED: ")
    (folder / "style.css").write_text(".nav { display: block; }\n")
    (folder / "planted").symlink_to("/etc/passwd")
    assert main_try(str(SAMPLE / "03-nav"), folder, as_json=True) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "failed"
    assert result["tests"][0]["message"] == (
        "Line 1: display is 'block' here, but it should be flex."
    )


def test_course_try_names_a_missing_exercise(tmp_path: Path, capsys) -> None:
    assert main_try("html/no-such-exercise", tmp_path) == 2
    assert "no-such-exercise" in capsys.readouterr().err
    assert main_try("html", tmp_path) == 2
