"""Check latency: what a learner waits between pressing Check and seeing the result.

Runs the server's own check path (`courses.checks.run_checks`: copy the files, fresh bubblewrap
sandbox with limits, node's test runner, parse) on a trivial node:test exercise and on an html
structural exercise, N times each, and prints p50/p95 beside the same node command run bare on the
host (the floor). Target (issue 3): node-test check p50 <= 300 ms.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from courses.catalog import load_catalog
from courses.checks import run_checks

RUNS = int(os.environ.get("BENCH_CHECKS", "20"))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def time_checks(course: str, exercise: str, host_uid: int | None) -> list[float]:
    ex = load_catalog().exercise(course, exercise)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        result = await run_checks(ex, ex.solution_dir, host_uid=host_uid)
        times.append(time.perf_counter() - t0)
        assert result.status == "passed", result.to_dict()
    return times


def time_bare_node(course: str, exercise: str) -> list[float]:
    """The same node test run straight on the host, no sandbox: the floor."""
    ex = load_catalog().exercise(course, exercise)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for path in ex.solution_dir.iterdir():
            shutil.copy(path, work / path.name)
        tests = []
        for check in ex.checks:
            for rel in check.get("tests", []):
                shutil.copy(ex.dir / rel, work / Path(rel).name)
                tests.append(Path(rel).name)
        for _ in range(RUNS):
            t0 = time.perf_counter()
            subprocess.run(
                ["node", "--test", "--test-reporter=tap", *tests],
                cwd=work,
                capture_output=True,
                check=True,
                # As clean as the sandbox's: an inherited NODE_EXTRA_CA_CERTS slows node's start.
                env={"PATH": "/usr/bin:/bin", "HOME": tmp, "LANG": "C.UTF-8"},
            )
            times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    uid = 3_099_999 if os.geteuid() == 0 else None
    catalog = load_catalog()
    js = next(c for c in catalog.courses if c.id == "javascript").exercises[0]
    html = next(c for c in catalog.courses if c.id == "html").exercises[0]
    rows = [
        ("node on the host (floor)", time_bare_node(js.course_id, js.id)),
        ("check node-test (sandboxed)", asyncio.run(time_checks(js.course_id, js.id, uid))),
        ("check html (structural)", asyncio.run(time_checks(html.course_id, html.id, uid))),
    ]
    mode = "per-learner uid" if uid is not None else "shared uid"
    print(
        f"\nCheck latency ({RUNS} runs each, {mode}; exercises {js.course_id}/{js.id}, "
        f"{html.course_id}/{html.id})"
    )
    print(f"{'what':32} {'p50 ms':>9} {'p95 ms':>9}  target")
    for label, times in rows:
        target = "p50 <= 300" if "node-test" in label else ""
        print(
            f"{label:32} {statistics.median(times) * 1000:9.1f} "
            f"{pct(times, 95) * 1000:9.1f}  {target}"
        )


if __name__ == "__main__":
    main()
