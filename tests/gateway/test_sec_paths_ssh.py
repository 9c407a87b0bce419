"""The path-race attack through the real SSH path (THREAT-MODEL §6 "Path races", invariant 8):
a learner at a real OpenSSH client writes a program that swaps their exercise folder for a link
to another learner's repository, runs it, and asks for "Start again" (reset) and Check while it
runs. The server serves those one at a time, never follows the link, tells the learner in plain
words, audits the refusal, and the other learner's files are untouched."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import time
from pathlib import Path

import pygit2

from server.store import Store

from .conftest import Server, Terminal, signed_in, ssh_argv

F5, F6, F8, F12 = "\x1b[15~", "\x1b[17~", "\x1b[19~", "\x1b[24~"
F3 = "\x1b[13~"
CTRL_K, DELETE = "\x0b", "\x1b[3~"
EX = "/workspace/javascript/values-and-console-log"


def _manifest(root: Path) -> dict[str, tuple[object, ...]]:
    found: dict[str, tuple[object, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            content = path.read_bytes() if stat.S_ISREG(info.st_mode) else b""
            found[str(path.relative_to(root))] = (info.st_mode, info.st_uid, content)
    return found


def _victim_repository(server: Server) -> Path:
    """Another learner's finished git exercise (made directly: they are not logged in)."""
    folder = server.data_dir / "workspaces" / "victim-of-h6" / "git" / "messages-and-log"
    folder.mkdir(parents=True)
    repo = pygit2.init_repository(str(folder), bare=False, initial_head="main")
    (folder / "story.txt").write_text("The victim's story, weeks of work.\n")
    repo.index.add("story.txt")
    repo.index.write()
    sig = pygit2.Signature("Victim", "victim@classroom")
    repo.create_commit("HEAD", sig, sig, "Start my story", repo.index.write_tree(), [])
    return folder


def _on_screen(term: Terminal, pattern: str, timeout: float) -> None:
    """Wait until the screen shows ``pattern`` now (``wait_for`` also matches anything ever
    printed, so a prompt seen the first time would not make the second call wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, term.text()):
            return
        term.pump(0.1)
    raise AssertionError(f"{pattern!r} not on screen:\n{term.text()}")


def _start_again(term: Terminal) -> None:
    """History (F8), "Start again" (S), yes (Y) — each key once its screen is there."""
    if not re.search(r"Earlier versions of", term.text()):  # (history may still be open)
        _on_screen(term, r"F8/Alt\+Y", timeout=30)  # the exercise screen's key bar
        term.send(F8)
        _on_screen(term, r"Earlier versions of", timeout=15)
    term.send("s")
    _on_screen(term, r"Press Y for yes", timeout=10)
    time.sleep(0.5)
    term.send("y")


def test_sec_a_run_plants_a_link_then_reset_and_check(
    server: Server, terminals: list[Terminal]
) -> None:
    victim = _victim_repository(server)
    before = _manifest(victim.parent.parent)
    name, password = server.add_user("learner")
    store = Store(server.data_dir / "slate.db")
    store.touch_exercise(name, "javascript", "values-and-console-log")  # "C" continues here
    term = Terminal(ssh_argv(server, name, password, "-tt"), 120, 40)
    terminals.append(term)
    term.wait_for(signed_in(name), timeout=30)
    term.wait_for("Choose an exercise|continue", timeout=20)
    term.send("c")
    term.wait_for(r"hello\.js", timeout=20)

    # The learner's program: swap the exercise folder for a link to the victim's repository,
    # over and over for three seconds, and leave the link in place at the end.
    program = (
        "const fs=require('fs');const E='" + EX + "',A='/workspace/javascript/away',"
        "V='" + str(victim) + "';const t=Date.now();let n=0;"
        "while(Date.now()-t<3000){try{fs.renameSync(E,A);fs.symlinkSync(V,E);"
        "fs.unlinkSync(E);fs.renameSync(A,E);n++}catch(e){}}"
        "fs.renameSync(E,A);fs.symlinkSync(V,E);console.log('swapped '+n+' times');"
    )
    term.send(F3)
    time.sleep(0.5)
    term.send((CTRL_K + DELETE) * 12)
    time.sleep(0.3)
    term.send(program)
    time.sleep(2.0)  # autosave
    term.send(F5)
    time.sleep(0.8)  # the program is running now
    # "Start again" while it runs: the reset waits for the run, then puts the starter back.
    _start_again(term)
    term.wait_for(r"Something was in the way|Back to the starting code", timeout=40)
    run = server.wait_audit("run", actor=name, timeout=30)
    reset = server.wait_audit("reset", actor=name, timeout=30)
    assert reset["id"] > run["id"], "the reset was served while the program ran"
    for event in server.audit_rows("path_cleared"):
        if event["actor"] == name:  # the link reached the workspace: removed, never followed
            assert run["id"] < event["id"] < reset["id"]
    mine = server.data_dir / "workspaces" / name / "javascript" / "values-and-console-log"
    assert mine.is_dir() and not mine.is_symlink()

    # However a link gets there, the server never follows it: plant one by hand.
    time.sleep(1.0)
    os.rename(mine, mine.with_name("away-by-hand"))
    os.symlink(victim, mine)
    term.send(F6)  # Check: refused in plain words, audited
    term.wait_for(r"may be a link", timeout=40)
    check = server.wait_audit("path_refused", actor=name, op="check")
    assert "link" in check["detail"]["reason"]
    _start_again(term)  # Start again: the link itself is removed, and the learner is told
    _on_screen(term, r"Something was in the way", timeout=40)
    cleared = server.wait_audit("path_cleared", actor=name, op="reset")
    assert cleared["detail"]["paths"] == ["javascript/values-and-console-log"]
    assert mine.is_dir() and not mine.is_symlink()
    assert "console.log" in (mine / "hello.js").read_text()

    # Nothing of the other learner's changed, and their repository is whole.
    assert _manifest(victim.parent.parent) == before
    repo = pygit2.Repository(str(victim))
    assert repo.head.peel(pygit2.Commit).message == "Start my story"
    listing = subprocess.run(["ls", "-la", str(victim)], capture_output=True, text=True).stdout
    assert ".git" in listing and "story.txt" in listing
