"""The SSH gateway: authentication, policy, rate limits, and one sandboxed TUI per session.

Keeps invariant 1 (no general shell, ever): the gateway serves exactly one thing per role — the
role's TUI on a pty. Exec requests, subsystems (sftp, scp), every kind of forwarding, agent, X11,
tun/tap, env requests, unknown channel or global requests and sessions without a pty are refused
and audited (deny by default). Also: modern algorithms only, per-account and per-address back-off
and lockout with identical replies and timing for unknown names, caps on unauthenticated
connections, login and idle timeouts, one session per connection and one live session per
learner (a second login takes over), clamped terminal sizes and rate-limited resizes.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import re
import signal
import socket
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh
from asyncssh.constants import MSG_IGNORE
from typing_extensions import override

from courses.checks import sweep_stale_work_dirs
from jail.cgroup import sweep_abandoned
from jail.reach import other_can
from server import kex_guess, protocol
from server.admission import (
    STAGE_ADMITTING,
    STAGE_CHECKING,
    STAGE_LOGGING_IN,
    STAGE_REFUSING,
    AuthGuard,
    Doorman,
    Ticket,
    Verifier,
    check_password,
    valid_username,
)
from server.audit import AuditLog, ContextLogger, sanitize
from server.audit_desk import audit_housekeeping
from server.config import Config
from server.control import ControlChannel
from server.recorder import Recorder, recording_path
from server.services import SessionServices
from server.session import MAX_PENDING_INPUT, PROJECT_ROOT, TuiLaunch, TuiProcess
from server.store import Store
from server.tasks import SessionTasks
from server.vocabulary import APP_FOR_ROLE

log = logging.getLogger("slate.gateway")

# No NIST curves, no SHA-1, no CBC, no non-etm MACs (ssh-audit reports no failures against this
# set). The client's first choice that we support is what is negotiated, so OpenSSH 9.9+ still
# gets the post-quantum mlkem768x25519; curve25519-sha256 is listed first because a client that
# guesses its first kex packet (Dropbear, every time) guesses that, and RFC 4253 §7 calls a guess
# right only when both sides' first entries match. kex_guess makes asyncssh follow that rule for
# clients whose first entry is anything else (asyncssh 2.24.1 aborts them).
KEX_ALGS = ["curve25519-sha256", "mlkem768x25519-sha256", "curve25519-sha256@libssh.org"]
kex_guess.install()
ENCRYPTION_ALGS = [
    "chacha20-poly1305@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
]
MAC_ALGS = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"]
HOST_KEY_ALGS = ["ssh-ed25519"]
CLIENT_SIG_ALGS = ["ssh-ed25519", "sk-ssh-ed25519@openssh.com", "rsa-sha2-512", "rsa-sha2-256"]

TERM_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
MIN_COLS, MIN_ROWS = 20, 5


# -- the classroom: state shared by all connections -----------------------------------------


@dataclass
class Classroom:
    """Everything the connections share: config, store, audit log, live sessions."""

    config: Config
    store: Store
    audit: AuditLog
    services: SessionServices
    guard: AuthGuard
    doorman: Doorman
    verifier: Verifier
    live: dict[str, SlateSession] = field(default_factory=dict)
    sessions: set[SlateSession] = field(default_factory=set)

    @property
    def data_dir(self) -> Path:
        return Path(self.config.server.data_dir)

    def host_uid(self, account: Any) -> int | None:
        """The learner's own host uid in per-learner mode (server is root), else None.

        Raises:
            ValueError: the account's uid offset lies outside the configured range (accounts
                made with a larger ``uid_count`` than this server's).
        """
        if os.geteuid() != 0:
            return None
        if not 0 <= account.uid_offset < self.config.sandbox.uid_count:
            raise ValueError(
                f"{account.name}'s uid offset {account.uid_offset} is outside sandbox.uid_count"
            )
        return int(self.config.sandbox.uid_base + account.uid_offset)


# -- per connection ---------------------------------------------------------------------------


class SlateSSHServer(asyncssh.SSHServer):
    """One SSH connection: authentication and what it may open (only one session)."""

    def __init__(self, classroom: Classroom) -> None:
        self.room = classroom
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "?"
        self.conn_id = uuid.uuid4().hex[:8]
        self.username = ""
        self.account: Any = None
        self.authenticated = False
        self.ticket: Ticket | None = None  # the doorman's pre-auth slot, until authenticated
        self.auth_failures = 0  # failed password attempts on this connection
        self.auth_closed = False  # its tries are used up: it is being closed
        self.session: SlateSession | None = None
        self.log = ContextLogger(log, {"conn": self.conn_id})
        self._no_session_timer: asyncio.TimerHandle | None = None
        self.handshake_task: asyncio.Task[None] | None = None

    # connection lifecycle

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        # Admission (rate, pre-auth caps) already happened at accept time, before any banner.
        self.conn = conn
        if type(conn) is asyncssh.SSHServerConnection:
            conn.__class__ = _SlateConnection

    def release_slot(self) -> None:
        """Give back this connection's pre-auth slot (authenticated, failed or gone)."""
        if self.ticket is not None:
            self.room.doorman.release(self.ticket)
            self.ticket = None

    def drop(self) -> None:
        """End this connection before it authenticated (the doorman needs its slot)."""
        if self.conn is not None:
            self.conn.abort()
        elif self.handshake_task is not None:
            self.handshake_task.cancel()

    @override
    def connection_lost(self, exc: Exception | None) -> None:
        self.release_slot()
        if self._no_session_timer is not None:
            self._no_session_timer.cancel()
        if self.session is not None:
            self.session.connection_gone()

    def audit(self, kind: str, **detail: Any) -> None:
        """Write an audit event for this connection (detail strings are sanitised)."""
        clean = {k: sanitize(v) if isinstance(v, str) else v for k, v in detail.items()}
        session = self.session.session_id if self.session is not None else None
        actor = self.username if self.authenticated else None
        try:
            self.room.audit.append(
                kind, actor=actor, address=self.address, session=session, **clean
            )
        except Exception:  # the audit store failing must not crash the connection handler
            self.log.exception("audit append failed for %s", kind)

    def deny(self, what: str, detail: str = "") -> None:
        """Audit a refused request."""
        self.audit("request_denied", request=what, detail=detail)

    # authentication

    def begin_auth(self, username: str) -> bool:
        self.username = username if valid_username(username) else ""
        if self.ticket is not None:
            self.room.doorman.progressed(self.ticket, STAGE_LOGGING_IN)
        if not self.username:
            self.audit("login_failed", reason="invalid username", name=username[:200])
        return True  # always require authentication

    def password_auth_supported(self) -> bool:
        return True

    def kbdint_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        """Check a password through admission (server/admission.py: always checked, a correct
        one always gets in, the answer waits out the back-off)."""
        if self.auth_closed:  # a try sent before the close landed: never checked or counted
            return False
        doorman = self.room.doorman
        if self.ticket is not None:
            doorman.progressed(self.ticket, STAGE_CHECKING)
        try:
            outcome = await check_password(
                self.room.guard,
                self.room.store,
                username,
                password,
                self.address,
                self.auth_failures,
                self.audit,
                verifier=self.room.verifier,
                verified=self._verified,
            )
        finally:
            if self.ticket is not None:
                doorman.progressed(self.ticket, STAGE_LOGGING_IN)
        if outcome.account is not None:
            self._authenticated(
                outcome.account, "password", delay=round(outcome.delay, 2),
                pair_locked=outcome.pair_locked,
            )
            return True
        self.auth_failures += 1
        if outcome.close_connection:  # after the failure reply has gone out
            self.auth_closed = True
            asyncio.get_running_loop().call_later(0.2, self._close_now)
        return False

    def _verified(self, ok: bool) -> None:
        if self.ticket is not None:
            self.room.doorman.progressed(self.ticket, STAGE_ADMITTING if ok else STAGE_REFUSING)

    def _close_now(self) -> None:
        if self.conn is not None and not self.authenticated:
            self.conn.close()

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # Password failures never block a key: whoever signs with the account's key is its owner.
        name = username if valid_username(username) else ""
        if not name:
            return False
        account = self.room.store.get_account(name)
        if account is None or account.disabled:
            return False
        wanted = key.export_public_key("openssh").split()[:2]
        for line in self.room.store.public_keys(name):
            if line.split()[:2] == [w.decode() for w in wanted]:
                self._authenticated(account, "publickey")
                return True
        return False

    def _authenticated(self, account: Any, method: str, **detail: Any) -> None:
        self.account = account
        self.username = account.name
        self.authenticated = True
        self.log = ContextLogger(log, {"conn": self.conn_id, "user": account.name})
        self.audit("login_ok", method=method, role=account.role, **detail)

    def auth_completed(self) -> None:
        self.release_slot()
        timeout = self.room.config.session.no_session_timeout
        loop = asyncio.get_running_loop()
        self._no_session_timer = loop.call_later(timeout, self._no_session)

    def _no_session(self) -> None:
        if self.session is None and self.conn is not None:
            self.audit("connection_closed", reason="no session opened")
            self.conn.close()

    # what a connection may open

    def session_requested(self) -> Any:
        if self.session is not None:
            self.deny("session", "a second session on one connection")
            return False
        if self._no_session_timer is not None:
            self._no_session_timer.cancel()
        self.session = SlateSession(self)
        return self.session

    @override
    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int):
        self.deny("direct-tcpip", f"{dest_host}:{dest_port}")
        return False

    def server_requested(self, listen_host: str, listen_port: int):
        self.deny("tcpip-forward", f"{listen_host}:{listen_port}")
        return False

    def unix_connection_requested(self, dest_path: str):
        self.deny("direct-streamlocal", dest_path)
        return False

    def unix_server_requested(self, listen_path: str):
        self.deny("streamlocal-forward", listen_path)
        return False

    def tun_requested(self, unit: int | None):
        self.deny("tun", str(unit))
        return False

    def tap_requested(self, unit: int | None):
        self.deny("tap", str(unit))
        return False


