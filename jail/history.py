"""A learner's history: every save snapshotted into a bare repository the learner cannot reach.

Keeps invariant 4 (nothing the learner saved is ever lost). The repository
(``history/<learner>.git`` in the data dir) is bare, server-owned (0700) and never mounted into any
sandbox, so neither ``rm -rf`` from a learner's program nor their own git experiments can erase it.
Snapshots read files only through :class:`jail.workspace.Workspace` (no links, FIFOs, devices or
hardlinks are ever followed) and never look at the workspace's own ``.git``: a hostile ``.git``
(hooks, ``core.fsmonitor``, filters, a ``gitdir:`` file, garbage objects) plays no part. No
``git`` binary runs; pygit2 only. Errors are :class:`HistoryError` with a plain message.

Restores write back through the same safe API and are themselves preceded by a snapshot, so a
restore can be undone. Imports nothing of Slate's outside ``jail``.

The store is bounded (a learner saving huge files, or saving very often, must not fill the
server's disk): past ``max_versions`` snapshots or ``max_bytes`` of objects, the oldest snapshots
are dropped (the chain is rewritten from the newest kept one, unreachable loose objects deleted).
The newest snapshot, which holds every file of the learner's current work, is always kept.

Check results are remembered per content: :meth:`History.record_check` keys the result by the id
of the checked folder's tree, so every version with that exact content shows it (a file beside
the repository, ``slate-checks.json``, bounded; rewriting the chain never changes tree ids).
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

import pygit2

from jail.workspace import Workspace, WorkspaceError, check_name

BRANCH = "refs/heads/main"
MAX_MESSAGE = 500
MAX_DIFF = 256 << 10  # characters of diff text returned
MAX_VERSIONS = 1000
MAX_SNAPSHOTS = 5000  # snapshots kept before the oldest are dropped
MAX_BYTES = 512 << 20  # object bytes kept before the oldest snapshots are dropped
KEEP_FRACTION = 0.75  # a prune keeps at most this much of either bound (room before the next)
MAX_CHECKS = 4000  # remembered check results
_USAGE_FILE = "slate-usage.json"
_CHECKS_FILE = "slate-checks.json"
_HEX = re.compile(r"[0-9a-f]{7,40}")
_SIGNATURE = ("Slate history", "history@classroom.invalid")
_BLOB = pygit2.enums.FileMode.BLOB
_BLOB_EXEC = pygit2.enums.FileMode.BLOB_EXECUTABLE
_TREE = pygit2.enums.FileMode.TREE


class HistoryError(Exception):
    """A history operation failed; the message is plain and safe to show."""


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _clean_errors(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn libgit2 failures (a damaged store, corrupt objects) into :class:`HistoryError`."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except (pygit2.GitError, KeyError, ValueError) as exc:
            raise HistoryError(f"The history store is damaged: {exc}") from exc

    return wrapper


@dataclass(frozen=True)
class Version:
    """One snapshot that touched the asked-for folder.

    Attributes:
        id: the snapshot's commit id (hex).
        time: when it was taken (Unix seconds).
        message: why it was taken (e.g. "saved index.html").
        files: paths under the prefix that changed in it (added, modified or deleted).
        added: lines added under the prefix by this snapshot (text files).
        removed: lines removed under the prefix by this snapshot.
        check: the result of a check of exactly this content under the prefix (``"passed"``,
            ``"failed 2 of 5"``...), or "" when none was recorded.
    """

    id: str
    time: int
    message: str
    files: list[str]
    added: int = 0
    removed: int = 0
    check: str = ""


class History:
    """The bare history repository of one learner.

    Args:
        repo_path: where the bare repository lives (created, mode 0700, if missing).

    Raises:
        HistoryError: the path exists but is not a usable repository.
    """

    def __init__(
        self,
        repo_path: Path | str,
        max_snapshots: int = MAX_SNAPSHOTS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.path = Path(repo_path)
        self.max_snapshots = max(2, max_snapshots)
        self.max_bytes = max(1, max_bytes)
        self.pruned = 0
        """Snapshots the last :meth:`snapshot` dropped to keep the store within its bounds."""
        self.trim_error = ""
        """Why the last snapshot could not keep the store within its bounds ("" when it did);
        the snapshot itself is written either way."""
        self._new_bytes = 0
        try:
            if (self.path / "HEAD").exists():
                self.repo = pygit2.Repository(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.chmod(self.path, 0o700)
                self.repo = pygit2.init_repository(str(self.path), bare=True, initial_head="main")
        except (pygit2.GitError, OSError) as exc:
            raise HistoryError(f"The history store at {self.path} cannot be opened: {exc}") from exc
        self.refused: list[str] = []
        """Workspace paths the last snapshot would not read (a planted link, FIFO, device,
        hardlink, a folder swapped for a link), each with the reason: the caller audits them."""
        if not self.repo.is_bare:
            raise HistoryError(f"{self.path} is not a bare history repository")

    # -- writing ------------------------------------------------------------------------------

    @_clean_errors
    def snapshot(
        self, workspace: Workspace, paths: list[str] | None, message: str
    ) -> str | None:
        """Commit the current content of ``paths`` (files or folders; all when None).

        The tree is built from the previous snapshot, so paths not named keep their last saved
        content. A named path that no longer exists is removed from the snapshot; a named path
        that cannot be read safely (a link, a FIFO...) keeps its previous content.

        Args:
            workspace: the learner's workspace (read through its safe file API).
            paths: workspace-relative files or folders, or None for the whole workspace.
            message: why (shown in the history list; cut to 500 characters).

        Returns:
            The new snapshot's id, or None when nothing changed.

        Raises:
            HistoryError: a bad path, or the repository could not be written.
        """
        parent = self._head()
        self.refused = []
        self.pruned = 0
        self.trim_error = ""
        index = pygit2.Index()
        if parent is not None:
            index.read_tree(parent.tree)
        if paths is None:
            targets = [""]
        else:
            targets = []
            for rel in paths:
                try:
                    check_name(rel, allow_empty=True)
                except WorkspaceError as exc:
                    raise HistoryError(str(exc)) from exc
                targets.append(rel.rstrip("/"))
        self._new_bytes = 0
        for target in targets:
            self._stage(index, workspace, target)
        try:
            tree_id = index.write_tree(self.repo)
            if parent is not None and tree_id == parent.tree_id:
                return None
            if parent is None and len(index) == 0:
                return None
            signature = pygit2.Signature(*_SIGNATURE, int(time.time()), 0)
            commit = self.repo.create_commit(
                BRANCH,
                signature,
                signature,
                _clean_message(message),
                tree_id,
                [parent.id] if parent is not None else [],
            )
        except pygit2.GitError as exc:
            raise HistoryError(f"The snapshot could not be written: {exc}") from exc
        try:
            self._count(commit, self._new_bytes)
        except (OSError, pygit2.GitError) as exc:
            self.trim_error = f"The history store could not be trimmed: {exc}"
        return str(commit)

    def _stage(self, index: pygit2.Index, workspace: Workspace, target: str) -> None:
        """Make ``index`` hold the workspace's current content for file or folder ``target``."""
        if target and workspace.exists(target):
            self._stage_file(index, workspace, target)
            return
        try:
            files = workspace.list_files(target)
        except WorkspaceError as exc:
            if target and _unreadable_now(workspace, target):
                # a link or special file stands where the folder was: keep its last content
                self.refused.append(str(exc))
                return
            files = None  # the folder is gone: drop it from the snapshot
        prefix = f"{target}/" if target else ""
        present = {f"{prefix}{rel}" for rel in files or []}
        for entry in list(index):
            inside = not prefix or entry.path.startswith(prefix) or entry.path == target
            if not inside or entry.path in present:
                continue
            if _unreadable_now(workspace, entry.path):
                self.refused.append(f"{entry.path} is a link or special file now: its last "
                                    "saved content is kept.")
            else:
                index.remove(entry.path)
        for path in sorted(present):
            self._stage_file(index, workspace, path)

    def _stage_file(self, index: pygit2.Index, workspace: Workspace, path: str) -> None:
        try:
            data = workspace.read_bytes(path, limit=workspace.quota_bytes)
        except WorkspaceError as exc:
            # unreadable right now (swapped for a link, grew too big): keep the old one
            self.refused.append(str(exc))
            return
        blob_id = pygit2.hash(data)
        if blob_id not in self.repo:
            self._new_bytes += len(data)
        blob = self.repo.create_blob(data)
        index.add(pygit2.IndexEntry(path, blob, _BLOB))

    # -- reading ------------------------------------------------------------------------------

    @_clean_errors
    def versions(self, prefix: str = "") -> list[Version]:
        """Snapshots that changed something under ``prefix``, newest first (at most 1000).

        Args:
            prefix: a workspace-relative folder or file (e.g. ``"html/first-page"``); "" = all.
        """
        prefix = _check_prefix(prefix)
        head = self._head()
        if head is None:
            return []
        found: list[Version] = []
        checks = self._checks()
        walker = self.repo.walk(head.id, pygit2.enums.SortMode.TOPOLOGICAL)
        for commit in walker:
            old = commit.parents[0].tree if commit.parents else None
            files = _changed(self.repo, old, commit.tree, prefix)
            if files:
                message = commit.message.rstrip("\n")
                added, removed = _line_counts(self.repo, old, commit.tree, prefix)
                sub = _subtree(self.repo, commit.tree, prefix)
                check = checks.get(_check_key(prefix, sub)) if sub is not None else None
                found.append(Version(str(commit.id), commit.commit_time, message, files,
                                     added, removed, str(check or "")))
                if len(found) >= MAX_VERSIONS:
                    break
        return found

    # -- check results ------------------------------------------------------------------------

    @_clean_errors
    def latest(self) -> str | None:
        """The newest snapshot's id, or None before the first."""
        head = self._head()
        return str(head.id) if head is not None else None

    @_clean_errors
    def record_check(self, prefix: str, result: str, version: str | None = None) -> None:
        """Remember ``result`` (short words: "passed", "failed 2 of 5") for the content of
        ``prefix`` in ``version`` (default: the latest snapshot): every version with that
        content shows it."""
        prefix = _check_prefix(prefix)
        head = self._commit(version) if version is not None else self._head()
        if head is None:
            return
        sub = _subtree(self.repo, head.tree, prefix)
        if sub is None:
            return
        checks = self._checks()
        key = _check_key(prefix, sub)
        checks.pop(key, None)
        checks[key] = "".join(ch for ch in str(result)[:60] if ch.isprintable())
        while len(checks) > MAX_CHECKS:
            checks.pop(next(iter(checks)))
        _write_json(self.path / _CHECKS_FILE, checks)

    def _checks(self) -> dict[str, str]:
        data = _read_json(self.path / _CHECKS_FILE)
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    # -- bounds -------------------------------------------------------------------------------

    def usage(self) -> tuple[int, int]:
        """(snapshots, object bytes) of the store, counted from scratch."""
        head = self._head()
        count = 0
        if head is not None:
            for _commit in self.repo.walk(head.id, pygit2.enums.SortMode.TOPOLOGICAL):
                count += 1
        return count, _object_bytes(self.path / "objects")

    def _count(self, commit: pygit2.Oid, new_bytes: int) -> None:
        """Keep the running usage (one more snapshot, ``new_bytes`` more) and prune past a
        bound. A missing or damaged usage file is recounted from the repository."""
        usage = _read_json(self.path / _USAGE_FILE)
        if (
            isinstance(usage, dict)
            and isinstance(usage.get("snapshots"), int)
            and isinstance(usage.get("bytes"), int)
        ):
            count, size = usage["snapshots"] + 1, usage["bytes"] + new_bytes
        else:
            count, size = self.usage()
        if count > self.max_snapshots or size > self.max_bytes:
            count, size = self._prune(commit)
        _write_json(self.path / _USAGE_FILE, {"snapshots": count, "bytes": size})

    def _prune(self, head_id: pygit2.Oid) -> tuple[int, int]:
        """Drop the oldest snapshots until both bounds have room again; the newest snapshot
        (the learner's current work) always stays. Returns the new (snapshots, bytes)."""
        chain = [c for c in self.repo.walk(head_id, pygit2.enums.SortMode.TOPOLOGICAL)]
        total = len(chain)
        keep = min(total, int(self.max_snapshots * KEEP_FRACTION))
        size = _object_bytes(self.path / "objects")
        while True:
            if keep < total:
                self._rewrite(chain[:keep])
                self._delete_unreachable()
                size = _object_bytes(self.path / "objects")
            if size <= self.max_bytes * KEEP_FRACTION or keep <= 1:
                break
            keep = max(1, keep // 2)
        self.pruned = total - keep
        return keep, size

    def _rewrite(self, newest_first: list[pygit2.Commit]) -> None:
        """Make ``main`` a new chain of the same trees and messages, the oldest kept one first
        (its parent dropped). The branch moves in one step at the end: a failure before it
        leaves the old chain whole."""
        parent: pygit2.Oid | None = None
        for old in reversed(newest_first):
            parent = self.repo.create_commit(
                None, old.author, old.committer, old.message, old.tree_id,
                [parent] if parent is not None else [],
            )
        assert parent is not None
        self.repo.references.create(BRANCH, parent, force=True)

    def _delete_unreachable(self) -> None:
        """Delete loose objects no snapshot reaches any more (packs are left alone)."""
        head = self._head()
        if head is None:
            return
        reachable: set[str] = set()
        for commit in self.repo.walk(head.id, pygit2.enums.SortMode.TOPOLOGICAL):
            reachable.add(str(commit.id))
            _tree_objects(self.repo, commit.tree, reachable)
        objects = self.path / "objects"
        for folder in objects.iterdir():
            if len(folder.name) != 2 or not folder.is_dir():
                continue
            for item in folder.iterdir():
                if folder.name + item.name not in reachable:
                    item.unlink(missing_ok=True)

    @_clean_errors
    def diff(self, version_a: str, version_b: str | None = None, prefix: str = "") -> str:
        """Unified diff of the files under ``prefix`` from ``version_a`` to ``version_b``.

        Args:
            version_a: the older snapshot's id (full or at least 7 hex digits).
            version_b: the newer one; None means the latest snapshot.
            prefix: limit the diff to this folder or file ("" = everything).

        Returns:
            Diff text (cut at 256 KiB with a note); "" when nothing differs.
        """
        prefix = _check_prefix(prefix)
        tree_a = self._commit(version_a).tree
        if version_b is None:
            head = self._head()
            if head is None:
                raise HistoryError("There are no saved versions yet.")
            tree_b = head.tree
        else:
            tree_b = self._commit(version_b).tree
        sub_a = _subtree(self.repo, tree_a, prefix)
        sub_b = _subtree(self.repo, tree_b, prefix)
        empty = self.repo.get(self.repo.TreeBuilder().write())
        assert isinstance(empty, pygit2.Tree)
        if isinstance(sub_a, pygit2.Blob) or isinstance(sub_b, pygit2.Blob):
            return self._file_diff(sub_a, sub_b, prefix)
        try:
            patch = (sub_a or empty).diff_to_tree(sub_b or empty, context_lines=3)
            text = patch.patch or ""
        except pygit2.GitError as exc:
            raise HistoryError(f"The versions could not be compared: {exc}") from exc
        if prefix:
            text = _prefix_paths(text, prefix)
        if len(text) > MAX_DIFF:
            text = text[:MAX_DIFF] + "\n[... the rest of the differences are not shown ...]\n"
        return text

    def _file_diff(self, sub_a: object, sub_b: object, path: str) -> str:
        """Diff of the single file ``path`` between its two versions (a blob, or None)."""
        old = sub_a if isinstance(sub_a, pygit2.Blob) else None
        new = sub_b if isinstance(sub_b, pygit2.Blob) else None
        try:
            patch = pygit2.Patch.create_from(
                old, new, old_as_path=path, new_as_path=path, context_lines=3
            )
        except pygit2.GitError as exc:
            raise HistoryError(f"The versions could not be compared: {exc}") from exc
        text = patch.text or ""
        if len(text) > MAX_DIFF:
            text = text[:MAX_DIFF] + "\n[... the rest of the differences are not shown ...]\n"
        return text

    @_clean_errors
    def read(self, version: str, rel_path: str) -> bytes:
        """The content of ``rel_path`` as it was in ``version``.

        Raises:
            HistoryError: unknown version, or the file was not in it.
        """
        try:
            check_name(rel_path)
        except WorkspaceError as exc:
            raise HistoryError(str(exc)) from exc
        tree = self._commit(version).tree
        try:
            entry = tree[rel_path]
        except KeyError:
            raise HistoryError(f"{rel_path} was not saved in that version.") from None
        obj = self.repo.get(entry.id)
        if not isinstance(obj, pygit2.Blob):
            raise HistoryError(f"{rel_path} is a folder in that version.")
        return obj.data

    @_clean_errors
    def files(self, version: str, prefix: str = "") -> list[str]:
        """Every file under ``prefix`` in ``version`` (workspace-relative paths, sorted)."""
        prefix = _check_prefix(prefix)
        sub = _subtree(self.repo, self._commit(version).tree, prefix)
        if sub is None:
            return []
        base = f"{prefix}/" if prefix else ""
        if isinstance(sub, pygit2.Blob):
            return [prefix]
        return sorted(base + path for path in _blob_paths(self.repo, sub, ""))

    @_clean_errors
    def restore(
        self, workspace: Workspace, version: str, prefix: str, path: str | None = None
    ) -> list[str]:
        """Put back the files under ``prefix`` (or just ``path``) as they were in ``version``.

        The current state is snapshotted first, so a restore never loses anything. Files that
        did not exist in ``version`` are left alone.

        Returns:
            The workspace-relative paths written.

        Raises:
            HistoryError: unknown version, missing file, or a file could not be written (the
                message says which and why, e.g. the workspace quota).
        """
        prefix = _check_prefix(prefix)
        commit = self._commit(version)
        if path is not None:
            try:
                check_name(path)
            except WorkspaceError as exc:
                raise HistoryError(str(exc)) from exc
            if prefix and not (path == prefix or path.startswith(prefix + "/")):
                raise HistoryError(f"{path} is not inside {prefix}.")
            wanted = [path]
        else:
            wanted = self.files(version, prefix)
        contents = {rel: self.read(str(commit.id), rel) for rel in wanted}
        label = prefix or "everything"
        self.snapshot(workspace, [prefix] if prefix else None, f"before restoring {label}")
        written: list[str] = []
        for rel, data in contents.items():
            try:
                workspace.write_atomic(rel, data)
            except WorkspaceError as exc:
                raise HistoryError(f"Could not restore {rel}: {exc}") from exc
            written.append(rel)
        short = str(commit.id)[:10]
        self.snapshot(workspace, written or None, f"restored {label} to {short}")
        return written

    # -- internals ----------------------------------------------------------------------------

    def _head(self) -> pygit2.Commit | None:
        try:
            ref = self.repo.references.get(BRANCH)
            if ref is None:
                return None
            commit = self.repo.get(ref.target)
        except pygit2.GitError as exc:
            raise HistoryError(f"The history store is damaged: {exc}") from exc
        return commit if isinstance(commit, pygit2.Commit) else None

    def _commit(self, version: str) -> pygit2.Commit:
        if not isinstance(version, str) or not _HEX.fullmatch(version):
            raise HistoryError("That is not a version id (7 to 40 hexadecimal digits).")
        try:
            obj = self.repo.get(version) if len(version) == 40 else self.repo.revparse_single(
                version
            )
        except (KeyError, ValueError, pygit2.GitError):
            obj = None
        if not isinstance(obj, pygit2.Commit):
            raise HistoryError(f"There is no saved version {version}.")
        return obj


def _check_key(prefix: str, sub: pygit2.Tree | pygit2.Blob) -> str:
    return f"{prefix}:{sub.id}"


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _object_bytes(objects: Path) -> int:
    """Bytes on disk of the repository's objects (loose and packed)."""
    total = 0
    for root, _dirs, names in os.walk(objects):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def _tree_objects(repo: pygit2.Repository, tree: pygit2.Tree, into: set[str]) -> None:
    key = str(tree.id)
    if key in into:
        return
    into.add(key)
    for entry in tree:
        if entry.filemode == _TREE:
            sub = repo.get(entry.id)
            if isinstance(sub, pygit2.Tree):
                _tree_objects(repo, sub, into)
        else:
            into.add(str(entry.id))


def _line_counts(
    repo: pygit2.Repository, old: pygit2.Tree | None, new: pygit2.Tree, prefix: str
) -> tuple[int, int]:
    """(lines added, lines removed) under ``prefix`` from ``old`` to ``new``."""
    sub_new = _subtree(repo, new, prefix)
    sub_old = _subtree(repo, old, prefix) if old is not None else None
    try:
        if isinstance(sub_new, pygit2.Blob) or isinstance(sub_old, pygit2.Blob):
            blob_old = sub_old if isinstance(sub_old, pygit2.Blob) else None
            blob_new = sub_new if isinstance(sub_new, pygit2.Blob) else None
            patch = pygit2.Patch.create_from(blob_old, blob_new)
            _context, added, removed = patch.line_stats
            return added, removed
        empty = repo.get(repo.TreeBuilder().write())
        assert isinstance(empty, pygit2.Tree)
        a = sub_old if isinstance(sub_old, pygit2.Tree) else empty
        b = sub_new if isinstance(sub_new, pygit2.Tree) else empty
        stats = a.diff_to_tree(b).stats
        return stats.insertions, stats.deletions
    except pygit2.GitError:
        return 0, 0


def _check_prefix(prefix: str) -> str:
    prefix = (prefix or "").rstrip("/")
    try:
        check_name(prefix, allow_empty=True)
    except WorkspaceError as exc:
        raise HistoryError(str(exc)) from exc
    return prefix


def _unreadable_now(workspace: Workspace, path: str) -> bool:
    """True if ``path``, or a folder on the way to it, is in the workspace but is a link or a
    special file (planted, or a folder swapped for a link): its last good content stays in the
    snapshot rather than being deleted."""
    parts = path.split("/")
    for end in range(1, len(parts) + 1):
        kind = workspace.entry_type("/".join(parts[:end]))
        if kind in ("link", "other"):
            return True
        if kind != "folder":
            return False
    return False


def _subtree(
    repo: pygit2.Repository, tree: pygit2.Tree, prefix: str
) -> pygit2.Tree | pygit2.Blob | None:
    if not prefix:
        return tree
    try:
        entry = tree[prefix]
    except KeyError:
        return None
    obj = repo.get(entry.id)
    return obj if isinstance(obj, (pygit2.Tree, pygit2.Blob)) else None


def _blob_paths(repo: pygit2.Repository, tree: pygit2.Tree, base: str) -> list[str]:
    paths: list[str] = []
    for entry in tree:
        name = f"{base}{entry.name}"
        if entry.filemode == _TREE:
            sub = repo.get(entry.id)
            if isinstance(sub, pygit2.Tree):
                paths += _blob_paths(repo, sub, name + "/")
        elif entry.filemode in (_BLOB, _BLOB_EXEC):
            paths.append(name)
    return paths


def _changed(
    repo: pygit2.Repository, old: pygit2.Tree | None, new: pygit2.Tree, prefix: str
) -> list[str]:
    """Paths under ``prefix`` that differ between ``old`` and ``new`` (workspace-relative)."""
    sub_new = _subtree(repo, new, prefix)
    sub_old = _subtree(repo, old, prefix) if old is not None else None
    if sub_new is not None and sub_old is not None and sub_new.id == sub_old.id:
        return []
    if sub_new is None and sub_old is None:
        return []
    if isinstance(sub_new, pygit2.Blob) or isinstance(sub_old, pygit2.Blob):
        return [prefix]
    base = f"{prefix}/" if prefix else ""
    if sub_old is None or sub_new is None:
        tree = sub_new if sub_new is not None else sub_old
        assert isinstance(tree, pygit2.Tree)
        return sorted(base + p for p in _blob_paths(repo, tree, ""))
    diff = sub_old.diff_to_tree(sub_new)
    names = {delta.new_file.path for delta in diff.deltas}
    names |= {delta.old_file.path for delta in diff.deltas}
    return sorted(base + name for name in names)


def _prefix_paths(text: str, prefix: str) -> str:
    """Diff headers of a subtree diff name paths relative to it; show them workspace-relative."""
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith(("diff --git a/", "--- a/", "+++ b/")):
            line = line.replace(" a/", f" a/{prefix}/").replace(" b/", f" b/{prefix}/")
        out.append(line)
    return "".join(out)


def _clean_message(message: str) -> str:
    text = "".join(ch if ch.isprintable() or ch == "\n" else "?" for ch in str(message))
    return (text[:MAX_MESSAGE] or "snapshot") + "\n"
