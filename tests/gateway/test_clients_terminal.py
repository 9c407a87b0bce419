"""tui.terminal_caps on its own: which TERM gets what, and that redrawing in ASCII never changes
a cell's width (the layout Textual computed must still fit). The real sessions are in
test_clients.py."""

from __future__ import annotations

import unicodedata

import pytest
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color

from tui.terminal_caps import (
    EXTRA_KEY_ENCODINGS,
    AsciiDrawing,
    NoColour,
    TerminalCaps,
    add_key_encodings,
    to_ascii,
)


def test_site_settings_from_the_server() -> None:
    """``NO_COLOR`` (session.monochrome) means no colour code at all; ``SLATE_ASCII=1``
    (session.ascii_only) means ASCII drawing whatever the terminal type."""
    caps = TerminalCaps.from_env({"TERM": "xterm-256color", "NO_COLOR": "1", "SLATE_ASCII": "1"})
    assert (caps.ascii_only, caps.latin1, caps.colour) == (True, False, False)
    caps = TerminalCaps.from_env({"TERM": "xterm-256color", "SLATE_ASCII": "0"})
    assert (caps.ascii_only, caps.colour) == (False, True)


@pytest.mark.parametrize(
    ("term", "ascii_only", "latin1", "colour"),
    [
        ("xterm-256color", False, False, True),
        ("xterm", False, False, True),
        ("putty", False, False, True),
        ("screen", False, False, True),
        ("linux", True, True, True),
        ("linux-16color", True, True, True),
        ("screen.linux", True, True, True),
        ("vt100", True, False, False),
        ("vt220", True, False, False),
        ("VT100", True, False, False),
        ("dumb", True, False, False),
        ("xterm-mono", False, False, False),
        ("", False, False, True),
    ],
)
def test_terminal_types(term: str, ascii_only: bool, latin1: bool, colour: bool) -> None:
    caps = TerminalCaps.from_env({"TERM": term})
    assert (caps.ascii_only, caps.latin1, caps.colour) == (ascii_only, latin1, colour)
    kinds = {type(f) for f in caps.line_filters()}
    assert (AsciiDrawing in kinds) == ascii_only
    assert (NoColour in kinds) == (not colour)


def _every_drawing_character() -> list[str]:
    chars = [chr(c) for c in range(0x2500, 0x25A0)]  # box drawing, block elements
    chars += [chr(c) for c in range(0x25A0, 0x2600)]  # geometric shapes
    chars += [chr(c) for c in range(0x2190, 0x2200)]  # arrows
    chars += list("\u2018\u2019\u201c\u201d\u2026\u2014\u2013\u2022\u00a0\u00e9\u00a3\u2713\u274c")
    chars += ["\u6f22", "\u3042", "\U0001f600", "e\u0301", "\ufb01"]  # wide, emoji, combining
    return chars


@pytest.mark.parametrize("latin1", [False, True])
def test_ascii_keeps_every_cell_width(latin1: bool) -> None:
    for char in _every_drawing_character():
        out = to_ascii(char, latin1)
        assert cell_len(out) == cell_len(char), (char, unicodedata.name(char[0], "?"), out)
        if not latin1:
            assert out.isascii(), (char, out)
        else:
            assert all(ord(c) < 0x100 for c in out), (char, out)


def test_ascii_drawing_reads_well() -> None:
    assert to_ascii("\u256d\u2500\u2500\u256e") == "+--+"  # rounded corners
    assert to_ascii("\u250f\u2501\u2501\u2513") == "+==+"  # heavy: a focused pane still shows
    assert to_ascii("\u2503 x \u2503") == "| x |"
    assert to_ascii("\u201cquoted\u201d \u2018it\u2019s\u2019") == "\"quoted\" 'it's'"
    assert to_ascii("wait\u2026 \u2014 next \u2192") == "wait. - next >"
    assert to_ascii("caf\u00e9") == "cafe"
    assert to_ascii("caf\u00e9 \u00a35", latin1=True) == "caf\u00e9 \u00a35"


def test_filters_change_only_what_they_must() -> None:
    bold_red = Style(bold=True, reverse=True, color="red", bgcolor="blue")
    segments = [Segment("\u250f\u2501", bold_red), Segment("plain", None)]
    drawn = AsciiDrawing().apply(segments, Color(0, 0, 0))
    assert [s.text for s in drawn] == ["+=", "plain"]
    assert drawn[0].style == bold_red
    uncoloured = NoColour().apply(segments, Color(0, 0, 0))
    style = uncoloured[0].style
    assert style is not None and style.color is None and style.bgcolor is None
    assert style.bold and style.reverse


def test_key_encodings_reach_textuals_table() -> None:
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

    add_key_encodings()
    add_key_encodings()  # idempotent
    for sequence, key in EXTRA_KEY_ENCODINGS.items():
        keys = ANSI_SEQUENCES_KEYS[sequence]
        assert isinstance(keys, tuple) and keys[0].value == key
    # Nothing Textual already knew was changed except the documented ESC O w.
    assert ANSI_SEQUENCES_KEYS["\x1bOP"][0].value == "f1"  # type: ignore[index]
    assert ANSI_SEQUENCES_KEYS["\x1b[[A"][0].value == "f1"  # type: ignore[index]
