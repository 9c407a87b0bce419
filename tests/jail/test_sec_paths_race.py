"""Path races against the server's own file work (THREAT-MODEL §6 "Path races", invariant 8).

A separate process plays a learner's Run at its most hostile: in a tight loop it swaps the
exercise folder, its ``.git``, the course folder and single files for links to another learner's
tree, to an ``etc`` sentinel, to the data dir, to hardlinks and FIFOs, thousands of times, while
this process — as the server does on reset, provisioning, checks, snapshots and restores — works
on the same workspace through ``jail.workspace`` / ``jail.history`` / ``courses.gitops``.

Sentinel trees are compared before and after, byte for byte: nothing outside the attacker's own
tree may change, no byte of another tree may reach the attacker's history or check copies, and
every failure must be a clean, plain refusal (never a traceback, never a hang).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import stat
import time
from pathlib import Path
from types import SimpleNamespace

import pygit2
import pytest

from courses import gitops
from jail.history import History, HistoryError
from jail.workspace import Workspace, WorkspaceError

MARK = b"VICTIM-SECRET-7f3a"  # in every file of the victim's tree and the sentinels
MIN_SWAPS = 3000
MIN_OPS = 150


def manifest(root: Path) -> dict[str, tuple[object, ...]]:
    """Everything under ``root`` (links never followed), with content, modes and owners."""
    found: dict[str, tuple[object, ...]] = {".": ("d", root.lstat().st_mode, root.lstat().st_uid)}
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
                found[rel] = ("o", info.st_mode, info.st_uid)
    return found


def _victim_tree(root: Path) -> None:
    """Another learner's workspace with an exercise repository full of marked files."""
    ex = root / "git" / "ex"
    ex.mkdir(parents=True)
    repo = pygit2.init_repository(str(ex), bare=False, initial_head="main")
    (ex / "story.txt").write_bytes(MARK + b" months of the victim's work\n")
    (ex / "notes").mkdir()
    (ex / "notes" / "n.txt").write_bytes(MARK + b" notes\n")
    repo.index.add_all()
    repo.index.write()
    sig = pygit2.Signature("Victim", "victim@classroom")
    repo.create_commit("HEAD", sig, sig, "victim's commit", repo.index.write_tree(), [])


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


def _swapper(attacker: str, targets: list[str], victim_file: str, count, stop) -> None:  # noqa: ANN001
    """The hostile Run: swap folders, .git, the course folder and files, as fast as it can.
    ``count`` is the number of links, hardlinks and FIFOs actually planted."""
    ws = Path(attacker)
    ex = ws / "git" / "ex"
    i = 0
    while not stop.is_set():
        target = targets[i % len(targets)]
        kind = i % 4
        hold = (i % 5) * 0.0002  # the link stays a little while on most rounds
        planted = False
        if kind == 0:  # the exercise folder becomes a link
            planted = _swap_once(ex, target, ws / "git" / ".ex-hidden", hold)
        elif kind == 1:  # its .git becomes a link (to another learner's repository)
            planted = _swap_once(
                ex / ".git", os.path.join(targets[0], ".git"), ex / ".git-hidden", hold
            )
        elif kind == 2:  # the course folder becomes a link
            planted = _swap_once(
                ws / "git", os.path.dirname(targets[0]), ws / ".git-course-hidden", hold
            )
        else:  # a file becomes a hardlink to another learner's file, then a FIFO
            story = ex / "story.txt"
            saved = ex / ".story-hidden"
            try:
                os.rename(story, saved)
                try:
                    os.link(victim_file, story)
                    planted = True
                    time.sleep(hold)
                    os.unlink(story)
                    os.mkfifo(story)
                    time.sleep(hold)
                    os.unlink(story)
                finally:
                    os.rename(saved, story)
            except OSError:
                pass
        i += 1
        if planted:
            with count.get_lock():
                count.value += 1


def _restore_attacker(ws: Path) -> None:
    """After the swapper stopped: put any hidden folder back, drop its leftovers."""
    for link in (ws / "git", ws / "git" / "ex", ws / "git" / "ex" / ".git"):
        if link.is_symlink():
            link.unlink()
    for hidden, home in (
        (ws / ".git-course-hidden", ws / "git"),
        (ws / "git" / ".ex-hidden", ws / "git" / "ex"),
    ):
        if hidden.exists() and not home.exists():
            os.rename(hidden, home)


