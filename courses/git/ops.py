"""The Git panel's operations on a learner's exercise repository, with pygit2 only.

Owns every write Slate makes to a learner's own Git repository (the exercise folder
``/workspace/git/<exercise>/`` is the repo): ``init``, ``status``, ``stage``, ``unstage``,
``commit``, ``log``, ``branches``, ``create_branch``, ``switch``, ``merge``, ``tag``,
``restore``, ``revert`` and ``diff`` (:class:`ExerciseRepo`), and the command-line entry the
server runs in a sandbox as the learner (:func:`main`). Each operation re-opens the repository
through :func:`courses.git.safety.open_repo`; operations that read or write the working tree
refuse links and special files (a FIFO would hang a read; a symlink could redirect a write);
committed symlinks are checked out as plain files. The ``git`` binary never runs; libgit2 runs
no hooks, no ``core.fsmonitor`` and no filter programs.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pygit2
from pygit2.enums import (
    CheckoutNotify,
    CheckoutStrategy,
    FileStatus,
    MergeAnalysis,
    RepositoryState,
    SortMode,
)

from courses.git.remote import REMOTE_OP_ARGS, RemoteOps
from courses.git.render import render
from courses.git.safety import (
    CONTROL_RE,
    GitOpError,
    check_folder,
    check_worktree,
    configure_libgit2,
    lstat_or_none,
    open_repo,
    reset_advice,
    show,
)
from courses.git.safety import (
    check_name as _check_name,
)
from courses.git.safety import (
    check_path as _check_path,
)
from courses.git.safety import now as _now
from courses.git.safety import (
    signature as _signature,
)

DEFAULT_BRANCH = "main"
MAX_MESSAGE = 2_000
MAX_LOG = 200
MAX_DIFF_CHARS = 200_000

_HEX_RE = re.compile(r"^[0-9a-fA-F]{4,40}$")

# --------------------------------------------------------------------------------------------
# The operations
# --------------------------------------------------------------------------------------------


def _first_line(message: str) -> str:
    return show(message.strip().splitlines()[0] if message.strip() else "", 72)


def _check_paths(paths: Any) -> list[str] | None:
    """None means "everything"."""
    if paths is None or paths in (".", "", ["."], []):
        return None
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not paths or len(paths) > 500:
        raise GitOpError("Please choose the files to use.")
    return [_check_path(p) for p in paths]


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


class _Blocked(pygit2.CheckoutCallbacks):
    """Collects the paths a checkout would refuse to overwrite (its conflicts)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def checkout_notify_flags(self) -> CheckoutNotify:
        return CheckoutNotify.CONFLICT

    def checkout_notify(self, why: CheckoutNotify, path: str, baseline: Any, target: Any,
                        workdir: Any) -> None:
        if why & CheckoutNotify.CONFLICT and path not in self.paths:
            self.paths.append(path)


