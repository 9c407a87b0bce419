"""The base of every Slate app: identity, the control channel, server pushes, cheap repaints.

Owns what all three roles share: who is signed in (from ``SLATE_USER`` / ``SLATE_ROLE`` /
``SLATE_SESSION``), starting the :class:`tui.control.ControlClient` on the app's loop and turning
its pushes into :class:`tui.messages.ServerPush` messages, the common pushes (``notify``,
``repaint``, ``shutdown``), and the frame diff that keeps bytes per keystroke small.
Invariants kept: cursor blink is off in every widget Slate mounts; a ``shutdown`` push saves
everything before the app exits; a lost channel is reported once, in plain words.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from dataclasses import dataclass
from typing import Any

from textual import events, on
from textual.app import App
from textual.binding import Binding
from textual.markup import escape as escape_markup
from textual.notifications import SeverityLevel
from textual.widgets import Input, TextArea

from server import protocol
from tui.control import ControlClient, ControlError, ControlLost
from tui.frame_diff import FrameDiff
from tui.messages import (
    ConnectionLost,
    Notified,
    RepaintAsked,
    ServerPush,
    ShutdownAsked,
    message_for,
)
from tui.safe_text import visible

SEVERITIES = ("information", "warning", "error")


@dataclass(frozen=True)
class Identity:
    """Who this session belongs to (from the server's environment, shown in the header)."""

    user: str
    role: str
    session: str = ""

    @classmethod
    def from_env(cls, role: str, environ: dict[str, str] | None = None) -> Identity:
        """Read ``SLATE_USER`` / ``SLATE_SESSION``; ``role`` comes from the command line."""
        env = os.environ if environ is None else environ
        user = visible(env.get("SLATE_USER") or "unknown", keep_newlines=False)[:64]
        return cls(user=user, role=role, session=env.get("SLATE_SESSION", "")[:64])

    def header_text(self) -> str:
        """The header's sub-title: "signed in as sam (learner)"."""
        return f"signed in as {self.user} ({self.role})"


class SessionApp(App[None]):
    """Shared behaviour of the learner, instructor and auditor apps.

    Args:
        client: the control-channel client (not yet started), or None in tests without a server.
        identity: who is signed in.
    """

    TITLE = "Slate"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(self, client: ControlClient | None, identity: Identity) -> None:
        super().__init__()
        self.client = client
        self.identity = identity
        self.sub_title = identity.header_text()
        self.frame_diff = FrameDiff()
        self.offline_reason: str | None = None
        self.server_info: dict[str, object] = {}
        self._terminal_cursor = False

    # -- output: send only the cells that changed -------------------------------------------

    def _display(self, screen, renderable) -> None:
        if renderable is not None:
            renderable = self.frame_diff.reduce(renderable)
        super()._display(screen, renderable)
        self._show_terminal_cursor()

    def _show_terminal_cursor(self) -> None:
        """Show the terminal's own cursor where the learner types, hide it elsewhere.

        Textual draws its text cursor by swapping colours, which a monochrome terminal cannot
        show; the real cursor (already moved there by Textual after every frame) always shows.
        Written only when it changes: no bytes per keystroke.
        """
        focused = self.focused
        want = isinstance(focused, (TextArea, Input)) and not getattr(focused, "read_only", False)
        if want == self._terminal_cursor or self._driver is None or self.is_headless:
            return
        self._terminal_cursor = want
        self._driver.write("\x1b[?25h" if want else "\x1b[?25l")
        self._driver.flush()

    def on_resize(self) -> None:
        """The terminal was resized: its contents are unknown, so the next frame is full."""
        self.frame_diff.invalidate()

    # -- cursor blink off everywhere ----------------------------------------------------------

    @on(events.DescendantFocus)
    def _no_blink(self, event: events.DescendantFocus) -> None:
        """Never blink (Slate's widgets start with blink off; this catches any other one)."""
        widget = event.widget
        if isinstance(widget, (Input, TextArea)) and widget.cursor_blink:
            widget.cursor_blink = False

    # -- the control channel --------------------------------------------------------------------

    async def on_mount(self) -> None:
        """Start the control channel, say hello, then let the app show its first screen.

        Subclasses do not define ``on_mount`` (Textual would call both); they override
        :meth:`session_started` instead.
        """
        if not self.is_headless:
            self._install_signal_handlers()
        await self._start_channel()
        await self.session_started()

    async def session_started(self) -> None:
        """Show the first screen (the channel is started, hello is on its way)."""

    def _install_signal_handlers(self) -> None:
        """SIGHUP (the terminal went away) and SIGTERM (the server ends the session): save
        every open file at once, synchronously, then exit; the default would lose the
        keystrokes typed since the last autosave."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._signalled)

    def _signalled(self) -> None:
        self.save_locally()
        self.exit()

    def save_locally(self) -> None:
        """Write unsaved work to disk now, without the server (the learner app overrides)."""

    async def _start_channel(self) -> None:
        if self.client is None:
            return
        self.client.on_push = self._pushed
        self.client.on_lost = self._lost
        try:
            await self.client.start()
        except OSError as exc:
            self.post_message(ConnectionLost(f"The classroom server cannot be reached ({exc})."))
            return
        self.run_worker(self._hello(), group="control", description="hello to the server")

    async def _hello(self) -> None:
        try:
            reply = await self.request(
                protocol.Hello(role=self.identity.role, version=protocol.VERSION)
            )
        except ControlError as exc:
            self.notify(str(exc), title="Server", severity="error")
            return
        self.server_info = reply
        user = visible(reply.user or self.identity.user, keep_newlines=False)[:64]
        role = reply.role[:32] or self.identity.role
        self.identity = Identity(user, role, reply.session or self.identity.session)
        self.sub_title = self.identity.header_text()

    async def request(self, message: protocol.Request) -> Any:
        """Ask the server for something; returns the reply (of ``type(message).REPLY``).

        Raises:
            ControlLost: there is no connection.
            ControlError: the server said no (the message is for the learner).
        """
        if self.client is None:
            raise ControlLost("This app was started without a classroom server.")
        return await self.client.request(message)

    def _lost(self, reason: str) -> None:
        self.post_message(ConnectionLost(reason))

    def _pushed(self, push: protocol.Push) -> None:
        """A push from the server becomes its Textual message, posted to the app."""
        message = message_for(push)
        if message is not None:
            self.post_message(message)

    @on(Notified)
    def _push_notify(self, event: Notified) -> None:
        push = event.push
        self.notify(
            visible(push.text),
            title=visible(push.title, keep_newlines=False),
            severity=push.severity,
            timeout=12,
        )

    @on(RepaintAsked)
    def _push_repaint(self, event: RepaintAsked) -> None:
        self.frame_diff.invalidate()
        self.screen.refresh(repaint=True)

    @on(ShutdownAsked)
    async def _push_shutdown(self, event: ShutdownAsked) -> None:
        await self.save_everything()
        self.exit(message=visible(event.push.reason or "The session is ending."))

    @on(ServerPush)
    def _push_to_screens(self, event: ServerPush) -> None:
        """Pushes the app does not handle itself go to every screen on the stack (a screen
        handles the ones it wants with ``@on``; the message does not bubble back)."""
        if isinstance(event, (Notified, RepaintAsked, ShutdownAsked)):
            return
        for screen in self.screen_stack:
            screen.post_message(type(event)(event.push))

    @on(ConnectionLost)
    async def connection_lost(self, event: ConnectionLost) -> None:
        """Save locally and tell the person, once."""
        if self.offline_reason is not None:
            return
        self.offline_reason = event.reason
        await self.save_everything()
        for screen in self.screen_stack:
            handler = getattr(screen, "show_offline", None)
            if handler is not None:
                handler(event.reason)
        self.notify(event.reason, title="Connection lost", severity="error", timeout=30)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notification whose text is always plain: never markup (server and file-name text
        may contain "[...]", which must show as typed, not be parsed or crash)."""
        super().notify(
            message, title=escape_markup(title), severity=severity, timeout=timeout, markup=False
        )

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Never start a web browser (there is no web here): say so instead."""
        self.notify(
            f"This link goes to {url[:80]}. Links to the web do not open in this classroom.",
            title="Link",
        )

    async def save_everything(self) -> None:
        """Save all unsaved work now (the learner app overrides this)."""

    async def action_quit(self) -> None:
        """Save, close the channel and leave."""
        await self.save_everything()
        if self.client is not None:
            await self.client.close()
        self.exit()
