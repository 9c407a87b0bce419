"""The first program of a sandbox whose working folder is a sized tmpfs copy (the Run profile).

Keeps invariant 8's "disk use is bounded while code runs": a learner's program never writes to a
host filesystem. Its folder is a tmpfs of a fixed size inside the sandbox (a write past it fails
with ENOSPC there); this program fills it from a seed the server read through the workspace's
safe API, runs the learner's command as its child, and at the end sends the folder's regular
files back on a pipe. The server compares them with the seed and writes what changed through the
same safe API, within the learner's quota (``jail.run.run_in_workspace``).

It runs *inside* the sandbox as the learner (standard library only, started as
``python3 -I -S -c <this file's text>``), as pid 1 of the sandbox's pid namespace: nothing in
the sandbox can kill it, and when the server asks (SIGUSR1: a limit or Stop) it kills every
other process of the namespace, then still sends the folder back. Everything it sends is as
untrusted as the learner's own files: the server bounds what it reads and validates every name.

Wire format (both directions): frames of one JSON header line then ``size`` raw bytes:
``{"path": "a/b.js", "size": 12}`` ... and a last ``{"end": true, "truncated": false}``.
The host side uses :func:`encode_files` and :func:`decode_files` from this same module.

Imports nothing of Slate's (it must run from its source text alone).
"""

from __future__ import annotations

import json
import os
import signal
import stat
import sys

SKIP_DIRS = (".git",)  # never seeded, never sent back (the learner's repository stays theirs)
MAX_HEADER = 4096
SEED_FAILED = 125  # exit status when the folder could not be seeded (nothing is sent back)


def encode_files(files: dict[str, bytes]) -> bytes:
    """Frames for ``files`` (relative path -> content) and the end frame."""
    out = bytearray()
    for path, data in files.items():
        out += json.dumps({"path": path, "size": len(data)}).encode() + b"\n" + data
    out += json.dumps({"end": True, "truncated": False}).encode() + b"\n"
    return bytes(out)


def decode_files(data: bytes, max_files: int) -> tuple[dict[str, bytes], bool]:
    """Parse frames (from the sandbox: untrusted). Returns (files, complete).

    ``complete`` is False when the stream was cut short, malformed, or held more than
    ``max_files`` files: the files read so far are returned, nothing is guessed.
    """
    files: dict[str, bytes] = {}
    pos = 0
    while True:
        end = data.find(b"\n", pos, pos + MAX_HEADER)
        if end < 0:
            return files, False
        try:
            header = json.loads(data[pos:end])
        except ValueError:
            return files, False
        if not isinstance(header, dict):
            return files, False
        if header.get("end") is True:
            return files, header.get("truncated") is False
        path, size = header.get("path"), header.get("size")
        if not isinstance(path, str) or not isinstance(size, int) or size < 0:
            return files, False
        body = data[end + 1 : end + 1 + size]
        if len(body) != size or len(files) >= max_files:
            return files, False
        files[path] = body
        pos = end + 1 + size


