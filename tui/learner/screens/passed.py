"""The short, warm message after a pass, with the next exercise one key away."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.widgets.ordered import OrderedButton


class PassedScreen(ModalScreen[bool]):
    """"Well done" — returns True when the learner wants the next exercise.

    Args:
        user: the learner's name.
        title: the exercise just passed.
        next_exercise: (course, exercise) of the next one, or None at the end of the programme.
    """

    BINDINGS = [
        Binding("enter,n", "answer(True)", "Next exercise", id="passed.next"),
        Binding("escape,s", "answer(False)", "Stay here", id="passed.stay"),
    ]

    def __init__(self, user: str, title: str, next_exercise: tuple[str, str] | None) -> None:
        super().__init__(id="passed")
        self.user = user
        self.title_text = title
        self.next_exercise = next_exercise

    def compose(self) -> ComposeResult:
        with Vertical(id="passed-box", classes="dialog"):
            yield Static(f"Well done, {self.user}!", id="passed-title", markup=False)
            yield Static(
                f"You finished \u201c{self.title_text}\u201d. Every test passed. "
                "Your progress is saved.",
                markup=False,
            )
            if self.next_exercise is not None:
                yield Static(
                    "Press Enter to go to the next exercise, or Esc to stay here.",
                    classes="dialog-keys",
                )
                with Horizontal(classes="dialog-buttons"):
                    yield OrderedButton("Next exercise (Enter)", id="passed-next",
                                        variant="success")
                    yield OrderedButton("Stay here (Esc)", id="passed-stay")
            else:
                yield Static(
                    "That was the last exercise. Press Esc to look back over your work.",
                    classes="dialog-keys",
                )
                with Horizontal(classes="dialog-buttons"):
                    yield OrderedButton("Stay here (Esc)", id="passed-stay")

    def on_mount(self) -> None:
        """Focus the most likely choice."""
        self.query_one("#passed-next, #passed-stay", Button).focus()

    @on(Button.Pressed, "#passed-next")
    def _next(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#passed-stay")
    def _stay(self) -> None:
        self.dismiss(False)

    def action_answer(self, go_next: bool) -> None:
        """Close; going next only when there is a next exercise."""
        self.dismiss(go_next and self.next_exercise is not None)
