"""The help screen: every key of the screen underneath, and the editor's keys, in plain words."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.widgets.ordered import OrderedScroll

EDITOR_KEYS = [
    ("Arrow keys", "Move the cursor"),
    ("Home/End", "Go to the start or end of the line"),
    ("Ctrl+Home/Ctrl+End", "Go to the start or end of the file"),
    ("PgUp/PgDn", "Move up or down one screen"),
    ("Shift+arrows", "Select text"),
    ("Ctrl+A", "Select all the text of the file"),
    ("Ctrl+Z", "Undo your last change"),
    ("Ctrl+Y", "Redo (bring back what you undid)"),
    ("Ctrl+X, C, V", "Cut, copy, paste the selected text"),
    ("Tab", "Indent (move the line to the right)"),
    ("Ctrl+S", "Save now (Slate also saves by itself when you stop typing)"),
]

NAMES = {
    "Lesson": "Show the lesson",
    "Code": "Show your code (the editor)",
    "Output": "Show the output: what your program printed and the check results",
    "Run": "Run your program",
    "Check": "Check your work: Slate runs the tests and tells you what passed",
    "Hint": "Show the next hint",
    "History": "See earlier versions of your work, restore one, or start again",
    "Stop": "Stop your program if it runs too long",
    "Next file": "Show the next file, when an exercise has several",
    "Git": "Open the Git panel (Git course)",
    "Console": "Type commands (git, node, sqlite3, ls...) and see what they print",
    "Preview": "See your web page as a text browser shows it",
    "Reference": "Look up a word: HTML, CSS, JavaScript, SQL, git (opens at the cursor)",
    "Courses": "Go back to the list of courses",
    "All keys": "Show this help",
    "Quit": "Save everything and leave Slate",
    "Open": "Open the chosen exercise",
    "Continue": "Continue where you left off",
}


class HelpScreen(ModalScreen[None]):
    """A box listing every key; Esc, Q or F1 closes it.

    Args:
        screen_keys: (keys, action) pairs of the screen underneath, in its order.
        with_editor: also list the editor's keys.
    """

    BINDINGS = [
        Binding("escape,q,f1,alt+k", "close", "Close", id="help.close"),
    ]

    def __init__(self, screen_keys: list[tuple[str, str]], with_editor: bool = False) -> None:
        super().__init__(id="help")
        self.screen_keys = screen_keys
        self.with_editor = with_editor

    def help_table(self) -> Table:
        """Two columns, keys and what they do; long descriptions wrap in their own column."""
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
        table.add_column("keys", no_wrap=True, style="bold")
        table.add_column("what", ratio=1)
        table.add_row(Text("Keys on this screen", style="underline"), "")
        for keys, words in self.screen_keys:
            table.add_row(keys, NAMES.get(words, words))
        if not any(words == "Quit" for _, words in self.screen_keys):
            table.add_row("Ctrl+Q", "Save everything and leave Slate")
        if self.with_editor:
            table.add_row("", "")
            table.add_row(Text("In the code editor", style="underline"), "")
            for keys, words in EDITOR_KEYS:
                table.add_row(keys, words)
        table.add_row("", "")
        table.add_row("Mouse", "The mouse works too, but you never need it.")
        return table

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Static("Help: all the keys", id="help-title")
            with OrderedScroll(id="help-scroll"):
                yield Static(self.help_table(), id="help-text")
            yield Static("Up and Down scroll this list. Press Esc to close it.",
                         classes="dialog-keys")

    def on_mount(self) -> None:
        """Let the arrow keys scroll the list."""
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
