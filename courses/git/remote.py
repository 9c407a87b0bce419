"""Working with a team's server: ``clone``, ``remote``, ``fetch``, ``pull`` and ``push``.

Owns the remote operations of the Git panel and the teaching console (issue 14, Git with
others). The "team's server" is a bare repository inside the exercise folder (``team.git``);
the learner's repository is the exercise folder itself, or a clone in a sub-folder of it.

Invariants kept here:
- A remote's address is only ever a relative path to a bare repository inside the exercise
  folder: no ``scheme://``, no ``host:path``, no ``ext::``, no absolute path, no ``~``, no
  ``..`` that leaves the folder, no ``.git`` part, nothing starting with ``-``
  (:func:`check_url`). The address is checked again every time it is used, because a
  repository's settings are the learner's files.
- The server repository passes the same structural checks as the learner's own ``.git``
  (:func:`check_server`: a plain folder, no links or special files, no ``alternates``,
  ``commondir``, ``gitdir``, config ``include``/``worktree``, bounded size) before libgit2
  opens it, and it must be bare.
- Only libgit2 works here (pygit2's local transport): no ``git`` binary, no ``upload-pack`` or
  ``receive-pack`` program, no hooks (on either side), nothing from either repository's
  settings is ever executed. Objects travel in packs, never as hard links.
"""

from __future__ import annotations

import itertools
import os
import posixpath
import re
import shutil
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pygit2
from pygit2.enums import CheckoutStrategy, MergeAnalysis, RepositoryOpenFlag, RepositoryState

from courses.git.safety import (
    CONTROL_RE,
    MAX_CONFIG_BYTES,
    MAX_GIT_BYTES,
    MAX_GIT_ENTRIES,
    GitOpError,
    check_name,
    check_path,
    configure_libgit2,
    lstat_or_none,
    show,
    signature,
)
from courses.git.safety import now as _now

DEFAULT_REMOTE = "origin"
MAX_URL = 200
MAX_COUNT = 10_000  # commits counted for the clone's message
_REMOTE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def check_url(url: Any) -> str:
    """A remote address a learner may use: a relative path, nothing else (returned normalised).

    Raises:
        GitOpError: naming what is wrong, in plain words.
    """
    if not isinstance(url, str) or not url.strip():
        raise GitOpError("Say where the team's server is, for example: team.git")
    if len(url) > MAX_URL or CONTROL_RE.search(url) or "\\" in url:
        raise GitOpError("That is not an address Slate can use.")
    if url.startswith("-"):
        raise GitOpError(f"'{show(url, 40)}' looks like an option, not an address. Give the "
                         "folder of the team's server, for example: team.git")
    if "://" in url or ":" in url:
        raise GitOpError(f"'{show(url, 60)}' is a network address. This classroom has no "
                         "network: the team's server is a folder here, for example: team.git")
    if url.startswith(("/", "~")):
        raise GitOpError(f"'{show(url, 60)}' reaches outside your exercise. Give the folder "
                         "inside it, for example: team.git")
    parts = [p for p in url.split("/") if p not in ("", ".")]
    if not parts or any(p.lower() == ".git" for p in parts):
        raise GitOpError(f"'{show(url, 60)}' is not the team's server. Give its folder, for "
                         "example: team.git")
    return "/".join(parts)


def _inside(root: Path, base: Path, url: str) -> tuple[Path, str]:
    """``url`` (relative to ``base``) as an absolute path under ``root`` and root-relative."""
    rel_base = os.path.relpath(base, root)
    joined = posixpath.normpath(posixpath.join("" if rel_base == "." else rel_base, url))
    if joined in (".", "") or joined == ".." or joined.startswith("../"):
        raise GitOpError(f"'{show(url, 60)}' leads outside your exercise folder. The team's "
                         "server is a folder inside it, for example: team.git")
    path = root
    for part in joined.split("/"):
        path = path / part
        st = lstat_or_none(path)
        if st is None:
            raise GitOpError(f"There is no folder called {show(joined, 60)} here. Check the "
                             "name (ls shows what is in your folder).")
        if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
            raise GitOpError(f"{show(joined, 60)} is not a plain folder, so Slate will not use "
                             "it as a server.")
    return path, joined


