"""Disk is bounded *while* code runs (issue 9 item 4, ARCHITECTURE invariant 8): a Run works in a
quota-sized tmpfs copy of the exercise folder and a Check in a sized tmpfs copy of its work dir,
so no program can put more than the learner's quota (plus the bounded tmpfs) on a host
filesystem. A write past it fails with ENOSPC inside the sandbox, the result says "disk" in plain
words, and what the program changed is saved back through the workspace's safe API within the
quota. Every test runs in both uid modes (and again as an unprivileged user: test_nonroot)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from jail import profiles
from jail.run import Limits, run_async, run_in_workspace
from jail.workspace import Workspace

from .conftest import Mode, python

QUOTA = 4 << 20

WRITE_FOREVER = (
    "import os\n"
    "i = 0\n"
    "try:\n"
    "    while True:\n"
    "        with open(f'junk{i}', 'wb') as f:\n"
    "            f.write(b'x' * (1 << 20))\n"
    "        i += 1\n"
    "except OSError as exc:\n"
    "    print('stopped', i, exc.errno, flush=True)\n"
    "    raise\n"
)


def _workspace(mode: Mode, host_dir: Path, **quota: int) -> Workspace:
    ws = Workspace(
        host_dir / "ws",
        host_uid=mode.host_uid,
        quota_bytes=quota.get("bytes", QUOTA),
        quota_files=quota.get("files", 200),
    )
    ws.provision()
    ws.write_atomic("ex/main.py", "print('mine')\n")
    ws.write_atomic("ex/data.txt", "keep me\n")
    return ws


def _host_bytes(path: Path) -> int:
    """Bytes of every regular file under ``path`` on the host (links not followed)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            info = os.lstat(os.path.join(root, name))
            total += info.st_blocks * 512
    return total


async def test_sec_run_cannot_write_past_the_quota(mode: Mode, host_dir: Path) -> None:
    """A program that writes 1 MB files without end is stopped by ENOSPC inside its sandbox,
    at the quota: the host workspace never holds more than the quota, the result names the disk
    limit in plain words, and the learner's own files are intact."""
    ws = _workspace(mode, host_dir)
    result = await run_in_workspace(
        ws, "ex", python(WRITE_FOREVER), limits=Limits(), host_uid=mode.host_uid
    )
    assert result.limit == "disk"
    assert b"No space left on device" in result.stderr
    stopped = result.stdout.split()
    assert stopped[0] == b"stopped" and int(stopped[2]) == 28  # ENOSPC, inside the sandbox
    assert int(stopped[1]) <= QUOTA >> 20
    assert "space" in result.describe()
    assert _host_bytes(ws.root) <= QUOTA + (256 << 10)  # plus folders and git's own files
    assert ws.usage().bytes <= QUOTA
    assert ws.read_text("ex/main.py") == "print('mine')\n"
    assert ws.read_text("ex/data.txt") == "keep me\n"


async def test_sec_run_past_the_quota_keeps_what_fits_and_names_the_rest(
    mode: Mode, host_dir: Path
) -> None:
    """The tmpfs holds the whole quota, but other folders use part of it: the files that fit
    are saved, the ones that do not are named in the result (limit "disk"), none is torn."""
    ws = _workspace(mode, host_dir)
    ws.write_atomic("other/big.bin", b"o" * (QUOTA - (1 << 20)))
    code = "for i in range(3):\n    open(f'out{i}', 'wb').write(b'y' * (400 << 10))\n"
    result = await run_in_workspace(ws, "ex", python(code), limits=Limits(), host_uid=mode.host_uid)
    assert result.exit_code == 0
    assert result.limit == "disk"
    kept = [f"out{i}" for i in range(3) if ws.exists(f"ex/out{i}")]
    assert kept and len(kept) < 3
    for name in kept:
        assert ws.read_bytes(f"ex/{name}") == b"y" * (400 << 10)
    assert set(result.disk_refused) == {f"out{i}" for i in range(3)} - set(kept)
    assert "not kept" in result.describe() and result.disk_refused[0] in result.describe()
    assert ws.usage().bytes <= QUOTA


async def test_run_changes_come_back_through_the_safe_api(mode: Mode, host_dir: Path) -> None:
    """What the program writes, changes and deletes in its folder is in the workspace after."""
    ws = _workspace(mode, host_dir)
    code = (
        "import os\n"
        "print(open('data.txt').read().strip(), os.getcwd())\n"
        "open('data.txt', 'a').write('and more\\n')\n"
        "os.makedirs('out/deep')\n"
        "open('out/deep/result.txt', 'w').write('42\\n')\n"
        "os.remove('main.py')\n"
    )
    result = await run_in_workspace(ws, "ex", python(code), limits=Limits(), host_uid=mode.host_uid)
    assert result.ok, result.stderr
    assert result.stdout == b"keep me /workspace/ex\n"
    assert ws.read_text("ex/data.txt") == "keep me\nand more\n"
    assert ws.read_text("ex/out/deep/result.txt") == "42\n"
    assert not ws.exists("ex/main.py")
    info = os.stat(ws.root / "ex" / "out" / "deep" / "result.txt")
    assert info.st_uid == (mode.host_uid if mode.host_uid is not None else os.geteuid())


