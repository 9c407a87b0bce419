"""server.tasks.SessionTasks: a session's tasks end with it (grace, then cancel), none is lost
to the garbage collector, none can start after the end, and a failure is logged."""

from __future__ import annotations

import asyncio
import logging

import pytest

from server.tasks import SessionClosed, SessionTasks


async def test_close_lets_tasks_finish_within_grace_then_cancels_the_rest() -> None:
    tasks = SessionTasks("session t")
    finished: list[str] = []
    cleaned: list[str] = []

    async def quick() -> None:
        await asyncio.sleep(0.05)
        finished.append("quick")

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append("forever")

    tasks.spawn(quick())
    stuck = tasks.spawn(forever())
    tasks.close(grace=0.3)
    await asyncio.wait_for(tasks.wait_closed(), 5)
    assert finished == ["quick"] and cleaned == ["forever"] and stuck.cancelled()
    assert len(tasks) == 0


async def test_no_work_starts_after_the_session_ended() -> None:
    tasks = SessionTasks("session t")
    tasks.close()

    async def work() -> None:  # pragma: no cover - must never run
        raise AssertionError("ran after the session ended")

    with pytest.raises(SessionClosed):
        tasks.spawn(work())


async def test_a_failing_task_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    tasks = SessionTasks("session t")

    async def broken() -> None:
        raise ValueError("boom")

    with caplog.at_level(logging.ERROR, logger="slate.tasks"):
        task = tasks.spawn(broken(), name="broken one")
        await asyncio.wait([task])
        await asyncio.sleep(0)
    assert any("broken one" in r.getMessage() and r.exc_info for r in caplog.records)
