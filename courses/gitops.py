"""The Git panel's operations on a learner's exercise repository, with pygit2 only.

Owns every write Slate makes to a learner's own Git repository (the exercise folder
``/workspace/git/<exercise>/`` is the repo): ``init``, ``status``, ``stage``, ``unstage``,
``commit``, ``log``, ``branches``, ``create_branch``, ``switch``, ``merge``, ``tag``,
``restore``, ``revert`` and ``diff``; the scripted steps that build a starter repository
(provisioning) or a solved one (``slate course check``); and the safety checks that the read-only
``git`` check kind shares.

Invariants kept here (THREAT-MODEL.md section 3):

- The ``git`` binary never runs; libgit2 runs no hooks, no ``core.fsmonitor`` and no filter
  programs. Nothing in a learner's repository is ever executed.
- Nothing outside the exercise folder is read or written: the folder and its ``.git`` must be
  plain directories (a ``gitdir:`` file, a symlink, ``commondir``, object ``alternates``,
  ``core.worktree`` and config ``include`` are refused before libgit2 opens anything), the
  repository is opened without searching parent folders, and operations that read or write the
  working tree refuse links and special files (a FIFO would hang a read; a symlink could redirect
  a write).
- Every failure is a ``GitOpError`` whose message is plain words for the learner; a damaged
  repository gives an error, never a traceback.
- Files the server (root) creates in a learner's folder are handed back to the folder's owner,
  so the learner can keep editing them.

Host configuration is never consulted: the global/system config search paths are emptied and
libgit2's owner check is replaced by the structural checks above (the server, as root, must open
repositories owned by each learner's uid).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pygit2
from pygit2.enums import (
    CheckoutStrategy,
    ConfigLevel,
    FileStatus,
    MergeAnalysis,
    Option,
    RepositoryOpenFlag,
    RepositoryState,
    SortMode,
)

DEFAULT_BRANCH = "main"
EMAIL_DOMAIN = "classroom"

MAX_GIT_ENTRIES = 20_000  # files + folders inside .git
MAX_GIT_BYTES = 64 << 20  # total size of .git
MAX_TREE_ENTRIES = 2_000  # files + folders in the working tree
MAX_CONFIG_BYTES = 64 << 10
MAX_MESSAGE = 2_000
MAX_LOG = 200
MAX_DIFF_CHARS = 200_000
MAX_STEPS = 200

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,59}$")
_HEX_RE = re.compile(r"^[0-9a-fA-F]{4,40}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class GitOpError(Exception):
    """A Git panel operation could not be done; the message is for the learner."""


_configured = False


def _configure_libgit2() -> None:
    """Make libgit2 ignore the host's Git configuration (once per process)."""
    global _configured
    if _configured:
        return
    # The server (root) opens repositories owned by each learner's uid; libgit2's owner check
    # would refuse them all. Its purpose (not trusting a foreign repo's config) is served by
    # check_layout() below, and libgit2 never runs hooks or fsmonitor anyway.
    pygit2.option(Option.SET_OWNER_VALIDATION, 0)
    for level in (ConfigLevel.SYSTEM, ConfigLevel.XDG, ConfigLevel.GLOBAL, ConfigLevel.PROGRAMDATA):
        try:
            pygit2.settings.search_path[level] = ""
        except (ValueError, pygit2.GitError):  # a level this libgit2 build does not know
            pass
    _configured = True


# --------------------------------------------------------------------------------------------
# Safety checks shared with the git check kind
# --------------------------------------------------------------------------------------------


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise GitOpError(f"Slate could not look at {path.name}: {exc.strerror}.") from exc


def _reset_advice() -> str:
    return "Ask your instructor to reset this exercise."


def check_folder(folder: Path) -> None:
    """Refuse an exercise folder that is not a plain directory.

    Raises:
        GitOpError: when the folder is missing, a symlink or not a directory.
    """
    st = _lstat(folder)
    if st is None:
        raise GitOpError("This exercise folder does not exist yet. " + _reset_advice())
    if not stat.S_ISDIR(st.st_mode):
        raise GitOpError("This exercise folder is not a plain folder. " + _reset_advice())


def check_layout(folder: Path) -> Path:
    """Check that ``folder/.git`` is a self-contained repository Slate may open.

    Refuses anything that would make libgit2 look outside the folder: a ``.git`` that is a file
    (``gitdir: /elsewhere``) or a symlink, links or special files inside ``.git``, ``commondir``
    and ``gitdir`` files, object ``alternates``, a config with ``include``/``includeIf`` or
    ``core.worktree``, and repositories too large to be an exercise.

    Args:
        folder: the exercise folder.

    Returns:
        The path of the ``.git`` directory.

    Raises:
        GitOpError: naming the problem in plain words.
    """
    check_folder(folder)
    dotgit = folder / ".git"
    st = _lstat(dotgit)
    if st is None:
        raise GitOpError(
            "This folder is not a Git repository yet. Start one with init (git init) first."
        )
    if not stat.S_ISDIR(st.st_mode):
        raise GitOpError(
            "The .git in this folder is not a plain folder (it is a link or a file that points "
            "somewhere else), so Slate will not use it. " + _reset_advice()
        )
    entries = 0
    total = 0
    for dirpath, dirnames, filenames in os.walk(dotgit, followlinks=False):
        for name in dirnames + filenames:
            entries += 1
            if entries > MAX_GIT_ENTRIES:
                raise GitOpError("This repository is far too big for an exercise. "
                                 + _reset_advice())
            path = Path(dirpath) / name
            est = _lstat(path)
            if est is None:
                continue
            rel = path.relative_to(dotgit).as_posix()
            if stat.S_ISLNK(est.st_mode) or not (
                stat.S_ISDIR(est.st_mode) or stat.S_ISREG(est.st_mode)
            ):
                raise GitOpError(
                    f"The repository contains a link or special file (.git/{_show(rel)}), so "
                    "Slate will not use it. " + _reset_advice()
                )
            if rel in ("commondir", "gitdir", "objects/info/alternates"):
                raise GitOpError(
                    f"The repository points to another repository (.git/{_show(rel)}), so "
                    "Slate will not use it. " + _reset_advice()
                )
            if stat.S_ISREG(est.st_mode):
                total += est.st_size
                if total > MAX_GIT_BYTES:
                    raise GitOpError("This repository is far too big for an exercise. "
                                     + _reset_advice())
    config = dotgit / "config"
    cst = _lstat(config)
    if cst is not None:
        if cst.st_size > MAX_CONFIG_BYTES:
            raise GitOpError("The repository's settings file is too big. " + _reset_advice())
        text = config.read_bytes().decode("utf-8", "replace").lower()
        # Conservative on purpose: a false alarm costs a reset, a miss could read host files.
        for word in ("include", "worktree"):
            if word in text:
                raise GitOpError(
                    f"The repository's settings use '{word}', which Slate does not allow. "
                    + _reset_advice()
                )
    return dotgit


