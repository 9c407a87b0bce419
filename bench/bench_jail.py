"""Sandbox spawn overhead: the same commands on the host and through ``jail.run``, in one table.

Run with ``.venv/bin/python -m bench.bench_jail`` (or ``main()``). Each row is ``RUNS`` timed runs
after one warm-up: ``/bin/true`` (pure spawn cost), ``node -e 0`` (runtime start-up) and a trivial
``node --test`` file (the floor of a node-test Check). Sandboxed rows run in shared-uid mode and,
as root, in per-learner mode too. A benchmark prints; it asserts nothing.
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

from jail.run import BASE_ENV, RunSpec, run_async
from jail.sandbox import Bind

RUNS = 30
BENCH_UID = 3_999_998
TEST_JS = (
    "const test = require('node:test');\n"
    "const assert = require('node:assert');\n"
    "test('adds', () => { assert.strictEqual(1 + 1, 2); });\n"
)


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _host(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    # The sandbox's clean environment, so both sides start the same way (an inherited
    # NODE_EXTRA_CA_CERTS, for one, more than doubles node's start-up).
    subprocess.run(argv, cwd=cwd, check=True, capture_output=True, env=dict(BASE_ENV))
    return time.perf_counter() - started


async def _sandboxed(argv: list[str], work: Path, host_uid: int | None) -> float:
    spec = RunSpec(argv=argv, binds=[Bind(str(work), "/work")], cwd="/work", host_uid=host_uid)
    started = time.perf_counter()
    result = await run_async(spec)
    elapsed = time.perf_counter() - started
    if result.exit_code != 0:
        raise RuntimeError(f"{argv} failed in the sandbox: {result.stderr[-300:]!r}")
    return elapsed


async def _measure(argv: list[str], work: Path, where: str, host_uid: int | None) -> list[float]:
    samples = []
    for index in range(RUNS + 1):
        if where == "host":
            elapsed = _host(argv, work)
        else:
            elapsed = await _sandboxed(argv, work, host_uid)
        if index:  # the first run warms caches
            samples.append(elapsed)
    return samples


async def _table() -> list[tuple[str, str, float, float, float | None]]:
    work = Path(tempfile.mkdtemp(prefix="slate-bench-", dir="/tmp"))
    work.chmod(0o755)
    (work / "add.test.js").write_text(TEST_JS)
    (work / "add.test.js").chmod(0o644)
    commands = {
        "/bin/true": ["/bin/true"],
        "node -e 0": ["node", "-e", "0"],
        "node --test (1 test)": ["node", "--test", "--test-reporter=tap", "add.test.js"],
    }
    modes: list[tuple[str, int | None]] = [("sandbox, shared uid", None)]
    if os.geteuid() == 0:
        modes.append(("sandbox, per-learner uid", BENCH_UID))
    rows = []
    try:
        for label, argv in commands.items():
            host = await _measure(argv, work, "host", None)
            host_p50 = statistics.median(host)
            rows.append((label, "host", host_p50, _percentile(host, 95), None))
            for mode, uid in modes:
                samples = await _measure(argv, work, "sandbox", uid)
                p50 = statistics.median(samples)
                rows.append((label, mode, p50, _percentile(samples, 95), p50 - host_p50))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main() -> None:
    """Measure and print the table (milliseconds)."""
    rows = asyncio.run(_table())
    print(f"Sandbox spawn overhead, {RUNS} runs each after a warm-up ({os.cpu_count()} CPUs)")
    header = f"{'command':<22} {'where':<26} {'p50 ms':>8} {'p95 ms':>8} {'+p50 ms':>8}"
    print(header)
    print("-" * len(header))
    for command, where, p50, p95, overhead in rows:
        extra = f"{overhead * 1000:8.1f}" if overhead is not None else f"{'':>8}"
        print(f"{command:<22} {where:<26} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {extra}")


if __name__ == "__main__":
    main()
