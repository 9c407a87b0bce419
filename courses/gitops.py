"""The public face of Slate's Git support (the package :mod:`courses.git` does the work).

Everything the rest of Slate uses — the Git panel's operations (:class:`ExerciseRepo`,
``OPERATIONS``), the safety checks the ``git`` check kind shares (:func:`open_repo`...), the
authoring steps (:func:`load_steps`, :func:`run_steps`), provisioning (:func:`provision`) and
the panel's text (:func:`render`) — is imported from here; each name is defined once, in the
module of its job:

- :mod:`courses.git.safety`: what makes a repository one Slate may open (no ``gitdir:`` file,
  links, alternates, includes...), libgit2 isolated from the host's configuration, ``show``.
- :mod:`courses.git.ops`: the Git panel's operations, with pygit2 only, never the ``git`` binary.
- :mod:`courses.git.render`: the text the panel shows.
- :mod:`courses.git.authoring`: scripted steps, starter repositories, provisioning through
  ``jail.workspace`` (invariant 8: never a learner's path as root).

``python -I -m courses.gitops FOLDER`` runs one panel operation (JSON on stdin and stdout); the
server starts it in a sandbox as the learner, binding only :data:`SANDBOX_FILES`.
"""

from __future__ import annotations

from courses.git.authoring import (
    STEP_OPS,
    build_starter,
    load_steps,
    provision,
    run_steps,
    setup_steps,
    validate_steps,
)
from courses.git.ops import (
    DEFAULT_BRANCH,
    MAX_MESSAGE,
    OP_ARGS,
    OPERATIONS,
    ExerciseRepo,
    main,
)
from courses.git.render import render
from courses.git.safety import (
    GitOpError,
    check_folder,
    check_layout,
    check_worktree,
    configure_libgit2,
    open_repo,
    show,
)

# What ``python -I -m courses.gitops`` imports, relative to the project root: a sandbox that
# runs it binds these files (read-only) and nothing else of Slate's (never the catalog).
SANDBOX_FILES = (
    "courses/__init__.py",
    "courses/gitops.py",
    "courses/git/__init__.py",
    "courses/git/safety.py",
    "courses/git/ops.py",
    "courses/git/render.py",
    "courses/git/authoring.py",
    "courses/git/remote.py",
)

__all__ = [
    "DEFAULT_BRANCH",
    "MAX_MESSAGE",
    "OPERATIONS",
    "OP_ARGS",
    "SANDBOX_FILES",
    "STEP_OPS",
    "ExerciseRepo",
    "GitOpError",
    "build_starter",
    "check_folder",
    "check_layout",
    "check_worktree",
    "configure_libgit2",
    "load_steps",
    "main",
    "open_repo",
    "provision",
    "render",
    "run_steps",
    "setup_steps",
    "show",
    "validate_steps",
]

if __name__ == "__main__":
    raise SystemExit(main())
