"""Check kind ``git``: declarative assertions over the state of a learner's Git repository.

Owns the ``[[checks.assert]]`` vocabulary for Git exercises (``min_commits``,
``message_matches``, ``branch_exists``, ``head_branch``, ``merged``, ``tag_exists``, ``clean``,
``file_in_head``, ``no_conflict_markers``) and the beginner-facing messages for each.

Invariants kept here:
- The learner's folder itself is never opened here: the server copies the exercise folder and
  its ``.git`` through the workspace's descriptor-based API (``Workspace.copy_files_to(...,
  include_git=True)``: no link, FIFO, device or hardlink is followed or copied) into a private
  folder, and ``ctx.learner_dir`` names that copy, which no learner process can change. So a
  link planted or swapped in by a Run cannot point the check anywhere (invariant 8).
- That copy is parsed only inside a sandbox (invariant 9: libgit2 never reads a learner's
  objects in the root server): ``python -I -m courses.kinds.git /repo`` in a fresh bubblewrap
  sandbox under the check's uid, with only the Python runtime, this evaluator's own modules
  (never the catalog) and the copy bound, limits on memory, CPU and time, the assertions on
  stdin and the outcomes as JSON on stdout. There it is only *read*, with pygit2, after the
  same safety checks the Git panel uses (``courses.gitops.open_repo``): a hostile ``.git``
  (``gitdir:`` file, links, alternates, config includes, corrupt objects, zlib bombs) fails the
  check with a plain message. No ``git`` binary, no hooks.
- Reads are bounded (history walks, blob sizes, files scanned), so no repository can stall the
  server.
- Without a learner folder (``slate course check`` on ``starter/`` or ``solution/``), the repo
  is built in a private temp folder exactly as provisioning would (starter files + the setup
  steps), then the solution's scripted steps (``git-solution.toml``) are played when they are
  among the files checked.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygit2
from pygit2.enums import FileStatus, SortMode

from courses import gitops
from courses.model import CheckContext, Exercise, TestOutcome

KIND = "git"

SOLUTION_STEPS = "git-solution.toml"
MAX_WALK = 10_000
MAX_BLOB = 1 << 20
MAX_SCAN_FILES = 200

# assertion key -> the qualifiers it accepts
ASSERTIONS: dict[str, tuple[str, ...]] = {
    "min_commits": ("branch",),
    "message_matches": ("commit", "branch", "case_sensitive"),
    "branch_exists": (),
    "head_branch": (),
    "merged": ("merge_commit",),
    "tag_exists": (),
    "clean": (),
    "file_in_head": ("contains", "not_contains", "branch", "matches"),
    "no_conflict_markers": (),
    # Git with others (issue 14): the team's server is a bare repository in the exercise.
    "remote_url": ("remote",),
    "pushed": ("server",),
    "pulled": ("server",),
    "changed_only": ("branch",),
}
# Every assertion may name the repository it looks at: ``repo = "shop"`` (a clone in a
# sub-folder) or ``repo = "team.git"`` (the team's server, bare); default: the exercise folder.
COMMON = ("name", "message", "repo")
CHECK_FIELDS = ("kind", "name", "setup", "assert")
_MARKER_RE = re.compile(rb"^(<{7}|={7}|>{7})(\s|$)", re.MULTILINE)


def _assertion_key(table: dict[str, Any]) -> str | None:
    keys = [k for k in table if k in ASSERTIONS]
    return keys[0] if len(keys) == 1 else None


def validate(check: dict[str, Any], exercise: Exercise) -> list[str]:
    """Problems in a ``git`` check table (empty when it is fine)."""
    problems = []
    for key in sorted(set(check) - set(CHECK_FIELDS)):
        problems.append(f"unknown field {key!r} (allowed: {', '.join(CHECK_FIELDS)})")
    setup = check.get("setup")
    if setup is not None:
        if not isinstance(setup, str) or not setup.startswith("tests/"):
            problems.append("setup must name a steps file under tests/")
        else:
            try:
                gitops.load_steps(exercise.dir / setup)
            except gitops.GitOpError as exc:
                problems.append(f"setup: {exc}")
    solution_steps = exercise.solution_dir / SOLUTION_STEPS
    if solution_steps.exists():
        try:
            gitops.load_steps(solution_steps)
        except gitops.GitOpError as exc:
            problems.append(f"solution steps: {exc}")
    asserts = check.get("assert")
    if not isinstance(asserts, list) or not asserts:
        problems.append("needs one or more [[checks.assert]] tables")
        return problems
    for number, table in enumerate(asserts, 1):
        where = f"assert {number}"
        if not isinstance(table, dict):
            problems.append(f"{where}: must be a table")
            continue
        present = [k for k in table if k in ASSERTIONS]
        if len(present) != 1:
            problems.append(
                f"{where}: needs exactly one of {', '.join(ASSERTIONS)} (found {present or 'none'})"
            )
            continue
        key = present[0]
        allowed = {key, *ASSERTIONS[key], *COMMON}
        for extra in sorted(set(table) - allowed):
            problems.append(f"{where}: {key} does not take {extra!r}")
        value = table[key]
        for field in COMMON:
            if field in table and not (isinstance(table[field], str) and table[field].strip()):
                problems.append(f"{where}: {field} must be non-empty text")
        if key == "min_commits":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.append(f"{where}: min_commits must be a whole number >= 1")
        elif key in ("clean", "no_conflict_markers"):
            if value is not True:
                problems.append(f"{where}: write {key} = true")
        elif key == "changed_only":
            if not (isinstance(value, list) and value
                    and all(isinstance(v, str) and v for v in value)):
                problems.append(f"{where}: changed_only must be a list of file names")
        elif not isinstance(value, str) or not value:
            problems.append(f"{where}: {key} must be non-empty text")
        elif key == "message_matches":
            try:
                re.compile(value)
            except re.error as exc:
                problems.append(f"{where}: message_matches is not a valid pattern: {exc}")
            if table.get("commit", "latest") not in ("latest", "any", "all"):
                problems.append(f"{where}: commit must be \"latest\", \"any\" or \"all\"")
        if "branch" in table and not (isinstance(table["branch"], str) and table["branch"]):
            problems.append(f"{where}: branch must be a branch name")
        for qual in ("repo", "server"):
            where_to = table.get(qual)
            if where_to is not None and (not isinstance(where_to, str) or where_to.startswith(
                    "/") or ".." in where_to.split("/")):
                problems.append(f"{where}: {qual} must be a folder inside the exercise")
        if "matches" in table:
            try:
                re.compile(str(table["matches"]))
            except re.error as exc:
                problems.append(f"{where}: matches is not a valid pattern: {exc}")
        for qual in ("contains", "not_contains", "remote"):
            if qual in table and not (isinstance(table[qual], str) and table[qual]):
                problems.append(f"{where}: {qual} must be non-empty text")
        for flag in ("merge_commit", "case_sensitive"):
            if flag in table and not isinstance(table[flag], bool):
                problems.append(f"{where}: {flag} must be true or false")
    return problems


# ---- evaluation ---------------------------------------------------------------------------


class _Repo:
    """What the assertions need from one opened repository, computed lazily and bounded."""

    def __init__(self, repo: pygit2.Repository, folder: Path, root: Path | None = None) -> None:
        self.repo = repo
        self.folder = folder
        self.root = root if root is not None else folder  # the exercise folder
        self._history: dict[str | None, list[pygit2.Commit]] = {}

    def head(self, branch: str | None = None) -> pygit2.Commit | None:
        """The tip of ``branch`` (None: HEAD); None when there is no commit there."""
        if branch is not None:
            ref = self.repo.branches.local.get(branch)
            return None if ref is None else ref.peel(pygit2.Commit)
        if self.repo.head_is_unborn:
            return None
        return self.repo.head.peel(pygit2.Commit)

    def history(self, branch: str | None = None) -> list[pygit2.Commit]:
        """Commits reachable from ``branch`` (None: HEAD), newest first, at most MAX_WALK."""
        if branch not in self._history:
            head = self.head(branch)
            commits: list[pygit2.Commit] = []
            if head is not None:
                for commit in self.repo.walk(head.id, SortMode.TOPOLOGICAL | SortMode.TIME):
                    commits.append(commit)
                    if len(commits) >= MAX_WALK:
                        break
            self._history[branch] = commits
        return self._history[branch]

    def branch(self) -> str | None:
        if self.repo.head_is_detached:
            return None
        target = self.repo.lookup_reference("HEAD").target
        if isinstance(target, str) and target.startswith("refs/heads/"):
            return target[len("refs/heads/"):]
        return None

    def missing_branch(self, t: dict[str, Any]) -> str:
        """A message when the assertion names a branch that does not exist, else ""."""
        name = t.get("branch")
        if name is None or name in self.repo.branches.local:
            return ""
        return (f"There is no branch called {name} yet. Make it with New branch "
                f"(git branch {name}); names must match exactly.")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary(commit: pygit2.Commit) -> str:
    lines = commit.message.strip().splitlines()
    return gitops.show(lines[0] if lines else "", 60)


def _on(t: dict[str, Any]) -> str:
    return f" on {t['branch']}" if t.get("branch") else ""


def _min_commits(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    if r.missing_branch(t):
        return False, r.missing_branch(t)
    want = t["min_commits"]
    have = len(r.history(t.get("branch")))
    if have >= want:
        return True, ""
    if have == 0:
        return False, ("There are no commits yet. Stage your file (git add), write a message "
                       "and commit (git commit).")
    return False, (f"Your repository has {_plural(have, 'commit')}{_on(t)}; this exercise "
                   f"needs at least {want}. Make another change, stage it and commit it.")


def _message_matches(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    if r.missing_branch(t):
        return False, r.missing_branch(t)
    flags = 0 if t.get("case_sensitive") else re.IGNORECASE
    pattern = re.compile(t["message_matches"], flags)
    history = r.history(t.get("branch"))
    if not history:
        return False, "There are no commits yet, so there is no message to check."
    which = t.get("commit", "latest")
    if which == "any":
        if any(pattern.search(c.message[: gitops.MAX_MESSAGE]) for c in history):
            return True, ""
        return False, f"None of your commit messages{_on(t)} says what this step asks for yet."
    if which == "all":
        for commit in history:
            if not pattern.search(commit.message[: gitops.MAX_MESSAGE]):
                return False, (f"The message \"{_summary(commit)}\" (commit "
                               f"{str(commit.id)[:7]}) does not follow the rule in the task. "
                               "Make your next commits follow it.")
        return True, ""
    latest = history[0]
    if pattern.search(latest.message[: gitops.MAX_MESSAGE]):
        return True, ""
    return False, (f"Your latest commit message{_on(t)} is \"{_summary(latest)}\". Read the "
                   "task again for what the message should say, then make a commit with that "
                   "message.")


def _branch_exists(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    name = t["branch_exists"]
    if name in r.repo.branches.local:
        return True, ""
    others = sorted(b for b in r.repo.branches.local if b != name)
    hint = f" You have: {', '.join(gitops.show(b, 30) for b in others[:8])}." if others else ""
    return False, (f"There is no branch called {name} yet. Type {name} in the Git panel's "
                   f"box and press New branch (git branch {name}); names must match "
                   f"exactly.{hint}")


def _head_branch(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    name = t["head_branch"]
    current = r.branch()
    if current == name:
        return True, ""
    where = f"on {gitops.show(current, 30)}" if current else "not on any branch"
    return False, (f"You are {where}. Type {name} in the Git panel's box and press Switch "
                   f"(git switch {name}).")


def _merged(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    name = t["merged"]
    branch = r.repo.branches.local.get(name)
    if branch is None:
        return False, f"There is no branch called {name} to merge."
    tip = branch.peel(pygit2.Commit).id
    head = r.head()
    if head is None:
        return False, "There are no commits yet."
    if tip != head.id and not r.repo.descendant_of(head.id, tip):
        current = r.branch() or "this branch"
        return False, (f"The commits of {name} are not in {gitops.show(current, 30)} yet. "
                       f"Switch to {gitops.show(current, 30)} and merge {name} (git merge "
                       f"{name}).")
    if t.get("merge_commit"):
        merges = [c for c in r.history() if len(c.parent_ids) > 1 and tip in c.parent_ids]
        if not merges:
            return False, (f"{name} is included, but there is no merge commit for it. Make "
                           "sure both branches have their own new commits before you merge.")
    return True, ""


def _tag_exists(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    name = t["tag_exists"]
    if f"refs/tags/{name}" in r.repo.references:
        return True, ""
    return False, (f"There is no tag called {name} yet. Type {name} in the Git panel's box "
                   f"and press Tag (git tag {name}).")


def _clean(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    changed = sorted(
        path for path, flags in r.repo.status().items() if not flags & FileStatus.IGNORED
    )
    if not changed:
        return True, ""
    shown = ", ".join(gitops.show(p, 40) for p in changed[:5])
    return False, (f"Some changes are not committed yet: {shown}. Stage them and commit, "
                   "so Git has saved everything.")


def _file_in_head(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    if r.missing_branch(t):
        return False, r.missing_branch(t)
    path = t["file_in_head"]
    head = r.head(t.get("branch"))
    if head is None:
        return False, f"There are no commits yet, so {path} is not saved in Git."
    where = f"the latest commit on {t['branch']}" if t.get("branch") else "your latest commit"
    try:
        entry = head.tree[path]
    except KeyError:
        return False, (f"{where[0].upper()}{where[1:]} does not contain {path}. Stage it "
                       "(git add) and commit again.")
    # The header first: a huge (or zlib-bomb) object is refused before it is inflated.
    kind, size = r.repo.odb.read_header(entry.id)
    if kind != pygit2.enums.ObjectType.BLOB:
        return False, f"{path} in {where} is a folder, not a file."
    if size > MAX_BLOB:
        return False, f"{path} in {where} is far too big."
    blob = r.repo.get(entry.id)
    if not isinstance(blob, pygit2.Blob):
        return False, f"{path} in {where} is a folder, not a file."
    text = blob.data.decode("utf-8", "replace")
    if "contains" in t and t["contains"].lower() not in text.lower():
        return False, (f"{path} in {where} does not contain \"{t['contains']}\" yet. Edit "
                       "the file, save, stage and commit it.")
    if "not_contains" in t and t["not_contains"].lower() in text.lower():
        return False, f"{path} in {where} still contains \"{t['not_contains']}\"."
    if "matches" in t and not re.search(t["matches"], text, re.IGNORECASE | re.MULTILINE):
        return False, (f"{path} in {where} does not say what the task asks for yet. Read the "
                       "task again, edit the file, save, stage and commit it.")
    return True, ""


# ---- Git with others: the team's server -------------------------------------------------------


def _sub(folder: Path, rel: str) -> Path:
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or rel.startswith("/"):
        raise gitops.GitOpError("This check names a folder outside the exercise. Please tell "
                                "your instructor.")
    return folder.joinpath(*parts) if parts else folder


def _open_any(folder: Path, rel: str) -> _Repo:
    """The repository at ``rel`` in the exercise folder: a working one, or a bare server."""
    from courses.git import remote

    path = _sub(folder, rel)
    info = os.lstat(path) if os.path.lexists(path) else None
    if info is None:
        raise gitops.GitOpError(f"There is no folder called {gitops.show(rel, 40)} yet. Make "
                                "it with git clone, as the task says.")
    if not stat.S_ISDIR(info.st_mode):
        raise gitops.GitOpError(f"{gitops.show(rel, 40)} is not a plain folder.")
    if not (path / ".git").exists() and (path / "HEAD").is_file():
        return _Repo(remote.open_server(path), path)
    if not (path / ".git").exists() and rel not in ("", "."):
        raise gitops.GitOpError(f"There is no repository in {gitops.show(rel, 40)} yet. "
                                "Make it with git clone, as the task says.")
    return _Repo(gitops.open_repo(path), path)


def _server_tip(r: _Repo, t: dict[str, Any], branch: str) -> tuple[Any, str, Any]:
    """(the tip of ``branch`` on the server or None, a message when the server is unusable,
    the server repository or None)."""
    from courses.git import remote

    server_rel = t.get("server") or "team.git"
    try:
        server = remote.open_server(_sub(r.root, server_rel))
    except gitops.GitOpError as exc:
        return None, str(exc), None
    ref = server.references.get(f"refs/heads/{branch}")
    return (ref.target if ref is not None else None), "", server


def _remote_url(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    from courses.git import remote

    name = t.get("remote") or "origin"
    want = t["remote_url"]
    if name not in r.repo.remotes.names():
        return False, (f"Your repository has no remote called {name}. git clone sets it up; "
                       f"or add it with: git remote add {name} {want}")
    url = r.repo.remotes[name].url or ""
    try:
        _, got = remote._inside(r.root.resolve(), r.folder.resolve(), remote.check_url(url))
    except gitops.GitOpError as exc:
        return False, f"The remote {name} points somewhere Slate cannot use: {exc}"
    _, expected = remote._inside(r.root.resolve(), r.root.resolve(), remote.check_url(want))
    if got != expected:
        return False, (f"The remote {name} points at {gitops.show(url, 60)}, not at the "
                       f"team's server ({want}).")
    return True, ""


def _pushed(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    branch = t["pushed"]
    local = r.repo.branches.local.get(branch)
    if local is None:
        return False, f"There is no branch called {branch} in your repository."
    mine = local.peel(pygit2.Commit).id
    tip, problem, server = _server_tip(r, t, branch)
    if problem:
        return False, problem
    if tip is None:
        return False, (f"The team's server has no {branch} branch yet. Send yours with: "
                       f"git push")
    # The server has my commit when its branch is it, or comes after it.
    if tip == mine or (mine in server and server.descendant_of(tip, mine)):
        return True, ""
    return False, (f"The team's server does not have your latest commit on {branch} yet "
                   f"(\"{_summary(local.peel(pygit2.Commit))}\"). Send it with: git push")


def _pulled(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    branch = t["pulled"]
    tip, problem, _ = _server_tip(r, t, branch)
    if problem:
        return False, problem
    if tip is None:
        return False, f"The team's server has no {branch} branch."
    head = r.head()
    if head is None:
        return False, "There are no commits in your repository yet."
    if head.id == tip or (tip in r.repo and r.repo.descendant_of(head.id, tip)):
        return True, ""
    return False, (f"Your {r.branch() or 'branch'} does not have the team's latest commit "
                   f"yet. Bring it in with: git pull")


def _changed_only(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    if r.missing_branch(t):
        return False, r.missing_branch(t)
    head = r.head(t.get("branch"))
    if head is None:
        return False, "There are no commits yet."
    allowed = set(t["changed_only"])
    if head.parents:
        diff = r.repo.diff(head.parents[0], head)
    else:
        diff = head.tree.diff_to_tree(swap=True)
    changed = sorted({d.new_file.path for d in diff.deltas} | {d.old_file.path
                                                                for d in diff.deltas})
    if not changed:
        return False, "Your latest commit changes no file at all."
    extra = [p for p in changed if p not in allowed]
    if extra:
        shown = ", ".join(gitops.show(p, 40) for p in extra[:5])
        return False, (f"Your latest commit also changes {shown}. A focused commit holds one "
                       f"change: only {', '.join(sorted(allowed))}. Restore the other files "
                       "(git restore) before you commit.")
    return True, ""


def _no_conflict_markers(r: _Repo, t: dict[str, Any]) -> tuple[bool, str]:
    conflicts = r.repo.index.conflicts
    if conflicts is not None:
        paths = sorted({e.path for trio in conflicts for e in trio if e is not None})
        if paths:
            return False, (f"Git still marks {', '.join(gitops.show(p, 40) for p in paths)} as "
                           "in conflict. Fix the file, then stage it and commit.")
    scanned = 0
    for entry in r.repo.index:
        scanned += 1
        if scanned > MAX_SCAN_FILES:
            break
        data = _read_plain(r.folder, entry.path)
        if data is None:
            continue
        match = _MARKER_RE.search(data)
        if match:
            line = data.count(b"\n", 0, match.start()) + 1
            marker = match.group(1).decode()
            return False, (f"Line {line} of {gitops.show(entry.path, 40)} still has the "
                           f"conflict marker {marker}. Delete the <<<<<<<, ======= and >>>>>>> "
                           "lines, keep the text you want, save, stage and commit.")
    return True, ""


def _read_plain(folder: Path, rel: str) -> bytes | None:
    """A working-tree file's bytes, walked with ``O_NOFOLLOW`` from ``folder``; None for a
    link (anywhere on the way), a special file or a file over MAX_BLOB."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    fds: list[int] = []
    try:
        fds.append(os.open(folder, flags | os.O_DIRECTORY))
        for part in parts[:-1]:
            fds.append(os.open(part, flags | os.O_DIRECTORY, dir_fd=fds[-1]))
        fd = os.open(parts[-1], flags | os.O_NONBLOCK, dir_fd=fds[-1])
        fds.append(fd)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BLOB:
            return None
        return os.read(fd, MAX_BLOB + 1)[:MAX_BLOB]
    except OSError:
        return None
    finally:
        for fd in fds:
            os.close(fd)


