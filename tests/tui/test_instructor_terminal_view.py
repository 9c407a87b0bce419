"""The terminal view that shows a learner's screen to staff: emulated, filtered, bounded.

Hostile bytes a learner's program can print (OSC 52 clipboard, OSC 0 title, CSI 2J, DCS, C1
controls, bidi overrides) must change at most the *emulated* screen: what Textual writes to the
watcher's own terminal contains none of them.
"""

from __future__ import annotations

import io

import pytest
from textual.app import App, ComposeResult

from tui.widgets.terminal_view import (
    MAX_COLS,
    MAX_ROWS,
    REPLACEMENT,
    TerminalEmulation,
    TerminalView,
    safe_cell,
)

HOSTILE = (
    b"\x1b]52;c;cm0gLXJmIH4=\x07"  # OSC 52: set the watcher's clipboard
    b"\x1b]0;PWNED-TITLE\x07"  # OSC 0: window title
    b"\x1bP1$qPWNED-DCS\x1b\\"  # DCS string
    b"\x1b[2J"  # clear screen
    b"visible-A "
    b"\xc2\x9b31mC1-CSI "  # a C1 CSI (U+009B) as UTF-8
    b"\xe2\x80\xaeBIDI-RLO\xe2\x80\xac "  # right-to-left override
    b"\xe2\x81\xa6ISO\xe2\x81\xa9 "  # isolate
    b"zero\xe2\x80\x8bwidth "
    b"\x1b]8;;http://evil/\x07link\x1b]8;;\x07 "  # OSC 8 hyperlink
    b"\x07\x08\x0e\x0f"  # BEL, BS, SO, SI
)
FORBIDDEN_RAW = [
    b"\x1b]52", b"\x1b]0;", b"PWNED-TITLE", b"\x1bP", b"PWNED-DCS", b"\x9b", b"\xc2\x9b",
    b"\xe2\x80\xae", b"\xe2\x81\xa6", b"\xe2\x81\xa9", b"\x1b]8;", b"http://evil", b"\x07",
]


def test_safe_cell_replaces_controls_bidi_and_format_characters() -> None:
    for ch in ["\x1b", "\x07", "\x00", "\x7f", "\x9b", "\u202e", "\u2066", "\u200b", "\u200e",
               "\ufeff", "\u0301", "\ud800"]:
        assert safe_cell(ch) == REPLACEMENT, repr(ch)
    assert safe_cell("a") == "a"
    assert safe_cell("中") == "中"
    assert safe_cell("") == " "
    assert safe_cell("e\u0301\u0301\u0301") == "e"  # combining marks dropped (no "zalgo")


def test_emulation_of_hostile_bytes_keeps_only_text() -> None:
    emulation = TerminalEmulation(80, 5)
    emulation.feed(HOSTILE)
    text = "\n".join(emulation.lines())
    # Text after a bidi override or a zero-width character is still shown (pyte alone would
    # drop it: a way to hide text from a watcher).
    for word in ("visible-A", "C1-CSI", "BIDI-RLO", "ISO", "zero", "width", "link"):
        assert word in text, word
    assert "PWNED" not in text and "http://evil" not in text
    for ch in text:
        assert ch == "\n" or safe_cell(ch) == ch, repr(ch)


def test_emulation_is_bounded() -> None:
    emulation = TerminalEmulation(10_000, 10_000)
    assert emulation.size == (MAX_COLS, MAX_ROWS)
    emulation.feed(b"x" * (3 << 20))  # more than one feed takes: the tail is kept
    assert emulation.bytes_fed <= 1 << 20
    assert emulation.resize(80, 24) and emulation.size == (80, 24)


def test_wide_characters_keep_the_row_width() -> None:
    emulation = TerminalEmulation(10, 2)
    emulation.feed("中文ab".encode())
    from rich.cells import cell_len

    assert emulation.lines()[0] == "中文ab    "
    assert cell_len(emulation.lines()[0]) == 10


class ViewApp(App[None]):
    def __init__(self, cols: int, rows: int) -> None:
        super().__init__()
        self.cols, self.rows = cols, rows

    def compose(self) -> ComposeResult:
        yield TerminalView(self.cols, self.rows, id="view")


@pytest.mark.asyncio
async def test_view_follows_the_learners_cursor_when_smaller() -> None:
    app = ViewApp(120, 40)
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(TerminalView)
        view.feed(b"\x1b[38;100HHERE")
        await pilot.pause()
        rendered = "".join(
            "".join(seg.text for seg in view.render_line(y)) for y in range(view.size.height)
        )
        assert "HERE" in rendered
        view.follow_cursor = False
        view.scroll_to(0, 0, animate=False, immediate=True)
        await pilot.pause()
        rendered = "".join(
            "".join(seg.text for seg in view.render_line(y)) for y in range(view.size.height)
        )
        assert "HERE" not in rendered


def test_sec_hostile_learner_bytes_never_reach_the_watchers_terminal_raw() -> None:
    """Drive the real Textual output path (a headless driver writing to a buffer) and look at
    every byte the watcher's terminal would receive."""
    import asyncio

    async def run() -> bytes:
        app = ViewApp(80, 10)
        async with app.run_test(size=(80, 12)) as pilot:
            view = app.query_one(TerminalView)
            view.feed(HOSTILE)
            await pilot.pause()
            # What the app would write: render the screen's update as Textual does.
            console = app.console
            buffer = io.StringIO()
            console.file = buffer
            update = app.screen._compositor.render_update(full=True)
            console.print(update, end="")
            out = buffer.getvalue()
            import re

            # Textual's own cursor moves and colours (CSI ... m / H) are the only escapes.
            assert not re.sub(r"\x1b\[[0-9;]*[mH]", "", out).count("\x1b")
            assert "visible-A" in re.sub(r"\x1b\[[0-9;]*[mH]", "", out)
            return out.encode("utf-8")

    raw = asyncio.run(run())
    for needle in FORBIDDEN_RAW:
        assert needle not in raw, needle
