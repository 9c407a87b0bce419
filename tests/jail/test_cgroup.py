"""jail.cgroup: groups are created under our own cgroup with their limits, joined, killed and
removed; empty groups left by a crash are swept."""

from __future__ import annotations

import secrets
import subprocess

import pytest

from jail import cgroup

from .conftest import IS_ROOT

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


def test_sweep_removes_only_empty_groups() -> None:
    prefix = f"sweep-{secrets.token_hex(4)}-"
    empty = cgroup.Cgroup.create(prefix + "empty", 64 << 20, 8)
    busy = cgroup.Cgroup.create(prefix + "busy", 64 << 20, 8)
    assert empty is not None and busy is not None
    child = subprocess.Popen(["sleep", "60"], preexec_fn=busy.join)  # noqa: PLW1509
    try:
        assert cgroup.sweep_empty(prefix) == len(empty.dirs)
        assert all(not d.exists() for d in empty.dirs)
        assert all(d.exists() for d in busy.dirs)
    finally:
        busy.remove()
        child.wait(5)
