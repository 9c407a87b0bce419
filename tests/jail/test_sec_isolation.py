"""One learner's limits never hit another (issue 9 item 5). In shared-uid mode (a non-root demo:
every sandbox runs as the server's uid, no cgroups) the process limit is set inside each run's
own user namespace and the pids watchdog counts only the run's own process tree, so one
learner's fork bomb cannot end or starve another learner's Run. A crash of a program whose heap
reached the RLIMIT_DATA fallback is named as the memory limit, not left unexplained. Both uid
modes here; test_nonroot runs this file again as an unprivileged user (the case that matters)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess

import pytest

from jail.run import count_tree_tasks, run_async

from .conftest import IS_ROOT, Mode, python

FORK_BOMB = """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""

# A well-behaved program that needs a few processes: 20 children, each alive for a while.
TWENTY_CHILDREN = """
import subprocess, sys
children = [subprocess.Popen(['sleep', '3']) for _ in range(20)]
print(sum(child.wait() == 0 for child in children))
"""


async def test_sec_fork_bomb_does_not_end_another_learners_run(mode: Mode) -> None:
    """Learner B's programs start twenty children each; while they run, learner A's fork bomb
    goes off (and is ended as "pids"). B's programs finish normally, with no limit named.
    (Before the fix, in shared-uid mode, B's runs were ended as "too many processes".)"""
    from .conftest import fresh_uid

    other = Mode(mode.name, None if mode.host_uid is None else fresh_uid())
    victims = asyncio.gather(
        *(other.run(python(TWENTY_CHILDREN), limits={"wall": 10}) for _ in range(2))
    )
    await asyncio.sleep(0.8)  # B's children are alive when the bomb goes off
    result = await mode.run(python(FORK_BOMB), limits={"wall": 8})
    assert result.limit == "pids"
    for victim in await victims:
        assert victim.limit is None, (victim.limit, victim.stderr[-300:])
        assert victim.exit_code == 0 and victim.stdout == b"20\n", victim.stderr[-300:]


async def test_sec_two_fork_bombs_each_ended_by_their_own_limit(mode: Mode) -> None:
    """Two learners' fork bombs at once: each is ended by its own pids limit. In per-learner
    mode two learners have two host uids (the same uid would share RLIMIT_NPROC, which the
    kernel counts per uid: that is one learner, and whichever bomb met it first was starved)."""
    other = dataclasses.replace(
        mode.spec(python(FORK_BOMB), limits={"wall": 8}),
        host_uid=mode.host_uid + 1 if mode.host_uid is not None else None,
    )
    first, second = await asyncio.gather(
        mode.run(python(FORK_BOMB), limits={"wall": 8}),
        run_async(other),
    )
    assert first.limit == "pids" and second.limit == "pids"
    assert first.duration < 6 and second.duration < 6


async def test_sec_busy_uid_does_not_start_a_run_already_over_its_limit(mode: Mode) -> None:
    """The server's uid already runs many processes (other sessions, other runs): a new run
    still gets its whole pids budget, because only its own tasks are counted."""
    sleepers = [subprocess.Popen(["sleep", "20"]) for _ in range(80)]
    try:
        result = await mode.run(python(TWENTY_CHILDREN), limits={"pids": 32})
    finally:
        for proc in sleepers:
            proc.kill()
            proc.wait()
    assert result.limit is None, result.stderr[-300:]
    assert result.stdout == b"20\n"


TREE = """
import subprocess, sys, threading, time
sleeps = [subprocess.Popen(['sleep', '5']) for _ in range(2)]
for _ in range(3):
    threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
print('ready', flush=True)
time.sleep(5)
"""


def test_count_tree_tasks_counts_only_the_tree() -> None:
    outside = [subprocess.Popen(["sleep", "5"]) for _ in range(5)]
    tree = subprocess.Popen(["python3", "-c", TREE], stdout=subprocess.PIPE)
    try:
        assert tree.stdout is not None and tree.stdout.readline() == b"ready\n"
        # Two sleeps and nothing else below the python (its own 4 threads are the root's).
        assert count_tree_tasks(tree.pid) == 2
        # From the python's parent (this test): the python's 4 threads + 2 sleeps + the five
        # outside sleeps, which are this process's children too.
        assert count_tree_tasks(os.getpid()) >= 4 + 2 + 5
        assert count_tree_tasks(outside[0].pid) == 0
    finally:
        for proc in [*outside, tree]:
            proc.kill()
            proc.wait()


# Allocates until the memory limit refuses, then (in a child of the shell, so not pid 1) dies
# of SIGSEGV without a word: what node does when a flood of output fills its heap.
SILENT_CRASH_AT_THE_LIMIT = """
import os, signal, time
heap = []
try:
    while True:
        heap.append(bytearray(4 << 20))
except MemoryError:
    pass
time.sleep(0.6)
os.kill(os.getpid(), signal.SIGSEGV)
"""


async def test_sec_silent_crash_at_the_memory_limit_is_named(mode: Mode) -> None:
    result = await mode.run(
        ["sh", "-c", 'python3 -c "$0"; exit $?', SILENT_CRASH_AT_THE_LIMIT],
        limits={"memory": 96 << 20},
    )
    assert result.limit == "memory", result
    assert "memory" in result.describe()


async def test_a_real_segfault_is_not_called_a_memory_limit(mode: Mode) -> None:
    result = await mode.run(["sh", "-c", 'python3 -c "import ctypes; ctypes.string_at(0)"'])
    assert result.signal == 11 or result.exit_code == 139
    assert result.limit is None


@pytest.mark.skipif(IS_ROOT, reason="the RLIMIT_DATA fallback exists only without cgroups")
async def test_sec_node_output_flood_that_dies_of_its_memory_limit_is_named(mode: Mode) -> None:
    """node printing without end to a pipe grows its heap until RLIMIT_DATA and dies of a
    signal (often SIGSEGV) with no words: the result names the memory limit."""
    result = await mode.run(
        ["node", "-e", "for (let i = 0; ; i++) console.log('line ' + i)"],
        limits={"memory": 128 << 20, "output": 256 << 20, "wall": 40, "cpu": 40},
    )
    # Never unnamed (the bug was limit=None). On a slow or loaded host the CPU limit can come
    # first, or the wall clock (node writes to a pipe synchronously: while the reader is slow it
    # waits, using neither CPU nor heap): that is the real limit then, and it is named too.
    assert result.limit in ("memory", "output", "cpu", "wall"), result
    if result.signal not in (None, 9):
        assert result.limit == "memory"
        assert result.memory_peak is not None and result.memory_peak >= 64 << 20
