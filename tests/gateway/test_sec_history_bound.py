"""Issue 9: a learner's history store is bounded, through the real learner desk.

A learner saving many times, fast (an autosave per keystroke burst, a script in the editor...),
makes a snapshot per save. Past the bound the oldest snapshots go (audited as
``history_trimmed``, with how many), the newest is always the learner's current work, and the
history list still answers with line counts."""

from __future__ import annotations

import json
from pathlib import Path

from jail.history import History
from server import protocol

from .test_sec_teaching_console import JS, Console

BOUND = 12


async def test_sec_fast_saves_keep_the_history_bounded_and_audited(tmp_path: Path) -> None:
    c = Console(tmp_path, "saver")
    services = c.desk.services
    store = services.data_dir / "history" / "saver.git"
    services.history = lambda account: History(store, max_snapshots=BOUND)  # type: ignore[method-assign]
    await c.open(JS)
    folder = "javascript/values-and-console-log"
    ws = c.desk.ws
    for number in range(60):
        ws.write_atomic(f"{folder}/notes.txt", f"save {number}\n" * (number % 5 + 1))
        await c.desk.saved(protocol.Saved(id=3, paths=[f"/workspace/{folder}/notes.txt"]))
    count, _ = History(store).usage()
    assert count <= BOUND
    rows = c.audit.events(kind="history_trimmed")
    assert rows, "a trim must be audited"
    details = [r.detail if hasattr(r, "detail") else r["detail"] for r in rows]
    details = [json.loads(d) if isinstance(d, str) else d for d in details]
    assert all(d["dropped"] > 0 for d in details)
    reply = await c.desk.history(protocol.History(id=4, course=JS[0], exercise=JS[1]))
    newest = reply.versions[0]
    assert newest["message"] == "save" and newest["files"] == [f"{folder}/notes.txt"]
    assert (newest["added"], newest["removed"]) == (5, 4)  # 59 % 5 + 1 = 5 lines, was 4
    assert History(store).read(newest["id"], f"{folder}/notes.txt") == b"save 59\n" * 5
