"""Reading the server's replies: good shapes parse, bad ones give a plain problem, text is safe."""

from __future__ import annotations

import pytest

from tui.course_view import (
    ReplyProblem,
    language_for,
    parse_course_map,
    parse_exercise,
)


def _map(**last: str) -> dict:
    return {
        "stages": [{"stage": 1, "title": "Foundations", "courses": [{
            "id": "html", "title": "HTML", "summary": "",
            "exercises": [
                {"id": "a", "title": "A", "state": "passed", "hints_used": 2},
                {"id": "b", "title": "B\x1b[2J", "state": "in_progress"},
                {"id": "c", "title": "C", "state": "bogus"},
            ]}]}],
        "last": last or None,
    }


def test_course_map_states_marks_and_continue() -> None:
    course_map = parse_course_map(_map())
    a, b, c = course_map.exercises()
    assert a.line() == "[x] A  (done, 2 hints used)"
    assert b.title == "B\\x1b[2J"  # an escape sequence is shown, never sent
    assert c.state == "not_started"
    assert course_map.continue_target() is b
    assert parse_course_map(_map(course="html", exercise="c")).continue_target().id == "c"
    assert parse_course_map(_map(course="html", exercise="a")).continue_target().id == "b"


@pytest.mark.parametrize("reply", [{}, {"stages": "x"}, {"stages": [{"courses": [{}]}]},
                                   {"stages": [{"courses": [{"id": "x", "exercises": [1]}]}]}])
def test_bad_course_maps_are_plain_problems(reply: dict) -> None:
    with pytest.raises(ReplyProblem):
        parse_course_map(reply)


def _exercise(**changes: object) -> dict:
    ex = {"course": "js", "id": "greet", "title": "Greet", "files": ["greet.js"],
          "readonly": ["notes.md"], "run": True, "hints_total": 3,
          "next": {"course": "js", "exercise": "loops"}}
    ex.update(changes)
    return {"exercise": ex, "progress": {"state": "in_progress", "hints": ["one"]}}


def test_exercise_detail() -> None:
    detail = parse_exercise(_exercise())
    assert detail.files == ["greet.js"] and detail.readonly == ["notes.md"]
    assert detail.can_run and detail.hints == ["one"] and detail.hints_total == 3
    assert detail.next == ("js", "loops")
    assert detail.path_of("greet.js") == "js/greet/greet.js"


@pytest.mark.parametrize("changes", [{"files": ["../../etc/passwd"]}, {"files": ["/abs"]},
                                     {"id": "../x"}, {"files": [], "readonly": []},
                                     {"files": "greet.js"}, {"course": ""}])
def test_bad_exercises_are_refused(changes: dict) -> None:
    with pytest.raises(ReplyProblem):
        parse_exercise(_exercise(**changes))


def test_languages_by_extension() -> None:
    expected = {"a.html": "html", "b.css": "css", "c.js": "javascript", "d.json": "json",
                "e.sql": "sql", "f.py": "python", "g.md": "markdown", "h.txt": None}
    assert {name: language_for(name) for name in expected} == expected
