"""Two sandboxes joined by a pair of pipes: how a check keeps its verdict out of learner reach.

Owns starting a check's *proxy side* (the process whose test results are read) and its *serving
side* (the process that holds the module under test and answers calls on it, see
``harness/rpc.cjs``) as two separate ``jail`` runs: separate pid, mount and user namespaces,
no shared writable file, joined only by two pipes created here. In a node-test check the course
tests are the proxy side, under the jail's unprivileged uid that is not the learner's, and the
learner's code is served under the learner's uid; in a tdd check it is the other way round
(the learner's tests call into a trusted process holding the reference or a mutant).

Invariants kept here:
- Each side sees only its own folder at ``/work``: the serving side of a node-test check never
  has a course file; the learner's side of a tdd check never has the reference or a mutant.
- The pipes are created close-on-exec and non-blocking; only the two sandboxes inherit them
  (``pass_fds``), and ``jail.run`` closes the server's copies once each sandbox has started, so
  either side sees end-of-file as soon as the other is gone.
- When the proxy side ends, the serving side is stopped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from courses.model import CheckContext
from jail.profiles import NOBODY_UID

HARNESS_DIR = Path(__file__).resolve().parent / "harness"
HARNESS_IN_SANDBOX = "/slate/harness"
SERVE_ARGV = ["node", f"{HARNESS_IN_SANDBOX}/serve.cjs"]


@dataclass
class Side:
    """One sandbox of the pair.

    Attributes:
        argv: its command (the serving side runs ``serve.cjs``).
        env: its extra environment (``SLATE_RPC_*`` is added here).
        ro_files: host path -> sandbox path, bound read-only (the harness folder is added).
        as_learner: True runs under the learner's uid, False under the jail's other one.
        work: the folder bound at ``/work`` (None: the check's work dir).
        work_writable: whether ``/work`` is writable.
    """

    argv: list[str]
    env: dict[str, str]
    ro_files: dict[str, str]
    as_learner: bool
    work: Path | None = None
    work_writable: bool = True


@dataclass
class PairResult:
    """How both sides ended (``jail.run.RunResult`` each)."""

    proxy: Any
    server: Any


def _pipe() -> tuple[int, int]:
    return os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)


async def run_pair(ctx: CheckContext, proxy: Side, server: Side) -> PairResult:
    """Run both sides at once, joined by pipes; stop the server when the proxy side ends."""
    to_server_r, to_server_w = _pipe()
    to_proxy_r, to_proxy_w = _pipe()
    proxy_env = {**proxy.env, "SLATE_RPC_IN": str(to_proxy_r), "SLATE_RPC_OUT": str(to_server_w)}
    server_env = {**server.env, "SLATE_RPC_IN": str(to_server_r), "SLATE_RPC_OUT": str(to_proxy_w)}
    harness = {str(HARNESS_DIR): HARNESS_IN_SANDBOX}
    stop = asyncio.Event()

    async def serving() -> Any:
        return await ctx.run(
            server.argv,
            ro_files={**server.ro_files, **harness},
            env=server_env,
            pass_fds=(to_server_r, to_proxy_w),
            as_learner=server.as_learner,
            work=server.work,
            work_writable=server.work_writable,
            stop=stop,
        )

    server_task = asyncio.ensure_future(serving())
    try:
        proxy_result = await ctx.run(
            proxy.argv,
            ro_files={**proxy.ro_files, **harness},
            env=proxy_env,
            pass_fds=(to_proxy_r, to_server_w),
            as_learner=proxy.as_learner,
            work=proxy.work,
            work_writable=proxy.work_writable,
        )
    finally:
        stop.set()
    server_result = await server_task
    return PairResult(proxy=proxy_result, server=server_result)


def trusted_uid(ctx: CheckContext) -> int | None:
    """The uid the jail gives a run that is not the learner's (None: this process's own)."""
    return NOBODY_UID if os.geteuid() == 0 else None


def make_folder(ctx: CheckContext, files_from: Path | None, placeholders: list[str]) -> Path:
    """A new folder for the trusted side's ``/work``: a copy of the learner's files (read as
    data only) plus empty files where course assets will be bound read-only over them.

    It belongs to the trusted side's uid and is removed with :func:`remove_folder`.
    """
    from courses.checks import copy_learner_files

    folder = Path(tempfile.mkdtemp(prefix="slate-harness-"))
    uid = trusted_uid(ctx)
    try:
        if files_from is not None:
            copy_learner_files(files_from, folder, uid)
        for rel in placeholders:
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.is_symlink():
                target.unlink(missing_ok=True)
                target.touch()
        if uid is not None:
            for path in [folder, *folder.rglob("*")]:
                os.chown(path, uid, uid, follow_symlinks=False)
        os.chmod(folder, 0o700)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def remove_folder(folder: Path) -> None:
    """Remove a folder made by :func:`make_folder`."""
    shutil.rmtree(folder, ignore_errors=True)
