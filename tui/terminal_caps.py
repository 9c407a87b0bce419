"""What the person's terminal can show and send: ASCII-only drawing, colour or none, key encodings.

Thin terminals in a classroom are whatever the facility bought: a Linux console (``TERM=linux``,
a 256/512-glyph font without rounded corners, eighths blocks or curly quotes), a serial or
hardware terminal (``TERM=vt100``/``vt220``: 7-bit characters, no colour), PuTTY in one of its
keyboard modes, an old Dropbear or OpenSSH. Textual draws with Unicode box drawing and sends
colour to every terminal, and its key table lacks a few encodings those clients send.

Owns:
- :class:`TerminalCaps`, read from ``TERM`` (and the site's ``NO_COLOR`` / ``SLATE_ASCII``) by
  ``python -m tui`` only — never by tests' apps, so a CI runner's ``TERM`` cannot change snapshots;
- :class:`AsciiDrawing`, a Textual line filter that redraws every cell with a character the
  terminal has (one cell for one cell, so layout is unchanged): box drawing as ``+ - = |``,
  curly quotes straight, arrows and bullets as ASCII, other letters by their ASCII base or ``?``;
- :class:`NoColour`, a line filter that drops every colour, so not one colour code is sent to a
  terminal that has none (attributes such as reverse and bold remain: focus and choice show);
- :func:`add_key_encodings`: PuTTY's "VT100+" function keys (``ESC O T`` … ``ESC O [`` for
  F5–F12) and its "rxvt" End key (``ESC O w``), which Textual 8.2.8 does not know.

The filters go into Textual's own list of line filters (``App._filters``, where Textual puts its
``NO_COLOR`` filter); the key encodings into Textual's key table. Both are internals of the
exactly pinned Textual; tests/gateway/test_clients.py checks the bytes a real session sends.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

NO_COLOUR_TERM = re.compile(r"(vt\d+|dumb|.*-m|.*-mono)([-+].*)?")
"""Terminal types without colour: DEC VT terminals, ``dumb``, and terminfo's monochrome
variants (``xterm-mono``, ``linux-m``, ...)."""

ASCII_TERM = re.compile(r"(linux|vt\d+|dumb|cons\d+|screen\.linux|tmux\.linux)([-+.].*)?")
"""Terminal types to draw for with ASCII only: the Linux console (limited font), DEC VT
terminals (7-bit), ``dumb``, the BSD console, and screen/tmux inside a Linux console."""

LATIN1_TERM = re.compile(r"(linux|cons\d+|screen\.linux|tmux\.linux)([-+.].*)?")
"""Of those, the consoles whose font has the Latin-1 letters (é, £ stay as they are)."""


@dataclass(frozen=True)
class TerminalCaps:
    """What one session's terminal can do.

    Attributes:
        term: the terminal type (``TERM``) as the server passed it.
        ascii_only: draw with ASCII characters only (plus Latin-1 letters if ``latin1``).
        latin1: the font has the Latin-1 letters (a Linux console), so keep them.
        colour: colour codes may be sent.
    """

    term: str
    ascii_only: bool
    latin1: bool
    colour: bool

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TerminalCaps:
        """From ``TERM``, and the site's settings as the server passes them: ``NO_COLOR``
        (``session.monochrome``) and ``SLATE_ASCII=1`` (``session.ascii_only``). The client
        cannot set either: the gateway refuses env requests.

        ``NO_COLOR`` alone would give Textual's greyscale, still sent as colour codes; here it
        means what the site asked for: no colour code at all.
        """
        env = os.environ if environ is None else environ
        term = (env.get("TERM") or "").strip().lower()
        ascii_only = bool(ASCII_TERM.fullmatch(term)) or env.get("SLATE_ASCII", "") == "1"
        return cls(
            term=term,
            ascii_only=ascii_only,
            latin1=ascii_only and bool(LATIN1_TERM.fullmatch(term)),
            colour=not (NO_COLOUR_TERM.fullmatch(term) or "NO_COLOR" in env),
        )

    def line_filters(self) -> list[LineFilter]:
        """The Textual line filters this terminal needs (none for a capable one)."""
        filters: list[LineFilter] = []
        if self.ascii_only:
            filters.append(AsciiDrawing(latin1=self.latin1))
        if not self.colour:
            filters.append(NoColour())
        return filters

    def apply(self, app: Any) -> None:
        """Fit a Textual app (before it runs) to this terminal."""
        add_key_encodings()
        app._filters.extend(self.line_filters())


# -- drawing with the characters the terminal has ------------------------------------------------

_SYMBOLS: dict[str, str] = {}
for _chars, _ascii in (
    ("\u2018\u2019\u201a\u201b\u2032\u2035", "'"),  # curly single quotes, primes
    ("\u201c\u201d\u201e\u201f\u2033", '"'),  # curly double quotes
    ("\u00ab\u2039\u2190\u21b5\u21e6\u2936\u23ce\u21d0\u25c0\u25c1\u25c2\u25c3\u25c4\u2264", "<"),
    ("\u00bb\u203a\u2192\u21e8\u21d2\u25b6\u25b7\u25b8\u25b9\u25ba\u2265", ">"),
    ("\u2191\u21e7\u25b2\u25b3\u25b4\u25b5", "^"),  # up arrows and triangles
    ("\u2193\u21e9\u25bc\u25bd\u25be\u25bf\u2713\u2714\u2611", "v"),  # down; ticks
    ("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2194", "-"),  # dashes, minus
    ("\u2026\u00b7\u2027\u2219", "."),  # ellipsis (one cell), middle dots
    ("\u2022\u25cf\u25c9\u25aa\u25c6\u2605\u2606", "*"),  # bullets, filled shapes
    ("\u25cb\u25ce\u25a1\u25ab\u25c7\u2610", "o"),  # hollow shapes
    ("\u00d7\u2717\u2718\u2715\u2716\u274c\u2612", "x"),  # crosses
    ("\u00a0\u2002\u2003\u2009\u200a\u202f", " "),  # spaces
    ("\u2195\u00a6", "|"),
    ("\u25a0\u2260", "#"),
    ("\u00f7", "/"),
    ("\u00b1", "+"),
):
    _SYMBOLS.update(dict.fromkeys(_chars, _ascii))


def _box_drawing(char: str) -> str:
    """U+2500–U+257F by name: lines are ``-``/``=`` (heavy or double: so a focused, heavy
    border still shows) and ``|``; corners, tees and crosses ``+``."""
    name = unicodedata.name(char, "")
    if "DIAGONAL" in name:
        if "CROSS" in name:
            return "X"
        return "/" if "UPPER RIGHT TO LOWER LEFT" in name else "\\"
    horizontal = any(word in name for word in ("HORIZONTAL", "LEFT", "RIGHT"))
    vertical = any(word in name for word in ("VERTICAL", " UP", "DOWN"))
    if horizontal and vertical:
        return "+"
    if horizontal:
        heavy = "HEAVY" in name or ("DOUBLE" in name and "DASH" not in name)
        return "=" if heavy else "-"
    if vertical:
        return "|"
    return "+"


def _block_element(char: str) -> str:
    """U+2580–U+259F: Textual's "tall" borders, scroll bars and half blocks."""
    name = unicodedata.name(char, "")
    if name in ("UPPER ONE EIGHTH BLOCK", "UPPER HALF BLOCK"):
        return "-"
    if name == "LOWER ONE EIGHTH BLOCK":
        return "_"
    if name.startswith(("LEFT", "RIGHT")):
        return "|"
    if name == "LIGHT SHADE":
        return ":"
    return "#"


