"""The learner's loop through the real app and a fake control server, at 80x24 and 120x40."""

from __future__ import annotations

import io
import os

import pytest
from rich.console import Console
from textual.widgets import Log, Markdown, Static

from tests.tui.conftest import SMALL, WIDE, learner_app, wait_until
from tests.tui.fake_server import GREET_START, FakeServer
from tui.learner.screens import exercise as exercise_module
from tui.learner.screens.confirm import ConfirmScreen
from tui.learner.screens.exercise import ExerciseScreen
from tui.learner.screens.help import HelpScreen
from tui.learner.screens.history import HistoryScreen
from tui.learner.screens.passed import PassedScreen
from tui.widgets.editor import SlateEditor
from tui.widgets.output import MAX_CHARS, OutputPane

SIZES = [pytest.param(SMALL, id="80x24"), pytest.param(WIDE, id="120x40")]


async def open_greet(pilot, fake: FakeServer) -> ExerciseScreen:  # type: ignore[no-untyped-def]
    """From the course map, "continue" into the JavaScript greet exercise."""
    app = pilot.app
    fake.state[("html", "first-page")] = "passed"
    fake.state[("javascript", "greet")] = "in_progress"  # not the first time: opens on the code
    await wait_until(pilot, lambda: app.map_screen.entries)
    app.load_course_map()  # pick up the state set above
    await wait_until(pilot, lambda: app.map_screen.entries["html/first-page"].state == "passed")
    await pilot.press("c")
    await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
    screen = app.screen
    assert isinstance(screen, ExerciseScreen)
    assert screen.detail.id == "greet"
    return screen


def visible_panes(screen: ExerciseScreen) -> set[str]:
    return {p for p in ("lesson", "editor", "output") if screen.query_one(f"#{p}-pane").display}


@pytest.mark.parametrize("size", SIZES)
async def test_open_type_check_fail_fix_pass_next(fake: FakeServer, size) -> None:  # type: ignore[no-untyped-def]
    app = learner_app(fake)
    async with app.run_test(size=size) as pilot:
        screen = await open_greet(pilot, fake)
        assert app.sub_title == "signed in as sam (learner)"
        editor = screen.current_editor()
        assert editor.text == GREET_START
        assert editor.has_focus

        # A first check fails: a PASS/FAIL list with the first failure's message open.
        await pilot.press("f6")
        await wait_until(pilot, lambda: screen.query_one(OutputPane).results)
        output = screen.query_one(OutputPane)
        assert [t["status"] for t in output.results] == ["passed", "failed"]
        detail = str(screen.query_one("#check-detail", Static).render())
        assert "expected the text 'Hello, '" in detail
        assert "1 of 2 tests passed" in str(screen.query_one("#output-summary", Static).render())
        if size == SMALL:
            assert visible_panes(screen) == {"output"}

        # Fix it in the editor: typing goes through the real TextArea.
        await pilot.press("f3")
        assert editor.has_focus
        editor.move_cursor((2, 10))
        await pilot.press("delete", "delete", *"Hello,")
        assert "return 'Hello, ' + name;" in editor.text
        assert str(screen.query_one("#save-mark", Static).render()) == "Not saved"

        # Check saves first, then passes: a warm message, and Enter opens the next exercise.
        await pilot.press("alt+c")
        await wait_until(pilot, lambda: isinstance(app.screen, PassedScreen))
        assert "Hello, " in fake.file_text("javascript", "greet", "greet.js")
        assert fake.of_type("saved")[-1]["paths"] == ["javascript/greet/greet.js"]
        assert "Well done, sam!" in str(app.screen.query_one("#passed-title", Static).render())
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, ExerciseScreen) and app.screen.detail.id == "loops",
        )
        assert fake.of_type("check")[-1]["exercise"] == "greet"


