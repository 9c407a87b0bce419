"""Every sandbox Slate starts, as a named profile: audit invariants 2, 7 and 8 in this one file.

Callers choose a profile and say *what* it works on (a workspace, a work dir, a module); they
never assemble bubblewrap arguments or binds. Every profile goes through one builder,
:func:`sandbox_spec`, which ``jail.sandbox.bwrap_argv`` turns into a command line. What every
profile shares (``jail.sandbox``): all namespaces unshared (network = only ``lo``; launched by
root: ipc, pid, net, uts, cgroup and setpriv to the host uid below; launched by a non-root
server: a user namespace too, uid :data:`SANDBOX_UID` inside, ``--disable-userns``), read-only
system (``SYSTEM_RO``, a few ``ETC_RO`` files, Slate's synthetic /etc), ``--die-with-parent``,
``--clearenv``, a seccomp filter, a sized tmpfs /tmp, read-only root, no inherited fds.

Host uids (one definition each):

- :data:`NOBODY_UID` (65534): a sandbox launched by root that belongs to no learner (staff TUIs,
  catalog validation, the parser worker, ``slate doctor``'s probe). Never uid 0.
- the learner's own uid (``host_uid``, from the configured range, >= :data:`MIN_HOST_UID`):
  everything run on a learner's behalf when the server is root (per-learner mode).
- the server's own uid when it is not root (shared-uid demo); :data:`SANDBOX_UID` inside.

Profiles (host uid when the server is root; in a non-root demo every profile runs as the
server's uid, :data:`SANDBOX_UID` inside its own user namespace):

``tui`` — a session's TUI on a pty (:func:`tui_session`).
    uid: the learner's; staff: :data:`STAFF_UID`. No ``--new-session`` (resize needs the ctty).
    ro: the venv; Slate's tui/, jail/, courses/ (catalog hidden under an empty tmpfs);
    server/__init__.py, protocol.py and vocabulary.py. rw: /workspace = the learner's workspace (the
    TUI saves only through ``jail.workspace``: quota-checked, atomic). /tmp 32 MB.
    limits: the session's cgroup (memory, pids), set by the server.

``run`` — a learner's Run of an exercise (:func:`learner_run`, ``jail.run.run_in_workspace``).
    uid: the learner's (shared mode: nobody). ro: nothing of the host. rw: /workspace = a tmpfs
    the size of the learner's quota (plus a page per seeded file), seeded with the exercise
    folder read through the safe API; a write past it fails with ENOSPC inside. Its first
    program (``jail.seedbox``, pid 1) runs the command, kills what is left, and sends the
    folder back; changed files are saved through the safe API within the quota (never .git,
    node_modules, __pycache__). /tmp ``Limits.tmp``. limits: all of :class:`Limits`; the tmpfs
    pages are charged to the run's memory group (which gets the tmpfs size on top).

``check`` — one sandbox of a Check (:func:`check_run`).
    uid: the learner's (catalog validation: nobody). ro: the check's work dir (a copy the server
    made) at :data:`SEED_DIR`; course test files (``ro_files``). rw: /work = a tmpfs of
    ``work_size`` (default ``Limits.tmp`` + 20 MB) seeded from the work dir; /tmp. Nothing it
    writes reaches a host disk. ``work_writable=False``: the work dir read-only at /work
    instead (a check's trusted half). limits: all of :class:`Limits`.

``tool`` — one of Slate's own Python modules in a sandbox (:func:`tool_module`): the Git
    panel's ``courses.gitops`` (uid: the learner's; rw: /workspace = the whole workspace, a
    swapped folder resolves inside), the git check's evaluator (rw: its private copy), the
    recording parser ``server.cast_text`` (uid: nobody; rw: nothing; untrusted bytes on
    stdin). ro: the venv and the named files only (never the catalog, never server data).
    limits: those given (git: 20 s, 256 MB), FSIZE per file.

``probe`` — a bare RunSpec (``slate doctor``, tests, benchmarks): only the binds given.

``parser`` — the structural checks' tree-sitter worker (:func:`parser_worker`).
    uid: :data:`NOBODY_UID` (never the learner's). ro: the venv and the parser's module files.
    rw: /tmp only. Untrusted bytes arrive on stdin, outcomes leave on stdout. limits: those
    given (1 GB, 12 s CPU, 15 s wall; it also caps its own RLIMIT_AS).

Per-learner limits never hit another learner: memory and pids are the run's own cgroup; without
cgroups (non-root demo) RLIMIT_NPROC is set inside the run's own user namespace, where the
kernel counts only that sandbox's tasks, and the pids watchdog counts the run's own process tree.

Imports nothing of Slate's outside ``jail``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from jail.sandbox import Bind, SandboxSpec
from jail.workspace import DEFAULT_QUOTA_FILES

# -- uids ---------------------------------------------------------------------------------------

NOBODY_UID = 65534
"""Host uid of a root-launched sandbox that belongs to no learner (never uid 0)."""
STAFF_UID = NOBODY_UID
"""Staff TUIs own no files and only read the runtime."""
SANDBOX_UID = 1000
"""The uid a program sees inside a user namespace (non-root launcher)."""
MIN_HOST_UID = 1000
"""Learner host uids start here: never root, never a system account's uid."""