EVALUATORS: dict[str, Callable[[_Repo, dict[str, Any]], tuple[bool, str]]] = {
    "min_commits": _min_commits,
    "message_matches": _message_matches,
    "branch_exists": _branch_exists,
    "head_branch": _head_branch,
    "merged": _merged,
    "tag_exists": _tag_exists,
    "clean": _clean,
    "file_in_head": _file_in_head,
    "no_conflict_markers": _no_conflict_markers,
    "remote_url": _remote_url,
    "pushed": _pushed,
    "pulled": _pulled,
    "changed_only": _changed_only,
}


def default_name(table: dict[str, Any]) -> str:
    """The test name a learner sees when the author gave none."""
    key = _assertion_key(table) or "?"
    value = table.get(key)
    if key == "min_commits":
        count = value if isinstance(value, int) else 1
        return f"The repository has at least {_plural(count, 'commit')}"
    names = {
        "message_matches": "The commit messages follow the rule" if table.get("commit") == "all"
        else "The commit message says what changed",
        "branch_exists": f"A branch called {value} exists",
        "head_branch": f"You are on the branch {value}",
        "merged": f"The branch {value} is merged in",
        "tag_exists": f"A tag called {value} exists",
        "clean": "Every change is committed",
        "file_in_head": f"{value} is saved in the latest commit"
        + (f" on {table['branch']}" if table.get("branch") else ""),
        "no_conflict_markers": "No conflict markers are left",
        "remote_url": f"The remote {table.get('remote') or 'origin'} is the team's server",
        "pushed": f"The team's server has your commits on {value}",
        "pulled": f"Your repository has the team's latest commits on {value}",
        "changed_only": "The latest commit changes only "
        + (", ".join(value) if isinstance(value, list) else "the right files"),
    }
    return names.get(key, "Git check")


