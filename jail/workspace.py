"""A learner's workspace and the one safe file API for everything that touches it.

Keeps invariant 4 (nothing the learner saved is ever lost: saves are atomic — temp file, fsync,
rename, fsync of the folder) and the §3 threat-model promise for files: a workspace is written by
hostile programs, so every access from outside a sandbox (the server, checks, history) goes through
this module, which

- validates names (relative, no ``..``, no control or format characters, bounded length, no
  ``.git`` component for writes),
- walks paths one component at a time with ``openat`` and ``O_NOFOLLOW`` from a descriptor of the
  workspace root, so a planted or swapped symlink is never followed,
- opens files ``O_NONBLOCK`` and checks ``fstat`` afterwards, so FIFOs, devices, sockets,
  hardlinked files (``st_nlink > 1``) and files swapped in between are refused, never block,
- caps the size of what it reads, and enforces the workspace quota (bytes and file count) on
  saves, while a save that does not grow usage past the quota still succeeds.

Refusals are :class:`WorkspaceError` with a plain message a learner can act on. The learner's
TUI uses the same module on ``/workspace`` inside its own sandbox (no root, no chown needed).

The server's whole-tree work on a workspace (invariant 8: never a path as root) is here too:
:meth:`Workspace.remove_tree` (a reset deleting a repository: dirfd-relative, links removed and
never followed, never crossing a mount), :meth:`Workspace.install_tree` (a starter tree or a
repository the server built in a private folder, copied in through descriptors; a ``.git``
renamed into place whole) and ``copy_files_to(..., include_git=True)`` (the copy the git check
grades). A folder swapped for a link at any moment makes these fail with a plain refusal; they
never write, read or delete through the link.
Provisioning creates the folder (0700, owned by the learner's host uid when we are root) and the
learner's own git repository with a first commit; that repository stays theirs (git lessons).
Imports nothing of Slate's outside ``jail``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_NAME = 255  # bytes in one path component (the Linux limit)
MAX_PATH = 1024  # characters in a whole relative path
MAX_DEPTH = 32  # folders deep
DEFAULT_QUOTA_BYTES = 50 << 20
"""What a learner's workspace may hold by default (the site sets ``[workspace] quota_mb``)."""
DEFAULT_QUOTA_FILES = 5000
"""Files and folders a workspace may hold by default (``[workspace] quota_files``); also the
most files a Run may leave (``jail.profiles``)."""
DEFAULT_MAX_READ = 1 << 20
_TMP_PREFIX = ".slate-save-"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_README = (
    "# Your workspace\n\n"
    "Your exercises live in the folders here. Slate saves every version of your work,\n"
    "so you can always go back.\n"
)


class WorkspaceError(Exception):
    """A workspace operation was refused or failed; the message is plain and safe to show."""


@dataclass(frozen=True)
class Usage:
    """How much of its quota a workspace uses.

    Attributes:
        bytes: total size of regular files (the learner's git repository included).
        files: number of entries (files, folders, links...) outside ``.git``.
        complete: False when counting stopped early because there were far too many entries.
    """

    bytes: int
    files: int
    complete: bool = True


def check_name(rel: str, *, for_write: bool = False, allow_empty: bool = False) -> list[str]:
    """Validate a workspace-relative path and return its components.

    Args:
        rel: a path such as ``"html/first-page/index.html"``.
        for_write: also refuse any ``.git`` component (the learner's repository is theirs).
        allow_empty: accept ``""`` (the workspace root itself) and return ``[]``.

    Returns:
        The path's components.

    Raises:
        WorkspaceError: the name is not acceptable (says why).
    """
    if not isinstance(rel, str):
        raise WorkspaceError("A file name must be text.")
    if rel == "" and allow_empty:
        return []
    if not rel:
        raise WorkspaceError("The file name is empty.")
    if len(rel) > MAX_PATH:
        raise WorkspaceError(f"The file name is too long (at most {MAX_PATH} characters).")
    if rel.startswith("/"):
        raise WorkspaceError("The file name must not start with '/'.")
    if "\\" in rel:
        raise WorkspaceError("The file name must not contain '\\'.")
    for ch in rel:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in "\u2028\u2029":
            raise WorkspaceError("The file name contains a control or invisible character.")
    parts = rel.split("/")
    if len(parts) > MAX_DEPTH:
        raise WorkspaceError(f"The file is nested too deep (at most {MAX_DEPTH} folders).")
    for part in parts:
        if part in ("", ".", ".."):
            raise WorkspaceError(f"The file name {rel!r} has an empty, '.' or '..' part.")
        if len(part.encode("utf-8")) > MAX_NAME:
            raise WorkspaceError(f"A part of the file name is too long (at most {MAX_NAME} bytes).")
        if for_write and part.lower() == ".git":
            raise WorkspaceError("Files inside .git cannot be changed here (use the Git panel).")
        if part.startswith(_TMP_PREFIX):
            raise WorkspaceError("That file name is reserved by Slate.")
    return parts