async def test_sec_run_sees_only_its_folder_and_never_a_planted_link(
    mode: Mode, host_dir: Path
) -> None:
    """The Run gets copies read through the safe API: a link in the folder (to a host file, or
    to another folder of the workspace) is not followed, and no other folder is visible."""
    ws = _workspace(mode, host_dir)
    ws.write_atomic("secret/notes.txt", "other folder\n")
    os.symlink("/etc/shadow", ws.root / "ex" / "shadow")
    os.symlink("../secret/notes.txt", ws.root / "ex" / "notes")
    code = (
        "import os\n"
        "print(sorted(os.listdir('.')), sorted(os.listdir('/workspace')))\n"
        "open('shadow', 'w').write('mine now')\n"
    )
    result = await run_in_workspace(ws, "ex", python(code), limits=Limits(), host_uid=mode.host_uid)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == b"['data.txt', 'main.py'] ['ex']\n"
    # The program's own "shadow" file is not written through the planted link.
    assert os.path.islink(ws.root / "ex" / "shadow")
    assert ws.read_text("secret/notes.txt") == "other folder\n"
    assert "shadow" in result.disk_refused


async def test_sec_learner_save_during_a_run_wins(mode: Mode, host_dir: Path) -> None:
    """The learner saves a file while their program runs and rewrites it: their save is kept."""
    ws = _workspace(mode, host_dir)
    code = "import time\ntime.sleep(1.5)\nopen('data.txt', 'w').write('from the program\\n')\n"
    running = asyncio.ensure_future(
        run_in_workspace(ws, "ex", python(code), limits=Limits(), host_uid=mode.host_uid)
    )
    await asyncio.sleep(0.5)
    ws.write_atomic("ex/data.txt", "saved by the learner\n")
    result = await running
    assert result.exit_code == 0
    assert ws.read_text("ex/data.txt") == "saved by the learner\n"


async def test_sec_many_empty_files_stay_within_the_file_quota(mode: Mode, host_dir: Path) -> None:
    """Thousands of empty files cost no bytes: the file-count quota bounds what is kept."""
    ws = _workspace(mode, host_dir, files=100)
    code = "for i in range(3000):\n    open(f'e{i}', 'w').close()\n"
    result = await run_in_workspace(ws, "ex", python(code), limits=Limits(), host_uid=mode.host_uid)
    assert result.exit_code == 0
    assert result.limit == "disk"
    assert ws.usage().files <= 100
    assert len(os.listdir(ws.root / "ex")) < 100


async def test_sec_run_killed_at_a_limit_still_saves_what_it_wrote(
    mode: Mode, host_dir: Path
) -> None:
    """A program stopped by the wall limit (its first program kills the rest, then sends the
    folder back) keeps the files it wrote before; a detached child is gone too."""
    ws = _workspace(mode, host_dir)
    code = (
        "import os, time\n"
        "open('partial.txt', 'w').write('written before the loop\\n')\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    while True: time.sleep(1)\n"
        "while True: pass\n"
    )
    result = await run_in_workspace(
        ws, "ex", python(code), limits=Limits(wall=6, cpu=30), host_uid=mode.host_uid
    )
    assert result.limit == "wall"
    assert ws.read_text("ex/partial.txt") == "written before the loop\n"


async def test_sec_run_cannot_kill_or_forge_its_seedbox(mode: Mode, host_dir: Path) -> None:
    """The program cannot kill the sandbox's first program (pid 1), nor open its pipe home
    through /proc/1/fd to forge what comes back (it is not dumpable)."""
    ws = _workspace(mode, host_dir)
    code = (
        "import os, signal\n"
        "for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGUSR1):\n"
        "    try:\n"
        "        os.kill(1, sig)\n"
        "    except OSError as exc:\n"
        "        print('kill', exc.errno)\n"
        "opened = 0\n"
        "for fd in range(64):\n"
        "    try:\n"
        "        os.open(f'/proc/1/fd/{fd}', os.O_WRONLY)\n"
        "        opened += 1\n"
        "    except OSError:\n"
        "        pass\n"
        "print('opened', opened)\n"
        "open('ok.txt', 'w').write('done\\n')\n"
    )
    result = await run_in_workspace(ws, "ex", python(code), limits=Limits(), host_uid=mode.host_uid)
    assert result.exit_code == 0, result.stderr
    assert b"opened 0" in result.stdout
    assert ws.read_text("ex/ok.txt") == "done\n"


