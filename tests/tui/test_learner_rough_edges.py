"""Issue 13's rough edges in the learner app, each one as a learner meets it (real app, fake
control server, Pilot at 80x24 and 120x40)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.geometry import Region
from textual.widgets import Label, ListView, Log, Static

from tests.tui.conftest import SMALL, WIDE, learner_app, wait_until
from tests.tui.fake_server import FakeServer
from tests.tui.test_learner_flow import open_greet, visible_panes
from tui.learner.screens.confirm import ConfirmScreen
from tui.learner.screens.exercise import ExerciseScreen
from tui.learner.screens.help import NAMES, HelpScreen
from tui.learner.screens.history import HistoryScreen
from tui.learner.screens.passed import PassedScreen
from tui.widgets.key_bar import KeyBar
from tui.widgets.output import OutputPane


def summary(screen: ExerciseScreen) -> str:
    return str(screen.query_one("#output-summary", Static).render())


async def test_run_error_points_below_and_hides_node_internal_frames(fake: FakeServer) -> None:
    """A program that throws: the summary says to read the messages *below* (the log is under
    it), the learner's own stack frame stays, Node.js's internal frames are left out (even when
    a frame arrives split across two chunks) and a note says how many."""
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        output = screen.query_one(OutputPane)
        output.start_run("Running…")
        output.append("Error: boom\n    at greet (/workspace/javascript/greet/greet.js:3:9)\n"
                      "    at Module._comp")
        output.append("ile (node:internal/modules/cjs/loader:1256:14)\n"
                      "    at node:internal/main/run_main_module:28:49")
        output.end_run({"exit_code": 1})
        await pilot.pause()
        lines = screen.query_one("#run-log", Log).lines
        text = "\n".join(lines)
        assert "Error: boom" in text
        assert "greet.js:3:9" in text
        assert "node:internal" not in text
        assert "2 lines from inside Node.js are not shown" in text
        assert "Read the messages below." in summary(screen)
        assert "above" not in summary(screen)


async def test_restore_clears_the_old_check_result(fake: FakeServer) -> None:
    """After restoring an older version, the output pane no longer shows the result of a check
    that was about other code."""
    app = learner_app(fake)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_greet(pilot, fake)
        editor = screen.current_editor()
        editor.move_cursor((0, 0))
        await pilot.press(*"// first\n", "ctrl+s")
        await fake.wait_for("saved", 1)
        await pilot.press(*"// second\n", "f6")
        output = screen.query_one(OutputPane)
        await wait_until(pilot, lambda: output.results)
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        await wait_until(pilot, lambda: len(history.versions) == 2)
        await pilot.press("down", "enter")
        await fake.wait_for("history_diff")
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        await wait_until(pilot, lambda: "restored" in summary(screen))
        assert output.results == []
        assert len(screen.query_one("#check-list", ListView).children) == 0
        assert "1 of 2 tests passed" not in summary(screen)


async def test_ctrl_home_ctrl_end_and_select_all(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        editor = screen.current_editor()
        editor.move_cursor((2, 3))
        await pilot.press("ctrl+end", "X")
        assert editor.text.endswith("\nX")
        await pilot.press("ctrl+home", "Y")
        assert editor.text.startswith("Y// Write")
        await pilot.press("ctrl+a", "Z")
        assert editor.text == "Z"
        await pilot.press("home", "A")
        assert editor.text == "AZ"


def _help_text(app) -> str:  # type: ignore[no-untyped-def]
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(app.screen.help_table())
    return console.export_text()


@pytest.mark.parametrize("exercise", ["html", "greet"])
async def test_key_bar_and_f1_list_the_same_exercise_keys(fake: FakeServer, exercise: str) -> None:
    """An HTML exercise has nothing to run: neither the key bar nor F1 offers Run or Stop. A
    JavaScript one offers Run in both. Every key the key bar shows, F1 lists, and F1 lists the
    editor's keys that work (Ctrl+Home/End, Ctrl+A)."""
    app = learner_app(fake)
    async with app.run_test(size=WIDE) as pilot:
        if exercise == "greet":
            screen = await open_greet(pilot, fake)
        else:
            await wait_until(pilot, lambda: app.map_screen.entries)
            await pilot.press("c")  # html/first-page: nothing passed yet
            await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
            screen = app.screen
        bar = str(screen.query_one(KeyBar).render())
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = _help_text(app)
        for binding in screen.help_bindings():
            if binding.show and binding.id not in ("exercise.next_file", "exercise.save"):
                assert binding.description in bar
            assert NAMES.get(binding.description, binding.description) in text
        if exercise == "html":
            assert "Run" not in bar and "Run your program" not in text
            assert "Stop your program" not in text
        else:
            assert "Run" in bar and "Run your program" in text
        assert "Ctrl+Home/Ctrl+End" in text and "Ctrl+A" in text


