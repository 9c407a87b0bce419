"""Check latency: what a learner waits between pressing Check and seeing the result.

Runs the server's own check path (`courses.checks.run_checks`: copy the files, fresh bubblewrap
sandbox with limits, node's test runner, parse) on a trivial node:test exercise and on an html
structural exercise, N times each, and prints p50/p95 beside the same node command run bare on the
host (the floor). Target (issue 3): node-test check p50 <= 300 ms.

Then the class case (issue 15: 20 learners press Check at once, p95 <= 1 s on 2 cores): the
catalog's first exercise (what ``bench_class`` checks) with BENCH_CHECK_CONCURRENT checks started
together, each under its own learner uid, and one at a time for comparison. CPU per check is read
from the kernel, so it is a fair figure on a busy machine: this process (the server's share:
copies, work dirs, cgroups, spawning, parsing), its reaped children (the sandboxes: bubblewrap,
node, ...), and each sandbox's own cgroup (harness / learner side). Load average beside each row.
Knobs: BENCH_CHECKS=20 (runs per row), BENCH_CHECK_CONCURRENT=20, BENCH_CHECK_ROUNDS=3.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from courses.catalog import load_catalog
from courses.checks import run_checks
from jail import run as jail_run

RUNS = int(os.environ.get("BENCH_CHECKS", "20"))
CONCURRENT = int(os.environ.get("BENCH_CHECK_CONCURRENT", "20"))
ROUNDS = int(os.environ.get("BENCH_CHECK_ROUNDS", "3"))
UID_BASE = 3_099_900  # learner uids of the class case (the jail's range; root only)


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


def loadavg() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process (every thread) and of its reaped children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


class SandboxCpu:
    """Records each sandbox's own CPU (its cgroup's) by side, around ``jail.run.run_async``."""

    def __init__(self) -> None:
        self.by_side: dict[str, list[float]] = {"harness": [], "learner": []}
        self._real = jail_run.run_async

    async def _run(self, spec: Any, *args: Any, **kwargs: Any) -> Any:
        result = await self._real(spec, *args, **kwargs)
        side = "learner" if any(a.endswith("/serve.cjs") for a in spec.argv) else "harness"
        if result.cpu_time is not None:
            self.by_side[side].append(result.cpu_time)
        return result

    def __enter__(self) -> SandboxCpu:
        jail_run.run_async = self._run
        return self

    def __exit__(self, *exc: object) -> None:
        jail_run.run_async = self._real


async def class_round(ex: Any, count: int, together: bool) -> dict[str, Any]:
    """``count`` checks of ``ex`` (the solution, each under its own uid): all at once, or one
    after another. Returns latencies, CPU per check and the load."""
    uid = UID_BASE if os.geteuid() == 0 else None
    latencies: list[float] = []

    async def one(i: int) -> None:
        t0 = time.perf_counter()
        result = await run_checks(ex, ex.solution_dir, host_uid=None if uid is None else uid + i)
        latencies.append(time.perf_counter() - t0)
        assert result.status == "passed", result.to_dict()

    with SandboxCpu() as sandboxes:
        own0, kids0 = _cpu()
        t0 = time.perf_counter()
        if together:
            await asyncio.gather(*(one(i) for i in range(count)))
        else:
            for i in range(count):
                await one(i)
        wall = time.perf_counter() - t0
        own1, kids1 = _cpu()
    return {
        "latencies": latencies,
        "wall": wall,
        "own": (own1 - own0) / count,
        "kids": (kids1 - kids0) / count,
        "harness": statistics.mean(sandboxes.by_side["harness"] or [0.0]),
        "learner": sum(sandboxes.by_side["learner"]) / count,
        "learner_sides": len(sandboxes.by_side["learner"]),
        "load": loadavg(),
    }


def class_case() -> None:
    catalog = load_catalog()
    ex = catalog.courses[0].exercises[0]
    kinds = ", ".join(str(c.get("kind")) for c in ex.checks)
    print(
        f"\nThe class case: {ex.course_id}/{ex.id} ({kinds}), the catalog's first exercise "
        f"(bench_class's); {CONCURRENT} checks at once vs one at a time, {ROUNDS} rounds each"
    )
    print(
        f"{'how':11} {'p50 ms':>7} {'p95 ms':>7} {'all ms':>7}   CPU ms per check: {'server':>6} "
        f"{'sandboxes':>9} (harness + learner side, {'sides':>5})  load"
    )
    for _ in range(ROUNDS):
        for together in (True, False):
            r = asyncio.run(class_round(ex, CONCURRENT, together))
            lat = r["latencies"]
            print(
                f"{'at once' if together else 'one by one':11} {pct(lat, 50) * 1000:7.0f} "
                f"{pct(lat, 95) * 1000:7.0f} {r['wall'] * 1000:7.0f}   {'':17} "
                f"{r['own'] * 1000:6.1f} {r['kids'] * 1000:9.1f} ({r['harness'] * 1000:7.1f} + "
                f"{r['learner'] * 1000:5.1f}, {r['learner_sides']:>5} started)  {r['load']}"
            )


def main() -> None:
    if os.environ.get("BENCH_CHECK_ONLY") == "class":
        class_case()
        return
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
    class_case()


if __name__ == "__main__":
    main()
