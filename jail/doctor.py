"""``slate doctor`` for the jail: the sandbox mode in force, and whether each limit really holds.

Keeps invariant 2 and 7 honest: nothing here is read from configuration or assumed from the kernel
version — every limit is *tried* in a real sandbox (a memory bomb, a fork bomb, a busy loop, a
sleeper, a big file, an output flood, a network probe) and reported as ``(check, ok, detail)``.
The store engineer's CLI prints the list; :func:`format_report` gives a plain table. Also reports
the host sysctls that harden what the sandboxes already refuse (:func:`host_hardening`): read
only — Slate never changes a host sysctl; the README's "Host hardening" says how to set them.
Imports nothing of Slate's outside ``jail``.
"""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

from jail import cgroup, seccomp
from jail.run import JailError, Limits, RunResult, RunSpec, run_async, uid_mode
from jail.sandbox import bwrap_path, bwrap_supports

Check = tuple[str, bool | str, str]
"""``(check, ok, detail)``; ``ok`` is True, False, or "warn" (works, but the host could be
hardened: reported, never a failure)."""
# A uid the doctor's per-learner probes run as when the caller names none: far above any
# distribution's range and Slate's suggested learner range (3000000+).
DOCTOR_UID = 3_999_999


def _bwrap() -> Check:
    try:
        path = bwrap_path()
        version = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except (FileNotFoundError, OSError, subprocess.SubprocessError) as exc:
        return ("bubblewrap", False, str(exc))
    extras = "--disable-userns" if bwrap_supports("--disable-userns") else "no --disable-userns"
    return ("bubblewrap", True, f"{version} at {path} ({extras})")


def _mode(host_uid: int | None) -> Check:
    if host_uid is not None:
        return ("uid mode", True, f"per-learner: sandboxes run under their own host uid "
                f"(probed as {host_uid})")
    if os.geteuid() == 0:
        return ("uid mode", False, "shared: every sandbox runs as nobody (root server without "
                "learner uids: learners share one uid)")
    return ("uid mode", True, "shared: every sandbox runs under the server's own uid (non-root "
            "demo; learners share one uid)")


def _cgroups() -> Check:
    ver = cgroup.version()
    if ver is None:
        return ("cgroups", False, "no cgroup v1 memory+pids or v2 hierarchy with them: memory "
                "falls back to RLIMIT_DATA per process, pids to RLIMIT_NPROC")
    probe = cgroup.Cgroup.create(f"doctor-{os.getpid()}", 64 << 20, 16)
    if probe is None:
        return ("cgroups", False, f"v{ver} present but not writable by this user: memory and "
                "pids fall back to rlimits")
    try:
        names = ["memory", "pids"] + (["cpuacct"] if ver == 1 and len(probe.dirs) > 2 else [])
        where = ", ".join(str(d.parent) for d in probe.dirs)
        return ("cgroups", True, f"v{ver}, controllers {'+'.join(names)} under {where}")
    finally:
        probe.remove()


def _seccomp() -> Check:
    if seccomp.filter_program() is None:
        return ("seccomp filter", False, f"not built for {platform.machine()}: namespaces only")
    return ("seccomp filter", True, f"{len(seccomp.DENIED_X86_64)} syscalls refused, socket "
            "families limited, TIOCSTI refused")


# (sysctl, the values that count as hardened, the value to set, why it matters here)
HARDENING: tuple[tuple[str, tuple[int, ...], int, str], ...] = (
    (
        "kernel.yama.ptrace_scope",
        (1, 2, 3),
        1,
        "a process may ptrace only its descendants (sandboxes also refuse ptrace by seccomp)",
    ),
    (
        "dev.tty.legacy_tiocsti",
        (0,),
        0,
        "no program can fake keystrokes into a terminal with TIOCSTI (sandboxes also refuse it "
        "by seccomp)",
    ),
    (
        "fs.protected_symlinks",
        (1,),
        1,
        "root does not follow a symlink a learner planted in a shared or sticky folder",
    ),
    (
        "fs.protected_hardlinks",
        (1,),
        1,
        "nobody can hardlink a file they cannot write (a learner linking server files into a "
        "workspace)",
    ),
    (
        "fs.protected_fifos",
        (1, 2),
        2,
        "root does not open a FIFO a learner planted in a sticky folder such as /tmp",
    ),
    (
        "fs.protected_regular",
        (1, 2),
        2,
        "root does not open a regular file a learner planted in a sticky folder such as /tmp",
    ),
)


