"""Sending only the screen cells that changed: the bytes-per-keystroke fix for thin terminals.

Textual repaints a whole widget when it refreshes (a TextArea resends every visible line for one
typed character, ~6-18 KB). :class:`FrameDiff` keeps a shadow copy of what the terminal shows,
cell by cell, and turns each compositor update into the few runs of cells that really differ,
with neighbouring same-style cells merged into one styled segment.

Invariant kept: the shadow always equals what was written to the terminal. Anything that may
break that (a resize, a request for a full repaint when an observer attaches, the app being
suspended) calls :meth:`FrameDiff.invalidate`, after which the next update is written in full.
Only ``_display`` of :class:`tui.session_app.SessionApp` uses this module (it wraps the private
compositor update types of the exactly pinned Textual version).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from itertools import repeat

from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.strip import SGR_STYLES, Strip

Cell = tuple[str, Style | None]
"""One terminal cell: its text ("" for the right half of a wide character) and style."""

GAP = 3
"""Unchanged cells shorter than this between two changed runs are resent (cheaper than a move)."""


def _cells(strips: Iterable[Strip]) -> list[Cell]:
    cells: list[Cell] = []
    for strip in strips:
        for text, style, control in strip:
            if control:
                continue
            if text.isascii() and text.isprintable():  # one cell per character (most text)
                cells.extend(zip(text, repeat(style)))
                continue
            for char in text:
                width = Segment(char).cell_length
                if width == 0:
                    if cells:  # a combining mark joins the previous cell
                        prev, prev_style = cells[-1]
                        cells[-1] = (prev + char, prev_style)
                    continue
                cells.append((char, style))
                if width == 2:
                    cells.append(("", style))
    return cells


class DiffUpdate(CompositorUpdate):
    """A compositor update reduced to the cell runs that changed since the last frame."""

    def __init__(self, runs: list[tuple[int, int, list[Cell]]]) -> None:
        self.runs = runs

    def __rich_console__(self, console, options):
        for _x, _y, cells in self.runs:  # only used by Rich's console.print, never the driver
            yield from _segments(cells)

    def render_segments(self, console: Console) -> str:
        """The terminal bytes: a cursor move, then the styled text, for every run.

        Styles are written as changes from the previous segment (only the colour that changed),
        not as a full style plus a reset per segment as Textual does: about half the bytes.
        """
        system = console._color_system or ColorSystem.TRUECOLOR
        out: list[str] = []
        for x, y, cells in self.runs:
            out.append(f"\x1b[{y + 1};{x + 1}H")
            current: _Sgr | None = None
            for segment in _segments(cells):
                sgr = _sgr(segment.style, system)
                out.append(_transition(current, sgr))
                current = sgr
                out.append(segment.text)
            if current is not None and current != _PLAIN:
                out.append("\x1b[0m")
        return "".join(out)


_Sgr = tuple[tuple[str, ...], str, str]
"""A style as SGR parts: (attribute codes, foreground codes, background codes)."""

_PLAIN: _Sgr = ((), "", "")


@lru_cache(maxsize=4096)
def _sgr(style: Style | None, system: ColorSystem) -> _Sgr:
    if style is None:
        return _PLAIN
    attributes = style._attributes & style._set_attributes
    attrs = tuple(
        SGR_STYLES[bit] for bit in range(attributes.bit_length()) if attributes & (1 << bit)
    )
    fg = ";".join(style._color.downgrade(system).get_ansi_codes()) if style._color else ""
    bg = (
        ";".join(style._bgcolor.downgrade(system).get_ansi_codes(False)) if style._bgcolor else ""
    )
    return attrs, fg, bg


def _transition(current: _Sgr | None, new: _Sgr) -> str:
    """The SGR sequence that turns the terminal's ``current`` style into ``new``."""
    if current == new:
        return ""
    attrs, fg, bg = new
    if current is None or current[0] != attrs:
        codes = ["0", *attrs] + ([fg] if fg else []) + ([bg] if bg else [])
        return f"\x1b[{';'.join(codes)}m"
    codes = []
    if current[1] != fg:
        codes.append(fg or "39")
    if current[2] != bg:
        codes.append(bg or "49")
    return f"\x1b[{';'.join(codes)}m"


def _segments(cells: list[Cell]) -> list[Segment]:
    segments: list[Segment] = []
    text: list[str] = []
    style: Style | None = None
    for index, (char, cell_style) in enumerate(cells):
        if index and cell_style != style:
            segments.append(Segment("".join(text), style))
            text = []
        style = cell_style
        text.append(char)
    if text:
        segments.append(Segment("".join(text), style))
    return segments


class FrameDiff:
    """The shadow screen and the diffing of compositor updates against it."""

    def __init__(self) -> None:
        self._rows: dict[int, list[Cell | None]] = {}
        self.enabled = True

    def invalidate(self) -> None:
        """Forget what the terminal shows: the next update is written in full."""
        self._rows.clear()

    def reduce(self, update: CompositorUpdate) -> CompositorUpdate:
        """Turn a Layout/Chops update into a :class:`DiffUpdate` (others pass through).

        Args:
            update: what the compositor wants to write.

        Returns:
            An update writing only the changed cells (and updating the shadow).
        """
        if not self.enabled or not isinstance(update, (LayoutUpdate, ChopsUpdate)):
            return update
        runs: list[tuple[int, int, list[Cell]]] = []
        for x, y, cells in self._pieces(update):
            runs.extend(self._diff_row(x, y, cells))
        return DiffUpdate(runs)

    def _pieces(self, update: CompositorUpdate) -> Iterable[tuple[int, int, list[Cell]]]:
        if isinstance(update, LayoutUpdate):
            x = update.region.x
            for y, line in enumerate(update.strips, update.region.y):
                yield x, y, _cells(line)
        elif isinstance(update, ChopsUpdate):
            for y, x1, x2 in update.spans:
                chops = update.chops[y]
                ends = update.chop_ends[y]
                for end, (x, strip) in zip(ends, chops.items(), strict=False):
                    if strip is None or x > x2 or end <= x1:
                        continue
                    cells = _cells([strip])
                    start = max(x, x1)
                    stop = min(end, x2)
                    yield start, y, cells[start - x : stop - x]

    def _diff_row(self, x: int, y: int, cells: list[Cell]) -> list[tuple[int, int, list[Cell]]]:
        row = self._rows.setdefault(y, [])
        need = x + len(cells)
        if len(row) < need:
            row.extend([None] * (need - len(row)))
        changed = [row[x + i] != cell for i, cell in enumerate(cells)]
        runs: list[tuple[int, int, list[Cell]]] = []
        i = 0
        n = len(cells)
        while i < n:
            if not changed[i]:
                i += 1
                continue
            start = i
            if cells[start][0] == "" and start > 0:
                start -= 1  # never start in the right half of a wide character
            end = i + 1
            gap = 0
            j = end
            while j < n:
                if changed[j]:
                    end = j + 1
                    gap = 0
                else:
                    gap += 1
                    if gap >= GAP:
                        break
                j += 1
            if end < n and cells[end][0] == "":
                end += 1  # keep a wide character whole
            runs.append((x + start, y, cells[start:end]))
            i = end
        row[x : x + n] = cells
        return runs
