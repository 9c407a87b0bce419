"""Fixtures for TUI tests: a fake control server on a real socketpair and the learner app on it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.tui.fake_server import FakeServer
from tui.control import ControlClient
from tui.learner.app import LearnerApp
from tui.session_app import Identity

SMALL = (80, 24)
WIDE = (120, 40)


@pytest.fixture
async def fake(tmp_path: Path) -> AsyncIterator[FakeServer]:
    """A running fake server with an empty workspace."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    server = FakeServer(workspace)
    await server.start()
    yield server
    await server.disconnect()


def learner_app(fake: FakeServer) -> LearnerApp:
    """The real learner app wired to the fake server."""
    assert fake.client_sock is not None
    client = ControlClient(fake.client_sock, timeout=5)
    return LearnerApp(client, Identity("sam", "learner", "s-test"), workspace=fake.workspace)


async def wait_until(pilot, predicate: Callable[[], object], timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app process messages until ``predicate()`` is true (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {timeout}s: {predicate}")
        await pilot.pause()
        await asyncio.sleep(0)
