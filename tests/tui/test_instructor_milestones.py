"""The instructor's milestone view with Pilot and SVG snapshots, against the real control
channel, staff desk, milestone desk and SQLite store in-process (test_instructor_console.py's
Classroom, with a small real catalog)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.widgets import DataTable

from courses.catalog import Catalog, Course
from server import protocol
from tests.tui.conftest import SMALL, WIDE, wait_until
from tests.tui.test_instructor_console import Classroom
from tui.instructor.app import InstructorApp
from tui.instructor.screens.ask_text import AskText
from tui.instructor.screens.milestones import MilestonesScreen


def _course(cid: str, stage: int, order: int, exercises: list[str],
            milestone: str | None = None) -> Course:
    course = Course(id=cid, title=cid, stage=stage, order=order, summary="s",
                    dir=Path("/nonexistent") / cid, milestone=milestone)
    course.exercises = [SimpleNamespace(id=e, course_id=cid, title=e)  # type: ignore[misc]
                        for e in exercises]
    return course


CATALOG = Catalog(root=Path("/nonexistent"), courses=[
    _course("html", 1, 10, ["page", "lists"]),
    _course("javascript", 1, 30, ["loops"], milestone="Foundations: HTML, CSS and JavaScript"),
    _course("git", 2, 10, ["commit", "branch"], milestone="Working with care: Git and tests"),
])
STAGE_1 = (("html", "page"), ("html", "lists"), ("javascript", "loops"))


class MilestoneRoom(Classroom):
    """The console's classroom with a catalog that has two milestones."""

    @staticmethod
    def _no_catalog() -> Catalog:  # type: ignore[override]
        return CATALOG


def _room(tmp_path: Path) -> MilestoneRoom:
    room = MilestoneRoom(tmp_path)
    for name in ("ada", "bo", "cy", "dee"):
        room.join(name)
    room.store.set_cohort("ada", "wing-a")
    room.store.set_cohort("bo", "wing-b")
    room.store.add_account("boss", "admin", "pw-boss")
    room.store.add_account("teacher", "instructor", "pw-teacher")
    for name in ("ada", "bo", "dee"):
        for course, exercise in STAGE_1:
            room.store.record_attempt(name, course, exercise, True, {"status": "passed"})
    room.store.record_attempt("cy", "html", "page", True, {"status": "passed"})
    room.store.record_attempt("dee", "git", "commit", True, {"status": "passed"})
    room.store.sign_off_milestone("dee", "javascript", "boss", note="demo day")
    return room


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[MilestoneRoom]:
    classroom = _room(tmp_path)
    await classroom.start()
    yield classroom
    await classroom.close()


def rows(app: InstructorApp) -> list[list[str]]:
    table = app.screen.query_one("#milestones-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def _open(pilot, app: InstructorApp) -> MilestonesScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: app.model.rows)
    await pilot.press("f")
    await wait_until(pilot, lambda: isinstance(app.screen, MilestonesScreen)
                     and app.screen.query_one("#milestones-table", DataTable).row_count)
    assert isinstance(app.screen, MilestonesScreen)
    return app.screen


async def test_sign_off_a_ready_learner_then_undo_with_a_reason(room: MilestoneRoom) -> None:
    app = room.app()
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open(pilot, app)
        got = rows(app)
        assert [r[0] for r in got] == ["ada", "bo", "dee"]  # ready first, then signed
        assert got[0][3:] == ["3/3", "READY for sign-off"]
        assert got[2][4].startswith("signed boss 20")
        await pilot.press("a")  # everyone who started one: cy (1 of 3), dee on Git (1 of 2)
        await wait_until(pilot, lambda: len(rows(app)) == 5)
        assert {(r[0], r[3], r[4]) for r in rows(app)[3:]} == {
            ("dee", "1/2", "not reached"), ("cy", "1/3", "not reached")}
        await pilot.press("a")
        await wait_until(pilot, lambda: len(rows(app)) == 3)

        await pilot.press("s")  # ada: asks for an optional note, Enter signs
        await wait_until(pilot, lambda: isinstance(app.screen, AskText))
        await pilot.press(*"well done")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MilestonesScreen)
                         and rows(app) and rows(app)[0][0] == "bo")
        assert any(r[0] == "ada" and r[4].startswith("signed teacher") for r in rows(app))
        signed = room.store.milestone_sign_offs("ada")["javascript"]
        assert (signed["signed_by"], signed["note"]) == ("teacher", "well done")
        ada_pushes = [p for p in room.learners["ada"].pushes
                      if isinstance(p, protocol.MilestoneUpdate)]
        assert [(p.state, p.by) for p in ada_pushes] == [("signed", "teacher")]

        # Undo needs a reason: an empty answer is not accepted, Esc cancels.
        table = screen.query_one("#milestones-table", DataTable)
        ada_row = next(i for i, r in enumerate(rows(app)) if r[0] == "ada")
        table.move_cursor(row=ada_row, animate=False)
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, AskText))
        await pilot.press("enter")
        assert isinstance(app.screen, AskText)  # still asking
        await pilot.press(*"wrong learner")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "ada" not in room.store.milestone_sign_offs())
        await wait_until(pilot, lambda: isinstance(app.screen, MilestonesScreen)
                         and rows(app)[0][0] == "ada")

        # A learner who is not ready is never sent: the screen says why.
        await pilot.press("a")
        await wait_until(pilot, lambda: len(rows(app)) == 5)
        cy_row = next(i for i, r in enumerate(rows(app)) if r[0] == "cy")
        table.move_cursor(row=cy_row, animate=False)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, MilestonesScreen)
        assert any("done 1 of 3" in n.message for n in app._notifications)

    kinds = room.audit_kinds()
    assert kinds.count("milestone_signed_off") == 1
    assert kinds.count("milestone_sign_off_undone") == 1
    undo = [json.loads(d) for (d,) in room.store.query(
        "SELECT detail FROM audit_events WHERE kind = 'milestone_sign_off_undone'")]
    assert undo[0]["reason"] == "wrong learner" and undo[0]["learner"] == "ada"


