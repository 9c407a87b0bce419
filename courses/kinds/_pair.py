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
- A serving side marked ``lazy`` starts only when the proxy side first writes to it (a
  node-test check whose course tests only read the learner's files as data never needs the
  learner's code loaded): one sandbox and one interpreter fewer per check. It gets the same
  pipes, limits and uid as an eager one; the proxy side's first call just waits for its start.
  If it never starts its pipe ends are closed here and its result is :data:`NOT_STARTED`.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import struct
import tempfile
import termios
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from courses.model import CheckContext
from jail.profiles import NOBODY_UID
from jail.run import RunResult

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
        lazy: (serving side only) start it when the proxy side first writes to it, not at once.
    """

    argv: list[str]
    env: dict[str, str]
    ro_files: dict[str, str]
    as_learner: bool
    work: Path | None = None
    work_writable: bool = True
    lazy: bool = False


NOT_STARTED = RunResult(
    exit_code=0, signal=None, limit=None, stdout=b"", stderr=b"", truncated=False, duration=0.0
)
"""The serving side's result when it was lazy and never asked for (it ran nothing)."""


@dataclass
class PairResult:
    """How both sides ended (``jail.run.RunResult`` each)."""

    proxy: Any
    server: Any


def _pipe() -> tuple[int, int]:
    return os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)


async def run_pair(ctx: CheckContext, proxy: Side, server: Side) -> PairResult:
    """Run both sides, joined by pipes; stop the server when the proxy side ends.

    The serving side starts at once, or (``server.lazy``) once the proxy side has written to
    it; a lazy side never asked for does not run at all (its result is :data:`NOT_STARTED`).
    """
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

    # The proxy side is set up first (its task runs first), then the serving side, as before.
    proxy_task = asyncio.ensure_future(
        ctx.run(
            proxy.argv,
            ro_files={**proxy.ro_files, **harness},
            env=proxy_env,
            pass_fds=(to_proxy_r, to_server_w),
            as_learner=proxy.as_learner,
            work=proxy.work,
            work_writable=proxy.work_writable,
        )
    )
    server_task = None if server.lazy else asyncio.ensure_future(serving())
    try:
        if server_task is None and await _spoke(to_server_r, proxy_task):
            server_task = asyncio.ensure_future(serving())
        proxy_result = await proxy_task
    except BaseException:
        if not proxy_task.done():  # cancelled while waiting for the first word: end it too
            proxy_task.cancel()
            await asyncio.wait([proxy_task])
        raise
    finally:
        stop.set()
        if server_task is None:  # never started: the pipe ends meant for it are ours to close
            os.close(to_server_r)
            os.close(to_proxy_w)
    server_result = NOT_STARTED if server_task is None else await server_task
    return PairResult(proxy=proxy_result, server=server_result)


async def _spoke(fd: int, proxy_task: asyncio.Future[Any]) -> bool:
    """Wait until the proxy side has written to the pipe ``fd`` reads (True), or has ended or
    closed its end without writing (False). Nothing is read: the serving side reads it all."""
    loop = asyncio.get_running_loop()
    readable = loop.create_future()

    def ready() -> None:
        if not readable.done():
            readable.set_result(None)

    loop.add_reader(fd, ready)
    try:
        await asyncio.wait([readable, proxy_task], return_when=asyncio.FIRST_COMPLETED)
    finally:
        loop.remove_reader(fd)
        readable.cancel()
    return not proxy_task.done() and _pending(fd) > 0


def _pending(fd: int) -> int:
    """Bytes waiting in the pipe ``fd`` (0 at end-of-file: readable but nothing to read)."""
    return int(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0])


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
