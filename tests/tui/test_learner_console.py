"""The teaching console screen (issue 13, tool 1) with the real learner app and a fake server:
Shift+F1 / Alt+T opens it from an exercise, a line goes to the server as a ``console`` request,
output and refusals are shown made visible, Up/Down bring back earlier lines, Esc returns and
the editor reads files again when a command changed them. Plus SVG snapshots at 80x24 and
120x40. (What the server runs, and what it refuses, is tested in
tests/gateway/test_sec_teaching_console.py and tests/gateway/test_console_e2e.py.)"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from server import protocol
from tests.tui.conftest import SMALL, WIDE, wait_until
from tests.tui.fake_server import FakeServer
from tui.control import ControlClient
from tui.learner.app import LearnerApp
from tui.learner.screens.console import HISTORY, ConsoleScreen
from tui.learner.screens.exercise import ExerciseScreen
from tui.learner.screens.help import HelpScreen
from tui.session_app import Identity
from tui.widgets.key_bar import KeyBar

REPLIES = {
    "git status": "On branch main\nnothing to commit, working tree clean\n",
    "ls": "index.html\n",
    "cat index.html": "<h1>Hi</h1>\x1b[2J\x1b]52;c;ZXZpbA==\x07 \u202etxt.exe\n",
    "mkdir css": "",
}
REFUSED = {
    "curl example.com": "This classroom doesn't have `curl`. Commands here: `git`, `node`, "
                        "`sqlite3`, `ls`, `cat`, `mkdir`, `mv`, `rm`.",
}


class ConsoleFake(FakeServer):
    """The fake server, answering ``console`` like the real desk would."""

    async def _answer(self, message: dict[str, Any]) -> None:
        if message["type"] == "console" and message["line"] in REFUSED:
            assert self._writer is not None
            self._writer.write(protocol.encode(
                protocol.Error(id=message["id"], message=REFUSED[message["line"]])))
            return
        await super()._answer(message)

    async def do_console(self, message: dict[str, Any]) -> dict[str, Any]:
        line = message["line"]
        return {"output": REPLIES.get(line, ""), "exit_code": 0,
                "files_changed": line == "mkdir css"}


def _app(tmp_path: Path) -> tuple[LearnerApp, ConsoleFake]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    fake = ConsoleFake(workspace)
    fake.state[("html", "first-page")] = "in_progress"
    client = ControlClient(fake.make_sockets(), timeout=5)
    return LearnerApp(client, Identity("sam", "learner", "s-test"), workspace=workspace), fake


async def _open_console(pilot, fake: ConsoleFake, key: str = "alt+t") -> ConsoleScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await fake.start()
    await wait_until(pilot, lambda: app.map_screen.entries)
    app.open_exercise("html", "first-page")
    await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, ConsoleScreen))
    return app.screen  # type: ignore[no-any-return]


async def _type(pilot, screen: ConsoleScreen, line: str, expect: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*line.replace(" ", "\0").split("\0")[0])
    for word in line.split(" ")[1:]:
        await pilot.press("space", *word)
    await pilot.press("enter")
    await wait_until(pilot, lambda: expect in screen.transcript and not screen.busy)


@pytest.fixture(autouse=True)
def _fresh_history() -> None:
    HISTORY.clear()


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
async def test_console_runs_lines_and_shows_output_made_visible(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    app, fake = _app(tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await _open_console(pilot, fake)
        assert screen.query_one("#console-input").has_focus
        await _type(pilot, screen, "git status", "nothing to commit")
        assert fake.of_type("console")[-1] == {
            "type": "console", "id": fake.of_type("console")[-1]["id"], "course": "html",
            "exercise": "first-page", "line": "git status"}
        assert "first-page $ git status" in screen.transcript
        # Untrusted output: no escape, OSC 52 or bidi override reaches the screen raw.
        await _type(pilot, screen, "cat index.html", "<h1>Hi</h1>")
        assert "\x1b" not in screen.transcript and "\u202e" not in screen.transcript
        assert "\x07" not in screen.transcript
        # A refusal is shown in the server's plain words.
        await _type(pilot, screen, "curl example.com", "doesn't have `curl`")
        assert "Not run: This classroom doesn't have `curl`." in screen.transcript


async def test_console_history_up_and_down(tmp_path: Path) -> None:
    app, fake = _app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open_console(pilot, fake)
        await _type(pilot, screen, "git status", "nothing to commit")
        await _type(pilot, screen, "ls", "index.html\n")
        box = screen.query_one("#console-input")
        await pilot.press(*"ca")  # a half-typed line is kept while browsing
        await pilot.press("up")
        assert box.value == "ls"  # type: ignore[attr-defined]
        await pilot.press("up")
        assert box.value == "git status"  # type: ignore[attr-defined]
        await pilot.press("up")
        assert box.value == "git status"  # type: ignore[attr-defined]
        await pilot.press("down", "down")
        assert box.value == "ca"  # type: ignore[attr-defined]
        await pilot.press("up", "enter")
        await wait_until(pilot, lambda: len(fake.of_type("console")) == 3 and not screen.busy)
        assert fake.of_type("console")[-1]["line"] == "ls"
        # The history outlives the screen: Esc, then open again, Up brings back "ls".
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        await pilot.press("f13")  # Shift+F1 on xterm and the Linux console
        await wait_until(pilot, lambda: isinstance(app.screen, ConsoleScreen))
        await pilot.press("up")
        assert app.screen.query_one("#console-input").value == "ls"  # type: ignore[attr-defined]


async def test_console_changes_files_then_the_editor_reads_them_again(tmp_path: Path) -> None:
    app, fake = _app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open_console(pilot, fake)
        await _type(pilot, screen, "mkdir css", "mkdir css")
        await wait_until(pilot, lambda: screen.files_changed)
        (fake.folder(("html", "first-page")) / "index.html").write_text("<p>changed</p>\n")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        exercise = app.screen
        assert isinstance(exercise, ExerciseScreen)
        await wait_until(pilot, lambda: exercise.current_editor().text == "<p>changed</p>\n")


async def test_console_key_is_in_the_key_bar_and_help(tmp_path: Path) -> None:
    app, fake = _app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await fake.start()
        await wait_until(pilot, lambda: app.map_screen.entries)
        app.open_exercise("html", "first-page")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        pairs = dict((words, keys) for keys, words in app.screen.query_one(KeyBar).pairs)
        assert pairs["Console"] == "Shift+F1/Alt+T"
        assert pairs["Preview"] == "Shift+F2/Alt+P"
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        out = Console(width=100, record=True, file=io.StringIO())
        out.print(app.screen.help_table())
        text = out.export_text()
        assert "Shift+F1/Alt+T" in text and "Type commands (git, node" in text
        assert "Shift+F2/Alt+P" in text and "See your web page" in text


def _console_ready(fake: ConsoleFake):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        screen = await _open_console(pilot, fake)
        for _ in range(6):  # enough lines for the scrollbar: wrapped lines must not be cut
            await _type(pilot, screen, "git status", "nothing to commit")
        await _type(pilot, screen, "curl example.com", "doesn't have `curl`")
        await pilot.press(*"ls")

    return run_before


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_console_snapshot(snap_compare, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    """The teaching console. A reviewer should see: the header "Console: Your first web page";
    one sentence naming the commands (git, node, sqlite3, ls, cat, mkdir, mv, rm) and "no
    shell"; a bordered transcript with "first-page $ git status", git's "On branch main /
    nothing to commit" lines (six times, so the transcript scrolls, with its scrollbar), then
    "first-page $ curl example.com" and "Not run: This classroom doesn't have `curl`. Commands
    here: ..." wrapped whole, nothing cut at the scrollbar; the prompt "first-page $" with "ls"
    typed; the key bar
    with Esc, Up, Down, Ctrl+L and F1/Alt+K."""
    app, fake = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_console_ready(fake))


def test_the_shift_f1_and_shift_f2_bytes_terminals_send_reach_console_and_preview() -> None:
    """xterm, PuTTY and GNOME send ESC[1;2P / ESC[1;2Q for Shift+F1 / Shift+F2, which Textual
    reads as shift+f1 / shift+f2 (some terminals send F13/F14 instead): both must be bound."""
    from textual import events
    from textual._xterm_parser import XTermParser
    from textual.binding import Binding

    from tui.learner.screens.exercise import ExerciseScreen

    def keys(data: str) -> list[object]:
        parser = XTermParser()
        return [e.key for e in [*parser.feed(data), *parser.feed("")] if isinstance(e, events.Key)]

    assert keys("\x1b[1;2P") == ["shift+f1"] and keys("\x1b[1;2Q") == ["shift+f2"]
    bound = {b.id: set(b.key.split(",")) for b in ExerciseScreen.BINDINGS if isinstance(b, Binding)}
    assert {"shift+f1", "f13"} <= bound["exercise.console"]
    assert {"shift+f2", "f14"} <= bound["exercise.preview"]
