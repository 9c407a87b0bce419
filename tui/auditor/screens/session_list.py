"""The auditor's first screen: every recorded session, newest first, filterable, keyboard driven.

Shows per session: start, user, role, length, bytes, refusals/denials, exercises touched and
whether it is live. Everything shown came from the server already neutralised and is passed
through :func:`tui.safe_text.visible` again before it is drawn.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from tui.control import ControlError
from tui.safe_text import visible
from tui.widgets.inputs import PlainInput
from tui.widgets.key_bar import KeyBar

COLUMNS = ("Start (UTC)", "User", "Role", "Length", "Bytes", "Refused", "Exercises", "State")
FILTER_HELP = ("Filter: user:NAME role:ROLE since:2026-11-30 until:2026-12-01 ex:EXERCISE "
               "refusals   (Enter applies, Esc clears)")
_FILTER_RE = re.compile(r"(user|role|since|until|ex):(\S+)|(refusals)")


def clock(seconds: float) -> str:
    """``1:02:03`` (hours not padded)."""
    total = max(int(seconds), 0)
    return f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"


def human_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def parse_filter(text: str) -> dict[str, Any]:
    """The request fields a filter line asks for (unknown words are ignored)."""
    out: dict[str, Any] = {}
    for key, value, flag in _FILTER_RE.findall(text):
        if flag:
            out["refusals_only"] = True
        elif key == "ex":
            out["exercise"] = value[:64]
        elif key == "until" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            out[key] = value + "T23:59:59.999999+00:00"  # a day given: to the end of it
        else:
            out[key] = value[:64]
    return out


def short_time(text: str) -> str:
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return visible(str(text)[:16], keep_newlines=False)
    return when.astimezone(UTC).strftime("%m-%d %H:%M")


class SessionListScreen(Screen[None]):
    """Every recorded session in one table."""

    BINDINGS = [
        Binding("enter", "replay", "Replay", id="list.replay"),
        Binding("l", "follow", "Follow live", id="list.follow"),
        Binding("s", "search", "Search", id="list.search"),
        Binding("slash", "filter", "Filter", id="list.filter"),
        Binding("x", "export", "Export", id="list.export"),
        Binding("r", "reload", "Reload", id="list.reload"),
        Binding("escape", "clear_filter", "Clear filter", id="list.clear", show=False),
        Binding("q", "app.quit", "Quit", id="list.quit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="session-list")
        self.sessions: list[dict[str, Any]] = []
        self.filters: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("Loading sessions…", id="list-status", classes="status", markup=False)
        box = PlainInput(FILTER_HELP, id="list-filter", max_length=200)
        box.display = False
        yield box
        table: DataTable[Any] = DataTable(id="list-table", cursor_type="row", zebra_stripes=False)
        yield table
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        table = self.query_one("#list-table", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        table.focus()
        self.query_one(KeyBar).show_keys([
            ("Enter", "Replay"), ("L", "Follow live"), ("S", "Search"), ("/", "Filter"),
            ("Esc", "Clear filter"), ("X", "Export"), ("R", "Reload"), ("Q", "Quit")])

    # -- loading --------------------------------------------------------------------------------

    @work(exclusive=True, group="list", description="load the session list")
    async def reload(self) -> None:
        status = self.query_one("#list-status", Static)
        try:
            sessions = await self.app.list_sessions(**self.filters)  # type: ignore[attr-defined]
        except ControlError as exc:
            status.update(visible(str(exc), keep_newlines=False))
            return
        self.sessions = sessions
        self._draw()

    def _draw(self) -> None:
        table = self.query_one("#list-table", DataTable)
        table.clear()
        for item in self.sessions:
            exercises = item.get("exercises") or []
            shown_ex = ", ".join(str(e).split("/")[-1] for e in exercises[:3])
            if len(exercises) > 3:
                shown_ex += f" +{len(exercises) - 3}"
            state = "LIVE" if item.get("live") else ("ended" if item.get("ended") else "cut")
            refused = int(item.get("refusals") or 0)
            table.add_row(
                short_time(str(item.get("started", ""))),
                visible(str(item.get("user", "?")), keep_newlines=False)[:24],
                visible(str(item.get("role", "?")), keep_newlines=False)[:10],
                clock(float(item.get("duration") or 0)),
                human_bytes(int(item.get("bytes") or 0)),
                f"{refused} !" if refused else "0",
                visible(shown_ex, keep_newlines=False)[:40] or "-",
                state,
                key=str(item.get("id")),
            )
        described = " ".join(f"{k}:{v}" for k, v in self.filters.items() if v is not True)
        if self.filters.get("refusals_only"):
            described += " refusals"
        status = f"{len(self.sessions)} sessions" + (
            f" matching {visible(described, keep_newlines=False)}" if self.filters else "")
        self.query_one("#list-status", Static).update(status + "  (Enter replays, S searches)")

    def selected(self) -> dict[str, Any] | None:
        table = self.query_one("#list-table", DataTable)
        if not self.sessions or table.cursor_row is None:
            return None
        row = table.cursor_row
        return self.sessions[row] if 0 <= row < len(self.sessions) else None

    # -- actions --------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload()

    def action_replay(self, follow: bool = False) -> None:
        item = self.selected()
        if item is None:
            return
        from tui.auditor.screens.replay_view import ReplayScreen

        self.app.push_screen(ReplayScreen(item, follow=follow and bool(item.get("live"))))

    @on(DataTable.RowSelected, "#list-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_replay()

    def action_follow(self) -> None:
        item = self.selected()
        if item is not None and not item.get("live"):
            self.notify("That session has ended; Enter replays it.", title="Follow")
            return
        self.action_replay(follow=True)

    def action_search(self) -> None:
        from tui.auditor.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_filter(self) -> None:
        box = self.query_one("#list-filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#list-filter", Input)
        box.value = ""
        box.display = False
        self.filters = {}
        self.query_one("#list-table", DataTable).focus()
        self.reload()

    @on(Input.Submitted, "#list-filter")
    def _filter_given(self, event: Input.Submitted) -> None:
        self.filters = parse_filter(event.value)
        if not self.filters and event.value.strip():
            self.notify("No filter understood. " + FILTER_HELP, title="Filter")
            return
        self.query_one("#list-table", DataTable).focus()
        self.reload()

    @work(group="export", description="export a session")
    async def action_export(self) -> None:
        item = self.selected()
        if item is None:
            return
        try:
            where = await self.app.export_session(str(item["id"]))  # type: ignore[attr-defined]
        except ControlError as exc:
            self.notify(str(exc), title="Export", severity="error")
            return
        self.notify(f"Written on the server: {visible(where, keep_newlines=False)}",
                    title="Export")
