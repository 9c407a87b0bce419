"""Safety checks for a learner's Git repository, before libgit2 opens anything.

Owns what makes a repository one Slate may open (THREAT-MODEL section 3): the exercise folder and
its ``.git`` must be plain directories; a ``gitdir:`` file, a symlink, ``commondir``, object
``alternates``, ``core.worktree`` and config ``include`` are refused; the working tree holds
no links or special files; repositories are bounded in size. Also the host-configuration
isolation of libgit2 (no system/global config; the owner check replaced by these structural
checks) and :func:`show`, which makes a learner-chosen name safe to show.

Shared by the Git panel (:mod:`courses.git.ops`) and the ``git`` check kind. Every failure is a
:class:`GitOpError` whose message is plain words for the learner.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path, PurePosixPath
from typing import Any

import pygit2
from pygit2.enums import (
    ConfigLevel,
    Option,
    RepositoryOpenFlag,
)

MAX_GIT_ENTRIES = 20_000  # files + folders inside .git
MAX_GIT_BYTES = 64 << 20  # total size of .git
MAX_TREE_ENTRIES = 2_000  # files + folders in the working tree
MAX_CONFIG_BYTES = 64 << 10

CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class GitOpError(Exception):
    """A Git panel operation could not be done; the message is for the learner."""


_configured = False


def configure_libgit2() -> None:
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


def lstat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise GitOpError(f"Slate could not look at {path.name}: {exc.strerror}.") from exc


def reset_advice() -> str:
    return "Ask your instructor to reset this exercise."


def check_folder(folder: Path) -> None:
    """Refuse an exercise folder that is not a plain directory.

    Raises:
        GitOpError: when the folder is missing, a symlink or not a directory.
    """
    st = lstat_or_none(folder)
    if st is None:
        raise GitOpError("This exercise folder does not exist yet. " + reset_advice())
    if not stat.S_ISDIR(st.st_mode):
        raise GitOpError("This exercise folder is not a plain folder. " + reset_advice())


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
    st = lstat_or_none(dotgit)
    if st is None:
        raise GitOpError(
            "This folder is not a Git repository yet. Start one with init (git init) first."
        )
    if not stat.S_ISDIR(st.st_mode):
        raise GitOpError(
            "The .git in this folder is not a plain folder (it is a link or a file that points "
            "somewhere else), so Slate will not use it. " + reset_advice()
        )
    entries = 0
    total = 0
    for dirpath, dirnames, filenames in os.walk(dotgit, followlinks=False):
        for name in dirnames + filenames:
            entries += 1
            if entries > MAX_GIT_ENTRIES:
                raise GitOpError("This repository is far too big for an exercise. "
                                 + reset_advice())
            path = Path(dirpath) / name
            est = lstat_or_none(path)
            if est is None:
                continue
            rel = path.relative_to(dotgit).as_posix()
            if stat.S_ISLNK(est.st_mode) or not (
                stat.S_ISDIR(est.st_mode) or stat.S_ISREG(est.st_mode)
            ):
                raise GitOpError(
                    f"The repository contains a link or special file (.git/{show(rel)}), so "
                    "Slate will not use it. " + reset_advice()
                )
            if rel in ("commondir", "gitdir", "objects/info/alternates"):
                raise GitOpError(
                    f"The repository points to another repository (.git/{show(rel)}), so "
                    "Slate will not use it. " + reset_advice()
                )
            if stat.S_ISREG(est.st_mode):
                total += est.st_size
                if total > MAX_GIT_BYTES:
                    raise GitOpError("This repository is far too big for an exercise. "
                                     + reset_advice())
    config = dotgit / "config"
    cst = lstat_or_none(config)
    if cst is not None:
        if cst.st_size > MAX_CONFIG_BYTES:
            raise GitOpError("The repository's settings file is too big. " + reset_advice())
        text = config.read_bytes().decode("utf-8", "replace").lower()
        # Conservative on purpose: a false alarm costs a reset, a miss could read host files.
        for word in ("include", "worktree"):
            if word in text:
                raise GitOpError(
                    f"The repository's settings use '{word}', which Slate does not allow. "
                    + reset_advice()
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
            st = lstat_or_none(path)
            if st is None:
                continue
            rel = show(path.relative_to(folder).as_posix())
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
    configure_libgit2()
    folder = Path(os.path.abspath(folder))
    dotgit = check_layout(folder)
    if worktree:
        check_worktree(folder)
    try:
        repo = pygit2.Repository(str(dotgit), RepositoryOpenFlag.NO_SEARCH)
    except pygit2.GitError as exc:
        raise GitOpError(
            "Git could not open this repository; it may be damaged. " + reset_advice()
        ) from exc
    if repo.is_bare or repo.workdir is None or (
        Path(repo.workdir).resolve() != folder.resolve()
    ):
        raise GitOpError("This repository is set up in an unusual way. " + reset_advice())
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
                         + reset_advice()) from exc


def show(text: str, limit: int = 80) -> str:
    """A learner-chosen name made safe to show (no control characters, bounded)."""
    text = CONTROL_RE.sub("?", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- names, paths and authors every git module checks the same way ----------------------------

EMAIL_DOMAIN = "classroom"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,59}$")


def check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name:
        raise GitOpError(f"Please type a {what} name.")
    ok = _NAME_RE.match(name) and pygit2.reference_is_valid_name(f"refs/heads/{name}")
    if not ok or ".." in name or name.endswith((".lock", "/", ".")):
        raise GitOpError(
            f"'{show(name, 40)}' cannot be a {what} name. Use letters, numbers and dashes, "
            "for example: add-ending"
        )
    return name


def check_path(path: Any) -> str:
    if not isinstance(path, str) or not path.strip():
        raise GitOpError("Please choose a file.")
    if "\x00" in path or len(path) > 255:
        raise GitOpError("That is not a file name Slate can use.")
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and pure.parts[0] == ".git"):
        raise GitOpError(f"{show(path)} is not a file in this exercise.")
    return pure.as_posix()


_SCRIPTED_CLOCK: ContextVar[list[int] | None] = ContextVar("slate_git_clock", default=None)

SCRIPTED_EPOCH = 1_767_225_600
"""2026-01-01 00:00 UTC: the first commit time of every course's scripted repository."""


def now() -> int:
    """The time for a new commit or tag: the real time, or, inside :func:`scripted_time`, a
    clock that starts at :data:`SCRIPTED_EPOCH` and ticks a minute per call."""
    clock = _SCRIPTED_CLOCK.get()
    if clock is None:
        return int(time.time())
    clock[0] += 60
    return clock[0]


@contextlib.contextmanager
def scripted_time() -> Iterator[None]:
    """Commits made in this context (this thread or task only) get fixed times, so every
    build of a course's starter repository gives the same commit ids: a learner's clone of
    the team's server still matches it after Reset rebuilds the server."""
    token = _SCRIPTED_CLOCK.set([SCRIPTED_EPOCH])
    try:
        yield
    finally:
        _SCRIPTED_CLOCK.reset(token)


def signature(author_name: Any) -> pygit2.Signature:
    if not isinstance(author_name, str) or not author_name.strip():
        raise GitOpError("A commit needs an author name.")
    name = CONTROL_RE.sub("", author_name).strip()[:80] or "learner"
    user = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-.") or "learner"
    return pygit2.Signature(name, f"{user}@{EMAIL_DOMAIN}", now(), 0)
