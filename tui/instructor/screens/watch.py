"""Watching one learner's screen live, read-only — or, with their consent, typing in it.

The learner's screen arrives as untrusted bytes (``watch_output`` pushes) and is emulated by
:class:`tui.widgets.terminal_view.TerminalView` (pyte, cells only, every character filtered):
nothing the learner's programs print reaches this terminal raw. Above it, one line of roster
context (exercise, last check, failing test, hand). The instructor's keys are never sent to the
learner, except while a pairing the learner accepted is active (then every key but the end-pair
key goes to them, and the learner sees who is typing).
"""

from __future__ import annotations

import base64
import binascii

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static

from server import protocol
from tui.instructor.keys import key_bytes
from tui.instructor.messages import PairChanged, RosterChanged, WatchChunk, WatchStopped
from tui.safe_text import visible
from tui.widgets.key_bar import KeyBar
from tui.widgets.terminal_view import TerminalView

END_PAIR_KEYS = ("f10", "ctrl+right_square_bracket")


class PairKeySink(Widget, can_focus=False):
    """Holds the focus while paired (and only then: it is not focusable otherwise): every key
    becomes bytes for the learner."""

    DEFAULT_CSS = "PairKeySink { height: 0; width: 0; }"

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if not getattr(screen, "paired", False):
            await super()._on_key(event)
            return
        if event.key in END_PAIR_KEYS:
            event.stop()
            event.prevent_default()
            screen.action_end_pair()  # type: ignore[attr-defined]
            return
        data = key_bytes(event.key, event.character)
        event.stop()
        event.prevent_default()
        if data:
            screen.send_keys(data)  # type: ignore[attr-defined]


