"""A learner's code on one exercise as a timeline of saved versions, with a diff of any two.

The versions come from the learner's server-owned history repository (every save, run and check
is snapshotted there). Enter shows what changed from the highlighted version to the newest; M
marks a version, and Enter on another then compares those two. The diff is the learner's text:
every line passes :func:`tui.safe_text.visible` before it is shown.
"""

from __future__ import annotations

import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from server import protocol
from tui.safe_text import clip_lines, visible
from tui.widgets.key_bar import KeyBar


class TimelineScreen(Screen[None]):
    """The saved versions of one learner's exercise.

    Args:
        learner: whose work.
        course: the course id.
        exercise: the exercise id.
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="timeline.back"),
        Binding("m", "mark", "Mark to compare", id="timeline.mark"),
        Binding("q", "app.quit", "Quit", id="timeline.quit", show=False),
    ]

    def __init__(self, learner: str, course: str, exercise: str) -> None:
        super().__init__(id="timeline")
        self.learner, self.course, self.exercise = learner, course, exercise
        self.versions: list[dict[str, object]] = []
        self.marked: str | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static(f"{self.learner}: {self.course}/{self.exercise} — loading…",
                     id="timeline-title", markup=False)
        with Horizontal(id="timeline-body"):
            yield OptionList(id="timeline-list")
            with VerticalScroll(id="timeline-diff-box"):
                yield Static("Enter: what changed from that version to the newest.",
                             id="timeline-diff", markup=False)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one(KeyBar).show_keys(
            [("Enter", "Compare"), ("M", "Mark to compare"), ("Esc", "Back")]
        )
        self.query_one("#timeline-list", OptionList).focus()
        self.run_worker(self._load(), group="timeline")

    async def _load(self) -> None:
        reply = await self.app.ask(protocol.LearnerHistory(  # type: ignore[attr-defined]
            learner=self.learner, course=self.course, exercise=self.exercise))
        title = self.query_one("#timeline-title", Static)
        if reply is None:
            title.update(f"{self.learner}: no history for {self.course}/{self.exercise}.")
            return
        self.versions = list(reply.versions)
        title.update(f"{self.learner}: {self.course}/{self.exercise} — "
                     f"{len(self.versions)} saved version(s), newest first.")
        listing = self.query_one("#timeline-list", OptionList)
        listing.clear_options()
        for version in self.versions:
            stamp = version.get("time")
            when = (
                time.strftime("%m-%d %H:%M:%S", time.gmtime(stamp))
                if isinstance(stamp, (int, float))
                else visible(str(stamp or ""), keep_newlines=False)[:19]
            )
            what = visible(str(version.get("message", "")), keep_newlines=False)[:24]
            listing.add_option(Option(f"{when}  {what}", id=str(version.get("id"))))
        if self.versions:
            listing.highlighted = 0

    def _selected(self) -> str | None:
        listing = self.query_one("#timeline-list", OptionList)
        index = listing.highlighted
        if index is None or not 0 <= index < len(self.versions):
            return None
        return str(self.versions[index].get("id"))

    def action_mark(self) -> None:
        self.marked = self._selected()
        if self.marked:
            self.app.notify(f"Marked {self.marked[:8]}: Enter on another version compares them.")

    @on(OptionList.OptionSelected, "#timeline-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        version = self._selected()
        if version is None:
            return
        order = [str(v.get("id")) for v in self.versions]
        against: str | None = None
        older = version
        if self.marked and self.marked != version:
            # Newest first in the list: the later index is the older version.
            pair = sorted([version, self.marked], key=order.index)
            against, older = pair[0], pair[1]
        self.run_worker(self._diff(older, against), group="timeline-diff", exclusive=True)

    async def _diff(self, version: str, against: str | None) -> None:
        reply = await self.app.ask(protocol.LearnerDiff(  # type: ignore[attr-defined]
            learner=self.learner, course=self.course, exercise=self.exercise,
            version=version, against=against))
        box = self.query_one("#timeline-diff", Static)
        if reply is None:
            return
        head = f"From {version[:8]} to {against[:8] if against else 'the newest'}:\n"
        text = visible(reply.diff) if reply.diff else "(no change)"
        box.update(head + "\n".join(clip_lines(text, 300)[:2000]))

    def action_back(self) -> None:
        self.app.pop_screen()
