"""Watch benchmark (issue 10): what watching costs, measured through the real path in one run.

N learners (default 30) type into the editor at a realistic rate (random arrivals, ~4 keys/s
each) through the real gateway and their real TUIs; first with nobody watching, then while one
instructor (80x24) watches one learner and another (120x30) watches a grid of 6. Printed side by
side: watch lag (learner keystroke -> the instructor's screen shows it) p50/p95 (target p95 <=
100 ms), learner echo p50/p95 with and without watchers (watching must not slow learners by more
than 10 %), broker CPU (the server process: relaying is its share) and bytes per second sent to
each watching instructor.

Environment: BENCH_WATCH_LEARNERS (30), BENCH_WATCH_SECONDS (15 per phase), BENCH_WATCH_RATE (4).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import pyte

from bench.bench_gateway import Gateway, cpu_seconds, pct, start_gateway

LEARNERS = int(os.environ.get("BENCH_WATCH_LEARNERS", "30"))
SECONDS = float(os.environ.get("BENCH_WATCH_SECONDS", "15"))
RATE = float(os.environ.get("BENCH_WATCH_RATE", "4"))
F3 = b"\x1b[13~"
LETTERS = b"abcdefghijklmnopqrstuvwxyz"


class Screen(asyncssh.SSHClientSession):  # type: ignore[type-arg]
    """A client terminal: a pyte screen, bytes counted, a callback on every arrival."""

    def __init__(self, cols: int = 80, rows: int = 24) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes = 0
        self.arrived = asyncio.Event()
        self.on_data: list[object] = []

    def data_received(self, data: bytes, datatype: object) -> None:
        self.bytes += len(data)
        self.stream.feed(data)
        self.arrived.set()
        for callback in list(self.on_data):
            callback()  # type: ignore[operator]

    def text(self) -> str:
        return "\n".join(self.screen.display)


@dataclass
class Typist:
    name: str
    chan: object
    term: Screen
    echoes: list[float] = field(default_factory=list)
    line: bytearray = field(default_factory=bytearray)


async def login(gw: Gateway, user: tuple[str, str], cols: int = 80, rows: int = 24):  # type: ignore[no-untyped-def]
    conn = await asyncssh.connect(
        "127.0.0.1", gw.port, username=user[0], password=user[1], known_hosts=None,
        client_keys=None, encoding=None,
    )
    chan, term = await conn.create_session(
        lambda: Screen(cols, rows), term_type="xterm-256color", term_size=(cols, rows)
    )
    await wait_text(term, re.escape(user[0]), 30)
    return conn, chan, term


async def wait_text(term: Screen, pattern: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    rx = re.compile(pattern)
    while not rx.search(term.text()):
        term.arrived.clear()
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{pattern!r} not seen:\n{term.text()}")
        try:
            await asyncio.wait_for(term.arrived.wait(), left)
        except TimeoutError:
            pass


async def quiet(term: Screen, seconds: float = 0.3) -> None:
    while True:
        term.arrived.clear()
        try:
            await asyncio.wait_for(term.arrived.wait(), seconds)
        except TimeoutError:
            return


async def type_for(typist: Typist, seconds: float, lags: list[float] | None,
                   watcher: Screen | None, own: list[float] | None = None) -> None:
    """Type letters at random arrivals (mean ``RATE``/s); time each echo (and, for the watched
    learner, when the watcher's screen shows the line typed so far)."""
    rng = random.Random(typist.name)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await asyncio.sleep(rng.expovariate(RATE))
        if len(typist.line) >= 30:
            key = b"\r"
            typist.line.clear()
        else:
            key = LETTERS[rng.randrange(len(LETTERS)) : ][:1]
            typist.line += key
        want = typist.line.decode()
        term = typist.term
        term.arrived.clear()
        sent = time.perf_counter()
        seen = asyncio.get_running_loop().create_future()
        mine = asyncio.get_running_loop().create_future()
        if watcher is not None and lags is not None and len(want) >= 4:
            def check(want: str = want, seen: asyncio.Future = seen) -> None:  # type: ignore[type-arg]
                if not seen.done() and want in watcher.text():
                    seen.set_result(time.perf_counter())

            def check_own(
                want: str = want, mine: asyncio.Future = mine, term=term  # type: ignore[type-arg]
            ) -> None:
                if not mine.done() and want in term.text():
                    mine.set_result(time.perf_counter())

            watcher.on_data.append(check)
            term.on_data.append(check_own)
        typist.chan.write(key)  # type: ignore[attr-defined]
        try:
            await asyncio.wait_for(term.arrived.wait(), 5)
            typist.echoes.append(time.perf_counter() - sent)
        except TimeoutError:
            pass
        if watcher is not None and lags is not None and len(want) >= 4:
            try:
                lags.append(await asyncio.wait_for(seen, 2) - sent)
                if own is not None:
                    own.append(await asyncio.wait_for(mine, 2) - sent)
            except TimeoutError:
                lags.append(float("inf"))
            finally:
                watcher.on_data.remove(check)
                term.on_data.remove(check_own)


async def phase(typists: list[Typist], gw: Gateway, lags: list[float] | None = None,
                watcher: Screen | None = None, own: list[float] | None = None,
                ) -> tuple[list[float], float]:
    for t in typists:
        t.echoes.clear()
    cpu0, t0 = cpu_seconds(gw.proc.pid), time.monotonic()
    await asyncio.gather(*(
        type_for(t, SECONDS, lags if i == 0 else None, watcher if i == 0 else None,
                 own if i == 0 else None)
        for i, t in enumerate(typists)
    ))
    cpu = (cpu_seconds(gw.proc.pid) - cpu0) / (time.monotonic() - t0) * 100
    return [e for t in typists for e in t.echoes], cpu


async def run() -> dict[str, tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="slate-bench-watch-", dir="/var/tmp") as tmp:
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o755)
        gw = start_gateway(tmp_path, "tui", LEARNERS)
        try:
            return await measure(gw)
        finally:
            gw.proc.terminate()
            gw.proc.wait(30)