async def test_a_forged_sign_off_for_a_learner_not_ready_is_refused_and_audited(
    room: MilestoneRoom,
) -> None:
    """Even from a staff console, the server (not the screen) decides readiness."""
    app = room.app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app.model.rows)
        reply = await app.ask(protocol.MilestoneSignOff(learner="cy", milestone="javascript"))
        assert reply is None
    assert "cy" not in room.store.milestone_sign_offs()
    refused = [json.loads(d) for (d,) in room.store.query(
        "SELECT detail FROM audit_events WHERE kind = 'milestone_refused'")]
    assert [(r["learner"], r["reason"]) for r in refused] == [("cy", "not ready")]


def _ready(room: MilestoneRoom):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await room.start()
        await _open(pilot, pilot.app)

    return run_before


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_milestones_view(snap_compare, tmp_path: Path, size,  # type: ignore[no-untyped-def]
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A reviewer should see: "2 ready for sign-off, 1 signed off. Press A to show learners
    still working towards one too."; a table Learner | Cohort | Milestone | Done | State with
    ada (wing-a) and bo (wing-b) "READY for sign-off" 3/3 on "Foundations: HTML, CSS and Ja~",
    then dee "signed boss 2026-.."; under it the highlighted learner and the full milestone
    title; a key bar with Back, Sign off, Undo sign-off, Show all, Reload."""
    from server import store as store_module

    monkeypatch.setattr(store_module, "utc_now", lambda: "2026-11-30T19:40:00.000000+00:00")
    room = _room(tmp_path)
    app = room.app()
    assert snap_compare(app, terminal_size=size, run_before=_ready(room))


async def test_a_learner_becoming_ready_appears_without_a_key(room: MilestoneRoom) -> None:
    """cy passes her last Foundations exercise: the roster push makes the open milestone view
    reload, and she is listed READY (nobody pressed anything)."""
    app = room.app()
    async with app.run_test(size=SMALL) as pilot:
        await _open(pilot, app)
        assert "cy" not in [r[0] for r in rows(app)]
        for course, exercise in STAGE_1[1:]:
            room.store.record_attempt("cy", course, exercise, True, {"status": "passed"})
        room.live.exercise_opened("cy", "javascript", "loops", "loops", {})
        room.live.check_finished("cy", "javascript", "loops", {"status": "passed", "tests": []})
        await wait_until(pilot, lambda: any(r[0] == "cy" and r[4] == "READY for sign-off"
                                            for r in rows(app)), timeout=5)


async def test_learner_detail_lists_every_milestone_in_programme_order(
    room: MilestoneRoom,
) -> None:
    from textual.widgets import Static

    from tui.instructor.screens.detail import DetailScreen

    app = room.app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: app.model.rows)
        await app.push_screen(DetailScreen("dee"))
        box = app.screen.query_one("#detail-milestones", Static)
        await wait_until(pilot, lambda: "Milestones" in str(box.render()))
        text = str(box.render())
        first = text.index("Foundations: HTML, CSS and JavaScript: 3/3 done, signed boss")
        second = text.index("Working with care: Git and tests: 1/2 done, not reached")
        assert first < second
    viewed = [json.loads(d) for (d,) in room.store.query(
        "SELECT detail FROM audit_events WHERE kind = 'learner_viewed'")]
    assert viewed and viewed[-1]["learner"] == "dee"


async def test_the_roster_says_how_many_are_ready(room: MilestoneRoom) -> None:
    from textual.widgets import Static

    app = room.app()
    async with app.run_test(size=SMALL) as pilot:
        status = app.roster_screen.query_one("#roster-status", Static)
        await wait_until(pilot, lambda: "2 ready for a milestone sign-off (F)."
                         in str(status.render()))
        room.store.sign_off_milestone("ada", "javascript", "teacher")
        # Another console's sign-off reaches this one as a push: the count follows.
        room.link.push(protocol.MilestoneUpdate(learner="ada", milestone="javascript",
                                                title="Foundations", state="signed",
                                                by="teacher", at="now"))
        await wait_until(pilot, lambda: "1 ready for a milestone sign-off (F)."
                         in str(status.render()))


def test_milestones_view_monochrome_ascii(snap_compare, tmp_path: Path,  # type: ignore[no-untyped-def]
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR and ASCII drawing at 80x24 (a VT100): the same table, states in words only
    ("READY for sign-off", "signed boss 2026-11-30"), every character ASCII."""
    from server import store as store_module
    from tui.terminal_caps import TerminalCaps

    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(store_module, "utc_now", lambda: "2026-11-30T19:40:00.000000+00:00")
    room = _room(tmp_path)
    app = room.app()
    TerminalCaps(term="vt100", ascii_only=True, latin1=False, colour=False).apply(app)
    assert snap_compare(app, terminal_size=SMALL, run_before=_ready(room))
