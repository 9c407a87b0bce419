"""A read-only view of someone else's terminal: untrusted bytes emulated by pyte, drawn as cells.

Owns the only place a staff TUI turns a learner's raw terminal output into something on screen
(the instructor watching live, the auditor replaying a recording). Invariants kept:

- **Untrusted bytes are parsed only here, inside the staff member's sandboxed TUI (9).** The bytes
  go into a :class:`pyte.Screen` (a terminal emulator in memory); what reaches the staff member's
  own terminal is only what Textual draws from the emulated *cells*.
- **Untrusted text never reaches a terminal raw (6).** Every cell's character passes
  :func:`safe_cell`: C0/C1 controls, DEL, bidi overrides and isolates, other format characters,
  surrogates and zero-width marks become a visible stand-in, and combining marks are dropped (no
  "zalgo" piles). Cell attributes map to a small fixed style set (bold, italic, underline,
  reverse and the 16 ANSI colours; other colours go to the nearest of those), so OSC 52
  (clipboard), OSC 0 (title), CSI 2J, DCS strings, C1 controls and bidi overrides affect at most
  the emulated screen, never the watcher's terminal.
- **Bounded.** The emulated screen has no scroll-back, its size is clamped to
  :data:`MAX_COLS` x :data:`MAX_ROWS`, and ``feed`` takes at most :data:`MAX_FEED` bytes at a
  time (a bigger chunk keeps its tail: the newest picture).

Sizing: the learner's screen is shown 1:1 (a character per cell: scaled-down text is unreadable
at 80x24). If the view is smaller than the learner's terminal, it scrolls (arrow keys / page
keys once focused) and, with ``follow_cursor`` on, keeps the learner's cursor in sight — so an
instructor at 80x24 watching a 120x40 learner sees where they are typing. Thumbnails use the
same crop-around-the-cursor.
"""

from __future__ import annotations

import unicodedata

import pyte
from rich.cells import cell_len
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from wcwidth import wcwidth

MAX_COLS = 400
MAX_ROWS = 200
MAX_FEED = 1 << 20
"""Largest chunk ``feed`` parses at once; a larger one keeps only its last bytes."""

REPLACEMENT = "\u00b7"
"""Shown in place of a character that must not be drawn (a control or format character)."""

