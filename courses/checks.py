"""Running an exercise's checks: the one entry point the server's grader calls.

Owns ``run_checks``: copying the learner's files into a fresh temporary work dir, building the
``CheckContext`` (limits, host uid), running every ``[[checks]]`` table through its kind, and
folding the outcomes into one ``CheckResult``.

Invariants kept here:
- Learner files are copied, never used in place: only regular files are copied (opened with
  ``O_NOFOLLOW``; symlinks, FIFOs and devices are skipped), within a size and count budget, into a
  new directory per check, removed afterwards. Nothing a check does can touch the workspace.
  When the server is root that directory is a size-capped tmpfs, so a program that writes
  without end fills its own small disk, not the host's.
- Course test assets are bound read-only by the kinds; solutions are never read here.
- A check that breaks (a sandbox failure, a bug in a kind) becomes an ``error`` outcome with a
  plain message; it never raises into the server and never counts as a pass.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from courses.kinds import KindError, get_kind
from courses.model import CheckContext, CheckResult, Exercise, TestOutcome
from jail.profiles import NOBODY_UID

log = logging.getLogger(__name__)

STOPPED = "You stopped the check. Press Check again when you are ready."

MAX_COPY_BYTES = 20 << 20
# Room a check may write in its work dir (beyond the copy), when it is a tmpfs.
WORK_DIR_SPARE = 64 << 20
_MS_NOSUID, _MS_NODEV, _MNT_DETACH = 2, 4, 2
MAX_COPY_FILES = 2000
SKIP_DIRS = frozenset({".git", "node_modules", "__pycache__"})


class CopyError(Exception):
    """The learner's folder could not be copied for checking (the message is for them)."""



