"""The app ``python -m tui instructor`` starts: the instructor console (for admins too).

Kept under this name so the role dispatch in ``tui/__main__.py`` keeps working; the console
itself lives in :mod:`tui.instructor` (roster, watch, grid, help queue, pairing, locks).
:class:`IdentityScreen` remains for any role without a console of its own.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from tui.instructor.app import InstructorApp
from tui.session_app import SessionApp
from tui.widgets.key_bar import KeyBar


class IdentityScreen(Screen[None]):
    """Who is signed in and their role (for a role with no console of its own)."""

    BINDINGS = [
        Binding("q,ctrl+q", "app.quit", "Quit", id="staff.quit"),
    ]

    def compose(self) -> ComposeResult:
        app = self.app
        assert isinstance(app, SessionApp)
        yield Header(show_clock=False, icon="")
        with Vertical(id="identity-box"):
            yield Static(f"Signed in as: {app.identity.user}", id="identity-user", markup=False)
            yield Static(f"Role: {app.identity.role}", id="identity-role", markup=False)
            yield Static("Press Q or Ctrl+Q to leave.", id="identity-keys")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        """List the keys."""
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)


class StaffApp(InstructorApp):
    """The instructor console (the name ``tui/__main__.py`` starts for instructors)."""
