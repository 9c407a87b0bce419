"""Lockout benchmark (issue 9.6): how long the owner of an account waits to get in while other
people on the owner's own address guess at it.

For each flood size N, N scripted guessers on one address each try wrong passwords for the
victim's account in a loop (a new connection per try, as fast as the server answers), until the
(name, address) pair is locked; then the owner logs in from the same address with the right
password, ``BENCH_LOCKOUT_TRIES`` times, and a classmate on the same address once per round.
The server runs with the shipped ``[auth]`` defaults. Prints one table: owner's time to
authenticate p50 / max, the classmate's, the guessers' tries per second, and the load average.
Target: the owner is in within 5 s.

Env: ``BENCH_LOCKOUT_FLOODS`` (default "0,12,20,40"), ``BENCH_LOCKOUT_TRIES`` (default 5).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import asyncssh

from bench.bench_gateway import Gateway, start_gateway

FLOODS = [int(n) for n in os.environ.get("BENCH_LOCKOUT_FLOODS", "0,12,20,40").split(",")]
TRIES = int(os.environ.get("BENCH_LOCKOUT_TRIES", "5"))
SHARED = "127.0.0.13"
TARGET = 5.0


async def attempt(gw: Gateway, name: str, password: str, bind: str) -> tuple[bool, float]:
    """One login with asyncssh's client from ``bind``: (got in, seconds to the answer)."""
    started = time.monotonic()
    try:
        conn = await asyncssh.connect(
            "127.0.0.1",
            gw.port,
            username=name,
            password=password,
            known_hosts=None,
            client_keys=None,
            local_addr=(bind, 0),
            login_timeout=60,
        )
    except (asyncssh.Error, OSError):
        return False, time.monotonic() - started
    took = time.monotonic() - started
    conn.close()
    return True, took


async def owner_in(gw: Gateway, name: str, password: str) -> float:
    """Seconds until the owner is in, retrying like a person would after a refusal."""
    started = time.monotonic()
    while time.monotonic() - started < 60:
        ok, _ = await attempt(gw, name, password, SHARED)
        if ok:
            return time.monotonic() - started
    return float("inf")


async def flood_round(gw: Gateway, guessers: int) -> dict[str, float]:
    (victim, victim_pw), (mate, mate_pw) = gw.users[0], gw.users[1]
    stop = asyncio.Event()
    tries = 0

    async def guess_forever(k: int) -> None:
        nonlocal tries
        i = 0
        while not stop.is_set():
            await attempt(gw, victim, f"guess-{k}-{i}", SHARED)
            tries += 1
            i += 1

    flood = [asyncio.create_task(guess_forever(k)) for k in range(guessers)]
    await asyncio.sleep(15 if guessers else 0)  # long enough to lock the pair and fill queues
    flood_started, tries_before = time.monotonic(), tries
    owner = [await owner_in(gw, victim, victim_pw) for _ in range(TRIES)]
    mate_took = await owner_in(gw, mate, mate_pw)
    rate = (tries - tries_before) / max(0.001, time.monotonic() - flood_started)
    stop.set()
    await asyncio.gather(*flood, return_exceptions=True)
    await asyncio.sleep(3)  # let the server settle before the next round
    return {
        "owner_p50": statistics.median(owner),
        "owner_max": max(owner),
        "mate": mate_took,
        "rate": rate,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="slate-bench-lockout-") as tmp:
        gw = start_gateway(Path(tmp), "learner", 2, default_auth=True)
        try:
            rows = [(n, asyncio.run(flood_round(gw, n))) for n in FLOODS]
        finally:
            gw.proc.terminate()
            gw.proc.wait(10)
    print("\nLockout: the owner logs in from the address their guessers share (shipped [auth])")
    print(
        f"| guessers | owner p50 | owner max | classmate | guesses/s | load | target {TARGET:g} s |"
    )
    print("|---|---|---|---|---|---|---|")
    for n, r in rows:
        verdict = "met" if r["owner_max"] <= TARGET else "MISSED"
        print(
            f"| {n} | {r['owner_p50']:.2f} s | {r['owner_max']:.2f} s | {r['mate']:.2f} s "
            f"| {r['rate']:.1f} | {r['load']:.1f} | {verdict} |"
        )


if __name__ == "__main__":
    main()
