"""`make bench`: run every benchmark and print their tables, each measured in this one run."""

from __future__ import annotations

import importlib
import sys

BENCHES = [
    "bench.bench_gateway",
    "bench.bench_jail",
    "bench.bench_keystroke",
    "bench.bench_class",
    "bench.bench_check",
    "bench.bench_store",
    "bench.bench_disk",
    "bench.bench_watch",
    "bench.bench_lockout",
]


def main() -> int:
    wanted = sys.argv[1:] or BENCHES
    failed = 0
    for name in wanted:
        name = name if name.startswith("bench.") else f"bench.{name}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"\n{name}: not available ({exc})")
            continue
        try:
            module.main()
        except Exception as exc:  # one broken benchmark must not hide the others' tables
            failed += 1
            print(f"\n{name}: failed: {exc!r}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
