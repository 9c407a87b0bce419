"""The instructor console: the app an instructor (or admin) gets after ``ssh``.

Owns the console's model of the class (:class:`tui.instructor.roster_model.RosterModel`, kept
current by the server's ``roster_update`` pushes), the live-class pushes turned into Textual
messages, and the requests every screen shares (watch, message, pair, lock). The learner's screen
bytes arrive as ``watch_output`` pushes and are emulated only in
:class:`tui.widgets.terminal_view.TerminalView` (invariants 6 and 9).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work

from server import protocol
from tui.control import ControlClient, ControlError
from tui.instructor.messages import CONSOLE_PUSHES, RosterChanged
from tui.instructor.roster_model import RosterModel
from tui.instructor.screens.roster import RosterScreen
from tui.safe_text import visible
from tui.session_app import Identity, SessionApp


class InstructorApp(SessionApp):
    """The instructor's console.

    Args:
        client: the control-channel client.
        identity: who is signed in (an instructor or an admin).
    """

    CSS_PATH = Path(__file__).parent / "instructor.tcss"  # absolute: subclasses live elsewhere

    def __init__(self, client: ControlClient | None, identity: Identity) -> None:
        super().__init__(client, identity)
        self.model = RosterModel()
        self.roster_screen = RosterScreen()
        self.paired_with: str | None = None
        self.demo_text: str | None = None

    async def session_started(self) -> None:
        """Show the roster and load it."""
        await self.push_screen(self.roster_screen)
        self.load_roster()

    def _pushed(self, push: protocol.Push) -> None:
        cls = CONSOLE_PUSHES.get(type(push))
        if cls is not None:
            self.post_message(cls(push))
            return
        super()._pushed(push)

    @work(exclusive=True, group="roster", description="load the roster")
    async def load_roster(self) -> None:
        """Ask for the whole roster (this also subscribes to its updates)."""
        try:
            reply = await self.request(protocol.Roster())
        except ControlError as exc:
            self.roster_screen.show_problem(str(exc))
            return
        self.model.load(
            {"learners": reply.learners, "queue": reply.queue, "now": reply.now}
        )
        self.roster_screen.refresh_rows()

    @on(RosterChanged)
    def _roster_changed(self, event: RosterChanged) -> None:
        self.model.update(event.push.learners, event.push.queue)

    # -- requests shared by the screens ----------------------------------------------------------

    async def ask(self, message: protocol.Request, done: str = "") -> Any:
        """Send a request; show its error (or ``done``) as a notification. None on error."""
        try:
            reply = await self.request(message)
        except ControlError as exc:
            self.notify(str(exc), title="Not done", severity="warning")
            return None
        if done:
            self.notify(done)
        return reply

    def send_message(self, learner: str | None, text: str) -> None:
        """Message one learner (or, None, the class)."""
        self.run_worker(self._send_message(learner, text), group="message")

    async def _send_message(self, learner: str | None, text: str) -> None:
        reply = await self.ask(protocol.SendMessage(learner=learner, text=text))
        if reply is not None:
            who = visible(learner, keep_newlines=False) if learner else f"{reply.count} learners"
            self.notify(f"Message sent to {who}.")

    def lock(self, learner: str | None, message: str) -> None:
        """Lock one learner's screen (None: the class)."""
        self.run_worker(self._count(protocol.Lock(learner=learner, message=message), "Locked"))

    def unlock(self, learner: str | None) -> None:
        """Unlock one learner's screen (None: the class)."""
        self.run_worker(self._count(protocol.Unlock(learner=learner), "Unlocked"))

    def let_in(self, learner: str) -> None:
        """Lift a learner's login locks (too many wrong passwords) so they can log in again."""
        self.run_worker(self._let_in(learner), group="let_in")

    async def _let_in(self, learner: str) -> None:
        reply = await self.ask(protocol.LoginUnlock(learner=learner))
        if not isinstance(reply, protocol.LoginUnlockReply):
            return
        who = visible(learner, keep_newlines=False)
        if reply.locked_from:
            where = ", ".join(visible(a, keep_newlines=False) for a in reply.locked_from[:5])
            self.notify(f"{who} can log in again (was locked out from {where}).")
        elif reply.failures:
            self.notify(f"{who} was not locked out; {reply.failures} failed login(s) forgotten.")
        else:
            self.notify(f"{who} was not locked out.")

    async def _count(self, message: protocol.Request, verb: str) -> None:
        reply = await self.ask(message)
        if reply is not None:
            self.notify(f"{verb}: {reply.count} learner(s).")

    def ask_pair(self, learner: str) -> None:
        """Ask a learner to let us type in their session."""
        self.run_worker(
            self.ask(
                protocol.PairAsk(learner=learner),
                f"Asked {visible(learner, keep_newlines=False)} to pair."
                " Waiting for them to accept.",
            ),
            group="pair",
        )

    def start_demo(self) -> None:
        """Demo mode: the class sees a scratch editor on this screen (never the roster)."""
        self.run_worker(self._start_demo(), group="demo")

    async def _start_demo(self) -> None:
        from tui.instructor.screens.demo import START, DemoScreen

        # The demo screen is up before the class is connected: they never see the roster.
        await self.push_screen(DemoScreen(self.demo_text or START))
        reply = await self.ask(protocol.DemoStart())
        if reply is None:
            if isinstance(self.screen, DemoScreen):
                await self.pop_screen()
            return
        self.notify(f"Demo on: {reply.count} learner(s) see this screen.")

    def release_hint(self, learner: str | None) -> None:
        """Reveal the next hint of the open exercise to one learner (None: the class)."""
        self.run_worker(self._count(protocol.ReleaseHint(learner=learner), "Hint sent to"))

    def help_done(self, learner: str) -> None:
        """Take a learner off the help queue."""
        self.run_worker(self.ask(protocol.HelpDone(learner=learner)), group="help")

    def export_progress(self) -> None:
        """Write the progress CSV on the server."""
        self.run_worker(self._export(), group="export")

    async def _export(self) -> None:
        reply = await self.ask(protocol.ExportProgress())
        if reply is not None:
            self.notify(
                f"Progress written on the server: {visible(reply.path, keep_newlines=False)}"
                f" ({reply.rows} rows).",
                title="Export",
                timeout=20,
            )
