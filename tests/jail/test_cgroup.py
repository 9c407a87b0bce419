"""jail.cgroup: groups are created under our own cgroup with their limits, joined, killed and
removed; groups left by a crash are swept, and what still runs in them is killed."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from jail import cgroup

from .conftest import IS_ROOT

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not IS_ROOT or cgroup.version() is None, reason="needs root and cgroup memory+pids"
)


def test_create_join_kill_remove() -> None:
    name = f"test-{secrets.token_hex(6)}"
    group = cgroup.Cgroup.create(name, 64 << 20, 8)
    assert group is not None
    try:
        child = subprocess.Popen(["sleep", "60"], preexec_fn=group.join)  # noqa: PLW1509
        assert group.pids() == [child.pid]
        group.kill_all()
        assert child.wait(5) == -9
        assert group.pids() == []
    finally:
        group.remove()
    assert all(not d.exists() for d in group.dirs)


def test_limits_are_written() -> None:
    group = cgroup.Cgroup.create(f"test-{secrets.token_hex(6)}", 96 << 20, 12)
    assert group is not None
    try:
        if group.version == 1:
            assert int((group.dirs[0] / "memory.limit_in_bytes").read_text()) == 96 << 20
            assert (group.dirs[1] / "pids.max").read_text().strip() == "12"
        else:
            assert int((group.dirs[0] / "memory.max").read_text()) == 96 << 20
            assert (group.dirs[0] / "pids.max").read_text().strip() == "12"
    finally:
        group.remove()


def test_bad_names_refused() -> None:
    for bad in ("", "../x", "a/b", "a b"):
        with pytest.raises(ValueError):
            cgroup.Cgroup.create(bad, 64 << 20, 8)


def _made_by_a_process_that_is_gone(name: str) -> None:
    """Create a group from a child process that then exits (a crashed server's leftover)."""
    code = (
        "import sys\n"
        "from jail import cgroup\n"
        f"assert cgroup.Cgroup.create({name!r}, 64 << 20, 8) is not None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


def test_sweep_removes_only_abandoned_empty_groups() -> None:
    prefix = f"sweep-{secrets.token_hex(4)}-"
    _made_by_a_process_that_is_gone(prefix + "left")
    busy = cgroup.Cgroup.create(prefix + "busy", 64 << 20, 8)
    # Made by this (live) process and not joined yet: another server's sweep must leave it.
    fresh = cgroup.Cgroup.create(prefix + "fresh", 64 << 20, 8)
    assert busy is not None and fresh is not None
    child = subprocess.Popen(["sleep", "60"], preexec_fn=busy.join)  # noqa: PLW1509
    try:
        left = [d for base in cgroup._base_dirs() for d in base.glob(prefix + "left@*")]
        assert left
        assert cgroup.sweep_abandoned(prefix) >= len(left)
        assert all(not d.exists() for d in left)
        assert all(d.exists() for d in busy.dirs)
        assert all(d.exists() for d in fresh.dirs)
        # The race that made runs fail: the fresh group can still be joined after a sweep.
        late = subprocess.Popen(["sleep", "60"], preexec_fn=fresh.join)  # noqa: PLW1509
        assert fresh.pids() == [late.pid]
        fresh.kill_all()
        late.wait(5)
    finally:
        busy.remove()
        fresh.remove()
        child.wait(5)
        for base in cgroup._base_dirs():
            for d in base.glob(prefix + "*"):
                d.rmdir()


def _left_running_by_a_process_that_is_gone(name: str) -> int:
    """A crashed server's leftover that still runs: a child creates a group, starts a process
    in it that outlives it (in a session of its own, like a TUI whose bwrap missed its parent's
    death), and exits. Returns the survivor's pid."""
    code = (
        "import subprocess\n"
        "from jail import cgroup\n"
        f"group = cgroup.Cgroup.create({name!r}, 64 << 20, 8)\n"
        "assert group is not None\n"
        "child = subprocess.Popen(['sleep', '300'], preexec_fn=group.join,\n"
        "                         start_new_session=True, stdout=subprocess.DEVNULL,\n"
        "                         stderr=subprocess.DEVNULL)\n"
        "print(child.pid)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60, capture_output=True
    )
    return int(out.stdout)


def _alive(pid: int) -> bool:
    """True while ``pid`` is a live process (not gone, not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sweep_kills_what_runs_on_in_a_crashed_creators_group() -> None:
    prefix = f"sweep-{secrets.token_hex(4)}-"
    survivor = _left_running_by_a_process_that_is_gone(prefix + "session")
    # A live creator's busy group (another server's session) is never touched.
    busy = cgroup.Cgroup.create(prefix + "busy", 64 << 20, 8)
    assert busy is not None
    child = subprocess.Popen(["sleep", "60"], preexec_fn=busy.join)  # noqa: PLW1509
    try:
        left = [d for base in cgroup._base_dirs() for d in base.glob(prefix + "session@*")]
        assert left and _alive(survivor)
        assert cgroup.sweep_abandoned(prefix) >= len(left)
        assert not _alive(survivor)
        assert all(not d.exists() for d in left)
        assert busy.pids() == [child.pid] and child.poll() is None
        assert all(d.exists() for d in busy.dirs)
    finally:
        busy.remove()
        child.wait(5)
        if _alive(survivor):
            os.kill(survivor, signal.SIGKILL)
        for base in cgroup._base_dirs():
            for d in base.glob(prefix + "*"):
                d.rmdir()
