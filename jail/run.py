"""Run one command in a fresh sandbox with hard limits: the only way learner code executes.

Keeps invariant 2 (learner code never runs in the server process, never on the host, never with
network) and invariant 7 (a host uid per learner). Every call starts a *new* bubblewrap sandbox
(``jail.sandbox``): all namespaces unshared (network = only ``lo``), ``--new-session``,
``--die-with-parent``, read-only system, sized tmpfs /tmp, a seccomp filter, no inherited file
descriptors and a clean environment. Limits:

- memory and pids: a cgroup (v1 or v2, ``jail.cgroup``) that the child joins *before* it drops
  privileges and execs bwrap, so every process of the run is in it and is killed with it;
- CPU seconds, file size, open files, core dumps (and process count when bwrap does not run as
  host root, where the kernel honours it): rlimits set in the child;
- wall time, output size (stdout + stderr), and the owner's Stop: enforced here.

When a per-learner ``host_uid`` is given (the server runs as root), bwrap runs as root without
a user namespace (the kernel refuses those in a chroot, and some hosts disable them) and
``setpriv`` inside the sandbox becomes the learner's host uid with no capabilities and
no_new_privs before the command runs: files it writes belong to the learner, and RLIMIT_NPROC
(set here, inherited) counts the learner's tasks. Whatever a run leaves behind (``setsid``,
double forks) dies with its pid namespace and its cgroup before :func:`run_async` returns.

Imports nothing of Slate's outside ``jail``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import math
import os
import resource
import select
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from jail import seccomp
from jail.cgroup import Cgroup, low_cpu_group
from jail.sandbox import Bind, SandboxSpec, bwrap_argv

DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
# The environment every sandbox starts from; a RunSpec's own ``env`` is added on top.
BASE_ENV = {"PATH": DEFAULT_PATH, "HOME": "/tmp", "LANG": "C.UTF-8"}
# Learner host uids start here: never root, never a system account's uid.
MIN_HOST_UID = 1000
# The names RunResult.limit can take.
LIMIT_NAMES = ("wall", "cpu", "memory", "pids", "output", "disk")
# Processes bwrap itself needs around the command (monitor, pid 1) when NPROC is counted.
_BWRAP_TASKS = 4
_READ_CHUNK = 65536
_WATCH_INTERVAL = 0.1
_DRAIN_TIMEOUT = 2.0
# What programs print when a write fails for lack of space or a file-size limit.
_DISK_MARKERS = (
    b"File too large",
    b"EFBIG",
    b"No space left on device",
    b"ENOSPC",
    b"Disk quota exceeded",
    b"EDQUOT",
)

OnOutput = Callable[[str, bytes], "Awaitable[None] | None"]

# Who runs a sandbox that names no learner when bwrap is launched by root: never uid 0.
NOBODY_UID = 65534

# Scheduling niceness of every Run/Check process (0 is normal, 19 the most yielding).
RUN_NICENESS = 10


class JailError(Exception):
    """The sandbox itself could not be set up (not the learner's program failing).

    The message is plain and safe to show to staff; it may quote bubblewrap's own error.
    """


def _positive(name: str, value: object, kind: type, minimum: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"limit {name} must be a number, got {value!r}")
    if kind is int and not isinstance(value, int):
        raise ValueError(f"limit {name} must be a whole number, got {value!r}")
    if not math.isfinite(value) or value < minimum:
        raise ValueError(f"limit {name} must be at least {minimum}, got {value!r}")


@dataclass(frozen=True)
class Limits:
    """The hard limits of one run. Defaults suit a beginner's exercise.

    Attributes:
        wall: seconds of real time before the run is killed.
        cpu: seconds of CPU time per process (RLIMIT_CPU; rounded up to whole seconds).
        memory: bytes of memory for the whole run (cgroup).
        pids: processes + threads at once for the whole run (cgroup; NPROC where it applies).
        fsize: largest file a program may write, in bytes (RLIMIT_FSIZE).
        tmp: bytes of the tmpfs mounted at /tmp.
        output: bytes of stdout + stderr kept; more ends the run.
        nofile: open file descriptors per process (RLIMIT_NOFILE).
    """

    wall: float = 10.0
    cpu: float = 5.0
    memory: int = 256 << 20
    pids: int = 64
    fsize: int = 10 << 20
    tmp: int = 64 << 20
    output: int = 1 << 20
    nofile: int = 256

    def __post_init__(self) -> None:
        _positive("wall", self.wall, float, 0.05)
        _positive("cpu", self.cpu, float, 1)
        _positive("memory", self.memory, int, 16 << 20)
        _positive("pids", self.pids, int, 4)
        _positive("fsize", self.fsize, int, 0)
        _positive("tmp", self.tmp, int, 1 << 20)
        _positive("output", self.output, int, 0)
        _positive("nofile", self.nofile, int, 16)


@dataclass
class RunSpec:
    """What to run and how.

    Attributes:
        argv: the command inside the sandbox (``argv[0]`` found on the sandbox's PATH).
        binds: host paths to show inside (workspace, check files, course assets).
        cwd: working directory inside the sandbox (must exist there).
        env: extra environment on top of :data:`BASE_ENV`; nothing is inherited from the host.
        limits: the run's :class:`Limits`.
        host_uid: the learner's host uid (per-learner mode; requires root), or None: shared
            mode — the server's own uid when it is not root (a demo), ``nobody`` when it is
            (e.g. course validation); never uid 0.
        stdin: bytes fed to the program's standard input (None: empty input).
        pass_fds: open fds inherited into the sandbox at the same numbers (e.g. the pipes
            joining a check's two sandboxes); run_async owns them and closes them once the
            sandbox has started.
    """

    argv: list[str]
    binds: list[Bind] = field(default_factory=list)
    cwd: str = "/tmp"
    env: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    host_uid: int | None = None
    stdin: bytes | None = None
    pass_fds: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.argv, (list, tuple)) or not self.argv:
            raise ValueError("argv must be a non-empty list of strings")
        for arg in self.argv:
            if not isinstance(arg, str) or "\0" in arg:
                raise ValueError(f"argv items must be strings without NUL, got {arg!r}")
        if not isinstance(self.cwd, str) or not self.cwd.startswith("/") or "\0" in self.cwd:
            raise ValueError(f"cwd must be an absolute path inside the sandbox, got {self.cwd!r}")
        for key, value in self.env.items():
            if not key or "=" in key or "\0" in key or not isinstance(value, str) or "\0" in value:
                raise ValueError(f"bad environment entry {key!r}")
        if self.host_uid is not None:
            if isinstance(self.host_uid, bool) or not isinstance(self.host_uid, int):
                raise ValueError(f"host_uid must be an int, got {self.host_uid!r}")
            if not MIN_HOST_UID <= self.host_uid < 2**31:
                raise ValueError(
                    f"host_uid must be a non-root, non-system uid ({MIN_HOST_UID}..2**31-1), "
                    f"got {self.host_uid}"
                )
        if not isinstance(self.limits, Limits):
            raise ValueError("limits must be a jail.run.Limits")


@dataclass
class RunResult:
    """How a run ended.

    Attributes:
        exit_code: the program's exit status, or None when it was ended by a signal.
        signal: the signal that ended it (e.g. 9 for SIGKILL), or None. A program that calls
            ``exit(128 + n)`` itself is reported as ended by signal n (bwrap cannot tell).
        limit: which limit ended it: "wall", "cpu", "memory", "pids", "output", "disk" or None.
        stdout: what the program wrote to standard output (capped).
        stderr: what it wrote to standard error (capped).
        truncated: True when output beyond ``Limits.output`` was dropped.
        duration: seconds from start to end.
        stopped: True when its owner stopped it.
        cpu_time: CPU seconds used by the whole run (user + system), where the cgroup knows.
        memory_peak: peak memory in bytes (cgroup), where known.
        uid_mode: "per-learner" or "shared": which host uid the sandbox ran under.
    """

    exit_code: int | None
    signal: int | None
    limit: str | None
    stdout: bytes
    stderr: bytes
    truncated: bool
    duration: float
    stopped: bool = False
    cpu_time: float | None = None
    memory_peak: int | None = None
    uid_mode: str = "shared"

    @property
    def ok(self) -> bool:
        """True when the program exited with status 0 within every limit."""
        return self.exit_code == 0 and self.limit is None and not self.stopped

    def describe(self, limits: Limits | None = None) -> str:
        """One plain sentence for a learner about how the run ended."""
        limits = limits or Limits()
        messages = {
            "wall": f"Your program was stopped: it ran for more than {limits.wall:g} seconds.",
            "cpu": f"Your program was stopped: it used more than {limits.cpu:g} seconds of "
            "computer time (is there a loop that never ends?).",
            "memory": f"Your program was stopped: it used more than {limits.memory >> 20} MB "
            "of memory.",
            "pids": "Your program was stopped: it started too many processes or threads.",
            "output": f"Your program was stopped: it printed more than {limits.output >> 10} "
            "KB of output.",
            "disk": "Your program could not write a file: it was too big or the disk space "
            "for programs is full.",
        }
        if self.limit in messages:
            return messages[self.limit]
        if self.stopped:
            return "You stopped your program."
        if self.signal is not None:
            return f"Your program crashed (signal {self.signal})."
        if self.exit_code == 0:
            return "Your program finished."
        return f"Your program finished with exit code {self.exit_code}."


def uid_mode(host_uid: int | None) -> str:
    """"per-learner" when sandboxes run under their own host uid, else "shared"."""
    return "per-learner" if host_uid is not None else "shared"


def count_tasks(uid: int) -> int:
    """How many tasks (processes and threads) the host uid ``uid`` has now (from /proc)."""
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != uid:
                continue
            total += len(os.listdir(f"/proc/{name}/task"))
        except OSError:
            continue
    return total


# What programs print when an allocation fails (read only when no cgroup limits memory).
_MEMORY_MARKERS = (
    b"MemoryError",
    b"Array buffer allocation failed",
    b"JavaScript heap out of memory",
    b"Cannot allocate memory",
    b"ENOMEM",
    b"std::bad_alloc",
)


# What programs print when fork or thread creation fails (EAGAIN from RLIMIT_NPROC).
_PIDS_MARKERS = (
    b"Resource temporarily unavailable",
    b"can't fork",
    b"Cannot fork",
    b"can't start new thread",
    b"EAGAIN",
)


def _fallback_limit(
    limit: str | None, exit_code: int | None, sig: int | None, stdout: bytes, stderr: bytes
) -> str | None:
    """Without a cgroup the kernel reports nothing: read the program's own complaints."""
    tail = stdout[-65536:] + stderr[-65536:]
    failed = exit_code not in (0, None) or sig is not None
    if (failed or limit == "wall") and any(marker in tail for marker in _PIDS_MARKERS):
        return "pids"
    if limit is None and failed and any(marker in tail for marker in _MEMORY_MARKERS):
        return "memory"
    return limit


def _rlimits(
    limits: Limits, nproc: int | None, data: int | None = None
) -> list[tuple[int, tuple[int, int]]]:
    cpu = max(1, math.ceil(limits.cpu))
    values = [
        # Soft = hard: SIGKILL at the limit. (A SIGXCPU grace second would be wasted: the
        # program runs as pid 1 of its namespace, which ignores SIGXCPU's default action.)
        (resource.RLIMIT_CPU, (cpu, cpu)),
        (resource.RLIMIT_FSIZE, (limits.fsize, limits.fsize)),
        (resource.RLIMIT_NOFILE, (limits.nofile, limits.nofile)),
        (resource.RLIMIT_CORE, (0, 0)),
    ]
    if nproc is not None:
        values.append((resource.RLIMIT_NPROC, (nproc, nproc)))
    if data is not None:
        values.append((resource.RLIMIT_DATA, (data, data)))
    return values


class _Run:
    """The state of one run while it is in flight (used only by :func:`run_async`)."""

    def __init__(self, spec: RunSpec, on_output: OnOutput | None) -> None:
        self.spec = spec
        self.limits = spec.limits
        self.on_output = on_output
        self.loop = asyncio.get_running_loop()
        self.chunks: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
        self.kept = 0
        self.truncated = False
        self.reason: str | None = None
        self.reason_event = asyncio.Event()
        self.status_text = b""
        self.callback_error: Exception | None = None

    def trigger(self, reason: str) -> None:
        """Ask for the run to end because of ``reason`` (first reason wins)."""
        if self.reason is None:
            self.reason = reason
            self.reason_event.set()

    async def accept(self, stream: str, data: bytes) -> None:
        """Keep output up to the cap, hand it to ``on_output``, end the run on overflow."""
        room = self.limits.output - self.kept
        if len(data) > room:
            data = data[: max(room, 0)]
            self.truncated = True
            self.trigger("output")
        if not data:
            return
        self.kept += len(data)
        self.chunks[stream].append(data)
        if self.on_output is not None and self.callback_error is None:
            try:
                result = self.on_output(stream, data)
                if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                    await result
            except Exception as exc:  # e.g. the session's channel closed: end the run
                self.callback_error = exc
                self.trigger("stop")

    async def pump(self, fd: int, stream: str) -> None:
        """Read ``fd`` until EOF, passing output to :meth:`accept` (or collecting status)."""
        reader = asyncio.StreamReader(limit=_READ_CHUNK * 4)
        pipe = os.fdopen(fd, "rb", buffering=0)
        transport, _ = await self.loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), pipe
        )
        try:
            while True:
                data = await reader.read(_READ_CHUNK)
                if not data:
                    return
                if stream == "status":
                    self.status_text = (self.status_text + data)[-65536:]
                elif self.reason != "output":
                    await self.accept(stream, data)
        finally:
            transport.close()

    def status_docs(self) -> list[dict[str, object]]:
        """The JSON documents bwrap wrote on ``--json-status-fd``."""
        docs = []
        for line in self.status_text.decode("utf-8", "replace").splitlines():
            with contextlib.suppress(ValueError):
                doc = json.loads(line)
                if isinstance(doc, dict):
                    docs.append(doc)
        return docs


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def _wait_pid(pid: int) -> int:
    """Wait for our child ``pid`` without blocking the loop; return its wait status."""
    loop = asyncio.get_running_loop()
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        return await _wait_pid_thread(pid)
    try:
        ready = loop.create_future()
        loop.add_reader(pidfd, _settle, ready)
        try:
            await ready
        finally:
            loop.remove_reader(pidfd)
    finally:
        os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    return status


async def _wait_pid_thread(pid: int) -> int:
    """Fallback without pidfd: a dedicated thread (never the loop's small default pool)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[int] = loop.create_future()

    def wait() -> None:
        _, status = os.waitpid(pid, 0)
        loop.call_soon_threadsafe(done.set_result, status)

    threading.Thread(target=wait, name=f"slate-wait-{pid}", daemon=True).start()
    return await done


async def _wait_gone(pid: int, timeout: float) -> None:
    """Wait until the (non-child) process ``pid`` has exited, at most ``timeout`` seconds."""
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        return
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    loop.add_reader(pidfd, _settle, ready)
    try:
        await asyncio.wait_for(ready, timeout)
    except TimeoutError:
        pass
    finally:
        loop.remove_reader(pidfd)
        os.close(pidfd)


def _stdin_fd(data: bytes | None) -> int:
    """A readable fd holding ``data`` (a memfd, so a large input never blocks the loop)."""
    if not data:
        return os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    fd = os.memfd_create("slate-stdin", os.MFD_CLOEXEC)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _sandbox_spec(spec: RunSpec, seccomp_fd: int | None) -> SandboxSpec:
    return SandboxSpec(
        argv=list(spec.argv),
        binds=list(spec.binds),
        env={**BASE_ENV, **spec.env},
        cwd=spec.cwd,
        tmp_size=spec.limits.tmp,
        new_session=True,
        seccomp_fd=seccomp_fd,
        # setpriv inside the sandbox (bwrap itself runs as root): the learner's uid, or nobody.
        run_as=spec.host_uid or (NOBODY_UID if os.geteuid() == 0 else None),
        as_pid_1=True,  # no orphaned bwrap init (zombie) per run; see SandboxSpec
    )


async def run_async(
    spec: RunSpec,
    on_output: OnOutput | None = None,
    stop: asyncio.Event | None = None,
) -> RunResult:
    """Run ``spec`` in a fresh sandbox and return how it ended.

    Args:
        spec: what to run, with which binds and limits, under which host uid.
        on_output: called as ``on_output(stream, data)`` ("stdout"/"stderr", bytes) for output
            as it arrives (only the kept part, so at most ``limits.output`` bytes in all). May
            return an awaitable, which is awaited (back-pressure). If it raises, the run is
            killed and the exception is raised from here once everything is cleaned up.
        stop: set it to stop the run (every process of it is killed).

    Returns:
        The :class:`RunResult`; ``limit`` names the limit that ended the run, if any.

    Raises:
        JailError: the sandbox could not be set up (bwrap missing, a bind source missing, the
            command not found in the sandbox, per-learner uid without root...).
    """
    if spec.host_uid is not None and os.geteuid() != 0:
        raise JailError(
            "per-learner host uids need the server to run as root; "
            "use host_uid=None (shared-uid mode) otherwise"
        )
    limits = spec.limits
    run = _Run(spec, on_output)
    # Where RLIMIT_NPROC is honoured (bwrap not running as host root) it counts every task of
    # the host uid, so the budget is what that uid already runs plus this run's pids.
    runner_uid = spec.host_uid if spec.host_uid is not None else os.geteuid()
    nproc = None if runner_uid == 0 else count_tasks(runner_uid) + limits.pids + _BWRAP_TASKS
    cgroup = Cgroup.create(f"run-{uuid.uuid4().hex}", limits.memory, limits.pids)
    if cgroup is not None:
        cgroup.cpu_procs = low_cpu_group()
    # Without a cgroup (a non-root demo) memory falls back to RLIMIT_DATA per process: it
    # bounds heaps (node and python work under it, unlike RLIMIT_AS) though not their sum.
    rlimits = _rlimits(limits, nproc, data=limits.memory if cgroup is None else None)
    group = cgroup  # bound once: ``cgroup`` is rebound below while this may still run

    def child_setup() -> None:  # between fork and exec: no locks, no imports, no logging
        if group is not None:
            group.join()  # before dropping privileges: the learner's uid cannot write here
        for which, value in rlimits:
            resource.setrlimit(which, value)
        # Learner code yields the CPU to the server and to every interactive session: thirty
        # busy loops must not slow anyone's typing (and a learner cannot raise it back).
        os.nice(RUN_NICENESS)

    fds: list[int] = []
    seccomp_fd = seccomp.filter_fd()
    if seccomp_fd is not None:
        fds.append(seccomp_fd)
    try:
        stdin_fd = _stdin_fd(spec.stdin)
        fds.append(stdin_fd)
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC)
        status_r, status_w = os.pipe2(os.O_CLOEXEC)
        fds += [out_w, err_w, status_w]
        readers = {"stdout": out_r, "stderr": err_r, "status": status_r}
        sandbox = _sandbox_spec(spec, seccomp_fd)
        argv = bwrap_argv(sandbox)
        argv[1:1] = ["--json-status-fd", str(status_w)]
        pass_fds = [status_w] + ([seccomp_fd] if seccomp_fd is not None else [])
        pass_fds += list(spec.pass_fds)
        fds += list(spec.pass_fds)
        started = time.monotonic()

        def spawn() -> subprocess.Popen[bytes]:
            return subprocess.Popen(  # noqa: S603 - argv built by bwrap_argv, no shell
                argv,
                stdin=stdin_fd,
                stdout=out_w,
                stderr=err_w,
                pass_fds=pass_fds,
                close_fds=True,
                start_new_session=True,
                preexec_fn=child_setup,  # noqa: PLW1509 - must join the cgroup before setuid
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            )

        # fork + preexec + exec takes several ms: not on the event loop, which serves everyone.
        spawning = asyncio.ensure_future(asyncio.to_thread(spawn))
        try:
            proc = await asyncio.shield(spawning)
        except asyncio.CancelledError:
            # The thread may still be handing these fds to the child: they are closed only
            # once it is done, or their numbers could be reused under it.
            status_fd = readers.pop("status")
            spawning.add_done_callback(functools.partial(_abandon, list(fds), status_fd, cgroup))
            fds.clear()
            cgroup = None  # _abandon removes it, after the child is known
            for fd in readers.values():
                os.close(fd)
            raise
        except (OSError, subprocess.SubprocessError) as exc:
            for fd in readers.values():
                os.close(fd)
            raise JailError(f"could not start the sandbox: {exc}") from exc
    except BaseException:
        if cgroup is not None:
            await asyncio.to_thread(cgroup.remove)
        raise
    finally:
        for fd in fds:
            os.close(fd)

    pumps = [asyncio.ensure_future(run.pump(fd, name)) for name, fd in readers.items()]
    waiter = asyncio.ensure_future(_wait_pid(proc.pid))
    wall = run.loop.call_later(limits.wall, run.trigger, "wall")
    reason_task = asyncio.ensure_future(run.reason_event.wait())
    helpers: list[asyncio.Future[Any]] = [reason_task]
    if stop is not None:
        helpers.append(asyncio.ensure_future(_on_stop(stop, run)))
    if cgroup is not None:
        helpers.append(asyncio.ensure_future(_watch_cgroup(cgroup, run)))
    elif nproc is not None:
        helpers.append(asyncio.ensure_future(_watch_nproc(runner_uid, nproc, run)))
    killed = False
    try:
        await asyncio.wait([waiter, reason_task], return_when=asyncio.FIRST_COMPLETED)
        if not waiter.done():
            killed = True
            await _end(run, proc.pid, waiter, cgroup)
        status = await waiter
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        duration = time.monotonic() - started
        if cgroup is not None:
            await asyncio.to_thread(cgroup.kill_all)
        _, pending = await asyncio.wait(pumps, timeout=_DRAIN_TIMEOUT)
        for task in pending:
            task.cancel()
    except BaseException:  # cancelled (the session ended): still kill and reap everything
        for task in pumps:
            task.cancel()
        try:
            if not waiter.done():
                await _end(run, proc.pid, waiter, cgroup)
                await waiter
        finally:
            if not waiter.done():  # cancelled again meanwhile: reap off the loop
                waiter.cancel()
                _kill(proc.pid)
                threading.Thread(target=proc.wait, name="slate-reap", daemon=True).start()
        raise
    finally:
        wall.cancel()
        for helper in helpers:
            helper.cancel()
        if cgroup is not None:
            oom = cgroup.oom_killed()
            pids_hit = cgroup.pids_exhausted()
            peak = cgroup.memory_peak()
            cpu_time = cgroup.cpu_seconds()
            await asyncio.to_thread(cgroup.remove)
        else:
            oom = pids_hit = False
            peak = cpu_time = None

    if run.callback_error is not None:
        raise run.callback_error
    docs = run.status_docs()
    exit_docs = [d for d in docs if "exit-code" in d]
    if not killed and not exit_docs and not oom:
        message = _bwrap_message(b"".join(run.chunks["stderr"]))
        raise JailError(f"the sandbox could not start the program: {message}")
    exit_code, sig = _exit_of(status, exit_docs)
    stdout = b"".join(run.chunks["stdout"])
    stderr = b"".join(run.chunks["stderr"])
    if exit_code == 127 and stderr.startswith(b"setpriv: failed to execute"):
        # The privilege drop ran but the command itself was not found in the sandbox.
        line = stderr.split(b"\n", 1)[0].decode("utf-8", "replace")
        raise JailError(f"the sandbox could not start the program: {line[9:300]}")
    stopped = run.reason == "stop"
    # Without CPU accounting the run's length stands in for its CPU time: it is used only to
    # tell a SIGKILL at the hard RLIMIT_CPU from other kills.
    cpu_used = cpu_time if cpu_time is not None else duration
    limit = _which_limit(
        run.reason, oom, pids_hit, sig, exit_code, cpu_used, limits, stdout, stderr
    )
    if cgroup is None and limit in (None, "wall"):
        limit = _fallback_limit(limit, exit_code, sig, stdout, stderr)
    return RunResult(
        exit_code=exit_code,
        signal=sig,
        limit=limit,
        stdout=stdout,
        stderr=stderr,
        truncated=run.truncated,
        duration=duration,
        stopped=stopped,
        cpu_time=cpu_time,
        memory_peak=peak,
        uid_mode=uid_mode(spec.host_uid),
    )


def _abandon(
    fds: list[int],
    status_fd: int,
    cgroup: Cgroup | None,
    spawning: asyncio.Future[subprocess.Popen[bytes]],
) -> None:
    """A run cancelled while bwrap was being started: close its fds, then (off the loop) kill
    its pid 1 — not bwrap, which could orphan a child still setting up — reap it, and only then
    remove its cgroup."""
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    proc = None
    if not spawning.cancelled() and spawning.exception() is None:
        proc = spawning.result()

    def reap() -> None:
        try:
            if proc is not None:
                inner = _read_child_pid(status_fd, _DRAIN_TIMEOUT)
                if inner is not None:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(inner, signal.SIGKILL)
                try:
                    proc.wait(timeout=_DRAIN_TIMEOUT)
                except subprocess.TimeoutExpired:
                    _kill(proc.pid)
                    proc.wait()
        finally:
            os.close(status_fd)
            if cgroup is not None:
                cgroup.remove()

    threading.Thread(target=reap, name="slate-reap", daemon=True).start()


def _read_child_pid(fd: int, timeout: float) -> int | None:
    """Block (in a helper thread) until bwrap's status names the sandbox's pid 1, or EOF."""
    data = b""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
        for line in data.splitlines():
            with contextlib.suppress(ValueError):
                value = json.loads(line).get("child-pid")
                if isinstance(value, int):
                    return value
    return None


async def _on_stop(stop: asyncio.Event, run: _Run) -> None:
    await stop.wait()
    run.trigger("stop")


async def _watch_cgroup(cgroup: Cgroup, run: _Run) -> None:
    """End the run as soon as the kernel reports the memory or pids limit was hit."""
    while True:
        await asyncio.sleep(_WATCH_INTERVAL)
        if cgroup.oom_killed():
            run.trigger("memory")
        elif cgroup.pids_exhausted():
            run.trigger("pids")


async def _watch_nproc(uid: int, nproc: int, run: _Run) -> None:
    """Without a cgroup: end the run when its host uid has used up RLIMIT_NPROC (a fork bomb
    would otherwise spin until the wall limit). Shared-uid mode cannot tell runs apart here."""
    while True:
        await asyncio.sleep(_WATCH_INTERVAL * 2)
        if await asyncio.to_thread(count_tasks, uid) >= nproc:
            run.trigger("pids")


async def _end(
    run: _Run, bwrap_pid: int, waiter: asyncio.Future[int], cgroup: Cgroup | None
) -> None:
    """Kill the whole run and wait for bwrap to exit.

    SIGKILL goes to the sandbox's pid 1 first (the command, ``--as-pid-1``): the kernel then
    kills everything else in its pid namespace, and bwrap reaps it and exits — no orphan is
    left for the host's init to reap. Only if that does not happen in time (or pid 1 is not
    known yet) are bwrap and the cgroup killed outright.
    """
    inner = _inner_pid(run)
    for _ in range(100):  # bwrap reports pid 1 right after clone: wait for it (at most 1 s)
        if inner is not None or waiter.done():
            break
        await asyncio.sleep(0.01)
        inner = _inner_pid(run)
    if waiter.done():
        return
    if inner is not None:
        # Safe against pid reuse: bwrap has not exited, so it has not reaped its child yet.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(inner, signal.SIGKILL)
        done, _ = await asyncio.wait([waiter], timeout=_DRAIN_TIMEOUT)
        if done:
            return
    _kill(bwrap_pid)
    if cgroup is not None:
        await asyncio.to_thread(cgroup.kill_all)
    if inner is not None:
        await _wait_gone(inner, _DRAIN_TIMEOUT)


def _kill(pid: int) -> None:
    """SIGKILL bwrap itself: its pid 1 gets PDEATHSIG and the pid namespace goes with it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _inner_pid(run: _Run) -> int | None:
    for doc in run.status_docs():
        value = doc.get("child-pid")
        if isinstance(value, int):
            return value
    return None