def evaluate(folder: Path, asserts: list[dict[str, Any]]) -> list[TestOutcome]:
    """Evaluate the assertions against the repository in ``folder`` (blocking; read-only)."""
    repos: dict[str, _Repo | TestOutcome] = {}

    def opened(rel: str, name: str) -> _Repo | TestOutcome:
        if rel not in repos:
            try:
                if rel == ".":
                    found = _Repo(gitops.open_repo(folder), folder)
                else:
                    found = _open_any(folder, rel)
                    found.root = folder
                found.head()
                repos[rel] = found
            except gitops.GitOpError as exc:
                repos[rel] = TestOutcome(name, "failed", str(exc))
            except (pygit2.GitError, KeyError, ValueError) as exc:
                repos[rel] = TestOutcome(
                    name, "failed", "Git could not read your repository; it may be damaged. "
                    "Ask your instructor.", output=gitops.show(str(exc), 200))
        return repos[rel]

    outcomes = []
    for table in asserts:
        key = _assertion_key(table)
        name = table.get("name") or default_name(table)
        rel = str(table.get("repo") or ".")
        repo = opened(rel, name)
        if isinstance(repo, TestOutcome):
            outcomes.append(TestOutcome(name, repo.status, repo.message, repo.output))
            continue
        if key is None:
            outcomes.append(TestOutcome(name, "error", "This check is set up wrongly. Please "
                                        "tell your instructor."))
            continue
        try:
            ok, message = EVALUATORS[key](repo, table)
        except (pygit2.GitError, KeyError, ValueError, OSError) as exc:
            outcomes.append(TestOutcome(
                name, "failed",
                "Git could not read part of your repository; it may be damaged. "
                "Ask your instructor to help.", output=gitops.show(str(exc), 200)))
            continue
        if ok:
            outcomes.append(TestOutcome(name, "passed"))
        else:
            outcomes.append(TestOutcome(name, "failed", table.get("message") or message))
    return outcomes


