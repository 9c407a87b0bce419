"""The real learner desk behind the real learner app, over a real socketpair (issue 8: TUI tests
drive the server's own handlers wherever they can, so the two cannot drift).

:func:`real_classroom` builds what the gateway builds for one learner session — a SQLite store,
the audit log, SessionServices with the real catalog, a LearnerDesk chosen by
``handlers_for`` for the learner's role, a ControlChannel serving it — minus SSH and the pty.
The learner app runs in-process on the other end of the socketpair, with the learner's real
workspace folder as its ``/workspace``. Runs and Checks go through the real jail.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.audit import AuditLog
from server.config import load_config
from server.control import ControlChannel
from server.services import SessionServices
from server.store import Store
from tui.control import ControlClient
from tui.learner.app import LearnerApp
from tui.session_app import Identity


@dataclass
class Peer:
    address: str = "127.0.0.1"


@dataclass
class StandInSession:
    """What a desk needs of a live session (server.interfaces.LiveSession)."""

    session_id: str
    server: Peer = field(default_factory=Peer)
    control: ControlChannel | None = None
    cols: int = 80  # the live class's roster row shows the terminal size
    rows: int = 24

    def idle_seconds(self) -> float:
        """The live class's ticker asks every session how long it has been idle."""
        return 0.0


@dataclass
class Room:
    """What a desk needs of the classroom (server.interfaces.Room)."""

    data_dir: Path
    uid_base: int

    def host_uid(self, account: Any) -> int | None:
        return self.uid_base + account.uid_offset if os.geteuid() == 0 else None


@dataclass
class Classroom:
    """One learner's session against the real server-side objects."""

    store: Store
    audit: AuditLog
    services: SessionServices
    account: Any
    workspace: Path
    app: LearnerApp
    denied: list[tuple[str, str]]


@contextlib.asynccontextmanager
async def real_classroom(data_dir: Path, name: str = "sam") -> AsyncIterator[Classroom]:
    """A learner ``name`` served by the real desk; yields before the app starts."""
    (data_dir / "workspaces").mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o711)
    os.chmod(data_dir / "workspaces", 0o711)
    config = load_config(None, data_dir)
    store = Store(data_dir / "slate.db", uid_count=config.sandbox.uid_count)
    audit = AuditLog(store)
    account = store.add_account(name, "learner", password="a long enough password")
    services = SessionServices(config, store, audit)
    room = Room(data_dir, config.sandbox.uid_base)
    services.room = room
    server_sock, tui_sock = socket.socketpair()
    session = StandInSession(session_id=f"s-{name}")
    denied: list[tuple[str, str]] = []
    handlers = services.handlers_for(session, account)
    session.control = ControlChannel(
        server_sock, handlers, lambda kind, why: denied.append((kind, why))
    )
    serving = asyncio.get_running_loop().create_task(session.control.serve())
    workspace = services.workspace_dir(account, room.host_uid(account))
    client = ControlClient(tui_sock, timeout=30)
    app = LearnerApp(client, Identity(name, "learner", session.session_id), workspace=workspace)
    try:
        yield Classroom(store, audit, services, account, workspace, app, denied)
    finally:
        services.session_ended(session)
        session.control.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(serving, 5)
        store.close()
