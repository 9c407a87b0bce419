"""Disk a Run or a Check can write before it is stopped (issue 9.4), one at a time and ten at once.

Each learner's program writes 1 MB files without end (``fs.writeFileSync`` in node, the way a
learner would) for at most 10 s of wall time. A Run works in a tmpfs copy of its exercise folder
the size of the learner's quota (``jail.run.run_in_workspace``): the table shows what the
program managed to write inside before ENOSPC, what reached the host (the workspace after the
changes were saved back through the safe API), and how long it took. A Check writes into a
sized tmpfs copy of its work dir (``jail.profiles.check_run``) and puts nothing on the host.
Before this design one such 10-second Run wrote 13.4 GB to the host disk.

Run with ``.venv/bin/python -m bench.bench_disk`` (root: per-learner uids; otherwise shared
uid, the non-root demo). A benchmark prints; it asserts nothing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path

from jail.profiles import check_run
from jail.run import Limits, RunResult, run_async, run_in_workspace
from jail.workspace import Workspace

QUOTA = 50 << 20  # the default workspace quota
BENCH_UID = 3_999_900
FLOOD = (
    "const fs = require('fs'); let i = 0;"
    "try { for (;;) { fs.writeFileSync('junk' + i, Buffer.alloc(1 << 20, 120)); i++; } }"
    "catch (e) { console.log('wrote ' + i + ' ' + e.code); }"
)


def _host_mb(path: Path) -> float:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total / (1 << 20)


def _inside_mb(result: RunResult) -> float:
    words = result.stdout.split()
    return float(words[1]) if len(words) >= 2 and words[0] == b"wrote" else float("nan")


async def _one_run(base: Path, index: int) -> tuple[float, float, float, str]:
    host_uid = BENCH_UID + index if os.geteuid() == 0 else None
    ws = Workspace(base / f"learner{index}", host_uid=host_uid, quota_bytes=QUOTA)
    ws.provision()
    ws.write_atomic("ex/flood.js", FLOOD)
    started = time.perf_counter()
    result = await run_in_workspace(
        ws, "ex", ["node", "flood.js"], limits=Limits(wall=10), host_uid=host_uid
    )
    elapsed = time.perf_counter() - started
    return _inside_mb(result), _host_mb(ws.root), elapsed, str(result.limit)


async def _one_check(base: Path, index: int) -> tuple[float, float, float, str]:
    host_uid = BENCH_UID + 100 + index if os.geteuid() == 0 else None
    work = base / f"check{index}"
    work.mkdir()
    (work / "flood.js").write_text(FLOOD)
    if host_uid is not None:
        os.chown(work, host_uid, host_uid)
        os.chown(work / "flood.js", host_uid, host_uid)
    started = time.perf_counter()
    result = await run_async(
        check_run(["node", "flood.js"], work_dir=work, limits=Limits(wall=10), host_uid=host_uid)
    )
    elapsed = time.perf_counter() - started
    return _inside_mb(result), _host_mb(work), elapsed, str(result.limit)


async def _rows() -> list[tuple[str, int, float, float, float, str]]:
    rows = []
    for what, one in (("Run", _one_run), ("Check", _one_check)):
        for parallel in (1, 10):
            base = Path(tempfile.mkdtemp(prefix="slate-bench-disk-", dir="/tmp"))
            base.chmod(0o755)
            try:
                results = await asyncio.gather(*(one(base, i) for i in range(parallel)))
            finally:
                shutil.rmtree(base, ignore_errors=True)
            inside = max(r[0] for r in results)
            host = max(r[1] for r in results)
            total_host = sum(r[1] for r in results)
            seconds = max(r[2] for r in results)
            limits = ",".join(sorted({r[3] for r in results}))
            rows.append((what, parallel, inside, host, total_host, f"{seconds:.1f}s {limits}"))
    return rows


def main() -> None:
    mode = "per-learner uids" if os.geteuid() == 0 else "shared uid (non-root)"
    print(
        f"\nDisk written by a program that writes 1 MB files without end ({mode}; quota "
        f"{QUOTA >> 20} MB; check work dir tmpfs = Limits.tmp + 20 MB)"
    )
    print(
        f"{'what':6} {'at once':>7} {'MB inside (max)':>16} {'MB on host/run (max)':>21} "
        f"{'MB on host (all)':>17}  time, limit"
    )
    for what, parallel, inside, host, total, tail in asyncio.run(_rows()):
        print(f"{what:6} {parallel:>7} {inside:>16.0f} {host:>21.1f} {total:>17.1f}  {tail}")


if __name__ == "__main__":
    main()