def build_for_check(exercise: Exercise, check: dict[str, Any], files: Path, dest: Path) -> str:
    """Build the repository ``slate course check`` judges, in ``dest``.

    Exactly what a learner would have: the starter files and the setup steps, as provisioning
    does. Then, when the files under check (a copy of ``solution/``) hold ``git-solution.toml``,
    its steps: what a learner is expected to do.

    Returns:
        "" when built, else the reason it could not be (a broken course).
    """
    for name in [*exercise.files, *exercise.readonly]:
        source = exercise.starter_dir / name
        if not source.is_file() or source.is_symlink():
            return f"starter/{name} is missing"
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    try:
        if check.get("setup"):
            gitops.run_steps(dest, gitops.load_steps(exercise.dir / str(check["setup"])))
        solution = files / SOLUTION_STEPS
        if solution.is_file():
            gitops.run_steps(dest, gitops.load_steps(solution), author="Course Author")
    except gitops.GitOpError as exc:
        return str(exc)
    return ""


async def run(check: dict[str, Any], ctx: CheckContext) -> list[TestOutcome]:
    """Evaluate the check's assertions on the learner's repository (or a built one).

    ``ctx.learner_dir`` must be the server's private copy of the learner's exercise folder
    (made through ``jail.workspace``), never the workspace folder itself.
    """
    asserts = [t for t in check.get("assert", []) if isinstance(t, dict)]
    if not asserts:
        return [TestOutcome("Git check", "error", "This check has nothing to test.")]
    if ctx.learner_dir is not None:
        return await evaluate_in_sandbox(Path(ctx.learner_dir), asserts, ctx.host_uid)
    with tempfile.TemporaryDirectory(prefix="slate-git-") as tmp:
        dest = Path(tmp) / "repo"
        dest.mkdir()
        problem = await asyncio.to_thread(build_for_check, ctx.exercise, check, ctx.work_dir,
                                          dest)
        if problem:
            return [TestOutcome("Building the exercise repository", "error",
                                f"The course's Git steps failed: {problem}")]
        return await asyncio.to_thread(evaluate, dest, asserts)