# -- where things are ---------------------------------------------------------------------------

SLATE_ROOT = Path(__file__).resolve().parent.parent
"""The checkout (or site-packages folder) holding Slate's packages."""
SANDBOX_WORKSPACE = "/workspace"
SANDBOX_WORK = "/work"
SEED_DIR = "/.slate/seed"
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
BASE_ENV = {"PATH": DEFAULT_PATH, "HOME": "/tmp", "LANG": "C.UTF-8"}
"""The environment every sandbox starts from; a RunSpec's own ``env`` is added on top."""
SYSTEM_PYTHON = "/usr/bin/python3"
"""The interpreter the Run profile's first program (``jail.seedbox``) runs with."""


# -- limits -------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Seed:
    """A run's working folder as a sized tmpfs inside the sandbox (never a host folder).

    Attributes:
        folder: the folder inside the sandbox (under ``mount``); it is the program's cwd.
        mount: where the tmpfs is mounted (``folder`` or a parent of it).
        size: bytes of that tmpfs: a write past it fails with ENOSPC inside.
        files: the folder's starting content (relative path -> bytes), read by the caller
            through the workspace's safe API; handed in on a memfd, and *consumed*: run_async
            empties the dict once it is copied there (no server copy for the run's length).
        source: a host folder bound read-only at :data:`SEED_DIR` and copied in (a check's
            work dir, which the server made itself). Check profile.
        collect: send the folder's regular files back at the end (``RunResult.files``).
        max_files: most files sent back.
        with_git: the folder's ``.git`` is seeded and sent back too (a teaching-console git
            command run the Run way); otherwise it is never sent back.
    """

    folder: str
    mount: str
    size: int
    files: dict[str, bytes] | None = None
    source: str | None = None
    collect: bool = False
    max_files: int = DEFAULT_QUOTA_FILES
    with_git: bool = False

    def __post_init__(self) -> None:
        for path in (self.folder, self.mount):
            if not path.startswith("/") or ".." in path.split("/") or "\0" in path:
                raise ValueError(f"seed folders must be absolute sandbox paths, got {path!r}")
        if self.folder != self.mount and not self.folder.startswith(self.mount.rstrip("/") + "/"):
            raise ValueError("the seeded folder must be inside its tmpfs")
        _positive("seed size", self.size, int, 1 << 20)
        if (self.files is None) == (self.source is None):
            raise ValueError("a seed has either files or a source folder")


