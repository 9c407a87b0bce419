"""The instructor console end to end: real OpenSSH clients on ptys, the real gateway, the learner
and instructor TUIs in their sandboxes, the real store and audit chain.

What a reviewer should see here: the instructor sees what a learner types; a watcher's keys never
reach the learner; the learner's screen says who watches, and stops saying it; a Check shows in the
roster without anyone asking; pairing needs the learner's yes and the learner ends it with one
key; a lock saves unsaved work, ignores keys and gives the screen back as it was; a raised hand is
answered and marked done; and an audit row for every one of those steps.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from .conftest import (
    Server,
    Terminal,
    exercises_before,
    signed_in,
    ssh_argv,
    start_server,
    stop_server,
)

F3 = "\x1b[13~"
F6 = "\x1b[17~"
F10 = "\x1b[21~"
F11 = "\x1b[23~"
ESC = "\x1b"
CTRL_K = "\x0b"


def wait_gone(term: Terminal, pattern: str, timeout: float = 10.0) -> None:
    """Wait until ``pattern`` is no longer on the screen."""
    deadline = time.monotonic() + timeout
    rx = re.compile(pattern)
    while time.monotonic() < deadline:
        term.pump(0.05)
        if not rx.search(term.text()):
            return
    raise AssertionError(f"{pattern!r} still on screen:\n{term.text()}")


def learner_in_editor(server: Server, terminals: list[Terminal]) -> tuple[str, Terminal]:
    """A learner logged in at 80x24 with the first exercise's editor focused."""
    name, password = server.add_user("learner")
    term = Terminal(ssh_argv(server, name, password, "-tt"), 80, 24)
    terminals.append(term)
    term.wait_for(signed_in(name), timeout=30)
    term.wait_for("Your first web page", timeout=20)
    term.send("\x1b[B" * exercises_before("html"))  # Down: past the start course to HTML
    term.wait_for(r"> \[ \] Your first web page", timeout=10)
    term.send("\r")
    term.wait_for("F3/Alt", timeout=20)
    term.send(F3)
    term.wait_for("DOCTYPE", timeout=10)
    return name, term


def console(server: Server, terminals: list[Terminal], cols: int = 80, rows: int = 24):  # type: ignore[no-untyped-def]
    """An instructor logged in to the console."""
    name, password = server.add_user("instructor")
    term = Terminal(ssh_argv(server, name, password, "-tt"), cols, rows)
    terminals.append(term)
    term.wait_for(signed_in(name, "instructor"), timeout=30)
    term.wait_for("learners,", timeout=20)
    return name, term


def pick(term: Terminal, learner: str) -> None:
    """Filter the roster down to one learner (so the highlighted row is theirs)."""
    term.send("/")
    time.sleep(0.3)
    term.wait_for("Type part of a name", timeout=10)
    term.send(learner + "\r")
    wait_gone(term, "▔▔▔", timeout=10)  # the filter box closed: the table has the keys
    term.wait_for(rf"Filter:\s+\"{learner}\"", timeout=10)


def watch(term: Terminal, learner: str) -> None:
    pick(term, learner)
    term.send("w")
    term.wait_for(r"Esc Back", timeout=10)


def recording_of(server: Server, user: str) -> list[list[object]]:
    row = [r for r in server.audit_rows("session_start") if r["actor"] == user][-1]
    path = server.data_dir / row["detail"]["recording"]
    events = []
    for line in path.read_text().splitlines()[1:]:
        try:
            events.append(json.loads(line))
        except ValueError:
            pass
    return events


