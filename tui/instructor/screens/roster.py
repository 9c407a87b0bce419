"""The roster: every learner in one table, who needs help first, driven from the keyboard.

Shows, per learner: hand (place in the help queue), state in words (online / idle / offline,
STUCK, LOCKED, PAIRED, watched), exercise, last Check and how long ago, tries on this exercise,
time on it, idle time and hints used. Rows change when the server pushes an update; the times
are recomputed here once a second (no request is sent for that).
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from server import protocol
from tui.instructor.messages import RosterChanged
from tui.instructor.roster_model import COLUMNS
from tui.messages import MilestoneChanged
from tui.widgets.inputs import PlainInput
from tui.widgets.key_bar import KeyBar


class RosterScreen(Screen[None]):
    """The instructor's first screen."""

    BINDINGS = [
        Binding("enter,w", "watch", "Watch", id="roster.watch"),
        Binding("g", "grid", "Grid", id="roster.grid"),
        Binding("h", "queue", "Help queue", id="roster.queue"),
        Binding("m", "message", "Message", id="roster.message"),
        Binding("a", "message_all", "Message all", id="roster.message_all"),
        Binding("p", "pair", "Pair", id="roster.pair"),
        Binding("l", "lock", "Lock", id="roster.lock"),
        Binding("u", "unlock", "Unlock", id="roster.unlock"),
        Binding("ctrl+l", "lock_all", "Lock all", id="roster.lock_all"),
        Binding("ctrl+u", "unlock_all", "Unlock all", id="roster.unlock_all"),
        Binding("k", "let_in", "Let in (login lock)", id="roster.let_in"),
        Binding("d", "detail", "Detail", id="roster.detail"),
        Binding("e", "export", "Export", id="roster.export"),
        Binding("f", "milestones", "Milestones", id="roster.milestones"),
        Binding("t", "demo", "Demo", id="roster.demo"),
        Binding("n", "hint", "Next hint", id="roster.hint"),
        Binding("ctrl+n", "hint_all", "Hint to all", id="roster.hint_all", show=False),
        Binding("s", "sort", "Sort", id="roster.sort"),
        Binding("slash", "filter", "Filter", id="roster.filter"),
        Binding("o", "online_only", "Online only", id="roster.online", show=False),
        Binding("escape", "clear_filter", "Clear filter", id="roster.clear", show=False),
        Binding("q", "app.quit", "Quit", id="roster.quit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="roster")
        self._order: list[str] = []
        self._cells: dict[str, tuple[str, ...]] = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("Loading the class…", id="roster-status", markup=False)
        filter_input = PlainInput("Type part of a name or exercise; Enter keeps it, Esc clears",
                                  id="roster-filter", max_length=60)
        filter_input.display = False
        yield filter_input
        table: DataTable[str] = DataTable(id="roster-table", cursor_type="row", zebra_stripes=False)
        yield table
        yield Static("", id="roster-queue", markup=False)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        table = self.query_one("#roster-table", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)
        self.set_interval(1.0, self.refresh_rows, name="roster clock")
        self.count_milestones()

    # -- milestones ready for a sign-off (the count in the status line; F opens the list) --------

    ready_for_sign_off = 0
    _recount_soon = False

    @work(exclusive=True, group="roster-milestones", description="count milestone sign-offs")
    async def count_milestones(self) -> None:
        """How many learners are ready for a milestone sign-off (a courtesy: no error shown)."""
        self._recount_soon = False
        try:
            reply = await self.app.request(protocol.Milestones())  # type: ignore[attr-defined]
        except Exception:
            return
        rows = getattr(reply, "rows", [])
        self.ready_for_sign_off = sum(
            1 for r in rows if isinstance(r, dict) and r.get("state") == "ready"
        )
        self.refresh_rows()

    @on(MilestoneChanged)
    def _milestone_changed(self, _event: MilestoneChanged) -> None:
        self.count_milestones()

    # -- drawing --------------------------------------------------------------------------------

    def show_problem(self, text: str) -> None:
        """The roster could not be loaded."""
        self.query_one("#roster-status", Static).update(text)

    @property
    def model(self):
        return self.app.model

    def refresh_rows(self) -> None:
        """Redraw the table from the model, keeping the highlighted learner."""
        if not self.is_mounted:
            return
        model = self.model
        table = self.query_one("#roster-table", DataTable)
        names = model.visible_names()
        cells = {name: model.cells(name) for name in names}
        if names == self._order:
            for name in names:
                old = self._cells.get(name)
                for index, column in enumerate(COLUMNS):
                    if old is None or old[index] != cells[name][index]:
                        table.update_cell(name, column, cells[name][index], update_width=True)
        else:
            selected = self.selected()
            table.clear()
            for name in names:
                table.add_row(*cells[name], key=name)
            if selected in names:
                table.move_cursor(row=names.index(selected), animate=False)
        self._order = names
        self._cells = cells
        online = sum(1 for r in model.rows.values() if r.get("online"))
        stuck = sum(1 for r in model.rows.values() if r.get("online") and r.get("stuck"))
        status = (
            f"{len(model.rows)} learners, {online} online, {len(model.queue)} hand(s) up,"
            f" {stuck} stuck. Sorted by {model.sort}."
        )
        if model.filter:
            status += f' Filter: "{model.filter}".'
        if model.online_only:
            status += " Online only."
        if self.ready_for_sign_off:
            status += f" {self.ready_for_sign_off} ready for a milestone sign-off (F)."
        self.query_one("#roster-status", Static).update(status)
        line = "Help queue: " + (model.queue_summary() or "nobody is waiting.")
        self.query_one("#roster-queue", Static).update(line)

    @on(RosterChanged)
    def _changed(self, event: RosterChanged) -> None:
        self.refresh_rows()
        passed = any(isinstance(r, dict) and r.get("passed") for r in event.push.learners)
        if passed and not self._recount_soon:  # someone may be ready now: count again, calmly
            self._recount_soon = True
            self.set_timer(2.0, self.count_milestones, name="milestone recount")

    def selected(self) -> str | None:
        """The highlighted learner's name."""
        table = self.query_one("#roster-table", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return str(key.value) if key.value is not None else None

    def _need_selected(self) -> str | None:
        name = self.selected()
        if name is None:
            self.app.notify("Choose a learner first.", severity="warning")
        return name

    # -- actions ----------------------------------------------------------------------------------

    def action_watch(self) -> None:
        name = self._need_selected()
        if name is not None:
            from tui.instructor.screens.watch import WatchScreen

            self.app.push_screen(WatchScreen(name))

    def action_grid(self) -> None:
        from tui.instructor.screens.grid import GridScreen

        names = [n for n in self.model.visible_names() if self.model.rows[n].get("online")]
        if not names:
            self.app.notify("Nobody is online to show.", severity="warning")
            return
        self.app.push_screen(GridScreen(names))

    def action_queue(self) -> None:
        from tui.instructor.screens.help_queue import HelpQueueScreen

        self.app.push_screen(HelpQueueScreen())

    def action_message(self) -> None:
        name = self._need_selected()
        if name is None:
            return
        from tui.instructor.screens.ask_text import AskText

        def send(text: str | None) -> None:
            if text:
                self.app.send_message(name, text)  # type: ignore[attr-defined]

        self.app.push_screen(AskText(f"Message to {name}:"), send)

    def action_message_all(self) -> None:
        from tui.instructor.screens.ask_text import AskText

        def send(text: str | None) -> None:
            if text:
                self.app.send_message(None, text)  # type: ignore[attr-defined]

        self.app.push_screen(AskText("Message to the whole class:"), send)

    def action_pair(self) -> None:
        name = self._need_selected()
        if name is not None:
            from tui.instructor.screens.watch import WatchScreen

            self.app.push_screen(WatchScreen(name, pair=True))

    def _ask_lock(self, learner: str | None) -> None:
        from tui.instructor.screens.ask_text import AskText

        who = learner or "every online learner"

        def lock(text: str | None) -> None:
            if text is not None:
                self.app.lock(learner, text)  # type: ignore[attr-defined]

        self.app.push_screen(
            AskText(f"Lock the screen of {who}. Their work is saved first. Message to show:",
                    "Eyes on the instructor, please.", allow_empty=True),
            lock,
        )

    def action_lock(self) -> None:
        name = self._need_selected()
        if name is not None:
            self._ask_lock(name)

    def action_lock_all(self) -> None:
        self._ask_lock(None)

    def action_unlock(self) -> None:
        name = self._need_selected()
        if name is not None:
            self.app.unlock(name)  # type: ignore[attr-defined]

    def action_unlock_all(self) -> None:
        self.app.unlock(None)  # type: ignore[attr-defined]

    def action_let_in(self) -> None:
        """Lift the highlighted learner's login locks (too many wrong passwords)."""
        name = self._need_selected()
        if name is not None:
            self.app.let_in(name)  # type: ignore[attr-defined]

    def action_milestones(self) -> None:
        """Who is ready for a milestone sign-off (and who is signed off)."""
        from tui.instructor.screens.milestones import MilestonesScreen

        self.app.push_screen(MilestonesScreen())

    def action_detail(self) -> None:
        name = self._need_selected()
        if name is not None:
            from tui.instructor.screens.detail import DetailScreen

            self.app.push_screen(DetailScreen(name))

    def action_hint(self) -> None:
        name = self._need_selected()
        if name is not None:
            self.app.release_hint(name)  # type: ignore[attr-defined]

    def action_hint_all(self) -> None:
        self.app.release_hint(None)  # type: ignore[attr-defined]

    def action_demo(self) -> None:
        self.app.start_demo()  # type: ignore[attr-defined]

    def action_export(self) -> None:
        self.app.export_progress()  # type: ignore[attr-defined]

    def action_sort(self) -> None:
        self.model.next_sort()
        self.refresh_rows()

    def action_online_only(self) -> None:
        self.model.online_only = not self.model.online_only
        self.refresh_rows()

    def action_filter(self) -> None:
        box = self.query_one("#roster-filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#roster-filter", Input)
        box.value = ""
        box.display = False
        self.model.filter = ""
        self.query_one("#roster-table", DataTable).focus()
        self.refresh_rows()

    @on(Input.Changed, "#roster-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.model.filter = event.value
        self.refresh_rows()

    @on(Input.Submitted, "#roster-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.input.display = False  # the status line names the filter; / edits it again
        self.query_one("#roster-table", DataTable).focus()

    @on(DataTable.RowSelected, "#roster-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_watch()