def copy_learner_files(src: Path, dest: Path, host_uid: int | None = None) -> int:
    """Copy the regular files under ``src`` into ``dest`` (which must exist).

    Symlinks, FIFOs, sockets and devices are skipped; ``.git``, ``node_modules`` and
    ``__pycache__`` folders too. Files are opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked
    with ``fstat``, so a file swapped for a symlink or FIFO mid-copy is skipped, not followed.

    Args:
        src: the learner's exercise folder (or a starter/solution folder).
        dest: the fresh work dir.
        host_uid: when given (and we are root), copied files and folders are chowned to it so
            the learner's sandbox uid can write there.

    Returns:
        The number of files copied.

    Raises:
        CopyError: more than ``MAX_COPY_FILES`` files or ``MAX_COPY_BYTES`` bytes.
    """
    copied = 0
    total = 0
    stack = [(src, dest)]
    while stack:
        src_dir, dest_dir = stack.pop()
        try:
            entries = sorted(os.scandir(src_dir), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            target = dest_dir / entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name in SKIP_DIRS:
                    continue
                target.mkdir()
                _own(target, host_uid)
                stack.append((Path(entry.path), target))
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            try:
                fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            with os.fdopen(fd, "rb") as fh:
                info = os.fstat(fh.fileno())
                if not stat.S_ISREG(info.st_mode):
                    continue
                copied += 1
                total += info.st_size
                if copied > MAX_COPY_FILES or total > MAX_COPY_BYTES:
                    raise CopyError(
                        "Your exercise folder has too many or too large files to check "
                        f"(the limit is {MAX_COPY_FILES} files, {MAX_COPY_BYTES >> 20} MB). "
                        "Delete the files you don't need."
                    )
                with target.open("wb") as out:
                    shutil.copyfileobj(fh, out, length=1 << 16)
            _own(target, host_uid)
    return copied


def _own(path: Path, host_uid: int | None) -> None:
    if host_uid is not None and os.geteuid() == 0:
        os.chown(path, host_uid, host_uid, follow_symlinks=False)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _mount_tmpfs(path: Path, size: int, host_uid: int | None) -> bool:
    """Mount a size-capped tmpfs on ``path`` (root only), so a check can't fill the host disk.

    Returns False (and the caller keeps a plain folder) when not root or the mount fails.
    """
    if os.geteuid() != 0:
        return False
    uid = host_uid if host_uid is not None else 0
    opts = f"size={size},mode=0700,uid={uid},gid={uid}".encode()
    flags = _MS_NOSUID | _MS_NODEV
    if _libc().mount(b"tmpfs", str(path).encode(), b"tmpfs", flags, opts) != 0:
        err = ctypes.get_errno()
        log.warning("no tmpfs for check dir %s: %s", path, os.strerror(err))
        return False
    return True


def _fresh_work_dir(files_dir: Path, host_uid: int | None, size: int) -> Path:
    """A new work dir holding a copy of ``files_dir``: a ``size``-byte tmpfs when we are root."""
    work = Path(tempfile.mkdtemp(prefix="slate-check-"))
    if not _mount_tmpfs(work, size, host_uid):
        # The sandbox runs as the learner's uid (or the server's): it must be able to write here.
        if host_uid is not None and os.geteuid() == 0:
            os.chown(work, host_uid, host_uid)
        os.chmod(work, 0o700)
    try:
        copy_learner_files(files_dir, work, host_uid)
    except BaseException:
        _remove_work_dir(work)
        raise
    return work


def _remove_work_dir(work: Path) -> None:
    if os.path.ismount(work):
        if _libc().umount2(str(work).encode(), _MNT_DETACH) != 0:
            log.warning("could not unmount %s: %s", work, os.strerror(ctypes.get_errno()))
            return
    shutil.rmtree(work, ignore_errors=True)


def _work_dir_size(limits: Any) -> int:
    return MAX_COPY_BYTES + max(int(getattr(limits, "tmp", 0) or 0), WORK_DIR_SPARE)


def sweep_stale_work_dirs(older_than: float = 3600.0) -> int:
    """Unmount and remove check work dirs left by a server that died mid-check.

    Call it when the server starts. Only ``slate-check-*`` folders in the temp dir older than
    ``older_than`` seconds are touched.

    Returns:
        How many were removed.
    """
    removed = 0
    now = time.time()
    for path in Path(tempfile.gettempdir()).glob("slate-check-*"):
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or now - info.st_mtime < older_than:
            continue
        _remove_work_dir(path)
        removed += not path.exists()
    return removed


def _error(name: str, message: str) -> TestOutcome:
    return TestOutcome(name=name, status="error", message=message)


async def run_one_check(
    exercise: Exercise,
    check: dict[str, Any],
    files_dir: Path,
    *,
    learner_dir: Path | None,
    host_uid: int | None,
    limits: Any,
    stop: Any = None,
) -> list[TestOutcome]:
    """Run one ``[[checks]]`` table in a fresh work dir; errors become ``error`` outcomes."""
    label = check.get("name") or check.get("kind", "check")
    try:
        kind = get_kind(str(check.get("kind")))
    except KindError as exc:
        return [
            _error(str(label), f"This exercise is set up wrongly ({exc}). Tell your instructor.")
        ]
    try:
        work = _fresh_work_dir(files_dir, host_uid, _work_dir_size(limits))
    except CopyError as exc:
        return [TestOutcome(name=str(label), status="failed", message=str(exc))]
    try:
        ctx = CheckContext(
            exercise=exercise,
            work_dir=work,
            learner_dir=learner_dir,
            limits=limits,
            host_uid=host_uid,
            stop=stop,
        )
        return list(await kind.run(check, ctx))
    except Exception as exc:  # a kind or the sandbox broke: an error, never a pass
        log.exception("check %s of %s failed to run", kind.name, exercise.key)
        jail_error = type(exc).__name__ == "JailError"
        what = "The sandbox could not start" if jail_error else "The check itself broke"
        return [
            _error(
                str(label),
                f"{what}, so your work could not be checked. Please tell "
                f"your instructor. ({type(exc).__name__}: {exc})",
            )
        ]
    finally:
        _remove_work_dir(work)


async def run_checks(
    exercise: Exercise,
    files_dir: Path,
    *,
    learner_dir: Path | None = None,
    host_uid: int | None = None,
    limits: Any = None,
    stop: Any = None,
) -> CheckResult:
    """Run every check of ``exercise`` against the files in ``files_dir``.

    Args:
        exercise: the exercise (from ``courses.catalog``).
        files_dir: the folder holding the files to check (a learner's exercise folder, or a
            ``starter``/``solution`` folder when validating the catalog).
        learner_dir: the learner's real exercise folder, for kinds that read it (git).
        host_uid: the learner's host uid for the sandboxes (None: the server's own).
        limits: base ``jail.run.Limits`` (default: the jail's defaults); the exercise's
            ``[limits]`` overrides are applied on top.
        stop: an ``asyncio.Event``; once set, the running sandbox ends and no further check
            starts (the result then says it was stopped).

    Returns:
        The combined result. Test names are prefixed with the check's ``name`` when the
        exercise has several checks and the check is named.
    """
    try:
        run_limits = exercise.make_limits(limits)
    except ValueError as exc:
        return CheckResult(
            "error", "This exercise is set up wrongly.", [_error("limits", str(exc))]
        )
    if host_uid is None and os.geteuid() == 0:
        # A root server validating the catalog: sandboxes never run as root, so the work
        # copies belong to the unprivileged uid the jail runs them under.
        host_uid = NOBODY_UID
    outcomes: list[TestOutcome] = []
    for check in exercise.checks:
        if stop is not None and stop.is_set():
            return CheckResult("error", STOPPED, [])
        found = await run_one_check(
            exercise,
            check,
            files_dir,
            learner_dir=learner_dir,
            host_uid=host_uid,
            limits=run_limits,
            stop=stop,
        )
        if stop is not None and stop.is_set():
            return CheckResult("error", STOPPED, [])
        if len(exercise.checks) > 1 and check.get("name"):
            for outcome in found:
                outcome.name = f"{check['name']}: {outcome.name}"
        outcomes += found
    return CheckResult.from_tests(outcomes)