async def test_first_opening_shows_the_lesson_then_the_code(fake: FakeServer) -> None:
    """At 80x24 an exercise never opened before starts on its lesson; once started, on the
    code."""
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app.map_screen.entries)
        await pilot.press("c")  # html/first-page, not started
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        screen = app.screen
        assert visible_panes(screen) == {"lesson"}
        assert screen.query_one("#lesson-pane").has_focus
        await pilot.press("f3", *"<h1>")  # now it is started
        await pilot.press("f12")
        await wait_until(pilot, lambda: app.screen is app.map_screen)
        fake.state[("html", "first-page")] = "in_progress"
        app.load_course_map()
        await wait_until(
            pilot, lambda: app.map_screen.entries["html/first-page"].state == "in_progress"
        )
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        screen = app.screen
        assert visible_panes(screen) == {"editor"}
        assert screen.current_editor().has_focus


async def test_lesson_is_60_columns_wide_at_120_and_says_what_you_learn_once(
    fake: FakeServer,
) -> None:
    fake.exercises[("javascript", "greet")].lesson = (
        "# Say hello\n\n## What you will learn\n\nHow a function gives back a value.\n\n"
        "## Your task\n\nMake `greet('Sam')` return `Hello, Sam`."
    )
    app = learner_app(fake)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_greet(pilot, fake)
        assert screen.detail.learn and screen.detail.learn not in screen.detail.lesson
        assert not screen.query("#lesson-learn")  # the lesson says it already
        await pilot.pause()
        assert screen.query_one("#lesson-pane").content_region.width >= 60
        assert visible_panes(screen) == {"lesson", "editor", "output"}