def host_hardening(proc_sys: Path = Path("/proc/sys")) -> list[Check]:
    """Report the host sysctls that matter to a classroom; never change them.

    Args:
        proc_sys: where the sysctls are read (tests pass a fake tree).

    Returns:
        One ``(f"sysctl {name}", ok, detail)`` per sysctl of :data:`HARDENING`: True when set
        as recommended, "warn" when not (the sandboxes hold without it; the host is weaker).
        ``kernel.yama.ptrace_scope`` is reported only where the kernel has Yama, and
        ``dev.tty.legacy_tiocsti`` says so where the kernel (before 6.2) lacks the switch.
    """
    results: list[Check] = []
    for name, good, want, why in HARDENING:
        path = proc_sys / name.replace(".", "/")
        label = f"sysctl {name}"
        try:
            raw = path.read_text().strip()
        except FileNotFoundError:
            if name.startswith("kernel.yama."):
                if not (proc_sys / "kernel" / "yama").exists():
                    continue  # no Yama in this kernel: nothing to set
            elif name == "dev.tty.legacy_tiocsti":
                results.append((label, "warn", "this kernel (before 6.2) has no switch: TIOCSTI "
                                "works on every terminal of the host; sandboxes refuse it by "
                                "seccomp"))
                continue
            results.append((label, "warn", f"not found at {path}: {why} is not enforced"))
            continue
        except OSError as exc:
            results.append((label, "warn", f"cannot read {path}: {exc.strerror}"))
            continue
        try:
            value = int(raw.split()[0])
        except (ValueError, IndexError):
            results.append((label, "warn", f"unexpected value {raw[:40]!r}"))
            continue
        if value in good:
            results.append((label, True, f"{value}: {why}"))
        else:
            results.append((label, "warn", f"{value}, recommended {want}: {why}. Set it in "
                            f"/etc/sysctl.d/ (Slate never changes host sysctls)"))
    return results


async def _probe(
    name: str,
    spec: RunSpec,
    judge: Callable[[RunResult], tuple[bool, str]],
) -> Check:
    try:
        result = await run_async(spec)
    except (JailError, OSError, ValueError) as exc:
        return (name, False, f"the sandbox did not start: {exc}")
    ok, detail = judge(result)
    return (name, ok, detail)


def _limit_is(expected: str) -> Callable[[RunResult], tuple[bool, str]]:
    def judge(result: RunResult) -> tuple[bool, str]:
        how = f"ended after {result.duration:.2f}s, limit={result.limit}"
        if result.limit == expected:
            return True, f"yes ({how})"
        return False, f"NO: {how}, exit={result.exit_code}, signal={result.signal}"

    return judge


def _runtimes(result: RunResult) -> tuple[bool, str]:
    lines = result.stdout.decode("utf-8", "replace").split()
    ok = result.exit_code == 0 and len(lines) == 3
    return ok, " ".join(lines) if ok else f"missing: {result.stderr.decode(errors='replace')[:200]}"


def _network(result: RunResult) -> tuple[bool, str]:
    text = result.stdout.decode("utf-8", "replace").strip()
    return text == "lo unreachable", f"interfaces and outside reach: {text or result.stderr!r}"


