"""The tasks one session started, ending with it: a small task group for a session's lifetime.

Keeps the rule "each session's tasks live in a task group that closes with the session": the
gateway's session and the desks serving it start their background work (the TUI start, the
control channel, Runs, Checks, the final snapshot) through :meth:`SessionTasks.spawn`, never a
bare ``create_task``. When the session ends, :meth:`SessionTasks.close` stops new work, gives
running tasks a grace period to finish their own clean-up (a Run told to stop still saves and
audits), then cancels what is left. Nothing outlives its session, nothing is garbage-collected
mid-flight (the group holds strong references), and a task that fails is logged, not lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("slate.tasks")

_CLOSING: set[asyncio.Task[None]] = set()
"""Groups being closed (their grace period runs after the session object is gone)."""


class SessionClosed(RuntimeError):
    """Work was started for a session that has already ended."""


class SessionTasks:
    """The background tasks of one session.

    Args:
        name: what the tasks belong to, for logs (e.g. ``"session 3f2a…"``).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: set[asyncio.Task[Any]] = set()
        self.closed = False

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(
        self, coro: Coroutine[Any, Any, Any], *, name: str | None = None
    ) -> asyncio.Task[Any]:
        """Start ``coro`` as a task of this session.

        Raises:
            SessionClosed: the session has ended (the coroutine is closed, never run).
        """
        if self.closed:
            coro.close()
            raise SessionClosed(f"{self.name} has ended")
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "%s: task %s failed", self.name, task.get_name(), exc_info=task.exception()
            )

    def close(self, grace: float = 10.0) -> None:
        """No new tasks; those running get ``grace`` seconds to finish, then are cancelled."""
        if self.closed:
            return
        self.closed = True
        if not self._tasks:
            return
        closing = asyncio.get_running_loop().create_task(self._close(grace))
        _CLOSING.add(closing)
        closing.add_done_callback(_CLOSING.discard)

    async def _close(self, grace: float) -> None:
        pending = set(self._tasks)
        if grace > 0:
            _, pending = await asyncio.wait(pending, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)

    async def wait_closed(self) -> None:
        """Wait until every task of this session has ended (after :meth:`close`)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))