class ExerciseRepo(RemoteOps):
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
                             "damaged. " + reset_advice()) from exc
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
                             + reset_advice()) from exc
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
        configure_libgit2()
        check_folder(self.folder)
        if lstat_or_none(self.folder / ".git") is not None:
            raise GitOpError("This folder is already a Git repository: nothing to do.")
        check_worktree(self.folder)
        try:
            pygit2.init_repository(
                str(self.folder), bare=False, initial_head=DEFAULT_BRANCH,
                flags=pygit2.enums.RepositoryInitFlag.NO_REINIT,
            )
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not start a repository here: {show(str(exc))}") from exc
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
                             "damaged. " + reset_advice()) from exc
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
                    st = lstat_or_none(self.folder / rel)
                    if st is None:
                        if rel in index:
                            index.remove(rel)
                        else:
                            raise GitOpError(f"There is no file called {show(rel)}.")
                    elif stat.S_ISDIR(st.st_mode):
                        index.add_all([f"{rel}/*"])
                    else:
                        index.add(rel)
                staged = chosen
            index.write()
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not stage that: {show(str(exc))}") from exc
        self._give_back()
        return {"message": "Staged: " + (", ".join(show(p) for p in staged) or "nothing new"),
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
            raise GitOpError(f"Git could not unstage that: {show(str(exc))}") from exc
        self._give_back()
        return {"message": "Unstaged: " + (", ".join(show(p) for p in done) or "nothing"),
                "unstaged": done}

    def commit(self, message: Any, author_name: Any) -> dict[str, Any]:
        """``git commit``: save the staged snapshot with a message.

        Finishes a merge in progress (the commit gets both parents) once conflicts are fixed.
        """
        if not isinstance(message, str) or not message.strip():
            raise GitOpError("A commit needs a message: say in a few words what you changed.")
        text = CONTROL_RE.sub("", message.replace("\r\n", "\n").replace("\t", " ")).strip()
        if len(text) > MAX_MESSAGE:
            raise GitOpError(f"That message is very long; keep it under {MAX_MESSAGE} letters.")
        sig = _signature(author_name)
        repo = self._open()
        conflicts = self._conflicts(repo)
        if conflicts:
            raise GitOpError(
                "These files still have conflicts: " + ", ".join(show(p) for p in conflicts)
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
            raise GitOpError(f"Git could not make the commit: {show(str(exc))}") from exc
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
                        "message": show(commit.message.strip(), MAX_MESSAGE),
                        "author": show(commit.author.name, 80),
                        "time": commit.commit_time,
                        "parents": [str(p) for p in commit.parent_ids],
                    })
                    if len(commits) >= n:
                        break
            except pygit2.GitError as exc:
                raise GitOpError("Git could not read the history; the repository may be "
                                 "damaged. " + reset_advice()) from exc
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
            raise GitOpError(f"Git could not make that branch: {show(str(exc))}") from exc
        self._give_back()
        return {"message": f"Made branch {name}. Switch to it to work there.", "branch": name}

    def switch(self, branch: Any) -> dict[str, Any]:
        """``git switch BRANCH``: move to another branch as real git does.

        Uncommitted changes (staged or not, and untracked files) come along when the two
        branches have the same version of those files; when switching would overwrite one, it
        refuses, as git does, naming the files, and nothing changes.
        """
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
        untracked = set(self._changes(repo, untracked=True)) - set(changed)
        blocked = _Blocked()
        try:  # a dry run first: which files would be overwritten (git's own rule, libgit2's)
            # checkout_tree, not checkout: pygit2's checkout moves HEAD even on a dry run
            repo.checkout_tree(target.peel(pygit2.Commit),
                               strategy=CheckoutStrategy.SAFE | CheckoutStrategy.DRY_RUN,
                               callbacks=blocked)
        except pygit2.GitError:
            pass  # the conflicts are in ``blocked``
        if blocked.paths:
            mine = [p for p in blocked.paths if p not in untracked]
            new = [p for p in blocked.paths if p in untracked]
            parts = []
            if mine:
                parts.append("your changes to " + ", ".join(show(p) for p in mine[:5])
                             + " would be overwritten")
            if new:
                parts.append(", ".join(show(p) for p in new[:5]) + " (not committed) would be "
                             "overwritten by the branch's own")
            raise GitOpError(
                f"Git will not switch to {branch}: " + "; and ".join(parts) + f". {branch} has a "
                "different version of that file. Commit your changes (or restore them) first, "
                "then switch."
            )
        try:
            repo.checkout(target, strategy=CheckoutStrategy.SAFE)
        except pygit2.GitError as exc:
            raise GitOpError(
                "Switching would overwrite a file you have not committed. Commit or delete it "
                "first, then switch."
            ) from exc
        self._give_back()
        carried = sorted(set(changed) | untracked)
        message = f"Switched to branch {branch}."
        if changed:
            message += (" Your changes that are not committed yet came along: "
                        + ", ".join(show(p) for p in changed[:5])
                        + (" and more" if len(changed) > 5 else "") + ".")
        return {"message": message, "branch": branch, "carried": carried}

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
                "Commit or discard your changes (" + ", ".join(show(p) for p in changed[:5])
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
                    + ", ".join(show(p) for p in conflicts)
                    + ". Open each file, keep the lines you want, delete the <<<<<<< ======= "
                    ">>>>>>> marker lines, save, stage and commit.",
                    "result": "conflict",
                    "conflicts": conflicts,
                }
            sig = pygit2.Signature(head.author.name, head.author.email, _now(), 0)
            tree = repo.index.write_tree()
            oid = repo.create_commit("HEAD", sig, sig, f"Merge branch '{branch}'\n", tree,
                                     [head.id, theirs.id])
            repo.state_cleanup()
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not merge: {show(str(exc))}") from exc
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
            raise GitOpError(f"Git could not give up the merge: {show(str(exc))}") from exc
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
                    head.author.name, head.author.email, _now(), 0)
                repo.create_tag(name, head.id, pygit2.enums.ObjectType.COMMIT, sig,
                                CONTROL_RE.sub("", message).strip()[:MAX_MESSAGE] + "\n")
            else:
                repo.references.create(f"refs/tags/{name}", head.id)
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not make that tag: {show(str(exc))}") from exc
        self._give_back()
        return {"message": f"Tagged {str(head.id)[:7]} as {name}.", "tag": name}

    def restore(self, path: Any) -> dict[str, Any]:
        """``git restore PATH``: throw away unstaged edits, back to the staged/committed version.
        """
        rel = _check_path(path)
        repo = self._open()
        if rel not in repo.index:
            raise GitOpError(f"{show(rel)} is a new file Git does not know yet, so there is "
                             "no earlier version to restore.")
        try:
            repo.checkout_index(paths=[rel], strategy=CheckoutStrategy.FORCE)
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not restore that file: {show(str(exc))}") from exc
        self._give_back()
        return {"message": f"Restored {show(rel)}: your unsaved-in-Git edits are gone.",
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
            raise GitOpError(f"There is no commit {show(commit, 40)}.") from exc
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
                    + ", ".join(show(p) for p in conflicts)
                    + ". Nothing was changed; try undoing the later commits first."
                )
            summary = _first_line(target.message)
            text = f'Revert "{summary}"\n\nThis reverts commit {target.id}.\n'
            sig = pygit2.Signature(head.author.name, head.author.email, _now(), 0)
            oid = repo.create_commit("HEAD", sig, sig, text, repo.index.write_tree(), [head.id])
            repo.state_cleanup()
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not undo that commit: {show(str(exc))}") from exc
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
                             "damaged. " + reset_advice()) from exc
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
            raise GitOpError(f"Unknown Git action {show(str(op), 40)!r}.")
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
                "Git could not do that; the repository may be damaged. " + reset_advice()
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
OP_ARGS.update(REMOTE_OP_ARGS)  # clone, remote, fetch, pull, push (courses.git.remote)


def _operation(op: str) -> Callable[..., dict[str, Any]]:
    def operation(folder: Path, **args: Any) -> dict[str, Any]:
        return ExerciseRepo(folder).run(op, args)

    operation.__name__ = op
    operation.__doc__ = f"``{op}`` on the exercise repository at ``folder`` (see ExerciseRepo)."
    return operation


# op -> ``func(folder, **args) -> dict``: what the server calls for the TUI's ``git`` request.
OPERATIONS: dict[str, Callable[..., dict[str, Any]]] = {op: _operation(op) for op in OP_ARGS}


def _tree_paths(tree: pygit2.Tree, prefix: str = "") -> Iterator[str]:
    for entry in tree:
        path = f"{prefix}{entry.name}"
        if entry.type_str == "tree":
            yield from _tree_paths(entry, f"{path}/")  # type: ignore[arg-type]
        else:
            yield path


def _empty_tree(repo: pygit2.Repository) -> pygit2.Oid:
    return repo.TreeBuilder().write()



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