class _SlateConnection(asyncssh.SSHServerConnection):
    """asyncssh's server connection without its empty SSH_MSG_IGNORE ahead of every packet.

    asyncssh 2.24.1 (``SSHConnection.send_packet``) sends an empty IGNORE packet before each
    packet it encrypts: the RFC 4251 §9.3.1 countermeasure against the CBC mode's chained IVs.
    Slate offers no CBC cipher (ENCRYPTION_ALGS: chacha20-poly1305, AES-GCM, AES-CTR with
    encrypt-then-MAC), whose nonces/counters come from the packet sequence, so the filler
    protects nothing here (OpenSSH never sends it); it doubled the encryption, the system calls
    and the TCP segments of every frame sent to a learner (issue 15). Its size and place are
    fixed, so it hid nothing from traffic analysis either. Should a CBC cipher ever be
    negotiated, the filler is kept. Nothing else changes: every other packet, the MACs, rekeying
    and the sequence numbers are asyncssh's own (a packet never sent takes no number).
    """

    def send_packet(self, pkttype: int, *args: bytes, handler: Any = None) -> None:
        if pkttype == MSG_IGNORE and args == _EMPTY_STRING and _no_cbc(self._enc_alg_sc):
            return
        super().send_packet(pkttype, *args, handler=handler)


