"""SVG snapshots of the instructor console: roster, watch view and grid at 80x24 and 120x40.

The console runs against the real control channel, staff desk and live class in-process (see
test_instructor_console.py), with the clock frozen so every "ago" reads the same each run.
Update after an intended change with ``--snapshot-update`` and look at the report first.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable

from tests.tui.conftest import SMALL, WIDE, wait_until
from tests.tui.test_instructor_console import Classroom, table_rows
from tui.instructor import roster_model
from tui.instructor.screens.grid import GridScreen
from tui.instructor.screens.watch import WatchScreen
from tui.widgets.terminal_view import TerminalView

NOW = 1_790_000_000.0

def _line(text: str, styled: dict[str, str] | None = None) -> str:
    """A boxed editor line padded to 80 columns, then with escape sequences put in."""
    line = ("┃ " + text).ljust(79) + "┃"
    for plain, raw in (styled or {}).items():
        line = line.replace(plain, raw)
    return line + "\r\n"


LEARNER_SCREEN = (
    "\x1b[2J\x1b[H\x1b[7m"
    + "Slate — watched by teacher · F10 help · signed in as ada (learner)".center(80)
    + "\x1b[0m\r\n"
    + "\x1b[1m┏━ Your code  F3/Alt+2 " + "━" * 56 + "┓\x1b[0m\r\n"
    + _line("index.html".ljust(67) + "Not saved")
    + _line("1  <!DOCTYPE html>")
    + _line('2  <html lang="en">')
    + _line("3    <head>")
    + _line("4      <title>My page</title>", {"My page": "\x1b[32mMy page\x1b[0m"})
    + _line("5    </head>")
    + _line("6    <body>")
    # A program's OSC 52 (set the watcher's clipboard) hidden in the line: never passed on.
    + _line("7      <h1>Hello world", {"Hello": "Hello\x1b]52;c;cGF5bG9hZA==\x07"})
    + _line("8    </body>")
    + _line("9  </html>")
    + "┗" + "━" * 78 + "┛\r\n"
    + "\x1b[9;22H"
).encode()


def _room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Classroom:
    monkeypatch.setattr(roster_model, "time", SimpleNamespace(time=lambda: NOW))
    room = Classroom(tmp_path)
    clock = {"now": NOW - 1500}
    room.live.clock = lambda: clock["now"]
    ada = room.join("ada")
    ada.screen = LEARNER_SCREEN
    bo = room.join("bo", (120, 40))
    cy = room.join("cy")
    room.join("dee")
    for name in ("eve", "finn"):
        room.store.add_account(name, "learner", "pw-" + name)  # never logged in
    room.live.exercise_opened("bo", "javascript", "loops", "Loops: counting", {})
    clock["now"] = NOW - 600
    room.live.exercise_opened("ada", "html", "first-page", "Your first web page", {})
    room.live.exercise_opened("cy", "css", "box-model", "The box model", {})
    room.live.exercise_opened("dee", "html", "lists", "Lists", {"state": "passed"})
    clock["now"] = NOW - 90
    for _ in range(3):
        room.live.check_finished("bo", "javascript", "loops", {
            "status": "failed", "tests": [{"name": "counts to ten", "status": "failed"}]})
    room.live.check_finished("dee", "html", "lists", {"status": "passed", "tests": []})
    room.live.hint_used("bo", "javascript", "loops", 2)
    clock["now"] = NOW - 45
    room.live.raise_hand(bo, "my loop never stops")
    clock["now"] = NOW - 20
    room.live.raise_hand(ada, "")
    room.live.lock(room.link, "cy", "Come to the front, please")
    clock["now"] = NOW
    cy.keys_locked = True
    return room


def _roster_sized(app) -> bool:  # type: ignore[no-untyped-def]
    """The class as it ends up (the pushes after the first listing can re-order and re-fill
    the table), and every column as wide as its widest cell. DataTable measures when idle: on a
    loaded CI host a snapshot taken six rows and one pause in showed every column at its
    header's width ("onlin", "Loops: c")."""
    table = app.screen.query_one("#roster-table", DataTable)
    rows = table_rows(app)
    if [row[1] for row in rows] != ["bo", "ada", "cy", "dee", "eve", "finn"]:
        return False
    if "LOCKED" not in rows[2][2] or "STUCK" not in rows[0][2]:
        return False
    columns = list(table.columns.values())
    return all(
        column.content_width >= max(cell_len(row[index]) for row in rows)
        for index, column in enumerate(columns)
    ) and not (table._require_update_dimensions or table._updated_cells)