@pytest.mark.parametrize("size", SIZES)
async def test_hint_ladder_one_at_a_time(fake: FakeServer, size) -> None:  # type: ignore[no-untyped-def]
    app = learner_app(fake)
    async with app.run_test(size=size) as pilot:
        screen = await open_greet(pilot, fake)
        hints = screen.query_one("#hints", Static)
        assert "Hints used: 0 of 3" in str(hints.render())
        for number in (1, 2, 3):
            await pilot.press("f7" if number != 2 else "alt+h")
            await fake.wait_for("hint", number)
            await wait_until(pilot, lambda n=number: len(screen.detail.hints) == n)
            assert f"Hint {number}:" in str(hints.render())
            assert f"Hint {number + 1}:" not in str(hints.render())
        assert "seen all the hints" in str(hints.render())
        if size == SMALL:
            assert visible_panes(screen) == {"lesson"}
        await pilot.press("f7")
        await pilot.pause()
        assert len(fake.of_type("hint")) == 3  # no fourth reveal is asked for


@pytest.mark.parametrize("size", SIZES)
async def test_history_restore_a_file(fake: FakeServer, size) -> None:  # type: ignore[no-untyped-def]
    app = learner_app(fake)
    async with app.run_test(size=size) as pilot:
        screen = await open_greet(pilot, fake)
        editor = screen.current_editor()
        editor.move_cursor((0, 0))
        await pilot.press(*"// first\n")
        await pilot.press("ctrl+s")
        await fake.wait_for("saved", 1)
        first = editor.text
        await pilot.press(*"// second\n")
        await pilot.press("f8")  # saves first, then opens history
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        await wait_until(pilot, lambda: len(history.versions) == 2)
        await pilot.press("down")  # the older version ("first")
        await pilot.press("enter")
        await fake.wait_for("history_diff")
        await wait_until(pilot, lambda: "second" in str(history.query_one("#diff").render()))
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        restore = fake.of_type("restore")[-1]
        assert restore["path"] == "javascript/greet/greet.js" and restore["version"] == "v1"
        await wait_until(pilot, lambda: editor.text == first)
        assert not editor.dirty
        assert fake.file_text("javascript", "greet", "greet.js") == first


@pytest.mark.parametrize("size", SIZES)
async def test_reset_to_starter_asks_first(fake: FakeServer, size) -> None:  # type: ignore[no-untyped-def]
    app = learner_app(fake)
    async with app.run_test(size=size) as pilot:
        screen = await open_greet(pilot, fake)
        editor = screen.current_editor()
        await pilot.press(*"oops")
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # changed my mind: nothing happens
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert not fake.of_type("reset")
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        await wait_until(pilot, lambda: editor.text == GREET_START)
        # The work replaced by the reset was saved, and snapshotted before the reset.
        assert any("oops" in "".join(v["files"].values()) for v in fake.versions)


async def test_panes_switch_one_key_each_at_80x24(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        assert visible_panes(screen) == {"editor"}
        for keys, pane in (("f2", "lesson"), ("f4", "output"), ("f3", "editor"),
                           ("alt+1", "lesson"), ("alt+3", "output"), ("alt+2", "editor")):
            await pilot.press(keys)
            assert visible_panes(screen) == {pane}, keys
        assert screen.current_editor().has_focus
        keys_text = str(screen.query_one("#keys").render())
        for words in ("F2/Alt+1", "F3/Alt+2", "F4/Alt+3", "Lesson", "Check", "Hint"):
            assert words in keys_text


async def test_panes_side_by_side_from_120_columns(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_greet(pilot, fake)
        assert visible_panes(screen) == {"lesson", "editor", "output"}
        assert screen.query_one("#lesson", Markdown).region.width > 20
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: visible_panes(screen) == {"editor"})


@pytest.mark.parametrize("size", SIZES)
async def test_help_screen_lists_every_key(fake: FakeServer, size) -> None:  # type: ignore[no-untyped-def]
    app = learner_app(fake)
    async with app.run_test(size=size) as pilot:
        await open_greet(pilot, fake)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.help_table())
        text = console.export_text()
        for words in ("F2/Alt+1", "Show the lesson", "F6/Alt+C", "Check your work",
                      "F9/Alt+S", "Stop your program", "Ctrl+Z", "Undo", "Ctrl+Q"):
            assert words in text, words
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))