@lru_cache(maxsize=4096)
def _ascii_char(char: str, latin1: bool) -> str:
    """The stand-in for one character: as many ASCII characters as it has cells."""
    code = ord(char)
    if code < 0x80 or (latin1 and 0xA0 <= code <= 0xFF and char not in _SYMBOLS):
        return char
    width = Segment(char).cell_length
    if width == 0:
        return ""  # a combining mark or a zero-width character: the base letter stays
    if char in _SYMBOLS:
        stand_in = _SYMBOLS[char]
    elif 0x2500 <= code <= 0x257F:
        stand_in = _box_drawing(char)
    elif 0x2580 <= code <= 0x259F:
        stand_in = _block_element(char)
    else:  # a letter by its base (é -> e), anything else "?"
        stand_in = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        stand_in = "".join(c for c in stand_in if c.isprintable())[:width] or "?"
    return stand_in.ljust(width)


def to_ascii(text: str, latin1: bool = False) -> str:
    """``text`` with every character the terminal may lack replaced, cell for cell."""
    if text.isascii():
        return text
    return "".join(_ascii_char(char, latin1) for char in text)


class AsciiDrawing(LineFilter):
    """Redraw every cell with ASCII (and, on a Linux console, Latin-1 letters)."""

    def __init__(self, latin1: bool = False, enabled: bool = True) -> None:
        super().__init__(enabled)
        self.latin1 = latin1

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        latin1 = self.latin1
        out = []
        for segment in segments:
            text, style, control = segment
            if not (control or text.isascii()):
                segment = Segment(to_ascii(text, latin1), style, control)
            out.append(segment)
        return out


@lru_cache(maxsize=4096)
def _without_colour(style: Style) -> Style:
    return style.without_color


class NoColour(LineFilter):
    """Drop every foreground and background colour (attributes stay)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, None if style is None else _without_colour(style), control)
            for text, style, control in segments
        ]


# -- keys ----------------------------------------------------------------------------------------

EXTRA_KEY_ENCODINGS: dict[str, str] = {
    # PuTTY, Terminal > Keyboard > Function keys "VT100+": F1-F4 are ESC O P..S (known), then:
    "\x1bOT": "f5",
    "\x1bOU": "f6",
    "\x1bOV": "f7",
    "\x1bOW": "f8",
    "\x1bOX": "f9",
    "\x1bOY": "f10",
    "\x1bOZ": "f11",
    "\x1bO[": "f12",
    # PuTTY, Home and End keys "rxvt": Home is ESC [ H (known), End is ESC O w. Textual reads
    # ESC O w as keypad 7 in application keypad mode, which it never turns on.
    "\x1bOw": "end",
}
"""Key encodings of common clients that Textual 8.2.8's table lacks. (PuTTY's "SCO" function
keys, ESC [ M ..., are left out: ESC [ M starts a mouse report.)"""


def add_key_encodings() -> None:
    """Teach Textual's key parser :data:`EXTRA_KEY_ENCODINGS` (idempotent)."""
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
    from textual.keys import Keys

    table: dict[str, Any] = ANSI_SEQUENCES_KEYS  # type: ignore[assignment]
    for sequence, key in EXTRA_KEY_ENCODINGS.items():
        table[sequence] = (Keys(key),)