def check_worktree(folder: Path) -> None:
    """Refuse a working tree with links or special files, before Git reads or writes it.

    A FIFO would make a read hang forever; a symlinked folder could redirect a checkout's
    writes outside the exercise; a hard link would make a write change another file too.

    Raises:
        GitOpError: naming the first offending file.
    """
    entries = 0
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        if Path(dirpath) == folder and ".git" in dirnames:
            dirnames.remove(".git")
        for name in dirnames + filenames:
            entries += 1
            if entries > MAX_TREE_ENTRIES:
                raise GitOpError("This folder has far too many files for an exercise.")
            path = Path(dirpath) / name
            st = _lstat(path)
            if st is None:
                continue
            rel = _show(path.relative_to(folder).as_posix())
            if stat.S_ISLNK(st.st_mode):
                raise GitOpError(
                    f"{rel} is a link to somewhere else. The Git panel only works with plain "
                    "files: delete the link, then try again."
                )
            if stat.S_ISREG(st.st_mode):
                if st.st_nlink > 1:
                    raise GitOpError(
                        f"{rel} is a second name for another file (a hard link). The Git panel "
                        "only works with plain files: delete it, then try again."
                    )
            elif not stat.S_ISDIR(st.st_mode):
                raise GitOpError(
                    f"{rel} is a special file, not a normal one. The Git panel only works with "
                    "plain files: delete it, then try again."
                )


def open_repo(folder: Path, *, worktree: bool = True) -> pygit2.Repository:
    """Open the exercise repository after the safety checks.

    Args:
        folder: the exercise folder (the repository's working tree).
        worktree: also check the working tree for links and special files.

    Returns:
        The opened repository; its working tree is exactly ``folder``.

    Raises:
        GitOpError: when the folder is unsafe, not a repository, or damaged.
    """
    _configure_libgit2()
    folder = Path(os.path.abspath(folder))
    dotgit = check_layout(folder)
    if worktree:
        check_worktree(folder)
    try:
        repo = pygit2.Repository(str(dotgit), RepositoryOpenFlag.NO_SEARCH)
    except pygit2.GitError as exc:
        raise GitOpError(
            "Git could not open this repository; it may be damaged. " + _reset_advice()
        ) from exc
    if repo.is_bare or repo.workdir is None or (
        Path(repo.workdir).resolve() != folder.resolve()
    ):
        raise GitOpError("This repository is set up in an unusual way. " + _reset_advice())
    if worktree:
        _no_symlink_checkouts(repo)
    return repo


def _no_symlink_checkouts(repo: pygit2.Repository) -> None:
    """Make checkouts write a committed symlink as a plain file holding its target.

    A tree can carry a symlink entry (made elsewhere and planted in ``.git``); checked out as
    a real link it could point a later write outside the folder. Plain files can't.
    """
    try:
        config = repo.config
        if config.get_bool("core.symlinks") if "core.symlinks" in config else True:
            config["core.symlinks"] = False
    except (pygit2.GitError, ValueError, OSError) as exc:
        raise GitOpError("Git could not read this repository's settings. "
                         + _reset_advice()) from exc


def _show(text: str, limit: int = 80) -> str:
    """A learner-chosen name made safe to show (no control characters, bounded)."""
    text = _CONTROL_RE.sub("?", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# The operations
# --------------------------------------------------------------------------------------------


def _first_line(message: str) -> str:
    return _show(message.strip().splitlines()[0] if message.strip() else "", 72)


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name:
        raise GitOpError(f"Please type a {what} name.")
    ok = _NAME_RE.match(name) and pygit2.reference_is_valid_name(f"refs/heads/{name}")
    if not ok or ".." in name or name.endswith((".lock", "/", ".")):
        raise GitOpError(
            f"'{_show(name, 40)}' cannot be a {what} name. Use letters, numbers and dashes, "
            "for example: add-ending"
        )
    return name


def _check_path(path: Any) -> str:
    if not isinstance(path, str) or not path.strip():
        raise GitOpError("Please choose a file.")
    if "\x00" in path or len(path) > 255:
        raise GitOpError("That is not a file name Slate can use.")
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and pure.parts[0] == ".git"):
        raise GitOpError(f"{_show(path)} is not a file in this exercise.")
    return pure.as_posix()


def _check_paths(paths: Any) -> list[str] | None:
    """None means "everything"."""
    if paths is None or paths in (".", "", ["."], []):
        return None
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not paths or len(paths) > 500:
        raise GitOpError("Please choose the files to use.")
    return [_check_path(p) for p in paths]


