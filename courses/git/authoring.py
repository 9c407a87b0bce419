"""Scripted Git steps for course authors: building a starter repository, or the solved one.

Owns the steps format (a TOML document of ``[[step]]`` tables: Git panel ops plus ``write`` and
``delete`` of files), its validation, playing steps in a folder, and provisioning a learner's
git exercise: the starter repository is built in a private folder of the server's
(:func:`build_starter`) and installed into the workspace through ``jail.workspace``'s
descriptor-based API (:func:`provision`), so libgit2 never works on a learner-writable path as
root (invariant 8).
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path
from typing import Any

from courses.git.ops import OP_ARGS, ExerciseRepo, _check_path
from courses.git.safety import GitOpError, scripted_time

MAX_STEPS = 200

# --------------------------------------------------------------------------------------------
# Scripted steps: building a starter repository, or the solved one for `slate course check`
# --------------------------------------------------------------------------------------------

STEP_OPS = {*OP_ARGS, "write", "delete", "server_init", "exclude", "remove_folder"}
# Authoring-only ops (never the panel's): ``server_init`` (path) makes a bare repository, the
# team's server; ``exclude`` (text) adds lines to the repository's .git/info/exclude;
# ``remove_folder`` (path) deletes a helper folder (a teammate's clone) from the build.
# Any step may say ``repo = "sub/folder"``: it then works in that repository (a clone).
_AUTHOR_ARGS = {"server_init": ("path",), "exclude": ("text",), "remove_folder": ("path",)}


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
        allowed = {"op", "expect", "repo"} | set(OP_ARGS.get(op, ())) | set(
            _AUTHOR_ARGS.get(op, ()))
        if "repo" in step and not isinstance(step["repo"], str):
            problems.append(f"step {number}: repo must be a folder name")
        for key in _AUTHOR_ARGS.get(op, ()):
            if not isinstance(step.get(key), str):
                problems.append(f"step {number}: {op} needs {key} text")
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
    results = []
    for number, step in enumerate(steps, 1):
        op = step["op"]
        args = {k: v for k, v in step.items() if k not in ("op", "expect", "repo")}
        try:
            repo = ExerciseRepo(Path(folder) / _check_path(step["repo"])) if step.get(
                "repo") else ExerciseRepo(folder)
            repo.remote_root = Path(folder)
            if op == "server_init":
                import pygit2

                target = Path(folder) / _check_path(args["path"])
                pygit2.init_repository(str(target), bare=True, initial_head="main")
                result: dict[str, Any] = {"message": f"made the server {args['path']}"}
            elif op == "exclude":
                info = Path(repo.folder) / ".git" / "info"
                info.mkdir(parents=True, exist_ok=True)
                with open(info / "exclude", "a", encoding="utf-8") as handle:
                    handle.write(args["text"].rstrip("\n") + "\n")
                result = {"message": "excluded"}
            elif op == "remove_folder":
                target = Path(folder) / _check_path(args["path"])
                if target.is_symlink() or not target.is_dir():
                    raise GitOpError(f"{args['path']} is not a folder")
                shutil.rmtree(target)
                result = {"message": f"removed {args['path']}"}
            elif op == "write":
                rel = _check_path(args["path"])
                target = Path(repo.folder) / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_symlink():
                    raise GitOpError(f"{rel} is a link")
                target.write_text(args["text"], encoding="utf-8")
                result = {"message": f"wrote {rel}"}
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
    with scripted_time():  # the same commit ids on every build (Reset rebuilds it)
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
        # Folders the steps made beside the files (the team's server, team.git): a learner's
        # own copy is kept (it holds their pushes) unless this is a reset, which starts over.
        starter = {str(n).split("/", 1)[0] for n in [*getattr(exercise, "files", []),
                                                   *getattr(exercise, "readonly", [])]}
        extra = [n for n in sorted(os.listdir(build)) if n != ".git" and n not in starter]
        if extra and not reset and any(workspace.lexists(f"{rel}/{n}") for n in extra):
            return False
        if reset:
            for name in extra:
                if workspace.lexists(f"{rel}/{name}"):
                    workspace.remove_tree(f"{rel}/{name}")
        workspace.install_tree(rel, build)
    return True
