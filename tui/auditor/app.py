"""The auditor console: the app a security officer (role ``auditor``) gets after ``ssh``.

Owns the console's requests to the server's read-only audit desk (``server/audit_desk.py``):
sessions, a session's events, recording bytes, search and export. Recordings arrive as
untrusted bytes and are parsed and emulated only here, in the auditor's sandboxed TUI
(:mod:`tui.auditor.replay`, drawn by :class:`tui.widgets.terminal_view.TerminalView`; invariants
6 and 9). Every replay, search and export is audited by the server, not by this app.
"""

from __future__ import annotations

import base64
from typing import Any

from server import protocol
from tui.auditor.screens.session_list import SessionListScreen
from tui.control import ControlClient
from tui.session_app import Identity, SessionApp


class AuditorApp(SessionApp):
    """The auditor's console.

    Args:
        client: the control-channel client.
        identity: who is signed in.
    """

    CSS_PATH = "auditor.tcss"

    def __init__(self, client: ControlClient | None, identity: Identity) -> None:
        super().__init__(client, identity)
        self.session_list = SessionListScreen()

    async def session_started(self) -> None:
        """Show the session list and load it."""
        await self.push_screen(self.session_list)
        self.session_list.reload()

    # -- the desk's requests (each raises ControlError with plain words on a refusal) ---------

    async def list_sessions(self, **filters: Any) -> list[dict[str, Any]]:
        reply = await self.request(protocol.AuditSessions(**filters))
        return list(reply.sessions)

    async def session_events(self, session: str) -> tuple[list[dict[str, Any]], str]:
        reply = await self.request(protocol.AuditSessionEvents(session=session))
        return list(reply.events), str(reply.started)

    async def recording_chunk(self, session: str, offset: int,
                              follow: bool = False) -> tuple[bytes, int, int, bool]:
        """``(bytes, next offset, size, live)``; the bytes are untrusted."""
        reply = await self.request(
            protocol.AuditRecording(session=session, offset=offset, follow=follow))
        try:
            data = base64.b64decode(reply.data, validate=True)
        except ValueError:
            data = b""
        return data, int(reply.next_offset), int(reply.size), bool(reply.live)

    async def search(self, query: str, user: str | None = None) -> list[dict[str, Any]]:
        reply = await self.request(protocol.AuditSearch(query=query, user=user))
        return list(reply.hits)

    async def export_session(self, session: str) -> str:
        reply = await self.request(protocol.AuditExport(session=session))
        return f"{reply.folder} ({reply.events} events, signed up to row {reply.checkpoint})"

    async def code_at(self, session: str, t: float) -> dict[str, Any]:
        """The learner's files as saved at ``t`` seconds into the session (untrusted text)."""
        reply = await self.request(protocol.AuditCode(session=session, t=t))
        return {"version": reply.version, "time": reply.time, "message": reply.message,
                "files": list(reply.files)}
