"""The learning loop end to end, as a learner at an 80x24 terminal does it: the real OpenSSH
client, the real gateway, the learner TUI in its sandbox, a server-run check in a fresh sandbox,
progress written by the server, and every save in the learner's history repository."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pygit2

from .conftest import Server, Terminal, exercises_before, signed_in, ssh_argv

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "courses/catalog/01-html/01-first-page/solution/index.html"
F6 = "\x1b[17~"  # Check
F12 = "\x1b[24~"  # the course map
CTRL_K = "\x0b"  # delete to the end of the line
DELETE = "\x1b[3~"


def test_learner_edits_checks_and_passes(server: Server, terminals: list[Terminal]) -> None:
    name, password = server.add_user("learner")
    term = Terminal(ssh_argv(server, name, password, "-tt"), 80, 24)
    terminals.append(term)
    term.wait_for(signed_in(name), timeout=30)
    term.wait_for("Your first web page", timeout=20)
    term.send("\x1b[B" * exercises_before("html"))  # Down: past the start course to HTML
    term.wait_for(r"> \[ \] Your first web page", timeout=10)
    term.send("\r")  # open the first exercise: the first time, its lesson comes first
    term.wait_for(r"Lesson  F2/Alt", timeout=20)
    term.send("\x1b[13~")  # F3: the code
    term.wait_for(r"index\.html", timeout=20)
    term.wait_for("DOCTYPE", timeout=10)

    # A first check of the untouched starter fails, with a message for a beginner.
    term.send(F6)
    term.wait_for(r"FAIL", timeout=30)
    term.wait_for(r"title", timeout=5)

    # Back to the editor: clear the file and type the page, as a learner would.
    term.send("\x1b[13~")  # F3: the code pane
    time.sleep(0.5)
    term.send((CTRL_K + DELETE) * 20)
    time.sleep(0.5)
    term.send(SOLUTION.read_text().replace("\n", "\r"))
    time.sleep(1.0)
    term.send(F6)
    term.wait_for("Well done", timeout=30)

    # The server, not the TUI, recorded the pass ...
    db = sqlite3.connect(server.data_dir / "slate.db")
    try:
        state = db.execute(
            "SELECT p.state FROM progress p JOIN accounts a ON a.id = p.account_id"
            " WHERE a.name = ? AND p.course = 'html' AND p.exercise = 'first-page'",
            (name,),
        ).fetchone()
    finally:
        db.close()
    assert state == ("passed",)
    check = server.wait_audit("check", actor=name, status="passed")
    assert check["detail"]["exercise"] == "first-page"

    # ... and the learner's work is in their history, outside the workspace.
    history = pygit2.Repository(str(server.data_dir / "history" / f"{name}.git"))
    head = history[history.head.target]
    blob = head.tree / "html" / "first-page" / "index.html"
    assert "<h1>" in history[blob.id].data.decode()
    workspace_file = server.data_dir / "workspaces" / name / "html" / "first-page" / "index.html"
    assert "<h1>" in workspace_file.read_text()

    # Back to the course map and into the exercise again: the work is still there.
    term.send("\x1b")  # close the "well done" box, stay here
    time.sleep(0.5)
    term.send(F12)
    term.wait_for("Choose an exercise", timeout=10)
    term.send("\r")
    term.wait_for("my name is Sam", timeout=10)
    assert "<h1>" in workspace_file.read_text()
