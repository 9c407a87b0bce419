"""The History screen: earlier versions of an exercise, what changed, and putting one back.

Owns restoring and resetting: every version the server snapshotted is listed (time and what
changed); Enter shows the difference; F restores the current file from that version, A restores
the whole exercise, S resets to the starting code. Each of those asks first (a ConfirmScreen), and
the server keeps the replaced version in history, so nothing is lost. Dismisses with the list of
restored paths (the exercise screen re-reads them), or None when nothing changed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from server import protocol
from tui.control import ControlError
from tui.course_view import ExerciseDetail
from tui.learner.screens.confirm import ConfirmScreen
from tui.safe_text import visible
from tui.widgets.key_bar import KeyBar
from tui.widgets.ordered import OrderedOptionList, OrderedScroll

MAX_DIFF_CHARS = 60_000


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_GIT_HEADERS = ("diff --git ", "index ", "new file mode", "deleted file mode", "old mode",
                "new mode", "similarity index", "rename from", "rename to", "Binary files")


def _file_name(header: str) -> str:
    """The file's name from a ``---``/``+++`` line (``a/html/x/index.html`` -> ``index.html``)."""
    name = header[4:].split("\t", 1)[0].strip()
    return "" if name == "/dev/null" else name.rsplit("/", 1)[-1]


def diff_text(diff: str) -> Text:
    """A unified diff told for a beginner: no git headers, a plain heading per changed part
    ("In index.html, from line 3:"), then the lines, marked "+ " (in your work now) and "- "
    (in the chosen version); the marks stay for terminals without colour."""
    text = Text()
    old_name = new_name = ""
    for line in visible(diff)[:MAX_DIFF_CHARS].split("\n"):
        if line.startswith(_GIT_HEADERS) or line.startswith("\\"):
            continue  # "\ No newline at end of file" and git's bookkeeping
        if line.startswith("--- "):
            old_name = _file_name(line)
            continue
        if line.startswith("+++ "):
            new_name = _file_name(line)
            continue
        hunk = _HUNK.match(line)
        if hunk:
            name = new_name or old_name or "this file"
            if not old_name:
                heading = f"{name} is new in your work now:"
            elif not new_name:
                heading = f"{old_name} is not in your work now:"
            else:
                heading = f"In {name}, from line {hunk.group(3)}:"
            if text:
                text.append("\n")
            text.append(heading + "\n", style="bold underline")
            continue
        if line.startswith("+"):
            text.append("+ " + line[1:] + "\n", style="bold green")
        elif line.startswith("-"):
            text.append("- " + line[1:] + "\n", style="red")
        elif line.startswith(" "):
            text.append("  " + line[1:] + "\n", style="dim")
    return text


_WHY = [
    # (how the server's snapshot message starts, what a learner reads)
    ("save", "You saved"),
    ("start ", "The starting code"),
    ("session end", "Saved as you left"),
    ("before restore of ", "Just before a restore"),
    ("restored ", "An earlier version put back"),
    ("before reset of ", "Just before starting again"),
    ("reset ", "Back to the starting code"),
    ("before run of ", "Just before a run"),
    ("after run of ", "After a run (your program may change files)"),
    ("check ", "When you checked"),
]


def why_words(message: str) -> str:
    """The server's snapshot message ("save", "before run of html/x", "git commit in x") in a
    learner's words; anything else is shown as it is."""
    if message.startswith("git ") and " in " in message:
        return "Git: " + message[4:].split(" in ", 1)[0].replace("_", " ")
    for start, words in _WHY:
        if message == start.strip() or message.startswith(start):
            return words
    return message


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def change_words(version: dict[str, Any]) -> list[str]:
    """What a version changed and how its check went, one short line each, e.g.
    ["+3/-1 lines", "check: passed"] (empty when the server sent neither): each fits the
    version list at 80 columns, so no phrase is broken across lines."""
    parts = []
    added, removed = _count(version.get("added")), _count(version.get("removed"))
    if added or removed:
        unit = "line" if added + removed == 1 else "lines"
        parts.append(f"+{added}/-{removed} {unit}")
    check = visible(str(version.get("check") or ""), keep_newlines=False)[:40]
    if check:
        parts.append(f"check: {check}")
    return parts


# The version list's text width at 80 columns: a detail line (indented by 2) longer than this
# wraps, breaking a phrase ("index.html, script.js:" / "+26/-0 lines").
ENTRY_WIDTH = 29


def version_line(version: dict[str, Any], today: date | None = None) -> str:
    """One entry per version: when (the time to the second: saves come seconds apart; the
    day too unless it is ``today``) and why, in plain words; then, on lines of their own,
    which files changed with how many lines were added and removed, and the check result of
    that content, when known. Each line fits the list at 80 columns for everyday names."""
    when = version.get("time", "")
    if isinstance(when, (int, float)) and not isinstance(when, bool):
        moment = datetime.fromtimestamp(when)
        same_day = moment.date() == (today or date.today())
        when = moment.strftime("%H:%M:%S" if same_day else "%a %d %b %H:%M:%S")
    message = visible(str(version.get("message", "")), keep_newlines=False)
    what = why_words(message)[:60]
    files = version.get("files")
    names = [str(f).rsplit("/", 1)[-1] for f in files] if isinstance(files, list) else []
    shown = ", ".join(visible(n, keep_newlines=False) for n in names[:3])
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    line = f"{visible(str(when), keep_newlines=False)[:24]} {what}"
    details = change_words(version)
    files_line = f"{shown}{more}"
    if files_line:
        # The files and their line counts share a line when it fits, else each has its own.
        counts = details[0] if details and details[0].startswith("+") else ""
        joined = f"{files_line}: {counts}"
        if counts and len(joined) <= ENTRY_WIDTH - 2:
            details[0] = joined
        else:
            details.insert(0, files_line)
    return "\n  ".join([line, *details])