def _exit_of(status: int, exit_docs: list[dict[str, object]]) -> tuple[int | None, int | None]:
    """(exit code, signal) of the program inside, from bwrap's status or our own wait."""
    if exit_docs:
        code = exit_docs[-1]["exit-code"]
        if isinstance(code, int):
            if 128 < code <= 128 + 64:
                return None, code - 128
            return code, None
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    return os.WEXITSTATUS(status), None


def _which_limit(
    reason: str | None,
    oom: bool,
    pids_hit: bool,
    sig: int | None,
    exit_code: int | None,
    cpu_time: float,
    limits: Limits,
    stdout: bytes,
    stderr: bytes,
) -> str | None:
    """Name the limit that ended the run, or None (finished, crashed or stopped by its owner)."""
    if reason in ("output", "memory", "pids"):
        return reason
    if oom:
        return "memory"
    if pids_hit:
        return "pids"
    if reason == "wall":
        return "wall"
    if reason == "stop":
        return None
    # The command is pid 1 of its namespace: nothing inside can SIGKILL it, and our own kills
    # set ``reason``; a SIGKILL left unexplained is the kernel's, at the RLIMIT_CPU limit
    # (cgroup accounting can read a little under the rlimit's own count, hence the margin).
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_time >= 0.5 * limits.cpu):
        return "cpu"
    if sig == signal.SIGXFSZ:
        return "disk"
    if exit_code not in (0, None) or sig is not None:
        tail = stdout[-65536:] + stderr[-65536:]
        if any(marker in tail for marker in _DISK_MARKERS):
            return "disk"
    return None


def _bwrap_message(stderr: bytes) -> str:
    """bubblewrap's own error line (it prefixes them with "bwrap: "), cut to a safe length."""
    text = stderr.decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.startswith("bwrap: ")]
    message = lines[-1][len("bwrap: ") :] if lines else (text.strip() or "unknown error")
    printable = "".join(ch if ch.isprintable() else "?" for ch in message)
    return printable[:300]


def run(spec: RunSpec) -> RunResult:
    """Synchronous :func:`run_async` (no streaming, no stop) for scripts and tools.

    Safe to call from a thread that already runs an event loop: the run then gets its own
    loop in a helper thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run_async(spec))
    box: dict[str, RunResult | BaseException] = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(run_async(spec))
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="slate-run", daemon=True)
    thread.start()
    thread.join()
    error = box.get("error")
    if isinstance(error, BaseException):
        raise error
    result = box["result"]
    assert isinstance(result, RunResult)
    return result
