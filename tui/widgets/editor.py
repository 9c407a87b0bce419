"""The code editor: Textual's TextArea set up for beginners, one per exercise file.

Owns the editor's settings: tree-sitter highlighting chosen from the file name, line numbers,
undo/redo, read-only files shown read-only, no cursor blink, and the "unsaved" state.
Invariant kept: :attr:`SlateEditor.dirty` is True exactly when the text differs from what was
last saved (or loaded), so the saved/unsaved mark never lies.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding
from textual.document._document import EditResult
from textual.document._edit import Edit
from textual.geometry import Region
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import TextArea

from tui.course_view import language_for
from tui.widgets.keys_in_order import KeysInOrder

if TYPE_CHECKING:
    from tree_sitter import Query

MAX_HIGHLIGHT_CHARS = 200_000
"""Above this size a file is shown without syntax highlighting (parsing it would lag typing)."""


class SlateEditor(KeysInOrder, TextArea):
    """The editor for one exercise file.

    Args:
        name_in_exercise: the file name inside the exercise folder (also picks the language).
        text: the file's current content.
        read_only: show the file without letting the learner change it.
        id: the widget id.
    """

    KEYS_HANDLED_HERE = frozenset({"enter", "tab", "escape", "ctrl+j"})

    BINDINGS = [
        Binding("ctrl+home", "document_start", "Top of the file", id="editor.top", show=False),
        Binding("ctrl+end", "document_end", "End of the file", id="editor.bottom", show=False),
        # Ctrl+A selects all, as everywhere else a beginner has typed (TextArea has it as "line
        # start", which Home does; its F7 "select all" is the Hint key here).
        Binding("ctrl+a", "select_all", "Select all", id="editor.select_all", show=False),
    ]

    DEFAULT_CSS = """
    SlateEditor { height: 1fr; border: none; padding: 0; }
    SlateEditor:focus { border: none; }
    """

    def __init__(
        self, name_in_exercise: str, text: str, *, read_only: bool = False, id: str | None = None
    ) -> None:
        language = language_for(name_in_exercise)
        if len(text) > MAX_HIGHLIGHT_CHARS:
            language = None  # a huge file is still editable, just not parsed on every key
        super().__init__(
            text,
            language=language,
            theme="css",
            soft_wrap=True,  # beginners see all of a long line, no sideways scrolling
            tab_behavior="indent",
            show_line_numbers=True,
            read_only=read_only,
            id=id,
        )
        self.cursor_blink = False
        self.indent_width = 2 if language in ("html", "css", "javascript", "json") else 4
        self.file_name = name_in_exercise
        self.saved_text = text

    # -- messages: none that nobody reads ------------------------------------------------------
    # TextArea posts Changed and SelectionChanged on every key; both bubble up one queue at a time
    # (editor, switcher, panes, columns, screen, app: ~14 message dispatches per key, a third of
    # a keystroke's CPU). Nothing in Slate reads SelectionChanged, so it is not posted unless
    # ``post_selection_changed`` is set. Changed is handed straight to ``on_change`` when a
    # screen has set it (the exercise screen does: autosave and the saved mark), else posted.

    post_selection_changed = False
    """Post ``TextArea.SelectionChanged`` (off: nobody in Slate listens for it)."""

    on_change: Callable[[SlateEditor], None] | None = None
    """Called at once with this editor when its text changed, instead of posting ``Changed``."""

    def post_message(self, message: Message) -> bool:
        if isinstance(message, TextArea.SelectionChanged) and not self.post_selection_changed:
            return True
        if isinstance(message, TextArea.Changed) and self.on_change is not None:
            self.on_change(self)
            return True
        return super().post_message(message)

    # -- keys ---------------------------------------------------------------------------------
    # Characters that arrive in a burst (a paste without bracketed paste, key repeat) are
    # inserted together: one edit, one re-parse, one "changed", instead of one per character
    # (a 5 KB paste took ~20 s). A character typed on its own (nothing else queued) is inserted
    # at once, as before. Any other key, a click or a paste first inserts what is waiting, so
    # the order never changes.

    _typed_ahead: list[str] | None = None
    _flush_queued = False

    async def _on_key(self, event: events.Key) -> None:
        if self.rerouted(event):
            return
        if event.is_printable and event.character and not self.read_only:
            event.stop()
            event.prevent_default()
            if self._typed_ahead is None:
                self._typed_ahead = []
            self._typed_ahead.append(event.character)
            if not self._flush_queued:
                if self.message_queue_size == 0:
                    self.apply_typed_ahead()
                else:  # more keys are waiting: insert them all after the last of them
                    self._flush_queued = True
                    self.call_later(self.apply_typed_ahead)
            return
        self.apply_typed_ahead()
        if event.key == "ctrl+j" and not self.read_only:
            # A line feed: what a paste without bracketed paste sends from some terminals and
            # what Shift+Enter sends from others. Either way the person wants a new line.
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
        # Other keys: Textual calls KeysInOrder._on_key, then TextArea._on_key, next (MRO).

    def apply_typed_ahead(self) -> None:
        """Insert the characters waiting to be inserted (call before reading the text)."""
        self._flush_queued = False
        if self._typed_ahead:
            text = "".join(self._typed_ahead)
            self._typed_ahead.clear()
            start, end = self.selection
            self._replace_via_keyboard(text, start, end)

    async def _on_mouse_down(self, event: events.MouseDown) -> None:
        self.apply_typed_ahead()  # before the click moves the cursor

    async def _on_paste(self, event: events.Paste) -> None:
        self.apply_typed_ahead()  # then TextArea._on_paste inserts the paste after it

    # -- highlighting once per frame, not once per key ----------------------------------------
    # TextArea.edit() rebuilds the highlight map of the whole file (a tree-sitter query over
    # every line, ~5 ms for 40 lines) after every single edit. A burst of keys (a paste without
    # bracketed paste: one edit per character) then costs seconds. Only rendering reads the
    # map, so it is rebuilt when a frame is drawn, at most once per frame.
    # And only for the rows that can have changed: an edit that keeps the number of lines
    # re-queries its own rows and those whose syntax changed (tree-sitter's changed ranges: a
    # quote or comment opened on one line that colours the lines below); anything else (a new
    # line, loading a file, a new theme or language) rebuilds the whole map, as before.
    # Each row's highlights are kept in the query's capture order, so a row queried alone and
    # the same row in a whole-file query are drawn the same.

    _highlights_stale = False
    _stale_rows: set[int] | None = None
    """Rows whose highlights must be queried again; None: the whole file."""

    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        self._highlights_stale = True
        self._stale_rows = None

    def edit(self, edit: Edit) -> EditResult:
        stale = self._stale_rows if self._highlights_stale else set()
        document = self.document
        old_tree = getattr(document, "_syntax_tree", None)
        lines = document.line_count
        result = super().edit(edit)  # calls _build_highlight_map (above): all rows stale
        new_tree = getattr(document, "_syntax_tree", None)
        if (
            stale is None
            or old_tree is None
            or new_tree is None
            or new_tree is old_tree
            or document.line_count != lines
        ):
            return result  # the whole map
        rows = set(stale)
        rows.update(range(edit.top[0], max(edit.bottom[0], result.end_location[0]) + 1))
        for changed in old_tree.changed_ranges(new_tree):
            rows.update(range(changed.start_point[0], changed.end_point[0] + 1))
        self._stale_rows = rows
        return result

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._repaint_pending:
            self._find_changed_rows()
        elif self._frame_inputs is None:  # a full repaint: every row drawn from now
            self._highlights_up_to_date()
            self._frame_inputs = self._frame_key()
            self._row_inputs = self._row_keys()
        self._highlights_up_to_date()
        # TextArea.render_lines applies the CSS to the theme (~1 ms) on every frame; here only
        # when the styles it reads from may have changed, or another editor applied its own.
        theme = self._theme
        if theme is not None:
            applied = (self, self._style_generation, self.rich_style, self.app.current_theme)
            if getattr(theme, "_slate_applied", None) != applied:
                theme.apply_css(self)
                theme._slate_applied = applied  # type: ignore[attr-defined]
        return ScrollView.render_lines(self, crop)

    def _highlights_up_to_date(self) -> None:
        if not self._highlights_stale:
            return
        self._highlights_stale = False
        rows, self._stale_rows = self._stale_rows, None
        query = self._highlight_query
        if rows is None or not query:
            super()._build_highlight_map()
            rows = set(self._highlights)
        else:
            self._query_rows(query, rows)
        rank = self._capture_rank(query)
        highlights = self._highlights
        for row in rows:
            if row in highlights:
                highlights[row].sort(key=lambda h: rank.get(h[2], len(rank)))

    def _query_rows(self, query: Query, rows: set[int]) -> None:
        """Query the highlights of ``rows`` again (as TextArea._build_highlight_map does)."""
        highlights = self._highlights
        last = self.document.line_count - 1
        for first, end in _spans(sorted(r for r in rows if 0 <= r <= last)):
            for row in range(first, end + 1):
                highlights.pop(row, None)
            captures = self.document.query_syntax_tree(query, (first, 0), (end + 1, 0))
            for name, nodes in captures.items():
                for node in nodes:
                    start_row, start_column = node.start_point
                    end_row, end_column = node.end_point
                    for row in range(max(start_row, first), min(end_row, end) + 1):
                        if start_row == end_row:
                            highlights[row].append((start_column, end_column, name))
                        elif row == start_row:
                            highlights[row].append((start_column, None, name))
                        elif row == end_row:
                            highlights[row].append((0, end_column, name))
                        else:
                            highlights[row].append((0, None, name))

    _rank: tuple[Query | None, dict[str, int]] = (None, {})

    def _capture_rank(self, query: Query | None) -> dict[str, int]:
        """Capture name -> its place in the query (the order its styles are applied in)."""
        if query is None:
            return {}
        if self._rank[0] is not query:
            rank: dict[str, int] = {}
            # a property at run time (tree-sitter 0.25); its type stubs call it a method
            count = int(query.capture_count)  # type: ignore[call-overload]
            for index in range(count):
                rank.setdefault(query.capture_name(index), index)
            self._rank = (query, rank)
        return self._rank[1]

    # -- repaint only the rows that changed ---------------------------------------------------
    # TextArea asks for a repaint of the whole widget on every key (the selection is a reactive
    # that repaints), so every visible row was rendered again (~16-22 rows at 80x24, most of the
    # CPU of a keystroke). Instead, a whole-widget repaint is noted, and when the frame is drawn
    # each visible row's inputs (its text, highlights, cursor, selection, bracket match; and for
    # all rows: size, scroll, focus, styles...) are compared with those it was last drawn from:
    # only rows whose inputs differ are repainted. Anything not covered by a row's inputs is in
    # the "frame" part, and a change there repaints everything, as before.

    _repaint_pending = False
    _frame_inputs: tuple[object, ...] | None = None
    _row_inputs: list[object] = []
    _style_generation = 0

    def notify_style_update(self) -> None:
        self._style_generation += 1
        super().notify_style_update()

    def _set_dirty(self, *regions: Region) -> None:
        if regions:
            # Rows repainted from elsewhere (cursor blink, bracket match): their inputs are
            # unknown now, so they are compared as changed next time.
            rows = self._row_inputs
            for region in regions:  # rows of the content, as refresh_lines gives them
                for y in region.line_range:
                    if 0 <= y < len(rows):
                        rows[y] = _UNKNOWN
            super()._set_dirty(*regions)
        elif self._frame_inputs is None or not self.is_mounted:
            self._frame_inputs = None  # drawn afresh: inputs noted at the next render
            super()._set_dirty()
        else:
            self._repaint_pending = True

    def _exchange_repaint_regions(self) -> Collection[Region]:
        if self._repaint_pending:
            self._find_changed_rows()
        return super()._exchange_repaint_regions()

    def _frame_key(self) -> tuple[object, ...]:
        return (
            self.size,
            self.scroll_offset,
            self.scrollable_content_region.size,
            self.virtual_size,
            self.content_offset,
            self.theme,
            self.soft_wrap,
            self.show_line_numbers,
            self.line_number_start,
            self.gutter_width,
            self.indent_width,
            self.read_only,
            self.show_cursor,
            self.highlight_cursor_line,
            self.match_cursor_bracket,
            self.has_focus,
            self.rich_style,  # colours inherited from the panes around (focus, theme)
            self.suggestion,
            self._style_generation,
            bool(self.placeholder) and not self.document.line_count > 1
            and not self.document.get_line(0),
        )

    def _row_keys(self) -> list[object]:
        """What each visible row is drawn from (see _render_line), row by row."""
        wrapped = self.wrapped_document
        offsets = wrapped._offset_to_line_info
        document = self.document
        highlights = self._highlights
        start, end = self.selection
        top, bottom = sorted((start, end))
        cursor_row, cursor_column = end
        bracket = self._matching_bracket_location
        cursor = (cursor_column, self._draw_cursor, self._cursor_visible, bracket)
        scroll_y = self.scroll_offset.y
        keys: list[object] = []
        for y in range(scroll_y, scroll_y + self.size.height):
            if y >= len(offsets) or offsets[y] is None:
                keys.append(None)
                continue
            line_index, section = offsets[y]
            keys.append((
                line_index,
                section,
                document.get_line(line_index),
                tuple(wrapped.get_offsets(line_index)),
                _highlight_key(highlights.get(line_index) or []),
                cursor if line_index == cursor_row else None,
                (top, bottom) if start != end and top[0] <= line_index <= bottom[0] else None,
                bracket if bracket is not None and bracket[0] == line_index else None,
            ))
        return keys

    def _find_changed_rows(self) -> None:
        """Mark as dirty only the rows whose inputs changed since they were drawn."""
        self._repaint_pending = False
        self._highlights_up_to_date()
        frame = self._frame_key()
        rows = self._row_keys()
        if frame != self._frame_inputs or len(rows) != len(self._row_inputs):
            self._frame_inputs = frame
            self._row_inputs = rows
            super()._set_dirty()
            return
        old = self._row_inputs
        # The text's columns only: the scroll bar beside them is drawn from the frame's inputs.
        width = self.scrollable_content_region.width
        changed = [Region(0, y, width, 1) for y, key in enumerate(rows) if key != old[y]]
        self._row_inputs = rows
        if changed:
            super()._set_dirty(*changed)

    def _watch_show_vertical_scrollbar(self) -> None:
        # Textual 8.2.8: an undo that takes lines away sets the new size (the scroll bar goes)
        # before it moves the cursor back into the shorter text, and scrolling to the cursor
        # then raised ValueError (a line past the end) and ended the session. Here the scroll
        # waits for the undo to move the cursor (which scrolls to it).
        if self.cursor_location[0] >= self.document.line_count:
            if self.wrap_width:
                self._rewrap_and_refresh_virtual_size()
            return
        super()._watch_show_vertical_scrollbar()

    def action_document_start(self) -> None:
        """Ctrl+Home: the start of the file."""
        self.move_cursor((0, 0))

    def action_document_end(self) -> None:
        """Ctrl+End: the end of the file."""
        self.move_cursor(self.document.end)

    @property
    def dirty(self) -> bool:
        """True when the text has changed since it was last saved or loaded."""
        return not self.read_only and self.text != self.saved_text

    def mark_saved(self, text: str) -> None:
        """Record that ``text`` is what is now on disk."""
        self.saved_text = text

    def replace_all(self, text: str) -> None:
        """Load new content from disk (after a restore), keeping it marked as saved."""
        self.saved_text = text
        self.load_text(text)


def _spans(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    spans: list[tuple[int, int]] = []
    for row in rows:
        if spans and row == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], row)
        else:
            spans.append((row, row))
    return spans


def _highlight_key(highlights: list[tuple[int, int | None, str]]) -> tuple[object, ...]:
    """A line's highlights as they look when drawn: styles are applied name by name (in the order
    the names come), and the ranges of one name in any order give the same line (tree-sitter
    returns them in an order that changes from one parse to the next)."""
    groups: dict[str, list[tuple[int, int]]] = {}
    for start, end, name in highlights:
        groups.setdefault(name, []).append((start, -1 if end is None else end))
    return tuple((name, tuple(sorted(ranges))) for name, ranges in groups.items())


_UNKNOWN = object()
"""A row input that equals nothing: the row is repainted next time."""