class HistoryScreen(Screen[list[str] | None]):
    """Versions of one exercise.

    Args:
        detail: the exercise.
        current_file: the file shown in the editor (what "restore this file" restores).
    """

    BINDINGS = [
        Binding("enter", "show_diff", "Show changes", id="history.diff"),
        Binding("f", "restore_file", "Restore this file", id="history.file"),
        Binding("a", "restore_all", "Restore all files", id="history.all"),
        Binding("s", "reset", "Start again", id="history.reset"),
        Binding("escape", "back", "Back", id="history.back"),
        Binding("f1,alt+k", "app.help", "All keys", id="history.help"),
    ]

    def __init__(self, detail: ExerciseDetail, current_file: str) -> None:
        super().__init__(id="history")
        self.detail = detail
        self.current_file = current_file
        self.versions: list[dict[str, Any]] = []
        self.restored: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static(
            f"Earlier versions of \u201c{self.detail.title}\u201d. Choose one with the arrow "
            "keys; Enter compares it with your work now. F puts back "
            f"{self.current_file} from that version, A puts back all files, S starts again "
            "from the starting code.",
            id="history-intro",
            markup=False,
        )
        with Horizontal(id="history-body"):
            yield OrderedOptionList(id="versions")
            with OrderedScroll(id="diff-scroll"):
                yield Static("Loading…", id="diff", markup=False)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        """List the keys and load the versions."""
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)
        self.query_one("#versions").focus()
        self.load_versions()

    @work(exclusive=True, group="history-list", description="list versions")
    async def load_versions(self) -> None:
        """Ask the server for the versions."""
        try:
            reply = await self.app.request(  # type: ignore[attr-defined]
                protocol.History(course=self.detail.course, exercise=self.detail.id)
            )
        except ControlError as exc:
            self.query_one("#diff", Static).update(str(exc))
            return
        self.versions = [v for v in reply.versions if v.get("id")]
        listing = self.query_one("#versions", OptionList)
        listing.clear_options()
        for version in self.versions:
            listing.add_option(Option(Text(version_line(version)), id=str(version["id"])))
        if self.versions:
            listing.highlighted = 0
            self.query_one("#diff", Static).update(
                "Press Enter to compare the chosen version with your work now."
            )
        else:
            self.query_one("#diff", Static).update(
                "There are no saved versions yet. Slate saves one each time your work is saved."
            )

    def _chosen(self) -> str | None:
        option = self.query_one("#versions", OptionList).highlighted_option
        return option.id if option is not None else None

    @on(OptionList.OptionSelected, "#versions")
    def _selected(self) -> None:
        self.action_show_diff()

    def action_show_diff(self) -> None:
        """Show what changed in the chosen version."""
        version = self._chosen()
        if version is not None:
            self._diff_worker(version)

    @work(exclusive=True, group="history-diff", description="show a diff")
    async def _diff_worker(self, version: str) -> None:
        try:
            reply = await self.app.request(  # type: ignore[attr-defined]
                protocol.HistoryDiff(
                    course=self.detail.course, exercise=self.detail.id, version=version
                )
            )
        except ControlError as exc:
            self.query_one("#diff", Static).update(str(exc))
            return
        diff = reply.diff
        if not diff.strip():
            self.query_one("#diff", Static).update("Your work now is the same as this version.")
            return
        legend = Text(
            "Lines with + are in your work now but not in this version.\n"
            "Lines with - are in this version but not in your work now.\n\n",
            style="italic",
        )
        self.query_one("#diff", Static).update(legend + diff_text(diff))

    def action_restore_file(self) -> None:
        """Put back the current file from the chosen version (asks first)."""
        version = self._chosen()
        if version is not None:
            self._restore_worker(
                version, self.current_file,
                f"Put back {self.current_file} as it was in this version? "
                "Your current version stays in the history.",
            )

    def action_restore_all(self) -> None:
        """Put back every file of the exercise from the chosen version (asks first)."""
        version = self._chosen()
        if version is not None:
            self._restore_worker(
                version, None,
                "Put back all the files of this exercise as they were in this version? "
                "Your current version stays in the history.",
            )

    def action_reset(self) -> None:
        """Go back to the starting code (asks first)."""
        self._restore_worker(
            None, None,
            "Start this exercise again from the starting code? "
            "Your current work stays in the history, so you can get it back.",
        )

    @work(exclusive=True, group="history-restore", description="restore or reset")
    async def _restore_worker(self, version: str | None, path: str | None, question: str) -> None:
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        course, exercise = self.detail.course, self.detail.id
        request: protocol.Request
        if version is None:
            request = protocol.Reset(course=course, exercise=exercise)
            words = "Back to the starting code."
        else:
            rel = self.detail.path_of(path) if path is not None else None
            request = protocol.Restore(course=course, exercise=exercise, version=version, path=rel)
            words = "Restored."
        try:
            reply = await self.app.request(request)  # type: ignore[attr-defined]
        except ControlError as exc:
            self.notify(str(exc), severity="error", title="Not restored")
            return
        self.restored.extend(reply.restored)
        self.notify(words + " Your previous version is kept in the history.", title="History")
        self.dismiss(self.restored)

    def action_back(self) -> None:
        """Go back to the exercise."""
        self.dismiss(self.restored or None)
