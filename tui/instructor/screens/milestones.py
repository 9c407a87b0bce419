"""Milestones: who is ready for a sign-off, who is signed off, and the keys to sign or undo.

Shows one row per learner and milestone they have reached or started, ready ones first: the
learner, cohort, milestone, exercises done of the total and the state in words ("READY",
"signed by NAME DATE", "not reached") so it reads without colour. S (or Enter) signs off the
highlighted ready learner (an optional note is asked first), U takes a sign-off back (a reason
is required), A shows or hides the learners who have not reached a milestone. The server decides
everything (and audits it); this screen only asks and redraws when told something changed.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from server import protocol
from tui.instructor.messages import RosterChanged
from tui.instructor.screens.ask_text import AskText
from tui.messages import MilestoneChanged
from tui.safe_text import visible
from tui.widgets.key_bar import KeyBar

COLUMNS = ("Learner", "Cohort", "Milestone", "Done", "State")
TITLE_WIDTH = 30
"""Milestone titles are cut to this many characters in the table (the full title is in the
status line of the highlighted row)."""


def _plain(value: Any, limit: int = 80) -> str:
    text = visible(str(value or ""), keep_newlines=False)
    return text if len(text) <= limit else text[: limit - 1] + "~"


def state_words(row: dict[str, Any]) -> str:
    """A row's state in words (never colour alone)."""
    state = row.get("state")
    if state == "ready":
        return "READY for sign-off"
    if state == "signed":
        return f"signed {_plain(row.get('signed_by'), 32)} {str(row.get('signed_at') or '')[:10]}"
    return "not reached"


