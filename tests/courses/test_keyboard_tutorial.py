"""The first-day keyboard tutorial (issue 13, tool 4): courses/catalog/00-start/01-keyboard.

It is the first exercise of the programme (a new learner's map opens on it), its check passes
the solution and fails the starter, every mistake fails on the step it is about with its own
gentle message, and the practice lines fit the 80-column editor (a wrapped line would make the
Down arrow land on the instruction line instead of the answer line)."""

from __future__ import annotations

from pathlib import Path

from courses.catalog import load_catalog
from courses.validate import check_catalog, internals

CATALOG = Path(__file__).resolve().parents[2] / "courses" / "catalog"
TUTORIAL = CATALOG / "00-start" / "01-keyboard"


def test_keyboard_tutorial_comes_first() -> None:
    catalog = load_catalog(CATALOG, strict=False)
    keys = [e.key for e in catalog.exercises()]
    # The first day: the keyboard, then the editor and files, then HTML's first page.
    assert keys[:4] == [
        "start/keyboard", "start/editor", "start/files-and-folders", "html/first-page"
    ]


def test_keyboard_tutorial_check_passes_solution_fails_starter_and_names_each_mistake() -> None:
    report = check_catalog(TUTORIAL)
    assert report.ok, [r.problems for r in report.exercises]
    (ex,) = report.exercises
    assert ex.solution is not None and ex.solution.status == "passed"
    assert ex.starter is not None and ex.starter.status == "failed"
    assert len(ex.solution.tests) == 7
    mistakes = [c for c in ex.cases if c.kind == "mistakes"]
    assert len(mistakes) >= 7 and all(c.result is not None for c in mistakes)
    seen_messages = set()
    for case in mistakes:
        assert case.result is not None
        failed = [t for t in case.result.tests if t.status == "failed"]
        assert [t.name for t in failed] == [case.manifest["fails"]], case.label  # one step only
        assert not internals(failed[0].message), (case.label, failed[0].message)
        seen_messages.add(failed[0].message)
    assert len(seen_messages) == len(mistakes)  # one message per mistake, never a generic one


def test_practice_lines_fit_the_editor_at_80_columns() -> None:
    # 80 columns: 2 borders, 1 padding each side, a 4-column line-number gutter, 2 to spare.
    for name in ("starter", "solution"):
        for line in (TUTORIAL / name / "practice.txt").read_text().splitlines():
            assert len(line) <= 70, (name, line)