def _write_seed(fd: int, folder: str) -> None:
    """Fill the folder from the seed. Any failure ends the run before the program starts and
    nothing is sent back: a half-seeded folder must never read as "the program deleted it"."""
    with os.fdopen(fd, "rb") as stream:
        data = stream.read()
    files, complete = decode_files(data, 1 << 30)
    if not complete:
        raise OSError("the copy of the folder arrived incomplete")
    for rel, body in files.items():
        parts = [p for p in rel.split("/") if p not in ("", ".", "..")]
        if not parts:
            continue
        path = os.path.join(folder, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(body)


def _send_folder(
    fd: int, folder: str, limit: int, max_files: int, skip: tuple[str, ...] = SKIP_DIRS
) -> None:
    """Send the regular files under ``folder`` (links and special files are not followed;
    folders named in ``skip`` are left out)."""
    sent = 0
    count = 0
    truncated = False
    with os.fdopen(fd, "wb") as out:
        stack = [""]
        while stack and not truncated:
            rel_dir = stack.pop()
            try:
                entries = sorted(os.scandir(os.path.join(folder, rel_dir)), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    if entry.name not in skip:
                        stack.append(rel)
                    continue
                if not stat.S_ISREG(info.st_mode):
                    continue
                if count >= max_files or sent + info.st_size > limit:
                    truncated = True
                    break
                try:
                    fd_in = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                except OSError:
                    continue
                with os.fdopen(fd_in, "rb") as stream:
                    # Streamed in chunks: sending never holds a whole file in memory (the run's
                    # memory group holds the tmpfs already). Nothing else runs now, so the size
                    # cannot change under us; a short read ends the stream as incomplete.
                    size = os.fstat(stream.fileno()).st_size
                    if sent + size > limit:
                        truncated = True
                        break
                    out.write(json.dumps({"path": rel, "size": size}).encode() + b"\n")
                    left = size
                    while left:
                        chunk = stream.read(min(left, 1 << 20))
                        if not chunk:
                            return  # no end frame: the host reads the stream as incomplete
                        out.write(chunk)
                        left -= len(chunk)
                sent += size
                count += 1
        out.write(json.dumps({"end": True, "truncated": truncated}).encode() + b"\n")


def _not_dumpable() -> None:
    """PR_SET_DUMPABLE 0: the learner's program (same uid) cannot open this process's
    /proc/1/fd or memory, so it cannot write into the pipe home itself. (What it could forge
    there is no more than what it can write in its folder anyway; this keeps the stream ours.)"""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
    except (OSError, AttributeError, ImportError):
        pass


GIT_FOLDERS = ("objects", "refs/heads", "refs/tags")
"""Folders git needs in a repository even while they are empty (a new one has no object and no
branch yet); the seed carries files only, so they are made again here."""


def _git_folders(folder: str) -> None:
    """Give the seeded repository, if there is one, the empty folders git looks for."""
    git = os.path.join(folder, ".git")
    if os.path.isfile(os.path.join(git, "HEAD")) and not os.path.islink(git):
        for name in GIT_FOLDERS:
            os.makedirs(os.path.join(git, name), exist_ok=True)


def _kill_others() -> None:
    """pid 1 of the namespace: kill(-1) reaches every other process in it, never itself."""
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass


def main(argv: list[str]) -> int:
    """``seedbox CONFIG-JSON -- COMMAND...``: seed, run, kill the rest, send back, exit."""
    config = json.loads(argv[0])
    command = argv[2:]
    folder = config["folder"]
    seed_fd, out_fd = config["seed_fd"], config["out_fd"]
    for fd in (seed_fd, out_fd):
        os.set_inheritable(fd, False)
    _not_dumpable()
    try:
        os.makedirs(folder, exist_ok=True)
        _write_seed(seed_fd, folder)
        if config.get("with_git"):
            _git_folders(folder)
    except OSError as exc:
        os.write(2, f"slate: your folder could not be copied for the run ({exc}).\n".encode())
        return SEED_FAILED

    # The server's "stop now" is SIGUSR1 sent from outside the sandbox (si_pid 0, SI_USER:
    # the sender is not in this pid namespace); the program's own kill(1, ...) is ignored.
    waited = {signal.SIGUSR1, signal.SIGCHLD}
    signal.pthread_sigmask(signal.SIG_BLOCK, waited)
    child = os.fork()
    if child == 0:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, waited)
        try:
            os.chdir(config["cwd"])
            os.execvp(command[0], command)
        except OSError as exc:
            os.write(2, f"seedbox: failed to execute {command[0]}: {exc.strerror}\n".encode())
        os._exit(127)
    status = None
    ending = False
    while True:
        info = signal.sigwaitinfo(waited)
        if info.si_signo == signal.SIGUSR1:
            if info.si_code == 0 and info.si_pid == 0:
                ending = True
                _kill_others()
            continue
        try:
            while True:
                pid, wstatus = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                if pid == child:
                    status = wstatus
                    ending = True
                if ending:
                    _kill_others()  # what the program left behind ends with it (per reap)
        except ChildProcessError:
            break
    code = 1
    if status is not None:
        code = os.waitstatus_to_exitcode(status)
        if code < 0:
            code = 128 - code
    try:
        skip = () if config.get("with_git") else SKIP_DIRS
        _send_folder(out_fd, folder, config["limit"], config["max_files"], skip)
    except OSError:
        pass
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
