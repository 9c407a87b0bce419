"""The audit writer thread (AuditLog.start_writer): appends return at once, rows land in order
with an intact chain, a reader sees its own writes, bad events still fail in the caller, and
stopping writes everything queued."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from server.audit import AuditLog, verify
from server.store import Store


def test_writer_thread_keeps_order_chain_and_read_your_writes(tmp_path: Path) -> None:
    store = Store(tmp_path / "slate.db")
    audit = AuditLog(store)
    audit.start_writer()
    assert audit.append("first", actor="ada") is None  # queued, not written by the caller
    for n in range(200):
        audit.append("tick", actor="ada", n=n)
    events = audit.events(kind="tick")  # waits for the queue: the caller reads its own writes
    assert [e.detail["n"] for e in events] == list(range(200))
    with pytest.raises(ValueError):
        audit.append("Bad Kind!")  # refused at once, in the caller
    with pytest.raises(ValueError):
        audit.append("nan", value=float("nan"))
    audit.append("last")
    audit.stop_writer()
    assert audit.events(last=1)[0].kind == "last"
    report = verify(store, tmp_path / "recordings")
    assert report.ok, report
    assert not [t for t in threading.enumerate() if t.name == "audit-writer"]


def test_appends_from_many_threads_keep_one_chain(tmp_path: Path) -> None:
    store = Store(tmp_path / "slate.db")
    audit = AuditLog(store)
    audit.start_writer()
    workers = [
        threading.Thread(target=lambda i=i: [audit.append("t", n=i * 100 + k) for k in range(50)])
        for i in range(4)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    audit.stop_writer()
    assert len(audit.events(kind="t")) == 200
    assert verify(store, tmp_path / "recordings").ok
