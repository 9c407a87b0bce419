"""A learner's Run that floods the workspace (issue 9.4: disk bounded *while* code runs): the Run
works in a quota-sized tmpfs copy of its folder, so a write past the quota fails with ENOSPC in
the sandbox and the host never holds more than the quota; too many files are refused on the way
back; the learner is told their space is full, the event is audited, nothing of theirs is
deleted. Drives the server's own request handler (LearnerDesk) with a real store, workspace and
sandbox, and once through a real SSH session with the real OpenSSH client."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from server import protocol
from server.audit import AuditLog
from server.config import load_config
from server.services import LearnerDesk, SessionServices
from server.store import Store

from .conftest import (
    Terminal,
    reachable_dir,
    signed_in,
    ssh_argv,
    start_server,
    stop_server,
)


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


def _desk(tmp_path: Path, name: str, workspace: str) -> tuple[Any, Any, list[dict[str, Any]]]:
    data = reachable_dir() / "data"
    (data / "workspaces").mkdir(parents=True)
    os.chmod(data, 0o711)
    os.chmod(data / "workspaces", 0o711)
    config_file = tmp_path / "slate.toml"
    config_file.write_text(f"[workspace]\n{workspace}\n")
    config = load_config(config_file, data)
    store = Store(data / "slate.db", uid_count=config.sandbox.uid_count)
    audit = AuditLog(store)
    account = store.add_account(name, "learner", password="long enough password")
    services = SessionServices(config, store, audit)
    pushes: list[dict[str, Any]] = []
    control = SimpleNamespace(push=lambda message: pushes.append(message.to_wire()))
    services.room = SimpleNamespace(  # type: ignore[assignment]
        host_uid=lambda acct: (
            config.sandbox.uid_base + acct.uid_offset if os.geteuid() == 0 else None
        )
    )
    session = SimpleNamespace(
        server=SimpleNamespace(address="127.0.0.1"), session_id=f"s-{name}", control=control
    )
    return LearnerDesk(services, session, account), audit, pushes  # type: ignore[arg-type]


async def test_sec_run_that_writes_past_the_quota_is_stopped_while_it_runs(
    tmp_path: Path,
) -> None:
    """Issue 9.4: a 10-second Run that writes 1 MB files without end. Before, it put 13 GB on
    the host disk; now it works in a quota-sized tmpfs: ENOSPC inside at the quota, the host
    workspace never passes the quota, the learner is told in plain words, and it is audited."""
    desk, audit, pushes = _desk(tmp_path, "filler", "quota_mb = 3")
    ex = {"course": "javascript", "exercise": "values-and-console-log"}
    await desk.exercise(protocol.OpenExercise(id=1, **ex))
    ws = desk.ws
    ws.write_atomic(
        "javascript/values-and-console-log/hello.js",
        "const fs = require('fs');\n"
        "let i = 0;\n"
        "try { for (;;) { fs.writeFileSync('junk' + i, Buffer.alloc(1 << 20, 120)); i++; } }\n"
        "catch (e) { console.log('stopped after ' + i + ': ' + e.code); throw e; }\n",
    )
    await desk.run(protocol.Run(id=2, **ex))
    for _ in range(400):
        if any(p["type"] == "run_end" for p in pushes) and not desk.busy:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    output = "".join(str(p.get("data", "")) for p in pushes if p["type"] == "run_output")
    assert "stopped after" in output and "ENOSPC" in output
    assert int(output.split("stopped after ")[1].split(":")[0]) <= 3
    usage = ws.usage()
    assert usage.bytes <= 3 << 20
    on_disk = sum(
        os.lstat(os.path.join(root, name)).st_blocks * 512
        for root, _, files in os.walk(ws.root)
        for name in files
    )
    assert on_disk <= (3 << 20) + (512 << 10)
    # The learner's program is still theirs; the run is audited.
    assert "junk" in ws.read_text("javascript/values-and-console-log/hello.js")
    # Told in plain words, and audited: the run ended at the disk limit.
    end = next(p for p in pushes if p["type"] == "run_end")
    assert end.get("error") is None and end["limit"] == "disk"
    runs = audit.events(kind="run")
    assert runs and runs[-1].detail["limit"] == "disk"
    notes = [p for p in pushes if p["type"] == "notify"]
    if audit.events(kind="quota_exceeded"):  # what did not fit was named to the learner
        assert notes and "full" in notes[-1]["title"] and "not kept" in notes[-1]["text"]


F3, F5 = "\x1b[13~", "\x1b[15~"
CTRL_K, DELETE = "\x0b", "\x1b[3~"


def test_sec_run_through_ssh_cannot_fill_the_host_disk(tmp_path: Path) -> None:
    """The same attack by a learner at a real OpenSSH client: they type a program that writes
    1 MB files without end and press Run. Their screen says the space ran out, the host holds
    no more than their quota, and the run is audited."""
    server = start_server(tmp_path, workspace={"quota_mb": 3})
    term = None
    try:
        name, password = server.add_user("learner")
        Store(server.data_dir / "slate.db").touch_exercise(
            name, "javascript", "values-and-console-log"
        )
        term = Terminal(ssh_argv(server, name, password, "-tt"), 120, 40)
        term.wait_for(signed_in(name), timeout=30)
        term.wait_for("Choose an exercise|continue", timeout=20)
        term.send("c")
        term.wait_for(r"hello\.js", timeout=20)
        program = (
            "const fs=require('fs');let i=0;try{for(;;){fs.writeFileSync('junk'+i,"
            "Buffer.alloc(1<<20,120));i++}}catch(e){console.log('stopped after '+i+' '+e.code);"
            "throw e}"
        )
        term.send(F3)
        time.sleep(0.5)
        term.send((CTRL_K + DELETE) * 12)
        time.sleep(0.3)
        term.send(program)
        saved = (
            server.data_dir
            / "workspaces"
            / name
            / "javascript"
            / "values-and-console-log"
            / "hello.js"
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # autosave (slower on a loaded host)
            if saved.exists() and "writeFileSync('junk'" in saved.read_text(errors="replace"):
                break
            time.sleep(0.2)
        term.send(F5)
        screen = term.wait_for(r"stopped after \d+ ENOSPC", timeout=40)
        count = int(screen.split("stopped after ")[1].split()[0])
        assert count <= 3
        run = server.wait_audit("run", actor=name, timeout=30)
        assert run["detail"]["limit"] == "disk"
        workspace = server.data_dir / "workspaces" / name
        on_disk = sum(
            os.lstat(os.path.join(root, entry)).st_blocks * 512
            for root, _, files in os.walk(workspace)
            for entry in files
        )
        assert on_disk <= (3 << 20) + (512 << 10), on_disk
    finally:
        if term is not None:
            term.close()
        stop_server(server)


async def test_sec_git_action_that_takes_the_workspace_past_its_quota_is_reported(
    tmp_path: Path,
) -> None:
    """Issue 9.4 for the Git panel: a Git action writes into the workspace (here Init and a
    commit add the repository's files), and the result is measured against the quota like a
    Run's: the learner is told in plain words, the event is audited, nothing is deleted."""
    desk, audit, pushes = _desk(tmp_path, "gitfull", "quota_files = 12")
    await desk.exercise(protocol.OpenExercise(id=1, course="git", exercise="first-commit"))
    ws = desk.ws
    rel = "git/first-commit/story.txt"
    ws.write_atomic(rel, "Once upon a time there was a repository.\n")
    before = ws.usage().files
    assert before < 12, before
    for op, args in (("init", {}), ("stage", {"paths": ["story.txt"]}),
                     ("commit", {"message": "Start my story"})):  # fmt: skip
        with contextlib.suppress(Exception):  # a full workspace may refuse a later step
            await desk.git(
                protocol.Git(id=2, course="git", exercise="first-commit", op=op, args=args)
            )
        if audit.events(kind="quota_exceeded"):
            break
    assert ws.usage().files > 12  # git wrote past the file quota...
    rows = audit.events(kind="quota_exceeded")
    assert rows, "...and the overflow is in the audit log"
    notes = [p for p in pushes if p["type"] == "notify"]
    assert notes and "full" in notes[0]["title"] and "Git" in notes[0]["text"]
    assert "Once upon a time" in ws.read_text(rel)  # nothing of the learner's was deleted
