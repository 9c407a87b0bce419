"""The learner's course map with stage completion and milestones (Pilot + SVG snapshots).

The fake server answers like server/services.py does: each stage carries its ``milestones``.
Update the snapshots after an intended change with
``pytest tests/tui/test_milestone_map.py --snapshot-update`` and look at the report first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from tests.tui.conftest import SMALL, WIDE, wait_until
from tests.tui.fake_server import FakeServer
from tui.control import ControlClient
from tui.course_view import parse_course_map
from tui.learner.app import LearnerApp
from tui.session_app import Identity
from tui.terminal_caps import TerminalCaps


class MilestoneServer(FakeServer):
    """The fake server plus milestones: "javascript" closes stage 1's, "git" stage 2's."""

    def __init__(self, workspace: Path) -> None:
        super().__init__(workspace)
        self.signed: dict[str, tuple[str, str]] = {}

    def milestones(self, number: int) -> list[dict[str, Any]]:
        found = []
        for mid, title, stage, courses in (
            ("javascript", "Foundations: HTML, CSS and JavaScript", 1, ("html", "javascript")),
            ("git", "Working with care: Git and tests", 2, ("git",)),
        ):
            if stage != number:
                continue
            keys = [(e.course, e.id) for e in self.exercises.values() if e.course in courses]
            done = sum(self.state.get(k) == "passed" for k in keys)
            state = "ready" if done == len(keys) else "not_reached"
            by, at = self.signed.get(mid, ("", ""))
            if by:
                state = "signed"
            found.append({"id": mid, "title": title, "done": done, "total": len(keys),
                          "state": state, "signed_by": by or None, "signed_at": at or None})
        return found

    async def do_course_map(self, message: dict[str, Any]) -> dict[str, Any]:
        reply = await super().do_course_map(message)
        for stage in reply["stages"]:
            stage["milestones"] = self.milestones(stage["stage"])
        return reply


def _app(tmp_path: Path, passed: tuple[tuple[str, str], ...]) -> tuple[LearnerApp,
                                                                         MilestoneServer]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    fake = MilestoneServer(workspace)
    for key in passed:
        fake.state[key] = "passed"
    fake.state[("git", "first-commit")] = "in_progress"
    client = ControlClient(fake.make_sockets(), timeout=5)
    return LearnerApp(client, Identity("sam", "learner", "s-test"), workspace=workspace), fake


ALL_STAGE_1 = (("html", "first-page"), ("javascript", "greet"), ("javascript", "loops"))


def _lines(app: LearnerApp) -> list[str]:
    listing = app.map_screen.query_one("#map-list", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def test_a_malformed_milestone_is_left_out_and_text_is_made_visible() -> None:
    course_map = parse_course_map({"stages": [{"stage": 1, "title": "Foundations",
        "courses": [{"id": "js", "title": "JS", "exercises": [
            {"id": "a", "state": "passed"}, {"id": "b", "state": "in_progress"}]}],
        "milestones": [
            {"id": "js", "title": "Evil\x1b[2J\x1b]0;pwned\x07", "done": 1, "total": 2,
             "state": "hacked"},
            {"title": "no id"}, "not a dict", {"id": "x", "title": "t", "done": -4},
        ]}]})
    stage = course_map.stages[0]
    assert (stage.done, stage.total) == (1, 2)
    assert stage.heading() == "Stage 1: Foundations - 1 of 2 done"
    first = stage.milestones[0]
    assert "\x1b" not in first.title and "\x07" not in first.title
    assert first.state == "not_reached"  # an unknown state is never shown as signed
    assert [m.id for m in stage.milestones] == ["js", "x"] and stage.milestones[1].done == 0


async def test_map_shows_stage_completion_and_milestone_states(tmp_path: Path) -> None:
    app, fake = _app(tmp_path, ALL_STAGE_1)
    async with app.run_test(size=SMALL) as pilot:
        await fake.start()
        await wait_until(pilot, lambda: app.map_screen.entries)
        lines = _lines(app)
        assert "Stage 1: Foundations - 3 of 3 done" in lines
        assert "Stage 2: Professional practice - 0 of 1 done" in lines
        assert "  JavaScript basics  (2 of 2 done)" in lines
        ready = ("  [!] Milestone: Foundations: HTML, CSS and JavaScript\n"
                 "      all 3 exercises done: ready for sign-off, ask your instructor")
        # The milestone's line comes right after the last exercise of the course closing it.
        assert lines.index(ready) == lines.index("  JavaScript basics  (2 of 2 done)") + 3
        assert ("  [ ] Milestone: Working with care: Git and tests\n"
                "      not reached yet: 0 of 1 exercises done") in lines

        # An instructor signs it off: the learner is told at once and the map redraws.
        fake.signed["javascript"] = ("teach", "2026-11-30T19:40:00.000000+00:00")
        fake.push("milestone_update", learner="sam", milestone="javascript",
                  title="Foundations: HTML, CSS and JavaScript\x1b[31m", state="signed",
                  by="teach", at="2026-11-30T19:40:00.000000+00:00")
        signed = ("  [*] Milestone: Foundations: HTML, CSS and JavaScript\n"
                  "      signed off by teach on 2026-11-30")
        await wait_until(pilot, lambda: signed in _lines(app))
        notes = [n for n in app._notifications if n.title == "Milestone signed off"]
        assert notes and "teach signed off your milestone" in notes[0].message
        assert "\x1b" not in notes[0].message


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_course_map_with_milestones(snap_compare, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    """A reviewer should see: "Stage 1: Foundations - 3 of 3 done" in bold; each course title
    underlined with "(n of m done)"; every exercise marked [x]; under the JavaScript course
    "[*] Milestone: Foundations: HTML, CSS and JavaScript" and below it, indented, "signed off
    by teach on 2026-11-30"; "Stage 2: Professional practice - 0 of 1 done" with "[~] Your
    first commit" and "[ ] Milestone: Working with care: Git and tests" / "not reached yet: 0
    of 1 exercises done"."""
    app, fake = _app(tmp_path, ALL_STAGE_1)
    fake.signed["javascript"] = ("teach", "2026-11-30T19:40:00.000000+00:00")

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await fake.start()
        await wait_until(pilot, lambda: pilot.app.map_screen.entries)

    assert snap_compare(app, terminal_size=size, run_before=ready)


def test_course_map_milestone_ready_monochrome_ascii(snap_compare, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR and ASCII drawing at 80x24: the same map in black and white, only ASCII
    characters; "[!] Milestone: Foundations: ..." / "all 3 exercises done: ready for sign-off,
    ask your instructor" readable by its mark and words alone."""
    monkeypatch.setenv("NO_COLOR", "1")
    app, fake = _app(tmp_path, ALL_STAGE_1)
    TerminalCaps(term="vt100", ascii_only=True, latin1=False, colour=False).apply(app)

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await fake.start()
        await wait_until(pilot, lambda: pilot.app.map_screen.entries)

    assert snap_compare(app, terminal_size=SMALL, run_before=ready)
