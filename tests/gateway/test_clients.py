"""The client matrix (issue 16): every SSH client a classroom might have, through the real gateway.

Each case logs in with a real client on a pty (OpenSSH's ``ssh``, PuTTY's ``plink``, Dropbear's
``dbclient``), waits for the learner app, then drives it with the bytes that client's terminal
sends for each key — xterm's ``ESC O P``, PuTTY's default ``ESC [ 11 ~`` and its other keyboard
modes, the Linux console's ``ESC [ [ A`` — and checks on the emulated screen (pyte) that the app
reacted: F1 opens the help, arrows move the choice, F2/F3/F4 switch panes, Home/End/Backspace
edit, F5 answers (nothing to run here), F8 opens the history, F12 goes back to the courses,
Ctrl+Q leaves. Sessions with ``TERM=vt100`` and ``TERM=linux`` (and a site that asks for ASCII
and monochrome) are checked byte by byte: ASCII drawing, straight quotes, and no colour code at
all where the terminal has no colour.

Run with ``-s`` to see each client's first screen.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import (
    Server,
    Terminal,
    exercises_before,
    reachable_dir,
    signed_in,
    ssh_argv,
    start_server,
    stop_server,
)

QUIT = "\x11"  # Ctrl+Q
ESC = "\x1b"


@dataclass(frozen=True)
class Keymap:
    """What a client's terminal sends for the keys Slate relies on."""

    name: str
    f: dict[int, str]
    home: str = "\x1b[H"
    end: str = "\x1b[F"
    up: str = "\x1b[A"
    down: str = "\x1b[B"
    backspace: str = "\x7f"
    extra: dict[str, str] = field(default_factory=dict)


_TILDE_F5_F12 = {5: "\x1b[15~", 6: "\x1b[17~", 7: "\x1b[18~", 8: "\x1b[19~", 9: "\x1b[20~",
                 10: "\x1b[21~", 11: "\x1b[23~", 12: "\x1b[24~"}  # fmt: skip

XTERM = Keymap("xterm", {1: "\x1bOP", 2: "\x1bOQ", 3: "\x1bOR", 4: "\x1bOS", **_TILDE_F5_F12})
"""xterm, GNOME/KDE terminals, macOS Terminal, Windows Terminal (OpenSSH's usual company)."""

PUTTY_DEFAULT = Keymap(
    "putty (ESC[n~, Standard Home/End)",
    {1: "\x1b[11~", 2: "\x1b[12~", 3: "\x1b[13~", 4: "\x1b[14~", **_TILDE_F5_F12},
    home="\x1b[1~",
    end="\x1b[4~",
)
"""PuTTY's defaults: Function keys "ESC[n~", Home and End "Standard", Backspace Control-?."""

PUTTY_LINUX = Keymap(
    "putty (Linux function keys)",
    {1: "\x1b[[A", 2: "\x1b[[B", 3: "\x1b[[C", 4: "\x1b[[D", **_TILDE_F5_F12, 5: "\x1b[[E"},
    home="\x1b[1~",
    end="\x1b[4~",
)
"""PuTTY with Function keys "Linux" — the same bytes as the Linux console itself."""

PUTTY_VT100P = Keymap(
    "putty (VT100+ function keys, rxvt Home/End, Backspace Control-H)",
    {n: "\x1bO" + final for n, final in enumerate("PQRSTUVWXYZ[", start=1)},  # F1..F12
    home="\x1b[H",
    end="\x1bOw",
    backspace="\x08",
)
"""PuTTY's least common settings together: the keys Textual alone does not know."""

PUTTY_XTERM_R6 = Keymap(
    "putty (Xterm R6 function keys)",
    {1: "\x1bOP", 2: "\x1bOQ", 3: "\x1bOR", 4: "\x1bOS", **_TILDE_F5_F12},
    home="\x1b[1~",
    end="\x1b[4~",
)

LINUX_CONSOLE = Keymap(
    "linux console",
    {1: "\x1b[[A", 2: "\x1b[[B", 3: "\x1b[[C", 4: "\x1b[[D", 5: "\x1b[[E", **_TILDE_F5_F12},
    home="\x1b[1~",
    end="\x1b[4~",
)
"""The Linux virtual console (``TERM=linux``): F1-F5 are ``ESC [ [ A``…``E``."""


# -- the clients -------------------------------------------------------------------------------


