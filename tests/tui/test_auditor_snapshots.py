"""SVG snapshots of the auditor console at 80x24 and 120x40: the session list, a replay with its
timeline, and search results. The data is made at a fixed clock, so the pictures are stable.

Update after an intended change with
``pytest tests/tui/test_auditor_snapshots.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import SMALL, WIDE, wait_until
from tests.tui.test_auditor_app import Console, build_classroom, console_ready, replay_ready
from tui.auditor.screens.search import SearchScreen


@pytest.fixture
def console(tmp_path: Path):  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = build_classroom(data_dir)
    yield Console(data_dir, store)
    store.close()


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_session_list(snap_compare, console, size) -> None:  # type: ignore[no-untyped-def]
    """The auditor's first screen. A reviewer should see: the header "signed in as alan
    (auditor)"; "2 sessions"; a table with Start (UTC) 11-24 14:00, User ada and grace, Role
    learner, Length, Bytes "930 B", Refused "1 !" for ada and 0 for grace, Exercises
    "say-hello", State "ended"; the key bar (Enter Replay, L Follow live, S Search, / Filter,
    X Export, R Reload, Q Quit)."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await console_ready(console, pilot)

    assert snap_compare(console.app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_replay_with_timeline(snap_compare, console, size) -> None:  # type: ignore[no-untyped-def]
    """A replay paused 12 s into ada's session. A reviewer should see: "ada: PAUSED 0:00:12 /
    0:00:47  speed 1x"; on the left, in a border, the learner's screen as it was: "Lesson 3: say
    hello", the index.js tab and "console.log('quokka')" (cropped at 80x24, the view follows the
    learner's cursor); on the right the timeline: session_start, exercise, run (node index.js),
    request_denied marked "!" with its hostile detail shown escaped (\\x1b]52…), session_end;
    a one-line progress bar with "|" at events and "#" at the playhead; the replay keys."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await console_ready(console, pilot)
        ada = next(i for i, s in enumerate(console.app.session_list.sessions)
                   if s["user"] == "ada")
        for _ in range(ada):
            await pilot.press("down")
        await pilot.press("enter")
        await replay_ready(pilot, console.app, start_at=12.0)

    assert snap_compare(console.app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_search_results(snap_compare, console, size) -> None:  # type: ignore[no-untyped-def]
    """Search for "quokka". A reviewer should see: the query box; "N results for quokka";
    rows with When (11-24 14:00), User ada, At (0:00:02 …), What "typed" and "screen", and a
    snippet with [quokka] in reverse video; the keys (Enter Search / open at that moment)."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await console_ready(console, pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(console.app.screen, SearchScreen))
        for ch in "quokka":
            await pilot.press(ch)
        await pilot.press("enter")
        await wait_until(pilot, lambda: console.app.screen.hits)

    assert snap_compare(console.app, terminal_size=size, run_before=run_before)
