"""The editor lesson (start/editor) teaches keys that really do what it says.

Plays every job of courses/catalog/00-start/02-editor/starter/jobs.txt in the real SlateEditor
with exactly the keys the lesson and the jobs name (Ctrl+End, Shift+Down, Ctrl+X, Ctrl+C, Home,
Ctrl+V, Shift+Right, Ctrl+Z), then runs the exercise's real check on what the editor holds: it
must pass. And the trap the lesson warns about: pasting while the copied line is still selected
replaces it, so the check must then fail on Job 4 with advice to press Home first.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.app import App, ComposeResult

from courses.catalog import load_catalog
from courses.checks import run_checks
from tui.widgets.editor import SlateEditor

COURSE = Path(__file__).resolve().parents[2] / "courses" / "catalog" / "00-start"
STARTER = (COURSE / "02-editor" / "starter" / "jobs.txt").read_text()

class EditorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SlateEditor("jobs.txt", STARTER, id="editor")


async def _go_to(pilot, editor: SlateEditor, line_text: str) -> None:
    """Press Up or Down until the cursor is on the first line that is exactly ``line_text``."""
    target = editor.text.split("\n").index(line_text)
    row = editor.cursor_location[0]
    await pilot.press(*(["down"] * (target - row) if target > row else ["up"] * (row - target)))
    await pilot.press("home")
    assert editor.cursor_location == (target, 0)


async def _play(home_before_paste: bool) -> str:
    app = EditorApp()
    async with app.run_test(size=(100, 50)) as pilot:
        editor = app.query_one(SlateEditor)
        editor.focus()
        await pilot.pause()
        # Job 1: Ctrl+End, type the name after "Name:", Ctrl+Home.
        await pilot.press("ctrl+end", "space", "S", "a", "m", "ctrl+home")
        assert editor.cursor_location == (0, 0)
        # Job 2: Home, Shift+Down, Backspace on the line in capitals.
        await _go_to(pilot, editor, "THIS LINE SHOULD NOT BE HERE")
        await pilot.press("shift+down", "backspace")
        # Job 3: cut "1. Boil the water" and paste it above "2. Put a tea bag in the cup".
        await _go_to(pilot, editor, "1. Boil the water")
        await pilot.press("shift+down", "ctrl+x")
        await _go_to(pilot, editor, "2. Put a tea bag in the cup")
        await pilot.press("ctrl+v")
        # Job 4: copy "Thank you!" and paste it twice (Home first, as Example 3 says).
        await _go_to(pilot, editor, "Thank you!")
        await pilot.press("shift+down", "ctrl+c")
        if home_before_paste:
            await pilot.press("home")
        await pilot.press("ctrl+v", "ctrl+v")
        # Job 5: before "cat", Shift+Right three times, type dog.
        await _go_to(pilot, editor, "The cat sat on the mat.")
        await pilot.press("right", "right", "right", "right")
        await pilot.press("shift+right", "shift+right", "shift+right", "d", "o", "g")
        # Job 6: type xyz at the end of the line, Ctrl+Z until it is gone.
        await _go_to(pilot, editor, "Undo brings it back.")
        await pilot.press("end", "x", "y", "z")
        await pilot.pause()
        assert "Undo brings it back.xyz" in editor.text
        for _ in range(5):
            if "back.xyz" not in editor.text and "back.x" not in editor.text:
                break
            await pilot.press("ctrl+z")
            await pilot.pause()
        await pilot.pause()
        return editor.text


def _check(tmp_path: Path, text: str):
    exercise = load_catalog(COURSE).exercise("start", "editor")
    work = tmp_path / "learner"
    work.mkdir()
    (work / "jobs.txt").write_text(text)
    return asyncio.run(run_checks(exercise, work))


def test_the_keys_the_lesson_teaches_pass_the_check(tmp_path: Path) -> None:
    text = asyncio.run(_play(home_before_paste=True))
    assert "The dog sat on the mat." in text and "Name: Sam" in text, text
    result = _check(tmp_path, text)
    assert result.status == "passed", result.to_dict()


def test_pasting_over_the_selection_is_caught_with_advice(tmp_path: Path) -> None:
    text = asyncio.run(_play(home_before_paste=False))
    assert text.count("\nThank you!\n") == 1 and "Thank you!\nThank you!\n" in text
    result = _check(tmp_path, text)
    assert result.status == "failed"
    failed = [t for t in result.tests if t.status != "passed"]
    assert [t.name for t in failed] == ["Job 4: three lines that say Thank you!"]
    assert "press Home before each Ctrl+V" in failed[0].message
