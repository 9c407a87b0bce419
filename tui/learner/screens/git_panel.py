"""The Git panel (git course): status, stage, commit, branch, switch, merge and log.

Owns turning buttons into ``git`` requests ``{course, exercise, op, args}``; the server runs them
on the learner's repository (never a git binary in this sandbox) and replies with text, which is
shown here made safe (commit messages and branch names are untrusted).
"""

from __future__ import annotations

import json
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Static

from tui.control import ControlError
from tui.course_view import ExerciseDetail
from tui.safe_text import visible
from tui.widgets.inputs import PlainInput
from tui.widgets.key_bar import KeyBar

OPS = {
    "status": ("Status", "See which files changed"),
    "stage": ("Stage all", "Get all changed files ready to commit"),
    "commit": ("Commit", "Save a snapshot; type the message in the box first"),
    "branch": ("New branch", "Make a branch; type its name in the box first"),
    "switch": ("Switch", "Switch to a branch; type its name in the box first"),
    "merge": ("Merge", "Merge a branch into this one; type its name first"),
    "log": ("Log", "List the commits"),
}
NEEDS_TEXT = {"commit": "message", "branch": "name", "switch": "name", "merge": "name"}


def reply_text(reply: dict[str, Any]) -> str:
    """The words to show for a ``git`` reply (``output`` / ``text`` or the fields as JSON)."""
    for key in ("output", "text", "message"):
        if isinstance(reply.get(key), str):
            return visible(reply[key])
    rest = {k: v for k, v in reply.items() if k not in ("type", "id")}
    return visible(json.dumps(rest, indent=2, ensure_ascii=False))[:20_000]


class GitScreen(Screen[None]):
    """Buttons for git operations, a text box for messages and names, and the result."""

    BINDINGS = [
        Binding("escape", "back", "Back to the exercise", id="git.back"),
        Binding("f1,alt+k", "app.help", "All keys", id="git.help"),
    ]

    def __init__(self, detail: ExerciseDetail) -> None:
        super().__init__(id="git")
        self.detail = detail

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static(
            "Git keeps snapshots of your work. Press Tab to move between the buttons and Enter "
            "to press one. For Commit, New branch, Switch and Merge, first type in the box.",
            id="git-intro",
            markup=False,
        )
        yield PlainInput("Commit message or branch name", id="git-text")
        with Horizontal(id="git-buttons"):
            for op, (label, _) in OPS.items():
                yield Button(label, id=f"git-{op}")
        with VerticalScroll(id="git-output-scroll"):
            yield Static("", id="git-output", markup=False)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        """List the keys and show the status."""
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)
        self.query_one("#git-status", Button).focus()
        self.do_git("status")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        op = (event.button.id or "").removeprefix("git-")
        if op in OPS:
            self.do_git(op)

    @work(exclusive=True, group="git", description="git request")
    async def do_git(self, op: str) -> None:
        """Send one git operation and show the reply."""
        args: dict[str, Any] = {}
        if op in NEEDS_TEXT:
            text = self.query_one("#git-text", PlainInput).value.strip()
            if not text:
                self.query_one("#git-output", Static).update(
                    f"Type a {'commit message' if op == 'commit' else 'branch name'} in the box "
                    f"first, then press {OPS[op][0]} again."
                )
                self.query_one("#git-text").focus()
                return
            args[NEEDS_TEXT[op]] = text
        if op == "stage":
            args["paths"] = []  # everything
        output = self.query_one("#git-output", Static)
        output.update(f"{OPS[op][0]}…")
        try:
            reply = await self.app.request(  # type: ignore[attr-defined]
                "git", course=self.detail.course, exercise=self.detail.id, op=op, args=args
            )
        except ControlError as exc:
            output.update(str(exc))
            return
        output.update(reply_text(reply))
        if op in NEEDS_TEXT:
            self.query_one("#git-text", PlainInput).value = ""

    def action_back(self) -> None:
        """Back to the exercise."""
        self.dismiss(None)