def _signature(author_name: Any) -> pygit2.Signature:
    if not isinstance(author_name, str) or not author_name.strip():
        raise GitOpError("A commit needs an author name.")
    name = _CONTROL_RE.sub("", author_name).strip()[:80] or "learner"
    user = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-.") or "learner"
    return pygit2.Signature(name, f"{user}@{EMAIL_DOMAIN}", int(time.time()), 0)


def _describe_status(flags: int) -> tuple[str | None, str | None]:
    """(staged change, unstaged change) in words for one status entry."""
    staged = None
    if flags & FileStatus.INDEX_NEW:
        staged = "new file"
    elif flags & FileStatus.INDEX_MODIFIED:
        staged = "modified"
    elif flags & FileStatus.INDEX_DELETED:
        staged = "deleted"
    elif flags & (FileStatus.INDEX_RENAMED | FileStatus.INDEX_TYPECHANGE):
        staged = "changed"
    unstaged = None
    if flags & FileStatus.WT_NEW:
        unstaged = "untracked"
    elif flags & FileStatus.WT_MODIFIED:
        unstaged = "modified"
    elif flags & FileStatus.WT_DELETED:
        unstaged = "deleted"
    elif flags & (FileStatus.WT_RENAMED | FileStatus.WT_TYPECHANGE | FileStatus.WT_UNREADABLE):
        unstaged = "changed"
    return staged, unstaged


