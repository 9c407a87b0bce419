"""A yes/no question in a box: "Y" or Enter on Yes agrees, "N" or Esc says no."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.widgets.ordered import OrderedButton


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something that replaces the learner's work (returns True for yes)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No, go back") -> None:
        super().__init__(id="confirm")
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(self.question, id="confirm-question", markup=False)
            yield Static("Press Y for yes, or N (or Esc) for no.", classes="dialog-keys")
            with Horizontal(classes="dialog-buttons"):
                yield OrderedButton(f"{self.yes} (Y)", id="confirm-yes", variant="warning")
                yield OrderedButton(f"{self.no} (N)", id="confirm-no", variant="primary")

    def on_mount(self) -> None:
        """Start on the safe answer."""
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        """Close with ``answer``."""
        self.dismiss(answer)
