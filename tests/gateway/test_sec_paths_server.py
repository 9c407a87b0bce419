"""Path races and planted links against the server's own request handlers (invariant 8,
THREAT-MODEL §6 "Path races"): reset, the first opening of a git exercise, checks (the git check
too), restores and snapshots never follow a learner's link, every refusal is audited and
explained in plain words, and one learner's requests are served one at a time.

Drives ``LearnerDesk`` (the handlers a learner's TUI reaches over the control channel) with a
real store, audit chain, workspaces, history and sandboxes; the real-SSH version of the attack is
in test_sec_paths_ssh.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import multiprocessing
import os
import shutil
import stat
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pygit2
import pytest

from server import protocol
from server.audit import AuditLog
from server.config import load_config
from server.control import RequestError
from server.services import LearnerDesk, SessionServices
from server.store import Store

from .conftest import reachable_dir

GIT_EX = ("git", "messages-and-log")
GIT_REL = "git/messages-and-log"
JS_EX = ("javascript", "values-and-console-log")
_IDS = itertools.count(1)


def request(kind: str, **fields: Any) -> Any:
    """A control-channel request as the TUI would send it (decoded the server's way)."""
    raw = {"type": kind, "id": next(_IDS), **fields}
    decode = getattr(protocol, "decode_request", None)
    return decode(json.dumps(raw).encode()) if decode is not None else raw


def _plain(value: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"type": getattr(value, "TYPE", ""), **dataclasses.asdict(value)}
    return dict(value)


def manifest(root: Path) -> dict[str, tuple[object, ...]]:
    """Everything under ``root`` (links never followed): type, mode, owner and content."""
    top = root.lstat()
    found: dict[str, tuple[object, ...]] = {".": ("d", top.st_mode, top.st_uid, top.st_mtime_ns)}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            rel = str(path.relative_to(root))
            if stat.S_ISREG(info.st_mode):
                found[rel] = ("f", info.st_mode, info.st_uid, path.read_bytes())
            elif stat.S_ISLNK(info.st_mode):
                found[rel] = ("l", os.readlink(path))
            else:
                found[rel] = ("d", info.st_mode, info.st_uid, info.st_mtime_ns)
    return found


class Classroom:
    """A server's services with two learners' desks: the attacker and the victim."""

    def __init__(self, tmp_path: Path) -> None:
        self.data = reachable_dir() / "data"
        (self.data / "workspaces").mkdir(parents=True)
        os.chmod(self.data, 0o711)
        os.chmod(self.data / "workspaces", 0o711)
        config = load_config(None, self.data)
        self.store = Store(self.data / "slate.db", uid_count=config.sandbox.uid_count)
        self.audit = AuditLog(self.store)
        self.services = SessionServices(config, self.store, self.audit)
        self.services.room = SimpleNamespace(  # type: ignore[assignment]
            host_uid=lambda acct: (
                config.sandbox.uid_base + acct.uid_offset if os.geteuid() == 0 else None
            )
        )
        self.pushes: dict[str, list[dict[str, Any]]] = {}

    def desk(self, name: str) -> LearnerDesk:
        account = self.store.get_account(name) or self.store.add_account(
            name, "learner", password="long enough password"
        )
        pushes = self.pushes.setdefault(name, [])

        def push(*args: Any, **fields: Any) -> None:
            if args and isinstance(args[0], str):
                pushes.append({"type": args[0], **fields})
            else:
                pushes.append(_plain(args[0]))

        session = SimpleNamespace(
            server=SimpleNamespace(address="127.0.0.1"),
            session_id=f"s-{name}-{next(_IDS)}",
            control=SimpleNamespace(push=push),
        )
        return LearnerDesk(self.services, session, account)  # type: ignore[arg-type]

    def refusals(self, actor: str, op: str | None = None) -> list[Any]:
        return [
            e
            for e in self.audit.events(kind="path_refused")
            if e.actor == actor and (op is None or e.detail.get("op") == op)
        ]

    async def check(self, desk: LearnerDesk, course: str, exercise: str) -> dict[str, Any]:
        """Ask for a check and wait for its result push."""
        pushes = self.pushes[desk.account.name]
        seen = len(pushes)
        reply = _plain(await desk.check(request("check", course=course, exercise=exercise)))
        for _ in range(600):
            for push in pushes[seen:]:
                if push["type"] == "check_result" and push["id"] == reply["run_id"]:
                    return push["result"]
            await asyncio.sleep(0.05)
        raise AssertionError("no check result")


async def _open(desk: LearnerDesk, course: str, exercise: str) -> None:
    await desk.exercise(request("exercise", course=course, exercise=exercise))


async def _victim(room: Classroom) -> tuple[LearnerDesk, Path]:
    """The victim finished the git exercise: three commits with good messages, all clean."""
    pygit2.option(pygit2.enums.Option.SET_OWNER_VALIDATION, 0)  # root reads learners' repos
    victim = room.desk("victim")
    await _open(victim, *GIT_EX)
    folder = Path(victim.ws.root) / GIT_REL
    repo = pygit2.Repository(str(folder))
    sig = pygit2.Signature("Victim", "victim@classroom")
    for line in ("Add the baker's shop", "Add the baker's friend"):
        with open(folder / "story.txt", "a") as handle:
            handle.write(line + "\n")
        repo.index.add("story.txt")
        repo.index.write()
        repo.create_commit("HEAD", sig, sig, line, repo.index.write_tree(), [repo.head.target])
    if os.geteuid() == 0:
        uid = victim.host_uid
        for dirpath, dirnames, filenames in os.walk(folder):
            for name in dirnames + filenames:
                os.lchown(os.path.join(dirpath, name), uid, uid)
    return victim, folder


async def test_sec_check_refuses_and_reset_clears_a_planted_exercise_link(
    tmp_path: Path,
) -> None:
    room = Classroom(tmp_path)
    _, victim_folder = await _victim(room)
    before = manifest(victim_folder)
    mallory = room.desk("mallory")
    await _open(mallory, *GIT_EX)
    mine = Path(mallory.ws.root) / GIT_REL
    # What a Run could do: move the exercise folder away, leave a link to another learner's.
    os.rename(mine, mine.with_name("moved-away"))
    os.symlink(victim_folder, mine)

    # A check never grades (or reads) through the link: refused, audited, explained.
    result = await room.check(mallory, *GIT_EX)
    assert result["status"] != "passed"
    assert "link" in result["summary"]
    [refusal] = room.refusals("mallory", "check")
    assert refusal.detail["exercise"] == GIT_EX[1] and "link" in refusal.detail["reason"]

    # "Start again" removes the link itself (never what it points to) and starts afresh.
    await mallory.reset(request("reset", course=GIT_EX[0], exercise=GIT_EX[1]))
    [cleared] = [e for e in room.audit.events(kind="path_cleared") if e.actor == "mallory"]
    assert cleared.detail["op"] == "reset" and cleared.detail["paths"] == [GIT_REL]
    notes = [p for p in room.pushes["mallory"] if p["type"] == "notify"]
    assert notes and "removed it (without following it)" in notes[-1]["text"]
    assert not mine.is_symlink() and (mine / ".git").is_dir()
    assert "Once upon a time" in (mine / "story.txt").read_text()

    assert manifest(victim_folder) == before
    repo = pygit2.Repository(str(victim_folder))
    assert repo.head.peel(pygit2.Commit).message == "Add the baker's friend"


async def test_sec_reset_refuses_what_it_cannot_clear_and_says_so(tmp_path: Path) -> None:
    """A plain file where the exercise folder goes may be work: never deleted, refused."""
    room = Classroom(tmp_path)
    mallory = room.desk("mallory")
    await _open(mallory, *GIT_EX)
    mine = Path(mallory.ws.root) / GIT_REL
    shutil.rmtree(mine)
    mine.write_text("my notes, not a folder")
    with pytest.raises(RequestError) as refused:
        await mallory.reset(request("reset", course=GIT_EX[0], exercise=GIT_EX[1]))
    assert "could not reset" in str(refused.value) and "not a folder" in str(refused.value)
    [event] = room.refusals("mallory", "reset")
    assert "not a folder" in event.detail["reason"]
    assert mine.read_text() == "my notes, not a folder"


async def test_sec_first_opening_clears_a_linked_course_folder(tmp_path: Path) -> None:
    room = Classroom(tmp_path)
    victim, victim_folder = await _victim(room)
    before = manifest(Path(victim.ws.root))
    mallory = room.desk("mallory")
    await _open(mallory, *JS_EX)  # the workspace exists; the git course not yet
    os.symlink(Path(victim.ws.root) / "git", Path(mallory.ws.root) / "git")
    await _open(mallory, "git", "status-and-diff")
    [cleared] = [e for e in room.audit.events(kind="path_cleared") if e.actor == "mallory"]
    assert cleared.detail["op"] == "provision" and cleared.detail["paths"] == ["git"]
    assert (Path(mallory.ws.root) / "git" / "status-and-diff" / ".git").is_dir()
    assert manifest(Path(victim.ws.root)) == before


async def test_sec_git_check_never_grades_a_linked_repository(tmp_path: Path) -> None:
    """A learner links their .git to a finished classmate's: the check must not pass."""
    room = Classroom(tmp_path)
    _, victim_folder = await _victim(room)
    assert (await room.check(room.desk("victim"), *GIT_EX))["status"] == "passed"
    before = manifest(victim_folder)
    mallory = room.desk("mallory")
    await _open(mallory, *GIT_EX)
    mine = Path(mallory.ws.root) / GIT_REL
    shutil.rmtree(mine / ".git")  # the test's own setup, as root on its own tree
    os.symlink(victim_folder / ".git", mine / ".git")
    result = await room.check(mallory, *GIT_EX)
    assert result["status"] != "passed"
    assert "link" in result["summary"]
    [event] = room.refusals("mallory", "check")
    assert ".git" in event.detail["reason"]
    # A FIFO or a hardlink planted in the repository is refused the same way, never blocking.
    os.unlink(mine / ".git")
    await mallory.reset(request("reset", course=GIT_EX[0], exercise=GIT_EX[1]))
    os.mkfifo(mine / ".git" / "packed-refs")
    result = await asyncio.wait_for(room.check(mallory, *GIT_EX), 60)
    assert result["status"] != "passed" and "FIFO" in result["summary"]
    assert manifest(victim_folder) == before


async def test_sec_restore_refuses_a_planted_link_and_says_so(tmp_path: Path) -> None:
    room = Classroom(tmp_path)
    victim, _ = await _victim(room)
    victim_file = Path(victim.ws.root) / GIT_REL / "story.txt"
    before = victim_file.read_bytes()
    mallory = room.desk("mallory")
    await _open(mallory, *JS_EX)
    versions = _plain(
        await mallory.history(request("history", course=JS_EX[0], exercise=JS_EX[1]))
    )["versions"]
    mine = Path(mallory.ws.root) / "javascript" / "values-and-console-log" / "hello.js"
    mine.unlink()
    os.symlink(victim_file, mine)
    with pytest.raises(RequestError, match="link"):
        await mallory.restore(
            request("restore", course=JS_EX[0], exercise=JS_EX[1], version=versions[-1]["id"])
        )
    assert room.refusals("mallory", "restore")
    # The snapshot taken before the restore noticed the link too, once.
    snapshots = room.refusals("mallory", "snapshot")
    assert len(snapshots) == 1 and "hello.js" in " ".join(snapshots[0].detail["reasons"])
    assert victim_file.read_bytes() == before


async def test_one_learners_requests_are_served_one_at_a_time(tmp_path: Path) -> None:
    """A reset asked for (from a second session) while the learner's program runs waits until
    the run has ended; and gives up with plain words when it would wait too long."""
    room = Classroom(tmp_path)
    first = room.desk("sam")
    await _open(first, *JS_EX)
    first.ws.write_atomic(
        "javascript/values-and-console-log/hello.js",
        "setTimeout(() => console.log('finished'), 1500);\n",
    )
    second = room.desk("sam")  # the same learner, another session
    await first.run(request("run", course=JS_EX[0], exercise=JS_EX[1]))
    started = time.monotonic()
    await second.reset(request("reset", course=JS_EX[0], exercise=JS_EX[1]))
    waited = time.monotonic() - started
    kinds = [e.kind for e in room.audit.events(actor="sam") if e.kind in ("run", "reset")]
    assert kinds == ["run", "reset"], "the reset happened while the program was running"
    assert waited > 0.5

    first.ws.write_atomic(
        "javascript/values-and-console-log/hello.js", "setTimeout(() => {}, 4000);\n"
    )
    await first.run(request("run", course=JS_EX[0], exercise=JS_EX[1]))
    with pytest.raises(RequestError, match="your program is still going"):
        await room.services.acquire("sam", "a reset", wait=0.5)
    for _ in range(200):
        if not first.busy:
            break
        await asyncio.sleep(0.05)


def _names(data: Path) -> list[str]:
    """The data dir's entries, less the store's own files (the audit chain grows meanwhile)."""
    return sorted(n for n in os.listdir(data) if not n.startswith("slate.db"))


def _swap_once(real: Path, target: str, hidden: Path, hold: float) -> bool:
    """Move ``real`` aside, put a link to ``target`` in its place, hold it a moment, put the
    real one back (or keep it out of the way if the server made a new one meanwhile).

    Returns:
        True when a link was planted.
    """
    moved = planted = False
    try:
        os.rename(real, hidden)
        moved = True
    except FileNotFoundError:
        pass  # nothing there now: plant the link all the same
    except OSError:
        return False
    try:
        os.symlink(target, real)
        planted = True
        time.sleep(hold)
    except OSError:
        pass
    finally:
        if planted:
            try:
                os.unlink(real)
            except OSError:
                pass  # the server already removed it (or put a folder there)
        if moved:
            try:
                os.rename(hidden, real)
            except OSError:
                try:
                    os.rename(hidden, hidden.with_name(f"{hidden.name}-{time.monotonic_ns()}"))
                except OSError:
                    pass
    return planted


def _swap(attacker: str, targets: list[str], count: Any, stop: Any) -> None:
    """The hostile Run, as a process: swap the exercise folder, its .git and the course folder
    for links to other trees, as fast as it can, holding each link a moment on most rounds.
    ``count`` is the number of links actually planted."""
    ws = Path(attacker)
    ex = ws / "git" / "messages-and-log"
    i = 0
    while not stop.is_set():
        target = targets[i % len(targets)]
        hold = (i % 5) * 0.0002
        if i % 3 == 0:
            planted = _swap_once(ex, target, ws / "git" / ".hidden", hold)
        elif i % 3 == 1:
            planted = _swap_once(
                ex / ".git", os.path.join(targets[0], ".git"), ex / ".git-hidden", hold
            )
        else:
            planted = _swap_once(ws / "git", os.path.dirname(target), ws / ".git-course", hold)
        i += 1
        if planted:
            with count.get_lock():
                count.value += 1


async def test_sec_swapping_links_while_the_server_serves_requests(tmp_path: Path) -> None:
    room = Classroom(tmp_path)
    victim, victim_folder = await _victim(room)
    sentinel = room.data.parent / "etc"
    sentinel.mkdir()
    (sentinel / "shadow").write_text("root:$6$sentinel\n")
    watched = {
        "victim workspace": (Path(victim.ws.root), manifest(Path(victim.ws.root))),
        "victim history": (room.data / "history" / "victim.git",
                           manifest(room.data / "history" / "victim.git")),
        "etc sentinel": (sentinel, manifest(sentinel)),
    }
    mallory = room.desk("mallory")
    await _open(mallory, *GIT_EX)
    targets = [str(victim_folder), str(Path(victim.ws.root)), str(sentinel), str(room.data)]
    data_names = _names(room.data)

    ctx = multiprocessing.get_context("fork")
    count, stop = ctx.Value("l", 0), ctx.Event()
    swapper = ctx.Process(target=_swap, args=(str(mallory.ws.root), targets, count, stop),
                          daemon=True)
    swapper.start()
    ops = refused = 0
    statuses: set[str] = set()
    deadline = time.monotonic() + 240
    try:
        while (count.value < 2000 or ops < 60) and time.monotonic() < deadline:
            step = ops % 4
            try:
                if step == 0:
                    await mallory.reset(request("reset", course=GIT_EX[0], exercise=GIT_EX[1]))
                elif step == 1:
                    await _open(mallory, *GIT_EX)
                elif step == 2:
                    statuses.add((await room.check(mallory, *GIT_EX))["status"])
                else:
                    await room.services.snapshot(mallory.account, mallory.ws, None, "race")
            except RequestError:
                refused += 1
            ops += 1
    finally:
        stop.set()
        swapper.join(10)
    swaps = count.value
    print(f"{swaps} links planted, {ops} requests, {refused} refused, checks: {statuses}")
    assert swaps >= 2000 and ops >= 60
    for label, (root, before) in watched.items():
        assert manifest(root) == before, f"the {label} changed"
    assert _names(room.data) == data_names
    assert "passed" not in statuses  # the starter repository never passes; the victim's would
    assert room.refusals("mallory"), "refusals are audited"
    assert not room.refusals("victim")


async def test_sec_git_panel_never_runs_a_courses_package_from_the_workspace(
    tmp_path: Path,
) -> None:
    """The Git panel's sandbox starts Slate's own courses.gitops, even when the learner's
    workspace holds a ``courses/gitops.py`` of theirs (which would answer anything)."""
    room = Classroom(tmp_path)
    sam = room.desk("sam")
    await _open(sam, *GIT_EX)
    sam.ws.write_atomic("courses/__init__.py", "")
    sam.ws.write_atomic(
        "courses/gitops.py",
        "import json\nprint(json.dumps({'ok': True, 'result': {'message': 'FORGED'}}))\n",
    )
    reply = _plain(await sam.git(request("git", course=GIT_EX[0], exercise=GIT_EX[1],
                                         op="status", args={})))
    assert "FORGED" not in json.dumps(reply)
    assert "story.txt" in json.dumps(reply) or "branch" in json.dumps(reply)
