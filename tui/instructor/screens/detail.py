"""One learner in detail: progress across every course, and their recent Check results."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from server import protocol
from tui.safe_text import visible
from tui.widgets.key_bar import KeyBar

STATE_WORDS = {"passed": "done", "in_progress": "started", "not_started": "not started"}


def _t(value: object, limit: int = 60) -> str:
    return visible(str(value if value is not None else ""), keep_newlines=False)[:limit]


class DetailScreen(Screen[None]):
    """A learner's progress and check history.

    Args:
        learner: the learner's name.
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("w", "watch", "Watch", id="detail.watch"),
        Binding("h", "history", "Code history", id="detail.history"),
        Binding("n", "hint", "Next hint", id="detail.hint"),
        Binding("q", "app.quit", "Quit", id="detail.quit", show=False),
    ]

    def __init__(self, learner: str) -> None:
        super().__init__(id="detail")
        self.learner = learner
        self.latest: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with VerticalScroll(id="detail-body"):
            yield Static(f"{self.learner}: loading…", id="detail-title", markup=False)
            yield Static("", id="detail-milestones", markup=False)
            yield Static("", id="detail-progress")
            yield Static("", id="detail-checks")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)
        self.query_one("#detail-body").focus()
        self.run_worker(self._load(), group="detail")

    async def _load(self) -> None:
        reply = await self.app.ask(protocol.LearnerDetail(learner=self.learner))  # type: ignore[attr-defined]
        if reply is None:
            self.query_one("#detail-title", Static).update(f"{self.learner}: not available.")
            return
        done = sum(1 for p in reply.progress if p.get("state") == "passed")
        cohort = f" (cohort {_t(reply.cohort)})" if reply.cohort else ""
        self.query_one("#detail-title", Static).update(
            f"{_t(reply.learner)}{cohort}: {done} exercise(s) done, "
            f"{len(reply.progress)} started."
        )
        table = Table(title="Progress", expand=True, show_edge=False)
        for column in ("Course", "Exercise", "State", "Tries", "Hints", "Last activity"):
            table.add_column(column)
        for p in reply.progress:
            table.add_row(
                Text(_t(p.get("course"), 20)), Text(_t(p.get("title"), 40)),
                Text(STATE_WORDS.get(str(p.get("state")), _t(p.get("state")))),
                Text(_t(p.get("attempts"))), Text(_t(p.get("hints"))),
                Text(_t(p.get("updated"), 19)),
            )
        self.query_one("#detail-progress", Static).update(table)
        recent = sorted(reply.progress, key=lambda p: str(p.get("updated") or ""))
        if recent:
            self.latest = (str(recent[-1].get("course")), str(recent[-1].get("exercise")))
        checks = Table(title="Recent checks (newest first)", expand=True, show_edge=False)
        for column in ("When", "Exercise", "Result", "Summary"):
            checks.add_column(column)
        for c in reply.checks[:30]:
            checks.add_row(
                Text(_t(c.get("ts"), 19)), Text(_t(c.get("exercise"), 30)),
                Text("pass" if c.get("passed") else "FAIL"), Text(_t(c.get("summary"), 80)),
            )
        self.query_one("#detail-checks", Static).update(checks)
        await self._load_milestones()

    async def _load_milestones(self) -> None:
        """One line per milestone: where the learner stands (F on the roster signs off)."""
        from tui.instructor.screens.milestones import state_words

        reply = await self.app.ask(protocol.Milestones(learner=self.learner))  # type: ignore[attr-defined]
        if reply is None or not reply.rows:
            return
        lines = ["Milestones (F on the roster signs off):"]
        for row in reply.rows:
            lines.append(f"  {_t(row.get('title'), 80)}: {row.get('done', 0)}/"
                         f"{row.get('total', 0)} done, {state_words(row)}")
        self.query_one("#detail-milestones", Static).update("\n".join(lines))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_history(self) -> None:
        """The code history of the exercise they have open (else their latest one)."""
        row = self.app.model.rows.get(self.learner, {})  # type: ignore[attr-defined]
        where = (row.get("course"), row.get("exercise"))
        if not all(isinstance(w, str) for w in where):
            where = self.latest  # type: ignore[assignment]
        if not where or not all(where):
            self.app.notify("No exercise to show yet.", severity="warning")
            return
        from tui.instructor.screens.timeline import TimelineScreen

        self.app.push_screen(TimelineScreen(self.learner, str(where[0]), str(where[1])))

    def action_hint(self) -> None:
        self.app.release_hint(self.learner)  # type: ignore[attr-defined]

    def action_watch(self) -> None:
        from tui.instructor.screens.watch import WatchScreen

        self.app.push_screen(WatchScreen(self.learner))
