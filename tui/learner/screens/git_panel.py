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
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Header, Static

from server import protocol
from tui.control import ControlError
from tui.course_view import ExerciseDetail
from tui.safe_text import visible
from tui.widgets.inputs import PlainInput
from tui.widgets.key_bar import KeyBar
from tui.widgets.keys_in_order import KeysInOrder
from tui.widgets.ordered import OrderedScroll

OPS: dict[str, tuple[str, str]] = {
    # button id: (label, panel operation)
    "init": ("Init", "init"),
    "status": ("Status", "status"),
    "stage": ("Stage all", "stage"),
    "commit": ("Commit", "commit"),
    "log": ("Log", "log"),
    "diff": ("Diff", "diff"),
    "new-branch": ("New branch", "create_branch"),
    "switch": ("Switch", "switch"),
    "merge": ("Merge", "merge"),
    "tag": ("Tag", "tag"),
    "revert": ("Revert", "revert"),
    "restore": ("Restore", "restore"),
}
NEEDS_TEXT = {
    # button id: (argument name, what to type)
    "commit": ("message", "a commit message"),
    "new-branch": ("name", "a branch name"),
    "switch": ("branch", "a branch name"),
    "merge": ("branch", "the name of the branch to merge in"),
    "tag": ("name", "a tag name"),
    "revert": ("commit", "the id of the commit to undo (from Log)"),
    "restore": ("path", "a file name"),
}
CHANGES_FILES = {"switch", "merge", "revert", "restore"}
"""Operations that may change the files in the editor (they are read again afterwards)."""


def reply_text(op: str, reply: dict[str, Any]) -> str:
    """The words to show for a ``git`` reply: its message plus the details, like git prints."""
    lines = [str(reply.get("message", ""))]
    if op == "status":
        lines[0:0] = [f"On branch {reply.get('branch') or '(no branch)'}", ""]
        for entry in reply.get("files", []) if isinstance(reply.get("files"), list) else []:
            if not isinstance(entry, dict):
                continue
            how = "both changed" if entry.get("conflicted") else (
                entry.get("staged") and f"staged, {entry['staged']}"
            ) or ("new, not tracked yet" if entry.get("unstaged") == "untracked" else
                  f"changed, not staged: {entry.get('unstaged')}")
            lines.append(f"  {entry.get('path')}  ({how})")
    elif op == "log":
        for commit in reply.get("commits", []) if isinstance(reply.get("commits"), list) else []:
            if isinstance(commit, dict):
                lines.append(f"{commit.get('short')}  {commit.get('summary')}  - "
                             f"{commit.get('author')}")
    elif op == "diff" and reply.get("diff"):
        lines += ["", str(reply["diff"])]
    text = "\n".join(str(line) for line in lines).strip("\n")
    if not text:
        rest = {k: v for k, v in reply.items() if k not in ("type", "id")}
        text = json.dumps(rest, indent=2, ensure_ascii=False)
    return visible(text)[:20_000]


class PanelButton(KeysInOrder, Button):
    """A panel button: arrow keys typed ahead move the focus before the next key is read."""


class GitScreen(Screen[bool]):
    """Buttons for git operations, a text box for messages and names, and the result.

    Dismisses with True when an operation may have changed the exercise's files.
    """

    BINDINGS = [
        Binding("escape", "back", "Back to the exercise", id="git.back"),
        Binding("f1,alt+k", "app.help", "All keys", id="git.help"),
        Binding("left", "move(-1)", "Previous button", id="git.left", show=False),
        Binding("right", "move(1)", "Next button", id="git.right", show=False),
        Binding("up", "move(-4)", "Button above", id="git.up", show=False),
        Binding("down", "move(4)", "Button below", id="git.down", show=False),
    ]

    def __init__(self, detail: ExerciseDetail) -> None:
        super().__init__(id="git")
        self.detail = detail
        self.files_changed = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static(
            "Git keeps snapshots of your work. For Commit, New branch, Switch, Merge, Tag, "
            "Revert and Restore, type in the box first. The arrow keys move to a button; "
            "Enter presses it.",
            id="git-intro",
            markup=False,
        )
        yield PlainInput("Commit message or branch name", id="git-text")
        with Horizontal(id="git-buttons"):
            for button, (label, _) in OPS.items():
                yield PanelButton(label, id=f"git-{button}", compact=True)
        with OrderedScroll(id="git-output-scroll"):
            yield Static("", id="git-output", markup=False)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        """List the keys and show the status."""
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)
        self.query_one("#git-text", PlainInput).focus()
        self.do_git("status")

    def action_move(self, step: int) -> None:
        """Arrow keys: from the box down to the buttons, and around the grid of buttons."""
        # set_focus, not focus(): it takes effect before the next key (typed-ahead arrows).
        buttons = list(self.query("#git-buttons Button").results(Button))
        focused = self.focused
        if focused not in buttons:
            if step > 0 and not isinstance(focused, PlainInput) or step == 4:
                self.set_focus(buttons[0])
            return
        index = buttons.index(focused) + step
        if index < 0:
            self.set_focus(self.query_one("#git-text", PlainInput))
        elif index < len(buttons):
            self.set_focus(buttons[index])

    @on(Button.Pressed, "#git-buttons Button")
    def _pressed(self, event: Button.Pressed) -> None:
        button = (event.button.id or "").removeprefix("git-")
        if button in OPS:
            self.do_git(button)

    @work(exclusive=True, group="git", description="git request")
    async def do_git(self, button: str) -> None:
        """Send the operation of one button (with the box's text if it needs it); show the reply."""
        label, op = OPS[button]
        args: dict[str, Any] = {}
        output = self.query_one("#git-output", Static)
        if button in NEEDS_TEXT:
            name, what = NEEDS_TEXT[button]
            text = self.query_one("#git-text", PlainInput).value.strip()
            if not text:
                output.update(f"Type {what} in the box first, then press {label} again.")
                self.query_one("#git-text").focus()
                return
            args[name] = text
        if op == "log":
            args["n"] = 30
        output.update(f"{label}…")
        try:
            reply = await self.app.request(  # type: ignore[attr-defined]
                protocol.Git(course=self.detail.course, exercise=self.detail.id, op=op, args=args)
            )
        except ControlError as exc:
            output.update(str(exc))
            return
        output.update(reply_text(op, reply.result))
        if button in NEEDS_TEXT:
            self.query_one("#git-text", PlainInput).value = ""
        if button in CHANGES_FILES:
            self.files_changed = True

    def action_back(self) -> None:
        """Back to the exercise."""
        self.dismiss(self.files_changed)
