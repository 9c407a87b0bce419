"""The instructor and auditor apps: a real screen with the signed-in identity, and a clean exit.

Owns nothing a learner can reach. The live roster (instructor) and replay/search (auditor) arrive
in later releases; until then the screen says so plainly instead of showing invented data.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from tui.control import ControlClient
from tui.session_app import Identity, SessionApp
from tui.widgets.key_bar import KeyBar

LATER = {
    "instructor": "The live roster of learners arrives in a later release.",
    "auditor": "Session replay and search arrive in a later release "
    "(use `slate audit verify` and `slate audit tail` on the server for now).",
}


class IdentityScreen(Screen[None]):
    """Who is signed in, their role, and what this release offers them."""

    BINDINGS = [
        Binding("q,ctrl+q", "app.quit", "Quit", id="staff.quit"),
    ]

    def compose(self) -> ComposeResult:
        app = self.app
        assert isinstance(app, StaffApp)
        yield Header(show_clock=False, icon="")
        with Vertical(id="identity-box"):
            yield Static(f"Signed in as: {app.identity.user}", id="identity-user", markup=False)
            yield Static(f"Role: {app.identity.role}", id="identity-role", markup=False)
            if app.identity.session:
                yield Static(f"Session: {app.identity.session}", id="identity-session",
                             markup=False)
            yield Static(LATER.get(app.identity.role, ""), id="identity-later", markup=False)
            yield Static("Press Q or Ctrl+Q to leave.", id="identity-keys")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        """List the keys."""
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)

    def refresh_identity(self) -> None:
        """Show the identity the server confirmed."""
        app = self.app
        assert isinstance(app, StaffApp)
        self.query_one("#identity-user", Static).update(f"Signed in as: {app.identity.user}")
        self.query_one("#identity-role", Static).update(f"Role: {app.identity.role}")


class StaffApp(SessionApp):
    """The instructor's or auditor's app."""

    CSS_PATH = "staff.tcss"

    def __init__(self, client: ControlClient | None, identity: Identity) -> None:
        super().__init__(client, identity)

    async def session_started(self) -> None:
        """Show the identity screen."""
        await self.push_screen(IdentityScreen(id="identity"))

    async def _hello(self) -> None:
        await super()._hello()
        if isinstance(self.screen, IdentityScreen):
            self.screen.refresh_identity()