_ANSI = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
_ANSI_NAMES = {
    **{name: name for name in _ANSI},
    "brown": "yellow",  # pyte's name for colour 3
    **{f"bright{name}": f"bright_{name}" for name in _ANSI},
}
_ANSI_RGB = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
    (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
    (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
]
_ANSI16 = [*_ANSI, *(f"bright_{n}" for n in _ANSI)]
_BIDI = {
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    "\u200e", "\u200f", "\u061c",
}


def safe_cell(ch: str) -> str:
    """One emulated cell's text, made safe to draw: at most one printable character.

    Args:
        ch: the cell's data from pyte (may be empty, a character plus combining marks, or
            anything a hostile program managed to put there).

    Returns:
        A string of one character of cell width 1 or 2, or :data:`REPLACEMENT`.
    """
    if not ch:
        return " "
    first = ch[0]  # combining marks pyte appended are dropped
    code = ord(first)
    if code < 0x20 or 0x7F <= code < 0xA0 or first in _BIDI or 0xD800 <= code < 0xE000:
        return REPLACEMENT
    category = unicodedata.category(first)
    if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Mn", "Me"):
        return REPLACEMENT
    if cell_len(first) == 0:
        return REPLACEMENT
    return first


def _drawable(ch: str) -> str:
    width = wcwidth(ch)
    if width < 0 or (width == 0 and not unicodedata.combining(ch)):
        return REPLACEMENT
    return ch


def _colour(value: str) -> str | None:
    """A pyte colour name or hex triplet mapped to one of the 16 ANSI colour names."""
    if not value or value == "default":
        return None
    named = _ANSI_NAMES.get(value)
    if named is not None:
        return named
    if len(value) == 6:
        try:
            rgb = (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
        except ValueError:
            return None
        best = min(
            range(16),
            key=lambda i: sum((a - b) ** 2 for a, b in zip(rgb, _ANSI_RGB[i], strict=True)),
        )
        return _ANSI16[best]
    return None


_STYLE_CACHE: dict[tuple[object, ...], Style] = {}


def cell_style(char: object, *, colour: bool = True, cursor: bool = False) -> Style:
    """The Rich style for one pyte cell: a small fixed set of attributes.

    Args:
        char: a ``pyte.screens.Char``.
        colour: False for monochrome (attributes only).
        cursor: draw this cell as the learner's cursor (reverse video).
    """
    fg = _colour(getattr(char, "fg", "default")) if colour else None
    bg = _colour(getattr(char, "bg", "default")) if colour else None
    reverse = bool(getattr(char, "reverse", False)) != cursor
    key = (
        fg, bg, bool(getattr(char, "bold", False)), bool(getattr(char, "italics", False)),
        bool(getattr(char, "underscore", False)), reverse,
    )
    style = _STYLE_CACHE.get(key)
    if style is None:
        style = Style(
            color=Color.parse(fg) if fg else None,
            bgcolor=Color.parse(bg) if bg else None,
            bold=key[2] or None,
            italic=key[3] or None,
            underline=key[4] or None,
            reverse=reverse or None,
        )
        _STYLE_CACHE[key] = style
    return style


class _QuietScreen(pyte.Screen):
    """A pyte screen that never answers the program (no device reports) and ignores titles."""

    def write_process_input(self, data: str) -> None:  # nothing goes back to the learner
        return None

    def draw(self, data: str) -> None:
        """Draw text, with characters pyte cannot place shown as a mark instead.

        pyte stops drawing the rest of a run at a character of no width that is not a combining
        mark (a bidi override, a zero-width space): a learner's program could hide text from a
        watcher that way. Such characters become :data:`REPLACEMENT`, and the text goes on.
        """
        if not data.isascii():
            data = "".join(_drawable(ch) for ch in data)
        super().draw(data)

    def set_title(self, param: str) -> None:
        return None

    def set_icon_name(self, param: str) -> None:
        return None


def clamp_size(cols: int, rows: int) -> tuple[int, int]:
    """A source terminal size clamped to what the view emulates."""
    return max(1, min(int(cols), MAX_COLS)), max(1, min(int(rows), MAX_ROWS))


class TerminalEmulation:
    """The emulated terminal alone (no widget): pyte screen + byte stream, size-clamped.

    Used by :class:`TerminalView` and directly by tests and headless tools.
    """

    def __init__(self, cols: int = 80, rows: int = 24) -> None:
        cols, rows = clamp_size(cols, rows)
        self.screen = _QuietScreen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes_fed = 0

    @property
    def size(self) -> tuple[int, int]:
        """(columns, rows) of the emulated terminal."""
        return self.screen.columns, self.screen.lines

    def resize(self, cols: int, rows: int) -> bool:
        """Follow the source terminal's size; True if it changed."""
        cols, rows = clamp_size(cols, rows)
        if (cols, rows) == self.size:
            return False
        self.screen.resize(rows, cols)
        return True

    def feed(self, data: bytes) -> None:
        """Emulate ``data`` (untrusted bytes from the learner's pty)."""
        if len(data) > MAX_FEED:
            data = data[-MAX_FEED:]
        self.bytes_fed += len(data)
        try:
            self.stream.feed(data)
        except Exception:  # a parser bug must not take the staff member's app down
            self.reset()

    def reset(self) -> None:
        """Forget everything (the next repaint from the learner fills it again)."""
        cols, rows = self.size
        self.screen = _QuietScreen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)

    def cells(self, y: int) -> list[tuple[str, object]]:
        """Row ``y`` as (safe text, pyte cell) pairs; a wide character's second cell is folded
        into it so the row is exactly ``columns`` cells wide."""
        screen = self.screen
        line = screen.buffer[y]
        out: list[tuple[str, object]] = []
        x = 0
        cols = screen.columns
        while x < cols:
            char = line[x]
            text = safe_cell(char.data)
            width = cell_len(text)
            if width == 2:
                if x + 1 < cols and line[x + 1].data == "":
                    out.append((text, char))
                    x += 2
                    continue
                text = REPLACEMENT
            out.append((text, char))
            x += 1
        return out

    def lines(self) -> list[str]:
        """The emulated screen as plain (safe) text, one string per row."""
        return ["".join(text for text, _ in self.cells(y)) for y in range(self.screen.lines)]

    def cursor(self) -> tuple[int, int] | None:
        """The cursor position (x, y), or None when the program hid it."""
        cursor = self.screen.cursor
        if cursor.hidden:
            return None
        return min(cursor.x, self.screen.columns - 1), min(cursor.y, self.screen.lines - 1)


class TerminalView(ScrollView, can_focus=True):
    """A read-only, scrollable view of an emulated terminal.

    Args:
        cols: initial columns of the source terminal.
        rows: initial rows of the source terminal.
        follow_cursor: keep the source's cursor in view when it moves (scrolling the view).
        colour: draw colours (False: attributes only, for monochrome sites).
    """

    DEFAULT_CSS = """
    TerminalView { background: $surface; scrollbar-size: 1 1; }
    TerminalView.-thumbnail { scrollbar-size: 0 0; overflow: hidden hidden; }
    """

    follow_cursor: reactive[bool] = reactive(True, init=False)
    """Keep the source's cursor in sight."""

    def __init__(
        self,
        cols: int = 80,
        rows: int = 24,
        *,
        follow_cursor: bool = True,
        colour: bool = True,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.emulation = TerminalEmulation(cols, rows)
        self.set_reactive(TerminalView.follow_cursor, follow_cursor)
        self.colour = colour
        self.virtual_size = Size(*self.emulation.size)
        self._rows: dict[int, Strip] = {}  # full-width strips of unchanged rows
        self._row_key: tuple[object, ...] = ()
        self._cursor_seen: tuple[int, int] | None = None

    # -- input from the source -------------------------------------------------------------------

    def feed(self, data: bytes, cols: int | None = None, rows: int | None = None) -> None:
        """Emulate a chunk of the source's output (resizing first if its size is given)."""
        if cols is not None and rows is not None and self.emulation.resize(cols, rows):
            self.virtual_size = Size(*self.emulation.size)
            self._rows.clear()
        screen = self.emulation.screen
        screen.dirty.clear()
        self.emulation.feed(data)
        screen = self.emulation.screen  # (a parser failure resets it)
        # Only rows pyte changed are drawn again (and the rows the cursor left and entered).
        for row in screen.dirty:
            self._rows.pop(row, None)
        cursor = self.emulation.cursor()
        if cursor != self._cursor_seen:
            for old_new in (self._cursor_seen, cursor):
                if old_new is not None:
                    self._rows.pop(old_new[1], None)
            self._cursor_seen = cursor
        if self.follow_cursor:
            self._follow()
        self.refresh()

    def redraw_all(self) -> None:
        """Draw every row again: the emulation was changed other than through :meth:`feed` (the
        auditor's replay restores a keyframe when it seeks), so no cached row can be trusted."""
        self._rows.clear()
        self._cursor_seen = None
        if self.follow_cursor:
            self._follow()
        self.refresh()

    def clear(self) -> None:
        """Blank the view (waiting for a repaint)."""
        self.emulation.reset()
        self._rows.clear()
        self.refresh()

    def lines(self) -> list[str]:
        """The emulated screen as plain text (what the watcher sees, uncropped)."""
        return self.emulation.lines()

    def _follow(self) -> None:
        cursor = self.emulation.cursor()
        if cursor is None:
            return
        x, y = cursor
        width, height = self.scrollable_content_region.size
        if width <= 0 or height <= 0:
            return
        sx, sy = self.scroll_offset
        new_x = sx if sx <= x < sx + width else max(0, x - width + 1 if x >= sx + width else x)
        new_y = sy if sy <= y < sy + height else max(0, y - height + 1 if y >= sy + height else y)
        if (new_x, new_y) != (sx, sy):
            self.scroll_to(new_x, new_y, animate=False, immediate=True)

    # -- drawing ---------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """One row of the view: emulated cells only, each through :func:`safe_cell`."""
        scroll_x, scroll_y = self.scroll_offset
        row = y + scroll_y
        width = self.scrollable_content_region.width
        base = self.rich_style
        emulation = self.emulation
        if row >= emulation.screen.lines:
            return Strip.blank(width, base)
        colour = self.colour and not self.app.no_color
        key = (base, colour, emulation.screen)
        if key != self._row_key:  # style, colour mode or screen changed: draw everything again
            self._rows.clear()
            self._row_key = key
        strip = self._rows.get(row)
        if strip is None:
            cursor = emulation.cursor()
            segments = []
            x = 0
            for text, char in emulation.cells(row):
                at_cursor = cursor is not None and cursor == (x, row)
                style = base + cell_style(char, colour=colour, cursor=at_cursor)
                segments.append(Segment(text, style))
                x += cell_len(text)
            strip = self._rows[row] = Strip(segments, x).simplify()
        return strip.crop(scroll_x, scroll_x + width).adjust_cell_length(width, base)

    def on_resize(self) -> None:
        """The view's own size changed: bring the cursor back into sight."""
        if self.follow_cursor:
            self._follow()