@dataclass
class RunSpec:
    """What to run and how (the Run/Check/tool/probe profiles build these; see the table).

    Attributes:
        argv: the command inside the sandbox (``argv[0]`` found on the sandbox's PATH).
        binds: host paths to show inside (check files, course assets).
        cwd: working directory inside the sandbox (must exist there).
        env: extra environment on top of :data:`BASE_ENV`; nothing is inherited from the host.
        limits: the run's :class:`Limits`.
        host_uid: the learner's host uid (per-learner mode; requires root), or None: shared
            mode — the server's own uid when it is not root (a demo), :data:`NOBODY_UID` when
            it is (e.g. course validation); never uid 0.
        stdin: bytes fed to the program's standard input (None: empty input).
        profile: the profile's name (:data:`PROFILES`), for the sandbox's shape and the audit.
        seed: the working folder as a sized tmpfs (Run, Check), or None.
    """

    argv: list[str]
    binds: list[Bind] = field(default_factory=list)
    cwd: str = "/tmp"
    env: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    host_uid: int | None = None
    stdin: bytes | None = None
    profile: str = "probe"
    seed: Seed | None = None
    # Open fds inherited into the sandbox at the same numbers (e.g. pipes joining two check
    # sandboxes); run_async owns them from then on and closes them once the sandbox started.
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
        if self.profile not in PROFILES:
            raise ValueError(f"unknown sandbox profile {self.profile!r}")


