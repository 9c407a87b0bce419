"""The gateway sends a learner's frames without asyncssh's empty IGNORE packet ahead of each
(issue 15: it doubled the encryption, system calls and TCP segments per keystroke), for every
kind of cipher it offers, while the session works and records as before. Counted by a real
asyncssh client (its IGNORE handler wrapped) against a real gateway on a real port."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncssh
import pytest
from asyncssh.connection import SSHConnection
from asyncssh.constants import MSG_IGNORE

from server.gateway import ENCRYPTION_ALGS, _no_cbc

from .conftest import Server, signed_in

QUIT = b"\x11"


class _Screen(asyncssh.SSHClientSession):  # type: ignore[type-arg]
    def __init__(self) -> None:
        self.data = bytearray()
        self.chunks = 0

    def data_received(self, data: bytes, datatype: Any) -> None:
        self.data += data
        self.chunks += 1


@pytest.mark.parametrize(
    ("cipher", "mac"),
    [
        ("chacha20-poly1305@openssh.com", None),
        ("aes256-gcm@openssh.com", None),
        ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
    ],
)
async def test_broker_frames_go_without_ignore_filler(
    server: Server, monkeypatch: pytest.MonkeyPatch, cipher: str, mac: str | None
) -> None:
    ignores: list[int] = []
    original = SSHConnection._packet_handlers[MSG_IGNORE]

    def counting(conn: Any, pkttype: int, pktid: int, packet: Any) -> Any:
        ignores.append(pktid)
        return original(conn, pkttype, pktid, packet)

    monkeypatch.setitem(SSHConnection._packet_handlers, MSG_IGNORE, counting)  # type: ignore[index]
    name, password = server.add_user("learner")
    options: dict[str, Any] = {"encryption_algs": [cipher]}
    if mac:
        options["mac_algs"] = [mac]
    async with asyncssh.connect(
        server.host, server.port, username=name, password=password, known_hosts=None,
        client_keys=None, encoding=None, **options,
    ) as conn:
        assert conn.get_extra_info("send_cipher") == cipher
        chan, screen = await conn.create_session(_Screen, term_type="xterm", term_size=(80, 24))
        deadline = time.monotonic() + 30
        while signed_in(name).replace("\\", "").encode() not in screen.data:
            assert time.monotonic() < deadline, screen.data[-500:]
            await asyncio.sleep(0.1)
        before = screen.chunks
        for key in b"zqzq":  # keys the first screen ignores; each still costs a frame or two
            chan.write(bytes([key]))
            await asyncio.sleep(0.15)
        chan.write(QUIT)
        await asyncio.wait_for(chan.wait_closed(), 30)
    assert screen.chunks > before + 1  # frames did come after the first screen
    assert ignores == []  # not one IGNORE packet, before or after authentication
    # The session itself is unchanged: recorded, with what was typed.
    start = await asyncio.to_thread(server.wait_audit, "session_start", actor=name)
    end = await asyncio.to_thread(server.wait_audit, "session_end", actor=name)
    assert end["detail"]["reason"] == "quit"
    cast = (server.data_dir / start["detail"]["recording"]).read_text()
    assert '"i", "z"' in cast and '"i", "q"' in cast


def test_broker_filler_is_kept_should_cbc_ever_be_negotiated() -> None:
    assert not any(alg.endswith("-cbc") for alg in ENCRYPTION_ALGS)
    assert _no_cbc(b"aes128-ctr") and _no_cbc(b"chacha20-poly1305@openssh.com")
    assert not _no_cbc(b"aes256-cbc")
    assert not _no_cbc(b"")  # before the first key exchange
