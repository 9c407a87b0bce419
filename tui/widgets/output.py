"""The output pane: what the learner's program printed (live) and what the checks found.

Owns two views: the Run log, streamed chunk by chunk, and the check results as a list (PASS/FAIL
per test, words not colours, the first failure's friendly message shown open). Invariant kept:
a program can print without end, but this pane keeps at most ``MAX_CHARS`` characters and
``MAX_LINES`` lines, and no line longer than ``safe_text.MAX_LINE_CHARS``; everything else is
dropped with a visible note, so a flood never freezes the screen. Control characters are made
visible before anything is shown.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ListItem, ListView, Log, Static

from tui.safe_text import MAX_LINE_CHARS, visible
from tui.widgets.ordered import OrderedListView, OrderedLog

MAX_CHARS = 200_000
MAX_LINES = 2_000

STATUS_WORDS = {"passed": "PASS", "failed": "FAIL", "error": "PROBLEM"}

LIMIT_WORDS = {
    "wall": "it ran for too long",
    "cpu": "it used the computer for too long (maybe a loop that never ends?)",
    "memory": "it used too much memory",
    "pids": "it started too many programs at once",
    "output": "it printed too much",
    "disk": "it wrote too much to the disk",
}


def run_end_words(end: dict[str, Any]) -> str:
    """One sentence about how a run ended, for a beginner."""
    limit = end.get("limit")
    if limit:
        return f"Your program was stopped because {LIMIT_WORDS.get(limit, 'it hit a limit')}."
    if end.get("signal"):
        return "Your program was stopped."
    code = end.get("exit_code")
    if code == 0:
        return "Your program finished."
    return f"Your program stopped with an error (exit code {code}). Read the messages below."


NODE_INTERNAL = re.compile(r"^\s+at (?:.*\()?node:internal/")
"""A stack frame inside Node.js itself (``at Module._compile (node:internal/...)``): noise to a
beginner, whose own frames (their file names) are kept."""


def _maybe_internal(partial: str) -> bool:
    """Could this unfinished line still turn out to be a stack frame (held until it ends)?"""
    if not partial.startswith((" ", "\t")):
        return False  # frames are indented
    stripped = partial.lstrip()
    return "at ".startswith(stripped) if len(stripped) < 3 else stripped.startswith("at ")


class OutputPane(Vertical):
    """Run output and check results for the open exercise."""

    DEFAULT_CSS = """
    OutputPane { height: 1fr; }
    OutputPane #output-summary { height: auto; padding: 0 1; text-style: bold; }
    OutputPane #run-log { height: 1fr; }
    OutputPane #check-list { height: auto; max-height: 50%; }
    OutputPane #check-list Label { text-wrap: nowrap; text-overflow: ellipsis; width: 1fr; }
    OutputPane #check-detail { height: 1fr; padding: 0 1; overflow-y: auto;
                               border-top: solid $primary; }
    OutputPane.-run #check-list, OutputPane.-run #check-detail { display: none; }
    OutputPane.-check #run-log { display: none; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.shown_chars = 0
        self.capped = False
        self.results: list[dict[str, Any]] = []
        self._line_len = 0
        self._held = ""  # an unfinished line that may yet be a Node.js internal frame
        self.hidden_frames = 0

    def compose(self) -> ComposeResult:
        yield Static(
            "Nothing here yet. Run your program or check your work.", id="output-summary",
            markup=False,
        )
        yield OrderedLog(id="run-log", max_lines=MAX_LINES, auto_scroll=True)
        yield OrderedListView(id="check-list")
        yield Static("", id="check-detail", markup=False)

    def on_mount(self) -> None:
        """Start in the run view."""
        self.add_class("-run")

    # -- run ---------------------------------------------------------------------------------

    def start_run(self, what: str) -> None:
        """Clear the pane for a new run or check; ``what`` is shown as the summary."""
        self.remove_class("-check")
        self.add_class("-run")
        self.query_one("#run-log", Log).clear()
        self.shown_chars = 0
        self.capped = False
        self._line_len = 0
        self._held = ""
        self.hidden_frames = 0
        self.set_summary(what)

    def clear(self, what: str) -> None:
        """Forget the last run and check (their results no longer match the files)."""
        self.start_run(what)
        self.results = []
        self.query_one("#check-list", ListView).clear()
        self.query_one("#check-detail", Static).update("")

    def _without_internal_frames(self, text: str, final: bool = False) -> str:
        """Drop complete lines that are Node.js internal stack frames; hold back an unfinished
        line that may still become one (``final``: the run is over, nothing is held)."""
        text = self._held + text
        self._held = ""
        lines = text.split("\n")
        last = lines.pop()
        kept = []
        for line in lines:
            if NODE_INTERNAL.match(line):
                self.hidden_frames += 1
            else:
                kept.append(line)
        if final:
            if NODE_INTERNAL.match(last):
                self.hidden_frames += 1
                last = ""
        elif _maybe_internal(last):
            self._held, last = last, ""
        kept.append(last)
        return "\n".join(kept)

    def set_summary(self, text: str) -> None:
        """Replace the one-line summary at the top."""
        self.query_one("#output-summary", Static).update(text)

    def append(self, data: str, final: bool = False) -> None:
        """Add program output (any size); keeps within the caps."""
        if self.capped or not (data or final):
            return
        room = MAX_CHARS - self.shown_chars
        text = self._without_internal_frames(visible(data), final)
        if not text:
            return
        if len(text) > room:
            text = text[:room]
            self.capped = True
        pieces: list[str] = []
        for index, part in enumerate(text.split("\n")):
            if index:
                pieces.append("\n")
                self._line_len = 0
            while self._line_len + len(part) > MAX_LINE_CHARS:
                take = MAX_LINE_CHARS - self._line_len
                pieces.append(part[:take] + "\n")
                part = part[take:]
                self._line_len = 0
            pieces.append(part)
            self._line_len += len(part)
        self.shown_chars += len(text)
        log = self.query_one("#run-log", Log)
        log.write("".join(pieces))
        if self.capped:
            log.write("\n… too much output: Slate stopped showing it here.\n")
            self.set_summary(
                "Your program printed more than Slate can show, so only the first part is "
                "here. Press F9 (or Alt+S) to stop it."
            )

    def end_run(self, end: dict[str, Any]) -> None:
        """Show how the run ended."""
        self.append("", final=True)
        if self.hidden_frames:
            self.query_one("#run-log", Log).write(
                f"\n({self.hidden_frames} lines from inside Node.js are not shown.)\n"
            )
        words = run_end_words(end)
        if end.get("error"):
            words = visible(str(end["error"]))[:300]
        elif end.get("truncated") or self.capped:
            words += " (Only the start of its output is shown.)"
        elif self.shown_chars == 0 and end.get("exit_code") == 0:
            words += " It printed nothing."
        self.set_summary(words)

    # -- check -------------------------------------------------------------------------------

    def show_check(self, result: dict[str, Any]) -> None:
        """Show a check result (courses' result schema) as a PASS/FAIL list."""
        self.remove_class("-run")
        self.add_class("-check")
        tests = result.get("tests")
        listed = tests if isinstance(tests, list) else []
        self.results = [t for t in listed if isinstance(t, dict)][:200]
        self.set_summary(visible(str(result.get("summary") or "The check finished.")))
        view = self.query_one("#check-list", ListView)
        view.clear()
        first_bad = next(
            (i for i, t in enumerate(self.results) if t.get("status") != "passed"), None
        )
        view.extend(
            [ListItem(Label(self._line(i, i == first_bad))) for i in range(len(self.results))]
        )
        if first_bad is not None:
            view.index = first_bad
            self._show_detail(first_bad)
        else:
            self.query_one("#check-detail", Static).update("")

    def _line(self, index: int, chosen: bool) -> Text:
        # ">" marks the chosen test where colour cannot (monochrome terminals).
        test = self.results[index]
        word = STATUS_WORDS.get(str(test.get("status")), "PROBLEM")
        name = visible(str(test.get("name", "")), keep_newlines=False)[:200]
        return Text(f"{'>' if chosen else ' '} {word:<7} {name}")

    def _show_detail(self, index: int) -> None:
        if not 0 <= index < len(self.results):
            return
        test = self.results[index]
        word = STATUS_WORDS.get(str(test.get("status")), "PROBLEM")
        parts = [f"{word}: {visible(str(test.get('name', '')))}"]
        if test.get("message"):
            parts.append(visible(str(test["message"])))
        if test.get("output"):
            parts.append("What the program printed:\n" + visible(str(test["output"]))[:4000])
        if len(self.results) > 1:
            parts.append("(Up and Down arrows: read about another test.)")
        self.query_one("#check-detail", Static).update("\n\n".join(parts))

    @on(ListView.Highlighted, "#check-list")
    def _highlighted(self, event: ListView.Highlighted) -> None:
        view = self.query_one("#check-list", ListView)
        for position, item in enumerate(view.children):
            labels = item.query(Label)
            if position < len(self.results) and labels:
                labels.first().update(self._line(position, position == view.index))
        if view.index is not None:
            self._show_detail(view.index)
