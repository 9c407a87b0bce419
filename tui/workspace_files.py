"""Reading and saving the learner's exercise files in the TUI's own workspace (``/workspace``).

A thin adapter over ``jail.workspace.Workspace``, the one safe file API of Slate: names are
checked, symlinks are never followed, FIFOs, devices and hardlinks are refused, and a save is
atomic (temp file, fsync, rename, fsync of the folder), so a crash leaves the old file or the new
one, never a torn one (ARCHITECTURE invariant 4). This module only turns its errors into
:class:`FileProblem` for the screens and picks the workspace folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from jail.workspace import Workspace, WorkspaceError

DEFAULT_ROOT = "/workspace"


class FileProblem(Exception):
    """A file could not be read or saved; the message is plain words for the learner."""


def workspace_root(environ: dict[str, str] | None = None) -> Path:
    """The workspace folder: ``SLATE_WORKSPACE`` (tests, development) or ``/workspace``."""
    env = os.environ if environ is None else environ
    return Path(env.get("SLATE_WORKSPACE") or DEFAULT_ROOT)


def read_text(root: Path, rel: str) -> str:
    """Read a workspace file as text (undecodable bytes replaced, so a damaged file opens).

    Args:
        root: the workspace folder.
        rel: the file's path inside it (``course/exercise/file``).

    Raises:
        FileProblem: bad name, missing file, a link or a special file, or too large.
    """
    try:
        return Workspace(root).read_bytes(rel).decode("utf-8", errors="replace")
    except WorkspaceError as exc:
        raise FileProblem(str(exc)) from None
    except FileNotFoundError:
        raise FileProblem(f"The file {rel} is missing.") from None
    except OSError as exc:
        raise FileProblem(f"The file {rel} cannot be opened ({exc.strerror}).") from None


def write_atomic(root: Path, rel: str, text: str) -> None:
    """Save ``text`` to a workspace file atomically.

    Args:
        root: the workspace folder.
        rel: the file's path inside it.
        text: the whole new content.

    Raises:
        FileProblem: bad name, not a normal file, the workspace is full, or the disk refused.
    """
    try:
        Workspace(root).write_atomic(rel, text)
    except WorkspaceError as exc:
        raise FileProblem(str(exc)) from None
    except OSError as exc:
        raise FileProblem(f"{rel} could not be saved ({exc.strerror}).") from None
