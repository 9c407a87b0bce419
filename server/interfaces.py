"""What the request desks need of a live session and of the classroom: narrow interfaces.

The desks (server.services, server.staff_desk, server.audit_desk) serve a session's control
requests; the gateway (server.gateway) owns the SSH side of the same session. The desks depend
on these Protocols only, never on the gateway, so the dependency runs one way (gateway ->
desks) and a desk can be tested with a plain object that has these attributes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from server import protocol


class PushChannel(Protocol):
    """The server end of a session's control channel, as far as a desk uses it."""

    def push(self, message: protocol.Push) -> None: ...


class Peer(Protocol):
    """The SSH connection a session came in on."""

    @property
    def address(self) -> str: ...


class LiveSession(Protocol):
    """One live session (a learner's, an instructor's or an auditor's). Read-only members, so
    any object whose attributes fit (the gateway's session, a test's stand-in) satisfies it."""

    @property
    def session_id(self) -> str: ...

    @property
    def server(self) -> Peer: ...

    @property
    def control(self) -> PushChannel | None: ...


class Room(Protocol):
    """The classroom a session belongs to."""

    @property
    def data_dir(self) -> Path: ...

    def host_uid(self, account: Any) -> int | None: ...


class DeskServices(Protocol):
    """What a staff or audit desk needs of the server's shared services (server.services
    implements it); typed loosely so this module imports nothing of the server's."""

    @property
    def store(self) -> Any: ...

    @property
    def config(self) -> Any: ...

    @property
    def live_class(self) -> Any: ...

    def catalog(self) -> Any: ...
