"""Demo mode: the class sees this screen, read-only — a scratch editor, never the roster.

While a demo runs, the instructor's whole terminal is shown to every online learner. So it shows
only this screen: a banner saying the class is watching, and a scratch editor (JavaScript
highlighting; kept only in this session) to write and explain code. The roster, learners'
screens and messages stay hidden until the demo ends (F10), because learners must not see each
other's names, progress or help requests.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from server import protocol
from tui.widgets.editor import SlateEditor
from tui.widgets.key_bar import KeyBar

START = "// The class sees this screen. Type here to show them some code.\n"


class DemoScreen(Screen[None]):
    """The screen the class watches during a demo."""

    BINDINGS = [
        Binding("f10", "end_demo", "End the demo", id="demo.end", priority=True),
    ]

    def __init__(self, text: str = START) -> None:
        super().__init__(id="demo")
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static("DEMO: every online learner sees this screen. F10 ends the demo.",
                     id="demo-banner", markup=False)
        yield SlateEditor("demo.js", self.text, id="demo-editor")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)
        self.query_one(SlateEditor).focus()

    def action_end_demo(self) -> None:
        app = self.app
        app.demo_text = self.query_one(SlateEditor).text  # type: ignore[attr-defined]
        app.run_worker(app.ask(protocol.DemoStop()), group="demo")  # type: ignore[attr-defined]
        app.pop_screen()
