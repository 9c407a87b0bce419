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
    pushes: list[protocol.Push] = []
    client = ControlClient(fake.client_sock, on_push=pushes.append)
    await client.start()
    hello, course_map = await asyncio.gather(
        client.request(protocol.Hello(role="learner")),
        client.request(protocol.CourseMap()),
    )
    assert isinstance(hello, protocol.HelloReply) and hello.user == "sam"
    assert isinstance(course_map, protocol.CourseMapReply)
    assert course_map.stages[0]["title"] == "Foundations"
    assert [r["id"] for r in fake.requests] == [1, 2]
    fake.push("notify", text="hello", severity="information")
    await asyncio.wait_for(_until(lambda: pushes), 5)
    assert pushes[0] == protocol.Notify(text="hello", severity="information")
    await client.close()


async def test_error_reply_becomes_a_plain_control_error(fake: FakeServer) -> None:
    client = ControlClient(fake.client_sock)
    await client.start()
    with pytest.raises(ControlError, match="Unknown"):
        await client.request(protocol.OpenExercise(course="nope", exercise="nope"))
    await client.close()


async def test_a_malformed_reply_or_push_from_the_server_is_never_passed_on() -> None:
    """A reply that does not fit the request's reply type becomes a plain error; a push of an
    unknown type or with a wrong field is dropped (the TUI never shows undecoded data)."""
    ours, theirs = socket.socketpair()
    pushes: list[protocol.Push] = []
    client = ControlClient(ours, on_push=pushes.append)
    await client.start()
    theirs.setblocking(False)
    loop = asyncio.get_running_loop()
    waiting = asyncio.ensure_future(client.request(protocol.Hint(course="a", exercise="b")))
    await asyncio.sleep(0.05)
    await loop.sock_sendall(
        theirs,
        b'{"type":"notify","text":"\\u001b]52;c;AAAA\\u0007","severity":"shout"}\n'
        b'{"type":"rm_rf","x":1}\n'
        b'{"type":"ok","id":1,"index":"three","text":"t","total":3}\n',
    )
    with pytest.raises(ControlError, match="not understood"):
        await asyncio.wait_for(waiting, 5)
    await loop.sock_sendall(theirs, b'{"type":"notify","text":"fine"}\n')
    await asyncio.wait_for(_until(lambda: pushes), 5)
    assert pushes == [protocol.Notify(text="fine")]
    theirs.close()
    await client.close()


async def test_a_request_without_an_answer_times_out_clearly(fake: FakeServer) -> None:
    fake.silent.add("history")
    client = ControlClient(fake.client_sock, timeout=0.2)
    await client.start()
    with pytest.raises(ControlError, match="did not answer in time"):
        await client.request(protocol.History(course="html", exercise="first-page"))
    assert (await client.request(protocol.Hello(role="learner"))).user == "sam"
    await client.close()


async def test_dropped_channel_fails_waiting_requests_and_reports_once(fake: FakeServer) -> None:
    lost: list[str] = []
    fake.silent.add("history")
    client = ControlClient(fake.client_sock, on_lost=lost.append)
    await client.start()
    waiting = asyncio.ensure_future(client.request(protocol.History(course="a", exercise="b")))
    await fake.wait_for("history")
    await fake.disconnect()
    with pytest.raises(ControlLost, match="connection to the classroom server was lost"):
        await asyncio.wait_for(waiting, 5)
    with pytest.raises(ControlLost):
        await client.request(protocol.Hello(role="learner"))
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
    bad = subprocess.run([sys.executable, "-m", "tui", "root"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "usage" in bad.stderr


async def _until(predicate) -> None:  # type: ignore[no-untyped-def]
    while not predicate():
        await asyncio.sleep(0.01)
