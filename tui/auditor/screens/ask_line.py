"""A small dialog that asks for one line (a time to jump to); Esc cancels."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.widgets.inputs import PlainInput


class AskLine(ModalScreen[str | None]):
    """Ask for a line of text; dismisses with it, or None when cancelled."""

    DEFAULT_CSS = """
    AskLine { align: center middle; }
    AskLine > Vertical { width: 64; max-width: 95%; height: auto; border: heavy $accent;
                         background: $panel; padding: 0 1; }
    AskLine #ask-question { height: auto; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ask_line.cancel")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="ask-question", markup=False)
            yield PlainInput(id="ask-answer", max_length=40)
            yield Static("Enter goes, Esc cancels.")

    def on_mount(self) -> None:
        self.query_one("#ask-answer", Input).focus()

    @on(Input.Submitted, "#ask-answer")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