async def test_sec_check_work_dir_is_never_on_a_host_disk(mode: Mode, host_dir: Path) -> None:
    """A Check's program writing without end fills its own sized tmpfs, not the host: the
    host work dir is unchanged, and the next sandbox of the check starts from the same copy."""
    work = host_dir / "work"
    work.mkdir()
    (work / "index.js").write_text("console.log('learner')\n")
    mode.own(work)
    spec = profiles.check_run(
        python(WRITE_FOREVER),
        work_dir=work,
        work_size=8 << 20,
        limits=Limits(),
        host_uid=mode.host_uid,
    )
    result = await run_async(spec)
    assert result.limit == "disk"
    assert b"No space left on device" in result.stderr
    assert sorted(os.listdir(work)) == ["index.js"]
    again = await run_async(
        profiles.check_run(
            ["sh", "-c", "ls; cat index.js"],
            work_dir=work,
            work_size=8 << 20,
            limits=Limits(),
            host_uid=mode.host_uid,
        )
    )
    assert again.stdout == b"index.js\nconsole.log('learner')\n"


async def test_check_profile_binds_course_files_read_only(mode: Mode, host_dir: Path) -> None:
    work = host_dir / "work"
    work.mkdir()
    (work / "greet.js").write_text("module.exports = 1\n")
    test = host_dir / "greet.test.js"
    test.write_text("console.log(require('./greet.js'))\n")
    mode.own(host_dir)
    spec = profiles.check_run(
        ["sh", "-c", "node greet.test.js; echo x > greet.test.js || echo refused"],
        work_dir=work,
        work_size=8 << 20,
        limits=Limits(),
        host_uid=mode.host_uid,
        ro_files={str(test): "/work/greet.test.js"},
    )
    result = await run_async(spec)
    assert result.stdout.startswith(b"1\n")
    assert b"refused" in result.stdout
    assert test.read_text() == "console.log(require('./greet.js'))\n"


def test_run_profile_binds_nothing_of_the_host() -> None:
    spec = profiles.learner_run(
        ["node", "x.js"], folder="ex", files={}, size=QUOTA, limits=Limits(), host_uid=None
    )
    assert spec.binds == [] and spec.profile == "run"
    assert spec.seed is not None and spec.seed.mount == "/workspace"


@pytest.mark.parametrize("name", sorted(profiles.PROFILES))
def test_every_profile_builds_through_the_one_builder(name: str) -> None:
    spec = profiles.sandbox_spec(profiles.PROFILES[name], ["true"])
    assert spec.new_session is (name != "tui")
    if os.geteuid() == 0:
        assert spec.run_as == profiles.NOBODY_UID


async def test_run_leaves_folders_it_does_not_send_back_alone(mode: Mode, host_dir: Path) -> None:
    """A Run's changes under node_modules and __pycache__ are not saved back, deletions included:
    a program wiping its caches does not wipe the learner's copies."""
    ws = _workspace(mode, host_dir)
    ws.write_atomic("ex/node_modules/lib/index.js", "module.exports = 1\n")
    ws.write_atomic("ex/__pycache__/main.cpython-311.pyc", b"\x00compiled")
    result = await run_in_workspace(
        ws,
        "ex",
        ["sh", "-c", "ls node_modules/lib; rm -rf node_modules __pycache__"],
        limits=Limits(),
        host_uid=mode.host_uid,
    )
    assert result.exit_code == 0 and result.stdout == b"index.js\n"
    assert ws.read_text("ex/node_modules/lib/index.js") == "module.exports = 1\n"
    assert ws.exists("ex/__pycache__/main.cpython-311.pyc")


async def test_sec_fork_bomb_in_a_run_is_ended_and_its_files_kept(
    mode: Mode, host_dir: Path
) -> None:
    """A Run's fork bomb fills its pids limit: the run ends as "pids", and the seedbox (which
    needs no new process to do it) still kills the rest and sends the folder back."""
    ws = _workspace(mode, host_dir)
    code = (
        "import os\n"
        "open('before.txt', 'w').write('saved\\n')\n"
        "while True:\n"
        "    try:\n"
        "        os.fork()\n"
        "    except OSError:\n"
        "        pass\n"
    )
    result = await run_in_workspace(
        ws, "ex", python(code), limits=Limits(wall=8), host_uid=mode.host_uid
    )
    assert result.limit == "pids"
    assert ws.read_text("ex/before.txt") == "saved\n"