_EMPTY_STRING = (b"\0\0\0\0",)  # asyncssh's String(b""): the filler's whole payload


def _no_cbc(cipher: bytes) -> bool:
    return bool(cipher) and not cipher.endswith(b"-cbc")


class _AuditedChannel(asyncssh.SSHServerChannel):
    """A session channel that refuses and audits env, agent and X11 requests, and unknown ones."""

    slate_session: SlateSession

    def _process_env_request(self, packet: Any) -> bool:
        key = packet.get_string()
        value = packet.get_string()
        packet.check_end()
        # Every stock OpenSSH client sends LANG: refused, and kept for one audit row per
        # session (see SlateSession.note_env), not one row per variable.
        self.slate_session.note_env(
            f"{key.decode('utf-8', 'replace')}={value.decode('utf-8', 'replace')}"
        )
        return False

    @override
    def _process_x11_req_request(self, packet: Any) -> bool:
        self.slate_session.server.deny("x11")
        return False

    # asyncssh answers this request later (None); refusing now answers at once.
    @override
    def _process_auth_agent_req_at_openssh_dot_com_request(  # type: ignore[override]
        self, packet: Any
    ) -> bool:
        self.slate_session.server.deny("auth-agent")
        return False

    def _service_next_request(self) -> None:
        request = self._request_queue[0][0]
        name = "_process_" + request.replace("-", "_").replace("@", "_at_").replace(".", "_dot_")
        if not hasattr(self, name + "_request"):
            self.slate_session.server.deny("channel-request", request)
        super()._service_next_request()


# -- per session --------------------------------------------------------------------------------


