"""The Git panel's Commit answers (issue 13, defect 3), end to end: the real OpenSSH client, the
real gateway, the learner TUI in its sandbox, the git operation in a fresh sandbox.

The bug: the commit was made (and audited ok) but its reply never reached the TUI, which said
"did not answer in time" after 20 s; a retry then said "Nothing is staged". Cause: the reply's
fields were merged into the reply envelope, and the commit result's own ``id`` (the commit's
hash) replaced the request id, so the TUI could not match the reply to its request. Replies now
carry the result in its own field (``GitReply.result``).
"""

from __future__ import annotations

import time

import pygit2

from .conftest import Server, Terminal, signed_in, ssh_argv

ALT_G = "\x1bg"
DOWN, UP, LEFT, RIGHT = "\x1b[B", "\x1b[A", "\x1b[D", "\x1b[C"


def _keys(term: Terminal, *keys: str) -> None:
    """One key at a time, the screen read between them (focus moves between the panel's
    buttons take effect before the next key)."""
    for key in keys:
        term.send(key)
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            term.pump(0.05)


def _exercises_before_git() -> int:
    from courses.catalog import load_catalog

    rows = 0
    for course in load_catalog(strict=False).courses:
        if course.id == "git":
            return rows
        rows += len(course.exercises)
    raise AssertionError("no git course in the catalog")


def test_commit_from_the_git_panel_gets_its_reply(
    server: Server, terminals: list[Terminal]
) -> None:
    name, password = server.add_user("learner")
    term = Terminal(ssh_argv(server, name, password, "-tt"), 80, 24)
    terminals.append(term)
    term.wait_for(signed_in(name), timeout=30)
    term.wait_for("Your first web page", timeout=20)
    _keys(term, *[DOWN] * _exercises_before_git())
    term.wait_for(r"> \[ \] A repository and your first commit", timeout=10)
    _keys(term, "\r")
    term.wait_for("Lesson  F2/Alt", timeout=20)  # the first time, the lesson comes first
    _keys(term, "\x1b[13~")  # F3: the code
    term.wait_for("story.txt", timeout=20)
    _keys(term, DOWN, DOWN)
    term.send("Once upon a time there was a commit.")
    time.sleep(0.5)

    _keys(term, ALT_G)
    term.wait_for("not a Git repository yet", timeout=20)
    _keys(term, DOWN, "\r")  # Init
    term.wait_for("Started a Git repository", timeout=20)
    _keys(term, RIGHT, RIGHT, "\r")  # Stage all
    term.wait_for("Staged: story.txt", timeout=20)
    _keys(term, LEFT, LEFT, UP)  # back to the box
    term.send("Start my story")
    _keys(term, DOWN, RIGHT, RIGHT, RIGHT)
    started = time.monotonic()
    _keys(term, "\r")  # Commit
    screen = term.wait_for(r"Committed [0-9a-f]{7}: Start my story", timeout=18)
    assert "did not answer" not in screen
    print(f"commit answered in {time.monotonic() - started:.1f}s")

    audit = server.wait_audit("git", actor=name, op="commit")
    assert audit["detail"]["ok"] is True
    # The repository belongs to the learner's sandbox uid; this test (not the server) reads it.
    before = pygit2.settings.owner_validation
    pygit2.settings.owner_validation = False
    try:
        repo = pygit2.Repository(
            str(server.data_dir / "workspaces" / name / "git" / "first-commit")
        )
    finally:
        pygit2.settings.owner_validation = before  # as it was (the process may need it off)
    head = repo[repo.head.target]
    assert head.message.strip() == "Start my story"
    assert "Once upon a time" in repo[(head.tree / "story.txt").id].data.decode()

    # The log shows it too (another reply with commit ids in it).
    _keys(term, LEFT, LEFT, LEFT, DOWN, "\r")  # Log
    term.wait_for(r"[0-9a-f]{7}  Start my story  - ", timeout=18)