class ExerciseRepo:
    """The Git panel's view of one exercise folder (which is the repository's working tree).

    Each operation re-opens and re-checks the repository, so a folder changed between two
    requests is checked again. Results are JSON-ready dicts with a ``message`` for the learner.

    Args:
        folder: the exercise folder, e.g. ``<workspace>/git/first-commit``.
        owner_uid: who should own files Slate writes there; default: the folder's owner.
    """

    def __init__(self, folder: Path, *, owner_uid: int | None = None) -> None:
        self.folder = Path(os.path.abspath(folder))
        self.owner_uid = owner_uid

    # -- helpers ---------------------------------------------------------------------------

    def _open(self, *, worktree: bool = True) -> pygit2.Repository:
        return open_repo(self.folder, worktree=worktree)

    def _give_back(self) -> None:
        """Hand files the server created back to the folder's owner (only when root)."""
        if os.geteuid() != 0:
            return
        try:
            st = os.lstat(self.folder)
        except OSError:
            return
        uid = self.owner_uid if self.owner_uid is not None else st.st_uid
        gid = st.st_gid
        if uid == 0:
            return
        for dirpath, dirnames, filenames in os.walk(self.folder, followlinks=False):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                try:
                    est = os.lstat(path)
                    if est.st_uid != uid:
                        os.lchown(path, uid, gid)
                except OSError:
                    continue

    @staticmethod
    def _head_commit(repo: pygit2.Repository) -> pygit2.Commit | None:
        if repo.head_is_unborn:
            return None
        try:
            commit = repo.head.peel(pygit2.Commit)
        except (pygit2.GitError, KeyError, ValueError) as exc:
            raise GitOpError("Git could not read the latest commit; the repository may be "
                             "damaged. " + _reset_advice()) from exc
        return commit

    def _require_commit(self, repo: pygit2.Repository, doing: str) -> pygit2.Commit:
        commit = self._head_commit(repo)
        if commit is None:
            raise GitOpError(f"Make your first commit before you {doing}.")
        return commit

    @staticmethod
    def _current_branch(repo: pygit2.Repository) -> str | None:
        try:
            if repo.head_is_detached:
                return None
            ref = repo.lookup_reference("HEAD").target
        except (pygit2.GitError, KeyError) as exc:
            raise GitOpError("Git could not read which branch you are on. "
                             + _reset_advice()) from exc
        if isinstance(ref, str) and ref.startswith("refs/heads/"):
            return ref[len("refs/heads/"):]
        return None

    def _changes(self, repo: pygit2.Repository, *, untracked: bool) -> list[str]:
        """Paths with uncommitted changes (tracked ones; untracked too if asked)."""
        out = []
        for path, flags in repo.status().items():
            if flags & FileStatus.IGNORED:
                continue
            if flags == FileStatus.WT_NEW and not untracked:
                continue
            out.append(path)
        return sorted(out)

    def _conflicts(self, repo: pygit2.Repository) -> list[str]:
        conflicts = repo.index.conflicts
        if conflicts is None:
            return []
        paths = set()
        for ancestor, ours, theirs in conflicts:
            for entry in (ancestor, ours, theirs):
                if entry is not None:
                    paths.add(entry.path)
        return sorted(paths)

    def _label_conflicts(self, paths: list[str], oid: pygit2.Oid, label: str) -> None:
        """Replace libgit2's commit id in conflict markers with the branch name."""
        marker = f">>>>>>> {oid}".encode()
        for rel in paths:
            path = self.folder / rel
            try:
                st = os.lstat(path)
                if not stat.S_ISREG(st.st_mode) or st.st_size > 1 << 20:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if marker in data:
                path.write_bytes(data.replace(marker, f">>>>>>> {label}".encode()))

    # -- operations --------------------------------------------------------------------------

    def init(self) -> dict[str, Any]:
        """``git init``: make the exercise folder a repository on branch ``main``.

        Raises:
            GitOpError: when it already is one, or the folder is unsafe.
        """
        _configure_libgit2()
        check_folder(self.folder)
        if _lstat(self.folder / ".git") is not None:
            raise GitOpError("This folder is already a Git repository: nothing to do.")
        check_worktree(self.folder)
        try:
            pygit2.init_repository(
                str(self.folder), bare=False, initial_head=DEFAULT_BRANCH,
                flags=pygit2.enums.RepositoryInitFlag.NO_REINIT,
            )
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not start a repository here: {_show(str(exc))}") from exc
        self._give_back()
        return {"message": f"Started a Git repository here, on branch {DEFAULT_BRANCH}.",
                "branch": DEFAULT_BRANCH}

    def status(self) -> dict[str, Any]:
        """``git status``: the branch, and each changed file with its staged/unstaged state."""
        repo = self._open()
        try:
            raw = repo.status()
        except pygit2.GitError as exc:
            raise GitOpError("Git could not work out what changed; the repository may be "
                             "damaged. " + _reset_advice()) from exc
        conflicted = set(self._conflicts(repo))
        files = []
        for path in sorted(raw):
            flags = raw[path]
            if flags & FileStatus.IGNORED:
                continue
            staged, unstaged = _describe_status(flags)
            files.append({
                "path": path,
                "staged": staged,
                "unstaged": unstaged,
                "conflicted": path in conflicted or bool(flags & FileStatus.CONFLICTED),
            })
        branch = self._current_branch(repo)
        merging = repo.state() == RepositoryState.MERGE
        if not files:
            message = "Nothing to commit: every change is saved in a commit."
        else:
            message = f"{len(files)} file(s) changed since the last commit."
        if merging:
            message += " A merge is in progress: fix the conflicts, stage, then commit."
        return {
            "message": message,
            "branch": branch,
            "unborn": repo.head_is_unborn,
            "merging": merging,
            "files": files,
        }

    def stage(self, paths: Any = None) -> dict[str, Any]:
        """``git add``: put the files' current content into the staging area.

        Args:
            paths: file names relative to the folder; None or "." for every change.
        """
        repo = self._open()
        chosen = _check_paths(paths)
        index = repo.index
        try:
            if chosen is None:
                index.add_all()
                staged = self._changes(repo, untracked=True)
            else:
                for rel in chosen:
                    st = _lstat(self.folder / rel)
                    if st is None:
                        if rel in index:
                            index.remove(rel)
                        else:
                            raise GitOpError(f"There is no file called {_show(rel)}.")
                    elif stat.S_ISDIR(st.st_mode):
                        index.add_all([f"{rel}/*"])
                    else:
                        index.add(rel)
                staged = chosen
            index.write()
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not stage that: {_show(str(exc))}") from exc
        self._give_back()
        return {"message": "Staged: " + (", ".join(_show(p) for p in staged) or "nothing new"),
                "staged": staged}

    def unstage(self, paths: Any = None) -> dict[str, Any]:
        """``git restore --staged``: take files out of the staging area (keeps your edits)."""
        repo = self._open()
        chosen = _check_paths(paths)
        head = self._head_commit(repo)
        index = repo.index
        if chosen is None:
            committed = set(_tree_paths(head.tree)) if head is not None else set()
            chosen = sorted({e.path for e in index} | committed)
        done = []
        try:
            for rel in chosen:
                if head is not None and rel in head.tree:
                    entry = head.tree[rel]
                    if rel not in index or index[rel].id != entry.id:
                        index.add(pygit2.IndexEntry(rel, entry.id, entry.filemode))
                        done.append(rel)
                elif rel in index:
                    index.remove(rel)
                    done.append(rel)
            index.write()
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not unstage that: {_show(str(exc))}") from exc
        self._give_back()
        return {"message": "Unstaged: " + (", ".join(_show(p) for p in done) or "nothing"),
                "unstaged": done}

    def commit(self, message: Any, author_name: Any) -> dict[str, Any]:
        """``git commit``: save the staged snapshot with a message.

        Finishes a merge in progress (the commit gets both parents) once conflicts are fixed.
        """
        if not isinstance(message, str) or not message.strip():
            raise GitOpError("A commit needs a message: say in a few words what you changed.")
        text = _CONTROL_RE.sub("", message.replace("\r\n", "\n").replace("\t", " ")).strip()
        if len(text) > MAX_MESSAGE:
            raise GitOpError(f"That message is very long; keep it under {MAX_MESSAGE} letters.")
        sig = _signature(author_name)
        repo = self._open()
        conflicts = self._conflicts(repo)
        if conflicts:
            raise GitOpError(
                "These files still have conflicts: " + ", ".join(_show(p) for p in conflicts)
                + ". Edit them to remove the <<<<<<< ======= >>>>>>> lines, stage them, "
                "then commit."
            )
        head = self._head_commit(repo)
        merging = repo.state() == RepositoryState.MERGE
        try:
            tree = repo.index.write_tree()
            parents = [head.id] if head is not None else []
            if merging:
                parents += list(repo.listall_mergeheads())
            elif head is not None and tree == head.tree.id:
                raise GitOpError("Nothing is staged, so there is nothing to commit. Stage the "
                                 "files you changed first (git add).")
            elif head is None and len(repo.index) == 0:
                raise GitOpError("Nothing is staged yet. Stage a file first (git add), then "
                                 "commit.")
            oid = repo.create_commit("HEAD", sig, sig, text + "\n", tree, parents)
            if merging:
                repo.state_cleanup()
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not make the commit: {_show(str(exc))}") from exc
        self._give_back()
        return {"message": f"Committed {str(oid)[:7]}: {_first_line(text)}", "id": str(oid),
                "merge": merging}

    def log(self, n: Any = 20) -> dict[str, Any]:
        """``git log``: the latest ``n`` commits reachable from HEAD, newest first."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise GitOpError("The number of commits to show must be a whole number above 0.")
        n = min(n, MAX_LOG)
        repo = self._open(worktree=False)
        head = self._head_commit(repo)
        commits = []
        if head is not None:
            try:
                for commit in repo.walk(head.id, SortMode.TOPOLOGICAL | SortMode.TIME):
                    commits.append({
                        "id": str(commit.id),
                        "short": str(commit.id)[:7],
                        "summary": _first_line(commit.message),
                        "message": _show(commit.message.strip(), MAX_MESSAGE),
                        "author": _show(commit.author.name, 80),
                        "time": commit.commit_time,
                        "parents": [str(p) for p in commit.parent_ids],
                    })
                    if len(commits) >= n:
                        break
            except pygit2.GitError as exc:
                raise GitOpError("Git could not read the history; the repository may be "
                                 "damaged. " + _reset_advice()) from exc
        message = f"{len(commits)} commit(s)." if commits else "No commits yet."
        return {"message": message, "commits": commits}

    def branches(self) -> dict[str, Any]:
        """``git branch``: every local branch and the current one."""
        repo = self._open(worktree=False)
        names = sorted(repo.branches.local)
        current = self._current_branch(repo)
        return {"message": f"You are on {current or 'no branch'}.", "current": current,
                "branches": names}

    def create_branch(self, name: Any) -> dict[str, Any]:
        """``git branch NAME``: a new branch at the current commit (you stay where you are)."""
        name = _check_name(name, "branch")
        repo = self._open(worktree=False)
        head = self._require_commit(repo, "make a branch")
        if name in repo.branches.local:
            raise GitOpError(f"A branch called {name} already exists.")
        try:
            repo.branches.local.create(name, head)
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not make that branch: {_show(str(exc))}") from exc
        self._give_back()
        return {"message": f"Made branch {name}. Switch to it to work there.", "branch": name}

    def switch(self, branch: Any) -> dict[str, Any]:
        """``git switch BRANCH``: move to another branch, refusing to lose uncommitted work."""
        branch = _check_name(branch, "branch")
        repo = self._open()
        if repo.state() != RepositoryState.NONE:
            raise GitOpError("Finish the merge first: fix the conflicts, stage, then commit.")
        target = repo.branches.local.get(branch)
        if target is None:
            raise GitOpError(f"There is no branch called {branch}. Make it first.")
        if self._current_branch(repo) == branch:
            return {"message": f"You are already on {branch}.", "branch": branch}
        changed = self._changes(repo, untracked=False)
        if changed:
            raise GitOpError(
                "You have changes that are not committed yet ("
                + ", ".join(_show(p) for p in changed[:5])
                + "). Commit them, or discard them with restore, before you switch branch, "
                "so nothing is lost."
            )
        try:
            repo.checkout(target, strategy=CheckoutStrategy.SAFE)
        except pygit2.GitError as exc:
            raise GitOpError(
                "Switching would overwrite a file you have not committed. Commit or delete it "
                "first, then switch."
            ) from exc
        self._give_back()
        return {"message": f"Switched to branch {branch}.", "branch": branch}

    def merge(self, branch: Any) -> dict[str, Any]:
        """``git merge BRANCH``: bring another branch's commits into the current one.

        Fast-forwards when it can, makes a merge commit when both sides changed, and when the
        same lines changed on both sides writes conflict markers into the files and leaves the
        merge in progress for the learner to fix and commit.
        """
        branch = _check_name(branch, "branch")
        repo = self._open()
        if repo.state() != RepositoryState.NONE:
            raise GitOpError("A merge is already in progress: fix the conflicts, stage, then "
                             "commit.")
        head = self._require_commit(repo, "merge")
        current = self._current_branch(repo)
        if current is None:
            raise GitOpError("Switch to a branch before you merge.")
        if branch == current:
            raise GitOpError(f"You are on {branch}; choose another branch to merge into it.")
        other = repo.branches.local.get(branch)
        if other is None:
            raise GitOpError(f"There is no branch called {branch}.")
        changed = self._changes(repo, untracked=False)
        if changed:
            raise GitOpError(
                "Commit or discard your changes (" + ", ".join(_show(p) for p in changed[:5])
                + ") before you merge."
            )
        try:
            theirs = other.peel(pygit2.Commit)
            analysis, _ = repo.merge_analysis(theirs.id)
            if analysis & MergeAnalysis.UP_TO_DATE:
                return {"message": f"{current} already has everything from {branch}.",
                        "result": "up-to-date", "conflicts": []}
            if analysis & MergeAnalysis.FASTFORWARD:
                repo.checkout_tree(theirs, strategy=CheckoutStrategy.SAFE)
                repo.lookup_reference(f"refs/heads/{current}").set_target(
                    theirs.id, f"merge {branch}: fast-forward")
                self._give_back()
                return {"message": f"Fast-forward: {current} now includes {branch}'s commits.",
                        "result": "fast-forward", "conflicts": []}
            repo.merge(theirs.id)
            conflicts = self._conflicts(repo)
            if conflicts:
                self._label_conflicts(conflicts, theirs.id, branch)
                self._give_back()
                return {
                    "message": "Conflict! Both branches changed the same lines in "
                    + ", ".join(_show(p) for p in conflicts)
                    + ". Open each file, keep the lines you want, delete the <<<<<<< ======= "
                    ">>>>>>> marker lines, save, stage and commit.",
                    "result": "conflict",
                    "conflicts": conflicts,
                }
            sig = pygit2.Signature(head.author.name, head.author.email, int(time.time()), 0)
            tree = repo.index.write_tree()
            oid = repo.create_commit("HEAD", sig, sig, f"Merge branch '{branch}'\n", tree,
                                     [head.id, theirs.id])
            repo.state_cleanup()
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not merge: {_show(str(exc))}") from exc
        self._give_back()
        return {"message": f"Merged {branch} into {current} with a merge commit.",
                "result": "merge-commit", "id": str(oid), "conflicts": []}

    def abort_merge(self) -> dict[str, Any]:
        """``git merge --abort``: give up a merge in progress, back to before it started."""
        repo = self._open()
        if repo.state() != RepositoryState.MERGE:
            raise GitOpError("No merge is in progress, so there is nothing to give up.")
        head = self._require_commit(repo, "abort a merge")
        try:
            repo.checkout_tree(head.tree, strategy=CheckoutStrategy.FORCE)
            repo.index.read_tree(head.tree)
            repo.index.write()
            repo.state_cleanup()
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not give up the merge: {_show(str(exc))}") from exc
        self._give_back()
        return {"message": "Gave up the merge: your files are back as they were before it."}

    def tag(self, name: Any, message: Any = None, author_name: Any = None) -> dict[str, Any]:
        """``git tag NAME``: a name for the current commit (annotated when given a message)."""
        name = _check_name(name, "tag")
        repo = self._open(worktree=False)
        head = self._require_commit(repo, "add a tag")
        if f"refs/tags/{name}" in repo.references:
            raise GitOpError(f"A tag called {name} already exists.")
        try:
            if isinstance(message, str) and message.strip():
                sig = _signature(author_name) if author_name else pygit2.Signature(
                    head.author.name, head.author.email, int(time.time()), 0)
                repo.create_tag(name, head.id, pygit2.enums.ObjectType.COMMIT, sig,
                                _CONTROL_RE.sub("", message).strip()[:MAX_MESSAGE] + "\n")
            else:
                repo.references.create(f"refs/tags/{name}", head.id)
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not make that tag: {_show(str(exc))}") from exc
        self._give_back()
        return {"message": f"Tagged {str(head.id)[:7]} as {name}.", "tag": name}

    def restore(self, path: Any) -> dict[str, Any]:
        """``git restore PATH``: throw away unstaged edits, back to the staged/committed version.
        """
        rel = _check_path(path)
        repo = self._open()
        if rel not in repo.index:
            raise GitOpError(f"{_show(rel)} is a new file Git does not know yet, so there is "
                             "no earlier version to restore.")
        try:
            repo.checkout_index(paths=[rel], strategy=CheckoutStrategy.FORCE)
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not restore that file: {_show(str(exc))}") from exc
        self._give_back()
        return {"message": f"Restored {_show(rel)}: your unsaved-in-Git edits are gone.",
                "path": rel}

    def revert(self, commit: Any) -> dict[str, Any]:
        """``git revert COMMIT``: a new commit that undoes an earlier one (history is kept)."""
        if not isinstance(commit, str) or not (commit == "HEAD" or _HEX_RE.match(commit)):
            raise GitOpError("Choose the commit to undo (its short id, like 3f2a1bc).")
        repo = self._open()
        head = self._require_commit(repo, "revert")
        if repo.state() != RepositoryState.NONE:
            raise GitOpError("Finish the merge first: fix the conflicts, stage, then commit.")
        changed = self._changes(repo, untracked=False)
        if changed:
            raise GitOpError("Commit or discard your changes before you undo a commit.")
        try:
            target = head if commit == "HEAD" else repo.revparse_single(commit).peel(
                pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError) as exc:
            raise GitOpError(f"There is no commit {_show(commit, 40)}.") from exc
        if len(target.parents) > 1:
            raise GitOpError("That is a merge commit; Slate's panel can only undo ordinary "
                             "commits.")
        try:
            repo.revert(target)
            conflicts = self._conflicts(repo)
            if conflicts:
                repo.state_cleanup()
                repo.checkout_tree(head, strategy=CheckoutStrategy.FORCE)
                repo.index.read_tree(head.tree)
                repo.index.write()
                raise GitOpError(
                    "Undoing that commit clashes with later changes to "
                    + ", ".join(_show(p) for p in conflicts)
                    + ". Nothing was changed; try undoing the later commits first."
                )
            summary = _first_line(target.message)
            text = f'Revert "{summary}"\n\nThis reverts commit {target.id}.\n'
            sig = pygit2.Signature(head.author.name, head.author.email, int(time.time()), 0)
            oid = repo.create_commit("HEAD", sig, sig, text, repo.index.write_tree(), [head.id])
            repo.state_cleanup()
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not undo that commit: {_show(str(exc))}") from exc
        self._give_back()
        return {"message": f'Made commit {str(oid)[:7]} that undoes "{summary}".',
                "id": str(oid)}

    def diff(self) -> dict[str, Any]:
        """``git diff`` and ``git diff --staged`` as text, capped."""
        repo = self._open()
        try:
            unstaged = repo.diff().patch or ""
            if repo.head_is_unborn:
                staged = repo.index.diff_to_tree(repo.get(_empty_tree(repo))).patch or ""
            else:
                staged = repo.diff("HEAD", cached=True).patch or ""
        except pygit2.GitError as exc:
            raise GitOpError("Git could not compare the files; the repository may be "
                             "damaged. " + _reset_advice()) from exc
        text = ""
        if staged:
            text += "# Staged (will go into the next commit)\n" + staged
        if unstaged:
            text += ("\n" if text else "") + "# Not staged yet\n" + unstaged
        truncated = len(text) > MAX_DIFF_CHARS
        text = text[:MAX_DIFF_CHARS]
        message = "No changes." if not text else "Lines starting with + were added, - removed."
        return {"message": message, "diff": text, "truncated": truncated}

    # -- the control request -------------------------------------------------------------------

    def run(self, op: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run one Git panel operation by name (the TUI's ``git`` control request).

        Args:
            op: one of ``OPERATIONS``.
            args: the operation's keyword arguments.

        Raises:
            GitOpError: for an unknown op, bad arguments, or a failed operation.
        """
        if op not in OP_ARGS:
            raise GitOpError(f"Unknown Git action {_show(str(op), 40)!r}.")
        args = dict(args or {}) if isinstance(args, dict) or args is None else args
        if not isinstance(args, dict):
            raise GitOpError("The Git action's details are malformed.")
        if op == "branch":  # the panel's "New branch" (with a name) or the branch list
            op = "create_branch" if args.get("name") else "branches"
            if op == "branches":
                args.pop("name", None)
        if op in ("switch", "merge") and "name" in args and "branch" not in args:
            args["branch"] = args.pop("name")
        allowed = OP_ARGS[op]
        unknown = sorted(set(args) - set(allowed))
        if unknown:
            raise GitOpError(f"The Git action {op} does not take {', '.join(unknown)}.")
        method: Callable[..., dict[str, Any]] = getattr(self, op)
        try:
            result = method(**args)
            result.setdefault("output", render(op, result))
            return result
        except TypeError as exc:
            raise GitOpError(f"The Git action {op} is missing some details.") from exc
        except (pygit2.GitError, KeyError, ValueError, OSError) as exc:
            raise GitOpError(
                "Git could not do that; the repository may be damaged. " + _reset_advice()
            ) from exc