class SlateSession(asyncssh.SSHServerSession):
    """One session channel: a pty-backed TUI, its recording and control channel."""

    def __init__(self, server: SlateSSHServer) -> None:
        self.server = server
        self.room = server.room
        self.session_id = uuid.uuid4().hex
        self.chan: Any = None
        self.term = ""
        self.cols = 80
        self.rows = 24
        self.pty = False
        self.process: TuiProcess | None = None
        self.recorder: Recorder | None = None
        self.control: ControlChannel | None = None
        self.started_at = time.time()
        self.bytes_in = 0
        self.bytes_out = 0
        self.end_reason = "disconnected"
        self._ended = False
        self._stored = False  # the store has a row for this session (end_session needs one)
        self._env_denied: list[str] = []
        self._env_count = 0
        self._closing = False
        self._last_input = time.monotonic()
        self._warned_idle = False
        self._audited_drop = False
        self._early_input: bytearray | None = bytearray()
        """Keys typed while the app is still starting (kept for it, in order); None after."""
        self._timers: list[asyncio.TimerHandle] = []
        self._resize_pending: tuple[int, int] | None = None
        self._resize_times: list[float] = []
        self._resize_handle: asyncio.TimerHandle | None = None
        self.finished = asyncio.Event()
        self.tasks = SessionTasks(f"session {self.session_id}")
        self.observers: set[Callable[[bytes], None]] = set()
        self.log = ContextLogger(
            log, {"conn": server.conn_id, "user": server.username, "session": self.session_id[:8]}
        )

    # channel events

    def connection_made(self, chan: Any) -> None:
        self.chan = chan
        chan.__class__ = _AuditedChannel
        chan.slate_session = self

    @override
    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes):
        self.term = term_type if TERM_RE.fullmatch(term_type or "") else "xterm"
        if self.term != term_type:
            self.server.deny("term", f"unusual TERM {term_type!r} replaced by xterm")
        self.cols, self.rows = self._clamp(term_size[0], term_size[1])
        self.pty = True
        return True

    def shell_requested(self) -> bool:
        return True

    NO_COMMANDS = (
        "Slate serves only its classroom app: connect with plain 'ssh' (no command, no sftp).\r\n"
    )

    def exec_requested(self, command: str) -> bool:
        self.server.deny("exec", command[:1000])
        self._refuse_channel()
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        self.server.deny("subsystem", subsystem[:200])
        self._refuse_channel()
        return False

    def _refuse_channel(self) -> None:
        """Close the channel after a refused exec/subsystem: some clients (Dropbear's dbclient)
        send those requests without asking for a reply, so a refusal alone leaves them waiting
        until the idle timeout."""
        asyncio.get_running_loop().call_soon(self._say_and_close, self.NO_COMMANDS)

    @override
    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal_name: str) -> None:
        self.server.deny("signal", signal_name[:50])

    def session_started(self) -> None:
        self.flush_env()  # a client sends its env requests before the shell request
        if not self.pty:
            self.server.deny("shell-without-pty")
            self.chan.write(
                b"Slate needs an interactive terminal: connect with plain 'ssh'"
                b" (no -T, no command).\r\n"
            )
            self.chan.exit(1)
            return
        self.tasks.spawn(self._start(), name="start")

    @override
    def data_received(self, data: bytes, datatype: Any) -> None:
        if self._closing:
            return
        if self.keys_locked:  # an instructor locked this screen (server.classroom)
            return
        early = self._early_input
        if early is not None:
            # The app is still starting (workspace, sandbox, interpreter): what is typed now
            # waits here, in order and bounded like the pty's own queue, and goes to the app
            # as soon as it runs (a key typed at once after logging in is not lost).
            keep = max(0, MAX_PENDING_INPUT - len(early))
            early += data[:keep]
            if len(data) > keep:
                self._input_dropped()
            return
        if self.process is None:
            return
        self._to_app(data)

    def _to_app(self, data: bytes) -> None:
        assert self.process is not None
        self._last_input = time.monotonic()
        if self._warned_idle:
            self._warned_idle = False
        self.bytes_in += len(data)
        if self.recorder is not None:
            self.recorder.input(data)
        dropped = self.process.dropped_input
        self.process.write_input(data)
        if self.process.dropped_input > dropped:
            self._input_dropped()

    def _input_dropped(self) -> None:
        if not self._audited_drop:
            # A paste far bigger than the app can take in: the rest is dropped (once noted).
            self._audited_drop = True
            self.server.audit("input_dropped", pending_limit=MAX_PENDING_INPUT)

    def eof_received(self) -> bool:
        return False

    @override
    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        cols, rows = self._clamp(width, height)
        now = time.monotonic()
        self._resize_times = [t for t in self._resize_times if now - t < 1.0]
        self._resize_pending = (cols, rows)
        limit = self.room.config.session.resize_per_second
        if len(self._resize_times) < limit and self._resize_handle is None:
            self._apply_resize()
        elif self._resize_handle is None:
            # A storm: coalesce into one resize a little later (the latest size wins).
            self._resize_handle = asyncio.get_running_loop().call_later(
                1.0 / max(limit, 1), self._apply_resize
            )

    def _apply_resize(self) -> None:
        self._resize_handle = None
        if self._resize_pending is None:
            return
        cols, rows = self._resize_pending
        self._resize_pending = None
        self._resize_times.append(time.monotonic())
        if (cols, rows) == (self.cols, self.rows):
            return
        self.cols, self.rows = cols, rows
        if self.recorder is not None:
            self.recorder.resize(cols, rows)
        if self.process is not None:
            self.process.resize(cols, rows)

    def _clamp(self, cols: int, rows: int) -> tuple[int, int]:
        cfg = self.room.config.session
        return (
            min(max(int(cols) or 80, MIN_COLS), cfg.max_cols),
            min(max(int(rows) or 24, MIN_ROWS), cfg.max_rows),
        )

    def pause_writing(self) -> None:
        if self.process is not None:
            self.process.pause_output()

    def resume_writing(self) -> None:
        if self.process is not None:
            self.process.resume_output()

    @override
    def connection_lost(self, exc: Exception | None) -> None:
        self.connection_gone()

    # starting

    async def _start(self) -> None:
        server, room = self.server, self.room
        account = server.account
        if account.role not in APP_FOR_ROLE:
            self.server.deny("role", account.role)
            self._say_and_close("Your account has no classroom role.\r\n")
            return
        previous = room.live.get(account.name)
        if previous is not None and previous is not self:
            server.audit(
                "takeover",
                old_session=previous.session_id,
                new_session=self.session_id,
                old_address=previous.server.address,
            )
            await previous.taken_over(server.address)
        room.live[account.name] = self
        room.sessions.add(self)
        path = recording_path(room.data_dir / "recordings", self.session_id, self.started_at)
        meta = {
            "user": account.name,
            "role": account.role,
            "session": self.session_id,
            "address": server.address,
        }
        self.recorder = Recorder(path, self.cols, self.rows, term=self.term, meta=meta)
        try:
            room.store.start_session(
                self.session_id,
                account.name,
                address=server.address,
                term=self.term,
                cols=self.cols,
                rows=self.rows,
                recording=str(path.relative_to(room.data_dir)),
            )
            self._stored = True
        except Exception:
            self.log.exception("store.start_session failed")
        server.audit(
            "session_start",
            term=self.term,
            cols=self.cols,
            rows=self.rows,
            role=account.role,
            recording=str(path.relative_to(room.data_dir)),
        )
        workspace = None
        try:
            host_uid = room.host_uid(account) if account.role == "learner" else None
        except ValueError as exc:
            server.audit("session_error", reason=str(exc))
            self._say_and_close("Your account cannot be given a sandbox. Please tell staff.\r\n")
            return
        if account.role == "learner":
            try:
                # In a thread: a first login builds the workspace's repository (~90 ms of
                # libgit2 and file work) and would stall every other session's echo meanwhile.
                workspace = await asyncio.to_thread(
                    room.services.workspace_dir, account, host_uid
                )
            except Exception:
                self.log.exception("workspace provisioning failed")
                self._say_and_close("Your workspace could not be opened. Please tell staff.\r\n")
                return
        cfg = room.config.sandbox
        launch = TuiLaunch(
            role=account.role,
            user=account.name,
            session_id=self.session_id,
            term=self.term,
            cols=self.cols,
            rows=self.rows,
            workspace=workspace,
            host_uid=host_uid,
            memory_bytes=cfg.session_memory_mb << 20,
            pids_max=cfg.session_pids,
            tmp_size=cfg.tmp_size_mb << 20,
            # Env requests are refused, so a site asks for monochrome / ASCII here, not the client.
            extra_env=({"NO_COLOR": "1"} if room.config.session.monochrome else {})
            | ({"SLATE_ASCII": "1"} if room.config.session.ascii_only else {}),
        )
        self.process = TuiProcess(launch, self._output, self._process_exit)
        try:
            await self.process.start()
        except Exception as exc:
            self.log.exception("TUI start failed")
            server.audit("session_error", reason=f"tui start failed: {exc}")
            self.process = None
            self._say_and_close(
                "The classroom could not start your session. Please tell staff.\r\n"
            )
            return
        assert self.process.control is not None
        handlers = room.services.handlers_for(self, account)
        self.control = ControlChannel(
            self.process.control, handlers, lambda kind, why: server.deny(f"control:{kind}", why)
        )
        # The channel's transport owns the socket now: closing it behind the transport's back
        # would let a later pty reuse the fd number while the loop still watches it.
        self.process.control = None
        self.tasks.spawn(self.control.serve(), name="control channel")
        early, self._early_input = self._early_input, None
        if early and not self._closing and not self.keys_locked:
            self._to_app(bytes(early))
        self._schedule_ticks()

    def _schedule_ticks(self) -> None:
        loop = asyncio.get_running_loop()

        def tick() -> None:
            if self._ended:
                return
            if self.recorder is not None:
                self.recorder.flush()
            self._check_idle()
            self._timers = [loop.call_later(1.0, tick)]

        self._timers = [loop.call_later(1.0, tick)]

    def _check_idle(self) -> None:
        if self._closing:  # already ending: one logout, one audit record
            return
        cfg = self.room.config.session
        idle = time.monotonic() - self._last_input
        if idle >= cfg.idle_timeout:
            self.end_reason = "idle timeout"
            self.server.audit("idle_timeout", idle_seconds=int(idle))
            self._closing = True
            self.tasks.spawn(
                self.end_tui("You were idle too long, so the classroom logged you out."),
                name="idle logout",
            )
        elif idle >= cfg.idle_timeout - cfg.idle_warning and not self._warned_idle:
            self._warned_idle = True
            if self.control is not None:
                self.control.push(
                    protocol.Notify(
                        text=f"You will be logged out in {cfg.idle_warning} seconds"
                        " unless you press a key.",
                        severity="warning",
                        title="Still there?",
                    )
                )

    # output path

    def _output(self, data: bytes) -> None:
        self.bytes_out += len(data)
        if self.recorder is not None:
            self.recorder.output(data)
        for observer in list(self.observers):
            with contextlib.suppress(Exception):
                observer(data)
        if self.chan is not None and not self.chan.is_closing():
            with contextlib.suppress(Exception):
                self.chan.write(data)

    def request_repaint(self) -> None:
        """Ask the TUI to redraw everything (an observer attached and needs a full picture)."""
        if self.control is not None:
            self.control.push(protocol.Repaint())

    # the live class (server.classroom): a locked screen, paired typing, idle time

    keys_locked = False
    """True while an instructor has locked this screen: the person's own keys are ignored."""

    def inject_input(self, data: bytes, by: str) -> None:
        """Type ``data`` for ``by`` (an instructor the learner accepted as a pair). Recorded as
        ``i`` between ``m`` markers ``typed-by:<name>``, so the recording shows who typed what."""
        if self.process is None or self._closing:
            return
        if self.recorder is not None:
            self.recorder.marker(f"typed-by:{by}")
            self.recorder.input(data)
            self.recorder.marker(f"typed-by:{self.server.username}")
        self.process.write_input(data)

    def idle_seconds(self) -> float:
        """Seconds since this person last pressed a key."""
        return time.monotonic() - self._last_input

    # ending

    def _say_and_close(self, text: str) -> None:
        if self.chan is not None:
            with contextlib.suppress(Exception):
                self.chan.write(text.encode())
                self.chan.exit(1)

    async def taken_over(self, _new_address: str) -> None:
        """Another login of the same learner arrived: save, tell this one, close it."""
        self.end_reason = "taken over"
        if self.recorder is not None:
            self.recorder.marker("takeover")
        await self.end_tui(
            "Your session was opened from another terminal, so this one has been closed.",
            close_connection=True,
        )

    async def end_tui(self, message: str, close_connection: bool = True) -> None:
        """Ask the TUI to save and quit, show ``message``, then close the channel."""
        self._closing = True
        if self.process is not None and self.process.running:
            if self.control is not None:
                self.control.push(protocol.Shutdown(reason=message))
            if not await self.process.wait(2.0):
                await self.process.terminate(grace=1.0)
        if self.chan is not None and not self.chan.is_closing():
            with contextlib.suppress(Exception):
                self.chan.write(b"\r\n\x1b[0m" + message.encode() + b"\r\n")
                self.chan.exit(0)
        if close_connection and self.server.conn is not None:
            self.server.conn.close()
        await self.finished.wait()

    def _process_exit(self, returncode: int | None) -> None:
        if self.end_reason == "disconnected" and not self._closing:
            self.end_reason = "quit" if returncode == 0 else f"tui exited ({returncode})"
        if self.chan is not None and not self.chan.is_closing():
            with contextlib.suppress(Exception):
                self.chan.exit(0 if returncode == 0 else 1)
        self._finish()

    def connection_gone(self) -> None:
        """The client went away: end the TUI (it saves on SIGHUP/shutdown) and finish."""
        self.chan = None
        if self.process is not None and self.process.running and not self._closing:
            self._closing = True
            self.tasks.spawn(self.end_tui("", close_connection=False), name="end")
        elif self.process is None:
            self._finish()

    MAX_ENV_KEPT = 16

    def note_env(self, assignment: str) -> None:
        """An env request was refused: keep it (bounded) for :meth:`flush_env`."""
        self._env_count += 1
        if len(self._env_denied) < self.MAX_ENV_KEPT:
            self._env_denied.append(sanitize(assignment, 200))

    def flush_env(self) -> None:
        """One ``request_denied`` row for every env request of this session (at most once)."""
        if self._env_count:
            self.server.audit(
                "request_denied",
                request="env",
                detail="; ".join(self._env_denied),
                count=self._env_count,
            )
            self._env_denied, self._env_count = [], 0

    def _finish(self) -> None:
        if self._ended:
            return
        self._ended = True
        self.flush_env()
        for timer in self._timers:
            timer.cancel()
        if self._resize_handle is not None:
            self._resize_handle.cancel()
        room = self.room
        if room.live.get(self.server.username) is self:
            room.live.pop(self.server.username, None)
        room.sessions.discard(self)
        if self.control is not None:
            self.control.close()
        digest = None
        recording = None
        if self.recorder is not None:
            digest = self.recorder.close()
            recording = str(self.recorder.path.relative_to(room.data_dir))
        duration = round(time.time() - self.started_at, 3)
        try:
            room.services.session_ended(self)
        except Exception:
            self.log.exception("session end hook failed")
        self.tasks.close(grace=5.0)
        try:
            if self._stored:  # a refused exec or no-pty session never had a row
                room.store.end_session(
                    self.session_id,
                    bytes_in=self.bytes_in,
                    bytes_out=self.bytes_out,
                    digest=digest,
                    end_reason=self.end_reason,
                )
        except Exception:
            self.log.exception("store.end_session failed")
        self.server.audit(
            "session_end",
            reason=self.end_reason,
            duration=duration,
            bytes_in=self.bytes_in,
            bytes_out=self.bytes_out,
            recording=recording,
            digest=digest,
        )
        self.finished.set()


