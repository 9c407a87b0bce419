"""A compositor that draws only the screen rows that changed, and only what shows in them.

Textual 8.2.8's ``Compositor._render_chops`` (one frame's partial update) asks *every* visible
widget whose clip overlaps the changed area for *all* of its lines: the screen, each container,
the header and the key bar at the other end of the screen, for a key that changed one row of the
editor (10 widgets, ~40 % of a keystroke's CPU on the exercise screen). Most of those lines are
then thrown away: only the changed rows are sent, and in each row the widget in front wins.

This compositor fills the same chops, front to back, but asks each widget only for the changed
rows it covers (the rest are not sent anyway), and skips a widget altogether when none of it lies
in the update's columns (the editor's scroll bar and its pane's border, for a key typed in the
editor), or when, in those rows, the widgets in front of it already cover every cell it would
draw (what it drew would be thrown away). The cells sent to the terminal are the same; pieces
outside the update's columns may stay empty, as they are not sent. Full frames
(``render_strips``, a resize, a screenshot) are drawn the same way with every row changed.

Use: ``screen._compositor = RowCompositor()`` in a screen's ``__init__``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip


class RowCompositor(Compositor):
    """Textual's compositor, drawing only the rows of an update and only what is not hidden."""

    def _render_chops(
        self,
        crop: Region,
        is_rendered_line: Callable[[int], bool],
    ) -> Sequence[Mapping[int, Strip]]:
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        crop = crop.intersection(self.size.region)
        rows = [y for y in crop.line_range if is_rendered_line(y)]
        if not rows:
            return chops  # type: ignore[return-value]
        band = Region(0, crop.y, self.size.width, crop.height)
        left, right = crop.x, crop.right
        for widget, (region, clip) in self.visible_widgets.items():
            drawn = region.intersection(clip).intersection(band)
            if not drawn or drawn.right <= left or drawn.x >= right:
                # Nothing of it in the update's columns: its pieces would not be sent (a piece
                # lies wholly inside or outside each widget, so the pieces that are sent are
                # painted by the same widgets as before; the others stay empty).
                continue
            first_cut, last_cut = drawn.column_span
            for top, bottom in _runs(y for y in drawn.line_range if is_rendered_line(y)):
                if _covered(chops, cuts, top, bottom, max(first_cut, left), min(last_cut, right)):
                    continue  # widgets in front fill these cells: this one would not show
                strips = widget.render_lines(
                    Region(drawn.x - region.x, top - region.y, drawn.width, bottom - top + 1)
                )
                render_x = drawn.x
                for y, strip in zip(range(top, bottom + 1), strips, strict=False):
                    chops_line = chops[y]
                    final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
                    cut_strips = strip.divide([cut - render_x for cut in final_cuts[1:]])
                    # (one piece fewer than cuts: none starts at the right edge)
                    for cut, piece in zip(final_cuts, cut_strips, strict=False):
                        if chops_line.get(cut) is None:  # painting front to back: first wins
                            chops_line[cut] = piece
        return chops  # type: ignore[return-value]


def _runs(rows: object) -> list[tuple[int, int]]:
    """Increasing row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for y in rows:  # type: ignore[attr-defined]
        if runs and y == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return runs


def _covered(
    chops: list[dict[int, Strip | None]],
    cuts: list[list[int]],
    top: int,
    bottom: int,
    first: int,
    last: int,
) -> bool:
    """Whether, in rows top..bottom, every piece that has cells in columns [first, last) is
    painted."""
    for y in range(top, bottom + 1):
        line = chops[y]
        row_cuts = cuts[y]
        for cut, end in zip(row_cuts, row_cuts[1:], strict=False):
            if cut < last and end > first and line.get(cut) is None:
                return False
    return True