@pytest.mark.parametrize("size", SIZES)
async def test_flood_of_output_is_capped_and_screen_stays_usable(fake: FakeServer, size) -> None:  # type: ignore[no-untyped-def]
    app = learner_app(fake)
    fake.run_script = "flood"  # 400 chunks of 8 KB with escape sequences: 3.2 MB
    async with app.run_test(size=size) as pilot:
        screen = await open_greet(pilot, fake)
        await pilot.press("f5")
        await wait_until(pilot, lambda: screen.running is None, timeout=20)
        output = screen.query_one(OutputPane)
        log = output.query_one("#run-log", Log)
        assert output.capped
        assert output.shown_chars <= MAX_CHARS
        lines = log.lines
        assert len(lines) <= 2_000
        assert all(len(line) <= 2_100 for line in lines)
        assert not any("\x1b" in line for line in lines)
        assert any("\\x1b[2J" in line for line in lines)  # shown, made harmless
        assert "too much output" in "".join(lines[-3:])
        assert "stopped because it printed too much" in str(
            output.query_one("#output-summary", Static).render()
        )
        # Still responsive: switch to the editor and type.
        await pilot.press("f3", "x")
        assert screen.current_editor().text.startswith("x")


async def test_stop_key_stops_a_program_that_never_ends(fake: FakeServer) -> None:
    app = learner_app(fake)
    fake.run_script = "forever"
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        await pilot.press("alt+r")
        await wait_until(pilot, lambda: screen.run_id is not None)
        await wait_until(pilot, lambda: "tick" in "".join(screen.query_one("#run-log", Log).lines))
        await pilot.press("f9")
        stop = await fake.wait_for("stop")
        assert stop["run_id"] == screen.run_id
        await wait_until(pilot, lambda: screen.running is None)
        assert "stopped" in str(screen.query_one("#output-summary", Static).render())


@pytest.mark.parametrize("size", SIZES)
async def test_disconnect_keeps_and_saves_the_work(fake: FakeServer, size) -> None:  # type: ignore[no-untyped-def]
    app = learner_app(fake)
    async with app.run_test(size=size) as pilot:
        screen = await open_greet(pilot, fake)
        editor = screen.current_editor()
        await pilot.press(*"// not lost\n")
        await fake.disconnect()
        await wait_until(pilot, lambda: app.offline_reason is not None)
        banner = screen.query_one("#offline", Static)
        assert banner.display
        assert "connection to the classroom server was lost" in str(banner.render())
        assert "saved on this computer" in str(banner.render())
        assert editor.text.startswith("// not lost")
        assert fake.file_text("javascript", "greet", "greet.js") == editor.text
        # Checking now says why it cannot, and the editor keeps working and saving.
        await pilot.press("f6")
        await wait_until(
            pilot, lambda: "lost" in str(screen.query_one("#output-summary", Static).render())
        )
        await pilot.press("f3", *"more")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not editor.dirty)
        assert "more" in fake.file_text("javascript", "greet", "greet.js")