class WatchScreen(Screen[None]):
    """One learner's live screen.

    Args:
        learner: whom to watch.
        pair: ask to pair straight away (the learner must accept).
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="watch.back"),
        Binding("p", "pair", "Pair", id="watch.pair"),
        Binding("m", "message", "Message", id="watch.message"),
        Binding("d", "help_done", "Help done", id="watch.done"),
        Binding("n", "hint", "Next hint", id="watch.hint"),
        Binding("f", "follow", "Follow cursor", id="watch.follow"),
        Binding("q", "app.quit", "Quit", id="watch.quit", show=False),
    ]

    def __init__(self, learner: str, *, pair: bool = False) -> None:
        super().__init__(id="watch")
        self.learner = learner
        self.want_pair = pair
        self.paired = False
        self.asked = False
        self.last_seq = 0
        self.left = False
        self._keys = bytearray()
        self._sending = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("", id="watch-context", markup=False)
        yield Static("", id="watch-pair", markup=False)
        yield TerminalView(id="watch-view")
        yield PairKeySink(id="watch-keys")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one("#watch-pair", Static).display = False
        self.query_one(TerminalView).focus()
        self._show_keys()
        self._show_context()
        self.set_interval(1.0, self._show_context, name="watch context clock")
        self.run_worker(self._start(), group="watch")

    def _show_keys(self) -> None:
        bar = self.query_one(KeyBar)
        if self.paired:
            bar.show_keys([("F10/Ctrl+]", "Stop pairing (your other keys go to the learner)")])
        else:
            bar.show_screen(self, self.BINDINGS)

    async def _start(self) -> None:
        app = self.app
        reply = await app.ask(protocol.Watch(learner=self.learner))  # type: ignore[attr-defined]
        if reply is None:
            self.left = True
            self._show_context()
            return
        view = self.query_one(TerminalView)
        view.feed(b"", reply.cols, reply.rows)
        if self.want_pair:
            self.action_pair()

    def on_unmount(self) -> None:
        app = self.app
        if self.paired or self.asked:
            end = protocol.PairEnd(learner=self.learner)
            app.run_worker(app.ask(end))  # type: ignore[attr-defined]
        # The grid underneath may still show this learner: its watch stays on.
        grid_watches = any(
            self.learner in getattr(screen, "watching", ()) for screen in app.screen_stack
            if screen is not self
        )
        if not self.left and not grid_watches:
            stop = protocol.Unwatch(learner=self.learner)
            app.run_worker(app.ask(stop))  # type: ignore[attr-defined]

    # -- the learner's screen --------------------------------------------------------------------

    @on(WatchChunk)
    def _chunk(self, event: WatchChunk) -> None:
        push = event.push
        if push.learner != self.learner:
            return
        view = self.query_one(TerminalView)
        try:
            data = base64.b64decode(push.data, validate=True)
        except (binascii.Error, ValueError):
            return
        if push.reset:
            view.clear()
        self.last_seq = push.seq
        view.feed(data, push.cols, push.rows)

    @on(WatchStopped)
    def _stopped(self, event: WatchStopped) -> None:
        if event.push.learner == self.learner:
            self.left = True
            self.paired = False
            self._pair_line("")
            self.app.notify(
                f"Stopped watching {visible(self.learner, keep_newlines=False)}:"
                f" {visible(event.push.reason, keep_newlines=False)}.",
                severity="warning",
            )
            self._show_context()

    @on(RosterChanged)
    def _roster(self, event: RosterChanged) -> None:
        self._show_context()

    def _show_context(self) -> None:
        if not self.is_attached:
            return
        model = self.app.model  # type: ignore[attr-defined]
        line = model.context_line(self.learner)
        if self.left:
            line += " | not watching (learner offline)"
        self.query_one("#watch-context", Static).update(line)

    # -- pairing ---------------------------------------------------------------------------------

    def _pair_line(self, text: str) -> None:
        line = self.query_one("#watch-pair", Static)
        line.update(text)
        line.display = bool(text)

    def action_pair(self) -> None:
        if self.paired or self.asked:
            self.action_end_pair()
            return
        self.asked = True
        name = visible(self.learner, keep_newlines=False)
        self._pair_line(f"Asked {name} to let you type. Waiting for them to accept (P cancels).")
        self.app.ask_pair(self.learner)  # type: ignore[attr-defined]

    @on(PairChanged)
    def _pair_changed(self, event: PairChanged) -> None:
        if event.push.learner != self.learner:
            return
        name = visible(self.learner, keep_newlines=False)
        state = event.push.state
        if state == "active":
            self.paired, self.asked = True, False
            self._pair_line(f"PAIRED: you are typing in {name}'s session. F10 or Ctrl+] stops.")
            sink = self.query_one(PairKeySink)
            sink.can_focus = True
            sink.focus()
        else:
            was = self.paired
            self.paired, self.asked = False, False
            self._pair_line("")
            self.query_one(PairKeySink).can_focus = False
            self.query_one(TerminalView).focus()
            if state == "declined":
                self.app.notify(f"{name} said no to pairing.", severity="warning")
            elif was:
                self.app.notify(f"Pairing with {name} ended.")
        self._show_keys()

    def action_end_pair(self) -> None:
        if self.paired or self.asked:
            self.app.run_worker(
                self.app.ask(protocol.PairEnd(learner=self.learner))  # type: ignore[attr-defined]
            )
        self.paired = self.asked = False
        self._pair_line("")
        self.query_one(PairKeySink).can_focus = False
        self.query_one(TerminalView).focus()
        self._show_keys()

    def send_keys(self, data: bytes) -> None:
        """Type ``data`` in the learner's session (only while paired; the server checks too).

        Keys are sent by one worker, in order, batched while a request is on its way."""
        if not self.paired:
            return
        self._keys += data
        if not self._sending:
            self._sending = True
            self.run_worker(self._send_keys(), group="pair-keys")

    async def _send_keys(self) -> None:
        try:
            while self._keys and self.paired:
                chunk = bytes(self._keys[:4096])
                del self._keys[:4096]
                message = protocol.PairKeys(
                    learner=self.learner, data=base64.b64encode(chunk).decode("ascii")
                )
                await self.app.ask(message)  # type: ignore[attr-defined]
        finally:
            self._sending = False
            self._keys.clear()

    # -- other actions ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_follow(self) -> None:
        view = self.query_one(TerminalView)
        view.follow_cursor = not view.follow_cursor
        self.app.notify("Following the cursor." if view.follow_cursor else "Scroll freely.")

    def action_message(self) -> None:
        from tui.instructor.screens.ask_text import AskText

        def send(text: str | None) -> None:
            if text:
                self.app.send_message(self.learner, text)  # type: ignore[attr-defined]

        self.app.push_screen(AskText(f"Message to {self.learner}:"), send)

    def action_hint(self) -> None:
        self.app.release_hint(self.learner)  # type: ignore[attr-defined]

    def action_help_done(self) -> None:
        self.app.help_done(self.learner)  # type: ignore[attr-defined]