def printable(name: str) -> str:
    """``name`` with every control, format or surrogate character shown as ``?`` (for messages)."""
    return "".join(
        "?" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") else ch for ch in name
    )[:MAX_PATH]


def _acceptable(rel: str) -> bool:
    try:
        check_name(rel)
    except WorkspaceError:
        return False
    return True


def _describe(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


class Workspace:
    """One learner's workspace folder.

    Args:
        root: the workspace folder on the host (or ``/workspace`` inside the TUI sandbox).
        host_uid: the learner's host uid; files and folders are chowned to it (needs root).
            None: leave ownership alone (shared-uid mode, or inside a sandbox).
        quota_bytes: most bytes the workspace may hold.
        quota_files: most entries (files and folders) it may hold.
        max_read: largest file :meth:`read_bytes` returns by default.

    Raises:
        ValueError: ``host_uid`` is set but we are not root, or is 0, or a quota is not positive.
    """

    def __init__(
        self,
        root: Path | str,
        host_uid: int | None = None,
        quota_bytes: int = DEFAULT_QUOTA_BYTES,
        quota_files: int = DEFAULT_QUOTA_FILES,
        max_read: int = DEFAULT_MAX_READ,
    ) -> None:
        if host_uid is not None:
            if isinstance(host_uid, bool) or not isinstance(host_uid, int) or not (
                1000 <= host_uid < 2**31
            ):
                raise ValueError(f"host_uid must be a non-root, non-system uid, got {host_uid!r}")
            if os.geteuid() != 0:
                raise ValueError("host_uid needs the server to run as root (shared-uid mode: None)")
        for label, value in (("quota_bytes", quota_bytes), ("quota_files", quota_files)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{label} must be a positive whole number, got {value!r}")
        self.root = Path(root)
        self.host_uid = host_uid
        self.quota_bytes = quota_bytes
        self.quota_files = quota_files
        self.max_read = max_read

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r}, host_uid={self.host_uid})"

    # -- provisioning -------------------------------------------------------------------------

    def provision(self) -> None:
        """Create the folder (0700, the learner's) and their git repository with a first commit.

        Idempotent: an existing workspace is only re-secured (mode and owner of the root); an
        existing ``.git`` — whatever it is, even a link — is never opened or followed here. The
        first repository is built in a private folder of the server's and installed through
        descriptors (:meth:`install_tree`), so libgit2 never works on a learner-writable path.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        info = os.lstat(self.root)
        if not stat.S_ISDIR(info.st_mode):
            raise WorkspaceError(f"{self.root} is not a folder")
        fd = os.open(self.root, _DIR_FLAGS)
        try:
            os.fchmod(fd, 0o700)
            self._chown(fd)
            try:
                os.stat(".git", dir_fd=fd, follow_symlinks=False)
                has_git = True
            except FileNotFoundError:
                has_git = False
        finally:
            os.close(fd)
        if not has_git:
            self._init_repository()

    def _init_repository(self) -> None:
        import tempfile

        import pygit2  # lazily: the TUI imports this module and never provisions

        if not self.exists("README.md"):
            self.write_atomic("README.md", _README)
        readme = self.read_bytes("README.md")
        with tempfile.TemporaryDirectory(prefix="slate-provision-") as tmp:
            build = Path(tmp) / "repo"
            build.mkdir()
            (build / "README.md").write_bytes(readme)
            repo = pygit2.init_repository(str(build), bare=False, initial_head="main")
            repo.index.add("README.md")
            repo.index.write()
            tree = repo.index.write_tree()
            signature = pygit2.Signature("Slate", "slate@classroom.invalid")
            repo.create_commit("HEAD", signature, signature, "Start of your workspace", tree, [])
            del repo
            self.install_tree("", build, names=[".git"])

    # -- reading ------------------------------------------------------------------------------

    def read_bytes(self, rel: str, limit: int | None = None) -> bytes:
        """The content of a regular file, refusing links, special files and oversize files.

        Args:
            rel: workspace-relative path.
            limit: largest size accepted (default ``max_read``).

        Raises:
            WorkspaceError: missing, not a regular file, hardlinked, or too big.
        """
        limit = self.max_read if limit is None else limit
        parts = check_name(rel)
        with self._dir(parts[:-1]) as dfd:
            fd = self._open_file(dfd, parts[-1], rel)
            try:
                size = os.fstat(fd).st_size
                if size > limit:
                    raise WorkspaceError(
                        f"{rel} is too big to open here ({_kb(size)}; the limit is {_kb(limit)})."
                    )
                chunks: list[bytes] = []
                total = 0
                while True:
                    chunk = os.read(fd, min(1 << 20, limit + 1 - total))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    total += len(chunk)
                    if total > limit:
                        raise WorkspaceError(f"{rel} grew too big while it was being read.")
                return b"".join(chunks)
            finally:
                os.close(fd)

    def read_text(self, rel: str, limit: int | None = None) -> str:
        """The content of a UTF-8 text file (see :meth:`read_bytes`).

        Raises:
            WorkspaceError: as :meth:`read_bytes`, or the file is not UTF-8 text.
        """
        data = self.read_bytes(rel, limit)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WorkspaceError(
                f"{rel} is not a text file Slate can open (byte {exc.start} is not UTF-8)."
            ) from exc

    def exists(self, rel: str) -> bool:
        """True if ``rel`` names a regular file (links and special files count as absent)."""
        parts = check_name(rel)
        try:
            with self._dir(parts[:-1]) as dfd:
                info = os.stat(parts[-1], dir_fd=dfd, follow_symlinks=False)
        except (WorkspaceError, OSError):
            return False
        return stat.S_ISREG(info.st_mode)

    def lexists(self, rel: str) -> bool:
        """True if anything at all is at ``rel`` (a link counts; it is not followed)."""
        parts = check_name(rel)
        try:
            with self._dir(parts[:-1]) as dfd:
                os.stat(parts[-1], dir_fd=dfd, follow_symlinks=False)
        except (WorkspaceError, OSError):
            return False
        return True

    def entry_type(self, rel: str) -> str | None:
        """What is at ``rel``, looked at without following links: ``"file"`` (a plain file),
        ``"folder"``, ``"link"``, ``"other"`` (FIFO, device, socket), or None when nothing is
        there or a folder on the way is not a plain folder."""
        parts = check_name(rel)
        try:
            with self._dir(parts[:-1]) as dfd:
                mode = os.stat(parts[-1], dir_fd=dfd, follow_symlinks=False).st_mode
        except (WorkspaceError, OSError):
            return None
        if stat.S_ISREG(mode):
            return "file"
        if stat.S_ISDIR(mode):
            return "folder"
        return "link" if stat.S_ISLNK(mode) else "other"

    def walk(self, rel_dir: str = "", *, include_git: bool = False) -> list[tuple[str, str, int]]:
        """Every entry under ``rel_dir``, walked through descriptors without following links.

        Returns:
            Sorted ``(path relative to rel_dir, kind, size)`` tuples; kind is ``"file"``,
            ``"folder"``, ``"link"`` or ``"other"`` (FIFO, device, socket). A folder swapped for
            a link during the walk is listed but never entered. ``.git`` only if asked.

        Raises:
            WorkspaceError: ``rel_dir`` is missing, not a plain folder, or holds far too many
                entries.
        """
        parts = check_name(rel_dir, allow_empty=True)
        found: list[tuple[str, str, int]] = []
        with self._dir(parts) as dfd:
            for rel, mode, size in self._walk(
                dfd, "", self.quota_files * 2 + 1000, include_git=include_git
            ):
                if stat.S_ISREG(mode):
                    kind = "file"
                elif stat.S_ISDIR(mode):
                    kind = "folder"
                else:
                    kind = "link" if stat.S_ISLNK(mode) else "other"
                found.append((rel, kind, size))
        return found

    def list_files(self, rel_dir: str = "", *, include_git: bool = False) -> list[str]:
        """Regular files under ``rel_dir``, as paths relative to it, sorted; ``.git`` skipped
        unless ``include_git`` (a console git command's copy of the folder).

        Links, special files and names that :func:`check_name` refuses (control characters...)
        are left out: they could not be opened through this API anyway.

        Raises:
            WorkspaceError: ``rel_dir`` is missing, not a folder, or holds too many entries.
        """
        parts = check_name(rel_dir, allow_empty=True)
        found: list[str] = []
        budget = self.quota_files * 2 + 1000
        with self._dir(parts) as dfd:
            for rel, entry_mode, _ in self._walk(dfd, "", budget, include_git=include_git):
                if stat.S_ISREG(entry_mode) and _acceptable(rel):
                    found.append(rel)
        return sorted(found)

    def copy_files_to(
        self, rel_dir: str, dest_dir: Path | str, *, include_git: bool = False
    ) -> list[str]:
        """Copy the regular files under ``rel_dir`` into ``dest_dir`` (created), for a check.

        ``.git`` is copied only when ``include_git`` (the git check reads a copy of the
        learner's repository, never the repository itself). Anything that is not a plain file
        (a link, pipe, device or hardlinked file) stops the copy with a message naming it, so a
        check never runs on something the learner cannot see in their editor.

        Returns:
            The copied paths, relative to ``rel_dir``.

        Raises:
            WorkspaceError: a refused entry, too many files or bytes, or a bad name.
        """
        parts = check_name(rel_dir, allow_empty=True)
        dest = Path(dest_dir)
        dest.mkdir(parents=True, exist_ok=True)
        copied: list[str] = []
        total = 0
        budget = self.quota_files * 2 + 1000
        with self._dir(parts) as dfd:
            for rel, mode, _ in self._walk(dfd, "", budget, include_git=include_git):
                shown = printable(f"{rel_dir}/{rel}" if rel_dir else rel)
                if not _acceptable(rel):
                    raise WorkspaceError(
                        f"{shown} has a name Slate cannot use (control characters or too long). "
                        "Rename or delete it and try again."
                    )
                if stat.S_ISDIR(mode):
                    continue
                if not stat.S_ISREG(mode):
                    raise WorkspaceError(
                        f"{shown} is {_describe(mode)}, not a file: Slate will not use it. "
                        "Delete it and try again."
                    )
                data = self._read_at(dfd, rel, shown, self.quota_bytes - total)
                total += len(data)
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(
                    target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                    0o644,
                )
                try:
                    _write_all(fd, data)
                finally:
                    os.close(fd)
                copied.append(rel)
        return copied

    copy_tree_to = copy_files_to  # the name used in docs/CONTRACTS.md

    def usage(self) -> Usage:
        """Bytes and entries the workspace holds now (counting stops early if far over quota)."""
        budget = self.quota_files * 2 + 1000
        total = files = 0
        with self._dir([]) as dfd:
            try:
                for rel, mode, size in self._walk(dfd, "", budget, include_git=True):
                    if not (rel == ".git" or rel.startswith(".git/")):
                        files += 1  # git's own housekeeping files do not count
                    if stat.S_ISREG(mode):
                        total += size
            except _TooMany:
                return Usage(total, files, complete=False)
        return Usage(total, files)

    # -- writing ------------------------------------------------------------------------------

    def write_atomic(self, rel: str, data: bytes | str, *, into_git: bool = False) -> None:
        """Save ``data`` to ``rel``: a temp file, fsync, rename over the old one, fsync the folder.

        Missing folders are created. A save that would grow the workspace past its quota is
        refused; one that does not grow it (or shrinks it) always succeeds. ``into_git``: the
        path is inside a ``.git`` (a console git command's changes saved back, within the
        quota); otherwise ``.git`` is refused.

        Raises:
            WorkspaceError: bad name, the target is not a regular file (link, FIFO, device,
                hardlink, folder), quota exceeded, or the disk is full.
        """
        if isinstance(data, str):
            data = data.encode("utf-8")
        parts = _git_parts(rel) if into_git else check_name(rel, for_write=True)
        name = parts[-1]
        with self._dir(parts[:-1], create=True) as dfd:
            old_size = 0
            is_new = True
            try:
                info = os.stat(name, dir_fd=dfd, follow_symlinks=False)
            except FileNotFoundError:
                pass
            else:
                if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
                    kind = "a hardlinked file" if stat.S_ISREG(info.st_mode) else _describe(
                        info.st_mode
                    )
                    raise WorkspaceError(
                        f"{rel} is {kind}, so Slate will not write to it. "
                        "Delete it first, or save under another name."
                    )
                old_size, is_new = info.st_size, False
            # git's own files do not count as entries (Usage.files), their bytes do
            self._check_quota(rel, len(data) - old_size, 1 if is_new and not into_git else 0)
            self._save_at(dfd, name, data, rel)
            os.fsync(dfd)

    def ensure_git_folder(self, rel: str) -> None:
        """Make the folder ``rel`` inside a ``.git`` (and its parents) when it is missing,
        through descriptors (never following a link): git needs its ``objects`` and ``refs``
        folders even while empty, and a file-by-file copy back does not carry empty folders."""
        with self._dir(_git_parts(rel), create=True):
            pass

    def remove(self, rel: str, *, into_git: bool = False) -> None:
        """Delete the file ``rel`` (a link or special file there is removed, never followed);
        ``into_git`` as :meth:`write_atomic`.

        Raises:
            WorkspaceError: bad name, missing, or a folder.
        """
        parts = _git_parts(rel) if into_git else check_name(rel, for_write=True)
        with self._dir(parts[:-1]) as dfd:
            try:
                os.unlink(parts[-1], dir_fd=dfd)
            except FileNotFoundError as exc:
                raise WorkspaceError(f"{rel} does not exist.") from exc
            except IsADirectoryError as exc:
                raise WorkspaceError(f"{rel} is a folder.") from exc
            except OSError as exc:
                raise WorkspaceError(f"{rel} could not be deleted ({exc.strerror}).") from exc
            os.fsync(dfd)

    # -- whole trees (the server's provisioning and reset; never the TUI) ----------------------

    def remove_tree(self, rel: str) -> int:
        """Delete whatever is at ``rel`` — a file, a link, a special file or a whole folder.

        Works only through descriptors: the parents of ``rel`` are walked with ``O_NOFOLLOW``
        (a link there is refused), a link inside is removed and never followed, a folder swapped
        for a link meanwhile is never entered, and nothing on another filesystem (a mount point)
        is touched. ``.git`` may be named (a reset removes the learner's repository).

        Returns:
            How many entries were removed (0 when nothing was there).

        Raises:
            WorkspaceError: a parent of ``rel`` is a link or not a folder, a mount point was
                found, the tree is far too deep or big, or it changed while being deleted.
        """
        parts = check_name(rel)
        with self._dir(parts[:-1]) as dfd:
            dev = os.fstat(dfd).st_dev
            counter = [0]
            removed = _remove_entry(dfd, parts[-1], dev, rel, 0, counter)
            if removed:
                os.fsync(dfd)
            return removed

    def install_tree(
        self, rel_dir: str, source: Path | str, *, names: list[str] | None = None
    ) -> list[str]:
        """Copy a tree the server trusts (course starter files, a repository Slate built in a
        private folder) into the workspace folder ``rel_dir`` (created when missing).

        Files are written like :meth:`write_atomic` (temp file, rename; the learner's uid owns
        them) but without the quota, which is for the learner's own saves. A ``.git`` folder is
        installed whole: built under a reserved temporary name, then renamed into place, so a
        half-copied repository is never seen; an existing ``.git`` (of any kind) is refused —
        remove it first with :meth:`remove_tree`. Links and special files in ``source`` are
        skipped; links or special files met in the workspace are refused, never followed.

        Args:
            rel_dir: workspace-relative folder ("" = the workspace root).
            source: the trusted folder to copy from.
            names: only these top-level entries of ``source`` (default: all).

        Returns:
            The workspace-relative paths of the files written.

        Raises:
            WorkspaceError: a link or special file in the way, an existing ``.git``, or a write
                failed (the message says which).
        """
        parts = check_name(rel_dir, allow_empty=True)
        source = Path(source)
        written: list[str] = []
        top = sorted(os.listdir(source)) if names is None else list(names)
        base = f"{rel_dir}/" if rel_dir else ""
        with self._dir(parts, create=True) as dfd:
            for name in top:
                if name in (".", "..") or "/" in name:
                    raise WorkspaceError(f"Slate will not install {printable(name)!r}.")
                src = source / name
                info = os.lstat(src)
                try:
                    if name == ".git" and stat.S_ISDIR(info.st_mode):
                        self._install_git(dfd, src, f"{base}.git", written)
                    else:
                        self._install_entry(dfd, name, src, info, f"{base}{name}", written)
                except OSError as exc:  # the learner's program changed the folder meanwhile
                    raise WorkspaceError(
                        f"{printable(base + name)} changed while Slate was writing it "
                        f"({exc.strerror}); stop your program and try again."
                    ) from exc
            os.fsync(dfd)
        return written

    def _install_git(self, dfd: int, src: Path, shown: str, written: list[str]) -> None:
        try:
            os.stat(".git", dir_fd=dfd, follow_symlinks=False)
        except FileNotFoundError:
            pass
        else:
            raise WorkspaceError(f"{shown} already exists: Slate will not write over it.")
        tmp = f"{_TMP_PREFIX}{secrets.token_hex(8)}"
        os.mkdir(tmp, 0o700, dir_fd=dfd)
        try:
            sub = os.open(tmp, _DIR_FLAGS, dir_fd=dfd)
            try:
                self._chown(sub)
                for name in sorted(os.listdir(src)):
                    child = src / name
                    self._install_entry(sub, name, child, os.lstat(child), f"{shown}/{name}",
                                        written)
                os.fchmod(sub, stat.S_IMODE(os.lstat(src).st_mode) & 0o777)
            finally:
                os.close(sub)
            # rename() never follows a link: whatever appeared at .git meanwhile makes it fail.
            if _exists_at(dfd, ".git"):
                raise WorkspaceError(f"{shown} appeared while Slate was writing it; try again.")
            try:
                os.rename(tmp, ".git", src_dir_fd=dfd, dst_dir_fd=dfd)
            except OSError as exc:
                raise WorkspaceError(
                    f"{shown} appeared while Slate was writing it ({exc.strerror}); try again."
                ) from exc
        except BaseException:
            with contextlib.suppress(OSError, WorkspaceError):
                _remove_entry(dfd, tmp, os.fstat(dfd).st_dev, shown, 0, [0])
            raise

    def _install_entry(
        self, dfd: int, name: str, src: Path, info: os.stat_result, shown: str,
        written: list[str], depth: int = 0,
    ) -> None:
        """Copy the trusted ``src`` to ``name`` in the workspace folder ``dfd``."""
        if depth > MAX_DEPTH:
            raise WorkspaceError(f"{shown} is nested too deep.")
        if stat.S_ISDIR(info.st_mode):
            try:
                os.mkdir(name, 0o755, dir_fd=dfd)
            except FileExistsError:
                pass
            try:
                sub = os.open(name, _DIR_FLAGS, dir_fd=dfd)
            except OSError as exc:
                raise WorkspaceError(
                    f"{printable(shown)} is not a folder (it may be a link): Slate will not "
                    "write into it. Delete it and try again."
                ) from exc
            try:
                self._chown(sub)
                os.fchmod(sub, stat.S_IMODE(info.st_mode) & 0o777)
                for child in sorted(os.listdir(src)):
                    path = src / child
                    self._install_entry(sub, child, path, os.lstat(path), f"{shown}/{child}",
                                        written, depth + 1)
            finally:
                os.close(sub)
        elif stat.S_ISREG(info.st_mode):
            with open(src, "rb") as handle:  # the server's own trusted tree
                data = handle.read()
            self._save_at(dfd, name, data, shown, stat.S_IMODE(info.st_mode) & 0o777)
            written.append(shown)
        # links and special files in a trusted source are not copied

    # -- internals ----------------------------------------------------------------------------

    @property
    def _chowning(self) -> bool:
        return self.host_uid is not None and os.geteuid() == 0

    def _chown(self, fd: int) -> None:
        if self._chowning:
            assert self.host_uid is not None
            os.fchown(fd, self.host_uid, self.host_uid)

    def _save_at(
        self, dfd: int, name: str, data: bytes, shown: str, mode: int | None = None
    ) -> None:
        """Atomically replace the regular file ``name`` in ``dfd`` (refusing anything else)."""
        try:
            info = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except FileNotFoundError:
            old_mode = 0o644
        else:
            if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
                kind = "a hardlinked file" if stat.S_ISREG(info.st_mode) else _describe(
                    info.st_mode
                )
                raise WorkspaceError(
                    f"{printable(shown)} is {kind}, so Slate will not write to it. "
                    "Delete it first, or save under another name."
                )
            old_mode = stat.S_IMODE(info.st_mode)
        tmp = f"{_TMP_PREFIX}{secrets.token_hex(8)}"
        try:
            fd = os.open(
                tmp,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
                dir_fd=dfd,
            )
            try:
                _write_all(fd, data)
                os.fchmod(fd, (old_mode if mode is None else mode) & 0o777)
                self._chown(fd)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dfd)
            raise _disk_error(shown, exc) from exc

    @contextlib.contextmanager
    def _dir(self, parts: list[str], create: bool = False) -> Iterator[int]:
        """A descriptor of the folder ``parts`` under the root, walked without following links."""
        try:
            fd = os.open(self.root, _DIR_FLAGS)
        except OSError as exc:
            raise WorkspaceError(
                f"The workspace folder cannot be opened ({exc.strerror})."
            ) from exc
        try:
            for index, part in enumerate(parts):
                shown = "/".join(parts[: index + 1])
                try:
                    next_fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise WorkspaceError(f"The folder {shown} does not exist.") from None
                    try:
                        os.mkdir(part, 0o755, dir_fd=fd)
                    except FileExistsError:
                        pass
                    except OSError as exc:
                        raise WorkspaceError(
                            f"The folder {shown} cannot be made ({exc.strerror})."
                        ) from None
                    try:
                        next_fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
                    except OSError:
                        raise WorkspaceError(
                            f"{shown} changed while Slate was opening it (it may be a link): "
                            "Slate will not use it. Stop your program and try again."
                        ) from None
                    self._chown(next_fd)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise WorkspaceError(
                            f"{shown} is not a folder (it may be a link): Slate will not use it."
                        ) from None
                    raise WorkspaceError(f"{shown} cannot be opened ({exc.strerror}).") from exc
                os.close(fd)
                fd = next_fd
            yield fd
        finally:
            os.close(fd)

    def _open_file(self, dfd: int, name: str, shown: str) -> int:
        """Open ``name`` in ``dfd`` for reading, refusing anything but a plain file."""
        try:
            before = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except FileNotFoundError:
            raise WorkspaceError(f"{shown} does not exist.") from None
        if not stat.S_ISREG(before.st_mode):
            raise WorkspaceError(f"{shown} is {_describe(before.st_mode)}: Slate will not open it.")
        if before.st_nlink > 1:
            # Checked before *and* after opening: a hardlink to someone else's file that is
            # unlinked between the open and the fstat would show one link only afterwards.
            raise WorkspaceError(f"{shown} is a hardlinked file: Slate will not open it.")
        try:
            fd = os.open(
                name,
                os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC,
                dir_fd=dfd,
            )
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise WorkspaceError(f"{shown} is a link: Slate will not open it.") from None
            raise WorkspaceError(f"{shown} cannot be opened ({exc.strerror}).") from exc
        info = os.fstat(fd)
        problem = None
        if not stat.S_ISREG(info.st_mode):
            problem = f"{shown} is {_describe(info.st_mode)}: Slate will not open it."
        elif (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
            problem = f"{shown} changed while it was being opened; try again."
        elif info.st_nlink > 1:
            problem = f"{shown} is a hardlinked file: Slate will not open it."
        if problem:
            os.close(fd)
            raise WorkspaceError(problem)
        return fd

    def _read_at(self, dfd: int, rel: str, shown: str, limit: int) -> bytes:
        """Read the file at ``rel`` (relative to the folder ``dfd``) safely, up to ``limit``."""
        parts = rel.split("/")
        fd = dfd
        opened: list[int] = []
        try:
            for part in parts[:-1]:
                try:
                    fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except OSError as exc:
                    raise WorkspaceError(f"{shown} could not be read ({exc.strerror}).") from exc
                opened.append(fd)
            file_fd = self._open_file(fd, parts[-1], shown)
        finally:
            for item in opened:
                os.close(item)
        try:
            size = os.fstat(file_fd).st_size
            if size > limit:
                raise WorkspaceError(f"{shown} is too big ({_kb(size)}).")
            data = b""
            while len(data) <= limit:
                chunk = os.read(file_fd, 1 << 20)
                if not chunk:
                    return data
                data += chunk
            raise WorkspaceError(f"{shown} grew too big while it was being read.")
        finally:
            os.close(file_fd)

    def _walk(
        self, dfd: int, prefix: str, budget: int, include_git: bool = False, depth: int = 0
    ) -> Iterator[tuple[str, int, int]]:
        """Yield (relative path, mode, size) for every entry under ``dfd``, without following
        links; folders are yielded before their content. Raises ``_TooMany`` past ``budget``."""
        counter = [0]
        yield from self._walk_inner(dfd, prefix, budget, include_git, depth, counter)

    def _walk_inner(
        self,
        dfd: int,
        prefix: str,
        budget: int,
        include_git: bool,
        depth: int,
        counter: list[int],
    ) -> Iterator[tuple[str, int, int]]:
        if depth > MAX_DEPTH:
            raise WorkspaceError(f"{prefix or 'The workspace'} is nested too deep.")
        items = []
        with os.scandir(dfd) as entries:
            for entry in entries:
                counter[0] += 1
                if counter[0] > budget:
                    raise _TooMany("There are far too many files here. Delete some and try again.")
                try:
                    items.append((entry.name, entry.stat(follow_symlinks=False)))
                except FileNotFoundError:
                    continue  # removed meanwhile
        items.sort(key=lambda item: item[0])
        for name, info in items:
            if name.startswith(_TMP_PREFIX):
                continue
            if name == ".git" and not include_git:
                continue
            rel = f"{prefix}{name}"
            yield rel, info.st_mode, info.st_size
            if stat.S_ISDIR(info.st_mode):
                try:
                    sub = os.open(name, _DIR_FLAGS, dir_fd=dfd)
                except OSError:
                    continue  # swapped for a link or removed meanwhile: skip, never follow
                try:
                    yield from self._walk_inner(
                        sub, f"{rel}/", budget, include_git, depth + 1, counter
                    )
                finally:
                    os.close(sub)

    def _check_quota(self, rel: str, grow_bytes: int, new_files: int) -> None:
        if grow_bytes <= 0 and new_files <= 0:
            return  # never block a save that does not grow the workspace
        current = self.usage()
        if new_files > 0 and (not current.complete or current.files + new_files > self.quota_files):
            raise WorkspaceError(
                f"Cannot save {rel}: your workspace already has {current.files} files and "
                f"folders (the limit is {self.quota_files}). Delete some files you do not need; "
                "you can still save changes to your existing files."
            )
        if grow_bytes > 0 and current.bytes + grow_bytes > self.quota_bytes:
            raise WorkspaceError(
                f"Cannot save {rel}: your workspace would use {_kb(current.bytes + grow_bytes)} "
                f"(the limit is {_kb(self.quota_bytes)}). Delete files you do not need, or make "
                "this file smaller; saves that do not make it bigger still work."
            )


def _git_parts(rel: str) -> list[str]:
    """The components of a path that must lie inside a ``.git`` folder."""
    parts = check_name(rel)
    if ".git" not in [part.lower() for part in parts[:-1]]:
        raise WorkspaceError(f"{printable(rel)} is not inside a .git folder.")
    return parts


class _TooMany(WorkspaceError):
    """A walk met more entries than its budget."""


MAX_REMOVE_DEPTH = 256  # folders deep a reset will still delete (one descriptor each)
MAX_REMOVE_ENTRIES = 2_000_000


def _exists_at(dfd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _remove_entry(
    dfd: int, name: str, dev: int, shown: str, depth: int, counter: list[int]
) -> int:
    """Remove ``name`` in the folder ``dfd`` and everything under it, through descriptors only.

    A link is unlinked (never followed); a folder is opened with ``O_NOFOLLOW`` and emptied
    through its own descriptor, so swapping it for a link at any moment makes the open fail (the
    link is then removed instead) rather than redirecting the delete. A folder on another
    device than ``dev`` (a mount point) is refused.
    """
    counter[0] += 1
    if counter[0] > MAX_REMOVE_ENTRIES:
        raise WorkspaceError(f"{printable(shown)} holds far too many files to delete here.")
    for _attempt in range(8):  # each retry means the learner's program swapped the entry
        try:
            info = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except FileNotFoundError:
            return 0
        if not stat.S_ISDIR(info.st_mode):
            try:
                os.unlink(name, dir_fd=dfd)
            except FileNotFoundError:
                return 0
            except IsADirectoryError:
                continue  # swapped for a folder meanwhile: look again
            except OSError as exc:
                raise WorkspaceError(
                    f"{printable(shown)} could not be deleted ({exc.strerror})."
                ) from exc
            return 1
        if info.st_dev != dev:
            raise WorkspaceError(
                f"{printable(shown)} is on another disk (a mount point): Slate will not delete it."
            )
        if depth >= MAX_REMOVE_DEPTH:
            raise WorkspaceError(f"{printable(shown)} is nested far too deep to delete here.")
        try:
            sub = os.open(name, _DIR_FLAGS, dir_fd=dfd)
        except FileNotFoundError:
            return 0
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                continue  # swapped for a link or file meanwhile: remove that instead
            raise WorkspaceError(
                f"{printable(shown)} could not be opened ({exc.strerror})."
            ) from exc
        removed = 0
        try:
            opened = os.fstat(sub)
            if opened.st_dev != dev:
                raise WorkspaceError(
                    f"{printable(shown)} is on another disk (a mount point): Slate will not "
                    "delete it."
                )
            for child in sorted(os.listdir(sub)):
                removed += _remove_entry(sub, child, dev, f"{shown}/{child}", depth + 1, counter)
        finally:
            os.close(sub)
        try:
            os.rmdir(name, dir_fd=dfd)
        except FileNotFoundError:
            return removed
        except NotADirectoryError:
            continue  # swapped for a link meanwhile (what we emptied was moved): remove it
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                continue  # something was added meanwhile: go round again
            raise WorkspaceError(
                f"{printable(shown)} could not be deleted ({exc.strerror})."
            ) from exc
        return removed + 1
    raise WorkspaceError(
        f"{printable(shown)} kept changing while Slate was deleting it. Stop your program and "
        "try again."
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _disk_error(rel: str, exc: OSError) -> WorkspaceError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return WorkspaceError(f"Cannot save {rel}: the disk is full. Please tell staff.")
    if exc.errno == errno.EFBIG:
        return WorkspaceError(f"Cannot save {rel}: the file is too big.")
    if exc.errno == errno.EISDIR:
        return WorkspaceError(f"Cannot save {rel}: there is a folder with that name.")
    return WorkspaceError(f"Cannot save {rel} ({exc.strerror}).")


def _kb(size: int) -> str:
    if size >= 10 << 20:
        return f"{size >> 20} MB"
    return f"{(size + 1023) >> 10} KB"
