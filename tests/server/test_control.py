"""server.control: the only door a sandboxed TUI can knock on. Deny by default; every line that is
oversized, malformed, unknown, mistyped or not allowed for the role is refused *and* reported to
``on_denied`` (which the gateway audits); a handler's refusal reaches the TUI as plain words."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import pytest

from server import protocol
from server.control import ControlChannel, RequestError


class Door:
    """A ControlChannel on a real socketpair, with the TUI's end driven raw by the test."""

    def __init__(self, handlers: dict[type[protocol.Request], Any]) -> None:
        self.server_sock, self.tui = socket.socketpair()
        self.denied: list[tuple[str, str]] = []
        self.channel = ControlChannel(
            self.server_sock, handlers, lambda kind, why: self.denied.append((kind, why))
        )
        self.task: asyncio.Task[None] | None = None
        self.buffer = b""

    async def __aenter__(self) -> Door:
        self.tui.setblocking(False)
        self.task = asyncio.get_running_loop().create_task(self.channel.serve())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.tui.close()
        assert self.task is not None
        await asyncio.wait_for(self.channel.closed.wait(), 5)

    async def send(self, data: bytes) -> None:
        await asyncio.get_running_loop().sock_sendall(self.tui, data)

    async def reply(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        while b"\n" not in self.buffer:
            chunk = await asyncio.wait_for(loop.sock_recv(self.tui, 65536), 5)
            assert chunk, "the channel closed instead of answering"
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


async def hint(message: protocol.Hint) -> protocol.HintReply:
    if message.exercise == "none":
        raise RequestError("This exercise has no hints.")
    if message.exercise == "crash":
        raise RuntimeError("secret internal detail /var/lib/slate")
    if message.exercise == "wrong":
        return protocol.HistoryReply()  # type: ignore[return-value]
    return protocol.HintReply(index=1, text="Look at line 3.", total=3)


async def test_a_valid_request_gets_its_typed_reply_with_its_id() -> None:
    async with Door({protocol.Hint: hint}) as door:
        await door.send(b'{"type":"hint","id":7,"course":"js","exercise":"loops"}\n')
        assert await door.reply() == {
            "type": "ok", "id": 7, "index": 1, "text": "Look at line 3.", "total": 3,
        }
        assert door.denied == []


async def test_sec_requests_without_a_handler_for_the_role_are_refused_and_reported() -> None:
    async with Door({protocol.Hint: hint}) as door:
        await door.send(b'{"type":"run","id":1,"course":"js","exercise":"loops"}\n')
        assert await door.reply() == {
            "type": "error", "id": 1, "message": "That is not available here.",
        }
        assert door.denied == [("run", "request not allowed for this role")]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(b"not json at all", id="not-json"),
        pytest.param(b"[1,2,3]", id="not-an-object"),
        pytest.param(b'{"id":1}', id="no-type"),
        pytest.param(b'{"type":"shell","id":1,"cmd":"sh"}', id="unknown-type"),
        pytest.param(b'{"type":"notify","id":1,"text":"x"}', id="a-push-sent-as-request"),
        pytest.param(b'{"type":"ok","id":1}', id="a-reply-sent-as-request"),
        pytest.param(b'{"type":"hint","course":"js","exercise":"x"}', id="no-id"),
        pytest.param(b'{"type":"hint","id":true,"course":"js","exercise":"x"}', id="bool-id"),
        pytest.param(b'{"type":"hint","id":1,"course":"js"}', id="missing-field"),
        pytest.param(b'{"type":"hint","id":1,"course":"js","exercise":3}', id="wrong-type"),
        pytest.param(
            b'{"type":"hint","id":1,"course":"js","exercise":"x","as_user":"root"}',
            id="extra-field",
        ),
        pytest.param(
            b'{"type":"hint","id":1,"course":"js","exercise":"' + b"x" * 65 + b'"}',
            id="over-length",
        ),
    ],
)
async def test_sec_malformed_lines_are_refused_reported_and_the_channel_survives(
    line: bytes,
) -> None:
    async with Door({protocol.Hint: hint}) as door:
        await door.send(line + b"\n")
        await door.send(b'{"type":"hint","id":99,"course":"js","exercise":"loops"}\n')
        answers = [await door.reply()]
        if answers[0]["id"] != 99:  # the refused line carried an id: it got an error first
            assert answers[0] == {
                "type": "error", "id": answers[0]["id"],
                "message": "The request was not understood.",
            }
            answers.append(await door.reply())
        assert answers[-1]["type"] == "ok" and answers[-1]["id"] == 99
        assert [kind for kind, _ in door.denied] == ["malformed"]


async def test_sec_an_oversized_line_is_refused_and_closes_the_channel() -> None:
    async with Door({protocol.Hint: hint}) as door:
        await door.send(b'{"type":"hint","id":1,"course":"' + b"x" * (protocol.MAX_LINE + 1))
        await asyncio.wait_for(door.channel.closed.wait(), 5)
        assert door.denied == [("oversized", "control line longer than the limit")]


async def test_handler_refusals_reach_the_tui_as_plain_words_never_internals() -> None:
    async with Door({protocol.Hint: hint}) as door:
        await door.send(b'{"type":"hint","id":1,"course":"js","exercise":"none"}\n')
        assert await door.reply() == {
            "type": "error", "id": 1, "message": "This exercise has no hints.",
        }
        await door.send(b'{"type":"hint","id":2,"course":"js","exercise":"crash"}\n')
        crashed = await door.reply()
        assert crashed["message"] == "Something went wrong on the server."
        assert "/var/lib" not in json.dumps(crashed)
        await door.send(b'{"type":"hint","id":3,"course":"js","exercise":"wrong"}\n')
        assert (await door.reply())["message"] == "Something went wrong on the server."


async def test_pushes_are_typed_and_queued_until_serving() -> None:
    server_sock, tui = socket.socketpair()
    channel = ControlChannel(server_sock, {}, lambda kind, why: None)
    channel.push(protocol.Notify(text="early", severity="warning"))
    task = asyncio.get_running_loop().create_task(channel.serve())
    tui.setblocking(False)
    data = await asyncio.wait_for(asyncio.get_running_loop().sock_recv(tui, 65536), 5)
    assert json.loads(data) == {
        "type": "notify", "text": "early", "severity": "warning", "title": "",
    }
    tui.close()
    await asyncio.wait_for(task, 5)


def test_every_request_has_a_reply_type_and_no_type_is_registered_twice() -> None:
    assert set(protocol.REQUESTS).isdisjoint(protocol.PUSHES)
    for name, cls in protocol.REQUESTS.items():
        assert cls.TYPE == name
        assert issubclass(cls.REPLY, protocol.Reply)
    with pytest.raises(TypeError):
        protocol.request(protocol.Hint)


async def test_backlog_counts_what_a_slow_tui_has_not_read() -> None:
    server_sock, tui = socket.socketpair()
    channel = ControlChannel(server_sock, {}, lambda kind, why: None)
    assert channel.backlog() == 0
    task = asyncio.get_running_loop().create_task(channel.serve())
    await asyncio.sleep(0.05)
    for _ in range(400):  # the TUI never reads: the socket buffer fills, then the transport's
        channel.push(protocol.Notify(text="x" * 1500))
    assert channel.backlog() > 0
    tui.close()
    await asyncio.wait_for(task, 5)
