"""Key exchange with clients that guess: RFC 4253 §7 and the real Dropbear client (issue 16).

Dropbear's ``dbclient`` sends its first key-exchange packet before it has seen the server's
KEXINIT, guessing the server agrees with its first choices. asyncssh 2.24.1 judges that guess
by a different rule from the RFC's and aborts ("Key exchange not in progress");
``server.kex_guess`` patches asyncssh to follow the RFC. The plain-asyncssh servers here run in
their own processes so one can be unpatched: that test is the upstream reproduction, and it
starts failing (telling us to drop the patch) the day asyncssh fixes the bug.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import struct
import subprocess
import sys
import textwrap

import asyncssh
import pytest
from asyncssh.packet import Boolean, Byte, NameList, String, UInt32

from server import gateway, kex_guess

from .conftest import ROOT, Server

PLAIN_SERVER = textwrap.dedent(
    """
    import asyncio, sys
    import asyncssh
    if sys.argv[2] == "patched":
        from server import kex_guess
        kex_guess.install()

    class Server(asyncssh.SSHServer):
        def begin_auth(self, username): return True
        def password_auth_supported(self): return True
        def validate_password(self, username, password): return password == "pw"

    def hello(process):
        process.stdout.write("hello from asyncssh\\n")
        process.exit(0)

    async def main():
        key = asyncssh.generate_private_key("ssh-ed25519")
        server = await asyncssh.create_server(
            Server, "127.0.0.1", 0, server_host_keys=[key], kex_algs=sys.argv[1].split(","),
            process_factory=hello)
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.sleep(120)

    asyncio.run(main())
    """
)


def _dbclient(port: int, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["dbclient", "-y", "-p", str(port), *extra, "u@127.0.0.1", "true"],
        env={**os.environ, "DROPBEAR_PASSWORD": "pw"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )


def _plain_server_run(kex_algs: list[str], patched: bool) -> subprocess.CompletedProcess[str]:
    """Start a plain asyncssh server with ``kex_algs``; connect dbclient to it once."""
    proc = subprocess.Popen(
        [sys.executable, "-c", PLAIN_SERVER, ",".join(kex_algs), "patched" if patched else "-"],
        stdout=subprocess.PIPE,
        cwd=ROOT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        return _dbclient(port)
    finally:
        proc.kill()
        proc.wait(5)


def test_upstream_reproduction_unpatched_asyncssh_aborts_dropbear() -> None:
    """The bug as reported upstream: a plain asyncssh server listing mlkem768x25519 first;
    Dropbear guesses curve25519-sha256; asyncssh uses the guessed packet, Dropbear (rightly)
    sends it again, asyncssh disconnects. If this starts passing, asyncssh is fixed: drop
    server/kex_guess.py."""
    result = _plain_server_run(["mlkem768x25519-sha256", "curve25519-sha256"], patched=False)
    assert "hello from asyncssh" not in result.stdout
    assert "Disconnect received" in result.stderr or result.returncode != 0


def test_patched_asyncssh_ignores_the_wrong_guess() -> None:
    """Same server, patched: the wrongly guessed packet is ignored, the exchange completes with
    the negotiated curve25519-sha256 and the command's output arrives."""
    result = _plain_server_run(["mlkem768x25519-sha256", "curve25519-sha256"], patched=True)
    assert "hello from asyncssh" in result.stdout, result.stderr


def test_patched_asyncssh_uses_a_right_guess() -> None:
    """When both sides list the same first algorithms the guessed packet is the real one."""
    result = _plain_server_run(["curve25519-sha256", "mlkem768x25519-sha256"], patched=True)
    assert "hello from asyncssh" in result.stdout, result.stderr


def _kexinit(kex: list[str], host_keys: list[str], follows: bool) -> bytes:
    lists = [kex, host_keys] + [["aes128-ctr"]] * 2 + [["hmac-sha2-256"]] * 2 + [["none"]] * 2
    lists += [[], []]
    return b"".join(
        [Byte(20), b"\0" * 16]
        + [NameList([name.encode() for name in names]) for names in lists]
        + [Boolean(follows), UInt32(0)]
    )


def test_guess_rule_is_rfc_4253() -> None:
    """Right only when both first kex AND both first host-key algorithms match; no guess at all
    when the flag is off; empty lists (hostile or broken peers) count as a wrong guess."""
    ours = _kexinit(["curve25519-sha256", "mlkem768x25519-sha256"], ["ssh-ed25519"], False)
    same = _kexinit(["curve25519-sha256", "x"], ["ssh-ed25519", "rsa-sha2-256"], True)
    other_kex = _kexinit(["mlkem768x25519-sha256", "curve25519-sha256"], ["ssh-ed25519"], True)
    other_key = _kexinit(["curve25519-sha256"], ["rsa-sha2-256", "ssh-ed25519"], True)
    assert kex_guess.guess_is_right(ours, same) is True
    assert kex_guess.guess_is_right(ours, other_kex) is False  # asyncssh alone says "right"
    assert kex_guess.guess_is_right(ours, other_key) is False
    assert kex_guess.guess_is_right(ours, _kexinit(["curve25519-sha256"], ["x"], False)) is None
    assert kex_guess.guess_is_right(ours, _kexinit([], [], True)) is False


def test_patch_is_pinned_to_the_asyncssh_it_was_checked_against() -> None:
    assert asyncssh.__version__ == kex_guess.PATCHED_ASYNCSSH
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'"asyncssh=={kex_guess.PATCHED_ASYNCSSH}"' in pyproject