# -- serving ------------------------------------------------------------------------------------


def load_host_key(data_dir: Path) -> asyncssh.SSHKey:
    """Load the ed25519 host key, generating it (mode 0600) on first start."""
    key_dir = data_dir / "host_keys"
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(key_dir, 0o700)
    path = key_dir / "ssh_host_ed25519_key"
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.export_private_key())
        (key_dir / "ssh_host_ed25519_key.pub").write_bytes(key.export_public_key())
    os.chmod(path, 0o600)
    return asyncssh.read_private_key(str(path))


def prepare_data_dir(data_dir: Path) -> None:
    """Create the data dir with modes that let sandbox uids reach only their own workspace."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o711)
    for name, mode in (("workspaces", 0o711), ("history", 0o700), ("recordings", 0o700)):
        path = data_dir / name
        path.mkdir(exist_ok=True)
        os.chmod(path, mode)


def check_sandbox_reach() -> None:
    """In per-learner mode, refuse to start if a learner's uid could not reach what its sandbox
    binds (its workspace, the venv, Slate's packages): every sandbox would fail to start.

    Raises:
        SystemExit: with a message naming the path and what to change.
    """
    if os.geteuid() != 0:
        return

    # bwrap (root) binds the venv and the packages wherever they live; inside, the learner's
    # uid must be able to read them from the bound folder down.
    venv = Path(sys.prefix)
    needs = [  # (path, must be readable, must be executable/searchable, bound folder)
        (venv / "bin" / "python", True, True, venv),
        (PROJECT_ROOT / "tui" / "__init__.py", True, False, PROJECT_ROOT / "tui"),
    ]
    for path, readable, executable, bound in needs:
        why = other_can(path, need_read=readable, need_exec=executable, within=bound)
        if why:
            raise SystemExit(
                f"slate: learners' sandboxes could not read {path}: {why}. "
                "Run 'make install' (it makes the venv world-readable) or chmod -R a+rX it."
            )


async def serve(
    config: Config,
    *,
    ready: Callable[[str, int], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the gateway until SIGTERM/SIGINT (or ``stop`` is set).

    Args:
        config: the loaded configuration.
        ready: called with (host, port) once listening (port 0 in the config picks a free one).
        stop: an event that ends the server when set (tests, embedding).
    """
    data_dir = Path(config.server.data_dir)
    prepare_data_dir(data_dir)
    check_sandbox_reach()

    swept = await asyncio.to_thread(sweep_stale_work_dirs)
    swept += sum([await asyncio.to_thread(sweep_abandoned, p) for p in ("run-", "session-")])
    if swept:
        log.info("removed %d check folders and cgroups left by a previous run", swept)
    host_key = load_host_key(data_dir)
    store = Store(data_dir / "slate.db", uid_count=config.sandbox.uid_count)
    audit = AuditLog(store)
    audit.start_writer()  # audit rows are written by a thread, never holding the event loop
    services = SessionServices(config, store, audit)
    room = Classroom(
        config,
        store,
        audit,
        services,
        AuthGuard(config.auth, store),
        Doorman(config.auth, audit),
        Verifier(),
    )
    services.room = room

    def factory() -> SlateSSHServer:
        return SlateSSHServer(room)

    options = asyncssh.SSHServerConnectionOptions(
        server_host_keys=[host_key],
        kex_algs=KEX_ALGS,
        encryption_algs=ENCRYPTION_ALGS,
        mac_algs=MAC_ALGS,
        compression_algs=["none"],
        signature_algs=CLIENT_SIG_ALGS,
        allow_pty=True,
        line_editor=False,
        agent_forwarding=False,
        x11_forwarding=False,
        allow_scp=False,
        encoding=None,
        login_timeout=config.auth.login_timeout,
        keepalive_interval=config.session.keepalive_interval,
        keepalive_count_max=config.session.keepalive_count_max,
        server_version="Slate",
    )
    doorman = room.doorman
    listener = socket.create_server(
        (config.server.listen_host, config.server.listen_port), reuse_port=False, backlog=256
    )
    listener.setblocking(False)
    loop = asyncio.get_running_loop()
    handshakes: set[asyncio.Task[None]] = set()

    async def handshake(sock: socket.socket, ssh_server: SlateSSHServer) -> None:
        try:
            await asyncssh.run_server(sock, options=options, server_factory=lambda: ssh_server)
        except asyncssh.IllegalUserName as exc:
            # asyncssh refuses control characters and huge names before our begin_auth runs.
            ssh_server.audit("login_failed", reason="invalid username", name=str(exc)[:200])
            ssh_server.release_slot()
        except (OSError, asyncssh.Error, TimeoutError) as exc:
            ssh_server.log.info("handshake ended: %s", exc)
            ssh_server.release_slot()
            with contextlib.suppress(OSError):
                sock.close()
        except asyncio.CancelledError:  # dropped by the doorman before the transport existed
            ssh_server.release_slot()
            with contextlib.suppress(OSError):
                sock.close()
            raise

    def refuse(sock: socket.socket, held: bool) -> None:
        if held:
            doorman.refusal_sent()
        with contextlib.suppress(OSError):
            sock.setblocking(False)
            sock.send(b"Not allowed at this time\r\n")
        sock.close()

    async def sweep_loop() -> None:
        while True:  # idle pre-auth connections are dropped even when nobody new arrives
            await asyncio.sleep(1.0)
            doorman.sweep()

    async def accept_loop() -> None:
        while True:
            try:
                sock, peer = await loop.sock_accept(listener)
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE):  # out of fds: back off, keep serving
                    await asyncio.sleep(0.1)
                    continue
                raise
            address = str(peer[0])
            wait = doorman.reserve(address)
            if wait is None:
                refuse_held(sock)
            elif wait > 0:  # over the address's rate: wait for its token, in arrival order
                loop.call_later(wait, start_waited, sock, address)
            else:
                start(sock, address, reserved=True)

    def refuse_held(sock: socket.socket) -> None:
        hold = doorman.hold_refusal()
        if hold:  # a client reconnecting in a loop must not take every token
            loop.call_later(hold, refuse, sock, True)
        else:
            refuse(sock, False)

    def start_waited(sock: socket.socket, address: str) -> None:
        doorman.waited()
        start(sock, address, reserved=True)

    def start(sock: socket.socket, address: str, *, reserved: bool) -> None:
        ssh_server = SlateSSHServer(room)
        ssh_server.address = address
        ticket = doorman.admit(address, ssh_server.drop, reserved=reserved)
        if isinstance(ticket, str):
            refuse_held(sock)
            return
        ssh_server.ticket = ticket
        task = loop.create_task(handshake(sock, ssh_server))
        ssh_server.handshake_task = task
        handshakes.add(task)
        task.add_done_callback(handshakes.discard)

    accepting = loop.create_task(accept_loop())
    sweeping = loop.create_task(sweep_loop())
    host, port = listener.getsockname()[:2]
    audit.append(
        "server_start",
        address=f"{host}:{port}",
        pid=os.getpid(),
        uid_mode="per-learner" if os.geteuid() == 0 else "shared",
    )
    log.info("listening on %s:%s", host, port)
    if ready is not None:
        ready(host, port)
    else:
        print(f"slate: listening on {host}:{port}", flush=True)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()

    _housekeeping = loop.create_task(audit_housekeeping(config, store, audit, stop))
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        accepting.cancel()
        sweeping.cancel()
        listener.close()
        for session in list(room.sessions):
            session.end_reason = "server stopping"
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    session.end_tui("The classroom server is stopping. Your work is saved."), 5
                )
        for task in list(handshakes):
            task.cancel()
        audit.append("server_stop", pid=os.getpid())
        await asyncio.to_thread(audit.stop_writer)  # every queued row is written before exit
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