async def checks_async(host_uid: int | None = None) -> list[Check]:
    """Try everything and report.

    Args:
        host_uid: the uid per-learner probes run as. Default: :data:`DOCTOR_UID` when root
            (per-learner mode), else None (shared mode).

    Returns:
        ``(check, ok, detail)`` tuples in a stable order.
    """
    if host_uid is None and os.geteuid() == 0:
        host_uid = DOCTOR_UID
    results: list[Check] = [_bwrap(), _mode(host_uid), _cgroups(), _seccomp()]

    def spec(argv: list[str], **limits: float) -> RunSpec:
        return RunSpec(argv=argv, host_uid=host_uid, limits=Limits(**limits))  # type: ignore[arg-type]

    py = "python3"
    probes: list[Awaitable[Check]] = [
        _probe("runtimes", spec(["sh", "-c", "node --version; python3 --version 2>&1 | "
                                 "cut -d' ' -f2; sqlite3 --version | cut -d' ' -f1"]), _runtimes),
        _probe("network", spec([py, "-c", (
            "import socket\n"
            "names = ','.join(n for _, n in socket.if_nameindex())\n"
            "try:\n"
            "    socket.create_connection(('1.1.1.1', 53), timeout=2); out = 'reachable'\n"
            "except OSError:\n"
            "    out = 'unreachable'\n"
            "print(names, out)\n")]), _network),
        _probe("memory limit", spec(
            [py, "-c", "x = []\nwhile True: x.append(bytearray(4 << 20))"], memory=48 << 20
        ), _limit_is("memory")),
        # A generous wall: on a loaded host the loop may need long to burn its one CPU-second.
        _probe("cpu limit", spec([py, "-c", "while True: pass"], cpu=1, wall=30),
               _limit_is("cpu")),
        _probe("wall limit", spec(["sleep", "60"], wall=0.5), _limit_is("wall")),
        _probe("file size limit", spec(
            [py, "-c", "open('/tmp/f', 'wb').write(b'x' * (2 << 20))"], fsize=1 << 20
        ), _limit_is("disk")),
        _probe("/tmp size limit", spec(
            ["dd", "if=/dev/zero", "of=/tmp/f", "bs=1M", "count=8"], tmp=2 << 20
        ), _limit_is("disk")),
        _probe("output limit", spec(["yes"], output=64 << 10), _limit_is("output")),
    ]
    probed = list(await asyncio.gather(*probes))
    # The fork bomb runs alone: where RLIMIT_NPROC is the guard it counts per host uid, and
    # it would starve the other probes of that uid.
    probed.insert(3, await _probe("pids limit", spec(
        [py, "-c", "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass"],
        pids=16, wall=8,
    ), _limit_is("pids")))
    by_cgroup = results[2][1]
    how = {
        "memory limit": "cgroup, whole run" if by_cgroup else "RLIMIT_DATA, per process",
        "pids limit": "cgroup, whole run" if by_cgroup else "RLIMIT_NPROC, per host uid",
    }
    results += [
        (name, ok, f"{detail} [{how[name]}]" if name in how else detail)
        for name, ok, detail in probed
    ]
    results += host_hardening()
    return results


def checks(host_uid: int | None = None) -> list[Check]:
    """Synchronous :func:`checks_async` (for the CLI)."""
    return asyncio.run(checks_async(host_uid))


def mode_name(host_uid: int | None) -> str:
    """"per-learner" or "shared" (as :func:`jail.run.uid_mode`)."""
    return uid_mode(host_uid)


def format_report(results: list[Check]) -> str:
    """A plain-text table: one line per check, ``ok``/``warn``/``FAIL``, then the detail."""
    width = max((len(name) for name, _, _ in results), default=0)
    lines = [
        f"{_status(ok)}  {name:<{width}}  {detail}" for name, ok, detail in results
    ]
    return "\n".join(lines)


def _status(ok: bool | str) -> str:
    if ok == "warn":
        return "warn"
    return "ok  " if ok is True else "FAIL"