# op -> the argument names it accepts
OP_ARGS: dict[str, tuple[str, ...]] = {
    "init": (),
    "status": (),
    "branch": ("name",),
    "stage": ("paths",),
    "unstage": ("paths",),
    "commit": ("message", "author_name"),
    "log": ("n",),
    "branches": (),
    "create_branch": ("name",),
    "switch": ("branch",),
    "merge": ("branch",),
    "abort_merge": (),
    "tag": ("name", "message", "author_name"),
    "restore": ("path",),
    "revert": ("commit",),
    "diff": (),
}


def _operation(op: str) -> Callable[..., dict[str, Any]]:
    def operation(folder: Path, **args: Any) -> dict[str, Any]:
        return ExerciseRepo(folder).run(op, args)

    operation.__name__ = op
    operation.__doc__ = f"``{op}`` on the exercise repository at ``folder`` (see ExerciseRepo)."
    return operation


# op -> ``func(folder, **args) -> dict``: what the server calls for the TUI's ``git`` request.
OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {op: _operation(op) for op in OP_ARGS}


def render(op: str, result: dict[str, Any]) -> str:
    """The text the Git panel shows for a result: the message plus the details, like git."""
    lines = [str(result.get("message", ""))]
    if op == "status":
        lines[0:0] = [f"On branch {result.get('branch') or '(no branch)'}", ""]
        groups: dict[str, list[str]] = {"staged": [], "unstaged": [], "untracked": [],
                                        "conflicted": []}
        for entry in result.get("files", []):
            if entry.get("conflicted"):
                groups["conflicted"].append(f"  both changed: {entry['path']}")
                continue
            if entry.get("staged"):
                groups["staged"].append(f"  {entry['staged']}: {entry['path']}")
            if entry.get("unstaged") == "untracked":
                groups["untracked"].append(f"  {entry['path']}")
            elif entry.get("unstaged"):
                groups["unstaged"].append(f"  {entry['unstaged']}: {entry['path']}")
        titles = {
            "conflicted": "In conflict (fix, then stage and commit):",
            "staged": "Staged (will go into the next commit):",
            "unstaged": "Changed but not staged yet:",
            "untracked": "New files Git is not tracking yet:",
        }
        for key in ("conflicted", "staged", "unstaged", "untracked"):
            if groups[key]:
                lines += ["", titles[key], *groups[key]]
    elif op == "log":
        for commit in result.get("commits", []):
            merge = "  (merge)" if len(commit.get("parents", [])) > 1 else ""
            lines.append(f"{commit['short']}  {commit['summary']}  - {commit['author']}{merge}")
    elif op in ("branches", "branch") and "branches" in result:
        for name in result["branches"]:
            lines.append(("* " if name == result.get("current") else "  ") + name)
    elif op == "diff" and result.get("diff"):
        lines += ["", str(result["diff"])]
    return "\n".join(lines).strip("\n")


