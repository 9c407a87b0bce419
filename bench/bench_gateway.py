"""Gateway benchmark: what a learner on a thin terminal feels, measured through the real path.

Prints one table, all figures measured in this one run: connect -> first full frame (p50/p95),
keystroke -> echo (p50/p95) with 1 and 20 concurrent sessions, and beside them the same through
the gateway to a raw-echo program (the floor); PSS per idle session; server CPU with 20 idle
sessions; bytes sent per keystroke. Targets (issue 2): first frame <= 400 ms, echo p95 <= 2 x
(floor + 10 ms), <= 30 MB PSS per idle session, idle CPU ~ 0.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pyte

ROOT = Path(__file__).resolve().parent.parent
SLATE = str(Path(sys.executable).parent / "slate")
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "20"))
FRAMES = int(os.environ.get("BENCH_FRAMES", "10"))
KEYS = int(os.environ.get("BENCH_KEYS", "40"))


@dataclass
class Gateway:
    proc: subprocess.Popen[bytes]
    data_dir: Path
    port: int
    users: list[tuple[str, str]]


def start_gateway(tmp: Path, app: str, users: int, *, default_auth: bool = False) -> Gateway:
    data_dir = tmp / app
    config = tmp / f"{app}.toml"
    config.write_text(
        f'[server]\nlisten_host = "127.0.0.1"\nlisten_port = 0\ndata_dir = "{data_dir}"\n'
        + (
            ""
            if default_auth  # the shipped admission settings (the lockout bench)
            else "[auth]\nmax_unauth_per_address = 100\naddress_lockout_after = 1000\n"
            "connection_rate = 1000.0\nconnection_burst = 1000\n"
        )
    )
    env = dict(os.environ)
    if app == "raw-echo":
        env["SLATE_BENCH_APP"] = "raw-echo"
    proc = subprocess.Popen(
        [SLATE, "--data-dir", str(data_dir), "serve", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=open(tmp / f"{app}.log", "wb"),  # noqa: SIM115 - lives as long as the server
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    port = 0
    while not port:
        line = proc.stdout.readline().decode()
        if not line:
            raise SystemExit("gateway did not start")
        match = re.search(r"listening on [\d.]+:(\d+)", line)
        if match:
            port = int(match.group(1))
    accounts = []
    for i in range(users):
        name, password = f"bench{i:02d}", secrets.token_urlsafe(10)
        subprocess.run(
            [
                SLATE,
                "--data-dir",
                str(data_dir),
                "user",
                "add",
                name,
                "--role",
                "learner",
                "--password-stdin",
            ],
            input=password.encode() + b"\n",
            check=True,
            capture_output=True,
        )
        accounts.append((name, password))
    return Gateway(proc, data_dir, port, accounts)


class Client(asyncssh.SSHClientSession):  # type: ignore[type-arg]
    """An asyncssh client session feeding a pyte screen, counting bytes and noting arrivals."""

    def __init__(self) -> None:
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes = 0
        self.arrived = asyncio.Event()

    def data_received(self, data: bytes, datatype: object) -> None:
        self.bytes += len(data)
        self.stream.feed(data)
        self.arrived.set()

    def text(self) -> str:
        return "\n".join(self.screen.display)


async def connect(
    gw: Gateway, user: tuple[str, str]
) -> tuple[asyncssh.SSHClientConnection, object, Client, float]:
    """Log in and wait for the first full frame; return the seconds it took."""
    t0 = time.perf_counter()
    conn = await asyncssh.connect(
        "127.0.0.1",
        gw.port,
        username=user[0],
        password=user[1],
        known_hosts=None,
        client_keys=None,
        encoding=None,
    )
    chan, client = await conn.create_session(Client, term_type="xterm-256color", term_size=(80, 24))
    while user[0] not in client.text():
        client.arrived.clear()
        await asyncio.wait_for(client.arrived.wait(), 20)
    # A full frame: the app has stopped painting for 100 ms.
    while True:
        client.arrived.clear()
        try:
            await asyncio.wait_for(client.arrived.wait(), 0.1)
        except TimeoutError:
            break
    return conn, chan, client, time.perf_counter() - t0 - 0.1


async def echo_times(
    chan: object, client: Client, n: int, keys: bytes
) -> tuple[list[float], list[int]]:
    """Send printable keys one at a time; time to first output byte and bytes until quiet."""
    times, sizes = [], []
    for i in range(n):
        key = keys[i % len(keys) : i % len(keys) + 1]
        client.arrived.clear()
        before = client.bytes
        t0 = time.perf_counter()
        chan.write(key)  # type: ignore[attr-defined]
        await asyncio.wait_for(client.arrived.wait(), 10)
        times.append(time.perf_counter() - t0)
        while True:
            client.arrived.clear()
            try:
                await asyncio.wait_for(client.arrived.wait(), 0.08)
            except TimeoutError:
                break
        sizes.append(client.bytes - before)
    return times, sizes


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def pss_of_sessions(data_dir: Path) -> tuple[int, int]:
    """(total PSS in kB of every sandboxed session process, number of sessions)."""
    sessions: set[str] = set()
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:
            continue
        match = re.search(rb"SLATE_SESSION=([0-9a-f]+)", env)
        if not match:
            continue
        sessions.add(match.group(1).decode())
        try:
            for line in (entry / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total, len(sessions)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(gw: Gateway, keys: bytes, prepare: bytes = b"") -> dict[str, float]:
    frames = []
    for i in range(FRAMES):
        conn, chan, client, seconds = await connect(gw, gw.users[i % len(gw.users)])
        frames.append(seconds)
        conn.close()
        await conn.wait_closed()
        await asyncio.sleep(0.2)
    out: dict[str, float] = {
        "first frame p50 ms": statistics.median(frames) * 1000,
        "first frame p95 ms": pct(frames, 95) * 1000,
    }
    sessions = [await connect(gw, user) for user in gw.users[:SESSIONS]]
    for _, chan, _client, _ in sessions:
        if prepare:
            chan.write(prepare)  # type: ignore[attr-defined]
    await asyncio.sleep(1.5)
    # Idle: PSS and server CPU with every session open and nobody typing.
    pss, count = pss_of_sessions(gw.data_dir)
    out["PSS per idle session MB"] = pss / max(count, 1) / 1024
    cpu0, t0 = cpu_seconds(gw.proc.pid), time.monotonic()
    await asyncio.sleep(5)
    out["server CPU idle %"] = (cpu_seconds(gw.proc.pid) - cpu0) / (time.monotonic() - t0) * 100
    # One session typing alone.
    _, chan, client, _ = sessions[0]
    times, sizes = await echo_times(chan, client, KEYS, keys)
    out["echo p50 ms (1 session)"] = statistics.median(times) * 1000
    out["echo p95 ms (1 session)"] = pct(times, 95) * 1000
    out["bytes per keystroke"] = statistics.median(sizes)
    # Everyone typing at once.
    results = await asyncio.gather(
        *(echo_times(c, cl, KEYS // 2, keys) for _, c, cl, _ in sessions)
    )
    all_times = [t for ts, _ in results for t in ts]
    out[f"echo p50 ms ({SESSIONS} sessions)"] = statistics.median(all_times) * 1000
    out[f"echo p95 ms ({SESSIONS} sessions)"] = pct(all_times, 95) * 1000
    for conn, _, _, _ in sessions:
        conn.close()
    return out


async def run() -> None:
    with tempfile.TemporaryDirectory(prefix="slate-bench-", dir="/var/tmp") as tmp:
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o755)
        app = start_gateway(tmp_path, "tui", SESSIONS)
        floor = start_gateway(tmp_path, "raw-echo", SESSIONS)
        try:
            floor_figures = await measure(floor, b"abcdefgh")
            # In the learner app, typing in the course map moves nothing; the benchmark types into
            # the editor of the first exercise ("enter" opens it, the editor takes focus).
            app_figures = await measure(
                app, b"abcdefgh", prepare=os.environ.get("BENCH_PREPARE", "\r").encode()
            )
        finally:
            for gw in (app, floor):
                gw.proc.terminate()
                gw.proc.wait(20)
    print(f"\nGateway benchmark ({SESSIONS} sessions, {FRAMES} logins, {KEYS} keys)")
    print(f"{'measure':34} {'Slate TUI':>12} {'raw echo':>12}  target")
    targets = {
        "first frame p50 ms": "<= 400",
        "first frame p95 ms": "",
        "PSS per idle session MB": "<= 30",
        "server CPU idle %": "~ 0",
        "bytes per keystroke": "<= 400",
    }
    for key in app_figures:
        target = targets.get(key, "")
        if key.startswith("echo p95"):
            target = f"<= {2 * (floor_figures[key] + 10):.1f}"
        print(f"{key:34} {app_figures[key]:12.1f} {floor_figures[key]:12.1f}  {target}")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
