"""Page preview end to end (issue 13, tool 2): the real OpenSSH client at 80x24, the real
gateway, the learner TUI in its own sandbox (the learner's uid, no network) rendering the
saved page with html2text; a heading typed in the editor shows up rendered after Alt+P (the
preview saves first)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from .conftest import (
    Server,
    Terminal,
    exercises_before,
    processes_of_session,
    signed_in,
    ssh_argv,
)
from .test_learner_git_panel import _keys
from .test_session import _uid_offset

ALT_P = "\x1bp"
F3 = "\x1b[13~"


def test_page_preview_over_ssh_renders_in_the_learners_sandbox(
    server: Server, terminals: list[Terminal]
) -> None:
    name, password = server.add_user("learner")
    term = Terminal(ssh_argv(server, name, password, "-tt"), 80, 24)
    terminals.append(term)
    term.wait_for(signed_in(name), timeout=30)
    term.wait_for("Your first web page", timeout=20)
    _keys(term, *["\x1b[B"] * exercises_before("html"))  # Down: past the start course
    term.wait_for(r"> \[ \] Your first web page", timeout=10)
    _keys(term, "\r")
    term.wait_for("Lesson  F2/Alt", timeout=20)
    _keys(term, F3)
    term.wait_for("index.html", timeout=20)
    term.send("\x1b[1;5F")  # Ctrl+End: the end of the page
    time.sleep(0.3)
    term.send("\r<h2>Preview works</h2>\r<ul><li>alpha</li><li>beta</li></ul>")
    time.sleep(0.5)
    _keys(term, ALT_P)
    screen = term.wait_for("## Preview works", timeout=20)
    assert "Preview: index.html" in screen
    assert "* alpha" in screen and "* beta" in screen
    page = server.data_dir / "workspaces" / name / "html" / "first-page" / "index.html"
    assert "<h2>Preview works</h2>" in page.read_text()  # rendered from the saved file
    # Where it was rendered: the session's TUI, the learner's own host uid (never root), its
    # own network namespace (only lo) — the server process never parses the page.
    session_id = server.wait_audit("session_start", actor=name)["session"]
    pids = processes_of_session(session_id)
    assert pids
    for pid in pids:
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        uids = {int(u) for u in status["Uid"].split()}
        assert 0 not in uids
        if os.geteuid() == 0:
            assert uids == {3000000 + _uid_offset(server, name)}
        assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")
