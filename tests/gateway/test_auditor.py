"""The auditor's tools on a real gateway: a learner's real ssh session is recorded, indexed by
the parser sandbox while the server runs, found by a word they typed and by a word only their
screen showed, exported and verified offline with the checkpoint key; hostile bytes a learner
types never come back raw."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import SLATE, Server, Terminal, signed_in, ssh_argv, start_server, stop_server

QUIT = "\x11"


@pytest.fixture(scope="module")
def indexed_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    srv = start_server(tmp_path_factory.mktemp("auditor"),
                       audit={"index_interval": 1, "checkpoint_interval": 0})
    yield srv
    stop_server(srv)


def _elsewhere(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """`slate` run in a folder with no data dir at all (another machine, as far as it knows)."""
    env = {k: v for k, v in os.environ.items() if k != "SLATE_DATA_DIR"}
    return subprocess.run([*SLATE, *args], capture_output=True, cwd=folder, env=env, timeout=60)


def _search(server: Server, *words: str, user: str | None = None) -> list[dict]:
    more = ["--user", user] if user else []
    done = server.slate("audit", "search", "--json", "-n", "200", *more, *words, check=False)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.decode().splitlines() if line.strip()]


def _wait_hits(server: Server, word: str, kind: str, session: str, user: str) -> list[dict]:
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # Only the learner's own documents: each search is itself audited (and indexed).
        hits = [h for h in _search(server, word, user=user)
                if h["session"] == session and h["kind"] == kind]
        if hits:
            return hits
        time.sleep(0.5)
    raise AssertionError(f"{word!r} ({kind}) not indexed for {session}: {_search(server, word)}")


def test_learner_session_is_indexed_found_exported_and_verified(
    indexed_server: Server, terminals: list[Terminal], tmp_path: Path
) -> None:
    server = indexed_server
    name, password = server.add_user("learner")
    term = Terminal(ssh_argv(server, name, password, "-tt"))
    terminals.append(term)
    screen = term.wait_for(signed_in(name), timeout=30)
    typed = "zanzibarquux"
    term.send(typed)
    term.send("\r")
    start = server.wait_audit("session_start", actor=name)
    session = start["session"]
    # While the session runs, the typed word becomes searchable (incremental indexing).
    hits = _wait_hits(server, typed, "typed", session, name)
    assert hits[0]["user"] == name and hits[0]["t"] >= 0
    # A word the screen showed that the learner never typed, taken from a screen that stood
    # still (the screen index joins the rows changed in each window of the recording, so a
    # screen replaced within the same moment, like the map Enter leaves, is not text).
    deadline = time.monotonic() + 30
    screen, steady_since = term.text(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - steady_since < 2.0:
        term.pump(0.1)  # wait until the screen has stood still longer than one index window
        if term.text() != screen:
            screen, steady_since = term.text(), time.monotonic()
    shown = sorted({w for w in re.findall(r"[A-Za-z]{7,}", screen)
                    if w.lower() not in typed and w != name}, key=len)[-1]
    _wait_hits(server, shown, "screen", session, name)
    term.send(QUIT)
    term.wait_exit()
    server.wait_audit("session_end", actor=name)
    # Export on the server, verify "elsewhere" with only the files and the public key.
    out = tmp_path / "case"
    made = server.slate("audit", "export", "--session", session, "--out", str(out),
                        check=False)
    assert made.returncode == 0, made.stderr
    key = server.slate("audit", "key").stdout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "trusted.pem").write_bytes(key)
    shutil.copytree(out, elsewhere / "case")
    ok = _elsewhere(elsewhere, "audit", "verify", "--key", "trusted.pem", "case")
    assert ok.returncode == 0, ok.stderr
    assert b"signed OK" in ok.stdout and b"1 recordings" in ok.stdout
    cast = next((elsewhere / "case" / "recordings").iterdir())
    cast.write_bytes(cast.read_bytes().replace(typed.encode(), b"innocentxyz!"))
    bad = _elsewhere(elsewhere, "audit", "verify", "--key", "trusted.pem", "case")
    assert bad.returncode == 1 and b"altered" in bad.stderr
    # Who searched and exported is on the record.
    assert server.audit_rows("audit_search") and server.audit_rows("audit_export")


def test_sec_hostile_typed_bytes_come_back_neutralised(
    indexed_server: Server, terminals: list[Terminal]
) -> None:
    server = indexed_server
    name, password = server.add_user("learner")
    term = Terminal(ssh_argv(server, name, password, "-tt"))
    terminals.append(term)
    term.wait_for(signed_in(name), timeout=30)
    term.send("quizzicalmarker\x1b]52;c;cm0gLXJmIH4=\x07\u202egnp.exe\x9b2J tail")
    term.send("\r")
    session = server.wait_audit("session_start", actor=name)["session"]
    _wait_hits(server, "quizzicalmarker", "typed", session, name)
    shown = server.slate("audit", "search", "quizzicalmarker").stdout
    assert b"quizzicalmarker" in shown
    for bad in (b"\x1b", b"\x07", "\u202e".encode(), "\x9b".encode()):
        assert bad not in shown
    term.send(QUIT)
    term.wait_exit()


def test_auditor_replays_a_session_over_ssh_as_the_learner_saw_it(
    indexed_server: Server, terminals: list[Terminal]
) -> None:
    """The auditor's own ssh session: the list, Enter on the learner's session, End. The view
    inside the auditor's terminal shows the same screen as a pyte render of the cast there."""
    from tui.auditor.replay import Recording, render_at

    server = indexed_server
    name, password = server.add_user("learner")
    term = Terminal(ssh_argv(server, name, password, "-tt"))
    terminals.append(term)
    term.wait_for(signed_in(name), timeout=30)
    term.send("\x1b[B\x1b[B")  # move about the course map
    term.send(QUIT)
    term.wait_exit()
    end = server.wait_audit("session_end", actor=name)
    session = end["session"]
    auditor, secret = server.add_user("auditor")
    watch = Terminal(ssh_argv(server, auditor, secret, "-tt"), cols=140, rows=40)
    terminals.append(watch)
    watch.wait_for(signed_in(auditor, "auditor"), timeout=30)
    watch.wait_for(rf"{name}\s+learner", timeout=20)
    rows = watch.text().splitlines()
    index = next(i for i, line in enumerate(rows) if re.search(rf"\b{name}\b\s+learner", line))
    first = next(i for i, line in enumerate(rows) if "Start (UTC)" in line) + 1
    watch.send("\x1b[B" * (index - first))
    watch.send("\r")
    watch.wait_for(rf"{name}: PAUSED", timeout=20)
    watch.send("\x1b[F")  # End: the last moment of the recording
    import time

    deadline = time.monotonic() + 20
    cast = Recording()
    cast.feed((server.data_dir / end["detail"]["recording"]).read_bytes())
    want = [line.rstrip() for line in render_at(cast, cast.duration)]
    while time.monotonic() < deadline:
        watch.pump(0.2)
        shown = watch.text().splitlines()
        top = next((i for i, line in enumerate(shown) if line.startswith("┏")), None)
        if top is not None:
            view = [line[1:81].rstrip() for line in shown[top + 1: top + 1 + len(want)]]
            if view == want:
                break
    else:
        raise AssertionError("replay differs from the cast:\n" + "\n".join(
            f"{a!r}\n{b!r}" for a, b in zip(view, want, strict=False) if a != b))
    assert any(line.strip() for line in want)  # a real screen, not two blank ones
    replay = server.wait_audit("audit_replay", actor=auditor)
    assert replay["detail"]["target_session"] == session
    watch.send("q")  # back to the list (the screen, not the raw output, must show it)
    deadline = time.monotonic() + 10
    while "Start (UTC)" not in watch.text() and time.monotonic() < deadline:
        watch.pump(0.1)
    watch.send("q")
    watch.wait_exit()