def test_gateway_lists_what_dropbear_guesses_first() -> None:
    """The order is a workaround even without the patch: Dropbear 2020.79–2022.83 (Debian 12,
    Ubuntu 22.04/24.04) list curve25519-sha256 first and ssh-ed25519 first."""
    assert gateway.KEX_ALGS[0] == "curve25519-sha256"
    assert "mlkem768x25519-sha256" in gateway.KEX_ALGS
    assert gateway.HOST_KEY_ALGS[0] == "ssh-ed25519"


async def test_post_quantum_client_still_gets_mlkem768x25519(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    """A client that lists mlkem768x25519-sha256 first (OpenSSH 9.9+) negotiates it, though the
    gateway lists curve25519-sha256 first: the client's first choice wins."""
    name, password = server.add_user("learner")
    asyncssh.set_debug_level(2)
    caplog.set_level(logging.DEBUG, logger="asyncssh")
    try:
        async with asyncssh.connect(
            server.host,
            server.port,
            username=name,
            password=password,
            known_hosts=None,
            client_keys=None,
            kex_algs=["mlkem768x25519-sha256", "curve25519-sha256"],
        ):
            pass
    finally:
        asyncssh.set_debug_level(1)
    assert "Key exchange alg: mlkem768x25519-sha256" in caplog.text


async def test_dropbear_connects_to_the_gateway(server: Server) -> None:
    """The real gateway with the real dbclient: the key exchange completes, the password is
    accepted and a session opens (refused with its one-line reason: -T asks for no pty)."""
    name, password = server.add_user("learner")
    result = await asyncio.to_thread(
        subprocess.run,
        ["dbclient", "-y", "-T", "-p", str(server.port), f"{name}@{server.host}"],
        env={**os.environ, "DROPBEAR_PASSWORD": password},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "Key exchange not in progress" not in result.stderr
    assert "Slate needs an interactive terminal" in result.stdout, result.stderr
    row = await asyncio.to_thread(server.wait_audit, "login_ok", actor=name)
    assert row["actor"] == name


# -- a hand-made client that guesses wrong, against the real gateway ---------------------------


def _ssh_packet(payload: bytes) -> bytes:
    pad = 8 - (5 + len(payload)) % 8
    if pad < 4:
        pad += 8
    return struct.pack(">IB", 1 + len(payload) + pad, pad) + payload + os.urandom(pad)


def _read_packet(sock: socket.socket) -> bytes:
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    length, pad = struct.unpack(">IB", exactly(5))
    body = exactly(length - 1)
    return body[: len(body) - pad]


def _guessing_client(server: Server, first_kex: str, guessed_payload: bytes) -> list[int]:
    """Speak SSH by hand up to the key exchange: KEXINIT with first_kex_packet_follows, the
    guessed packet, then a real curve25519 KEX_ECDH_INIT. Returns the message numbers the
    gateway sent back after its KEXINIT (until it stops or closes)."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"SSH-2.0-GuessingClient_1.0\r\n")
        banner = b""
        while not banner.endswith(b"\n"):
            banner += sock.recv(1)
        assert banner.startswith(b"SSH-2.0-")
        assert _read_packet(sock)[0] == 20  # the gateway's KEXINIT
        kexinit = (
            [Byte(20), os.urandom(16), NameList([first_kex.encode(), b"curve25519-sha256"])]
            + [NameList([b"ssh-ed25519"])]
            + [NameList([b"aes128-ctr"])] * 2
            + [NameList([b"hmac-sha2-256-etm@openssh.com"])] * 2
            + [NameList([b"none"])] * 2
            + [NameList([])] * 2
            + [Boolean(True), UInt32(0)]
        )
        public = (
            X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        real = Byte(30) + String(public)
        sock.sendall(
            _ssh_packet(b"".join(kexinit)) + _ssh_packet(guessed_payload) + _ssh_packet(real)
        )
        got: list[int] = []
        sock.settimeout(3)
        try:
            while 21 not in got and 1 not in got:
                got.append(_read_packet(sock)[0])
        except (ConnectionError, TimeoutError, OSError):
            pass
        return got


def test_gateway_ignores_a_wrongly_guessed_kex_packet(server: Server) -> None:
    """A client whose first kex algorithm differs from the gateway's sends a guessed packet
    (here garbage: a 5-byte curve25519 key). RFC 4253 §7: ignore it, answer the real one —
    KEX_ECDH_REPLY (31) then NEWKEYS (21). Unpatched asyncssh uses the garbage and disconnects
    (1). A client cannot use the guess to skip anything: only that one packet is dropped."""
    # The asyncssh bug needs the client's first choice to be one the gateway supports but not
    # the gateway's first: then asyncssh alone calls the guess right.
    assert gateway.KEX_ALGS[0] != "curve25519-sha256@libssh.org"
    assert "curve25519-sha256@libssh.org" in gateway.KEX_ALGS
    got = _guessing_client(server, "curve25519-sha256@libssh.org", Byte(30) + String(b"bogus"))
    assert got == [31, 21], got


def test_gateway_uses_a_right_guess_and_nothing_more(server: Server) -> None:
    """When the guess is right the guessed packet is the exchange: here the guess is garbage,
    so the gateway refuses it (disconnect), and the 'real' packet after it is never used."""
    got = _guessing_client(server, gateway.KEX_ALGS[0], Byte(30) + String(b"bogus"))
    assert 31 not in got
