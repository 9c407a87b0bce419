"""Cross-screen Textual messages of Slate's apps (widget-local messages live on their widgets).

Owns the bridge from the control channel into Textual: every server push (a typed
``server.protocol.Push``) becomes the Textual message of its type in :data:`PUSH_MESSAGES`,
posted to the app and to the screens that want it, and a closed channel becomes one
:class:`ConnectionLost`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from server import protocol


class ServerPush(Message, bubble=False):
    """Base of the messages made from server pushes; ``push`` is the typed push. They never
    bubble: the app hands each one to the screens itself (see ``SessionApp``)."""

    def __init__(self, push: Any) -> None:
        super().__init__()
        self.push = push


class Notified(ServerPush, bubble=False):
    """A notification for the person (``protocol.Notify``)."""

    push: protocol.Notify


class RepaintAsked(ServerPush, bubble=False):
    """Redraw everything: an observer attached (``protocol.Repaint``)."""

    push: protocol.Repaint


class ShutdownAsked(ServerPush, bubble=False):
    """The session is ending: save now (``protocol.Shutdown``)."""

    push: protocol.Shutdown


class RunOutputArrived(ServerPush, bubble=False):
    """A piece of a running program's output (``protocol.RunOutput``)."""

    push: protocol.RunOutput

    def can_replace(self, message: Message) -> bool:  # never merge: every byte counts
        return False


class RunEnded(ServerPush, bubble=False):
    """A Run finished (``protocol.RunEnd``)."""

    push: protocol.RunEnd


class CheckFinished(ServerPush, bubble=False):
    """A Check's result (``protocol.CheckResult``)."""

    push: protocol.CheckResult


class ProgressChanged(ServerPush, bubble=False):
    """This learner's progress on an exercise changed (``protocol.Progress``)."""

    push: protocol.Progress


class MilestoneChanged(ServerPush, bubble=False):
    """A milestone sign-off was made or undone (``protocol.MilestoneUpdate``)."""

    push: protocol.MilestoneUpdate


PUSH_MESSAGES: dict[type[protocol.Push], type[ServerPush]] = {
    protocol.Notify: Notified,
    protocol.Repaint: RepaintAsked,
    protocol.Shutdown: ShutdownAsked,
    protocol.RunOutput: RunOutputArrived,
    protocol.RunEnd: RunEnded,
    protocol.CheckResult: CheckFinished,
    protocol.Progress: ProgressChanged,
    protocol.MilestoneUpdate: MilestoneChanged,
}
"""Which Textual message each push becomes (a push with no entry is ignored by the TUI)."""


def message_for(push: protocol.Push) -> ServerPush | None:
    """The Textual message for a server push, or None if no app handles that push."""
    cls = PUSH_MESSAGES.get(type(push))
    return cls(push) if cls is not None else None


@dataclass
class ConnectionLost(Message):
    """The control channel closed; ``reason`` is plain words for the learner."""

    reason: str = ""


@dataclass
class ExerciseChosen(Message):
    """The learner picked an exercise to open (from the course map or after a pass)."""

    course: str = ""
    exercise: str = ""

