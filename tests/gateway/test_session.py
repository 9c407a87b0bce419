"""The walking skeleton end to end: the real OpenSSH client logs in to a real gateway and gets the
role's Textual app in a sandbox on a pty; the session is recorded and audited; resize reaches the
app; disconnect leaves nothing behind; a second login takes the session over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import Server, Terminal, processes_of_session, signed_in, ssh_argv

QUIT = "\x11"  # ctrl+q quits every Slate app


def _login(
    server: Server, terminals: list[Terminal], role: str = "learner", cols: int = 80, rows: int = 24
) -> tuple[str, Terminal]:
    name, password = server.add_user(role)
    term = Terminal(ssh_argv(server, name, password, "-tt"), cols, rows)
    terminals.append(term)
    term.wait_for(signed_in(name, role), timeout=30)
    return name, term


@pytest.mark.parametrize("role", ["learner", "instructor", "auditor"])
def test_login_shows_the_roles_app(server: Server, terminals: list[Terminal], role: str) -> None:
    name, term = _login(server, terminals, role)
    screen = term.wait_for(signed_in(name, role), timeout=20)
    assert "bwrap" not in screen
    start = server.wait_audit("session_start", actor=name)
    assert start["detail"]["role"] == role
    assert start["detail"]["cols"] == 80 and start["detail"]["rows"] == 24
    term.send(QUIT)
    assert term.wait_exit() == 0
    end = server.wait_audit("session_end", actor=name)
    assert end["detail"]["reason"] == "quit"
    assert end["detail"]["bytes_out"] > 200  # the app drew at least one screen


def test_learner_app_lists_courses(server: Server, terminals: list[Terminal]) -> None:
    _, term = _login(server, terminals, "learner", 120, 40)
    term.wait_for(r"HTML", timeout=20)


def test_recording_has_output_input_and_resize(server: Server, terminals: list[Terminal]) -> None:
    name, term = _login(server, terminals)
    term.send("zq")  # harmless keys, recorded as input
    time.sleep(0.3)
    term.resize(100, 30)
    term.wait_for(".", timeout=5)
    time.sleep(1.5)  # the recorder flushes at least every second
    start = server.wait_audit("session_start", actor=name)
    cast = server.data_dir / start["detail"]["recording"]
    lines = cast.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 2 and header["width"] == 80 and header["height"] == 24
    assert header["slate"]["user"] == name
    events = [json.loads(line) for line in lines[1:]]
    kinds = {e[1] for e in events}
    assert {"o", "i", "r"} <= kinds
    typed = "".join(e[2] for e in events if e[1] == "i")
    assert "zq" in typed
    assert ["r", "100x30"] in [[e[1], e[2]] for e in events]
    term.send(QUIT)
    term.wait_exit()
    end = server.wait_audit("session_end", actor=name)
    # The digest in the audit event is the file's sha256, and asciinema itself can read it.
    import hashlib

    assert end["detail"]["digest"] == hashlib.sha256(cast.read_bytes()).hexdigest()
    out = subprocess.run(
        [str(Path(sys.executable).parent / "asciinema"), "cat", str(cast)],
        capture_output=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    assert name.encode() in out.stdout


def test_resize_reaches_the_app(server: Server, terminals: list[Terminal]) -> None:
    _, term = _login(server, terminals, cols=80, rows=24)
    time.sleep(0.5)
    term.resize(120, 40)
    deadline = time.monotonic() + 10
    # The app redraws for the new size: something is painted beyond column 80 and row 24.
    while time.monotonic() < deadline:
        term.pump(0.1)
        wide = any(line[80:].strip() for line in term.screen.display)
        tall = any(line.strip() for line in term.screen.display[24:])
        if wide and tall:
            break
    else:
        raise AssertionError("app did not redraw at 120x40:\n" + term.text())


def test_disconnect_ends_the_whole_process_tree(server: Server, terminals: list[Terminal]) -> None:
    name, term = _login(server, terminals)
    start = server.wait_audit("session_start", actor=name)
    session_id = start["session"]
    assert processes_of_session(session_id), "the TUI should be running"
    term.close()  # the client vanishes (SIGKILL, no goodbye)
    server.wait_audit("session_end", actor=name, timeout=20)
    deadline = time.monotonic() + 10
    while processes_of_session(session_id) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_of_session(session_id) == []


def test_second_login_takes_the_session_over(server: Server, terminals: list[Terminal]) -> None:
    name, password = server.add_user("learner")
    first = Terminal(ssh_argv(server, name, password, "-tt"))
    terminals.append(first)
    first.wait_for(signed_in(name), timeout=30)
    first_start = server.wait_audit("session_start", actor=name)
    second = Terminal(ssh_argv(server, name, password, "-tt"))
    terminals.append(second)
    first.wait_for("another terminal", timeout=30)
    first.wait_exit()
    second.wait_for(signed_in(name), timeout=30)
    takeover = server.wait_audit("takeover", actor=name)
    assert takeover["detail"]["old_session"] == first_start["session"]
    ended = server.wait_audit("session_end", actor=name, session=first_start["session"])
    assert ended["detail"]["reason"] == "taken over"
    assert processes_of_session(first_start["session"]) == []


def test_workspace_is_private_to_the_learner(server: Server, terminals: list[Terminal]) -> None:
    name, term = _login(server, terminals)
    workspace = server.data_dir / "workspaces" / name
    st = workspace.stat()
    assert st.st_mode & 0o777 == 0o700
    if os.geteuid() == 0:
        assert st.st_uid >= 3000000, "per-learner uid mode: the workspace belongs to the learner"
    term.send(QUIT)
    term.wait_exit()


def test_monochrome_site_draws_without_colour(terminals: list[Terminal]) -> None:
    from .conftest import reachable_dir, start_server, stop_server

    srv = start_server(reachable_dir(), session={"monochrome": True})
    try:
        name, password = srv.add_user("learner")
        term = Terminal(ssh_argv(srv, name, password, "-tt"), 80, 24)
        terminals.append(term)
        term.wait_for(signed_in(name), timeout=30)
        term.wait_for("Your first web page", timeout=20)
        raw = bytes(term.raw)
        assert b"\x1b[38;" not in raw and b"\x1b[48;" not in raw  # no foreground/background
    finally:
        stop_server(srv)


def test_sec_tui_runs_confined(server: Server, terminals: list[Terminal]) -> None:
    """The learner's TUI process: the learner's own host uid (never root), no capabilities,
    no_new_privs, a seccomp filter, and its own pid and network namespaces."""
    name, term = _login(server, terminals)
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
            assert int(status["CapEff"], 16) == 0 and int(status["CapBnd"], 16) == 0
            assert status["NoNewPrivs"].strip() == "1"
        assert status["Seccomp"].strip() == "2"
        for ns in ("pid", "net", "mnt"):
            assert os.readlink(f"/proc/{pid}/ns/{ns}") != os.readlink(f"/proc/self/ns/{ns}")
    term.send(QUIT)
    term.wait_exit()


def _uid_offset(server: Server, name: str) -> int:
    import sqlite3

    db = sqlite3.connect(server.data_dir / "slate.db")
    try:
        return int(
            db.execute("SELECT uid_offset FROM accounts WHERE name = ?", (name,)).fetchone()[0]
        )
    finally:
        db.close()


def test_learners_can_log_in_again_and_again(terminals: list[Terminal]) -> None:
    """Regression: a finished session's control socket was closed behind its transport's back,
    so a later session whose pty got the same fd number could not start. The gateway's
    raw-echo app (the benchmark's floor) ignores the control channel, which made it certain."""
    from .conftest import reachable_dir, start_server, stop_server

    srv = start_server(reachable_dir(), env={"SLATE_BENCH_APP": "raw-echo"})
    try:
        users = [srv.add_user("learner"), srv.add_user("learner")]
        for _ in range(3):
            for name, password in users:
                term = Terminal(ssh_argv(srv, name, password, "-tt"))
                terminals.append(term)
                term.wait_for(f"raw-echo {name}", timeout=30)
                term.close()  # the connection just drops
                time.sleep(0.2)
        assert srv.audit_rows("session_error") == []
    finally:
        stop_server(srv)
