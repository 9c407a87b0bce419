"""The console's Textual messages made from live-class pushes (the app posts them; every screen
on the stack gets a copy through :class:`tui.session_app.SessionApp`)."""

from __future__ import annotations

from textual.message import Message

from server import protocol
from tui.messages import ServerPush


class RosterChanged(ServerPush, bubble=False):
    """Roster rows (and maybe the help queue) changed (``protocol.RosterUpdate``)."""

    push: protocol.RosterUpdate


class WatchChunk(ServerPush, bubble=False):
    """A piece of a watched learner's screen output (``protocol.WatchOutput``)."""

    push: protocol.WatchOutput

    def can_replace(self, message: Message) -> bool:  # every byte counts, in order
        return False


class WatchStopped(ServerPush, bubble=False):
    """The server stopped a watch (the learner left) (``protocol.WatchEnd``)."""

    push: protocol.WatchEnd


class PairChanged(ServerPush, bubble=False):
    """A pairing was accepted, declined or ended (``protocol.PairState``)."""

    push: protocol.PairState


CONSOLE_PUSHES: dict[type[protocol.Push], type[ServerPush]] = {
    protocol.RosterUpdate: RosterChanged,
    protocol.WatchOutput: WatchChunk,
    protocol.WatchEnd: WatchStopped,
    protocol.PairState: PairChanged,
}
"""Which Textual message each live-class push becomes in the console."""