async def test_a_lesson_without_its_own_part_shows_what_you_learn(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_greet(pilot, fake)
        learn = screen.query_one("#lesson-learn", Static)
        assert str(learn.render()) == screen.detail.learn


async def test_long_test_names_end_with_an_ellipsis(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        await pilot.press("f4")
        output = screen.query_one(OutputPane)
        long_name = "the page has a heading that says exactly what the page is about " * 3
        output.show_check({"status": "failed", "summary": "1 of 2 tests passed.", "tests": [
            {"name": long_name, "status": "failed", "message": "No heading."},
            {"name": "short", "status": "passed"},
        ]})
        await pilot.pause()
        labels = list(screen.query_one("#check-list", ListView).query(Label))
        first = labels[0]
        rendered = first.render_lines(Region(0, 0, first.size.width, first.size.height))
        assert len(rendered) == 1  # one line, not wrapped
        assert rendered[0].text.rstrip().endswith("…")
        assert "FAIL" in rendered[0].text


async def test_checking_a_passed_exercise_again_says_still_passing(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        editor = screen.current_editor()
        editor.move_cursor((2, 10))
        await pilot.press("delete", "delete", *"Hello,", "f6")
        await wait_until(pilot, lambda: isinstance(app.screen, PassedScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.press("f3", "end", *" // again", "f6")
        await fake.wait_for("check", 2)
        await wait_until(pilot, lambda: "Still passing" in summary(screen))
        await pilot.pause()
        assert not isinstance(app.screen, PassedScreen)
        assert any("Still passing" in n.message for n in app._notifications)


RAW_GIT_DIFF = """diff --git a/html/p/index.html b/html/p/index.html
index cc72e1a..3b18e51 100644
--- a/html/p/index.html
+++ b/html/p/index.html
@@ -3,4 +3,5 @@ <html>
 <body>
-  <p>old</p>
+  <h1>Hello</h1>
 </body>
\\ No newline at end of file
diff --git a/html/p/style.css b/html/p/style.css
new file mode 100644
index 0000000..e69de29
--- /dev/null
+++ b/html/p/style.css
@@ -0,0 +1 @@
+h1 { color: red; }
"""


def test_history_diff_reads_without_git_headers() -> None:
    from tui.learner.screens.history import diff_text

    text = diff_text(RAW_GIT_DIFF).plain
    for raw in ("diff --git", "index cc72", "@@", "--- a/", "+++ b/", "/dev/null", "No newline"):
        assert raw not in text, raw
    assert "In index.html, from line 3:" in text
    assert "- " + "  <p>old</p>" in text and "+ " + "  <h1>Hello</h1>" in text
    assert "style.css is new in your work now:" in text


async def test_history_screen_shows_the_beginner_diff(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_greet(pilot, fake)
        screen.current_editor().move_cursor((0, 0))
        await pilot.press(*"// first", "enter", "ctrl+s")
        await fake.wait_for("saved", 1)
        await pilot.press(*"// second", "enter", "f8")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        await wait_until(pilot, lambda: len(history.versions) == 2)
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: "second" in str(history.query_one("#diff").render()))
        shown = str(history.query_one("#diff").render())
        assert "In greet.js, from line 1:" in shown
        assert "+ // second" in shown
        assert "@@" not in shown and "+++" not in shown and "---" not in shown


async def test_every_editor_key_f1_lists_works(fake: FakeServer) -> None:
    """F1 lists the editor's keys; each one does what it says."""
    from tui.learner.screens.help import EDITOR_KEYS

    listed = {keys for keys, _ in EDITOR_KEYS}
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        editor = screen.current_editor()
        editor.load_text("one\ntwo\n" + "\n".join(f"line {i}" for i in range(60)))
        editor.move_cursor((0, 0))
        assert "Arrow keys" in listed and "Home/End" in listed
        await pilot.press("down", "right", "end", "X", "home", "Y")
        assert editor.document.get_line(1) == "YtwoX"
        assert "PgUp/PgDn" in listed
        await pilot.press("pagedown")
        assert editor.cursor_location[0] > 5
        await pilot.press("pageup", "ctrl+home")
        assert editor.cursor_location == (0, 0)
        assert "Shift+arrows" in listed and "Ctrl+X, C, V" in listed
        await pilot.press("shift+right", "shift+right", "shift+right", "ctrl+c")
        assert editor.selected_text == "one"
        await pilot.press("ctrl+end", "ctrl+v")
        assert editor.text.endswith("line 59one")
        await pilot.press("ctrl+home", "shift+right", "ctrl+x")
        assert editor.text.startswith("ne\n")
        assert "Ctrl+Z" in listed and "Ctrl+Y" in listed
        await pilot.press("ctrl+z")
        assert editor.text.startswith("one\n")
        await pilot.press("ctrl+y")
        assert editor.text.startswith("ne\n")
        assert "Tab" in listed
        await pilot.press("home", "tab")
        assert editor.text.startswith("  ne\n")  # two spaces in JavaScript
        assert "Ctrl+A" in listed
        await pilot.press("ctrl+a")
        assert editor.selected_text == editor.text
        assert "Ctrl+S" in listed
        await pilot.press("ctrl+s")
        await fake.wait_for("saved", 1)
        assert fake.file_text("javascript", "greet", "greet.js") == editor.text


def test_history_entries_say_what_happened_to_the_second() -> None:
    from datetime import datetime

    from tui.learner.screens.history import version_line

    when = datetime(2026, 11, 30, 14, 5, 7).timestamp()
    files = ["html/first-page/index.html"]
    other_day = datetime(2026, 12, 24).date()
    lines = [version_line({"time": when + i, "message": m, "files": files}, today=other_day)
             for i, m in
             enumerate(["save", "before run of html/first-page", "git commit in first-commit",
                        "restored html/first-page to abcdef12", "check html/first-page",
                        "something new \x1b[2J"])]
    assert lines[0] == "Mon 30 Nov 14:05:07 You saved\n  index.html"
    # Today's entries show only the time, so they fit the list at 80 columns (30 wide);
    # the lines added/removed and the check result each get a line of their own.
    today = datetime(2026, 11, 30).date()
    entry = version_line({"time": when, "message": "save", "files": files, "added": 2,
                          "removed": 1, "check": "1 of 5 tests pass"}, today=today)
    assert entry == "14:05:07 You saved\n  index.html: +2/-1 lines\n  check: 1 of 5 tests pass"
    assert all(len(line) <= 29 for line in entry.splitlines())
    # Two files and their counts do not fit one line: the counts get a line of their own
    # rather than being wrapped in the middle of the phrase.
    two = version_line({"time": when, "message": "save", "added": 26, "removed": 0,
                        "files": ["a/index.html", "a/script.js"]}, today=today)
    assert two == "14:05:07 You saved\n  index.html, script.js\n  +26/-0 lines"
    assert all(len(line) <= 29 for line in two.splitlines())
    assert lines[1] == "Mon 30 Nov 14:05:08 Just before a run\n  index.html"
    assert "Git: commit" in lines[2]
    assert "An earlier version put back" in lines[3]
    assert "When you checked" in lines[4]
    assert "\x1b" not in lines[5] and "something new" in lines[5]
    assert len(set(lines)) == len(lines)  # no two entries read the same
