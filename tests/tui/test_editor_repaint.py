"""The editor repaints only the rows that changed, and what it shows is what a full repaint shows.

Each step below (typing, Enter, Backspace, moving, selecting, a bracket match, scrolling, a long
line wrapping, undo, focus leaving) is checked twice: the rows on the screen equal the rows of a
repaint from scratch (caches emptied), so a skipped row is never stale; and typing a character
mid-file renders one row, not the whole editor (the CPU of a keystroke, issue 15).
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Static, TextArea

from tui.widgets.editor import SlateEditor, _highlight_key

FILE = "/*\nlet kept = 1;\n*/\n" + "".join(
    f"function step{i}(total) {{ return total + {i}; }} // line {i + 1}\n" for i in range(40)
)


class EditorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SlateEditor("steps.js", FILE, id="editor")
        yield Static("below", id="below")


def _rows(editor: SlateEditor) -> list[tuple[str, tuple[object, ...]]]:
    strips = editor.render_lines(editor.size.region.translate(editor.content_offset))
    return [(strip.text, tuple(seg.style for seg in strip)) for strip in strips]


def _fresh_rows(editor: SlateEditor) -> list[tuple[str, tuple[object, ...]]]:
    """The rows as a repaint from scratch draws them (every cache emptied first)."""
    editor._highlights_up_to_date()
    editor._line_cache.clear()
    Widget._set_dirty(editor)
    editor._frame_inputs = None
    return _rows(editor)


class RenderCount:
    def __init__(self) -> None:
        self.calls = 0
        self.original = TextArea._render_line

    def __enter__(self) -> RenderCount:
        counter = self

        def counting(area: TextArea, y: int):  # type: ignore[no-untyped-def]
            counter.calls += 1
            return counter.original(area, y)

        TextArea._render_line = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        TextArea._render_line = self.original  # type: ignore[method-assign]


async def test_rows_on_screen_match_a_full_repaint_after_every_kind_of_change() -> None:
    app = EditorApp()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(SlateEditor)
        editor.focus()
        await pilot.pause()
        steps: list[list[str]] = [
            ["down"] * 5 + ["end"],
            ["x", "y", "z"],
            ["enter", "a", "b"],
            ["backspace", "backspace", "backspace"],
            ["home", "right", "right"],
            ["shift+right", "shift+right", "shift+down"],
            ["left"],
            ["end", "left", "left", "left", "left", "left", "left"],  # next to a bracket
            ["quotation_mark"],  # opens a string: highlights change on the rows below
            ["ctrl+z"],
            ["ctrl+home", "delete", "delete"],  # no comment any more: row 2's colours change
            ["ctrl+z"],  # a comment again
            ["space"] * 50,  # the line wraps: every row below moves down
            ["down"] * 30,  # scrolls
            ["ctrl+home"],
        ]
        for keys in steps:
            for key in keys:
                await pilot.press(key)
            await pilot.pause(0.05)
            shown = _rows(editor)
            assert shown == _fresh_rows(editor), f"stale rows after {keys}"
        app.query_one("#below", Static).focus()  # focus leaves: the cursor is drawn differently
        await pilot.pause(0.05)
        assert _rows(editor) == _fresh_rows(editor)


async def test_typing_a_character_renders_one_row() -> None:
    app = EditorApp()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(SlateEditor)
        editor.focus()
        for key in ["down"] * 10 + ["end"]:
            await pilot.press(key)
        await pilot.pause(0.1)
        with RenderCount() as count:
            for key in "abcdefghij":
                await pilot.press(key)
                await pilot.pause(0.02)
        assert "abcdefghij" in editor.document.get_line(10)
        # One row per key (the edited one), where a plain TextArea draws all ~22 rows.
        assert count.calls <= 12, count.calls


def _highlight_rows(editor: SlateEditor) -> dict[int, object]:
    editor._highlights_up_to_date()
    return {row: _highlight_key(h) for row, h in editor._highlights.items() if h}


async def test_highlights_queried_for_edited_rows_equal_a_whole_file_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    partial: list[set[int]] = []
    query_rows = SlateEditor._query_rows

    def counting(editor: SlateEditor, query: object, rows: set[int]) -> None:
        partial.append(set(rows))
        query_rows(editor, query, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(SlateEditor, "_query_rows", counting)
    app = EditorApp()
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(SlateEditor)
        editor.focus()
        await pilot.pause()
        steps: list[list[str]] = [
            ["down"] * 6 + ["end"],
            ["x", "y"],  # inside a comment
            ["home", "quotation_mark"],  # a string opened at the start of a line
            ["backspace"],
            ["ctrl+home", "delete", "delete"],  # the comment of rows 0-2 is gone
            ["slash", "asterisk"],  # and back
            ["down", "down", "down", "home", "grave_accent"],  # a template string
            ["ctrl+z", "ctrl+z"],
            ["down", "end", "space", "f", "o", "o"],
        ]
        for keys in steps:
            for key in keys:
                await pilot.press(key)
            await pilot.pause(0.05)
            incremental = _highlight_rows(editor)
            editor._build_highlight_map()  # the whole file, from scratch
            assert incremental == _highlight_rows(editor), f"after {keys}"
        # Most edits above were queried row by row, not as a whole file.
        assert len(partial) > 5 and all(len(rows) < 20 for rows in partial[:3]), partial
