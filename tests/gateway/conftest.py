"""Fixtures for gateway tests: a real `slate serve` process on a free port, real accounts in its
SQLite store, and the real OpenSSH client driven on a pty whose screen is read with pyte."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import pty
import re
import secrets
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyte
import pytest

ROOT = Path(__file__).resolve().parents[2]
SLATE = [str(Path(sys.executable).parent / "slate")]

SSH_BASE = [
    "ssh",
    "-F",
    "/dev/null",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "PreferredAuthentications=password,publickey",
    "-o",
    "PubkeyAuthentication=no",
    "-o",
    "NumberOfPasswordPrompts=1",
    "-o",
    "ConnectTimeout=10",
]


@dataclass
class Server:
    """A running `slate serve`."""

    proc: subprocess.Popen[bytes]
    data_dir: Path
    host: str
    port: int
    log_path: Path

    def slate(self, *args: str, input: bytes | None = None, check: bool = True):
        """Run a `slate` CLI command against this server's data dir."""
        return subprocess.run(
            [*SLATE, "--data-dir", str(self.data_dir), *args],
            input=input,
            capture_output=True,
            check=check,
            cwd=ROOT,
            timeout=60,
        )

    def add_user(self, role: str = "learner", name: str | None = None) -> tuple[str, str]:
        """Create an account with a known password; returns (name, password)."""
        name = name or f"{role[:1]}{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(12)
        self.slate(
            "user", "add", name, "--role", role, "--password-stdin", input=password.encode() + b"\n"
        )
        return name, password

    def audit_rows(self, kind: str | None = None) -> list[dict]:
        """Audit events from the store (newest last)."""
        import json
        import sqlite3

        db = sqlite3.connect(self.data_dir / "slate.db")
        db.row_factory = sqlite3.Row
        try:
            rows = db.execute("SELECT * FROM audit_events ORDER BY id").fetchall()
        finally:
            db.close()
        out = []
        for row in rows:
            item = dict(row)
            with contextlib.suppress(Exception):
                item["detail"] = json.loads(item["detail"]) if item.get("detail") else {}
            if kind is None or item["kind"] == kind:
                out.append(item)
        return out

    def wait_audit(self, kind: str, timeout: float = 15.0, **match: object) -> dict:
        """Wait until an audit event of ``kind`` whose detail/columns match appears."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for row in reversed(self.audit_rows(kind)):
                if all(row.get(k) == v or row["detail"].get(k) == v for k, v in match.items()):
                    return row
            time.sleep(0.05)
        raise AssertionError(f"no audit event {kind} {match}; have: {self.audit_rows()[-8:]}")


def reachable_dir(prefix: str = "slate-test-") -> Path:
    """A fresh directory sandbox uids can traverse (pytest's own tmp root is 0700, and in
    per-learner mode the learner's uid must reach its workspace through every parent)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/var/tmp"))
    os.chmod(path, 0o711)
    if not _CREATED:  # at exit, whichever folder's tests imported this (not a fixture of
        import atexit  # tests/gateway only: tests/tui and tests/server use it too)

        atexit.register(_remove_reachable_dirs)
    _CREATED.append(path)
    return path


_CREATED: list[Path] = []


def _remove_reachable_dirs() -> None:
    import shutil

    for path in _CREATED:
        shutil.rmtree(path, ignore_errors=True)


def start_server(
    tmp: Path,
    env: dict[str, str] | None = None,
    data_dir: Path | None = None,
    **sections: dict[str, object],
) -> Server:
    """Start `slate serve` on a free port. ``sections`` override config keys per table, e.g.
    ``auth={"lockout_after": 3}``. Tests connect often from one address, so the per-address
    connection rate is opened up unless a test sets it. ``data_dir``: reuse one (a restart)."""
    data_dir = data_dir or reachable_dir() / "data"
    config = tmp / "slate.toml"
    tables: dict[str, dict[str, object]] = {
        "server": {"listen_host": "127.0.0.1", "listen_port": 0, "data_dir": str(data_dir)},
        "auth": {"connection_rate": 1000.0, "connection_burst": 1000},
    }
    for name, values in sections.items():
        tables.setdefault(name, {}).update(values)
    lines = []
    for name, values in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {_toml(value)}" for key, value in values.items()]
    config.write_text("\n".join(lines) + "\n")
    log_path = tmp / "server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [*SLATE, "--data-dir", str(data_dir), "serve", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=log,
        cwd=ROOT,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline().decode()
        if not line:
            break
        match = re.search(r"listening on ([\d.]+):(\d+)", line)
        if match:
            return Server(proc, data_dir, match.group(1), int(match.group(2)), log_path)
    proc.kill()
    raise AssertionError(f"server did not start: {log_path.read_text()}")


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def stop_server(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One gateway for a test module."""
    srv = start_server(tmp_path_factory.mktemp("gateway"))
    yield srv
    stop_server(srv)


class Terminal:
    """The real OpenSSH client on a pty, its screen emulated by pyte (what a person would see)."""

    def __init__(
        self, argv: list[str], cols: int = 80, rows: int = 24, env: dict[str, str] | None = None
    ) -> None:
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        pid, fd = pty.fork()
        if pid == 0:  # child: exec the client
            os.environ.update(env or {})
            os.environ.setdefault("TERM", "xterm-256color")
            try:
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self._set_size(cols, rows)
        os.set_blocking(fd, False)
        self.exit_status: int | None = None

    def _set_size(self, cols: int, rows: int) -> None:
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def pump(self, timeout: float = 0.05) -> bool:
        """Read what is available; False once the client has exited and the pty is drained."""
        import select

        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return self.alive()
        try:
            data = os.read(self.fd, 65536)
        except OSError as exc:
            if exc.errno == errno.EIO:
                self.alive()
                return False
            raise
        if not data:
            return False
        self.raw += data
        self.stream.feed(data)
        return True

    def alive(self) -> bool:
        if self.exit_status is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # already reaped by close()
                self.exit_status = -1
                return False
            if pid:
                self.exit_status = os.waitstatus_to_exitcode(status)
        return self.exit_status is None

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, pattern: str, timeout: float = 20.0) -> str:
        """Wait until the screen (or, after exit, the raw output) matches ``pattern``."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while time.monotonic() < deadline:
            if rx.search(self.text()) or rx.search(self.raw.decode("utf-8", "replace")):
                return self.text()
            if not self.pump(0.1) and not self.alive():
                # drain what is left
                while self.pump(0.05):
                    pass
                if rx.search(self.text()) or rx.search(self.raw.decode("utf-8", "replace")):
                    return self.text()
                break
        raise AssertionError(
            f"{pattern!r} not seen. Screen:\n{self.text()}\nRaw tail: "
            f"{self.raw[-600:].decode('utf-8', 'replace')!r}"
        )

    def send(self, data: str | bytes) -> None:
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def resize(self, cols: int, rows: int) -> None:
        """Resize the client's terminal; ssh forwards a window-change."""
        self.screen.resize(rows, cols)
        self._set_size(cols, rows)
        os.kill(self.pid, signal.SIGWINCH)

    def wait_exit(self, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.1)
            if not self.alive():
                while self.pump(0.05):
                    pass
                assert self.exit_status is not None
                return self.exit_status
        raise AssertionError(f"ssh did not exit. Screen:\n{self.text()}")

    def close(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)


def signed_in(name: str, role: str = "learner") -> str:
    """The pattern the apps show once they are up: "signed in as NAME (ROLE)"."""
    return rf"signed in as {name} \({role}\)"


def ssh_argv(
    server: Server, user: str, password: str, *extra: str, bind: str | None = None
) -> list[str]:
    """`sshpass -p PW ssh ... user@host` (the real OpenSSH client, password auth)."""
    argv = ["sshpass", "-p", password, *SSH_BASE, "-p", str(server.port)]
    if bind:
        argv += ["-b", bind]
    return [*argv, *extra, f"{user}@{server.host}"]


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    """Collects Terminals to close at the end of a test."""
    opened: list[Terminal] = []
    yield opened
    for term in opened:
        term.close()


def run_ssh(
    server: Server,
    user: str,
    password: str,
    *extra: str,
    command: list[str] | None = None,
    timeout: float = 30,
    bind: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the OpenSSH client without a terminal (for refused requests)."""
    argv = ssh_argv(server, user, password, *extra, bind=bind) + (command or [])
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def processes_of_session(session_id: str) -> list[int]:
    """Host pids whose environment names this session (the TUI and anything it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if f"SLATE_SESSION={session_id}".encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
    return found


def exercises_before(course_id: str) -> int:
    """How many exercises come before ``course_id``'s first on the learner's course map (the
    Down presses from the first exercise there), counted from the built-in catalog, so adding
    an exercise to an earlier course never breaks a test that opens a later one."""
    from courses.catalog import load_catalog

    rows = 0
    for course in load_catalog(strict=False).courses:
        if course.id == course_id:
            return rows
        rows += len(course.exercises)
    raise AssertionError(f"no {course_id} course in the catalog")


@dataclass
class LearnerAtDesk:
    """The server's own learner request handlers (``LearnerDesk``) for one new learner, with a
    real store, workspace, history, catalog and sandboxes; ``pushes`` collects what the desk
    pushes to the learner's app."""

    desk: Any
    services: Any
    store: Any
    audit: Any
    account: Any
    pushes: list[Any]


async def learner_at_desk(name: str, session_id: str, exercise: dict[str, str]) -> LearnerAtDesk:
    """A learner's desk with ``exercise`` (``{"course": ..., "exercise": ...}``) open."""
    from types import SimpleNamespace

    from server import protocol
    from server.audit import AuditLog
    from server.config import load_config
    from server.services import LearnerDesk, SessionServices
    from server.store import Store

    data = reachable_dir() / "data"
    (data / "workspaces").mkdir(parents=True)
    os.chmod(data, 0o711)
    os.chmod(data / "workspaces", 0o711)
    config = load_config(None, data)
    store = Store(data / "slate.db", uid_count=config.sandbox.uid_count)
    audit = AuditLog(store)
    account = store.add_account(name, "learner", password="long enough password")
    services = SessionServices(config, store, audit)
    pushes: list[Any] = []
    services.room = SimpleNamespace(  # type: ignore[assignment]
        host_uid=lambda acct: (
            config.sandbox.uid_base + acct.uid_offset if os.geteuid() == 0 else None
        )
    )
    session = SimpleNamespace(
        server=SimpleNamespace(address="127.0.0.1"),
        session_id=session_id,
        control=SimpleNamespace(push=pushes.append),
    )
    desk = LearnerDesk(services, session, account)  # type: ignore[arg-type]
    await desk.exercise(protocol.OpenExercise(id=1, **exercise))
    return LearnerAtDesk(desk, services, store, audit, account, pushes)
