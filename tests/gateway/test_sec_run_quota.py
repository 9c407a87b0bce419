"""A learner's Run that floods the workspace with files: the run is contained by its limits,
the learner is told their space is full, the event is audited, and nothing of theirs is deleted.
Drives the server's own request handler (LearnerDesk) with a real store, workspace and sandbox."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from server import protocol
from server.audit import AuditLog
from server.config import load_config
from server.services import LearnerDesk, SessionServices
from server.store import Store

from .conftest import reachable_dir


async def test_sec_run_that_floods_the_workspace_is_reported(tmp_path: Path) -> None:
    data = reachable_dir() / "data"
    (data / "workspaces").mkdir(parents=True)
    os.chmod(data, 0o711)
    os.chmod(data / "workspaces", 0o711)
    config_file = tmp_path / "slate.toml"
    config_file.write_text("[workspace]\nquota_files = 100\n")
    config = load_config(config_file, data)
    store = Store(data / "slate.db", uid_count=config.sandbox.uid_count)
    audit = AuditLog(store)
    account = store.add_account("flood", "learner", password="long enough password")
    services = SessionServices(config, store, audit)
    pushes: list[dict[str, Any]] = []
    control = SimpleNamespace(push=lambda message: pushes.append(message.to_wire()))
    room = SimpleNamespace(
        host_uid=lambda acct: (
            config.sandbox.uid_base + acct.uid_offset if os.geteuid() == 0 else None
        )
    )
    services.room = room  # type: ignore[assignment]
    session = SimpleNamespace(
        server=SimpleNamespace(address="127.0.0.1"), session_id="s-flood", control=control
    )
    desk = LearnerDesk(services, session, account)  # type: ignore[arg-type]
    await desk.exercise(
        protocol.OpenExercise(id=1, course="javascript", exercise="values-and-console-log")
    )
    ws = desk.ws
    ws.write_atomic(
        "javascript/values-and-console-log/hello.js",
        "const fs = require('fs');\n"
        "for (let i = 0; i < 500; i++) fs.writeFileSync('junk' + i, 'x');\n"
        "console.log('done');\n",
    )
    await desk.run(protocol.Run(id=2, course="javascript", exercise="values-and-console-log"))
    for _ in range(300):
        if any(p["type"] == "run_end" for p in pushes) and not desk.busy:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    notes = [p for p in pushes if p["type"] == "notify"]
    assert notes and "full" in notes[0]["title"]
    assert audit.events(kind="quota_exceeded"), "the overflow is in the audit log"
    # Nothing was deleted: the learner's own file is still there.
    assert "junk" in ws.read_text("javascript/values-and-console-log/hello.js")
