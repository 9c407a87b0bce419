"""The TUI end of the control channel: the only way a Slate TUI asks the server for anything.

Owns the socket handed over in ``SLATE_CONTROL_FD``: typed requests (``server.protocol``) go out
with increasing integer ids and each waits on its own future (with a timeout); replies are
decoded into the request's declared reply type and resolve those futures; pushes (notify,
repaint, shutdown, run output, check results, progress) are decoded into their types and
handed to a callback, which the apps turn into Textual messages. A line from the server that
does not decode is dropped, never shown. Invariant kept: when the channel drops, every waiting
request fails at once with :class:`ControlLost` (nobody hangs) and the ``on_lost`` callback
fires exactly once, so the app can save locally and say so. Wire format and message list:
``server.protocol``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import socket
from collections.abc import Callable
from typing import Any

from server import protocol

DEFAULT_TIMEOUT = 20.0
"""Seconds a request may wait for its reply before the learner is told the server is slow."""


class ControlError(Exception):
    """A request that did not succeed; ``str(error)`` is plain words a learner can read."""


class ControlLost(ControlError):
    """The control channel is closed: the server can no longer be reached."""


class ControlUnavailable(ControlError):
    """No control channel was handed to this process (``SLATE_CONTROL_FD`` unset or bad)."""


LOST_TEXT = (
    "The connection to the classroom server was lost. Your work is saved on this computer. "
    "Checking and running need the connection: please tell your instructor."
)


def fd_from_env(environ: dict[str, str] | None = None) -> int:
    """The control-channel file descriptor named by ``SLATE_CONTROL_FD``.

    Args:
        environ: the environment to read (default ``os.environ``).

    Returns:
        The file descriptor number.

    Raises:
        ControlUnavailable: the variable is unset, not a number, or names no open socket.
    """
    env = os.environ if environ is None else environ
    raw = env.get("SLATE_CONTROL_FD")
    if not raw:
        raise ControlUnavailable(
            "SLATE_CONTROL_FD is not set: Slate's TUI is started by the Slate server "
            "(`slate serve` or `slate demo`, then connect with ssh). It cannot run on its own."
        )
    try:
        fd = int(raw)
    except ValueError:
        raise ControlUnavailable(
            f"SLATE_CONTROL_FD must be a file descriptor number, not {raw!r}"
        ) from None
    try:
        os.fstat(fd)
    except OSError:
        raise ControlUnavailable(f"SLATE_CONTROL_FD={fd} is not an open file descriptor") from None
    return fd


class ControlClient:
    """Async client for one control channel.

    Args:
        sock: the connected socket (one end of the socketpair).
        on_push: called (on the event loop) with every push message.
        on_lost: called once, with a plain reason, when the channel closes.
        timeout: default seconds to wait for a reply.
    """

    def __init__(
        self,
        sock: socket.socket,
        on_push: Callable[[protocol.Push], None] | None = None,
        on_lost: Callable[[str], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._sock = sock
        self.on_push = on_push
        self.on_lost = on_lost
        self.timeout = timeout
        self._next_id = 1
        self._pending: dict[int, tuple[type[protocol.Request], asyncio.Future[Any]]] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._lost_reason: str | None = None

    @classmethod
    def from_fd(cls, fd: int, **kwargs: Any) -> ControlClient:
        """A client on an inherited file descriptor (the socket object takes ownership)."""
        sock = socket.socket(fileno=fd)
        return cls(sock, **kwargs)

    @property
    def connected(self) -> bool:
        """True while the channel is open."""
        return self._writer is not None and self._lost_reason is None

    @property
    def lost_reason(self) -> str | None:
        """Why the channel closed, or None while it is open."""
        return self._lost_reason

    async def start(self) -> None:
        """Open the streams and start reading (call once, on the app's event loop)."""
        self._sock.setblocking(False)
        reader, writer = await asyncio.open_unix_connection(sock=self._sock)
        self._reader, self._writer = reader, writer
        self._task = asyncio.get_running_loop().create_task(self._read_loop())

    async def request(self, message: protocol.Request, *, timeout: float | None = None) -> Any:
        """Send one request and wait for its reply.

        Args:
            message: the request (its ``id`` is assigned here).
            timeout: seconds to wait (default: the client's timeout).

        Returns:
            The reply, an instance of ``type(message).REPLY``.

        Raises:
            ControlLost: the channel is (or becomes) closed.
            ControlError: the server answered with an error, or did not answer in time.
        """
        if self._lost_reason is not None or self._writer is None:
            raise ControlLost(self._lost_reason or LOST_TEXT)
        ident = self._next_id
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[ident] = (type(message), future)
        try:
            self._writer.write(protocol.encode(dataclasses.replace(message, id=ident)))
            await self._writer.drain()
        except (ConnectionError, OSError) as exc:
            self._pending.pop(ident, None)
            self._lose(f"{LOST_TEXT} ({exc.__class__.__name__})")
            raise ControlLost(LOST_TEXT) from None
        except protocol.ProtocolError as exc:
            self._pending.pop(ident, None)
            raise ControlError(f"That request is too large to send: {exc}") from None
        try:
            reply = await asyncio.wait_for(future, timeout or self.timeout)
        except TimeoutError:
            raise ControlError(
                "The classroom server did not answer in time. Please try again in a moment."
            ) from None
        finally:
            self._pending.pop(ident, None)
        if isinstance(reply, protocol.Error):
            raise ControlError(reply.message or "The server refused that request.")
        return reply

    async def close(self) -> None:
        """Close the channel (waiting requests fail with :class:`ControlLost`)."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._lose("The connection to the classroom server was closed.", notify=False)

    async def _read_loop(self) -> None:
        assert self._reader is not None
        lines = protocol.LineBuffer()
        reason = LOST_TEXT
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    break
                for line in lines.feed(data):
                    self._dispatch(line)
        except protocol.ProtocolError:
            reason = f"{LOST_TEXT} (the server sent a message that was too large)"
        except (ConnectionError, OSError):
            pass
        self._lose(reason)

    def _dispatch(self, line: bytes) -> None:
        try:
            raw = protocol.parse(line)
            if raw["type"] in ("ok", "error"):
                pending = self._pending.get(raw.get("id"))  # type: ignore[arg-type]
                if pending is None:
                    return
                request_cls, future = pending
                try:
                    reply = protocol.decode_reply(raw, request_cls)
                except protocol.ProtocolError:
                    reply = protocol.Error(
                        id=raw["id"], message="The classroom server sent an answer not understood."
                    )
                if not future.done():
                    future.set_result(reply)
            elif self.on_push is not None:
                self.on_push(protocol.decode_push(raw))
        except protocol.ProtocolError:
            return  # a bad line from the server is dropped, never shown raw

    def _lose(self, reason: str, notify: bool = True) -> None:
        if self._lost_reason is not None:
            return
        self._lost_reason = reason
        for _, future in self._pending.values():
            if not future.done():
                future.set_exception(ControlLost(reason))
        self._pending.clear()
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        if notify and self.on_lost is not None:
            self.on_lost(reason)
