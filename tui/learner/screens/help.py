"""The help screen: every key of the screen underneath, and the editor's keys, in plain words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

EDITOR_KEYS = [
    ("Arrow keys", "Move the cursor"),
    ("Home/End", "Go to the start or end of the line"),
    ("PageUp/PageDown", "Move up or down one screen"),
    ("Shift+arrow keys", "Select text"),
    ("Ctrl+Z", "Undo your last change"),
    ("Ctrl+Y", "Redo (bring back what you undid)"),
    ("Ctrl+X / Ctrl+C / Ctrl+V", "Cut / copy / paste the selected text"),
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

    def compose(self) -> ComposeResult:
        width = max([len(k) for k, _ in self.screen_keys + EDITOR_KEYS] + [8]) + 2
        lines = ["Keys on this screen", ""]
        lines += [f"{k:<{width}}{NAMES.get(d, d)}" for k, d in self.screen_keys]
        if not any(d == "Quit" for _, d in self.screen_keys):
            lines.append(f"{'Ctrl+Q':<{width}}Save everything and leave Slate")
        if self.with_editor:
            lines += ["", "In the code editor", ""]
            lines += [f"{k:<{width}}{d}" for k, d in EDITOR_KEYS]
        lines += ["", "The mouse works too, but you never need it."]
        with Vertical(id="help-box", classes="dialog"):
            yield Static("Help: all the keys", id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static("\n".join(lines), id="help-text", markup=False)
            yield Static("Press Esc to close this help.", classes="dialog-keys")

    def on_mount(self) -> None:
        """Let the arrow keys scroll the list."""
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
