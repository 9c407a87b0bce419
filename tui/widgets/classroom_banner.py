"""The learner's side of the live class: the header line, the raised hand, pairing and locks.

Owns what a learner sees of the instructor console: the one header line (who is watching,
who is typing while paired, their place in the help queue), the raise-hand key (F10 / Alt+U,
with an optional note), the pairing consent (only the learner's own keys can answer it), the
end-pairing key (F11 / Alt+X), and the lock screen (work saved first; unlocking puts them back
exactly where they were). All of it is driven by the server's ``class_state`` push.

:class:`ClassroomAware` is a :class:`tui.session_app.SessionApp` that a learner app extends.
"""

from __future__ import annotations

import base64
import binascii

from textual import on
from textual.binding import Binding
from textual.message import Message

from server import protocol
from tui.control import ControlClient, ControlError
from tui.messages import ServerPush
from tui.safe_text import visible
from tui.session_app import Identity, SessionApp
from tui.widgets.classroom_dialogs import DemoScreen, HandNote, LockScreen, PairConsent


class ClassStateChanged(ServerPush, bubble=False):
    """The learner's classroom state changed (``protocol.ClassState``)."""

    push: protocol.ClassState


class DemoChunk(ServerPush, bubble=False):
    """A piece of the instructor's screen in demo mode (``protocol.WatchOutput``)."""

    push: protocol.WatchOutput

    def can_replace(self, message: Message) -> bool:  # every byte counts, in order
        return False


def banner_text(state: protocol.ClassState | None) -> str:
    """The words added to the learner's header line (empty before the server has said
    anything about the class)."""
    if state is None:
        return ""
    parts = []
    if state.pair_by:
        parts.append(f"PAIRED: {visible(state.pair_by, keep_newlines=False)} types too"
                     " (F11 ends)")
    if state.watched_by:
        names = ", ".join(visible(n, keep_newlines=False) for n in state.watched_by[:3])
        if len(state.watched_by) > 3:
            names += f" +{len(state.watched_by) - 3}"
        parts.append(f"watched by {names}")
    if state.hand:
        parts.append(f"hand up #{state.hand}")
    else:
        parts.append("F10 help")
    return " · ".join(parts)


class ClassroomAware(SessionApp):
    """A session app that takes part in the live class (the learner's app extends it)."""

    BINDINGS = [
        Binding("f10,alt+u", "class_hand", "Ask for help", id="class.hand", show=False),
        Binding("f11,alt+x", "class_end_pair", "Stop pairing", id="class.end_pair", show=False),
    ]

    def __init__(self, client: ControlClient | None, identity: Identity) -> None:
        super().__init__(client, identity)
        self.class_state: protocol.ClassState | None = None
        self._consent: PairConsent | None = None
        self._lock: LockScreen | None = None
        self._demo: DemoScreen | None = None
        self._retitle()

    def _retitle(self) -> None:
        # The class first: on a narrow terminal the header is cut at the end, and who is
        # watching or typing matters more than who is signed in (they know that).
        banner = banner_text(self.class_state)
        self.sub_title = (f"{banner} · " if banner else "") + self.identity.header_text()

    async def _hello(self) -> None:
        await super()._hello()
        self._retitle()

    def _pushed(self, push: protocol.Push) -> None:
        if isinstance(push, protocol.ClassState):
            self.post_message(ClassStateChanged(push))
            return
        if isinstance(push, protocol.WatchOutput):
            self.post_message(DemoChunk(push))
            return
        super()._pushed(push)

    @on(ClassStateChanged)
    async def _class_state(self, event: ClassStateChanged) -> None:
        state = event.push
        self.class_state = state
        self._retitle()
        # Pairing consent: shown while someone asks, removed if they stop asking.
        if state.pair_asked_by and self._consent is None and not state.locked:
            self._consent = PairConsent(state.pair_asked_by)
            await self.push_screen(self._consent, self._answered)
        elif not state.pair_asked_by and self._consent is not None:
            consent, self._consent = self._consent, None
            if consent.is_attached:
                consent.dismiss(False)
        # Demo mode: the instructor's screen over everything, until they stop it.
        if state.demo_by and self._demo is None:
            self._demo = DemoScreen(state.demo_by)
            await self.push_screen(self._demo)
        elif not state.demo_by and self._demo is not None:
            demo, self._demo = self._demo, None
            if self.screen is demo:
                await self.pop_screen()
            elif demo.is_attached:
                demo.dismiss(None)
        # The lock: save first, then cover everything; unlocking uncovers it.
        if state.locked and self._lock is None:
            await self.save_everything()
            self._lock = LockScreen(state.lock_message)
            await self.push_screen(self._lock)
        elif state.locked and self._lock is not None:
            self._lock.show_message(state.lock_message)
        elif not state.locked and self._lock is not None:
            lock, self._lock = self._lock, None
            if self.screen is lock:
                await self.pop_screen()
            elif lock.is_attached:
                lock.dismiss(None)

    @on(DemoChunk)
    def _demo_chunk(self, event: DemoChunk) -> None:
        push = event.push
        if self._demo is None or not self._demo.is_attached:
            return
        try:
            data = base64.b64decode(push.data, validate=True)
        except (binascii.Error, ValueError):
            return
        self._demo.feed(data, push.cols, push.rows, push.reset)

    def _answered(self, yes: bool | None) -> None:
        if self._consent is None:
            return  # withdrawn by the server before the learner answered
        self._consent = None
        self.run_worker(self._answer(bool(yes)), group="class")

    async def _answer(self, yes: bool) -> None:
        try:
            await self.request(protocol.PairAnswer(accept=yes))
        except ControlError as exc:
            self.notify(str(exc), severity="warning")

    def action_class_hand(self) -> None:
        """Raise a hand (with an optional note), or lower it if it is up."""
        if self._lock is not None:
            return
        if self.class_state is not None and self.class_state.hand:
            self.run_worker(self._lower(), group="class")
            return

        def raised(text: str | None) -> None:
            if text is not None:
                self.run_worker(self._raise(text), group="class")

        self.push_screen(HandNote(), raised)

    async def _raise(self, text: str) -> None:
        try:
            reply = await self.request(protocol.RaiseHand(text=text))
        except ControlError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.notify(f"Your hand is up: you are number {reply.position} in the queue.",
                    title="Help is coming")

    async def _lower(self) -> None:
        try:
            await self.request(protocol.LowerHand())
        except ControlError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.notify("Your hand is down.")

    def action_class_end_pair(self) -> None:
        """Stop a pairing (the learner's own key: one press)."""
        state = self.class_state
        if state is not None and (state.pair_by or state.pair_asked_by):
            self.run_worker(self._end_pair(), group="class")

    async def _end_pair(self) -> None:
        try:
            await self.request(protocol.PairEnd())
        except ControlError as exc:
            self.notify(str(exc), severity="warning")
