"""A Check's history snapshot is of the folder it checks (issue 15: 20 learners checking at once).

The snapshot taken before a check used to re-read and re-hash the learner's whole workspace
(~60 ms of the server's CPU per check for a learner 60 exercises in); the check reads only its
exercise folder, so only that folder is snapshotted. What must still hold: the checked content
is in the history, the history entry of that content shows the check's result, and nothing
saved elsewhere is lost (other folders keep their last snapshot). Drives the server's own
request handlers (LearnerDesk) with a real store, workspace, history, catalog and sandboxes.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pygit2

from server import protocol

from .conftest import learner_at_desk

EXERCISE = {"course": "javascript", "exercise": "functions"}
FOLDER = "javascript/functions"


def _file_at_head(repo: pygit2.Repository, path: str) -> bytes | None:
    tree = repo.revparse_single("refs/heads/main").peel(pygit2.Tree)
    try:
        return bytes(repo[tree[path].id].data)
    except KeyError:
        return None


async def test_a_check_snapshots_its_own_folder_with_its_result(tmp_path: Path) -> None:
    at = await learner_at_desk("checker", "s-check-snapshot", EXERCISE)
    desk, services, account, pushes = at.desk, at.services, at.account, at.pushes
    audit = at.audit
    # Saved earlier in another exercise (a save is snapshotted on its own).
    desk.ws.write_atomic("html/first-page/index.html", "<p>saved</p>\n")
    await services.snapshot(account, desk.ws, ["html/first-page"], "saved index.html")
    # Written just before the check: the checked file, and a file elsewhere.
    checked = b"function greet(n) { return 'Hello ' + n; }\nmodule.exports = { greet };\n"
    desk.ws.write_atomic(f"{FOLDER}/greet.js", checked)
    desk.ws.write_atomic("html/first-page/index.html", "<p>changed, not saved</p>\n")

    await desk.check(protocol.Check(id=2, **EXERCISE))
    began = time.monotonic()
    while not any(isinstance(p, protocol.CheckResult) for p in pushes):
        assert time.monotonic() - began < 120, "the check never finished"
        await asyncio.sleep(0.05)
    result = next(p for p in pushes if isinstance(p, protocol.CheckResult)).result
    assert result["status"] == "failed", result  # a real check ran on the checked content

    history = services.history(account)
    assert _file_at_head(history.repo, f"{FOLDER}/greet.js") == checked
    # The rest of the workspace keeps its last snapshot: nothing lost, nothing re-read.
    assert _file_at_head(history.repo, "html/first-page/index.html") == b"<p>saved</p>\n"
    newest = history.versions(FOLDER)[0]
    assert newest.message == f"check {FOLDER}"
    assert newest.check and newest.check != "passed", newest
    assert audit.events(kind="check")[-1].detail["status"] == "failed"
