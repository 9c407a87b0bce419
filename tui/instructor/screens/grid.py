"""Thumbnails of several learners' live screens at once, a page at a time.

Each tile is a small :class:`TerminalView` (same emulation and filtering as the watch view),
cropped around the learner's cursor — where they are typing — and titled with the learner's
name, exercise and state in words (STUCK, HAND #n, idle), so a glance shows who needs help. As many
tiles as fit the terminal (at least 38x8 each); PageUp/PageDown page through the class; Enter
opens the highlighted learner full size. Only the learners on the current page are watched.
"""

from __future__ import annotations

import base64
import binascii

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from server import protocol
from tui.instructor.messages import RosterChanged, WatchChunk, WatchStopped
from tui.widgets.key_bar import KeyBar
from tui.widgets.terminal_view import TerminalView

TILE_WIDTH = 40
TILE_HEIGHT = 10


class Tile(Vertical):
    """One learner's thumbnail."""

    def __init__(self, learner: str, index: int) -> None:
        super().__init__(classes="tile")
        self.learner = learner
        self.index = index

    def compose(self) -> ComposeResult:
        yield Static("", classes="tile-label", markup=False)
        yield TerminalView(classes="-thumbnail", follow_cursor=True)


class GridScreen(Screen[None]):
    """A page of thumbnails.

    Args:
        learners: who to show (online learners, in roster order).
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="grid.back"),
        Binding("enter,w", "watch", "Watch", id="grid.watch"),
        Binding("left", "move(-1)", "Left", id="grid.left", show=False),
        Binding("right", "move(1)", "Right", id="grid.right", show=False),
        Binding("up", "move_row(-1)", "Up", id="grid.up", show=False),
        Binding("down", "move_row(1)", "Down", id="grid.down", show=False),
        Binding("pagedown,n", "page(1)", "Next page", id="grid.next"),
        Binding("pageup,b", "page(-1)", "Previous page", id="grid.prev"),
        Binding("q", "app.quit", "Quit", id="grid.quit", show=False),
    ]

    def __init__(self, learners: list[str]) -> None:
        super().__init__(id="grid")
        self.learners = list(learners)
        self.page_index = 0
        self.per_page = 1
        self.columns = 1
        self.selected = 0
        self.watching: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("", id="grid-status", markup=False)
        yield Container(id="grid-tiles")
        yield KeyBar(id="keys")

    async def on_mount(self) -> None:
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)
        self.set_interval(1.0, self._labels, name="grid labels clock")
        await self._layout_page()

    async def on_resize(self) -> None:
        if self.is_mounted:
            await self._layout_page()

    def _fit(self) -> tuple[int, int]:
        width, height = self.size
        height = max(1, height - 4)  # header, status, key bar (one or two lines)
        return max(1, width // TILE_WIDTH), max(1, height // TILE_HEIGHT)

    async def _layout_page(self) -> None:
        columns, rows = self._fit()
        per_page = columns * rows
        if (columns, per_page) == (self.columns, self.per_page) and self.query(Tile):
            return
        first = self.page_index * self.per_page
        self.columns, self.per_page = columns, per_page
        self.page_index = first // per_page
        await self._show_page()

    async def _show_page(self) -> None:
        grid = self.query_one("#grid-tiles", Container)
        grid.styles.grid_size_columns = self.columns
        grid.styles.grid_size_rows = max(1, self.per_page // self.columns)
        start = self.page_index * self.per_page
        page = self.learners[start : start + self.per_page]
        await grid.remove_children()
        await grid.mount_all([Tile(name, i) for i, name in enumerate(page)])
        self.selected = min(self.selected, max(0, len(page) - 1))
        wanted = set(page)
        app = self.app
        for name in sorted(self.watching - wanted):
            app.run_worker(app.ask(protocol.Unwatch(learner=name)))  # type: ignore[attr-defined]
        for name in page:
            app.run_worker(self._watch(name))
        self.watching = wanted
        self._labels()

    async def _watch(self, name: str) -> None:
        reply = await self.app.ask(protocol.Watch(learner=name))  # type: ignore[attr-defined]
        tile = self._tile(name)
        if reply is not None and tile is not None:
            tile.query_one(TerminalView).feed(b"", reply.cols, reply.rows)

    def _tile(self, name: str) -> Tile | None:
        for tile in self.query(Tile):
            if tile.learner == name:
                return tile
        return None

    def _labels(self) -> None:
        model = self.app.model  # type: ignore[attr-defined]
        pages = max(1, -(-len(self.learners) // self.per_page))
        self.query_one("#grid-status", Static).update(
            f"{len(self.learners)} learners online. Page {self.page_index + 1} of {pages}."
        )
        for tile in self.query(Tile):
            row = model.rows.get(tile.learner, {})
            cells = model.cells(tile.learner) if tile.learner in model.rows else ()
            parts = [tile.learner]
            if cells:
                parts.append(cells[3] or "(no exercise)")
                state = cells[2].replace("online", "").replace("watched", "").strip()
                if state:
                    parts.append(state)
                if cells[0]:
                    parts.append(f"HAND {cells[0]}")
                if cells[4]:
                    parts.append(cells[4])
            tile.query_one(".tile-label", Static).update(" | ".join(parts))
            tile.set_class(tile.index == self.selected, "-selected")
            tile.set_class(bool(row.get("stuck")) or bool(row.get("hand")), "-attention")

    @on(WatchChunk)
    def _chunk(self, event: WatchChunk) -> None:
        push = event.push
        tile = self._tile(push.learner)
        if tile is None:
            return
        try:
            data = base64.b64decode(push.data, validate=True)
        except (binascii.Error, ValueError):
            return
        view = tile.query_one(TerminalView)
        if push.reset:
            view.clear()
        view.feed(data, push.cols, push.rows)

    @on(WatchStopped)
    def _stopped(self, event: WatchStopped) -> None:
        self.watching.discard(event.push.learner)

    @on(RosterChanged)
    def _roster(self, event: RosterChanged) -> None:
        self._labels()

    def on_unmount(self) -> None:
        app = self.app
        for name in sorted(self.watching):
            app.run_worker(app.ask(protocol.Unwatch(learner=name)))  # type: ignore[attr-defined]
        self.watching.clear()

    # -- actions ---------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_move(self, step: int) -> None:
        count = len(self.query(Tile))
        if count:
            self.selected = (self.selected + step) % count
            self._labels()

    def action_move_row(self, step: int) -> None:
        self.action_move(step * self.columns)

    async def action_page(self, step: int) -> None:
        pages = max(1, -(-len(self.learners) // self.per_page))
        new = min(max(0, self.page_index + step), pages - 1)
        if new != self.page_index:
            self.page_index = new
            self.selected = 0
            await self._show_page()

    def action_watch(self) -> None:
        tiles = list(self.query(Tile))
        if not tiles:
            return
        from tui.instructor.screens.watch import WatchScreen

        self.app.push_screen(WatchScreen(tiles[self.selected].learner))
