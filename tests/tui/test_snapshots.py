"""SVG snapshots of the key learner screens at 80x24 and 120x40, in colour and with NO_COLOR.

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import SMALL, WIDE, wait_until
from tests.tui.fake_server import FakeServer
from tui.control import ControlClient
from tui.learner.app import LearnerApp
from tui.learner.screens.exercise import ExerciseScreen
from tui.session_app import Identity


def _app(tmp_path: Path) -> tuple[LearnerApp, FakeServer]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    fake = FakeServer(workspace)
    fake.state[("html", "first-page")] = "passed"
    fake.hints_used[("html", "first-page")] = 1
    client = ControlClient(fake.make_sockets(), timeout=5)
    return LearnerApp(client, Identity("sam", "learner", "s-test"), workspace=workspace), fake


def _map_ready(fake: FakeServer):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await fake.start()
        await wait_until(pilot, lambda: pilot.app.map_screen.entries)

    return run_before


def _exercise_ready(fake: FakeServer):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await fake.start()
        await wait_until(pilot, lambda: pilot.app.map_screen.entries)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ExerciseScreen))
        await pilot.press("f6")  # a failing check, so the output pane has results
        await wait_until(pilot, lambda: pilot.app.screen.query_one("#output-pane").results)
        await pilot.press("f3")

    return run_before


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_course_map(snap_compare, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    """The course map. A reviewer should see: the header "Slate — signed in as sam (learner)";
    one plain sentence saying how to choose (arrows, Enter, C to continue); "You have finished
    1 of 4 exercises"; Stage 1 and Stage 2 headings with course titles under them; every
    exercise with a text mark ([x] done with "1 hint used", [ ] not started) and the
    highlight on "Say hello" (where to continue); the key bar at the bottom."""
    app, fake = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_map_ready(fake))


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_exercise_screen(snap_compare, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    """The exercise screen after a failed check, editor focused. At 80x24 a reviewer should
    see only the "Your code F3/Alt+2" pane (heavy border: focused) with the greet.js and
    "notes.md (read only)" tabs, "Saved", line numbers and highlighted JavaScript, and a
    two-line key bar naming F2/Alt+1 Lesson, F3/Alt+2 Code, F4/Alt+3 Output, Run, Check, Hint,
    History, Courses and All keys. At 120x40 the lesson (title, Markdown, "Hints used: 0 of
    3") on the left, at least 60 columns wide inside its border; on the right the editor
    above the output (the summary "1 of 2 tests passed.", a PASS and a FAIL line, and the
    failure's message "Line 3: expected the text 'Hello, '…")."""
    app, fake = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_exercise_ready(fake))


@pytest.mark.parametrize("screen", ["map", "exercise"])
def test_no_color(snap_compare, tmp_path: Path, monkeypatch, screen: str) -> None:  # type: ignore[no-untyped-def]
    """With NO_COLOR=1 at 80x24. A reviewer should see the same screens in black and white
    only, still readable: the state marks [x]/[ ] on the map, the focused pane's heavy border,
    the "Saved" mark and the key bar words; nothing depends on colour."""
    monkeypatch.setenv("NO_COLOR", "1")
    app, fake = _app(tmp_path)
    ready = _map_ready(fake) if screen == "map" else _exercise_ready(fake)
    assert snap_compare(app, terminal_size=SMALL, run_before=ready)
