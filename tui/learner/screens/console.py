"""The teaching console: type one command (git, node, sqlite3, ls, cat, mkdir, mv, rm) in the
exercise folder and see its real output.

Owns the screen only: each line goes to the server as a ``console`` request, which judges it
against the console's allowlist (``server/teaching_console.py``) and runs it in a fresh sandbox
(there is no shell here, and nothing runs in this TUI). Output and refusals are untrusted text:
they are shown through :func:`tui.safe_text.visible`, and the transcript is capped. Up and Down
bring back earlier lines, as in a terminal.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Input, RichLog, Static

from server import protocol
from tui.control import ControlError, ControlLost
from tui.course_view import ExerciseDetail
from tui.safe_text import visible
from tui.widgets.inputs import PlainInput
from tui.widgets.key_bar import KeyBar
from tui.widgets.ordered import OrderedRichLog

MAX_LINES = 3000
"""Lines of transcript kept on screen (a program can print much more)."""
MAX_HISTORY = 200
"""Lines remembered for Up/Down."""
HISTORY: dict[tuple[str, str], list[str]] = {}
"""Each exercise's lines for this session (one TUI process per session), kept across openings."""

INTRO = (
    "Type a command, then Enter: git, node, sqlite3, ls, cat, mkdir, mv or rm. It runs in "
    "your exercise folder, one command at a time (there is no shell)."
)


class ConsoleScreen(Screen[bool]):
    """A prompt, the transcript above it, and the keys. Dismisses with True when a command may
    have changed the exercise's files (the editor reads them again).

    Args:
        detail: the exercise whose folder the commands run in.
        history: earlier lines (shared with the next opening of the console).
    """

    CSS = """
    #console-intro { padding: 0 1; color: $text-muted; height: auto; }
    #console-log { height: 1fr; border: round $primary; scrollbar-gutter: stable;
                   overflow-x: hidden; }
    #console-line { height: 1; }
    #console-prompt { width: auto; padding: 0 1; }
    #console-input { width: 1fr; border: none; height: 1; padding: 0; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back to the exercise", id="console.back"),
        Binding("up", "history(-1)", "Earlier command", id="console.up"),
        Binding("down", "history(1)", "Later command", id="console.down"),
        Binding("ctrl+l", "clear", "Clear", id="console.clear"),
        Binding("f1,alt+k", "app.help", "All keys", id="console.help"),
    ]

    def __init__(self, detail: ExerciseDetail, history: list[str] | None = None) -> None:
        super().__init__(id="console")
        self.detail = detail
        if history is None:
            history = HISTORY.setdefault((detail.course, detail.id), [])
        self.history = history
        self._at = len(self.history)
        self._draft = ""
        self.files_changed = False
        self.busy = False
        self._shown: list[str] = []

    @property
    def prompt(self) -> str:
        """The prompt: the exercise folder, as a terminal would show it."""
        return visible(f"{self.detail.id} $", keep_newlines=False)[:40]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static(INTRO, id="console-intro", markup=False)
        yield OrderedRichLog(id="console-log", max_lines=MAX_LINES, wrap=True, markup=False,
                             min_width=20, highlight=False, auto_scroll=True)
        with Horizontal(id="console-line"):
            yield Static(self.prompt, id="console-prompt", markup=False)
            yield PlainInput("type a command, then Enter", id="console-input", max_length=1000)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        """List the keys and put the cursor on the prompt."""
        self.title = visible(f"Console: {self.detail.title}", keep_newlines=False)
        self.query_one(KeyBar).show_screen(
            self, [b for b in self.BINDINGS if isinstance(b, Binding)])
        self.query_one("#console-input", PlainInput).focus()

    @property
    def transcript(self) -> str:
        """Everything shown so far (for tests and the reviewer)."""
        return "\n".join(self._shown) + "\n"

    def write(self, text: str) -> None:
        """Add untrusted ``text`` to the transcript, made visible."""
        shown = visible(text).rstrip("\n")
        self._shown.append(shown)
        del self._shown[:-MAX_LINES]
        self.query_one("#console-log", RichLog).write(Text(shown), scroll_end=True)

    # -- typing ------------------------------------------------------------------------------

    @on(Input.Submitted, "#console-input")
    def _submitted(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        box = self.query_one("#console-input", PlainInput)
        if self.busy:
            self.notify("Wait for the command to finish.", severity="warning")
            return
        box.value = ""
        self.write(f"{self.prompt} {line}")
        if not line:
            return
        if not self.history or self.history[-1] != line:
            self.history.append(line)
            del self.history[:-MAX_HISTORY]
        self._at = len(self.history)
        self._draft = ""
        self.run_line(line)

    @work(exclusive=True, group="console", description="console command")
    async def run_line(self, line: str) -> None:
        """Send one line to the server and show what it printed (or why it was refused)."""
        self.busy = True
        self.query_one("#console-prompt", Static).update("...")
        try:
            reply = await self.app.request(  # type: ignore[attr-defined]
                protocol.ConsoleCommand(
                    course=self.detail.course, exercise=self.detail.id, line=line
                )
            )
        except ControlLost:
            self.write("The classroom server cannot be reached right now. Your files are safe.")
            return
        except ControlError as exc:
            self.write(f"Not run: {exc}")
            return
        finally:
            self.busy = False
            self.query_one("#console-prompt", Static).update(self.prompt)
        if reply.output:
            self.write(reply.output.rstrip("\n"))
        if reply.truncated:
            self.write("(more output was cut off here)")
        if reply.exit_code not in (0, None) and not reply.output.strip():
            self.write(f"(the command ended with exit code {reply.exit_code})")
        if reply.files_changed:
            self.files_changed = True

    def action_history(self, step: int) -> None:
        """Up/Down: an earlier or later line into the box (the unfinished one is kept)."""
        box = self.query_one("#console-input", PlainInput)
        if not self.history:
            return
        if self._at == len(self.history):
            self._draft = box.value
        self._at = max(0, min(len(self.history), self._at + step))
        box.value = self.history[self._at] if self._at < len(self.history) else self._draft
        box.cursor_position = len(box.value)

    def action_clear(self) -> None:
        """Ctrl+L: clear the transcript, as in a terminal."""
        self._shown.clear()
        self.query_one("#console-log", RichLog).clear()

    def action_back(self) -> None:
        """Back to the exercise."""
        self.dismiss(self.files_changed)