def test_instructor_watches_a_learner_live_and_keys_never_reach_them(
    server: Server, terminals: list[Terminal]
) -> None:
    learner, lt = learner_in_editor(server, terminals)
    teacher, it = console(server, terminals)
    it.wait_for(rf"{learner}\s+online", timeout=10)
    watch(it, learner)
    # The learner's screen says who watches (one line: the header).
    lt.wait_for(f"watched by {teacher}", timeout=10)
    it.wait_for("DOCTYPE", timeout=10)  # the repaint on join gave a full picture

    started = time.monotonic()
    lt.send("zebra")
    it.wait_for("zebra", timeout=5)
    lag = time.monotonic() - started
    print(f"watch lag through two ssh clients: {lag * 1000:.0f} ms")

    # The watcher's keys go nowhere near the learner.
    it.send("xyzXJ\t\r")
    time.sleep(1.5)
    lt.pump(0.2)
    assert "xyzXJ" not in lt.text()

    it.send(ESC)
    wait_gone(lt, "watched by", timeout=10)
    start = server.wait_audit("watch_start", actor=teacher, learner=learner)
    end = server.wait_audit("watch_end", actor=teacher, learner=learner)
    assert start["id"] < end["id"]
    # The learner's recording has their own "zebra" and nothing the instructor typed.
    typed = "".join(str(e[2]) for e in recording_of(server, learner) if e[1] == "i")
    assert "zebra" in typed and "xyzXJ" not in typed


def test_roster_shows_a_check_without_being_asked(
    server: Server, terminals: list[Terminal]
) -> None:
    learner, lt = learner_in_editor(server, terminals)
    teacher, it = console(server, terminals)
    pick(it, learner)
    it.wait_for(rf"{learner}\s+online", timeout=10)
    started = time.monotonic()
    lt.send(F6)  # a Check of the untouched starter fails
    server.wait_audit("check", actor=learner)
    checked = time.monotonic()
    it.wait_for(r"FAIL", timeout=5)
    print(f"roster after check: {(time.monotonic() - checked) * 1000:.0f} ms after the audit row,"
          f" {(time.monotonic() - started):.1f} s after F6")


def test_pairing_needs_consent_and_the_learner_ends_it(
    server: Server, terminals: list[Terminal]
) -> None:
    learner, lt = learner_in_editor(server, terminals)
    teacher, it = console(server, terminals)
    watch(it, learner)
    it.wait_for("DOCTYPE", timeout=10)
    it.send("p")
    lt.wait_for(f"{teacher} asks to type in your session", timeout=10)
    it.send("before")  # not yet accepted: these keys are the instructor's own (none bound)
    time.sleep(1.0)
    lt.send("y")
    it.wait_for("PAIRED: you are typing", timeout=10)
    lt.wait_for(f"PAIRED: {teacher}", timeout=10)
    it.send("<b>okapi</b>")
    lt.wait_for("okapi", timeout=10)
    assert "before" not in lt.text()
    # The learner ends it with one key.
    lt.send(F11)
    it.wait_for("Pairing with .* ended|Esc Back", timeout=10)
    wait_gone(it, "PAIRED: you are typing", timeout=10)
    it.send("wombat")
    time.sleep(1.0)
    lt.pump(0.2)
    assert "wombat" not in lt.text()
    kinds = [
        (r["kind"], r["actor"]) for r in server.audit_rows()
        if r["kind"].startswith("pair") and learner in (r["actor"], r["detail"].get("learner"))
    ]
    assert ("pair_asked", teacher) in kinds
    assert ("pair_start", learner) in kinds
    assert ("pair_end", learner) in kinds
    # The recording shows who typed what.
    events = recording_of(server, learner)
    markers = [e[2] for e in events if e[1] == "m"]
    assert f"typed-by:{teacher}" in markers and f"typed-by:{learner}" in markers
    text_after = ""
    seen = False
    for e in events:
        if e[1] == "m" and e[2] == f"typed-by:{teacher}":
            seen = True
        elif e[1] == "m" and e[2] == f"typed-by:{learner}":
            seen = False
        elif seen and e[1] == "i":
            text_after += str(e[2])
    assert "okapi" in text_after and "before" not in text_after


