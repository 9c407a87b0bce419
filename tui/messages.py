"""Cross-screen Textual messages of Slate's apps (widget-local messages live on their widgets).

Owns the bridge from the control channel into Textual: every server push becomes a
:class:`ServerPush` posted to the app, and a closed channel becomes one :class:`ConnectionLost`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class ServerPush(Message):
    """A push from the server (notify, repaint, shutdown, run_output, run_end, ...)."""

    push: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The push type."""
        return str(self.push.get("type", ""))


@dataclass
class ConnectionLost(Message):
    """The control channel closed; ``reason`` is plain words for the learner."""

    reason: str = ""


@dataclass
class ExerciseChosen(Message):
    """The learner picked an exercise to open (from the course map or after a pass)."""

    course: str = ""
    exercise: str = ""
