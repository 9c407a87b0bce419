"""The help queue: raised hands in arrival order; watch, answer, mark done."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Label, ListItem, ListView, Static

from tui.instructor.messages import RosterChanged
from tui.widgets.key_bar import KeyBar


class HelpQueueScreen(Screen[None]):
    """Who asked for help, first come first served."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="queue.back"),
        Binding("enter,w", "watch", "Watch", id="queue.watch"),
        Binding("m", "message", "Answer", id="queue.message"),
        Binding("d", "done", "Done", id="queue.done"),
        Binding("q", "app.quit", "Quit", id="queue.quit", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="help-queue")
        self.names: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("", id="queue-status", markup=False)
        yield ListView(id="queue-list")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)
        self.query_one("#queue-list", ListView).focus()
        self.set_interval(1.0, self.refresh_queue, name="queue clock")
        self.refresh_queue()

    def refresh_queue(self) -> None:
        """Redraw the list from the model, keeping the highlighted learner."""
        lines = self.app.model.queue_lines()  # type: ignore[attr-defined]
        listing = self.query_one("#queue-list", ListView)
        selected = self.selected()
        names = [name for name, _ in lines]
        if names != self.names:
            listing.clear()
            for _, text in lines:
                listing.append(ListItem(Label(text, markup=False)))
            self.names = names
            if selected in names:
                listing.index = names.index(selected)
            elif names:
                listing.index = 0
        else:
            for item, (_, text) in zip(listing.query(ListItem), lines, strict=False):
                item.query_one(Label).update(text)
        self.query_one("#queue-status", Static).update(
            f"{len(names)} waiting, in the order they asked." if names
            else "Nobody is waiting for help."
        )

    @on(RosterChanged)
    def _changed(self, event: RosterChanged) -> None:
        self.refresh_queue()

    def selected(self) -> str | None:
        index = self.query_one("#queue-list", ListView).index
        if index is None or not 0 <= index < len(self.names):
            return None
        return self.names[index]

    @on(ListView.Selected, "#queue-list")
    def _picked(self, event: ListView.Selected) -> None:
        self.action_watch()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_watch(self) -> None:
        name = self.selected()
        if name is not None:
            from tui.instructor.screens.watch import WatchScreen

            self.app.push_screen(WatchScreen(name))

    def action_message(self) -> None:
        name = self.selected()
        if name is None:
            return
        from tui.instructor.screens.ask_text import AskText

        def send(text: str | None) -> None:
            if text:
                self.app.send_message(name, text)  # type: ignore[attr-defined]

        self.app.push_screen(AskText(f"Answer to {name}:"), send)

    def action_done(self) -> None:
        name = self.selected()
        if name is not None:
            self.app.help_done(name)  # type: ignore[attr-defined]
