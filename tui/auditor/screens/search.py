"""Search across every session: what was typed, what the screen showed, every audit event.

Enter in the query box searches (on the server's index; the search is audited there); Enter on a
result opens the replay at that moment. Snippets arrive neutralised and pass
:func:`tui.safe_text.visible` again; the matched words are shown in reverse video (and bracketed
in the text), so they read on a monochrome terminal too.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from tui.auditor.screens.session_list import clock
from tui.control import ControlError
from tui.safe_text import visible
from tui.widgets.inputs import PlainInput
from tui.widgets.key_bar import KeyBar

COLUMNS = ("When (UTC)", "User", "At", "What", "Snippet")


LEAD_IN = 24
"""Context kept before the first match, so the match shows in a narrow column."""


def snippet_text(parts: list[Any]) -> Text:
    """The snippet pieces as Rich text, matches in ``[reverse]`` (no markup is parsed)."""
    text = Text()
    seen_match = False
    for piece in parts:
        try:
            words, matched = str(piece[0]), bool(piece[1])
        except (IndexError, TypeError):
            continue
        words = visible(words, keep_newlines=False)
        if not matched and not seen_match and len(words) > LEAD_IN:
            words = "…" + words[-LEAD_IN:]
        seen_match = seen_match or matched
        if matched:
            text.append(f"[{words}]", style="bold reverse")
        else:
            text.append(words)
    return text


class SearchScreen(Screen[None]):
    """Find sessions by what was typed or shown."""

    BINDINGS = [
        Binding("slash", "query", "New search", id="search.query"),
        Binding("escape", "back", "Back", id="search.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="search")
        self.hits: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield PlainInput("Words to find (\"quoted phrase\" for a phrase); Enter searches",
                         id="search-query", max_length=200)
        yield Static("Search what learners typed, what their screens showed, and every "
                     "audit event.", id="search-status", classes="status", markup=False)
        table: DataTable[Any] = DataTable(id="search-table", cursor_type="row",
                                          zebra_stripes=False)
        yield table
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        table = self.query_one("#search-table", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        self.query_one("#search-query", Input).focus()
        self.query_one(KeyBar).show_keys([("Enter", "Search / open at that moment"),
                                          ("/", "New search"), ("Tab", "Results"),
                                          ("Esc", "Back")])

    @on(Input.Submitted, "#search-query")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.run_search(event.value.strip())

    @work(exclusive=True, group="search", description="search")
    async def run_search(self, query: str) -> None:
        status = self.query_one("#search-status", Static)
        status.update("Searching…")
        try:
            hits = await self.app.search(query)  # type: ignore[attr-defined]
        except ControlError as exc:
            status.update(visible(str(exc), keep_newlines=False))
            return
        self.hits = hits
        table = self.query_one("#search-table", DataTable)
        table.clear()
        for i, hit in enumerate(hits):
            at = clock(float(hit["t"])) if hit.get("t") is not None else "-"
            table.add_row(
                visible(str(hit.get("ts", "")), keep_newlines=False)[5:16],
                visible(str(hit.get("user") or "-"), keep_newlines=False)[:16],
                at,
                visible(str(hit.get("kind", "")), keep_newlines=False)[:8],
                snippet_text(hit.get("parts") or []),
                key=str(i),
            )
        shown = visible(query, keep_newlines=False)[:60]
        status.update(f"{len(hits)} results for {shown}" + ("  (Enter opens the replay there)"
                                                            if hits else ""))
        if hits:
            table.focus()

    @on(DataTable.RowSelected, "#search-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        try:
            hit = self.hits[int(str(event.row_key.value))]
        except (IndexError, TypeError, ValueError):
            return
        if not hit.get("session"):
            self.notify("That event is not part of a recorded session.", title="Search")
            return
        from tui.auditor.screens.replay_view import ReplayScreen

        t = float(hit.get("t") or 0.0)
        session = {"id": hit["session"], "user": hit.get("user") or "?", "live": False}
        self.app.push_screen(ReplayScreen(session, start_at=t))

    def action_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