def add_instructor(gw: Gateway, name: str) -> tuple[str, str]:
    import secrets
    import subprocess

    from bench.bench_gateway import SLATE

    password = secrets.token_urlsafe(10)
    subprocess.run([SLATE, "--data-dir", str(gw.data_dir), "user", "add", name, "--role",
                    "instructor", "--password-stdin"], input=password.encode() + b"\n",
                   check=True, capture_output=True)
    return name, password


async def measure(gw: Gateway) -> dict[str, tuple[str, str, str]]:
    conns = []
    typists = []
    for user in gw.users:
        conn, chan, term = await login(gw, user)
        conns.append(conn)
        chan.write(b"\r")  # open the first exercise
        await wait_text(term, "F3/Alt", 30)
        chan.write(F3)  # the editor
        await quiet(term)
        typists.append(Typist(user[0], chan, term))
    # Phase 1: nobody watching.
    echo_alone, cpu_alone = await phase(typists, gw)
    # Two instructors: one watches learner 0, one a grid of 6.
    one = add_instructor(gw, "watcher1")
    six = add_instructor(gw, "watcher6")
    conn1, chan1, term1 = await login(gw, one)
    conn6, chan6, term6 = await login(gw, six, 120, 30)
    conns += [conn1, conn6]
    await wait_text(term1, "learners,", 20)
    await wait_text(term6, "learners,", 20)
    chan1.write(b"/")
    await wait_text(term1, "Type part of a name", 10)
    chan1.write(typists[0].name.encode() + b"\r")
    await asyncio.sleep(0.5)
    chan1.write(b"w")
    await wait_text(term1, "Esc Back", 10)
    chan6.write(b"g")
    await wait_text(term6, "learners online", 10)
    await asyncio.sleep(2)
    tiles = len(re.findall(r"Page 1 of", term6.text()))
    b1, b6 = term1.bytes, term6.bytes
    t0 = time.monotonic()
    lags: list[float] = []
    own: list[float] = []
    echo_watched, cpu_watched = await phase(typists, gw, lags, term1, own)
    elapsed = time.monotonic() - t0
    for conn in conns:
        conn.close()
    finite = [lag for lag in lags if lag != float("inf")]
    ms = 1000.0

    def f(x: float) -> str:
        return f"{x:.1f}"

    return {
        "learners typing (keys/s each)": (f"{LEARNERS} ({RATE:g})", f"{LEARNERS} ({RATE:g})", ""),
        "learner echo p50 ms": (f(statistics.median(echo_alone) * ms),
                                f(statistics.median(echo_watched) * ms), ""),
        "learner echo p95 ms": (f(pct(echo_alone, 95) * ms), f(pct(echo_watched, 95) * ms),
                                f"<= {pct(echo_alone, 95) * ms * 1.1:.1f} (+10 %)"),
        "broker CPU %": (f(cpu_alone), f(cpu_watched), ""),
        "watch lag p50 ms (1 watched)": ("", f(statistics.median(finite) * ms) if finite else "-",
                                         ""),
        "watch lag p95 ms (1 watched)": ("", f(pct(lags, 95) * ms) if finite else "-", "<= 100"),
        "learner's own screen shows it p50 ms": ("", f(statistics.median(own) * ms)
                                                  if own else "-", ""),
        "learner's own screen shows it p95 ms": ("", f(pct(own, 95) * ms) if own else "-", ""),
        "watch lag samples (missed)": ("", f"{len(lags)} ({len(lags) - len(finite)})", ""),
        "bytes/s to the 1-learner watcher": ("", f((term1.bytes - b1) / elapsed), ""),
        "bytes/s to the grid-of-6 watcher": ("", f((term6.bytes - b6) / elapsed), ""),
        "grid page shown": ("", "yes" if tiles else "no", ""),
    }


def main() -> None:
    figures = asyncio.run(run())
    print(f"\nWatch benchmark ({LEARNERS} learners typing ~{RATE:g} keys/s for {SECONDS:g} s per"
          " phase; one instructor watches 1 learner, another a grid of 6)")
    print(f"{'measure':34} {'nobody watching':>16} {'2 watching':>12}  target")
    for key, (alone, watched, target) in figures.items():
        print(f"{key:34} {alone:>16} {watched:>12}  {target}")


if __name__ == "__main__":
    main()