class MilestonesScreen(Screen[None]):
    """The instructor's milestone sign-off view."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="milestones.back"),
        Binding("enter,s", "sign_off", "Sign off", id="milestones.sign"),
        Binding("u", "undo", "Undo sign-off", id="milestones.undo"),
        Binding("a", "toggle_all", "Show all", id="milestones.all"),
        Binding("r", "reload", "Reload", id="milestones.reload"),
        Binding("q", "app.quit", "Quit", id="milestones.quit", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="milestones")
        self.rows: list[dict[str, Any]] = []
        self.shown: list[dict[str, Any]] = []
        self.show_all = False
        self.truncated = False
        self.problem = ""
        self._reload_soon = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("Loading milestones…", id="milestones-status", markup=False)
        table: DataTable[str] = DataTable(id="milestones-table", cursor_type="row",
                                          zebra_stripes=False)
        yield table
        yield Static("", id="milestones-current", markup=False)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        table = self.query_one("#milestones-table", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)
        self.action_reload()

    # -- loading and drawing ----------------------------------------------------------------------

    def action_reload(self) -> None:
        """Ask the server for every learner's milestones."""
        self._load()

    @work(exclusive=True, group="milestones", description="load milestones")
    async def _load(self) -> None:
        reply = await self.app.ask(protocol.Milestones())  # type: ignore[attr-defined]
        if reply is None:
            self.problem = "The milestones could not be loaded."
            self.query_one("#milestones-status", Static).update(self.problem)
            return
        self.problem = ""
        self.rows = [r for r in reply.rows if isinstance(r, dict)]
        self.truncated = bool(reply.truncated)
        self.redraw()

    def redraw(self) -> None:
        """Fill the table from the last reply, keeping the highlighted row."""
        table = self.query_one("#milestones-table", DataTable)
        selected = self.selected()
        self.shown = [r for r in self.rows if self.show_all or r.get("state") != "not_reached"]
        table.clear()
        keys = []
        for row in self.shown:
            key = f"{row.get('learner')}/{row.get('milestone')}"
            keys.append(key)
            table.add_row(
                _plain(row.get("learner"), 32),
                _plain(row.get("cohort"), 16),
                _plain(row.get("title"), TITLE_WIDTH),
                f"{row.get('done', 0)}/{row.get('total', 0)}",
                state_words(row),
                key=key,
            )
        if selected is not None:
            key = f"{selected.get('learner')}/{selected.get('milestone')}"
            if key in keys:
                table.move_cursor(row=keys.index(key), animate=False)
        ready = sum(r.get("state") == "ready" for r in self.rows)
        signed = sum(r.get("state") == "signed" for r in self.rows)
        status = f"{ready} ready for sign-off, {signed} signed off."
        status += (" Showing everyone who has started one." if self.show_all
                   else " Press A to show learners still working towards one too.")
        if self.truncated:
            status += " (Only the first rows are shown.)"
        if not self.shown:
            status = ("Nobody has started a milestone yet." if self.show_all else
                      f"Nobody is ready for a sign-off or signed off yet. {status}")
        self.query_one("#milestones-status", Static).update(status)
        self._describe()

    @on(DataTable.RowHighlighted, "#milestones-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()

    def _describe(self) -> None:
        row = self.selected()
        line = ""
        if row is not None:
            line = f"{_plain(row.get('learner'), 32)}: {_plain(row.get('title'))}"
            if row.get("state") == "signed" and row.get("note"):
                line += f" - note: {_plain(row.get('note'), 120)}"
        self.query_one("#milestones-current", Static).update(line)

    @on(MilestoneChanged)
    def _changed(self, _event: MilestoneChanged) -> None:
        self.action_reload()  # another console (or this one) signed or took one back

    @on(RosterChanged)
    def _roster_changed(self, event: RosterChanged) -> None:
        """A learner passed a Check: they may be ready now. Reload, at most once a second."""
        passed = any(isinstance(r, dict) and r.get("passed") for r in event.push.learners)
        if passed and not self._reload_soon:
            self._reload_soon = True
            self.set_timer(1.0, self._reload_now, name="milestones reload")

    def _reload_now(self) -> None:
        self._reload_soon = False
        self.action_reload()

    def selected(self) -> dict[str, Any] | None:
        """The highlighted row."""
        table = self.query_one("#milestones-table", DataTable)
        if table.row_count == 0 or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    # -- actions ---------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.redraw()

    def action_sign_off(self) -> None:
        row = self.selected()
        if row is None:
            self.app.notify("Choose a learner first.", severity="warning")
            return
        name, title = _plain(row.get("learner"), 32), _plain(row.get("title"))
        if row.get("state") == "signed":
            self.app.notify(f"{name} is already signed off for {title}.", severity="warning")
            return
        if row.get("state") != "ready":
            self.app.notify(
                f"{name} has done {row.get('done', 0)} of {row.get('total', 0)} exercises of "
                f"{title}: a sign-off needs all of them.", severity="warning")
            return

        def sign(note: str | None) -> None:
            if note is not None:
                self._request(protocol.MilestoneSignOff(
                    learner=str(row.get("learner")), milestone=str(row.get("milestone")),
                    note=note), f"Signed off {name}: {title}.")

        self.app.push_screen(
            AskText(f"Sign off {name} for \"{title}\"? A note for the record (optional), "
                    "then Enter:", allow_empty=True, max_length=protocol.NOTE),
            sign,
        )

    def action_undo(self) -> None:
        row = self.selected()
        if row is None or row.get("state") != "signed":
            self.app.notify("Choose a signed-off learner first.", severity="warning")
            return
        name, title = _plain(row.get("learner"), 32), _plain(row.get("title"))

        def undo(reason: str | None) -> None:
            if reason:
                self._request(protocol.MilestoneUndo(
                    learner=str(row.get("learner")), milestone=str(row.get("milestone")),
                    reason=reason), f"Sign-off of {name} taken back: {title}.")

        self.app.push_screen(
            AskText(f"Take back {name}'s sign-off for \"{title}\"? Say why (kept in the "
                    "record):", max_length=protocol.NOTE),
            undo,
        )

    def _request(self, message: protocol.Request, done: str) -> None:
        self.run_worker(self._send(message, done), group="milestone-change")

    async def _send(self, message: protocol.Request, done: str) -> None:
        reply = await self.app.ask(message, done)  # type: ignore[attr-defined]
        if reply is not None:
            self.action_reload()
