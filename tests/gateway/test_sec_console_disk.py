"""Issue 9 item 4: a teaching-console git command is disk-bounded like a Run.

git used to run with the learner's whole workspace bound writable: ``git add`` of a big file
writes an object as big again, past the quota (only measured afterwards). Now git runs on a
quota-sized tmpfs copy of the folder with its .git (jail.run.run_in_workspace, with_git): what
comes back is saved within the quota, objects first, and the index/refs that would name an
object that was not kept are not written, so the repository stays whole. Real server desk,
real bubblewrap, real git."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path

from server.config import WorkspaceSection

from .test_sec_teaching_console import GIT, Console

QUOTA_MB = 2


def _detail(row: object) -> dict[str, object]:
    detail = row.detail if hasattr(row, "detail") else row["detail"]  # type: ignore[index]
    return json.loads(detail) if isinstance(detail, str) else dict(detail)


async def test_sec_console_git_cannot_write_past_the_quota(tmp_path: Path) -> None:
    c = Console(tmp_path, "hoarder")
    services = c.desk.services
    services.config = dataclasses.replace(  # type: ignore[misc]
        services.config, workspace=WorkspaceSection(quota_mb=QUOTA_MB)
    )
    await c.open(GIT)
    ws = c.desk.ws
    assert ws.quota_bytes == QUOTA_MB << 20
    folder = "git/status-and-diff"
    # 1.5 MB that zlib cannot shrink: within the quota once, not twice (file + git object)
    ws.write_atomic(f"{folder}/big.bin", os.urandom(1536 << 10))
    before = ws.usage().bytes
    assert before <= ws.quota_bytes

    reply = await c.type("git add big.bin")
    assert ws.usage().bytes <= ws.quota_bytes, "git wrote past the quota"
    assert reply.limit == "disk", reply.output
    assert "space" in reply.output
    rows = c.audit.events(kind="quota_exceeded")
    assert rows and _detail(rows[-1])["op"] == "console"
    assert _detail(rows[-1])["command"] == "git add"

    # the repository is whole: git reads it, the add did not happen, nothing half-written
    root = Path(ws.root) / folder
    check = subprocess.run(["git", "-c", "safe.directory=*", "-C", str(root), "fsck",
                            "--no-dangling"], capture_output=True, text=True, check=False,
                           env={"PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1",
                                "HOME": str(tmp_path)})
    assert check.returncode == 0, check.stderr
    reply = await c.type("git status")
    assert reply.exit_code == 0, reply.output
    assert "big.bin" in reply.output and "Untracked" in reply.output

    # within the quota, git's writes come back as before
    ws.remove(f"{folder}/big.bin")
    ws.write_atomic(f"{folder}/shopping.txt", "bread\nmilk\neggs\n")
    assert (await c.type("git add shopping.txt")).exit_code == 0
    reply = await c.type('git commit -m "Eggs"')
    assert reply.exit_code == 0, reply.output
    assert "Eggs" in (await c.type("git log --oneline -1")).output


async def test_a_new_repository_made_in_the_console_is_a_repository_afterwards(
    tmp_path: Path,
) -> None:
    """`git init` makes empty folders (objects, refs) that a file-by-file copy back does not
    carry: the next command found "not a git repository". Both the copy into the sandbox and
    the copy back now give a repository the folders git needs."""
    c = Console(tmp_path, "maker")
    first = ("git", "first-commit")
    await c.open(first)
    reply = await c.type("git init -b main", first)
    assert "Initialized empty Git repository" in reply.output, reply.output
    reply = await c.type("git status", first)
    assert "No commits yet" in reply.output, reply.output
    await c.type("git add story.txt", first)
    reply = await c.type('git commit -m "Start my story"', first)
    assert "Start my story" in reply.output, reply.output
    reply = await c.type("git log --oneline", first)
    assert "Start my story" in reply.output, reply.output
