"""A small dialog that asks for one line of text (a message, a lock notice); Esc cancels."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.widgets.inputs import PlainInput


class AskText(ModalScreen[str | None]):
    """Ask for a line of text; dismisses with the text, or None when cancelled.

    Args:
        question: what to ask (plain text).
        value: the text to start with.
        allow_empty: whether an empty answer is accepted.
        max_length: the longest answer.
    """

    DEFAULT_CSS = """
    AskText { align: center middle; }
    AskText > Vertical { width: 70; max-width: 95%; height: auto; border: heavy $accent;
                         background: $panel; padding: 0 1; }
    AskText #ask-question { height: auto; margin-bottom: 1; }
    AskText #ask-keys { height: auto; color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ask.cancel")]

    def __init__(
        self, question: str, value: str = "", *, allow_empty: bool = False, max_length: int = 500
    ) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.allow_empty = allow_empty
        self.max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="ask-question", markup=False)
            answer = PlainInput(id="ask-answer", max_length=self.max_length)
            answer.value = self.value
            yield answer
            yield Static("Enter sends, Esc cancels.", id="ask-keys")

    def on_mount(self) -> None:
        self.query_one("#ask-answer", Input).focus()

    @on(Input.Submitted, "#ask-answer")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text or self.allow_empty:
            self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
