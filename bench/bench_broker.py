"""The gateway's (broker's) CPU per keystroke, measured finely and explained (issue 15).

The class bench (bench_class) reads the gateway's CPU in 10 ms ticks less an idle rate, which
is fine for a table but too coarse to compare two versions of the relay path. This bench runs
the same server and client (bench_class's own pieces: a real gateway, real sandboxed TUIs in
the first exercise's editor, one asyncssh client typing from distinct loopback addresses at
random moments), and reports per key typed:

* the gateway's CPU per thread name, from ``/proc/PID/task/*/schedstat`` (nanoseconds; the
  event loop is the ``slate`` thread), and its user/system split from ``/proc/PID/stat``;
* with ``BENCH_BROKER_STRACE=1``: the gateway's system calls per key (``strace -c``, counts
  only: strace slows the process, so no CPU figure is taken in that pass);
* with ``BENCH_BROKER_PYSPY=1``: py-spy samples of the gateway while one more round is typed
  (inclusive time per function per key; needs py-spy in the venv, not a dependency);
* with ``BENCH_BROKER_PERF=1``: ``perf`` samples of the gateway (kernel, libpython, OpenSSL)
  while one more round is typed, by library and symbol;
* with ``BENCH_BROKER_PROFILE=1``: the gateway runs under cProfile and the top functions
  (cumulative, per key) are printed when it stops.

Knobs: BENCH_BROKER_CLIENT_FILLER=0 (the client sends no empty IGNORE before each key, like
OpenSSH's client; asyncssh's does, which doubles the gateway's receive work per key),
BENCH_BROKER_CONFIG (TOML lines added to the server's config, e.g.
``[audit]\nindex_interval = 0`` to leave out the live search indexer), BENCH_BROKER_SESSIONS=20,
BENCH_BROKER_SECONDS=20, BENCH_BROKER_ROUNDS=2 (typing rounds measured one after another; each
is printed), BENCH_CLASS_RATE (keys/s per learner).
Run as root: ``.venv/bin/python -m bench bench_broker``. Load average is printed beside every
figure (other work on the machine adds to wall time, not much to CPU per key).
"""

from __future__ import annotations

import asyncio
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncssh
from asyncssh.constants import MSG_IGNORE

from bench import bench_class as bc

SESSIONS = int(os.environ.get("BENCH_BROKER_SESSIONS", "20"))
SECONDS = float(os.environ.get("BENCH_BROKER_SECONDS", "20"))
ROUNDS = int(os.environ.get("BENCH_BROKER_ROUNDS", "2"))
STRACE = os.environ.get("BENCH_BROKER_STRACE") == "1"
PROFILE = os.environ.get("BENCH_BROKER_PROFILE") == "1"
PERF = os.environ.get("BENCH_BROKER_PERF") == "1"
PYSPY = os.environ.get("BENCH_BROKER_PYSPY") == "1"
CLIENT_FILLER = os.environ.get("BENCH_BROKER_CLIENT_FILLER", "1") != "0"


class _NoFillerClient(asyncssh.SSHClientConnection):
    """The bench's client without asyncssh's empty IGNORE ahead of each packet, like OpenSSH's
    client (<= 9.4; 9.5+ adds its own keystroke-timing chaff): the gateway then decrypts one
    packet per key, not two."""

    def send_packet(self, pkttype: int, *args: bytes, handler: object = None) -> None:
        if pkttype == MSG_IGNORE and args == (b"\0\0\0\0",):
            return
        super().send_packet(pkttype, *args, handler=handler)  # type: ignore[arg-type]


def print_spy(raw: Path, keys: int) -> None:
    """py-spy's samples of the event loop's frames, inclusive, per key (py-spy: pip install
    py-spy into the venv; not a dependency)."""
    if not raw.exists():
        print("py-spy wrote nothing")
        return
    total = 0
    inclusive: dict[str, int] = {}
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        for frame in set(stack.split(";")):
            name = frame.split(" (")[0] + " " + frame.rsplit("/", 1)[-1].rstrip(")")
            inclusive[name] = inclusive.get(name, 0) + n
    print(f"\npy-spy samples (400/s) while {keys} keys were typed: {total} on CPU; "
          "inclusive ms per key (sample = 2.5 ms):")
    for name, n in sorted(inclusive.items(), key=lambda kv: -kv[1])[:60]:
        print(f"  {n * 2.5 / max(keys, 1):7.3f}  {name}")


