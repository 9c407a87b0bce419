"""The offline reference screen (issue 13, tool 3) with the real learner app and a fake server:
Shift+F4 / Alt+E opens it at the word under the editor's cursor (``margin`` in a style
attribute, ``querySelector`` in a script, ``console.log`` and ``return`` in a .js file), an
unknown word opens the search with that word typed, typing searches, the list chooses, Esc goes
back; the entries are not read on the learner's first frame; the key is in the key bar and the
F1 list. Plus SVG snapshots at 80x24 and 120x40."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.binding import Binding

from tests.tui.conftest import SMALL, WIDE, wait_until
from tests.tui.fake_server import FakeServer
from tui import reference
from tui.control import ControlClient
from tui.learner.app import LearnerApp
from tui.learner.screens.exercise import ExerciseScreen
from tui.learner.screens.help import HelpScreen
from tui.learner.screens.reference import ReferenceScreen
from tui.session_app import Identity
from tui.widgets.key_bar import KeyBar

PAGE = (
    "<!doctype html>\n"
    "<html>\n"
    "<body>\n"
    '  <nav class="menu"><p style="margin: 0">Hi</p></nav>\n'
    "  <script>document.querySelector(\"nav\");</script>\n"
    "  <blink>zzz</blink>\n"
    "</body>\n"
    "</html>\n"
)


def _app(tmp_path: Path) -> tuple[LearnerApp, FakeServer]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    fake = FakeServer(workspace)
    fake.state[("html", "first-page")] = "in_progress"
    fake.state[("javascript", "greet")] = "in_progress"
    client = ControlClient(fake.make_sockets(), timeout=5)
    return LearnerApp(client, Identity("sam", "learner", "s-test"), workspace=workspace), fake


async def _open_exercise(  # type: ignore[no-untyped-def]
    pilot, fake: FakeServer, exercise=("html", "first-page")
) -> ExerciseScreen:
    app = pilot.app
    await fake.start()
    await wait_until(pilot, lambda: app.map_screen.entries)
    app.open_exercise(*exercise)
    await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
    screen = app.screen
    assert isinstance(screen, ExerciseScreen)
    await pilot.press("f3")  # the code pane (the lesson shows first on a first opening)
    await wait_until(pilot, lambda: screen.current_editor().has_focus)
    return screen


async def _reference_at(  # type: ignore[no-untyped-def]
    pilot, screen: ExerciseScreen, row: int, column: int, key: str = "alt+e"
) -> ReferenceScreen:
    editor = screen.current_editor()
    editor.move_cursor((row, column))
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ReferenceScreen))
    ref = pilot.app.screen
    assert isinstance(ref, ReferenceScreen)
    await pilot.pause()
    return ref


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
async def test_word_under_the_cursor_opens_its_entry(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    app, fake = _app(tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await _open_exercise(pilot, fake)
        screen.current_editor().load_text(PAGE)
        # "margin" inside a style attribute of an .html file: the CSS entry.
        ref = await _reference_at(pilot, screen, 3, PAGE.split("\n")[3].index("margin") + 2)
        assert ref.shown is not None and (ref.shown.topic, ref.shown.name) == ("css", "margin")
        assert "Space outside the box" in ref.entry_shown and "Example:" in ref.entry_shown
        assert ref.query_one("#ref-search").value == "margin"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        # The cursor just after "querySelector", Shift+F4: the JavaScript entry.
        line = PAGE.split("\n")[4]
        ref = await _reference_at(pilot, screen, 4, line.index("(\"nav"), key="shift+f4")
        assert ref.shown is not None and ref.shown.name == "document.querySelector"
        assert "querySelectorAll" in ref.entry_shown
        await pilot.press("escape")
        # On "<nav": the HTML element.
        ref = await _reference_at(pilot, screen, 3, 4)
        assert ref.shown is not None and (ref.shown.topic, ref.shown.name) == ("html", "nav")
        await pilot.press("escape")
        # A word the reference does not know: the search opens with it typed, and says so.
        ref = await _reference_at(pilot, screen, 5, 4)
        assert ref.query_one("#ref-search").value == "blink"  # type: ignore[attr-defined]
        assert ref.shown is None and 'Nothing in the reference matches "blink"' in ref.entry_shown
        assert ref.query_one("#ref-search").has_focus


async def test_javascript_file_words(tmp_path: Path) -> None:
    app, fake = _app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open_exercise(pilot, fake, ("javascript", "greet"))
        # line 4 is "console.log(greet('Sam'));": the cursor on "log" opens console.log
        ref = await _reference_at(pilot, screen, 4, 9)
        assert ref.shown is not None and ref.shown.name == "console.log"
        await pilot.press("escape")
        ref = await _reference_at(pilot, screen, 2, 4)  # "  return 'Hi ' + name;"
        assert ref.shown is not None and ref.shown.name == "return"


async def test_search_list_and_back(tmp_path: Path) -> None:
    app, fake = _app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open_exercise(pilot, fake)
        screen.current_editor().load_text("\n")
        ref = await _reference_at(pilot, screen, 0, 0)  # nothing under the cursor: all entries
        assert len(ref.matches) >= 150 and ref.query_one("#ref-search").has_focus
        await pilot.press(*"flex")
        await wait_until(pilot, lambda: ref.shown is not None and ref.shown.name == "flex")
        names = [e.name for e in ref.matches]
        assert names[:3] == ["flex", "flex-direction", "flex-wrap"]
        assert "justify-content" not in names[:3]
        await pilot.press("enter")  # Enter: to the list; Down: the next entry is shown
        assert ref.query_one("#ref-list").has_focus
        await pilot.press("down")
        await wait_until(
            pilot, lambda: ref.shown is not None and ref.shown.name == "flex-direction")
        assert "row (side by side) or column" in ref.entry_shown
        # Several words: all must appear (title or text); "add row" finds SQL's INSERT INTO.
        box = ref.query_one("#ref-search")
        box.value = "add a row"  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: ref.shown is not None and ref.shown.name == "INSERT INTO")
        # A hostile search (escape sequences, OSC 52, a bidi override) is shown made visible.
        box.value = "\x1b[2J\x1b]52;c;ZXZpbA==\x07\u202egnp"  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: ref.shown is None)
        assert "Nothing in the reference matches" in ref.entry_shown
        for raw in ("\x1b", "\x07", "\u202e"):
            assert raw not in ref.entry_shown
        box.value = "qqzzxx"  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: "qqzzxx" in ref.entry_shown)
        assert 'Nothing in the reference matches "qqzzxx"' in ref.entry_shown
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))


async def test_entries_are_read_only_when_the_reference_opens(tmp_path: Path) -> None:
    reference.load.cache_clear()
    app, fake = _app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open_exercise(pilot, fake)
        assert not reference.is_loaded()  # not on the first frame, nor opening an exercise
        await _reference_at(pilot, screen, 0, 0)
        assert reference.is_loaded()


async def test_reference_key_is_in_the_key_bar_and_help(tmp_path: Path) -> None:
    app, fake = _app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await _open_exercise(pilot, fake)
        pairs = dict((words, keys) for keys, words in app.screen.query_one(KeyBar).pairs)
        assert pairs["Reference"] == "Shift+F4/Alt+E"
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        out = Console(width=100, record=True, file=io.StringIO())
        out.print(app.screen.help_table())  # type: ignore[attr-defined]
        text = out.export_text()
        assert "Shift+F4/Alt+E" in text and "Look up a word: HTML, CSS, JavaScript" in text


def test_what_a_terminal_sends_for_shift_f4_is_the_bound_key() -> None:
    """xterm, PuTTY (xterm mode), GNOME/Konsole/Windows Terminal send ESC[1;2S for Shift+F4:
    Textual reads it as "shift+f4", the key bound here. (Shift+F3's ESC[1;2R is read as a
    cursor position report and never reaches a binding, so it is not used.)"""
    from textual import events
    from textual._xterm_parser import XTermParser

    def keys(data: str) -> list[object]:
        parser = XTermParser()
        return [e.key if isinstance(e, events.Key) else type(e).__name__
                for e in [*parser.feed(data), *parser.feed("")]]

    assert keys("\x1b[1;2S") == ["shift+f4"]
    assert keys("\x1b[1;2R") == ["CursorPosition"]
    bound = {k for b in ExerciseScreen.BINDINGS if isinstance(b, Binding)
             and b.id == "exercise.reference" for k in b.key.split(",")}
    assert bound == {"shift+f4", "alt+e"}


def _reference_ready(fake: FakeServer):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await _open_exercise(pilot, fake)
        screen.current_editor().load_text(PAGE)
        await _reference_at(pilot, screen, 3, PAGE.split("\n")[3].index("margin") + 2)

    return run_before


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_reference_snapshot(snap_compare, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    """The reference opened from the cursor on "margin". A reviewer should see: the header
    "Reference"; one sentence saying what to type; the search box holding "margin"; on the left
    a bordered list with "margin  (CSS)" highlighted, then "margin-top  (CSS)" and other
    matches; on the right "margin  (CSS)", "Space outside the box", three short sentences and
    "Example:" with two indented CSS lines; the key bar with Esc and F1/Alt+K."""
    app, fake = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_reference_ready(fake))
