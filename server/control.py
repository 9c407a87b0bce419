"""The server end of a TUI's control channel: the only way a TUI asks the server for anything.

Every line from the TUI is untrusted: it is size-limited and decoded into a typed request by
``server.protocol`` (malformed, unknown and oversized lines are refused there, in one place, and
audited here), then dispatched only to the handlers registered for the session's role (deny by
default: a request type with no handler for that role gets an error reply and an audit record).
Handlers run as tasks so a long Run does not block a history request; replies carry the
request's id and must be of the request's declared reply type.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from server import protocol

Handler = Callable[[Any], Awaitable[protocol.Reply]]
"""Takes a request of the type it is registered for; returns that request's ``REPLY`` type."""
Handlers = dict[type[protocol.Request], Handler]

log = logging.getLogger("slate.control")

SERVER_FAULT = "Something went wrong on the server."


class RequestError(Exception):
    """A request that cannot be served; the message is shown to the person, so keep it plain."""


class ControlChannel:
    """One session's control socket (server side).

    Args:
        sock: the parent end of the socketpair handed to the TUI.
        handlers: request class -> coroutine returning its reply.
        on_denied: called with (request type, reason) for requests that are refused.
    """

    def __init__(
        self,
        sock: socket.socket,
        handlers: Handlers,
        on_denied: Callable[[str, str], None],
    ) -> None:
        self._sock = sock
        self._handlers = handlers
        self._on_denied = on_denied
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._queue: list[protocol.Message] = []
        self.hello: protocol.Hello | None = None
        self._closing = False
        self.connected = asyncio.Event()
        self.closed = asyncio.Event()

    async def serve(self) -> None:
        """Read and dispatch requests until the TUI closes its end."""
        if self._closing:
            return
        reader, writer = await asyncio.open_unix_connection(
            sock=self._sock, limit=protocol.MAX_LINE
        )
        self._writer = writer
        for message in self._queue:
            self._write(message)
        self._queue.clear()
        try:
            while True:
                try:
                    line = await reader.readuntil(b"\n")
                except asyncio.IncompleteReadError:
                    break
                except asyncio.LimitOverrunError:
                    self._on_denied("oversized", "control line longer than the limit")
                    break
                try:
                    message = protocol.decode_request(line)
                except protocol.ProtocolError as exc:
                    self._on_denied("malformed", str(exc))
                    self._refuse_line(line)
                    continue
                task = asyncio.get_running_loop().create_task(self._dispatch(message))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        except (ConnectionError, OSError):
            pass
        finally:
            for task in list(self._tasks):
                task.cancel()
            with contextlib.suppress(Exception):
                writer.close()
            self.closed.set()

    def _refuse_line(self, line: bytes) -> None:
        """Answer a refused line when it at least carried an id, so the TUI does not wait."""
        with contextlib.suppress(protocol.ProtocolError):
            ident = protocol.parse(line).get("id")
            if isinstance(ident, int) and not isinstance(ident, bool):
                self._write(protocol.Error(id=ident, message="The request was not understood."))

    async def _dispatch(self, message: protocol.Request) -> None:
        kind = message.TYPE
        handler = self._handlers.get(type(message))
        if handler is None:
            self._on_denied(kind, "request not allowed for this role")
            self._write(protocol.Error(id=message.id, message="That is not available here."))
            return
        try:
            reply = await handler(message)
        except RequestError as exc:
            self._write(protocol.Error(id=message.id, message=str(exc)[: protocol.TEXT]))
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("control request %s failed", kind)
            self._write(protocol.Error(id=message.id, message=SERVER_FAULT))
            return
        if not isinstance(reply, message.REPLY):
            log.error("handler for %s returned %s", kind, type(reply).__name__)
            self._write(protocol.Error(id=message.id, message=SERVER_FAULT))
            return
        if isinstance(message, protocol.Hello):
            self.hello = message
            self.connected.set()
        self._write(dataclasses.replace(reply, id=message.id))

    def close(self) -> None:
        """Close the socket (through its transport once serving, else directly)."""
        self._closing = True
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        else:
            with contextlib.suppress(OSError):
                self._sock.close()

    def backlog(self) -> int:
        """Bytes written to the TUI but not yet taken by it (a slow reader; 0 before serving)."""
        if self._writer is None or self._writer.is_closing():
            return 0
        return self._writer.transport.get_write_buffer_size()

    def push(self, message: protocol.Push) -> None:
        """Send an unsolicited message (notify, repaint, shutdown, run_output, ...)."""
        self._write(message)

    def _write(self, message: protocol.Message) -> None:
        try:
            data = protocol.encode(message)
        except protocol.ProtocolError:
            log.error("dropping oversized %s message", message.TYPE)
            return
        if self._writer is None:
            self._queue.append(message)
            return
        if self._writer.is_closing():
            return
        with contextlib.suppress(ConnectionError, OSError):
            self._writer.write(data)
