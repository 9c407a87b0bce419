"""Run one command in a fresh sandbox with hard limits: the only way learner code executes.

Keeps invariant 2 (learner code never runs in the server process, never on the host, never with
network) and invariant 7 (a host uid per learner). Every call starts a *new* bubblewrap sandbox
(``jail.sandbox``): all namespaces unshared (network = only ``lo``), ``--new-session``,
``--die-with-parent``, read-only system, sized tmpfs /tmp, a seccomp filter, no inherited file
descriptors and a clean environment. Limits:

- memory and pids: a cgroup (v1 or v2, ``jail.cgroup``) that the child joins *before* it drops
  privileges and execs bwrap, so every process of the run is in it and is killed with it;
- CPU seconds, file size, open files, core dumps: rlimits set in the child; process count
  (RLIMIT_NPROC) where the kernel honours it: per-learner uid, set in the child (it counts the
  learner's own tasks); shared uid (non-root server), set *inside* the run's own user namespace
  by ``prlimit``, where only that sandbox's tasks count, and watched on the run's own process
  tree — one learner's fork bomb never ends another's run;
- disk: the profile's writable folders are sized tmpfs mounts inside the sandbox (Run: a copy
  of the exercise folder the size of the quota, saved back by :func:`run_in_workspace`
  through the workspace's safe API within the quota; Check: a copy of the work dir), so a
  program never writes to a host filesystem (ENOSPC inside is the "disk" limit);
- wall time, output size (stdout + stderr), and the owner's Stop: enforced here.

When a per-learner ``host_uid`` is given (the server runs as root), bwrap runs as root without
a user namespace (the kernel refuses those in a chroot, and some hosts disable them) and
``setpriv`` inside the sandbox becomes the learner's host uid with no capabilities and
no_new_privs before the command runs: files it writes belong to the learner, and RLIMIT_NPROC
(set here, inherited) counts the learner's tasks. Whatever a run leaves behind (``setsid``,
double forks) dies with its pid namespace and its cgroup before :func:`run_async` returns.
Which binds, uid and writable folders each kind of run gets is ``jail.profiles``.

Imports nothing of Slate's outside ``jail``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
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

from jail import profiles, seccomp, seedbox
from jail.cgroup import Cgroup, low_cpu_group
from jail.profiles import (  # noqa: F401 - re-exported: callers import these from jail.run
    BASE_ENV,
    DEFAULT_PATH,
    MIN_HOST_UID,
    NOBODY_UID,
    Limits,
    RunSpec,
    Seed,
)
from jail.sandbox import Bind, SandboxSpec, bwrap_argv  # noqa: F401 - Bind re-exported
from jail.workspace import Workspace, WorkspaceError

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

# Scheduling niceness of every Run/Check process (0 is normal, 19 the most yielding).
RUN_NICENESS = 10


class JailError(Exception):
    """The sandbox itself could not be set up (not the learner's program failing).

    The message is plain and safe to show to staff; it may quote bubblewrap's own error.
    """


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
        files: a seeded run's folder at the end (relative path -> bytes, regular files only;
            as untrusted as anything the program wrote), or None (not collected, or lost
            because the run's first program was killed).
        files_complete: False when ``files`` was cut short (over the seed's size or count).
        disk_refused: paths the program wrote that could not be kept (over the quota).
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
    files: dict[str, bytes] | None = None
    files_complete: bool = True
    disk_refused: list[str] = field(default_factory=list)

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
        if self.limit == "disk" and self.disk_refused:
            more = " ..." if len(self.disk_refused) > 3 else ""
            shown = ", ".join(self.disk_refused[:3]) + more
            return (
                f"Your program's files {shown} were not kept: your space is full (or a link "
                "or special file is in the way). Delete files you do not need and run it again."
            )
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


def count_tree_tasks(root: int) -> int:
    """How many tasks (processes and threads) the descendants of ``root`` have now (from /proc;
    ``root`` itself not counted). A sandbox's orphans are reparented to its pid 1, which is a
    descendant, so nothing of a run escapes this count."""
    return sum(threads for _, threads in _tree(root))


def _data_bytes(pid: int) -> int:
    """A process's VmData (what RLIMIT_DATA bounds), in bytes; 0 when unknown."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree(root: int) -> list[tuple[int, int]]:
    """(pid, threads) of every descendant of ``root``."""
    children: dict[int, list[int]] = {}
    threads: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        # "pid (comm) state ppid ... num_threads(20th) ...": comm may hold spaces or ")".
        fields = data[data.rfind(b")") + 2 :].split()
        try:
            ppid, count = int(fields[1]), int(fields[17])
        except (IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
        threads[int(name)] = count
    found: list[tuple[int, int]] = []
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append((pid, threads.get(pid, 1)))
        stack += children.get(pid, [])
    return found


# Signals a program dies of when an allocation fails under RLIMIT_DATA without a message.
_CRASH_SIGNALS = (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGTRAP, signal.SIGILL)

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
        # A seeded run's folder, as the seedbox sends it back (bounded: the tmpfs's size plus
        # a header per file; anything beyond is dropped and the result marked incomplete).
        # Without a cgroup: the largest VmData any process of the run was seen with.
        self.data_peak = 0
        self.files_data = bytearray()
        self.files_cap = 0
        self.files_overflow = False
        if spec.seed is not None:
            self.files_cap = spec.seed.size + 512 * (spec.seed.max_files + 1)

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
                elif stream == "files":
                    room = self.files_cap - len(self.files_data)
                    if len(data) > room:
                        self.files_overflow = True
                    self.files_data += data[: max(room, 0)]
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


PRLIMIT = "/usr/bin/prlimit"
# A check's first program: copy the work dir into its tmpfs (files a read-only course file is
# bound over are skipped, as the bind hid them before), then become the command (pid 1).
_CHECK_SEED = 'cp -R /.slate/seed/. "$1"/ 2>/dev/null; cd "$2" || exit 126; shift 2; exec "$@"'
_SEEDBOX_SOURCE: list[str] = []


def _seedbox_source() -> str:
    if not _SEEDBOX_SOURCE:
        with open(seedbox.__file__, encoding="utf-8") as handle:
            _SEEDBOX_SOURCE.append(handle.read())
    return _SEEDBOX_SOURCE[0]


def _collects(spec: RunSpec) -> bool:
    return spec.seed is not None and spec.seed.files is not None


def _sandbox_spec(
    spec: RunSpec,
    seccomp_fd: int | None,
    seed_fd: int | None = None,
    files_fd: int | None = None,
    nproc_inside: int | None = None,
) -> SandboxSpec:
    """The profile's sandbox for ``spec`` (``jail.profiles.sandbox_spec``), with the first
    programs a seeded folder or an in-namespace process limit need."""
    argv = list(spec.argv)
    binds = list(spec.binds)
    scratch: list[tuple[str, int]] = []
    cwd = spec.cwd
    seed = spec.seed
    if seed is not None:
        scratch.append((seed.mount, seed.size))
        cwd = "/"
        if seed.source is not None:
            binds.append(Bind(seed.source, profiles.SEED_DIR))
            argv = ["/bin/sh", "-c", _CHECK_SEED, "slate-seed", seed.folder, spec.cwd, *argv]
        else:
            config = {
                "folder": seed.folder,
                "cwd": spec.cwd,
                "seed_fd": seed_fd,
                "out_fd": files_fd,
                "limit": seed.size,
                "max_files": seed.max_files,
                "with_git": seed.with_git,
            }
            argv = [
                profiles.SYSTEM_PYTHON, "-I", "-S", "-c", _seedbox_source(),
                json.dumps(config), "--", *argv,
            ]  # fmt: skip
    if nproc_inside is not None:
        # Set inside the run's own user namespace, where the kernel counts only its tasks.
        argv = [PRLIMIT, f"--nproc={nproc_inside}:{nproc_inside}", "--", *argv]
    return profiles.sandbox_spec(
        profiles.PROFILES[spec.profile],
        argv,
        binds=binds,
        env={**BASE_ENV, **spec.env},
        cwd=cwd,
        host_uid=spec.host_uid,
        tmp_size=spec.limits.tmp,
        scratch=scratch,
        seccomp_fd=seccomp_fd,
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
    collect = _collects(spec)
    profile = profiles.PROFILES[spec.profile]
    # The seedbox (a Run's first program) stays alive beside the command: one task more.
    pids = limits.pids + (1 if collect else 0)
    # RLIMIT_NPROC, where the kernel honours it (bwrap not running as host root):
    # - per-learner uid (root server): set here on the host; it counts every task of that
    #   uid — the learner's own — so the budget is what they already run plus this run's;
    # - shared uid (non-root server): set *inside* the run's own user namespace (prlimit),
    #   where only this sandbox's tasks count: another learner's fork bomb cannot use it up.
    nproc = nproc_inside = None
    if os.geteuid() != 0:
        nproc_inside = pids
    elif spec.host_uid is not None:
        nproc = count_tasks(spec.host_uid) + pids + _BWRAP_TASKS
    # A seeded folder's tmpfs pages are charged to the run's memory group: it gets their room
    # on top of the program's own, so a full folder ends with ENOSPC ("disk"), not an OOM kill.
    memory = limits.memory + (spec.seed.size if spec.seed is not None else 0)
    cgroup = Cgroup.create(f"run-{uuid.uuid4().hex}", memory, pids)
    if cgroup is not None:
        if profile.yields_cpu:
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
        if profile.yields_cpu:
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
        pass_fds = [status_w] + ([seccomp_fd] if seccomp_fd is not None else [])
        pass_fds += list(spec.pass_fds)
        fds += list(spec.pass_fds)
        seed_fd = files_w = None
        if collect:
            assert spec.seed is not None and spec.seed.files is not None
            seed_fd = _stdin_fd(seedbox.encode_files(spec.seed.files))
            spec.seed.files.clear()  # consumed: the server holds no copy during the run
            fds.append(seed_fd)
            files_r, files_w = os.pipe2(os.O_CLOEXEC)
            fds.append(files_w)
            readers["files"] = files_r
            pass_fds += [seed_fd, files_w]
        sandbox = _sandbox_spec(spec, seccomp_fd, seed_fd, files_w, nproc_inside)
        argv = bwrap_argv(sandbox)
        argv[1:1] = ["--json-status-fd", str(status_w)]
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
    elif nproc_inside is not None:
        helpers.append(asyncio.ensure_future(_watch_tree(proc.pid, nproc_inside, run)))
    killed = False
    try:
        await asyncio.wait([waiter, reason_task], return_when=asyncio.FIRST_COMPLETED)
        if not waiter.done():
            killed = True
            await _end(run, proc.pid, waiter, cgroup, collect)
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
    if exit_code == 127 and _not_found(stderr):
        # The sandbox's first programs ran but the command itself was not found in it.
        line = stderr.split(b"\n", 1)[0].decode("utf-8", "replace")
        raise JailError(f"the sandbox could not start the program: {line.split(': ', 1)[-1][:300]}")
    stopped = run.reason == "stop"
    # Without CPU accounting the run's length stands in for its CPU time: it is used only to
    # tell a SIGKILL at the hard RLIMIT_CPU from other kills.
    cpu_used = cpu_time if cpu_time is not None else duration
    limit = _which_limit(
        run.reason, oom, pids_hit, sig, exit_code, cpu_used, limits, stdout, stderr
    )
    if cgroup is None and limit in (None, "wall"):
        limit = _fallback_limit(limit, exit_code, sig, stdout, stderr)
    if cgroup is None and run.data_peak:
        peak = run.data_peak
        # Under RLIMIT_DATA an allocation that fails often kills the program with a signal and
        # no words (node flooding a pipe dies of SIGSEGV): a crash after its heap was seen at
        # half the limit or more is the memory limit, not a bug of the learner's.
        if limit is None and sig in _CRASH_SIGNALS and peak >= limits.memory // 2:
            limit = "memory"
    files: dict[str, bytes] | None = None
    files_complete = True
    if collect and run.files_data:
        assert spec.seed is not None
        files, files_complete = seedbox.decode_files(bytes(run.files_data), spec.seed.max_files)
        files_complete = files_complete and not run.files_overflow
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
        files=files,
        files_complete=files_complete,
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


async def _watch_tree(bwrap_pid: int, nproc: int, run: _Run) -> None:
    """Without a cgroup: end the run when its *own* sandbox has used up its RLIMIT_NPROC (a
    fork bomb would otherwise spin until the wall limit). Counts the tasks under this run's
    bwrap only — never another run's of the same (shared) uid."""
    def look() -> int:
        tree = _tree(bwrap_pid)
        for pid, _ in tree:
            run.data_peak = max(run.data_peak, _data_bytes(pid))
        return sum(threads for _, threads in tree)

    while True:
        await asyncio.sleep(_WATCH_INTERVAL * 2)
        if await asyncio.to_thread(look) >= nproc:
            run.trigger("pids")


async def _end(
    run: _Run,
    bwrap_pid: int,
    waiter: asyncio.Future[int],
    cgroup: Cgroup | None,
    collect: bool = False,
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
    if inner is not None and collect:
        # A seeded Run: its first program (the seedbox) kills everything else in the sandbox
        # and sends the folder back, then exits; SIGKILL below only if it does not.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(inner, signal.SIGUSR1)
        done, _ = await asyncio.wait([waiter], timeout=_DRAIN_TIMEOUT)
        if done:
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


_NOT_FOUND = (
    b"setpriv: failed to execute",
    b"prlimit: failed to execute",
    b"seedbox: failed to execute",
)


def _not_found(stderr: bytes) -> bool:
    first = stderr.split(b"\n", 1)[0]
    if first.startswith(_NOT_FOUND):
        return True
    # The Check profile's shell: "slate-seed: 1: exec: node: not found".
    return first.startswith(b"slate-seed: ") and first.endswith(b": not found")


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


# -- a learner's Run of their workspace folder ----------------------------------------------------

MAX_WRITE_BACK = 500
"""Most changed files one Run may leave in the workspace (each is a quota-checked save)."""
_NOT_SAVED = (".git", "node_modules", "__pycache__")
"""Folders a Run's changes are not saved in, neither writes nor deletions (the learner's
repository; node_modules and __pycache__, caches a program may rebuild or wipe)."""
_PAGE = 4096


async def run_in_workspace(
    ws: Workspace,
    folder: str,
    argv: list[str],
    *,
    limits: Limits,
    host_uid: int | None,
    on_output: OnOutput | None = None,
    stop: asyncio.Event | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    with_git: bool = False,
) -> RunResult:
    """A learner's Run of ``folder`` in their workspace, with disk bounded *while* it runs.

    The program never writes to a host filesystem: it works in a tmpfs copy of the folder the
    size of the learner's quota (``jail.profiles.learner_run``), read here through the
    workspace's descriptor-based API; a write past it fails with ENOSPC inside the sandbox.
    Afterwards every file the program changed is saved through the same API, within the quota
    (a save that would pass it is refused and named in ``RunResult.disk_refused``, and the
    result's ``limit`` is "disk"). A file the learner saved meanwhile is left as they saved it;
    a file the program deleted is deleted only if the learner did not change it meanwhile.

    Args:
        ws: the learner's workspace.
        folder: the exercise folder, relative to the workspace.
        argv, limits, host_uid, on_output, stop, stdin, env: as :class:`RunSpec` and
            :func:`run_async`.
        with_git: the folder's ``.git`` is in the copy and its changes are saved back too (a
            teaching-console git command): objects first, the files that point at them
            (index, refs) last, and none of those once a save was refused, so a full
            workspace never leaves a ref to a missing object.
    """
    seed = await asyncio.to_thread(_read_seed, ws, folder, with_git)
    # Only digests are kept here: the content goes to the sandbox (run_async consumes it).
    digests = {rel: _digest(data) for rel, data in seed.items()}
    spec = profiles.learner_run(
        argv,
        folder=folder,
        files=seed,
        # The quota, plus the page each seeded file (and a few folders) may waste in a tmpfs:
        # a write past the quota fails with ENOSPC inside; the saves back hold to it exactly.
        size=ws.quota_bytes + _PAGE * (len(digests) + 64),
        limits=limits,
        host_uid=host_uid,
        max_files=ws.quota_files,
        stdin=stdin,
        env=env,
        with_git=with_git,
    )
    result = await run_async(spec, on_output=on_output, stop=stop)
    if result.exit_code == seedbox.SEED_FAILED and result.files is None:
        raise JailError(result.stderr.decode("utf-8", "replace").strip()[:300])
    if result.files is not None:
        refused = await asyncio.to_thread(
            _write_back, ws, folder, digests, result.files, result.files_complete, with_git
        )
        if refused or not result.files_complete:
            result.disk_refused = refused or ["(files past your space)"]
            if result.limit is None:
                result.limit = "disk"
    return result


def _read_seed(ws: Workspace, folder: str, with_git: bool = False) -> dict[str, bytes]:
    """The folder's regular files (``.git`` left out unless ``with_git``), through the safe
    API, at most a quota."""
    files: dict[str, bytes] = {}
    room = ws.quota_bytes
    for rel in ws.list_files(folder, include_git=with_git):
        try:
            data = ws.read_bytes(f"{folder}/{rel}", limit=room)
        except WorkspaceError:
            continue  # a link, a hardlink, a special file or too big: not the Run's to see
        files[rel] = data
        room -= len(data)
    return files


def _write_back(
    ws: Workspace,
    folder: str,
    seed: dict[str, str],
    final: dict[str, bytes],
    complete: bool,
    with_git: bool = False,
) -> list[str]:
    """Save what the program changed (see :func:`run_in_workspace`); return refused paths."""
    refused: list[str] = []
    written = 0
    not_saved = tuple(n for n in _NOT_SAVED if not (with_git and n == ".git"))
    most = ws.quota_files if with_git else MAX_WRITE_BACK

    def order(rel: str) -> tuple[int, str]:  # git objects, then files, then what points at them
        if rel.startswith(".git/objects/"):
            return (0, rel)
        return (2 if rel.startswith(".git/") else 1, rel)

    for rel in sorted(final, key=order):
        data = final[rel]
        before = seed.get(rel)
        if _digest(data) == before:
            continue
        parts = rel.split("/")
        if any(part in not_saved or part in ("", ".", "..") for part in parts):
            continue  # the stream is the sandbox's (untrusted): only plain relative paths
        if with_git and ".git" in parts[1:]:
            continue  # only the folder's own repository, never one nested deeper
        shown = "".join(ch if ch.isprintable() else "?" for ch in rel)[:200]
        if with_git and refused and order(rel)[0] == 2:
            refused.append(shown)  # an index or ref naming an object that was not kept: not
            continue  # written, the repository stays as it was
        try:
            if _current(ws, f"{folder}/{rel}") != before:
                continue  # the learner saved it meanwhile: their save wins
            if written >= most:
                refused.append(shown)
                continue
            ws.write_atomic(f"{folder}/{rel}", data, into_git=order(rel)[0] != 1)
            written += 1
        except WorkspaceError:
            refused.append(shown)
    if with_git and not refused and ".git/HEAD" in final:
        for name in ("objects", "refs/heads", "refs/tags"):  # empty in a new repository
            with contextlib.suppress(WorkspaceError):
                ws.ensure_git_folder(f"{folder}/.git/{name}")
    if complete and not (with_git and refused):
        for rel, digest in seed.items():
            if rel in final or any(part in not_saved for part in rel.split("/")):
                continue
            if with_git and ".git" in rel.split("/")[1:]:
                continue
            with contextlib.suppress(WorkspaceError):
                if _current(ws, f"{folder}/{rel}") == digest:
                    ws.remove(f"{folder}/{rel}", into_git=rel.startswith(".git/"))
    return refused


def _current(ws: Workspace, rel: str) -> str | None:
    """The digest of what is saved at ``rel`` now, or None when nothing is there."""
    if not ws.lexists(rel):
        return None
    return _digest(ws.read_bytes(rel, limit=ws.quota_bytes))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
