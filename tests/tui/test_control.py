"""The control-channel client: ids and futures, errors, timeouts, pushes, and a dropped channel."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from server import protocol
from tests.tui.fake_server import FakeServer
from tui.control import ControlClient, ControlError, ControlLost, ControlUnavailable, fd_from_env

ROOT = Path(__file__).resolve().parents[2]


async def test_requests_get_their_own_replies_and_pushes_arrive(fake: FakeServer) -> None:
    pushes: list[dict] = []
    client = ControlClient(fake.client_sock, on_push=pushes.append)
    await client.start()
    hello, course_map = await asyncio.gather(
        client.request("hello", role="learner", version=protocol.VERSION),
        client.request("course_map"),
    )
    assert hello["user"] == "sam" and hello["type"] == "ok"
    assert course_map["stages"][0]["title"] == "Foundations"
    assert [r["id"] for r in fake.requests] == [1, 2]
    fake.push("notify", text="hello", severity="information")
    await asyncio.wait_for(_until(lambda: pushes), 5)
    assert pushes[0]["type"] == "notify"
    await client.close()


async def test_error_reply_becomes_a_plain_control_error(fake: FakeServer) -> None:
    client = ControlClient(fake.client_sock)
    await client.start()
    with pytest.raises(ControlError, match="Unknown"):
        await client.request("exercise", course="nope", exercise="nope")
    with pytest.raises(ValueError, match="not a control-channel request"):
        await client.request("rm -rf")
    await client.close()


async def test_a_request_without_an_answer_times_out_clearly(fake: FakeServer) -> None:
    fake.silent.add("history")
    client = ControlClient(fake.client_sock, timeout=0.2)
    await client.start()
    with pytest.raises(ControlError, match="did not answer in time"):
        await client.request("history", course="html", exercise="first-page")
    assert (await client.request("hello", role="learner", version=1))["user"] == "sam"
    await client.close()


async def test_dropped_channel_fails_waiting_requests_and_reports_once(fake: FakeServer) -> None:
    lost: list[str] = []
    fake.silent.add("history")
    client = ControlClient(fake.client_sock, on_lost=lost.append)
    await client.start()
    waiting = asyncio.ensure_future(client.request("history", course="a", exercise="b"))
    await fake.wait_for("history")
    await fake.disconnect()
    with pytest.raises(ControlLost, match="connection to the classroom server was lost"):
        await asyncio.wait_for(waiting, 5)
    with pytest.raises(ControlLost):
        await client.request("hello", role="learner", version=1)
    assert len(lost) == 1 and not client.connected
    await client.close()
    assert len(lost) == 1


async def test_oversized_line_from_server_closes_channel_cleanly() -> None:
    ours, theirs = socket.socketpair()
    lost: list[str] = []
    client = ControlClient(ours, on_lost=lost.append)
    await client.start()
    theirs.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_sendall(theirs, b"x" * (protocol.MAX_LINE + 10))
    await asyncio.wait_for(_until(lambda: lost), 5)
    assert "too large" in lost[0]
    theirs.close()
    await client.close()


def test_fd_from_env_explains_what_is_wrong() -> None:
    with pytest.raises(ControlUnavailable, match="started by the Slate server"):
        fd_from_env({})
    with pytest.raises(ControlUnavailable, match="must be a file descriptor number"):
        fd_from_env({"SLATE_CONTROL_FD": "three"})
    read_end, write_end = os.pipe()
    os.close(read_end)
    os.close(write_end)
    with pytest.raises(ControlUnavailable, match="not an open file descriptor"):
        fd_from_env({"SLATE_CONTROL_FD": str(read_end)})


def test_python_m_tui_without_a_server_says_so_and_exits_2() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SLATE_CONTROL_FD"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "tui", "learner"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "SLATE_CONTROL_FD is not set" in done.stderr
    bad = subprocess.run([sys.executable, "-m", "tui", "admin"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "usage" in bad.stderr


async def _until(predicate) -> None:  # type: ignore[no-untyped-def]
    while not predicate():
        await asyncio.sleep(0.01)