@pytest.fixture
def alarm() -> object:
    """Fail instead of hanging if anything ever blocks on a planted FIFO."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("a file operation blocked (a FIFO was opened?)")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(300)
    yield None
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_sec_swapping_links_while_the_server_resets_provisions_checks_and_snapshots(
    tmp_path: Path, alarm: object
) -> None:
    data = tmp_path / "data"
    victim_root = data / "workspaces" / "victim"
    _victim_tree(victim_root)
    sentinel_etc = tmp_path / "etc"
    sentinel_etc.mkdir()
    (sentinel_etc / "passwd").write_bytes(MARK + b" root:x:0:0\n")
    (sentinel_etc / "shadow").write_bytes(MARK + b" root:$6$hash\n")
    (data / "history").mkdir()
    (data / "slate.db").write_bytes(MARK + b" the store\n")

    # The attacker's workspace, with the git exercise provisioned the way the server does.
    course = tmp_path / "course" / "ex"
    (course / "starter").mkdir(parents=True)
    (course / "starter" / "story.txt").write_text("Once upon a time\n")
    (course / "tests").mkdir()
    (course / "tests" / "setup.toml").write_text(
        '[[step]]\nop = "init"\n[[step]]\nop = "stage"\n'
        '[[step]]\nop = "commit"\nmessage = "Start the story"\n'
    )
    exercise = SimpleNamespace(
        dir=course, starter_dir=course / "starter", files=["story.txt"], readonly=[],
        checks=[{"kind": "git", "setup": "tests/setup.toml"}],
    )
    ws = Workspace(data / "workspaces" / "mallory")
    ws.provision()
    ws.write_atomic("git/ex/story.txt", "Once upon a time\n")
    assert gitops.provision(exercise, ws, "git/ex") is True
    history = History(data / "history" / "mallory.git")
    first = history.snapshot(ws, None, "start")
    assert first is not None

    targets = [
        str(victim_root / "git" / "ex"),  # another learner's exercise (and .git)
        str(victim_root),
        str(sentinel_etc),
        str(data),
        "/etc",
    ]
    watched = {
        "victim": (victim_root, manifest(victim_root)),
        "etc": (sentinel_etc, manifest(sentinel_etc)),
    }
    data_names = sorted(os.listdir(data))
    etc_names = sorted(os.listdir("/etc"))

    ctx = multiprocessing.get_context("fork")
    count = ctx.Value("l", 0)
    stop = ctx.Event()
    swapper = ctx.Process(
        target=_swapper,
        args=(str(ws.root), targets, str(victim_root / "git" / "ex" / "story.txt"), count, stop),
        daemon=True,
    )
    swapper.start()
    ops = refused = 0
    unexpected: list[BaseException] = []
    copies = tmp_path / "copies"
    deadline = time.monotonic() + 240
    try:
        while (count.value < MIN_SWAPS or ops < MIN_OPS) and time.monotonic() < deadline:
            step = ops % 6
            try:
                if step == 0:  # reset: delete the repository, put the starter back
                    gitops.provision(exercise, ws, "git/ex", reset=True)
                elif step == 1:  # first opening: starter files through the safe API
                    ws.write_atomic("git/ex/story.txt", "Once upon a time\n")
                    gitops.provision(exercise, ws, "git/ex")
                elif step == 2:  # the git check's private copy
                    dest = copies / str(ops)
                    ws.copy_files_to("git/ex", dest, include_git=True)
                elif step == 3:  # snapshots, whole and partial
                    history.snapshot(ws, None, f"snap {ops}")
                    history.snapshot(ws, ["git/ex"], f"part {ops}")
                elif step == 4:  # restore
                    history.restore(ws, first, "git/ex")
                else:  # reset's removal alone, the way a new repository goes in
                    ws.remove_tree("git/ex/.git")
                    ws.install_tree("git/ex", course / "starter")
            except (WorkspaceError, HistoryError, gitops.GitOpError) as exc:
                refused += 1
                assert "\n" not in str(exc).strip() or "step" in str(exc)
            except BaseException as exc:  # anything else is a bug: keep going, report below
                unexpected.append(exc)
            ops += 1
    finally:
        stop.set()
        swapper.join(10)
        if swapper.is_alive():
            swapper.kill()
    _restore_attacker(ws.root)
    swaps = count.value
    print(f"{swaps} planted, {ops} server operations, {refused} refused")
    assert swaps >= MIN_SWAPS, f"only {swaps} swaps in the time allowed"
    assert ops >= MIN_OPS
    import traceback

    assert not unexpected, "unclean failures:\n" + "\n".join(
        "".join(traceback.format_exception(exc)) for exc in unexpected[:3]
    )

    # Nothing outside the attacker's own tree changed ...
    for label, (root, before) in watched.items():
        assert manifest(root) == before, f"the {label} tree changed"
    assert sorted(os.listdir(data)) == data_names
    assert sorted(os.listdir("/etc")) == etc_names
    victim_repo = pygit2.Repository(str(victim_root / "git" / "ex"))
    assert victim_repo.head.peel(pygit2.Commit).message == "victim's commit"
    # ... and no byte of anyone else's tree reached the attacker's history or check copies.
    for version in history.versions(""):
        for path in history.files(version.id):
            assert MARK not in history.read(version.id, path), path
    passwd = Path("/etc/passwd").read_bytes()[:64]
    for dirpath, _, filenames in os.walk(copies, followlinks=False):
        for name in filenames:
            blob = (Path(dirpath) / name).read_bytes()
            assert MARK not in blob and passwd not in blob
    shutil.rmtree(copies, ignore_errors=True)
    # The attacker's own exercise still works once the swapping stops.
    gitops.provision(exercise, ws, "git/ex", reset=True)
    repo = gitops.open_repo(ws.root / "git" / "ex")
    assert repo.head.peel(pygit2.Commit).message.strip() == "Start the story"
