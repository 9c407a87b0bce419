"""Where a check's course assets (test files, fixtures) appear inside the check sandbox.

Owns the placement rule of courses/FORMAT.md: ``tests/<rel>`` is bound read-only at
``/work/<rel>``, beside the learner's copied files. Invariant: assets are only ever *bound
read-only* into a check sandbox — never copied into the learner's workspace or work dir — so a
learner's program can neither keep them nor change them, and solutions are never bound at all.
"""

from __future__ import annotations

from courses.fields import asset_problems
from courses.model import SANDBOX_WORK, Exercise

TESTS_DIR = "tests"


def sandbox_path(rel: str) -> str:
    """The sandbox path of an asset written as ``tests/<rel>`` in a manifest."""
    inner = rel[len(TESTS_DIR) + 1 :] if rel.startswith(TESTS_DIR + "/") else rel
    return f"{SANDBOX_WORK}/{inner}"


def work_relative(rel: str) -> str:
    """The asset's path relative to ``/work`` (what a test runner is given on its command line)."""
    return sandbox_path(rel)[len(SANDBOX_WORK) + 1 :]


def asset_binds(exercise: Exercise, rels: list[str]) -> dict[str, str]:
    """``{host path: sandbox path}`` for ``CheckContext.run(ro_files=...)``."""
    return {str(exercise.dir / rel): sandbox_path(rel) for rel in rels}


def placement_problems(exercise: Exercise, field: str, rels: list[str]) -> list[str]:
    """Problems with asset paths: not under ``tests/``, absent, or hiding a file the learner edits.

    Args:
        exercise: the exercise the check belongs to.
        field: the manifest field for messages (``tests``, ``support``).
        rels: the paths as written.
    """
    found: list[str] = []
    # Hiding a read-only copy (a test file the learner may read) is the point; hiding a file
    # the learner edits would silently check the course's version instead of theirs.
    learner = set(exercise.files)
    for rel in rels:
        problems = asset_problems(exercise.dir, rel, field=field, under=TESTS_DIR)
        found += problems
        if not problems and work_relative(rel) in learner:
            found.append(
                f"{field}: {rel!r} would hide the learner's own {work_relative(rel)} (one of "
                "the files they edit) in the sandbox; give the asset another name"
            )
    if len(set(rels)) != len(rels):
        found.append(f"{field}: lists a file twice")
    return found