# -- profiles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """The fixed shape of one kind of sandbox (see the module's table).

    Attributes:
        name: how callers and the audit log name it.
        new_session: ``--new-session`` (no controlling tty); False only for a TUI on a pty.
        hostname: the sandbox's hostname.
        as_pid_1: the first program is pid 1 of the namespace (no bwrap init left as a zombie).
        yields_cpu: learner code: niceness 10 and the low-weight CPU group shared by every
            such sandbox, so thirty busy loops never slow anyone's typing. False for the
            server's own work on untrusted bytes (the parser), which ran at normal priority
            as a plain subprocess before it had a sandbox.
    """

    name: str
    new_session: bool = True
    hostname: str = "slate"
    as_pid_1: bool = True
    yields_cpu: bool = True


TUI = Profile("tui", new_session=False, hostname="classroom")
RUN = Profile("run")
CHECK = Profile("check")
TOOL = Profile("tool")
PARSER = Profile("parser", yields_cpu=False)
PROBE = Profile("probe")
PROFILES = {p.name: p for p in (TUI, RUN, CHECK, TOOL, PARSER, PROBE)}


def run_as(host_uid: int | None) -> int | None:
    """The host uid setpriv drops to inside a sandbox launched by root: the learner's, else
    :data:`NOBODY_UID`. None when the launcher is not root (the user namespace maps it)."""
    if os.geteuid() != 0:
        return None
    return host_uid if host_uid is not None else NOBODY_UID


def sandbox_spec(
    profile: Profile,
    argv: list[str],
    *,
    binds: list[Bind] | None = None,
    env: dict[str, str] | None = None,
    cwd: str = "/tmp",
    host_uid: int | None = None,
    tmp_size: int = 64 << 20,
    hidden: list[str] | None = None,
    scratch: list[tuple[str, int]] | None = None,
    seccomp_fd: int | None = None,
) -> SandboxSpec:
    """The one builder of every sandbox: ``profile``'s fixed shape plus what it works on.

    Args:
        profile: one of :data:`PROFILES`.
        argv: the first program inside.
        binds: host paths shown inside (from the profile helpers below).
        env: the complete environment inside.
        cwd: working directory inside.
        host_uid: the learner's host uid (root only), or None.
        tmp_size: bytes of the tmpfs at /tmp.
        hidden: paths inside binds covered by an empty tmpfs.
        scratch: extra sized tmpfs mounts ``(path, bytes)`` (a seeded working folder).
        seccomp_fd: the seccomp program's fd, or None.
    """
    return SandboxSpec(
        argv=list(argv),
        binds=list(binds or []),
        env=dict(env or {}),
        cwd=cwd,
        sandbox_uid=SANDBOX_UID,
        tmp_size=tmp_size,
        hidden=list(hidden or []),
        scratch=list(scratch or []),
        new_session=profile.new_session,
        hostname=profile.hostname,
        seccomp_fd=seccomp_fd,
        run_as=run_as(host_uid),
        as_pid_1=profile.as_pid_1,
    )


# -- bind policies ------------------------------------------------------------------------------


def python_runtime(prefix: Path, files: list[Path]) -> list[Bind]:
    """Read-only binds that let ``prefix/bin/python -m <module>`` work inside a sandbox.

    The venv is bound at its own path (its scripts carry absolute paths) and each of Slate's
    files or package folders at its own path, so the editable install's path entries resolve.
    """
    return [Bind(str(prefix), str(prefix))] + [Bind(str(p), str(p)) for p in files]


# -- the profiles callers use -------------------------------------------------------------------


TUI_SERVER_MODULES = ("__init__.py", "protocol.py", "vocabulary.py")
"""The only files of server/ a TUI sandbox sees: stdlib-only, no server state or secrets."""


def tui_session(
    argv: list[str],
    *,
    prefix: Path,
    env: dict[str, str],
    workspace: Path | None,
    host_uid: int | None,
    tmp_size: int,
) -> SandboxSpec:
    """A session's TUI: the venv and Slate's tui/jail/courses read-only (the course catalog —
    solutions, check assets — hidden under an empty tmpfs), the learner's workspace writable at
    /workspace. Staff get no workspace and run as :data:`STAFF_UID` when the server is root."""
    files = [SLATE_ROOT / package for package in ("tui", "jail", "courses")]
    # Only the dependency-free modules of server/ (plus its empty __init__).
    files += [SLATE_ROOT / "server" / name for name in TUI_SERVER_MODULES]
    binds = python_runtime(prefix, files)
    if workspace is not None:
        binds.append(Bind(str(workspace), SANDBOX_WORKSPACE, writable=True))
    return sandbox_spec(
        TUI,
        argv,
        binds=binds,
        env=env,
        cwd=SANDBOX_WORKSPACE if workspace is not None else "/tmp",
        host_uid=host_uid if workspace is not None else (host_uid or STAFF_UID),
        tmp_size=tmp_size,
        hidden=[str(SLATE_ROOT / "courses" / "catalog")],
    )


def learner_run(
    argv: list[str],
    *,
    folder: str,
    files: dict[str, bytes],
    size: int,
    limits: Limits,
    host_uid: int | None,
    max_files: int = DEFAULT_QUOTA_FILES,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    with_git: bool = False,
) -> RunSpec:
    """A learner's Run of their exercise folder: nothing of the host is bound. The folder is
    ``/workspace/<folder>`` on a ``size``-byte tmpfs seeded with ``files`` (read by the caller
    through the workspace's safe API); its regular files come back in ``RunResult.files`` for
    the caller to write back within the quota (``jail.run.run_in_workspace`` does all of it)."""
    inside = f"{SANDBOX_WORKSPACE}/{folder}".rstrip("/")
    return RunSpec(
        argv=list(argv),
        cwd=inside,
        env=dict(env or {}),
        limits=limits,
        host_uid=host_uid,
        stdin=stdin,
        profile=RUN.name,
        seed=Seed(
            folder=inside,
            mount=SANDBOX_WORKSPACE,
            size=size,
            files=files,
            collect=True,
            max_files=max_files,
            with_git=with_git,
        ),
    )


def check_run(
    argv: list[str],
    *,
    work_dir: Path,
    limits: Limits,
    host_uid: int | None,
    work_size: int | None = None,
    work_writable: bool = True,
    ro_files: dict[str, str] | None = None,
    cwd: str = SANDBOX_WORK,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    pass_fds: tuple[int, ...] = (),
) -> RunSpec:
    """One sandbox of a Check: the check's work dir (a copy the server made) is copied into a
    ``work_size``-byte tmpfs at /work (default: ``limits.tmp`` + 20 MB for the copy), so
    nothing the program writes reaches a host disk; with ``work_writable=False`` it is bound
    read-only instead. Each ``ro_files[host_path] -> sandbox_path`` (course test files) is
    bound read-only. ``host_uid`` None: :data:`NOBODY_UID` under a root server (a check's
    trusted half, or catalog validation). ``pass_fds``: fds inherited at the same numbers."""
    binds = []
    if not work_writable:
        binds.append(Bind(str(work_dir), SANDBOX_WORK))
    for host_path, dest in (ro_files or {}).items():
        if not dest.startswith("/") or ".." in Path(dest).parts:
            raise ValueError(f"read-only destination must be an absolute path: {dest!r}")
        binds.append(Bind(str(host_path), dest, writable=False))
    return RunSpec(
        argv=list(argv),
        binds=binds,
        cwd=cwd,
        env=dict(env or {}),
        limits=limits,
        host_uid=host_uid,
        stdin=stdin,
        profile=CHECK.name,
        pass_fds=tuple(pass_fds),
        seed=None
        if not work_writable
        else Seed(
            folder=SANDBOX_WORK,
            mount=SANDBOX_WORK,
            size=work_size if work_size is not None else limits.tmp + (20 << 20),
            source=str(work_dir),
        ),
    )


def tool_module(
    module: str,
    args: list[str],
    *,
    files: list[Path],
    limits: Limits,
    host_uid: int | None,
    prefix: Path,
    workspace: Path | None = None,
    dest: str = SANDBOX_WORKSPACE,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    isolated: bool = False,
) -> RunSpec:
    """One of Slate's own Python modules run in a sandbox: the Git panel's ``courses.gitops``
    on the learner's workspace, the git check's evaluator on its private copy, the recording
    parser (``server.cast_text``) on untrusted bytes from stdin.

    Binds the venv and the named ``files`` only (never the catalog, never the server's data),
    and ``workspace`` writable at ``dest`` (for gitops the *whole* workspace: a folder swapped
    for a link then resolves inside the sandbox, never on the host). ``host_uid`` None runs as
    :data:`NOBODY_UID` under a root server. ``isolated``: ``python -I`` (no cwd or PYTHON*
    variables on sys.path)."""
    binds = python_runtime(prefix, files)
    if workspace is not None:
        binds.append(Bind(str(workspace), dest, writable=True))
    flags = ["-I"] if isolated else []
    return RunSpec(
        argv=[str(prefix / "bin" / "python"), *flags, "-m", module, *args],
        binds=binds,
        cwd=cwd if cwd is not None else (dest if workspace is not None else "/tmp"),
        env=dict(env) if env is not None else {"PYTHONDONTWRITEBYTECODE": "1"},
        limits=limits,
        host_uid=host_uid,
        stdin=stdin,
        profile=TOOL.name,
    )


def parser_worker(
    python: str,
    code: str,
    *,
    files: list[Path],
    limits: Limits,
    prefix: Path,
    stdin: bytes,
) -> RunSpec:
    """Slate's parser of untrusted learner bytes (tree-sitter structural checks): ``python -I
    -c code`` with the request on stdin, as :data:`NOBODY_UID` under a root server (never the
    learner's uid: nothing of theirs can reach it), the venv and the named ``files`` read-only,
    nothing writable but /tmp. A native crash in a grammar ends only this sandbox."""
    return RunSpec(
        argv=[python, "-I", "-c", code],
        binds=python_runtime(prefix, files),
        cwd="/",
        env={"PYTHONDONTWRITEBYTECODE": "1"},
        limits=limits,
        host_uid=None,
        stdin=stdin,
        profile=PARSER.name,
    )


def workspace_command(
    argv: list[str],
    *,
    workspace: Path,
    folder: str,
    limits: Limits,
    host_uid: int | None,
    env: dict[str, str] | None = None,
) -> RunSpec:
    """A fixed-effect teaching-console command (git, ls, cat, mkdir, mv, rm; judged against
    the console's allowlist by ``server.teaching_console``) in the Run profile, as the learner:
    the *whole* workspace writable at /workspace (as the Git panel's tool sandbox: a folder
    swapped for a link resolves inside, never on the host), cwd the exercise ``folder``.
    Programs that can write any amount (node, sqlite3) go through :func:`learner_run`."""
    parts = folder.split("/")
    if not folder or folder.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"folder must be workspace-relative, got {folder!r}")
    return RunSpec(
        argv=list(argv),
        binds=[Bind(str(workspace), SANDBOX_WORKSPACE, writable=True)],
        cwd=f"{SANDBOX_WORKSPACE}/{folder}",
        env=dict(env or {}),
        limits=limits,
        host_uid=host_uid,
        profile=RUN.name,
    )
