"""How long the event loop is held by a store write: an audit append and a progress write, the
two SQLite writes the server makes on its event loop (one per request, never per keystroke).

Prints p50/p95/p99/max in milliseconds for N writes into a fresh WAL database on this disk,
and the same while a second process hammers the same database (a CLI command or the indexer
writing at the same moment), so "bounded and measured" is a number from this run.
"""

from __future__ import annotations

import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from server.audit import AuditLog
from server.store import Store

N = 500


def _percentiles(samples: list[float]) -> tuple[float, float, float, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return at(0.50), at(0.95), at(0.99), ordered[-1] * 1000


def _hammer(db: str, stop_at: float) -> None:
    store = Store(Path(db))
    audit = AuditLog(store)
    while time.monotonic() < stop_at:
        audit.append("bench_other_writer", actor="cli", note="x" * 200)


def _measure(store: Store, audit: AuditLog) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"audit append": [], "progress write": []}
    for i in range(N):
        started = time.perf_counter()
        audit.append("bench_event", actor="ada", address="127.0.0.1", session="s", n=i)
        out["audit append"].append(time.perf_counter() - started)
        started = time.perf_counter()
        store.record_attempt("ada", "html", f"ex{i % 20}", i % 3 == 0, {"status": "failed"})
        out["progress write"].append(time.perf_counter() - started)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="slate-bench-store-", dir="/var/tmp") as tmp:
        db = Path(tmp) / "slate.db"
        store = Store(db)
        store.add_account("ada", "learner", password="a long enough password")
        audit = AuditLog(store)
        quiet = _measure(store, audit)
        other = multiprocessing.get_context("spawn").Process(
            target=_hammer, args=(str(db), time.monotonic() + 60)
        )
        other.start()
        time.sleep(0.5)
        try:
            busy = _measure(store, audit)
        finally:
            other.terminate()
            other.join()
    print(f"\nStore writes on the event loop ({N} each, ms)")
    print(f"{'write':<16} {'load':<22} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for load, results in (("alone", quiet), ("another writer", busy)):
        for kind, samples in results.items():
            p50, p95, p99, worst = _percentiles(samples)
            print(f"{kind:<16} {load:<22} {p50:7.2f} {p95:7.2f} {p99:7.2f} {worst:7.2f}")
    print(f"(mean audit append alone: {statistics.mean(quiet['audit append']) * 1000:.2f} ms)")


if __name__ == "__main__":
    main()