async def test_autosave_after_typing_stops(fake: FakeServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(exercise_module, "AUTOSAVE_SECONDS", 0.3)
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        await pilot.press(*"// auto\n")
        mark = screen.query_one("#save-mark", Static)
        assert str(mark.render()) == "Not saved"
        saved = await fake.wait_for("saved")  # the autosave timer fired on its own
        assert saved["paths"] == ["javascript/greet/greet.js"]
        await wait_until(pilot, lambda: str(mark.render()) == "Saved")
        assert fake.file_text("javascript", "greet", "greet.js").startswith("// auto")


async def test_read_only_files_are_read_only_and_tabs_switch(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        editors = {e.file_name: e for e in screen.query(SlateEditor)}
        assert not editors["greet.js"].read_only and editors["notes.md"].read_only
        assert editors["greet.js"].language == "javascript"
        assert editors["notes.md"].language == "markdown"
        await pilot.press("alt+n")
        assert screen.current_editor() is editors["notes.md"]
        await pilot.press(*"zz")
        assert "zz" not in editors["notes.md"].text
        assert str(screen.query_one("#save-mark", Static).render()) == "Read only"
        assert all(not e.cursor_blink for e in editors.values())


async def test_server_pushes_notify_repaint_shutdown(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        fake.push("notify", text="Class ends in 5 minutes\x1b[2J", severity="warning",
                  title="Teacher")
        await wait_until(pilot, lambda: app._notifications)
        note = list(app._notifications)[-1]
        assert note.message == "Class ends in 5 minutes\\x1b[2J" and note.severity == "warning"
        # (a push with an unknown severity is refused by the protocol: see test_control)
        fake.push("notify", text="[bold]not markup[/] [/oops]", title="[b]x")
        await wait_until(pilot, lambda: len(app._notifications) >= 2)
        plain = list(app._notifications)[-1]
        assert plain.message == "[bold]not markup[/] [/oops]" and plain.severity == "information"
        invalidated = []
        app.frame_diff.invalidate = lambda: invalidated.append(True)  # type: ignore[method-assign]
        fake.push("repaint")
        await wait_until(pilot, lambda: invalidated)
        await pilot.press(*"// bye\n")
        fake.push("shutdown", reason="The classroom is closing.")
        await wait_until(pilot, lambda: not app.is_running)
        assert screen.current_editor().text.startswith("// bye")
    assert fake.file_text("javascript", "greet", "greet.js").startswith("// bye")


async def test_git_panel_sends_git_requests_and_shows_replies_safely(fake: FakeServer) -> None:
    from tui.learner.screens.git_panel import GitScreen

    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app.map_screen.entries)
        app.open_exercise("git", "first-commit")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        assert "Git" in str(app.screen.query_one("#keys").render())
        await pilot.press("alt+g")
        await wait_until(pilot, lambda: isinstance(app.screen, GitScreen))
        status = await fake.wait_for("git")
        assert status["op"] == "status" and status["course"] == "git"
        output = app.screen.query_one("#git-output", Static)
        await wait_until(pilot, lambda: "git status" in str(output.render()))
        assert "\x1b" not in str(output.render())
        # Commit without a message explains what to do; with one, sends it.
        await pilot.click("#git-commit")
        await wait_until(pilot, lambda: "Type a commit message" in str(output.render()))
        # Keyboard only: type in the box, Down to the buttons, Right to Commit, Enter.
        button = app.screen.query_one("#git-commit")
        await wait_until(pilot, lambda: not button.has_class("-active"))  # press debounce
        assert app.screen.query_one("#git-text").has_focus
        await pilot.press(*"My first commit", "down", "right", "right", "right")
        assert button.has_focus
        await pilot.press("enter")
        commit = await fake.wait_for("git", 2)
        assert commit["op"] == "commit" and commit["args"] == {"message": "My first commit"}
        await pilot.click("#git-log")
        await fake.wait_for("git", 3)
        await wait_until(pilot, lambda: "def5678  First" in str(output.render()))
        assert "\x1b" not in str(output.render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))


@pytest.mark.parametrize("keys", ["alt+m", "f12"])
async def test_back_to_course_map_saves_and_shows_progress(fake: FakeServer, keys: str) -> None:
    from tui.learner.screens.course_map import CourseMapScreen

    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        await pilot.press(*"// mine\n")
        await pilot.press(keys)
        await wait_until(pilot, lambda: isinstance(app.screen, CourseMapScreen))
        assert fake.file_text("javascript", "greet", "greet.js").startswith("// mine")
        await wait_until(pilot, lambda: app.map_screen.entries["javascript/greet"].state
                         == "in_progress")
        assert screen not in app.screen_stack
        await pilot.press("c")  # continue: straight back to where I was
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        assert app.screen.detail.id == "greet"
        assert app.screen.current_editor().text.startswith("// mine")


async def test_undo_and_redo_in_the_editor(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        editor = screen.current_editor()
        await pilot.press(*"abc")
        assert editor.text.startswith("abc")
        await pilot.press("ctrl+z")
        assert editor.text == GREET_START
        await pilot.press("ctrl+y")
        assert editor.text.startswith("abc")


async def test_a_file_that_cannot_be_read_is_never_saved_over(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app.map_screen.entries)
        folder = fake.workspace / "javascript" / "greet"
        folder.mkdir(parents=True)
        (folder / "greet.js").write_text("precious work")
        os.link(folder / "greet.js", fake.workspace / "hardlink.js")  # refused by the file API
        app.open_exercise("javascript", "greet")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        screen = app.screen
        editor = screen.current_editor()
        assert editor.read_only and "cannot show this file" in editor.text
        await pilot.press(*"xyz", "ctrl+s")
        await screen.save_all()
        assert (folder / "greet.js").read_text() == "precious work"
