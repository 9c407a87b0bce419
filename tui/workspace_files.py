"""Reading and saving the learner's exercise files in the TUI's own workspace (``/workspace``).

Invariant kept (ARCHITECTURE invariant 4): a save is atomic — the new text goes to a temporary
file in the same folder, is fsynced, then renamed over the old one, and the folder is fsynced — so
a crash leaves the old file or the new one, never a torn one. Names are checked (no absolute
paths, no ``..``) and symlinks are never followed. ``jail.workspace`` will offer the same
operation; :func:`write_atomic` is the single place to swap it in.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

DEFAULT_ROOT = "/workspace"


class FileProblem(Exception):
    """A file could not be read or saved; the message is plain words for the learner."""


def workspace_root(environ: dict[str, str] | None = None) -> Path:
    """The workspace folder: ``SLATE_WORKSPACE`` (tests, development) or ``/workspace``."""
    env = os.environ if environ is None else environ
    return Path(env.get("SLATE_WORKSPACE") or DEFAULT_ROOT)


def _checked(root: Path, rel: str) -> Path:
    parts = PurePosixPath(rel).parts
    bad = not rel or "//" in rel or "\x00" in rel or rel.endswith("/")
    if bad or PurePosixPath(rel).is_absolute() or any(p in ("..", ".") for p in parts):
        raise FileProblem(f"Slate cannot use the file name {rel!r}.")
    path = root
    for part in parts[:-1]:
        path = path / part
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            raise FileProblem(f"The folder for {rel!r} is missing.") from None
        if not stat.S_ISDIR(info.st_mode):
            raise FileProblem(f"{rel!r} is not inside a normal folder.")
    return path / parts[-1]


def read_text(root: Path, rel: str) -> str:
    """Read a workspace file as text.

    Args:
        root: the workspace folder.
        rel: the file's path inside it (``course/exercise/file``).

    Returns:
        The text (undecodable bytes replaced, so a damaged file still opens).

    Raises:
        FileProblem: bad name, missing file, a symlink or a special file.
    """
    path = _checked(root, rel)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise FileProblem(f"The file {rel!r} is missing.") from None
    except OSError as exc:
        raise FileProblem(f"The file {rel!r} cannot be opened ({exc.strerror}).") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise FileProblem(f"{rel!r} is not a normal file.")
        return handle.read().decode("utf-8", errors="replace")


def write_atomic(root: Path, rel: str, text: str) -> None:
    """Save ``text`` to a workspace file atomically (temp file, fsync, rename, fsync folder).

    Args:
        root: the workspace folder.
        rel: the file's path inside it.
        text: the whole new content.

    Raises:
        FileProblem: bad name, the folder is missing, or the disk refused the write (full?).
    """
    path = _checked(root, rel)
    if path.is_symlink():
        raise FileProblem(f"{rel!r} is a link, so Slate will not write to it.")
    tmp = path.with_name(f".{path.name}.slate-tmp-{os.getpid()}")
    data = text.encode("utf-8")
    try:
        if os.path.lexists(tmp):  # left over from a crash of an earlier TUI with our pid
            os.unlink(tmp)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise FileProblem(f"{rel!r} could not be saved ({exc.strerror}).") from None