def check_server(path: Path) -> None:
    """Refuse a server repository that could make libgit2 look outside it (see module notes).

    Raises:
        GitOpError: naming the problem.
    """
    entries = total = 0
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        for name in dirnames + filenames:
            entries += 1
            if entries > MAX_GIT_ENTRIES:
                raise GitOpError("The team's server is far too big for an exercise.")
            full = Path(dirpath) / name
            st = lstat_or_none(full)
            if st is None:
                continue
            rel = full.relative_to(path).as_posix()
            if stat.S_ISLNK(st.st_mode) or not (stat.S_ISDIR(st.st_mode)
                                                or stat.S_ISREG(st.st_mode)):
                raise GitOpError(f"The team's server holds a link or special file "
                                 f"({show(rel)}), so Slate will not use it.")
            if rel in ("commondir", "gitdir", "objects/info/alternates",
                       "objects/info/http-alternates"):
                raise GitOpError(f"The team's server points to another repository "
                                 f"({show(rel)}), so Slate will not use it.")
            if stat.S_ISREG(st.st_mode):
                total += st.st_size
                if total > MAX_GIT_BYTES:
                    raise GitOpError("The team's server is far too big for an exercise.")
    for name in ("HEAD", "config"):
        st = lstat_or_none(path / name)
        if st is None or not stat.S_ISREG(st.st_mode):
            raise GitOpError("That folder is not a Git server (a bare repository).")
    config = path / "config"
    if os.lstat(config).st_size > MAX_CONFIG_BYTES:
        raise GitOpError("The team's server's settings file is too big.")
    text = config.read_bytes().decode("utf-8", "replace").lower()
    for word in ("include", "worktree"):
        if word in text:
            raise GitOpError(f"The team's server's settings use '{word}', which Slate does "
                             "not allow.")


def open_server(path: Path) -> pygit2.Repository:
    """Open the bare repository at ``path`` after :func:`check_server`."""
    configure_libgit2()
    check_server(path)
    try:
        repo = pygit2.Repository(str(path), RepositoryOpenFlag.NO_SEARCH | RepositoryOpenFlag.BARE)
    except pygit2.GitError as exc:
        raise GitOpError("Git could not open the team's server; it may be damaged.") from exc
    if not repo.is_bare:
        raise GitOpError("That folder is not a Git server (a bare repository).")
    return repo


def _server_branch(server: pygit2.Repository) -> str:
    try:
        target = server.lookup_reference("HEAD").target
    except (pygit2.GitError, KeyError):
        return "main"
    if isinstance(target, str) and target.startswith("refs/heads/"):

        try:
            return check_name(target[len("refs/heads/"):], "branch")
        except GitOpError:
            return "main"  # a HEAD the learner crafted: the usual branch instead
    return "main"


_CONFIG_WORDS = ("include", "worktree")


def _fits_config(*texts: str) -> bool:
    """Whether these names may go into a repository's settings: safety.check_layout refuses a
    config that mentions include or worktree anywhere (conservative on purpose), so writing
    one there would lock the learner out of their repository until a reset."""
    return not any(word in text.lower() for text in texts for word in _CONFIG_WORDS)


def _remote_name(name: Any) -> str:
    name = DEFAULT_REMOTE if name in (None, "") else name
    if not isinstance(name, str) or not _REMOTE_NAME_RE.match(name):
        raise GitOpError(f"'{show(str(name), 40)}' cannot be a remote's name. Use a short name "
                         "like origin.")
    return name


