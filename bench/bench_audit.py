"""The auditor's numbers: recording size, indexing throughput, index size, search and seek times.

Generates realistic learner sessions with a fixed seed (a lesson screen, typing into the editor
in bursts with the echo a Textual editor sends, Runs and Checks with output, idle gaps, now and
then a resize), ``BENCH_AUDIT_HOURS`` session-hours of them (default 20; the issue's 1,000 takes
hours on two shared cores — the table says how many were measured), then:

- recording size per session-hour (target <= 2 MB),
- indexing throughput through the real parser sandbox (session-hours per minute, 2 cores),
- index size as a percentage of the recordings,
- search p50/p95 for a rare and a common term (target p95 <= 1 s),
- replay seek p95 anywhere in a 3-hour recording (target <= 200 ms), after its keyframes are
  built (the build time is shown too: it happens once, in a worker, while the auditor watches),
- one live index pass while a class types (``BENCH_AUDIT_LIVE`` = 60 running sessions, each
  with 15 s of typing since the last pass: what the server does every ``index_interval``):
  CPU (server and parser sandboxes) and time, parsed in one batch as the server does, against
  one parser sandbox per session in the same run (issue 15: the typists share those cores).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HOURS = float(os.environ.get("BENCH_AUDIT_HOURS", "20"))
LIVE = int(os.environ.get("BENCH_AUDIT_LIVE", "60"))
SESSION_HOURS = 1.0
SEED = 2026
WORDS = ("const let function return if else for while console log document query "
         "selector addEventListener click value fetch json then async await array map filter "
         "reduce push length string number true false null undefined class constructor this "
         "export import module require test assert equal describe it expect html body div span "
         "style color margin padding select from where insert update delete join order group"
         ).split()
RARE = "xylophonic"
"""Typed in exactly one session: the rare search term."""


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def learner_session(rnd: random.Random, hours: float, rare: bool = False) -> list[list[object]]:
    """Events of one realistic session (times in seconds)."""
    events: list[list[object]] = []
    t = 0.3
    end = hours * 3600
    line = 6
    events.append([t, "o", "\x1b[?1049h\x1b[2J\x1b[1;1H" + "".join(
        f"\x1b[{r};1H{' '.join(rnd.choice(WORDS) for _ in range(9))}" for r in range(1, 22))])
    planted = False
    while t < end:
        activity = rnd.random()
        if activity < 0.70:  # a burst of typing into the editor
            words = [rnd.choice(WORDS) for _ in range(rnd.randint(3, 12))]
            if rare and not planted and t > end / 2:
                words.append(RARE)
                planted = True
            text = " ".join(words)
            col = 1
            for ch in text:
                t += rnd.uniform(0.12, 0.35)
                events.append([round(t, 6), "i", ch])
                col += 1
                # Textual's echo after the frame diff: cursor to the cell, the changed run of the
                # line, the status bar's line:column, cursor back (about 120-200 bytes).
                events.append([round(t + 0.008, 6), "o",
                               f"\x1b[{line};{col}H\x1b[38;2;220;220;220m{ch}\x1b[0m"
                               f"\x1b[39;{max(col - 30, 1)}H\x1b[48;2;30;30;30m"
                               f"{text[max(col - 30, 0):col]}\x1b[0m"
                               f"\x1b[24;60H\x1b[7m Ln {line}, Col {col} \x1b[0m"
                               f"\x1b[{line};{col + 1}H"])
            t += rnd.uniform(0.2, 1.0)
            events.append([round(t, 6), "i", "\r"])
            line = 6 + (line - 5) % 14
        elif activity < 0.80:  # Run or Check, with output
            t += rnd.uniform(1, 4)
            events.append([round(t, 6), "i", "\x1b[17~"])
            out = "".join(f"\x1b[{18 + k};1H\x1b[K{' '.join(rnd.choice(WORDS) for _ in range(8))}"
                          for k in range(5))
            events.append([round(t + 0.4, 6), "o", out])
        elif activity < 0.81:
            t += 1
            events.append([round(t, 6), "r", rnd.choice(["80x24", "120x40", "100x30"])])
            events.append([round(t + 0.05, 6), "o", "\x1b[2J" + "".join(
                f"\x1b[{r};1H{' '.join(rnd.choice(WORDS) for _ in range(9))}"
                for r in range(1, 24))])
        else:  # reading the lesson, thinking: idle
            t += rnd.expovariate(1 / 45)
    return events


def write_cast(path: Path, events: list[list[object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {"version": 2, "width": 80, "height": 24, "timestamp": 1796000000,
              "env": {"TERM": "xterm-256color"}}
    data = (json.dumps(header) + "\n" + "".join(
        json.dumps(e, ensure_ascii=False, separators=(", ", ": ")) + "\n" for e in events)
    ).encode()
    path.write_bytes(data)
    return len(data)


def build(data_dir: Path, hours: float) -> tuple[object, int, int]:
    from server.audit import AuditLog
    from server.store import Store

    store = Store(data_dir / "slate.db")
    audit = AuditLog(store)
    rnd = random.Random(SEED)
    sessions = max(1, int(round(hours / SESSION_HOURS)))
    total = 0
    store.add_account("learner0", "learner")
    base = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for n in range(sessions):
        sid = f"bench{n:05d}"
        rel = f"recordings/2026/11/{sid}.cast"
        size = write_cast(data_dir / rel, learner_session(rnd, SESSION_HOURS, rare=(n == 0)))
        total += size
        store.start_session(sid, "learner0", recording=rel)
        store.end_session(sid, bytes_out=size)
        started = (base + timedelta(hours=n)).isoformat(timespec="microseconds")
        store._db.execute("UPDATE sessions SET started = ? WHERE id = ?", (started, sid))
        for k in range(20):
            audit.append("run", actor="learner0", session=sid, course="js",
                         exercise=rnd.choice(WORDS), command="node index.js", exit_code=k % 3)
    return store, total, sessions


async def index_all(store: object, data_dir: Path) -> tuple[float, object]:
    from server.audit_search import SearchIndex, index_pass, index_path

    index = SearchIndex(index_path(data_dir))
    t0 = time.perf_counter()
    await index_pass(store, data_dir, index, until_done=True)  # type: ignore[arg-type]
    return time.perf_counter() - t0, index


def search_times(index: object, term: str, runs: int = 60) -> tuple[list[float], int]:
    times = []
    hits = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        hits = len(index.search(term, limit=50))  # type: ignore[attr-defined]
        times.append(time.perf_counter() - t0)
    return times, hits


def seek_times(hours: float = 3.0, seeks: int = 200) -> tuple[list[float], float, int, int]:
    from tui.auditor.replay import Keyframes, Player, Recording
    from tui.widgets.terminal_view import TerminalEmulation

    rnd = random.Random(SEED + 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.cast"
        size = write_cast(path, learner_session(rnd, hours))
        data = path.read_bytes()
    rec = Recording()
    rec.feed(data)
    frames = Keyframes(rec)
    t0 = time.perf_counter()
    frames.build()
    built = time.perf_counter() - t0
    player = Player(rec, TerminalEmulation(80, 24), frames)
    times = []
    for _ in range(seeks):
        target = rnd.uniform(0, rec.duration)
        t0 = time.perf_counter()
        player.seek(target)
        player.lines()  # what drawing the frame reads
        times.append(time.perf_counter() - t0)
    return times, built, size, len(frames.frames)


def typing_slice(
    rnd: random.Random, seconds: float = 15.0, rate: float = 4.0
) -> list[list[object]]:
    """``seconds`` of a learner typing ``rate`` keys/s into the editor, with the echo."""
    events: list[list[object]] = []
    t = 0.0
    while t < seconds:
        t += rnd.expovariate(rate)
        key = rnd.choice("abcdefghijklmnopqrstuvwxyz (){};")
        events.append([round(t, 3), "i", key])
        events.append([round(t + 0.01, 3), "o", f"\x1b[7;{rnd.randrange(5, 70)}H{key}\x1b[0m"])
    return events


async def live_pass(data_dir: Path, sessions: int, batched: bool) -> tuple[float, float]:
    """(CPU seconds of this process and its sandboxes, wall seconds) of one index pass over
    ``sessions`` running sessions' new typing."""
    import resource

    from server.audit_search import SearchIndex, extract_in_sandbox, index_pass, index_path
    from server.store import Store

    store = Store(data_dir / "slate.db")
    store.add_account("learner0", "learner")
    rnd = random.Random(SEED + 2)
    for n in range(sessions):
        sid = f"live{n:03d}"
        rel = f"recordings/2026/12/{sid}.cast"
        write_cast(data_dir / rel, typing_slice(rnd))
        store.start_session(sid, "learner0", recording=rel)  # running: not ended
    index = SearchIndex(index_path(data_dir))

    def cpu() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    c0, t0 = cpu(), time.perf_counter()
    stats = await index_pass(store, data_dir, index,
                             extract=None if batched else extract_in_sandbox)
    spent, wall = cpu() - c0, time.perf_counter() - t0
    assert stats.sessions == sessions and not stats.failed, stats
    index.close()
    store.close()
    return spent, wall


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="slate-bench-audit-", dir="/var/tmp"))
    os.chmod(tmp, 0o711)
    try:
        data_dir = tmp / "data"
        data_dir.mkdir()
        t0 = time.perf_counter()
        store, total, sessions = build(data_dir, HOURS)
        made = time.perf_counter() - t0
        elapsed, index = asyncio.run(index_all(store, data_dir))
        from server.audit_search import index_path

        index_bytes = sum(p.stat().st_size for p in data_dir.glob(index_path(data_dir).name + "*"))
        rare, rare_hits = search_times(index, RARE)
        common, common_hits = search_times(index, "console log")
        seeks, built, long_size, frames = seek_times()
        live = {}
        for batched in (False, True):
            live_dir = tmp / f"live-{batched}"
            live_dir.mkdir()
            live[batched] = asyncio.run(live_pass(live_dir, LIVE, batched))
        hours = sessions * SESSION_HOURS
        rows = [
            (f"session-hours generated (seed {SEED})", f"{hours:.0f} ({made:.1f} s to write)"),
            ("recording size per session-hour", f"{total / hours / 1e6:.2f} MB (target <= 2)"),
            ("indexing throughput (parser sandbox)",
             f"{hours / (elapsed / 60):.1f} session-hours/min ({elapsed:.1f} s)"),
            ("index size", f"{index_bytes / 1e6:.1f} MB = {100 * index_bytes / total:.0f} % "
                           "of recordings"),
            (f"search p50/p95 rare '{RARE}' ({rare_hits} hits)",
             f"{pct(rare, 50) * 1000:.1f} / {pct(rare, 95) * 1000:.1f} ms (target p95 <= 1000)"),
            (f"search p50/p95 common 'console log' ({common_hits} hits)",
             f"{pct(common, 50) * 1000:.1f} / {pct(common, 95) * 1000:.1f} ms"),
            ("3-hour recording: size, keyframes, build once",
             f"{long_size / 1e6:.1f} MB, {frames} keyframes, {built:.1f} s"),
            ("replay seek p50/p95/max (3 h, 200 random seeks)",
             f"{pct(seeks, 50) * 1000:.1f} / {pct(seeks, 95) * 1000:.1f} / "
             f"{max(seeks) * 1000:.1f} ms (target p95 <= 200)"),
            (f"live index pass, {LIVE} sessions typing: one sandbox each",
             f"{live[False][0] * 1000:.0f} ms CPU, {live[False][1]:.1f} s"),
            (f"live index pass, {LIVE} sessions typing: batched (the server)",
             f"{live[True][0] * 1000:.0f} ms CPU, {live[True][1]:.1f} s"),
        ]
        index.close()  # type: ignore[attr-defined]
        store.close()  # type: ignore[attr-defined]
        width = max(len(r[0]) for r in rows)
        print(f"\nbench_audit ({os.cpu_count()} cores, python {sys.version.split()[0]})")
        for name, value in rows:
            print(f"  {name.ljust(width)}  {value}")
        print("  (recordings are generated: a keystroke's echo is ~150 B as after the frame "
              "diff; bench_keystroke measures the real app's bytes per keystroke)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