def test_lock_keeps_unsaved_work_ignores_keys_and_unlock_restores(
    server: Server, terminals: list[Terminal]
) -> None:
    learner, lt = learner_in_editor(server, terminals)
    teacher, it = console(server, terminals)
    lt.send("<p>quokka</p>")
    lt.wait_for("quokka", timeout=10)
    pick(it, learner)
    it.send("l")
    it.wait_for("Lock the screen of", timeout=10)
    it.send("\r")
    lt.wait_for("Your screen is locked", timeout=10)
    workspace = server.data_dir / "workspaces" / learner / "html" / "first-page" / "index.html"
    assert "quokka" in workspace.read_text()  # saved before the lock
    lt.send("ignored-keys")
    time.sleep(1.0)
    it.wait_for("LOCKED", timeout=10)
    it.send("u")
    wait_gone(lt, "Your screen is locked", timeout=10)
    lt.wait_for("quokka", timeout=10)  # back where they were
    assert "ignored-keys" not in lt.text()
    assert "ignored-keys" not in workspace.read_text()
    lock = server.wait_audit("lock", actor=teacher, learner=learner)
    unlock = server.wait_audit("unlock", actor=teacher, learner=learner)
    assert lock["id"] < unlock["id"]


def test_hand_message_and_done(server: Server, terminals: list[Terminal]) -> None:
    learner, lt = learner_in_editor(server, terminals)
    teacher, it = console(server, terminals)
    lt.send(F10)
    lt.wait_for("Ask your instructor for help", timeout=10)
    lt.send("my page is blank\r")
    lt.wait_for(r"hand up #\d+", timeout=10)
    pick(it, learner)
    it.wait_for(r"#\d+\s+" + learner, timeout=10)
    it.send("m")
    it.wait_for(f"Message to {learner}", timeout=10)
    it.send("Look at line 7\r")
    lt.wait_for(f"Message from {teacher}", timeout=10)
    lt.wait_for("Look at line 7", timeout=5)
    it.send("h")
    it.wait_for("in the order they asked", timeout=10)
    it.wait_for(learner, timeout=5)
    it.send("d")
    server.wait_audit("help_done", actor=teacher, learner=learner)
    raised = server.wait_audit("hand_raised", actor=learner)
    assert raised["detail"]["text"] == "my page is blank"
    message = server.wait_audit("message", actor=teacher, to=learner)
    assert message["detail"]["delivered"] == 1


# -- hostile bytes: learners whose "app" echoes raw bytes to their own pty ---------------------

HOSTILE = (
    "\x1b]52;c;cm0gLXJmIH4=\x07"  # OSC 52 clipboard
    "\x1b]0;PWNED-TITLE\x07"  # OSC 0 window title
    "\x1bP1$qPWNED-DCS\x1b\\"  # DCS
    "\x1b[2J"  # clear the screen
    "visible-A "
    "\u009b31mC1-CSI "  # a C1 control
    "\u202eBIDI-RLO\u202c "  # bidi override
    "\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07"
)
FORBIDDEN = [b"\x1b]52", b"\x1b]0;", b"PWNED-TITLE", b"\x1bP", b"PWNED-DCS", b"\xc2\x9b",
             b"\xe2\x80\xae", b"\x1b]8;", b"evil.example", b"\x07"]


@pytest.fixture(scope="module")
def raw_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    srv = start_server(tmp_path_factory.mktemp("raw"), env={"SLATE_BENCH_APP": "raw-echo"})
    yield srv
    stop_server(srv)