def host_key_fingerprint(server: Server) -> str:
    """The gateway's ed25519 host key as ``SHA256:...`` (what plink's -hostkey takes)."""
    pub = (server.data_dir / "host_keys" / "ssh_host_ed25519_key.pub").read_text().split()[1]
    digest = hashlib.sha256(base64.b64decode(pub)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def openssh(server: Server, name: str, password: str, tmp: Path, term: str, *opts: str):
    return ssh_argv(server, name, password, "-tt", *opts), {"TERM": term}


def plink(server: Server, name: str, password: str, tmp: Path, term: str, *opts: str):
    pwfile = tmp / "plink-password"
    pwfile.write_text(password)
    pwfile.chmod(0o600)
    # plink ignores $TERM: its terminal type is a setting (PuTTY's Connection > Data >
    # Terminal-type string), here in a saved session under a private $HOME.
    sessions = tmp / ".putty" / "sessions"
    sessions.mkdir(parents=True, exist_ok=True)
    (sessions / "slate").write_text(f"TerminalType={term}\n")
    argv = ["plink", "-load", "slate", "-ssh", "-batch", "-t", "-P", str(server.port), "-l", name]
    argv += ["-pwfile", str(pwfile), "-hostkey", host_key_fingerprint(server), *opts, server.host]
    return argv, {"TERM": term, "HOME": str(tmp)}


def dbclient(server: Server, name: str, password: str, tmp: Path, term: str, *opts: str):
    # -y -y: no host key check and nothing written to ~/.ssh; DROPBEAR_PASSWORD is dbclient's
    # documented way to take a password without a prompt.
    argv = ["dbclient", "-y", "-y", "-t", "-p", str(server.port), *opts]
    argv.append(f"{name}@{server.host}")
    return argv, {"TERM": term, "HOME": str(tmp), "DROPBEAR_PASSWORD": password}


def login(server: Server, terminals: list[Terminal], tmp: Path, client, term: str, *opts: str):
    name, password = server.add_user("learner")
    argv, env = client(server, name, password, tmp, term, *opts)
    terminal = Terminal(argv, 80, 24, env=env)
    terminals.append(terminal)
    terminal.wait_for(signed_in(name), timeout=40)
    terminal.wait_for("Choose an exercise", timeout=20)
    settle(terminal)
    return name, terminal


# -- reading the screen ------------------------------------------------------------------------


def settle(term: Terminal, quiet: float = 0.3, timeout: float = 5.0) -> None:
    """Read until the app has been quiet for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    last = len(term.raw)
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        term.pump(0.05)
        if len(term.raw) != last:
            last, quiet_since = len(term.raw), time.monotonic()
        elif time.monotonic() - quiet_since >= quiet:
            return


def wait_screen(term: Terminal, pattern: str, timeout: float = 15.0, present: bool = True) -> str:
    """Wait until the *screen* (not the byte log) shows ``pattern`` (or no longer shows it)."""
    rx = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bool(rx.search(term.text())) == present:
            return term.text()
        term.pump(0.05)
    raise AssertionError(f"{pattern!r} {'not ' if present else 'still '}on screen:\n{term.text()}")


def first_screen(term: Terminal, label: str) -> str:
    text = term.text()
    print(f"\n---- first screen: {label} ----\n{text}\n----")
    return text


# -- what every client must be able to do ------------------------------------------------------


def drive_learner_app(term: Terminal, keys: Keymap) -> None:
    """The keys the learner app relies on, in this client's encodings, each with its effect."""
    # F1 opens the help; Esc closes it.
    term.send(keys.f[1])
    wait_screen(term, "Help: all the keys")
    term.send(ESC)
    wait_screen(term, "Help: all the keys", present=False)
    wait_screen(term, "Choose an exercise")
    # Down and Up move the choice on the course map (from the keyboard tutorial, first).
    for _ in range(exercises_before("html")):
        term.send(keys.down)
    wait_screen(term, r">\s*\[.\] Your first web page")
    term.send(keys.down)
    wait_screen(term, r">\s*\[.\] Paragraphs")
    term.send(keys.up)
    wait_screen(term, r">\s*\[.\] Your first web page")
    # Enter opens the exercise; F2 / F4 / F3 show the lesson, the output, the code.
    term.send("\r")
    wait_screen(term, r"F2/Alt\+1")
    term.send(keys.f[2])
    wait_screen(term, r"Lesson\s+F2/Alt\+1")
    term.send(keys.f[4])
    wait_screen(term, r"Output\s+F4/Alt\+3")
    term.send(keys.f[3])
    wait_screen(term, r"Your code\s+F3/Alt\+2")
    wait_screen(term, r"1\s+<!DOCTYPE html>")
    settle(term)
    # Editing: End, Home and Backspace as this terminal sends them, one key per write.
    for key in ("ab", keys.end, "Z", keys.home, "Y", keys.backspace, "Q"):
        term.send(key)
        settle(term, quiet=0.15)
    wait_screen(term, r"1\s+Qab<!DOCTYPE html>Z")
    # F5 is Run (this HTML exercise says there is nothing to run): the app answers, and an
    # encoding it did not know would have typed letters into the file instead.
    before = term.text()
    term.send(keys.f[5])
    deadline = time.monotonic() + 15
    while term.text() == before and time.monotonic() < deadline:
        term.pump(0.05)
    assert term.text() != before, f"F5 ({keys.f[5]!r}) changed nothing:\n{before}"
    settle(term)
    wait_screen(term, r"1\s+Qab<!DOCTYPE html>Z\s")
    # F8 opens the history of this exercise; Esc comes back.
    term.send(keys.f[8])
    wait_screen(term, "Earlier versions of")
    term.send(ESC)
    wait_screen(term, r"Your code\s+F3/Alt\+2")
    # F12 goes back to the course map; Ctrl+Q leaves Slate and the client exits.
    term.send(keys.f[12])
    wait_screen(term, "Choose an exercise")
    term.send(QUIT)
    assert term.wait_exit(30) == 0, term.raw[-1500:].decode("utf-8", "replace")


OLD_OPENSSH = (
    "-oKexAlgorithms=curve25519-sha256@libssh.org",
    "-oCiphers=aes128-ctr",
    "-oMACs=hmac-sha2-256-etm@openssh.com",
    "-oHostKeyAlgorithms=ssh-ed25519",
)
"""The best OpenSSH 6.5 (2014, the first with curve25519 and ed25519) could offer."""

CASES = [
    pytest.param(openssh, "xterm-256color", XTERM, (), id="openssh-xterm"),
    pytest.param(plink, "xterm", PUTTY_DEFAULT, (), id="plink-putty-default"),
    pytest.param(plink, "xterm", PUTTY_LINUX, (), id="plink-putty-linux-fkeys"),
    pytest.param(plink, "xterm", PUTTY_XTERM_R6, (), id="plink-putty-xterm-r6"),
    pytest.param(plink, "putty", PUTTY_VT100P, (), id="plink-putty-vt100plus-rxvt-ctrlh"),
    pytest.param(dbclient, "linux", LINUX_CONSOLE, (), id="dbclient-linux-console"),
    pytest.param(dbclient, "xterm-256color", XTERM, (), id="dbclient-xterm"),
    pytest.param(openssh, "xterm", XTERM, OLD_OPENSSH, id="openssh-as-old-openssh-6.5"),
]


@pytest.mark.parametrize(("client", "term_type", "keys", "opts"), CASES)
def test_client_logs_in_draws_and_its_keys_work(
    server: Server,
    terminals: list[Terminal],
    tmp_path: Path,
    client,
    term_type: str,
    keys: Keymap,
    opts: tuple[str, ...],
) -> None:
    name, term = login(server, terminals, tmp_path, client, term_type, *opts)
    screen = first_screen(term, f"{client.__name__} TERM={term_type} keys={keys.name}")
    assert f"signed in as {name} (learner)" in screen
    assert "Stage 1: Foundations" in screen
    start = server.wait_audit("session_start", actor=name)
    assert start["detail"]["term"] == term_type
    drive_learner_app(term, keys)
    server.wait_audit("session_end", actor=name)


# -- terminals with fewer glyphs, or no colour -------------------------------------------------

_SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


def colour_codes(raw: bytes) -> list[bytes]:
    """Every SGR sequence in ``raw`` that sets a colour (3x/4x/9x/10x, 38/48 extended, 39/49)."""
    found = []
    for match in _SGR.finditer(raw):
        params = [p for p in re.split(rb"[;:]", match.group(1)) if p]
        for param in params:
            value = int(param)
            if 30 <= value <= 49 or 90 <= value <= 107:
                found.append(match.group(0))
                break
    return found


BOX_AND_BLOCKS = re.compile("[\u2500-\u259f]")
CURLY = re.compile("[\u2018\u2019\u201c\u201d\u2026\u2014\u2013\u2192]")


def _visit_screens(term: Terminal, keys: Keymap) -> None:
    """Course map, help, exercise, history (whose title quotes the exercise name)."""
    term.send(keys.f[1])
    wait_screen(term, "Help: all the keys")
    term.send(ESC)
    wait_screen(term, "Choose an exercise")
    for _ in range(exercises_before("html")):  # past the start course to HTML's first page
        term.send(keys.down)
    wait_screen(term, r">\s*\[.\] Your first web page")
    term.send("\r")
    wait_screen(term, r"F2/Alt\+1")
    term.send(keys.f[8])
    wait_screen(term, "Earlier versions of")
    settle(term)


def test_vt100_gets_ascii_and_not_one_colour_code(
    server: Server, terminals: list[Terminal], tmp_path: Path
) -> None:
    """A DEC VT100 (or a terminal set to emulate one): 7-bit characters only, so every byte the
    session sends is ASCII — borders drawn with + - = |, straight quotes ("Your first web
    page"), "." for an ellipsis — and no colour code at all; reverse video still marks the
    choice on the course map."""
    name, term = login(server, terminals, tmp_path, openssh, "vt100")
    screen = first_screen(term, "openssh TERM=vt100")
    assert "+====" in screen and "| Stage 1: Foundations" in screen
    _visit_screens(term, XTERM)
    assert '"Your first web page"' in term.text()
    raw = bytes(term.raw)
    assert raw.isascii(), sorted({chr(b) for b in raw if b >= 0x80})
    assert colour_codes(raw) == []
    assert b"\x1b[7m" in raw or re.search(rb"\x1b\[[0-9;]*;7[;m]", raw)  # reverse video
    term.send(QUIT)
    assert term.wait_exit(30) == 0


def test_linux_console_gets_ascii_drawing_and_keeps_its_colours(
    server: Server, terminals: list[Terminal], tmp_path: Path
) -> None:
    """The Linux console: its font lacks rounded corners, eighth blocks and curly quotes, so
    the drawing is ASCII (Latin-1 letters would stay); it has 16 colours, and gets them."""
    name, term = login(server, terminals, tmp_path, dbclient, "linux")
    first_screen(term, "dbclient TERM=linux")
    _visit_screens(term, LINUX_CONSOLE)
    text = bytes(term.raw).decode("utf-8")
    assert not BOX_AND_BLOCKS.search(text), BOX_AND_BLOCKS.findall(text)[:10]
    assert not CURLY.search(text), CURLY.findall(text)[:10]
    assert '"Your first web page"' in term.text()
    codes = colour_codes(bytes(term.raw))
    assert codes, "the Linux console has colours: the app should use them"
    assert not any(b"38;2;" in c or b"48;2;" in c or b"38;5;" in c for c in codes)
    term.send(QUIT)
    assert term.wait_exit(30) == 0


def test_capable_terminal_still_gets_unicode_and_colour(
    server: Server, terminals: list[Terminal], tmp_path: Path
) -> None:
    """The filters are only for terminals that need them: xterm-256color keeps box drawing
    and colour."""
    name, term = login(server, terminals, tmp_path, openssh, "xterm-256color")
    text = bytes(term.raw).decode("utf-8")
    assert BOX_AND_BLOCKS.search(text)
    assert colour_codes(bytes(term.raw))
    term.send(QUIT)
    assert term.wait_exit(30) == 0


def test_site_settings_ascii_only_and_monochrome(terminals: list[Terminal], tmp_path: Path) -> None:
    """A site whose terminals say xterm-256color but have neither colour nor line-drawing
    glyphs: ``[session] ascii_only = true, monochrome = true`` (the client cannot ask for either:
    env requests are refused). Every byte is ASCII and no colour code is sent."""
    srv = start_server(reachable_dir(), session={"ascii_only": True, "monochrome": True})
    try:
        _, term = login(srv, terminals, tmp_path, openssh, "xterm-256color")
        first_screen(term, "openssh TERM=xterm-256color, site ascii_only + monochrome")
        _visit_screens(term, XTERM)
        assert '"Your first web page"' in term.text()
        raw = bytes(term.raw)
        assert raw.isascii(), sorted({chr(b) for b in raw if b >= 0x80})
        assert colour_codes(raw) == []
        term.send(QUIT)
        assert term.wait_exit(30) == 0
    finally:
        stop_server(srv)


def test_sec_dbclient_command_is_refused_at_once_not_left_hanging(
    server: Server, tmp_path: Path
) -> None:
    """dbclient asks for exec without wanting a reply: the gateway must close the channel, not
    leave the client waiting until the idle timeout."""
    name, password = server.add_user("learner")
    argv, env = dbclient(server, name, password, tmp_path, "xterm")
    argv = [a for a in argv if a != "-t"] + ["cat", "/etc/shadow"]
    done = subprocess.run(
        argv, env={**os.environ, **env}, capture_output=True, text=True, timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode != 0
    assert "root:" not in done.stdout
    server.wait_audit("request_denied", actor=name, request="exec", detail="cat /etc/shadow")

