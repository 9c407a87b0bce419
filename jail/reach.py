"""Whether a sandbox's unprivileged uid can reach what its sandbox binds (file modes).

Used by ``slate doctor`` and by the server at start: a learner's sandboxes run under a uid that
is "other" to every file Slate installed, so the venv, Slate's packages and the data folders
must be searchable/readable by other users from the bound folder down.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def other_can(
    path: Path, *, need_read: bool, need_exec: bool, within: Path | None = None
) -> str | None:
    """Why "other" (a sandbox's uid) cannot reach ``path`` — every component searchable, the end
    readable/executable as asked — or None when it can.

    ``within``: the folder a sandbox binds (bwrap, launched by root, mounts it whatever its
    parents' modes): only components from there down must be reachable by the sandbox's uid.
    """
    path = Path(os.path.abspath(path))
    parts = [Path(*path.parts[: i + 1]) for i in range(len(path.parts))]
    if within is not None:
        top = Path(os.path.abspath(within))
        parts = [p for p in parts if p == top or top in p.parents]
    for part in parts[:-1]:
        try:
            st = os.stat(part)
        except OSError as exc:
            return f"{part}: {exc.strerror}"
        if not st.st_mode & stat.S_IXOTH:
            return f"{part} is not searchable by other users (mode {stat.filemode(st.st_mode)})"
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"{path}: {exc.strerror}"
    mode = st.st_mode
    if need_read and not mode & stat.S_IROTH:
        return f"{path} is not readable by other users (mode {stat.filemode(mode)})"
    if (need_exec or stat.S_ISDIR(mode)) and not mode & stat.S_IXOTH:
        return f"{path} is not executable/searchable by other users (mode {stat.filemode(mode)})"
    return None