def test_sec_hostile_bytes_in_a_learners_screen_never_reach_the_instructor_raw(
    raw_server: Server, terminals: list[Terminal]
) -> None:
    learner, password = raw_server.add_user("learner")
    lt = Terminal(ssh_argv(raw_server, learner, password, "-tt"), 80, 24)
    terminals.append(lt)
    lt.wait_for(f"raw-echo {learner}", timeout=30)
    teacher, it = console(raw_server, terminals)
    watch(it, learner)
    before = len(it.raw)
    lt.send(HOSTILE)  # the learner's program prints it raw on their own screen
    lt.wait_for("visible-A", timeout=10)
    it.wait_for("visible-A", timeout=10)
    it.wait_for("BIDI-RLO", timeout=5)
    time.sleep(0.5)
    it.pump(0.2)
    seen = bytes(it.raw[before:])
    for needle in FORBIDDEN:
        assert needle not in seen, needle
    # The instructor's own terminal kept its title and its screen; the learner's got theirs.
    assert b"PWNED-TITLE" in bytes(lt.raw)
    assert "Esc Back" in it.text()
    # Audited: the watch (the attack itself is the learner's own output, recorded as such).
    raw_server.wait_audit("watch_start", actor=teacher, learner=learner)
    deadline = time.monotonic() + 10  # the recording is flushed at least once a second
    while not any("PWNED-TITLE" in str(e[2]) for e in recording_of(raw_server, learner)
                  if e[1] == "o"):
        assert time.monotonic() < deadline, "the learner's output is not in their recording"
        time.sleep(0.2)


def test_sec_console_requests_are_refused_for_learners_and_auditors(tmp_path: Path) -> None:
    """The console's requests are registered only for instructor and admin sessions: a
    learner's or auditor's session asking to watch gets "not available" and an audit row."""
    import asyncio
    import socket

    from server import protocol
    from server.audit import AuditLog
    from server.config import load_config
    from server.control import ControlChannel
    from server.services import SessionServices
    from server.store import Store
    from tui.control import ControlClient, ControlError

    config = load_config(None, data_dir=tmp_path)
    store = Store(tmp_path / "slate.db")
    audit = AuditLog(store)
    services = SessionServices(config, store, audit)
    victim = store.add_account("victim", "learner", "pw-victim")

    class Session:
        def __init__(self, sid: str) -> None:
            self.session_id = sid
            self.control = None
            self.observers: set[object] = set()
            self.keys_locked = False
            self.cols, self.rows = 80, 24
            self.server = type("S", (), {"address": "127.0.0.1", "username": "x"})()

        def request_repaint(self) -> None:
            pass

        def inject_input(self, data: bytes, by: str) -> None:
            raise AssertionError("nobody may type here")

        def idle_seconds(self) -> float:
            return 0.0

    async def attempt(role: str) -> list[str]:
        account = store.add_account(f"m-{role}", role, "pw")
        victim_session = Session("s-victim")
        services.handlers_for(victim_session, victim)  # the victim is online
        session = Session(f"s-{role}")
        handlers = services.handlers_for(session, account)
        assert protocol.Watch not in handlers and protocol.PairKeys not in handlers
        assert protocol.LoginUnlock not in handlers
        server_sock, client_sock = socket.socketpair()

        def denied(kind: str, why: str) -> None:  # what the gateway does (server.deny)
            audit.append("request_denied", actor=account.name, session=session.session_id,
                         request=f"control:{kind}", reason=why)

        channel = ControlChannel(server_sock, handlers, denied)
        task = asyncio.get_running_loop().create_task(channel.serve())
        client = ControlClient(client_sock, timeout=5)
        await client.start()
        errors = []
        for message in (protocol.Watch(learner="victim"), protocol.Roster(),
                        protocol.PairKeys(learner="victim", data="eA=="),
                        protocol.Lock(learner="victim", message="x"),
                        protocol.LoginUnlock(learner="victim")):
            try:
                await client.request(message)
            except ControlError as exc:
                errors.append(str(exc))
        await client.close()
        channel.close()
        await asyncio.wait([task], timeout=2)
        assert not victim_session.observers and not victim_session.keys_locked
        return errors

    for role in ("learner", "auditor"):
        errors = asyncio.run(attempt(role))
        assert errors == ["That is not available here."] * 5
        rows = [json.loads(d) for (d,) in store.query(
            "SELECT detail FROM audit_events WHERE kind = 'request_denied' AND actor = ?",
            (f"m-{role}",))]
        assert {r["request"] for r in rows} == {
            "control:watch", "control:roster", "control:pair_keys", "control:lock",
            "control:login_unlock"}
    assert not services.live_class.relays
    store.close()