# ---- the sandboxed evaluator ----------------------------------------------------------------

# What the evaluator imports, relative to the project root; bound read-only, nothing else.
EVALUATOR_FILES = (
    *gitops.SANDBOX_FILES,
    "courses/model.py",
    "courses/kinds/__init__.py",
    "courses/kinds/git.py",
)
SANDBOX_REPO = "/repo"


def _damaged(asserts: list[dict[str, Any]], detail: str) -> list[TestOutcome]:
    message = "Git could not read your repository; it may be damaged. Ask your instructor."
    return [TestOutcome(t.get("name") or default_name(t), "failed", message,
                        output=gitops.show(detail, 200)) for t in asserts]


async def evaluate_in_sandbox(
    folder: Path, asserts: list[dict[str, Any]], host_uid: int | None
) -> list[TestOutcome]:
    """:func:`evaluate` the private copy ``folder`` in a fresh sandbox (see the module notes).

    Args:
        folder: the server's private copy of the exercise folder and its ``.git``.
        asserts: the check's assertion tables.
        host_uid: the uid the check sandboxes run under (None: the server's own, shared mode).

    Returns:
        One outcome per assertion; a sandbox that fails or answers nonsense fails every one
        with a plain message (never a pass).
    """
    from jail.profiles import SLATE_ROOT, tool_module
    from jail.run import Limits, run_async

    if host_uid is None and os.geteuid() == 0:
        from courses.checks import NOBODY_UID  # a sandbox never runs as root

        host_uid = NOBODY_UID
    with tempfile.TemporaryDirectory(prefix="slate-git-check-") as tmp:
        repo = Path(tmp) / "repo"
        # Another private copy, given to the sandbox's uid (the server's copy stays the server's).
        await asyncio.to_thread(shutil.copytree, folder, repo, symlinks=True)
        if host_uid is not None and os.geteuid() == 0:
            for dirpath, dirnames, filenames in os.walk(repo):
                for name in [*dirnames, *filenames]:
                    os.lchown(os.path.join(dirpath, name), host_uid, host_uid)
            os.lchown(repo, host_uid, host_uid)
            os.chmod(tmp, 0o711)
        # The tool profile: the venv and the evaluator's files, the copy writable at /repo.
        # -I: the working folder and PYTHON* variables never reach sys.path.
        spec = tool_module(
            "courses.kinds.git",
            [SANDBOX_REPO],
            files=[SLATE_ROOT / name for name in EVALUATOR_FILES],
            workspace=repo,
            dest=SANDBOX_REPO,
            cwd="/",
            isolated=True,
            limits=Limits(wall=20, cpu=10, memory=256 << 20, output=1 << 20),
            host_uid=host_uid,
            prefix=Path(sys.prefix),
            stdin=json.dumps(asserts).encode(),
        )
        result = await run_async(spec)
    try:
        raw = json.loads(result.stdout)
    except (ValueError, TypeError):
        raw = None
    if result.limit is not None or not isinstance(raw, list) or len(raw) != len(asserts):
        detail = f"limit={result.limit} exit={result.exit_code}"
        return _damaged(asserts, detail)
    outcomes = []
    for item in raw:
        try:
            outcomes.append(TestOutcome(
                str(item["name"]), str(item["status"]), str(item.get("message", "")),
                str(item.get("output", "")),
            ))
        except (KeyError, TypeError, ValueError):
            return _damaged(asserts, "the evaluator's answer was malformed")
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """``python -I -m courses.kinds.git FOLDER``: assertions (JSON list) on stdin, outcomes
    (JSON list of ``{name, status, message, output}``) on stdout. Run only in a sandbox."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -I -m courses.kinds.git FOLDER < [assertions]", file=sys.stderr)
        return 2
    try:
        asserts = json.loads(sys.stdin.read(1 << 20) or "[]")
    except ValueError:
        asserts = []
    asserts = [t for t in asserts if isinstance(t, dict)] if isinstance(asserts, list) else []
    outcomes = evaluate(Path(args[0]), asserts)
    print(json.dumps([o.to_dict() for o in outcomes]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