def threads_ns(pid: int) -> dict[str, float]:
    """CPU seconds of a live process: its main thread (the event loop) and its other threads
    (to_thread workers, the audit writer, argon2 lanes; live ones only)."""
    out: dict[str, float] = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        name = "loop" if task == str(pid) else "threads"
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                ns = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        out[name] = out.get(name, 0.0) + ns / 1e9
    return out


def user_system(pid: int) -> tuple[float, float]:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def start_slate(tmp: Path, users: int) -> tuple[subprocess.Popen[bytes], int]:
    """bench_class's server, with ``BENCH_BROKER_CONFIG`` (TOML lines) added to its config."""
    extra = os.environ.get("BENCH_BROKER_CONFIG", "").replace("\\n", "\n")
    if not extra:
        return bc.start_slate(tmp, users)
    real_popen = subprocess.Popen

    def popen(argv: list[str], **kw: object) -> subprocess.Popen[bytes]:
        config = Path(argv[argv.index("--config") + 1])
        config.write_text(config.read_text() + extra + "\n")
        return real_popen(argv, **kw)  # type: ignore[call-overload]

    bc.subprocess.Popen = popen  # type: ignore[assignment,misc]
    try:
        return bc.start_slate(tmp, users)
    finally:
        bc.subprocess.Popen = real_popen  # type: ignore[misc]


def start_gateway(tmp: Path, users: int) -> tuple[subprocess.Popen[bytes], int]:
    """bench_class's server; under cProfile when asked (same process, same code)."""
    if not PROFILE:
        return start_slate(tmp, users)
    real = bc.SLATE
    wrapper = tmp / "slate-profiled"
    # CPU time of the event loop thread, not wall time (the machine is shared: wall time
    # would charge a syscall with the time spent waiting for a CPU after it).
    runner = tmp / "profiled.py"
    runner.write_text(
        "import cProfile, runpy, sys, time\n"
        "prof = cProfile.Profile(time.thread_time)\n"
        f"sys.argv = [{real!r}] + sys.argv[1:]\n"
        "try:\n"
        f"    prof.runcall(runpy.run_path, {real!r}, run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"prof.dump_stats({str(tmp / 'gateway.prof')!r})\n"
    )
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {runner} \"$@\"\n")
    wrapper.chmod(0o755)
    bc.SLATE = str(wrapper)
    try:
        return start_slate(tmp, users)
    finally:
        bc.SLATE = real


async def type_round(sessions: list[bc.Session]) -> int:
    echoes: list[float] = []
    t0 = time.perf_counter()
    sent = await asyncio.gather(*(bc.type_at_random(s, t0 + SECONDS, echoes) for s in sessions))
    await asyncio.sleep(0.3)
    return sum(sent)


def pid_of_gateway(proc: subprocess.Popen[bytes]) -> int:
    """The gateway's pid (under cProfile the wrapper execs, so it is the same process)."""
    return proc.pid


