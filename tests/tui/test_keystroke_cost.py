"""What a keystroke costs on the exercise screen (issue 15), without changing what is drawn.

* The exercise screen's compositor (tui/widgets/row_compositor.py) draws only the changed rows
  and skips widgets hidden behind others: every partial update it sends is checked here against
  what Textual's own compositor draws for the same update, through typing, Enter, a wrapped
  line, selection, pane switches, a notification over the editor and a resize.
* A keystroke posts no message nobody reads (TextArea's Changed and SelectionChanged bubbled
  through six widgets per key): the exercise screen hears of a change by a direct call, and
  the saved mark and the autosave still follow every change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pytest
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.message import Message
from textual.message_pump import MessagePump
from textual.strip import Strip
from textual.widgets import Static, TextArea

from tests.tui.conftest import SMALL, WIDE, learner_app, wait_until
from tests.tui.fake_server import FakeServer
from tests.tui.test_learner_flow import open_greet
from tui.learner.screens import exercise as exercise_module
from tui.widgets.editor import SlateEditor
from tui.widgets.row_compositor import RowCompositor


def _row(
    chops: Mapping[int, Strip | None], ends: list[int], crop: Region
) -> list[tuple[str, object]]:
    """The cells (character, style) of a row that an update sends: those in the crop's columns
    (pieces may be split differently, cells may not; a piece with no cell there may be left
    unpainted, as it is not sent)."""
    row: list[tuple[str, object]] = []
    for (x, strip), end in zip(chops.items(), ends, strict=False):
        if strip is None:
            assert end <= crop.x or x >= crop.right, f"cut {x} left unpainted"
            row.extend([("", None)] * (end - x))
        else:
            row.extend((char, seg.style) for seg in strip for char in seg.text)
    return row[crop.x : crop.right]


def _text(chops: Mapping[int, Strip | None], ends: list[int], crop: Region) -> str:
    return "".join(char for char, _ in _row(chops, ends, crop))


@pytest.mark.parametrize("size", [SMALL, WIDE])
async def test_row_compositor_draws_what_textual_draws(  # type: ignore[no-untyped-def]
    fake: FakeServer, size, monkeypatch
) -> None:
    compared: list[int] = []
    mine = RowCompositor._render_chops

    def both(
        self: RowCompositor, crop: Region, is_rendered_line: Callable[[int], bool]
    ) -> Sequence[Mapping[int, Strip]]:
        ours = mine(self, crop, is_rendered_line)
        theirs = Compositor._render_chops(self, crop, is_rendered_line)
        crop = crop.intersection(self.size.region)
        for y in crop.line_range:
            if is_rendered_line(y):
                ends = self.cuts[y][1:]
                assert _row(ours[y], ends, crop) == _row(theirs[y], ends, crop), (
                    y, crop, _text(ours[y], ends, crop), _text(theirs[y], ends, crop)
                )
                compared.append(y)
        return ours

    monkeypatch.setattr(RowCompositor, "_render_chops", both)
    app = learner_app(fake)
    async with app.run_test(size=size) as pilot:
        screen = await open_greet(pilot, fake)
        assert isinstance(screen._compositor, RowCompositor)
        await pilot.press(*"abc")
        await pilot.press("enter", *"de", "backspace")
        await pilot.press(*("a long line that wraps at the edge of the editor pane " * 2))
        await pilot.press("up", "shift+down", "shift+right", "left")
        app.notify("A note over the editor", timeout=30)
        await pilot.pause()
        await pilot.press(*"xy")
        await pilot.press("f2", "f3", *"z")
        await pilot.resize_terminal(size[0] + 7, size[1] + 3)
        await pilot.pause()
        await pilot.press(*"q", "ctrl+s")
        await pilot.pause()
    assert len(compared) > 20  # partial updates were drawn and compared, row by row


async def test_a_keystroke_posts_no_message_nobody_reads(  # type: ignore[no-untyped-def]
    fake: FakeServer, monkeypatch
) -> None:
    monkeypatch.setattr(exercise_module, "AUTOSAVE_SECONDS", 0.3)
    posted: list[type[Message]] = []
    original = MessagePump.post_message

    def recording(self: MessagePump, message: Message) -> bool:
        posted.append(type(message))
        return original(self, message)

    monkeypatch.setattr(MessagePump, "post_message", recording)
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_greet(pilot, fake)
        mark = screen.query_one("#save-mark", Static)
        assert str(mark.render()) == "Saved"
        posted.clear()
        await pilot.press(*"// typed\n")
        assert str(mark.render()) == "Not saved"  # the screen heard of the change
        saved = await fake.wait_for("saved")  # and autosaved it
        assert saved["paths"] == ["javascript/greet/greet.js"]
        await wait_until(pilot, lambda: str(mark.render()) == "Saved")
        assert fake.file_text("javascript", "greet", "greet.js").startswith("// typed")
    assert not [m for m in posted if issubclass(m, (TextArea.Changed, TextArea.SelectionChanged))]


class OneEditor(App[None]):
    changed = 0

    def compose(self) -> ComposeResult:
        yield SlateEditor("notes.txt", "hello")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.changed += 1


async def test_an_editor_without_a_listener_still_posts_changed() -> None:
    app = OneEditor()
    async with app.run_test(size=SMALL) as pilot:
        app.query_one(SlateEditor).focus()
        await pilot.press(*"ab")
        await pilot.pause()
        assert app.changed == 2
        assert app.query_one(SlateEditor).text == "abhello"


class ShortFile(App[None]):
    TEXT = "".join(f"line {i}\n" for i in range(3))

    def compose(self) -> ComposeResult:
        yield SlateEditor("notes.txt", self.TEXT)
        yield Static("below")


async def test_undo_that_removes_the_scroll_bar_keeps_the_session() -> None:
    """Textual 8.2.8 raised ValueError (and the session ended) when an undo took away enough
    lines for the scroll bar to go: it scrolled to the cursor before moving it back into the
    shorter text. Every key is undone, the text is what it was, the cursor is on the screen."""
    app = ShortFile()
    async with app.run_test(size=(60, 16)) as pilot:
        editor = app.query_one(SlateEditor)
        editor.focus()
        await pilot.pause()
        await pilot.press("ctrl+end", *(["enter", "x"] * 12), "up", "up", "up")
        await pilot.press(*"a long line " * 9, *(["backspace"] * 40))
        assert editor.show_vertical_scrollbar
        await pilot.press(*(["ctrl+z"] * 30))
        await pilot.pause()
        assert app.is_running
        assert editor.text == ShortFile.TEXT
        assert not editor.show_vertical_scrollbar
        row = editor.cursor_location[0]
        assert editor.scroll_offset.y <= row < editor.scroll_offset.y + editor.size.height