def _tree_paths(tree: pygit2.Tree, prefix: str = "") -> Iterator[str]:
    for entry in tree:
        path = f"{prefix}{entry.name}"
        if entry.type_str == "tree":
            yield from _tree_paths(entry, f"{path}/")  # type: ignore[arg-type]
        else:
            yield path


def _empty_tree(repo: pygit2.Repository) -> pygit2.Oid:
    return repo.TreeBuilder().write()


# --------------------------------------------------------------------------------------------
# Scripted steps: building a starter repository, or the solved one for `slate course check`
# --------------------------------------------------------------------------------------------

STEP_OPS = {*OP_ARGS, "write", "delete"}


def load_steps(path: Path) -> list[dict[str, Any]]:
    """Read a steps file: a TOML document of ``[[step]]`` tables, each with an ``op``.

    Raises:
        GitOpError: naming the file and step when the file is malformed.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise GitOpError(f"{path}: cannot read the steps: {exc}") from exc
    steps = data.get("step")
    if not isinstance(steps, list) or not steps:
        raise GitOpError(f"{path}: expected one or more [[step]] tables")
    problems = validate_steps(steps)
    if problems:
        raise GitOpError(f"{path}: " + "; ".join(problems))
    return steps


def validate_steps(steps: list[Any]) -> list[str]:
    """Problems in a list of scripted steps (empty when fine)."""
    problems = []
    if len(steps) > MAX_STEPS:
        problems.append(f"at most {MAX_STEPS} steps")
    for number, step in enumerate(steps, 1):
        if not isinstance(step, dict):
            problems.append(f"step {number}: must be a table")
            continue
        op = step.get("op")
        if op not in STEP_OPS:
            problems.append(f"step {number}: op {op!r} is not one of {sorted(STEP_OPS)}")
            continue
        allowed = {"op", "expect"} | set(OP_ARGS.get(op, ()))
        if op == "write":
            allowed |= {"path", "text"}
            if not isinstance(step.get("path"), str) or not isinstance(step.get("text"), str):
                problems.append(f"step {number}: write needs path and text strings")
        if op == "delete":
            allowed |= {"path"}
            if not isinstance(step.get("path"), str):
                problems.append(f"step {number}: delete needs a path string")
        if op == "commit" and not isinstance(step.get("message"), str):
            problems.append(f"step {number}: commit needs a message")
        extra = sorted(set(step) - allowed)
        if extra:
            problems.append(f"step {number}: {op} does not take {extra}")
    return problems


def run_steps(folder: Path, steps: list[dict[str, Any]], *, author: str = "Slate"
              ) -> list[dict[str, Any]]:
    """Play scripted steps in ``folder``: Git panel ops plus ``write``/``delete`` of files.

    A commit without ``author_name`` uses ``author``. A step may say ``expect = "conflict"``
    (for a merge): any other outcome is then an error, so a solution script cannot drift.

    Returns:
        Each step's result, in order.

    Raises:
        GitOpError: naming the step that failed.
    """
    problems = validate_steps(steps)
    if problems:
        raise GitOpError("; ".join(problems))
    repo = ExerciseRepo(folder)
    results = []
    for number, step in enumerate(steps, 1):
        op = step["op"]
        args = {k: v for k, v in step.items() if k not in ("op", "expect")}
        try:
            if op == "write":
                rel = _check_path(args["path"])
                target = Path(repo.folder) / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_symlink():
                    raise GitOpError(f"{rel} is a link")
                target.write_text(args["text"], encoding="utf-8")
                result: dict[str, Any] = {"message": f"wrote {rel}"}
            elif op == "delete":
                rel = _check_path(args["path"])
                (Path(repo.folder) / rel).unlink()
                result = {"message": f"deleted {rel}"}
            else:
                if op == "commit":
                    args.setdefault("author_name", author)
                result = repo.run(op, args)
        except (GitOpError, OSError) as exc:
            raise GitOpError(f"step {number} ({op}): {exc}") from exc
        expect = step.get("expect")
        if expect is not None and result.get("result") != expect:
            raise GitOpError(
                f"step {number} ({op}): expected {expect!r}, got {result.get('result')!r}"
            )
        results.append(result)
    return results


def _git_check(exercise: Any) -> dict[str, Any] | None:
    for check in getattr(exercise, "checks", []):
        if check.get("kind") == "git":
            return check
    return None


def setup_steps(exercise: Any) -> list[dict[str, Any]] | None:
    """The scripted steps that build an exercise's starter repository, or None.

    They live in the file named by the git check's ``setup`` field (under ``tests/``, so a
    learner never sees them).

    Raises:
        GitOpError: when the steps file is missing or malformed.
    """
    check = _git_check(exercise)
    if check is None or not check.get("setup"):
        return None
    return load_steps(Path(exercise.dir) / str(check["setup"]))


def build_starter(exercise: Any, dest: Path) -> bool:
    """Build a git exercise's starter folder in ``dest`` (a private folder of the server's).

    The starter files are copied, then the ``setup`` steps played (they usually ``init`` and
    commit). Only trusted course files and a folder nobody else can write are involved.

    Returns:
        True when there are setup steps (and ``dest`` now holds the repository); False when the
        exercise starts with no repository (the learner presses init).

    Raises:
        GitOpError: when the steps fail (a broken course: tell the course author).
    """
    steps = setup_steps(exercise)
    if steps is None:
        return False
    starter = Path(exercise.starter_dir)
    for name in [*getattr(exercise, "files", []), *getattr(exercise, "readonly", [])]:
        source = starter / name
        if source.is_file() and not source.is_symlink():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    run_steps(dest, steps)
    return True


def provision(exercise: Any, workspace: Any, rel: str, *, reset: bool = False) -> bool:
    """Give a learner a git exercise's starter repository, in the exercise folder ``rel`` of
    their :class:`jail.workspace.Workspace`.

    Call it after the starter files were copied. Exercises without ``setup`` steps start with
    no repository (the learner presses init). An existing repository is left alone unless
    ``reset``, which deletes it first. libgit2 never works on the learner's folder: the
    repository is built in a private folder (:func:`build_starter`) and installed through the
    workspace's descriptor-based API, which never follows a link (THREAT-MODEL §6, path races).

    Returns:
        True when a repository was installed.

    Raises:
        GitOpError: when the steps fail (a broken course: tell the course author).
        jail.workspace.WorkspaceError: a link or special file in the way (plain words).
    """
    import tempfile

    dotgit = f"{rel}/.git"
    if reset:
        workspace.remove_tree(dotgit)
    if setup_steps(exercise) is None or workspace.lexists(dotgit):
        return False
    with tempfile.TemporaryDirectory(prefix="slate-git-starter-") as tmp:
        build = Path(tmp) / "repo"
        build.mkdir()
        build_starter(exercise, build)
        workspace.install_tree(rel, build)
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m courses.gitops FOLDER``: one operation, JSON in on stdin, JSON out.

    Lets the server run a Git panel operation in a sandbox as the learner's uid (bind the
    exercise folder read-write, the runtime read-only) instead of in its own process. Reads
    ``{"op": ..., "args": {...}}``; prints ``{"ok": true, "result": {...}}`` or
    ``{"ok": false, "error": "plain message"}``. Exit status 0 either way; 2 on bad usage.
    """
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m courses.gitops FOLDER  < {\"op\": ..., \"args\": {...}}",
              file=sys.stderr)
        return 2
    try:
        request = json.loads(sys.stdin.read(1 << 20) or "{}")
        if not isinstance(request, dict):
            raise ValueError("not an object")
    except ValueError:
        print(json.dumps({"ok": False, "error": "The Git request was not understood."}))
        return 0
    try:
        result = ExerciseRepo(Path(args[0])).run(str(request.get("op", "")), request.get("args"))
    except GitOpError as exc:
        print(json.dumps({"ok": False, "error": str(exc)}))
        return 0
    print(json.dumps({"ok": True, "result": result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
