"""RFC 4253 §7 handling of a peer's guessed first key-exchange packet, patched into asyncssh.

Why: an SSH client may send its first key-exchange packet straight after its KEXINIT, guessing
the algorithms (``first_kex_packet_follows``). Dropbear's client does so on every connection.
RFC 4253 §7 says the guess is right only when both sides list the same *first* key-exchange
algorithm and the same *first* host-key algorithm; otherwise the receiver must silently ignore
the guessed packet and the sender sends it again for the negotiated method.

asyncssh 2.24.1 (``SSHConnection._process_kexinit``) instead counts the guess right whenever
the negotiated algorithm is the peer's first choice — Dropbear's private ``kexguess2`` rule,
which is only in force when *both* KEXINITs list ``kexguess2@matt.ucc.asn.au`` (asyncssh never
does). So with a server list ``mlkem768x25519-sha256,curve25519-sha256,…`` and a Dropbear
client listing ``curve25519-sha256`` first, asyncssh answers the guessed packet, Dropbear (by
the RFC) sends its packet again, and asyncssh aborts with "Key exchange not in progress".

``install()`` wraps asyncssh's KEXINIT handler: after asyncssh has processed a KEXINIT, the
ignore flag is recomputed with the RFC's rule from the two KEXINIT payloads asyncssh keeps for
the exchange hash. This touches asyncssh internals, so asyncssh is pinned exactly in
pyproject.toml and ``install()`` refuses any other version (re-check this patch, then move the
pin). tests/gateway/test_clients_kex.py shows the unpatched failure and the patched success with
the real Dropbear client.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncssh
from asyncssh.connection import SSHConnection
from asyncssh.constants import MSG_KEXINIT
from asyncssh.packet import SSHPacket

log = logging.getLogger("slate.gateway")

PATCHED_ASYNCSSH = "2.24.1"
"""The asyncssh version this patch was written and tested against."""

_original: Any = None


def kexinit_firsts(payload: bytes) -> tuple[bytes, bytes, bool]:
    """(first kex algorithm, first host-key algorithm, first_kex_packet_follows) of a KEXINIT
    message payload (message number included)."""
    packet = SSHPacket(payload)
    packet.get_byte()  # SSH_MSG_KEXINIT
    packet.get_bytes(16)  # cookie
    kex = packet.get_namelist()
    host_key = packet.get_namelist()
    for _ in range(8):  # ciphers, MACs, compression (both ways), languages (both ways)
        packet.get_namelist()
    follows = packet.get_boolean()
    return (kex[0] if kex else b""), (host_key[0] if host_key else b""), follows


def guess_is_right(own_kexinit: bytes, peer_kexinit: bytes) -> bool | None:
    """RFC 4253 §7: None when the peer sent no guess, else whether its guess was right (both
    first key-exchange algorithms equal and both first host-key algorithms equal)."""
    own_kex, own_host_key, _ = kexinit_firsts(own_kexinit)
    peer_kex, peer_host_key, follows = kexinit_firsts(peer_kexinit)
    if not follows:
        return None
    return peer_kex == own_kex and peer_host_key == own_host_key


async def _process_kexinit(self: Any, pkttype: int, pktid: int, packet: SSHPacket) -> None:
    await _original(self, pkttype, pktid, packet)
    if self.is_server():
        own, peer = self._server_kexinit, self._client_kexinit
    else:
        own, peer = self._client_kexinit, self._server_kexinit
    right = guess_is_right(own, peer)
    if right is None:
        return
    if self._ignore_first_kex != (not right):
        log.debug("peer's guessed kex packet is %s (RFC 4253 §7)", "used" if right else "ignored")
    self._ignore_first_kex = not right


def install() -> None:
    """Patch asyncssh's KEXINIT handling (idempotent). Raises RuntimeError on an asyncssh
    version the patch was not checked against."""
    global _original
    if _original is not None:
        return
    if asyncssh.__version__ != PATCHED_ASYNCSSH:
        raise RuntimeError(
            f"asyncssh {asyncssh.__version__} is not {PATCHED_ASYNCSSH}: re-check "
            "server/kex_guess.py against its SSHConnection._process_kexinit, then move the pin"
        )
    handlers = SSHConnection._packet_handlers
    original = handlers[MSG_KEXINIT]
    if original is not SSHConnection._process_kexinit:
        raise RuntimeError("asyncssh's KEXINIT handler is not the one server/kex_guess.py wraps")
    _original = original
    handlers[MSG_KEXINIT] = _process_kexinit
