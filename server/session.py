"""One session's TUI process: a pty, a bubblewrap sandbox, a cgroup, and the control socket.

Keeps the process-model invariants: the role's TUI runs as its own process on a private pty inside
bubblewrap (never in the server process), under the learner's host uid in production (invariant 7),
in a memory + pids cgroup, with a clean environment; when the session ends the whole process tree
ends with it (cgroup kill + pid namespace), so nothing is orphaned.

Facts used (ARCHITECTURE): Textual reads fd 0 and writes fd 2, so the pty slave is fds 0-2 and the
controlling tty (TIOCSCTTY); COLUMNS/LINES are never set; a window change is TIOCSWINSZ on the
master (the kernel sends SIGWINCH); no ``--new-session`` for the TUI or resize never arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import pty
import resource
import signal
import socket
import struct
import sys
import termios
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jail import profiles, seccomp
from jail.cgroup import Cgroup
from jail.sandbox import SandboxSpec, bwrap_argv
from server.vocabulary import APP_FOR_ROLE

PROJECT_ROOT = Path(__file__).resolve().parent.parent
READ_CHUNK = 65536
STAFF_UID = profiles.STAFF_UID  # "nobody": staff TUIs own no files, only read the runtime
MAX_PENDING_INPUT = 1 << 20  # a paste beyond 1 MiB waiting for the pty is dropped, not buffered

# The benchmark's floor: a raw-echo program served through the same gateway, pty and sandbox
# instead of the TUI (selected only by SLATE_BENCH_APP=raw-echo in the *server's* environment,
# never by anything a client sends). It prints the user's name, then echoes bytes; ctrl+q ends it.
RAW_ECHO = (
    "import os, sys, termios, tty\n"
    "tty.setraw(0, termios.TCSANOW)\n"
    "os.write(2, ('raw-echo ' + os.environ['SLATE_USER'] + '\\r\\n').encode())\n"
    "while True:\n"
    "    data = os.read(0, 4096)\n"
    "    if not data or b'\\x11' in data:\n"
    "        break\n"
    "    os.write(2, data)\n"
)


def quiet_line_discipline(fd: int) -> None:
    """Keys can reach a new pty before its app has set the terminal up (typed at once after
    logging in; the gateway holds them until the app starts, then sends them): the pty must
    not echo them itself, hold them for a whole line, or turn Ctrl+C / Ctrl+Z / Ctrl+\\ into
    signals that kill the starting app. The modes an app like Textual sets anyway, set from
    the start (output processing is left as it is)."""
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN | termios.ISIG)
    attrs[0] &= ~(termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR | termios.IGNCR)
    termios.tcsetattr(fd, termios.TCSANOW, attrs)


@dataclass
class TuiLaunch:
    """What to start for one session.

    Attributes:
        role: learner / instructor / auditor / admin (the TUI app to run).
        user: the account name (already validated by the store).
        session_id: the session's id.
        term: the client's TERM (already validated).
        cols: initial columns (clamped).
        rows: initial rows (clamped).
        workspace: the learner's workspace directory, bound read-write at /workspace.
        host_uid: host uid to run the sandbox under (None: the server's own uid, shared mode).
        memory_bytes: cgroup memory limit for the whole session.
        pids_max: cgroup pids limit for the whole session.
        tmp_size: bytes of tmpfs at /tmp.
    """

    role: str
    user: str
    session_id: str
    term: str
    cols: int
    rows: int
    workspace: Path | None = None
    host_uid: int | None = None
    memory_bytes: int = 512 << 20
    pids_max: int = 128
    tmp_size: int = 32 << 20
    extra_env: dict[str, str] = field(default_factory=dict)


def python_for_sandbox() -> Path:
    """The venv interpreter the TUI runs with (the server's own ``sys.prefix``)."""
    return Path(sys.prefix) / "bin" / "python"


def tui_spec(launch: TuiLaunch) -> SandboxSpec:
    """The sandbox for a TUI: the venv and Slate's own packages read-only, the workspace writable.

    The course catalog (solutions, check assets) is hidden under an empty tmpfs: the TUI gets
    lessons and starter files from the server over the control channel.
    """
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "TERM": launch.term,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONSAFEPATH": "1",
        "SLATE_USER": launch.user,
        "SLATE_ROLE": launch.role,
        "SLATE_SESSION": launch.session_id,
        **launch.extra_env,
    }
    argv = [str(python_for_sandbox()), "-m", "tui", APP_FOR_ROLE[launch.role]]
    # Learners only: staff keep their real apps (an instructor can watch raw-echo learners).
    if os.environ.get("SLATE_BENCH_APP") == "raw-echo" and launch.role == "learner":
        argv = [str(python_for_sandbox()), "-c", RAW_ECHO]
    # The TUI profile (jail.profiles): binds, uid (learner's, or nobody for staff), no
    # --new-session (the pty is private to the session; resize needs the ctty).
    return profiles.tui_session(
        argv,
        prefix=Path(sys.prefix),
        env=env,
        workspace=launch.workspace,
        host_uid=launch.host_uid,
        tmp_size=launch.tmp_size,
    )


def set_winsize(fd: int, cols: int, rows: int) -> None:
    """Set a pty's window size (on the master: the kernel signals the foreground group)."""
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class TuiProcess:
    """A running TUI: pty master, control socket, process, cgroup.

    Output from the pty goes to ``on_output``; ``on_exit(returncode)`` is called once when the
    process has ended and the pty is drained.
    """

    def __init__(
        self,
        launch: TuiLaunch,
        on_output: Callable[[bytes], None],
        on_exit: Callable[[int | None], None],
    ) -> None:
        self.launch = launch
        self._on_output = on_output
        self._on_exit = on_exit
        self._loop = asyncio.get_running_loop()
        self.master = -1
        self.control: socket.socket | None = None
        self.process: asyncio.subprocess.Process | None = None
        self.cgroup: Cgroup | None = None
        self._reading = False
        self._paused = False
        self._pending_input = bytearray()
        self._writer_registered = False
        self._exited = asyncio.Event()
        self.returncode: int | None = None
        self.dropped_input = 0

    async def start(self) -> None:
        """Create the pty, cgroup and control socket, then start bwrap with the TUI."""
        launch = self.launch
        master, slave = pty.openpty()
        set_winsize(master, launch.cols, launch.rows)
        quiet_line_discipline(slave)
        parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        child_fd = child_sock.fileno()
        os.set_inheritable(child_fd, True)
        spec = tui_spec(launch)
        spec.env["SLATE_CONTROL_FD"] = str(child_fd)
        # The same syscall filter as Run/Check sandboxes (no ptrace, no new namespaces, no
        # TIOCSTI...): the TUI is the learner's too.
        seccomp_fd = seccomp.filter_fd()
        spec.seccomp_fd = seccomp_fd
        pass_fds = (child_fd,) if seccomp_fd is None else (child_fd, seccomp_fd)
        argv = bwrap_argv(spec)
        self.cgroup = Cgroup.create(
            f"session-{launch.session_id}", launch.memory_bytes, launch.pids_max
        )
        cgroup = self.cgroup

        def child_setup() -> None:  # runs in the child between fork and exec
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            if cgroup is not None:
                cgroup.join()
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        try:
            self.process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                pass_fds=pass_fds,
                preexec_fn=child_setup,
                close_fds=True,
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            )
        except Exception:
            os.close(master)
            parent_sock.close()
            if self.cgroup is not None:
                self.cgroup.remove()
            raise
        finally:
            os.close(slave)
            child_sock.close()
            if seccomp_fd is not None:
                os.close(seccomp_fd)
        self.master = master
        self.control = parent_sock
        os.set_blocking(master, False)
        self._start_reading()
        self._loop.create_task(self._wait())

    # -- output -------------------------------------------------------------------------------

    def _start_reading(self) -> None:
        if not self._reading and self.master >= 0 and not self._paused:
            self._loop.add_reader(self.master, self._read_ready)
            self._reading = True

    def _stop_reading(self) -> None:
        if self._reading:
            self._loop.remove_reader(self.master)
            self._reading = False

    def pause_output(self) -> None:
        """Back-pressure from a slow client: stop reading the pty (the TUI then blocks)."""
        self._paused = True
        self._stop_reading()

    def resume_output(self) -> None:
        """The client caught up: read the pty again."""
        self._paused = False
        self._start_reading()

    def _read_ready(self) -> None:
        try:
            data = os.read(self.master, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError as exc:  # EIO: every slave fd is closed (the TUI ended)
            if exc.errno != errno.EIO:
                raise
            data = b""
        if not data:
            self._stop_reading()
            return
        self._on_output(data)

    # -- input --------------------------------------------------------------------------------

    def write_input(self, data: bytes) -> None:
        """Send the client's keystrokes to the pty, buffering (bounded) if it is full."""
        if self.master < 0:
            return
        if len(self._pending_input) + len(data) > MAX_PENDING_INPUT:
            keep = max(0, MAX_PENDING_INPUT - len(self._pending_input))
            self.dropped_input += len(data) - keep
            data = data[:keep]
        self._pending_input += data
        self._flush_input()

    def _flush_input(self) -> None:
        while self._pending_input:
            try:
                written = os.write(self.master, self._pending_input)
            except BlockingIOError:
                break
            except OSError:
                self._pending_input.clear()
                break
            del self._pending_input[:written]
        if self._pending_input and not self._writer_registered:
            self._loop.add_writer(self.master, self._flush_input)
            self._writer_registered = True
        elif not self._pending_input and self._writer_registered:
            self._loop.remove_writer(self.master)
            self._writer_registered = False

    def resize(self, cols: int, rows: int) -> None:
        """Apply a (clamped) window size: TIOCSWINSZ on the master; the kernel sends SIGWINCH."""
        if self.master >= 0:
            with contextlib.suppress(OSError):
                set_winsize(self.master, cols, rows)

    # -- ending -------------------------------------------------------------------------------

    async def _wait(self) -> None:
        assert self.process is not None
        self.returncode = await self.process.wait()
        # Drain what the TUI wrote last (its goodbye frame), then release everything.
        while self.master >= 0:
            try:
                data = os.read(self.master, READ_CHUNK)
            except OSError:
                break
            if not data:
                break
            self._on_output(data)
        self._release()
        self._exited.set()
        self._on_exit(self.returncode)

    def _release(self) -> None:
        self._stop_reading()
        if self._writer_registered:
            self._loop.remove_writer(self.master)
            self._writer_registered = False
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        if self.control is not None:
            self.control.close()
            self.control = None

    @property
    def running(self) -> bool:
        """True until the process has exited."""
        return not self._exited.is_set()

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait for the process to end; True if it did within ``timeout``."""
        try:
            await asyncio.wait_for(self._exited.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def kill(self) -> None:
        """End the whole tree now: SIGKILL the process group and everything in the cgroup."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.cgroup is not None:
            self.cgroup.kill_all()

    async def terminate(self, grace: float = 2.0) -> None:
        """Ask politely (SIGHUP, like a closed terminal), then kill after ``grace`` seconds."""
        if self.process is None or not self.running:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGHUP)
        if not await self.wait(grace):
            self.kill()
            await self.wait(5.0)
