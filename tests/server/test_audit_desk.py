"""Deny by default for the audit desk: only auditor and admin sessions get its handlers, from the
server's own role table (SessionServices.handlers_for); a refused request goes to on_denied,
which the gateway audits as request_denied."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

from server import protocol
from server.audit import AuditLog
from server.config import load_config
from server.control import ControlChannel
from server.services import SessionServices
from server.store import Store

AUDIT_TYPES = {protocol.AuditSessions, protocol.AuditSessionEvents, protocol.AuditRecording,
               protocol.AuditSearch, protocol.AuditExport, protocol.AuditCode}


def _session(sid: str) -> SimpleNamespace:
    return SimpleNamespace(session_id=sid, server=SimpleNamespace(address="10.0.0.9"),
                           control=None)


@pytest.mark.parametrize("role", ["learner", "instructor", "auditor", "admin"])
async def test_only_auditors_and_admins_get_the_audit_desk(store: Store, audit: AuditLog,
                                                           data_dir: Path, role: str) -> None:
    services = SessionServices(load_config(None, data_dir), store, audit)
    account = store.add_account(f"u-{role}", role)
    handlers = services.handlers_for(_session(f"s-{role}"), account)
    got = AUDIT_TYPES & set(handlers)
    assert got == (AUDIT_TYPES if role in ("auditor", "admin") else set())


async def test_sec_a_learner_asking_the_desk_is_refused_and_audited(store: Store,
                                                                    audit: AuditLog) -> None:
    """The gateway's path: the learner's handler table, the real ControlChannel, and the
    gateway's deny -> request_denied audit record."""
    learner = store.add_account("eve", "learner")

    def deny(kind: str, why: str) -> None:  # what gateway.SlateSSHServer.deny writes
        audit.append("request_denied", actor=learner.name, session="s-eve",
                     request=f"control:{kind}", detail=why)

    async def hello(message: protocol.Hello) -> protocol.HelloReply:
        return protocol.HelloReply(user="eve", role="learner", session="s-eve", uid_mode="x")

    server_sock, client_sock = socket.socketpair()
    channel = ControlChannel(server_sock, {protocol.Hello: hello}, deny)
    task = asyncio.get_running_loop().create_task(channel.serve())
    reader, writer = await asyncio.open_unix_connection(sock=client_sock)
    for n, message in enumerate((protocol.AuditSessions(), protocol.AuditSearch(query="x"),
                                 protocol.AuditRecording(session="s-other"),
                                 protocol.AuditExport(session="s-other")), 1):
        writer.write(protocol.encode(dataclasses.replace(message, id=n)))
        await writer.drain()
        reply = protocol.parse(await reader.readline())
        assert reply["type"] == "error" and reply["id"] == n
    writer.close()
    await asyncio.wait_for(task, 5)
    refused = [e.detail["request"] for e in audit.events(kind="request_denied")]
    assert refused == ["control:audit_sessions", "control:audit_search",
                       "control:audit_recording", "control:audit_export"]
