"""Control groups for sandboxes: a memory and a pids limit, and "kill everything left behind".

Supports cgroup v1 (separate ``memory`` and ``pids`` hierarchies) and v2 (one unified hierarchy
with those controllers enabled). Groups are created *under the current process's own cgroup*
(ARCHITECTURE facts), in a ``slate`` sub-group. When no usable controller is writable (a non-root
demo on a v1 host), :func:`Cgroup.create` returns ``None`` and the caller falls back to rlimits;
``slate doctor`` reports which mode is in force.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _own_paths() -> dict[str, str]:
    """Map controller name ("" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    paths: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                paths[name] = path
    return paths


def version() -> int | None:
    """2 for a unified hierarchy with memory+pids, 1 for v1 memory+pids mounts, else None."""
    controllers = ROOT / "cgroup.controllers"
    if controllers.exists():
        try:
            available = set(controllers.read_text().split())
        except OSError:
            return None
        return 2 if {"memory", "pids"} <= available else None
    if (ROOT / "memory").is_dir() and (ROOT / "pids").is_dir():
        return 1
    return None


_V2_BASE: Path | None = None  # fixed once: v2 setup may move this process to a leaf group


def _base_dirs() -> list[Path]:
    """Directories under which Slate's groups live, one per hierarchy in use."""
    global _V2_BASE
    own = _own_paths()
    ver = version()
    if ver == 2:
        if _V2_BASE is None:
            _V2_BASE = ROOT / own.get("", "/").lstrip("/") / "slate"
        return [_V2_BASE]
    if ver == 1:
        return [
            ROOT / "memory" / own.get("memory", "/").lstrip("/") / "slate",
            ROOT / "pids" / own.get("pids", "/").lstrip("/") / "slate",
        ]
    return []


LOW_CPU_SHARES = 128  # v1 cpu.shares of all sandboxes together (a plain task weighs 1024)
_LOW_CPU: list[str | None] = []


def low_cpu_group() -> str | None:
    """The ``cgroup.procs`` of one CPU group shared by every Run/Check sandbox, with a low
    weight: however many processes learners start, together they get a small share of the CPU
    while the server or a session wants it, so thirty busy loops never slow anyone's typing.
    Created on first use under this process's own cgroup. cgroup v1 only (a v2 process lives in
    one group, its run's); None where unusable, and then only niceness helps."""
    if _LOW_CPU:
        return _LOW_CPU[0]
    path: str | None = None
    own = _own_paths()
    try:
        if version() == 1 and (ROOT / "cpu" / "cpu.shares").exists():
            group = ROOT / "cpu" / own.get("cpu", "/").lstrip("/") / "slate-runs"
            group.mkdir(exist_ok=True)
            (group / "cpu.shares").write_text(str(LOW_CPU_SHARES))
        else:
            group = None
        if group is not None:
            path = str(group / "cgroup.procs")
    except OSError:
        path = None
    _LOW_CPU.append(path)
    return path


def _cpuacct_base() -> Path | None:
    """v1 only: where a run's CPU accounting group goes (optional; None if unusable)."""
    base = ROOT / "cpuacct"
    if not (base / "cpuacct.usage").exists():
        return None
    return base / _own_paths().get("cpuacct", "/").lstrip("/") / "slate"


@dataclass
class Cgroup:
    """One sandbox's control group(s).

    ``dirs`` has one entry (v2) or two or three (v1: memory, pids, and cpuacct when usable).
    """

    name: str
    dirs: list[Path]
    version: int
    cpu_procs: str | None = None  # the shared low-weight CPU group (see low_cpu_group)

    @classmethod
    def create(cls, name: str, memory_bytes: int, pids_max: int) -> Cgroup | None:
        """Create the group(s) with their limits, or return None if cgroups are not usable here.

        Args:
            name: unique name (e.g. "run-<uuid>"); only [A-Za-z0-9._-]. The directory is
                ``<name>@<creator pid>``, so :func:`sweep_abandoned` never removes a group whose
                creator is alive (it may not have joined it yet).
            memory_bytes: hard memory limit (swap included where the kernel allows).
            pids_max: most tasks (processes + threads) at once.
        """
        if not name or any(not (c.isalnum() or c in "._-") for c in name):
            raise ValueError(f"bad cgroup name {name!r}")
        name = f"{name}{CREATOR_MARK}{os.getpid()}"
        ver = version()
        if ver is None:
            return None
        dirs: list[Path] = []
        try:
            for base in _base_dirs():
                if ver == 2:
                    _enable_v2_controllers(base)
                else:
                    base.mkdir(exist_ok=True)
                path = base / name
                path.mkdir()
                dirs.append(path)
            cpuacct = _cpuacct_base() if ver == 1 else None
            if cpuacct is not None:
                try:  # accounting only: a run works without it
                    cpuacct.mkdir(exist_ok=True)
                    (cpuacct / name).mkdir()
                    dirs.append(cpuacct / name)
                except OSError:
                    pass
            group = cls(name=name, dirs=dirs, version=ver)
            group._set_limits(memory_bytes, pids_max)
            return group
        except OSError:
            for path in dirs:
                with contextlib.suppress(OSError):
                    path.rmdir()
            return None

    def _set_limits(self, memory_bytes: int, pids_max: int) -> None:
        if self.version == 2:
            (self.dirs[0] / "memory.max").write_text(str(memory_bytes))
            with contextlib.suppress(OSError):
                (self.dirs[0] / "memory.swap.max").write_text("0")
            (self.dirs[0] / "pids.max").write_text(str(pids_max))
        else:
            memory, pids = self.dirs[:2]
            (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
            with contextlib.suppress(OSError):  # only when swap accounting is on
                (memory / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
            (pids / "pids.max").write_text(str(pids_max))

    @property
    def procs_files(self) -> list[str]:
        """The cgroup.procs paths a child writes its own pid into before exec."""
        return [str(d / "cgroup.procs") for d in self.dirs]

    def join(self, pid: int = 0) -> None:
        """Move ``pid`` (0: the calling process) into the group. Safe in a preexec hook."""
        data = str(pid or os.getpid()).encode()
        paths = self.procs_files + ([self.cpu_procs] if self.cpu_procs else [])
        for path in paths:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)

    def pids(self) -> list[int]:
        """Every process now in the group."""
        found: set[int] = set()
        for d in self.dirs:
            with contextlib.suppress(OSError):
                found.update(int(x) for x in (d / "cgroup.procs").read_text().split())
        return sorted(found)

    def oom_killed(self) -> bool:
        """True if the kernel killed something in this group for exceeding its memory limit."""
        try:
            if self.version == 2:
                for line in (self.dirs[0] / "memory.events").read_text().splitlines():
                    key, value = line.split()
                    if key in ("oom_kill", "oom") and int(value) > 0:
                        return True
                return False
            text = (self.dirs[0] / "memory.oom_control").read_text()
            for line in text.splitlines():
                key, value = line.split()
                if key == "oom_kill" and int(value) > 0:
                    return True
            return int((self.dirs[0] / "memory.failcnt").read_text()) > 0 and "under_oom 1" in text
        except (OSError, ValueError):
            return False

    def pids_exhausted(self) -> bool:
        """True if a fork or clone was refused because of ``pids.max``."""
        pids_dir = self.dirs[0] if self.version == 2 else self.dirs[1]
        try:
            for line in (pids_dir / "pids.events").read_text().splitlines():
                key, value = line.split()
                if key == "max" and int(value) > 0:
                    return True
        except (OSError, ValueError):
            pass
        return False

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) used by every process of the group so far, where known."""
        try:
            if self.version == 2:
                for line in (self.dirs[0] / "cpu.stat").read_text().splitlines():
                    key, value = line.split()
                    if key == "usage_usec":
                        return int(value) / 1e6
                return None
            if len(self.dirs) < 3:
                return None
            return int((self.dirs[2] / "cpuacct.usage").read_text()) / 1e9
        except (OSError, ValueError):
            return None

    def memory_peak(self) -> int | None:
        """Peak memory use in bytes, where the kernel reports it."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.dirs[0] / name).read_text())
        except (OSError, ValueError):
            return None

    def kill_all(self, timeout: float = 2.0) -> None:
        """SIGKILL every process in the group until it is empty (or ``timeout`` passes)."""
        if self.version == 2:
            with contextlib.suppress(OSError):
                (self.dirs[0] / "cgroup.kill").write_text("1")
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids or time.monotonic() > deadline:
                return
            if self.version == 1:
                # v1 has no cgroup.kill: repeat until no task is left (new forks die next pass).
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def remove(self) -> None:
        """Kill what is left and remove the group directories.

        A process that joined meanwhile (a child between fork and exec) makes ``rmdir`` fail
        with EBUSY: it is killed in turn before the next try.
        """
        self.kill_all()
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    self.kill_all(timeout=0.5)
                    time.sleep(0.02)


def sweep_abandoned(prefix: str = "run-") -> int:
    """Remove Slate's groups left by a crash, whose name starts with ``prefix``.

    A group whose creator (the pid in ``<name>@<pid>``) is gone is abandoned. If processes are
    still in it (a session's TUI or a learner's run that outlived a killed server: bwrap's
    ``--die-with-parent`` should have ended them, this is the second line), they are killed
    first, then the group is removed.

    Left alone: groups of a live creator that still hold a process, and empty groups whose
    creator is alive — another server or test may have just made one and not joined it yet
    (removing it made that run fail with "Exception occurred in preexec_fn"). An empty group
    of a live pid is swept only when older than :data:`SWEEP_ORPHAN_AGE` (a reused pid), one
    without a creator mark when older than :data:`SWEEP_UNMARKED_AGE`. A group without a mark
    that holds processes is never killed (it may not be ours). Call it at server start (e.g.
    with "run-" and "session-").

    Returns:
        How many group directories were removed.
    """
    ver = version()
    bases = _base_dirs()
    cpuacct = _cpuacct_base() if ver == 1 else None
    if cpuacct is not None:
        bases.append(cpuacct)
    removed = 0
    for base in bases:
        try:
            children = [p for p in base.iterdir() if p.is_dir() and p.name.startswith(prefix)]
        except OSError:
            continue
        for child in children:
            try:
                if (child / "cgroup.procs").read_text().strip():
                    if ver is None or not _creator_gone(child):
                        continue
                    Cgroup(name=child.name, dirs=[child], version=ver).kill_all(timeout=5.0)
                elif not _abandoned(child):
                    continue
                child.rmdir()
                removed += 1
            except OSError:
                continue
    return removed


CREATOR_MARK = "@"
SWEEP_UNMARKED_AGE = 60.0
SWEEP_ORPHAN_AGE = 3600.0


def _creator_gone(group: Path) -> bool:
    """True if ``group`` carries a creator mark and no process has that pid any more."""
    mark, sep, pid_text = group.name.rpartition(CREATOR_MARK)
    if not sep or not mark or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, another user's
    return False


def _abandoned(group: Path) -> bool:
    """True if the empty ``group`` can be swept: its creator is gone (or it is old)."""
    age = time.time() - group.stat().st_mtime
    mark, sep, pid_text = group.name.rpartition(CREATOR_MARK)
    if not sep or not mark or not pid_text.isdigit():
        return age > SWEEP_UNMARKED_AGE
    return _creator_gone(group) or age > SWEEP_ORPHAN_AGE


def _enable_v2_controllers(base: Path) -> None:
    """Make ``base`` a v2 group whose children get memory and pids controllers.

    cgroup v2 forbids a group to both hold processes and hand controllers to its children
    ("no internal processes"). Under systemd (``Delegate=yes``) the server's own group holds
    the server, so the first time this process moves itself into a leaf ``slate-server``
    beside ``base``, then enables the controllers. Not exercised on the v1 test host.
    """
    parent = base.parent
    base.mkdir(exist_ok=True)
    try:
        (parent / "cgroup.subtree_control").write_text("+memory +pids")
    except OSError as exc:
        if exc.errno != errno.EBUSY:
            return _enable_on(base)  # perhaps enabled already (delegated): base decides
        leaf = parent / "slate-server"
        leaf.mkdir(exist_ok=True)
        (leaf / "cgroup.procs").write_text(str(os.getpid()))
        (parent / "cgroup.subtree_control").write_text("+memory +pids")
    _enable_on(base)


def _enable_on(group: Path) -> None:
    (group / "cgroup.subtree_control").write_text("+memory +pids")
