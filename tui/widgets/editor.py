"""The code editor: Textual's TextArea set up for beginners, one per exercise file.

Owns the editor's settings: tree-sitter highlighting chosen from the file name, line numbers,
undo/redo, read-only files shown read-only, no cursor blink, and the "unsaved" state.
Invariant kept: :attr:`SlateEditor.dirty` is True exactly when the text differs from what was
last saved (or loaded), so the saved/unsaved mark never lies.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import TextArea

from tui.course_view import language_for
from tui.widgets.keys_in_order import KeysInOrder

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

    _highlights_stale = False

    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        self._highlights_stale = True

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._highlights_stale:
            self._highlights_stale = False
            super()._build_highlight_map()
        return super().render_lines(crop)

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