def _roster_ready(room: Classroom):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await room.start()
        # Sized, and still so three pauses later (the snapshot is taken after one more).
        settled = {"pauses": 0}

        def steady() -> bool:
            settled["pauses"] = settled["pauses"] + 1 if _roster_sized(pilot.app) else 0
            return settled["pauses"] >= 3

        await wait_until(pilot, steady, timeout=15)

    return run_before


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_roster(snap_compare, tmp_path: Path, monkeypatch, size) -> None:  # type: ignore[no-untyped-def]
    """The roster. A reviewer should see: the header "Slate — signed in as teacher
    (instructor)"; "6 learners, 4 online, 2 hand(s) up, 1 stuck. Sorted by attention."; rows in
    attention order — bo (#1, "online STUCK", Loops: counting, FAIL 1m, 3 tries, 2 hints), ada
    (#2, Your first web page), then cy ("online LOCKED"), dee (pass … done), then eve and finn
    offline; the help queue line "1. bo 45s  2. ada 20s"; the key bar (Watch, Grid, Help queue,
    Message, Pair, Lock, ... Quit). At 80x24 the right-hand columns scroll."""
    room = _room(tmp_path, monkeypatch)
    assert snap_compare(room.app(), terminal_size=size, run_before=_roster_ready(room))


def _watching(room: Classroom):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await room.start()
        await wait_until(pilot, lambda: len(table_rows(pilot.app)) == 6)
        pilot.app.push_screen(WatchScreen("ada"))
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, WatchScreen)
                         and pilot.app.screen.query(TerminalView))
        view = pilot.app.screen.query_one(TerminalView)
        await wait_until(pilot, lambda: any("Hello" in line for line in view.lines()))
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_watch_view(snap_compare, tmp_path: Path, monkeypatch, size) -> None:  # type: ignore[no-untyped-def]
    """Watching ada. A reviewer should see: one context line "ada | online watched | HAND #2 |
    Your first web page | 0 tries"; ada's own screen drawn cell by cell below it (her header,
    the editor box, "<title>My page</title>" with My page in green, line 7 "<h1>Hello world"
    — the OSC 52 clipboard sequence she printed is gone, not shown and not passed on); the
    cursor on line 7 shown in reverse; the key bar "Esc Back  P Pair  M Message  D Help done
    F Follow cursor". At 80x24 the 80x24 learner screen is cropped to the rows around her
    cursor."""
    room = _room(tmp_path, monkeypatch)
    assert snap_compare(room.app(), terminal_size=size, run_before=_watching(room))


def _grid(room: Classroom):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await room.start()
        await wait_until(pilot, lambda: len(table_rows(pilot.app)) == 6)
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, GridScreen))
        grid = pilot.app.screen
        await wait_until(
            pilot,
            lambda: len(grid.query(TerminalView)) > 0
            and all(any(line.strip() for line in v.lines()) for v in grid.query(TerminalView)),
        )
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_grid(snap_compare, tmp_path: Path, monkeypatch, size) -> None:  # type: ignore[no-untyped-def]
    """The grid. A reviewer should see: "4 learners online. Page 1 of N."; one tile per
    learner (2x2 at 80x24, 3x3 room at 120x40) titled "name | exercise | state | HAND #n |
    last check", the tiles of learners needing attention (stuck or hand up) with a double
    border, the first tile highlighted (heavy border), each showing that learner's screen
    around their cursor; keys Esc Back, Enter/W Watch, PageDown/N and PageUp/B."""
    room = _room(tmp_path, monkeypatch)
    assert snap_compare(room.app(), terminal_size=size, run_before=_grid(room))