class RemoteOps:
    """The remote operations of :class:`courses.git.ops.ExerciseRepo` (a mixin: it uses the
    repository helpers ``_open``, ``_current_branch``, ``_changes``, ``_conflicts``,
    ``_label_conflicts``, ``_give_back`` and ``folder``)."""

    folder: Path
    remote_root: Path | None = None
    """The exercise folder, when this repository is a clone in a sub-folder of it (authoring
    steps with ``repo = ...``); remote addresses must stay inside it. Default: ``folder``."""

    # -- helpers ---------------------------------------------------------------------------

    if TYPE_CHECKING:  # provided by courses.git.ops.ExerciseRepo

        def _open(self, *, worktree: bool = True) -> pygit2.Repository: ...
        def _current_branch(self, repo: pygit2.Repository) -> str | None: ...
        def _changes(self, repo: pygit2.Repository, *, untracked: bool) -> list[str]: ...
        def _conflicts(self, repo: pygit2.Repository) -> list[str]: ...
        def _label_conflicts(self, paths: list[str], oid: pygit2.Oid, label: str) -> None: ...
        def _give_back(self) -> None: ...

    def _root(self) -> Path:
        return Path(os.path.abspath(self.remote_root or self.folder)).resolve()

    def _url_of(self, repo: pygit2.Repository, name: str) -> str:
        remote = repo.remotes[name] if name in repo.remotes.names() else None
        if remote is None:
            raise GitOpError(f"This repository has no remote called {show(name, 40)}. "
                             "git remote -v lists the ones it has.")
        return remote.url or ""

    def _server_of(self, repo: pygit2.Repository, name: str) -> tuple[pygit2.Repository, str]:
        """The remote's server repository (its address checked again) and its shown path."""
        url = check_url(self._url_of(repo, name))
        base = Path(repo.workdir).resolve()
        path, shown = _inside(self._root(), base, url)
        return open_server(path), shown

    def _fetch(self, repo: pygit2.Repository, name: str) -> tuple[list[str], pygit2.Repository]:
        """Fetch every branch of the remote into ``refs/remotes/NAME/*``; lines describing it."""
        server, _ = self._server_of(repo, name)
        before = {ref: repo.references[ref].target for ref in repo.references
                  if ref.startswith(f"refs/remotes/{name}/")}
        try:
            anon = repo.remotes.create_anonymous(server.path.rstrip("/"))
            anon.fetch(refspecs=[f"+refs/heads/*:refs/remotes/{name}/*"])
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not fetch from {show(name, 40)}: "
                             f"{show(str(exc), 120)}") from exc
        lines = []
        for ref in sorted(repo.references):
            if not ref.startswith(f"refs/remotes/{name}/"):
                continue
            now = repo.references[ref].target
            short = ref[len("refs/remotes/"):]
            if ref not in before:
                lines.append(f" * [new branch]  {short}")
            elif before[ref] != now:
                lines.append(f"   {str(before[ref])[:7]}..{str(now)[:7]}  {short}")
        return lines, server

    # -- operations --------------------------------------------------------------------------

    def clone(self, source: Any, dest: Any = None) -> dict[str, Any]:
        """``git clone SOURCE [DEST]``: copy the team's server into a new folder here."""

        configure_libgit2()
        url = check_url(source)
        root = self._root()
        base = self.folder.resolve()
        src, shown = _inside(root, base, url)
        server = open_server(src)
        if dest in (None, ""):
            dest = shown.rsplit("/", 1)[-1]
            dest = dest[:-4] if dest.endswith(".git") and len(dest) > 4 else dest + "-copy"
        rel = check_path(dest)
        if any(p.lower() == ".git" for p in rel.split("/")) or rel in (".", ""):
            raise GitOpError(f"{show(rel)} cannot be the new folder. Choose a name like shop.")
        target = base / rel
        parent = base
        for part in rel.split("/")[:-1]:
            parent = parent / part
            st = lstat_or_none(parent)
            if st is None or stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
                raise GitOpError(f"{show(rel)} must be a new folder inside your exercise.")
        st = lstat_or_none(target)
        if st is not None and not (stat.S_ISDIR(st.st_mode) and not os.listdir(target)):
            raise GitOpError(f"There is already something called {show(rel)} here. Choose "
                             "another name for the copy.")
        if src == target or src in target.parents:
            raise GitOpError("Put the copy beside the server, not inside it.")
        if not _fits_config(os.path.relpath(src, target)):
            raise GitOpError(f"Slate cannot remember a server called {show(shown, 60)}: its "
                             "name has a word Git's settings do not allow here (include or "
                             "worktree). Ask your instructor to rename it.")
        branch = _server_branch(server)
        made = st is None
        try:
            repo = pygit2.init_repository(str(target), bare=False, initial_head=branch)
            repo.config["core.symlinks"] = False
            repo.remotes.create(DEFAULT_REMOTE, os.path.relpath(src, target))
            lines, _ = self._fetch(repo, DEFAULT_REMOTE)
            tracking = repo.references.get(f"refs/remotes/{DEFAULT_REMOTE}/{branch}")
            count = 0
            if tracking is not None:
                commit = tracking.peel(pygit2.Commit)
                local = repo.branches.local.create(branch, commit)
                if _fits_config(branch):
                    local.upstream = repo.branches.remote[f"{DEFAULT_REMOTE}/{branch}"]
                repo.checkout_tree(commit, strategy=CheckoutStrategy.FORCE)
                repo.set_head(f"refs/heads/{branch}")
                count = sum(1 for _ in itertools.islice(repo.walk(commit.id), MAX_COUNT))
        except (pygit2.GitError, GitOpError) as exc:
            # Leave nothing half-made behind (the folder is new: nobody else's work is in it).
            if made:
                shutil.rmtree(target, ignore_errors=True)
            else:
                shutil.rmtree(target / ".git", ignore_errors=True)
            if isinstance(exc, GitOpError):
                raise
            raise GitOpError(f"Git could not clone: {show(str(exc), 120)}") from exc
        self._give_back()
        if count:
            said = (f"Cloning into '{show(rel)}'... done.\n{count} commit(s), on branch "
                    f"{branch}. The copy remembers the server as '{DEFAULT_REMOTE}'.")
        else:
            said = (f"Cloning into '{show(rel)}'... done.\nThe server has no commits yet "
                    "(an empty repository).")
        return {"message": said, "folder": rel, "branch": branch, "commits": count}

    def remote(self, name: Any = None, url: Any = None) -> dict[str, Any]:
        """``git remote -v`` (no arguments) or ``git remote add NAME URL``."""
        repo = self._open(worktree=False)
        if name is None and url is None:
            lines = []
            for remote_name in repo.remotes.names():
                if remote_name is None:
                    continue
                shown = show(repo.remotes[remote_name].url or "", 80)
                lines += [f"{show(remote_name, 40)}\t{shown} (fetch)",
                          f"{show(remote_name, 40)}\t{shown} (push)"]
            message = "\n".join(lines) if lines else (
                "This repository has no remotes yet. Add one with: git remote add origin team.git")
            return {"message": message, "remotes": list(repo.remotes.names())}
        name = _remote_name(name)
        url = check_url(url)
        _inside(self._root(), Path(repo.workdir).resolve(), url)
        if name in repo.remotes.names():
            raise GitOpError(f"There is already a remote called {name}.")
        if not _fits_config(name, url):
            raise GitOpError("Slate cannot keep that name in the repository's settings (the "
                             "words include and worktree are not allowed there). Choose "
                             "another name.")
        try:
            repo.remotes.create(name, url)
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not add that remote: {show(str(exc), 120)}") from exc
        self._give_back()
        return {"message": f"Added the remote {name}: {show(url)}", "remotes": [name]}

    def fetch(self, remote: Any = None) -> dict[str, Any]:
        """``git fetch [REMOTE]``: bring the server's new commits in, without merging them."""
        name = _remote_name(remote)
        repo = self._open(worktree=False)
        lines, _ = self._fetch(repo, name)
        self._give_back()
        head = f"From {show(name, 40)}\n" + "\n".join(lines) if lines else (
            f"Nothing new on {show(name, 40)}.")
        return {"message": head, "updated": lines}

    def pull(self, remote: Any = None, branch: Any = None,
             author_name: Any = None) -> dict[str, Any]:
        """``git pull [REMOTE [BRANCH]]``: fetch, then merge the server's branch into yours."""

        name = _remote_name(remote)
        repo = self._open()
        if repo.state() != RepositoryState.NONE:
            raise GitOpError("A merge is already in progress: fix the conflicts, stage, then "
                             "commit.")
        current = self._current_branch(repo)
        if current is None:
            raise GitOpError("Switch to a branch before you pull.")
        want = check_name(branch, "branch") if branch else current
        changed = self._changes(repo, untracked=False)
        if changed:
            raise GitOpError("Commit your changes (" + ", ".join(show(p) for p in changed[:5])
                             + ") before you pull, so nothing is lost.")
        lines, _ = self._fetch(repo, name)
        fetched = "\n".join([f"From {show(name, 40)}", *lines]) + "\n" if lines else ""
        ref = repo.references.get(f"refs/remotes/{name}/{want}")
        if ref is None:
            raise GitOpError(f"The server has no branch called {show(want, 40)}.")
        label = f"{name}/{want}"
        try:
            theirs = ref.peel(pygit2.Commit)
            if repo.head_is_unborn:
                repo.checkout_tree(theirs, strategy=CheckoutStrategy.SAFE)
                repo.references.create(f"refs/heads/{current}", theirs.id, force=True)
                self._give_back()
                return {"message": fetched + f"Took {label} as your first commit.",
                        "result": "fast-forward", "conflicts": []}
            head = repo.head.peel(pygit2.Commit)
            analysis, _ = repo.merge_analysis(theirs.id)
            if analysis & MergeAnalysis.UP_TO_DATE:
                return {"message": fetched + "Already up to date: you have everything the "
                        "server has.", "result": "up-to-date", "conflicts": []}
            if analysis & MergeAnalysis.FASTFORWARD:
                repo.checkout_tree(theirs, strategy=CheckoutStrategy.SAFE)
                repo.lookup_reference(f"refs/heads/{current}").set_target(
                    theirs.id, f"pull {label}: fast-forward")
                self._give_back()
                return {"message": fetched + f"Fast-forward: {current} now has the team's new "
                        "commits.", "result": "fast-forward", "conflicts": []}
            repo.merge(theirs.id)
            conflicts = self._conflicts(repo)
            if conflicts:
                self._label_conflicts(conflicts, theirs.id, label)
                self._give_back()
                return {
                    "message": fetched + "Conflict! You and the team changed the same lines in "
                    + ", ".join(show(p) for p in conflicts)
                    + ". Open each file, keep the lines you want, delete the <<<<<<< ======= "
                    ">>>>>>> marker lines, save, stage and commit.",
                    "result": "conflict", "conflicts": conflicts,
                }
            if isinstance(author_name, str) and author_name.strip():

                sig = signature(author_name)
            else:
                sig = pygit2.Signature(head.author.name, head.author.email, _now(), 0)
            tree = repo.index.write_tree()
            oid = repo.create_commit("HEAD", sig, sig, f"Merge {label} into {current}\n", tree,
                                     [head.id, theirs.id])
            repo.state_cleanup()
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not merge the team's changes: "
                             f"{show(str(exc), 120)}") from exc
        self._give_back()
        return {"message": fetched + f"Merged {label} into {current} with a merge commit.",
                "result": "merge-commit", "id": str(oid), "conflicts": []}

    def push(self, remote: Any = None, branch: Any = None) -> dict[str, Any]:
        """``git push [REMOTE [BRANCH]]``: send your branch's commits to the team's server."""

        name = _remote_name(remote)
        repo = self._open(worktree=False)
        if repo.state() != RepositoryState.NONE:
            raise GitOpError("Finish the merge first (fix, stage, commit), then push.")
        current = self._current_branch(repo)
        want = check_name(branch, "branch") if branch else current
        if want is None:
            raise GitOpError("Switch to a branch before you push.")
        local = repo.branches.local.get(want)
        if local is None:
            raise GitOpError(f"There is no branch called {show(want, 40)} to push. Make a "
                             "commit first.")
        server, shown = self._server_of(repo, name)
        mine = local.peel(pygit2.Commit).id
        theirs_ref = server.references.get(f"refs/heads/{want}")
        theirs = theirs_ref.target if theirs_ref is not None else None
        if theirs == mine:
            return {"message": "Everything up to date: the server already has your commits.",
                    "result": "up-to-date"}
        if theirs is not None and not (
            theirs in repo and repo.descendant_of(mine, theirs)
        ):
            raise GitOpError(
                f"Rejected: the team's server has commits on {want} that you do not have yet. "
                "Pull them first (git pull), fix any conflict, then push again.")
        try:
            anon = repo.remotes.create_anonymous(server.path.rstrip("/"))
            anon.push([f"refs/heads/{want}:refs/heads/{want}"])
            repo.references.create(f"refs/remotes/{name}/{want}", mine, force=True)
            if _fits_config(want):  # else: pushed, but not remembered as its upstream
                local.upstream = repo.branches.remote[f"{name}/{want}"]
        except pygit2.GitError as exc:
            raise GitOpError(f"Git could not push: {show(str(exc), 120)}") from exc
        self._give_back()
        before = "*  [new branch]" if theirs is None else f"   {str(theirs)[:7]}..{str(mine)[:7]}"
        return {"message": f"To {show(shown, 60)}\n{before}  {want} -> {want}",
                "result": "pushed"}


# op -> the argument names it accepts (merged into courses.git.ops.OP_ARGS)
REMOTE_OP_ARGS: dict[str, tuple[str, ...]] = {
    "clone": ("source", "dest"),
    "remote": ("name", "url"),
    "fetch": ("remote",),
    "pull": ("remote", "branch", "author_name"),
    "push": ("remote", "branch"),
}