async def run(tmp: Path) -> None:
    proc, port = start_gateway(tmp, SESSIONS)
    pid = pid_of_gateway(proc)
    target = bc.Target(
        "Slate",
        port,
        login=lambda i: {"username": f"learner{i:03d}", "password": bc.PASSWORD,
                         "client_keys": None},
        ready_text=lambda i: "Your keyboard",
    )
    total_keys = 0
    try:
        await bc.open_sessions(target, SESSIONS, bc.SLATE_TO_EDITOR)
        sessions = target.sessions[:SESSIONS]
        for s in sessions:
            s.client.tracking = False
            if not CLIENT_FILLER and type(s.conn) is asyncssh.SSHClientConnection:
                s.conn.__class__ = _NoFillerClient
        await asyncio.sleep(5.0)  # the logins' requests and first autosaves settle
        # Idle rate of the event loop thread, so the figure is what the keys added.
        idle0, t0 = threads_ns(pid), time.perf_counter()
        await asyncio.sleep(5.0)
        idle1, idle_s = threads_ns(pid), time.perf_counter() - t0
        idle_rate = {k: (idle1.get(k, 0) - idle0.get(k, 0)) / idle_s for k in idle1}
        print(f"\nbroker bench: {SESSIONS} sessions, {bc.RATE:g} keys/s each, {SECONDS:g} s "
              f"per round, client IGNORE filler {'on' if CLIENT_FILLER else 'off'}, "
              "idle: " + ", ".join(f"{k} {v * 1000:.2f} ms/s"
                                                for k, v in idle_rate.items() if v > 0.0001))
        for r in range(ROUNDS):
            if r:
                await asyncio.sleep(3.0)  # the last round's autosaves, 1.5 s after it ended
            before, us0, t0 = threads_ns(pid), user_system(pid), time.perf_counter()
            keys = await type_round(sessions)
            after, us1, elapsed = threads_ns(pid), user_system(pid), time.perf_counter() - t0
            total_keys += keys
            per = {k: (after.get(k, 0) - before.get(k, 0) - idle_rate.get(k, 0) * elapsed)
                   / keys * 1000 for k in after}
            total = sum(after.values()) - sum(before.values())
            user, system = us1[0] - us0[0], us1[1] - us0[1]
            print(f"round {r + 1}: {keys} keys ({keys / elapsed:.0f}/s): gateway "
                  f"{total / keys * 1000:.3f} ms/key (idle not subtracted; user "
                  f"{user / keys * 1000:.2f} + sys {system / keys * 1000:.2f} ticks), "
                  "by thread less idle: "
                  + ", ".join(f"{k} {v:.3f}" for k, v in sorted(per.items()) if abs(v) > 0.001)
                  + f"; load {bc.loadavg()}")
        spy = Path(sys.executable).parent / "py-spy"
        if PYSPY and spy.exists():
            raw = tmp / "pyspy.txt"
            sampler = subprocess.Popen(
                [str(spy), "record", "-p", str(pid), "-r", "400", "-d", str(int(SECONDS) + 1),
                 "-f", "raw", "-o", str(raw)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            await asyncio.sleep(3.0)  # the last round's autosaves (1.5 s after typing stops)
            keys = await type_round(sessions)
            sampler.wait(60)
            print_spy(raw, keys)
        if PERF and shutil.which("perf"):
            data = tmp / "perf.data"
            recorder = subprocess.Popen(
                ["perf", "record", "-q", "-F", "997", "-g", "-o", str(data), "-p", str(pid)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            await asyncio.sleep(3.0)
            keys = await type_round(sessions)
            recorder.send_signal(2)
            recorder.wait(30)
            report = subprocess.run(
                ["perf", "report", "-i", str(data), "--stdio", "--no-children",
                 "--sort", os.environ.get("BENCH_BROKER_PERF_SORT", "dso,sym"), "-g", "none",
                 "--percent-limit", "0.3"],
                capture_output=True, text=True,
            )
            shutil.copy(data, "/tmp/broker/perf.data")
            print(f"\nperf samples of the gateway while {keys} keys were typed (% of its samples):")
            print("\n".join(line for line in report.stdout.splitlines()
                            if line.strip() and not line.startswith("#")))
        if STRACE and shutil.which("strace"):
            out = tmp / "strace.txt"
            tracer = subprocess.Popen(
                ["strace", "-c", "-f", "-q", "-o", str(out), "-p", str(pid)]
            if os.environ.get("BENCH_BROKER_STRACE_FULL") != "1" else
            ["strace", "-tt", "-q", "-s", "80", "-o", str(out), "-p", str(pid)],
                stderr=subprocess.DEVNULL,
            )
            await asyncio.sleep(3.0)
            keys = await type_round(sessions)
            tracer.terminate()
            tracer.wait(10)
            if os.environ.get("BENCH_BROKER_STRACE_FULL") == "1":
                shutil.copy(out, "/tmp/broker/strace-full.txt")
            print(f"\nsystem calls per key ({keys} keys, strace -c -f):")
            for line in out.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 5 and parts[-1].isidentifier() and parts[3].isdigit():
                    print(f"  {parts[-1]:20} {int(parts[3]) / keys:7.2f}")
    finally:
        bc.stop(target, proc)
    if PROFILE:
        prof = tmp / "gateway.prof"
        for _ in range(50):
            if prof.exists():
                break
            time.sleep(0.2)
        if prof.exists():
            print(f"\ncProfile of the gateway's event loop thread (whole run incl. logins; "
                  f"{total_keys} keys typed):")
            stats = pstats.Stats(str(prof))
            stats.sort_stats("tottime").print_stats(45)
            stats.sort_stats("cumulative").print_stats(60)
        else:
            print("no profile written; the server's log ends:\n"
                  + (tmp / "slate.log").read_text()[-3000:])


def main() -> None:
    if os.geteuid() != 0:
        print("\nbench_broker: needs root (per-learner uids); skipped")
        return
    with tempfile.TemporaryDirectory(prefix="slate-broker-", dir="/var/tmp") as tmp:
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o755)
        asyncio.run(run(tmp_path))


if __name__ == "__main__":
    main()
