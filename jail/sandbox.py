"""Sandbox policy: the bubblewrap command line for anything Slate runs on a learner's behalf.

Keeps invariant 2 (learner code never on the host, never with network) and 7 (a host uid per
learner): every sandbox unshares all namespaces (network = only ``lo``), sees the system read-only,
gets a sized tmpfs /tmp, a clean environment, and only the binds its spec names.

Beyond the namespaces: ``--disable-userns`` (no nested user namespaces, so no regaining
capabilities), an optional seccomp filter (``jail.seccomp``), and a small synthetic /etc (hosts,
passwd, group, nsswitch.conf from ``jail/etc``) so ``localhost`` resolves and tools that look up
their user work, without exposing the host's own files.

This module is the mechanism: it turns a ``SandboxSpec`` into a command line. Which sandboxes
exist, under which uid, with which binds, is policy and lives in ``jail.profiles`` (the only
place a ``SandboxSpec`` is made); ``jail.run`` executes Run/Check sandboxes and the server
starts TUI sandboxes on a pty. Imports nothing of Slate's.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# Read-only system paths every sandbox gets (those that exist on this host).
SYSTEM_RO = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc/alternatives")
# Single files/dirs from /etc that programs need; never /etc as a whole (shadow, ssh keys...).
ETC_RO = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/ssl/certs",  # pygit2 will not import without CA certificates
    "/etc/localtime",
    "/etc/mime.types",
    "/etc/terminfo",
    "/etc/protocols",
    "/etc/services",
)
# Slate's own small /etc files, bound read-only over the sandbox's /etc.
SANDBOX_ETC = Path(__file__).resolve().parent / "etc"
SANDBOX_ETC_FILES = ("hosts", "passwd", "group", "nsswitch.conf")


@dataclass(frozen=True)
class Bind:
    """A host path made visible inside the sandbox.

    Attributes:
        source: absolute host path (a file or a directory).
        dest: absolute path inside the sandbox; no ``..`` components.
        writable: bind read-write (default read-only).
    """

    source: str
    dest: str
    writable: bool = False

    def __post_init__(self) -> None:
        for label, path in (("source", self.source), ("dest", self.dest)):
            if not isinstance(path, str) or not path.startswith("/"):
                raise ValueError(f"bind {label} must be an absolute path, got {path!r}")
            if "\0" in path or ".." in path.split("/"):
                raise ValueError(f"bind {label} must not contain '..' or NUL: {path!r}")


@dataclass
class SandboxSpec:
    """Everything that describes one sandbox.

    Attributes:
        argv: the command to run inside.
        binds: extra host paths (workspace, runtime, course assets) beyond the system.
        env: the complete environment inside (nothing is inherited).
        cwd: working directory inside.
        sandbox_uid: uid/gid seen inside (a fixed unprivileged id; the host uid is chosen by
            whoever launches bwrap).
        tmp_size: bytes for the tmpfs at /tmp.
        hidden: paths inside binds to cover with an empty tmpfs (e.g. a solutions folder).
        scratch: extra writable tmpfs mounts ``(path, bytes)``, each with its own size (a
            seeded working folder: ``jail.profiles.Seed``). Mounted before the binds.
        new_session: ``--new-session`` (no controlling tty). Required for Run/Check; must be
            False for a TUI on a pty or window-change never arrives.
        hostname: the sandbox's hostname.
        run_as: (bwrap launched by root) the host uid the command runs as, set by setpriv
            inside the sandbox: the learner's own uid in per-learner mode.
        seccomp_fd: an fd holding a seccomp BPF program (``jail.seccomp.filter_fd``); the
            launcher must pass it to bwrap (``pass_fds``). None: no filter.
        as_pid_1: run the command as pid 1 of its namespace (``--as-pid-1``) instead of under
            bwrap's own init. bwrap's outer process then reaps pid 1 itself; with bwrap's init,
            that init is left as a zombie orphan whenever the host's pid 1 does not reap.
            Side effect: signals the program sends itself with a default action are ignored.
    """

    argv: list[str]
    sandbox_uid: int  # always jail.profiles.SANDBOX_UID (its one definition)
    binds: list[Bind] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: str = "/"
    tmp_size: int = 64 << 20
    hidden: list[str] = field(default_factory=list)
    scratch: list[tuple[str, int]] = field(default_factory=list)
    new_session: bool = True
    hostname: str = "slate"
    seccomp_fd: int | None = None
    run_as: int | None = None
    as_pid_1: bool = False


def bwrap_path() -> str:
    """The bubblewrap binary, or raise ``FileNotFoundError`` with a clear message."""
    path = shutil.which("bwrap") or ("/usr/bin/bwrap" if os.path.exists("/usr/bin/bwrap") else "")
    if not path:
        raise FileNotFoundError("bubblewrap (bwrap) is not installed: run 'make install' as root")
    return path


@functools.cache
def bwrap_supports(option: str) -> bool:
    """True if this bubblewrap accepts ``option`` (e.g. ``--disable-userns``, new in 0.8)."""
    try:
        out = subprocess.run(
            [bwrap_path(), "--help"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return f"{option} " in out.stdout + out.stderr


def bwrap_argv(spec: SandboxSpec) -> list[str]:
    """The full ``bwrap ... -- argv`` command line for ``spec``."""
    if spec.run_as is not None and os.geteuid() != 0:
        raise ValueError("run_as needs bwrap to be launched by root")
    if os.geteuid() != 0:
        # Unprivileged launcher (shared-uid demo): a user namespace maps it.
        args = [
            bwrap_path(),
            "--unshare-all",  # user, ipc, pid, net (only lo), uts, cgroup
            "--unshare-user",
            "--uid",
            str(spec.sandbox_uid),
            "--gid",
            str(spec.sandbox_uid),
            "--cap-drop",
            "ALL",
        ]
        if bwrap_supports("--disable-userns"):
            # No nested user namespace: a program cannot regain capabilities inside.
            args.append("--disable-userns")
    else:
        # Launched by root: every namespace but the user one (which the kernel refuses in a
        # chroot and some hosts disable). With ``run_as``, setpriv then drops to that host uid
        # (the learner's own) with no capabilities and no_new_privs before the command runs;
        # without it (course validation by an admin) the command keeps uid 0 with no
        # capabilities at all.
        args = [
            bwrap_path(),
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-net",  # only lo
            "--unshare-uts",
            "--unshare-cgroup-try",
        ]
        if spec.run_as is None:
            args += ["--cap-drop", "ALL"]
    args += ["--hostname", spec.hostname, "--die-with-parent", "--clearenv"]
    if spec.seccomp_fd is not None:
        args += ["--seccomp", str(spec.seccomp_fd)]
    if spec.new_session:
        args.append("--new-session")
    if spec.as_pid_1:
        args.append("--as-pid-1")
    # Bind targets (host content: parents inside them are left alone) and, prefixed with "+",
    # folders that exist already on bwrap's own root or tmpfs /tmp (parents under those, e.g. a
    # checkout under /tmp, are made 0755).
    mounted = {"/proc", "/dev", "+/", "+/tmp"}
    for path in SYSTEM_RO:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            _ensure_parents(args, path, mounted)
            args += ["--ro-bind", path, path]
            mounted.add(path)
    for path in ETC_RO:
        if os.path.exists(path):
            _ensure_parents(args, path, mounted)
            args += ["--ro-bind", path, path]
    for name in SANDBOX_ETC_FILES:
        _ensure_parents(args, f"/etc/{name}", mounted)
        args += ["--ro-bind", str(SANDBOX_ETC / name), f"/etc/{name}"]
    args += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        # --tmpfs /tmp comes before any bind under /tmp (bwrap applies them in order).
        # Sticky and world-writable: bwrap (root) owns it, the command's uid writes in it.
        "--perms",
        "1777",
        "--size",
        str(spec.tmp_size),
        "--tmpfs",
        "/tmp",
    ]
    for path, size in spec.scratch:
        _ensure_parents(args, path, mounted)
        args += ["--perms", "1777", "--size", str(size), "--tmpfs", path]
        mounted.add(path)
    for bind in spec.binds:
        _ensure_parents(args, bind.dest, mounted)
        args += ["--bind" if bind.writable else "--ro-bind", bind.source, bind.dest]
        mounted.add(bind.dest)
    for path in spec.hidden:
        args += ["--tmpfs", path]
    # bwrap's own root (/, and the /etc that holds the files above) is a tmpfs: make it
    # read-only last, so the only writable places are /tmp (sized) and writable binds.
    args += ["--remount-ro", "/"]
    for key, value in spec.env.items():
        args += ["--setenv", key, value]
    args += ["--chdir", spec.cwd, "--"]
    if spec.run_as is not None:
        args += drop_privileges_argv(spec.run_as)
    args += spec.argv
    return args


SETPRIV = "/usr/bin/setpriv"


def drop_privileges_argv(uid: int) -> list[str]:
    """``setpriv`` (util-linux) as the sandbox's first program: become ``uid`` (and gid ``uid``)
    with no supplementary groups, no capabilities in any set and no_new_privs, then exec."""
    if uid <= 0:
        raise ValueError("a sandbox never runs as root")
    return [
        SETPRIV,
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--ambient-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]


def _ensure_parents(args: list[str], dest: str, mounted: set[str]) -> None:
    """Create ``dest``'s missing parent folders mode 0755 (bwrap launched by root makes them
    0700, which the command's own uid could not enter). Parents inside a mount are left alone.

    ``mounted`` holds mount points (and, prefixed with "+", the folders already made here).
    """
    parts = dest.strip("/").split("/")[:-1]
    path = ""
    for part in parts:
        path += "/" + part
        if path in mounted or "+" + path in mounted:
            continue
        if any(path.startswith(m + "/") for m in mounted if m != "/" and not m.startswith("+")):
            continue
        args += ["--perms", "0755", "--dir", path]
        mounted.add("+" + path)


def python_runtime_binds(venv: Path, packages: list[Path]) -> list[Bind]:
    """Read-only binds that let ``venv/bin/python -m <package>`` work inside a sandbox.

    The venv is bound at its own path (its scripts carry absolute paths) and each package
    directory at its own path, so the editable install's path entries resolve.
    """
    binds = [Bind(str(venv), str(venv))]
    binds += [Bind(str(p), str(p)) for p in packages]
    return binds
