"""The learner's classroom dialogs: the lock screen, the pairing consent, the raised hand's note.

The lock screen takes every key (the server also ignores the learner's keys while locked) and is
removed by the server's unlock, which puts the learner back exactly where they were (the screens
underneath are untouched). The pairing consent is answered only by the learner's own keys: staff
keys cannot reach the session before the learner says yes.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.safe_text import visible
from tui.widgets.inputs import PlainInput


class LockScreen(ModalScreen[None]):
    """The instructor locked this screen: a message, and no keys work until unlocked."""

    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background 90%; }
    LockScreen > Vertical { width: 60; max-width: 95%; height: auto; border: heavy $accent;
                            background: $panel; padding: 1 2; }
    LockScreen #lock-title { text-style: bold; margin-bottom: 1; }
    """
    BINDINGS = []

    def __init__(self, message: str) -> None:
        super().__init__(id="class-lock")
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Your screen is locked by your instructor.", id="lock-title")
            yield Static(visible(self.message), id="lock-message", markup=False)
            yield Static("Your work is saved. It will be here, as you left it, when the "
                         "instructor unlocks your screen.", id="lock-note")

    def show_message(self, message: str) -> None:
        """A new lock message while already locked."""
        self.message = message
        self.query_one("#lock-message", Static).update(visible(message))

    async def _on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()


class PairConsent(ModalScreen[bool]):
    """Asks the learner whether a staff member may type in their session."""

    DEFAULT_CSS = """
    PairConsent { align: center middle; }
    PairConsent > Vertical { width: 64; max-width: 95%; height: auto; border: heavy $accent;
                             background: $panel; padding: 1 2; }
    PairConsent #pair-question { text-style: bold; margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="pair.yes"),
        Binding("n,escape", "answer(False)", "No", id="pair.no"),
    ]

    def __init__(self, by: str) -> None:
        super().__init__(id="class-pair-consent")
        self.by = by

    def compose(self) -> ComposeResult:
        name = visible(self.by, keep_newlines=False)
        with Vertical():
            yield Static(f"{name} asks to type in your session.", id="pair-question",
                         markup=False)
            yield Static(
                f"If you say yes, {name} can type in your editor while you watch, and the top "
                "line says who is typing. Either of you can stop it at any time (F11 or Alt+X "
                "for you).", markup=False,
            )
            yield Static("Press Y to say yes, N to say no.", id="pair-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class HandNote(ModalScreen[str | None]):
    """Raise a hand, optionally with a short note for the instructor."""

    DEFAULT_CSS = """
    HandNote { align: center middle; }
    HandNote > Vertical { width: 64; max-width: 95%; height: auto; border: heavy $accent;
                          background: $panel; padding: 0 1; }
    HandNote #hand-question { height: auto; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="hand.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Ask your instructor for help. What do you need? (you can leave it "
                         "empty)", id="hand-question")
            yield PlainInput(id="hand-text", max_length=200)
            yield Static("Enter raises your hand, Esc cancels.")

    def on_mount(self) -> None:
        self.query_one("#hand-text", Input).focus()

    @on(Input.Submitted, "#hand-text")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class DemoScreen(ModalScreen[None]):
    """Demo mode: the instructor's screen, read-only, until they stop it.

    Their screen arrives as ``watch_output`` pushes and is emulated by :class:`TerminalView`
    (cells only, every character filtered), exactly as a learner's screen is for staff.
    """

    DEFAULT_CSS = """
    DemoScreen { background: $background; }
    DemoScreen #demo-title { height: 1; padding: 0 1; text-style: bold reverse; }
    DemoScreen #demo-view { height: 1fr; }
    """
    BINDINGS = []

    def __init__(self, by: str) -> None:
        super().__init__(id="class-demo")
        self.by = by

    def compose(self) -> ComposeResult:
        from tui.widgets.terminal_view import TerminalView

        name = visible(self.by, keep_newlines=False)
        yield Static(f"Demo: {name}'s screen (you watch; it ends when {name} stops it)",
                     id="demo-title", markup=False)
        yield TerminalView(id="demo-view", follow_cursor=True)

    def feed(self, data: bytes, cols: int, rows: int, reset: bool) -> None:
        """A chunk of the instructor's screen output."""
        from tui.widgets.terminal_view import TerminalView

        views = self.query("#demo-view")
        if not views:
            return
        view = views.first(TerminalView)
        if reset:
            view.clear()
        view.feed(data, cols, rows)

    async def _on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