def test_demo_mode_shows_the_instructors_scratch_screen_never_the_roster(
    server: Server, terminals: list[Terminal]
) -> None:
    learner, lt = learner_in_editor(server, terminals)
    teacher, it = console(server, terminals)
    before = len(lt.raw)
    it.send("t")
    it.wait_for("DEMO: every online learner sees this screen", timeout=10)
    lt.wait_for(f"Demo: {teacher}'s screen", timeout=10)
    lt.wait_for("The class sees this screen", timeout=10)
    it.send("console.log('kiwi')")
    lt.wait_for("kiwi", timeout=10)
    lt.send("typed-in-demo")  # read-only for the class
    time.sleep(0.5)
    it.send(F10)
    wait_gone(lt, "Demo: ", timeout=10)
    lt.wait_for("DOCTYPE", timeout=10)  # back in their own editor
    seen = bytes(lt.raw[before:]).decode("utf-8", "replace")
    assert "hand(s) up" not in seen and "Help queue" not in seen  # the roster never shown
    assert "typed-in-demo" not in lt.text()
    start = server.wait_audit("demo_start", actor=teacher)
    end = server.wait_audit("demo_end", actor=teacher)
    assert start["id"] < end["id"] and start["detail"]["learners"] >= 1


def test_hint_release_and_code_history_with_a_diff(
    server: Server, terminals: list[Terminal]
) -> None:
    learner, lt = learner_in_editor(server, terminals)
    teacher, it = console(server, terminals)
    lt.send("<p>platypus</p>")
    lt.wait_for("platypus", timeout=10)
    lt.send(F6)  # a Check snapshots the work into the learner's history
    server.wait_audit("check", actor=learner)
    pick(it, learner)
    it.send("n")
    lt.wait_for(f"Hint from {teacher}", timeout=10)
    lt.wait_for("Hint 1 of", timeout=5)
    released = server.wait_audit("hint_released", actor=teacher, learner=learner)
    assert released["detail"]["index"] == 1
    it.send("d")
    it.wait_for("exercise\\(s\\) done", timeout=10)
    it.send("h")
    it.wait_for(r"saved version\(s\), newest first", timeout=10)
    # The oldest version is the starter; from it to the newest, the learner's line was added.
    time.sleep(0.5)
    it.send("\x1b[F")  # End: the oldest
    time.sleep(0.5)
    it.send("\r")
    it.wait_for(r"\+.*platypus", timeout=10)


def test_sec_a_learner_flooding_their_screen_does_not_swamp_the_watcher(
    raw_server: Server, terminals: list[Terminal]
) -> None:
    """A watched learner's program prints megabytes: the relay drops what the watcher cannot
    take (bounded in the server), the instructor's console stays usable, and the learner's own
    session is unaffected."""
    learner, password = raw_server.add_user("learner")
    lt = Terminal(ssh_argv(raw_server, learner, password, "-tt"), 80, 24)
    terminals.append(lt)
    lt.wait_for(f"raw-echo {learner}", timeout=30)
    teacher, it = console(raw_server, terminals)
    watch(it, learner)
    chunk = ("flood " * 1000 + "\r\n").encode()  # ~6 KB a line
    import os

    for _ in range(300):  # ~1.8 MB through the learner's own pty
        view = memoryview(chunk)
        while view:
            try:
                view = view[os.write(lt.fd, view):]
            except BlockingIOError:
                lt.pump(0.01)  # the client's pty is full: read what came back meanwhile
        lt.pump(0)
    lt.send("after-the-flood")
    lt.wait_for("after-the-flood", timeout=60)
    it.wait_for("after-the-flood", timeout=30)  # the watcher catches up with the newest
    it.send(ESC)  # and the console still answers keys
    it.wait_for("learners,", timeout=10)
    end = raw_server.wait_audit("watch_end", actor=teacher, learner=learner)
    assert end["detail"]["bytes"] < 3 << 20
