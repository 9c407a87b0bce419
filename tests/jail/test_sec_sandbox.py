"""Attacks on the sandbox walls (THREAT-MODEL §2): network, host files, other learners, /proc,
leaked descriptors, environment, privilege tricks. Each asserts the safe outcome from inside a
real sandbox, in both uid modes."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from jail.run import run_async
from jail.sandbox import Bind

from .conftest import Mode, processes_with, python


def outcome(result_stdout: bytes) -> dict[str, object]:
    """The JSON a probe printed as its last line."""
    return json.loads(result_stdout.decode().strip().splitlines()[-1])


PROBE = """
import json, os, socket, sys
def attempt(fn):
    try:
        return "ok:" + str(fn())
    except BaseException as exc:
        return type(exc).__name__ + ":" + str(getattr(exc, "errno", ""))
"""


async def test_sec_no_network_out(mode: Mode) -> None:
    code = PROBE + """
def tcp():
    s = socket.create_connection(("1.1.1.1", 53), timeout=2); s.close()
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"x", ("8.8.8.8", 53))
def udp6():
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b"x", ("2001:4860::8888", 53))
def dns():
    return socket.getaddrinfo("example.com", 80)
def ifaces():
    return sorted(name for _, name in socket.if_nameindex())
print(json.dumps({"tcp": attempt(tcp), "udp": attempt(udp), "udp6": attempt(udp6),
                  "dns": attempt(dns), "ifaces": attempt(ifaces)}))
"""
    got = outcome((await mode.run(python(code))).stdout)
    assert got["tcp"] == "OSError:101"  # ENETUNREACH
    assert got["udp"] == "OSError:101"
    assert got["udp6"] == "OSError:101"
    assert str(got["dns"]).startswith("gaierror")
    assert got["ifaces"] == "ok:['lo']"


@pytest.fixture
def host_listener() -> Iterator[int]:
    """A TCP server on the host's 127.0.0.1 (standing for the gateway's own port)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(conn)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()
    assert accepted == [], "a sandbox reached the host's 127.0.0.1"


async def test_sec_host_loopback_port_unreachable(mode: Mode, host_listener: int) -> None:
    code = PROBE + f"""
def connect():
    s = socket.create_connection(("127.0.0.1", {host_listener}), timeout=2); s.close()
def connect6():
    s = socket.create_connection(("::1", {host_listener}), timeout=2); s.close()
print(json.dumps({{"v4": attempt(connect), "v6": attempt(connect6)}}))
"""
    got = outcome((await mode.run(python(code))).stdout)
    assert got == {"v4": "ConnectionRefusedError:111", "v6": "ConnectionRefusedError:111"}


async def test_sec_unix_sockets_towards_the_host(mode: Mode) -> None:
    name = f"slate-test-{secrets.token_hex(4)}"
    path = f"/tmp/{name}.sock"
    path_server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path_server.bind(path)
    os.chmod(path, 0o777)
    path_server.listen()
    abstract_server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract_server.bind("\0" + name)
    abstract_server.listen()
    try:
        code = PROBE + f"""
def connect(address):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(address); s.close()
print(json.dumps({{"path": attempt(lambda: connect({path!r})),
                   "abstract": attempt(lambda: connect("\\0{name}"))}}))
"""
        got = outcome((await mode.run(python(code))).stdout)
        assert got == {"path": "FileNotFoundError:2", "abstract": "ConnectionRefusedError:111"}
        path_server.setblocking(False)
        abstract_server.setblocking(False)
        for server in (path_server, abstract_server):
            with pytest.raises(BlockingIOError):
                server.accept()
    finally:
        path_server.close()
        abstract_server.close()
        os.unlink(path)


async def test_sec_unix_sockets_between_two_sandboxes(mode: Mode, host_dir: Path) -> None:
    """Two learners' sandboxes at once: neither the abstract namespace nor /tmp is shared, and
    a socket in one learner's workspace is not reachable from the other's sandbox."""
    name = f"slate-pair-{secrets.token_hex(4)}"
    ws_a = host_dir / "a"
    ws_a.mkdir()
    mode.own(host_dir)
    listener = f"""
import socket, time, json
a = socket.socket(socket.AF_UNIX); a.bind("\\0{name}"); a.listen()
p = socket.socket(socket.AF_UNIX); p.bind("/tmp/{name}.sock"); p.listen()
w = socket.socket(socket.AF_UNIX); w.bind("/w/{name}.sock"); w.listen()
print("ready", flush=True)
got = []
for s in (a, p, w):
    s.settimeout(1.5 if not got else 0.1)
    try:
        s.accept(); got.append("accepted")
    except OSError:
        got.append("none")
print(json.dumps(got))
"""
    connector = PROBE + f"""
import time
def connect(address):
    s = socket.socket(socket.AF_UNIX); s.connect(address); s.close()
print(json.dumps({{
    "abstract": attempt(lambda: connect("\\0{name}")),
    "tmp": attempt(lambda: connect("/tmp/{name}.sock")),
    "workspace": attempt(lambda: connect("{ws_a}/{name}.sock")),
}}))
"""
    ready = asyncio.Event()

    def on_output(stream: str, data: bytes) -> None:
        if b"ready" in data:
            ready.set()

    spec_a = mode.spec(python(listener), binds=[Bind(str(ws_a), "/w", writable=True)])
    task_a = asyncio.ensure_future(run_async(spec_a, on_output=on_output))
    await asyncio.wait_for(ready.wait(), 10)
    other = Mode(mode.name, None if mode.host_uid is None else mode.host_uid + 1)
    result_b = await other.run(python(connector))
    result_a = await task_a
    assert outcome(result_b.stdout) == {
        "abstract": "ConnectionRefusedError:111",
        "tmp": "FileNotFoundError:2",
        "workspace": "FileNotFoundError:2",
    }
    assert outcome(result_a.stdout) == ["none", "none", "none"]


async def test_sec_raw_and_exotic_sockets_refused(mode: Mode) -> None:
    code = PROBE + """
out = {}
for name, args in {"raw": (socket.AF_INET, socket.SOCK_RAW, 1),
                   "packet": (socket.AF_PACKET, socket.SOCK_RAW, 0),
                   "vsock": (40, socket.SOCK_STREAM, 0),
                   "bluetooth": (31, socket.SOCK_STREAM, 0)}.items():
    out[name] = attempt(lambda: socket.socket(*args).close())
print(json.dumps(out))
"""
    got = outcome((await mode.run(python(code))).stdout)
    assert got["raw"] == "PermissionError:1"
    assert got["packet"] == "OSError:97"  # EAFNOSUPPORT, from the seccomp filter
    assert got["vsock"] == "OSError:97"
    assert got["bluetooth"] == "OSError:97"


async def test_sec_host_files_out_of_reach(mode: Mode, host_dir: Path) -> None:
    store = host_dir / "slate.db"
    store.write_text("SECRET-STORE")
    other_ws = host_dir / "workspaces" / "bob"
    other_ws.mkdir(parents=True)
    (other_ws / "index.html").write_text("bob's work")
    mine = host_dir / "workspaces" / "alice"
    mine.mkdir()
    mode.own(mine)
    paths = [
        "/etc/shadow", "/etc/ssh", "/root", "/home", "/var/lib", "/sys/fs/cgroup", "/run",
        str(store), str(other_ws / "index.html"), "/workspace/../bob/index.html",
        str(Path(__file__).resolve()),
    ]
    code = PROBE + f"""
out = {{}}
for path in {paths!r}:
    out[path] = attempt(lambda: open(path, "rb").read()[:20])
print(json.dumps(out))
"""
    got = outcome(
        (await mode.run(python(code), binds=[Bind(str(mine), "/workspace", writable=True)])).stdout
    )
    for path, value in got.items():
        assert not str(value).startswith("ok:"), f"{path} readable: {value}"


async def test_sec_etc_holds_only_what_programs_need(mode: Mode) -> None:
    result = await mode.run(["ls", "/etc"])
    names = set(result.stdout.decode().split())
    assert "shadow" not in names and "ssh" not in names and "sudoers" not in names
    assert {"hosts", "passwd", "group", "nsswitch.conf"} <= names
    passwd = (await mode.run(["cat", "/etc/passwd"])).stdout.decode()
    assert "learner:x:1000" in passwd and os.uname().nodename not in passwd


async def test_sec_proc_shows_only_the_sandbox(mode: Mode) -> None:
    code = PROBE + f"""
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print(json.dumps({{"pids": pids, "host": attempt(lambda: open("/proc/{os.getpid()}/environ",
                  "rb").read()[:10]), "uid": os.getuid()}}))
"""
    got = outcome((await mode.run(python(code))).stdout)
    assert got["pids"] == [1]
    assert not str(got["host"]).startswith("ok:")
    assert got["uid"] == mode.inside_uid and got["uid"] != 0


async def test_sec_sandbox_runs_under_the_learners_host_uid(mode: Mode) -> None:
    """Invariant 7: seen from the host, the program is the learner's uid, never root."""
    marker = f"slate-uid-{secrets.token_hex(4)}"
    ready = asyncio.Event()

    def on_output(stream: str, data: bytes) -> None:
        ready.set()

    argv = ["sh", "-c", f"echo up; exec sh -c 'sleep 30; :' {marker}"]
    spec = mode.spec(argv, limits={"wall": 20})
    stop = asyncio.Event()
    task = asyncio.ensure_future(run_async(spec, on_output=on_output, stop=stop))
    await asyncio.wait_for(ready.wait(), 10)
    pids: list[int] = []
    for _ in range(200):  # until the exec after echo has happened
        pids = processes_with(marker)
        if pids:
            break
        await asyncio.sleep(0.01)
    # The program's processes (not bwrap itself, whose argv also carries the marker).
    owners = {
        os.stat(f"/proc/{pid}").st_uid
        for pid in pids
        if Path(f"/proc/{pid}/comm").read_text().strip() != "bwrap"
    }
    stop.set()
    await task
    expected = mode.inside_uid if os.geteuid() == 0 else os.geteuid()
    assert owners == {expected}
    if mode.host_uid is not None:
        assert 0 not in owners


async def test_sec_leaked_fds_are_not_inherited(mode: Mode, host_dir: Path) -> None:
    secret = host_dir / "secret.txt"
    secret.write_text("LEAKED")
    fd = os.open(secret, os.O_RDONLY)
    os.set_inheritable(fd, True)
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, True)
    try:
        code = PROBE + f"""
fds = sorted(int(x) for x in os.listdir("/proc/self/fd"))
print(json.dumps({{"fds": fds, "read": attempt(lambda: os.read({fd}, 10)),
                   "write": attempt(lambda: os.write({write_end}, b"x"))}}))
"""
        got = outcome((await mode.run(python(code))).stdout)
        assert got["fds"] == [0, 1, 2, 3]  # 3 is listdir's own descriptor
        assert got["read"] == "OSError:9" and got["write"] == "OSError:9"
    finally:
        os.close(fd)
        os.close(read_end)
        os.close(write_end)


async def test_sec_environment_does_not_leak(mode: Mode, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = f"slate-secret-{secrets.token_hex(8)}"
    monkeypatch.setenv("SLATE_TEST_SECRET", secret)
    monkeypatch.setenv("SSH_AUTH_SOCK", "/tmp/agent.sock")
    result = await mode.run(["sh", "-c", "env; cat /proc/self/environ; cat /proc/1/environ"])
    assert secret.encode() not in result.stdout + result.stderr
    assert b"SSH_AUTH_SOCK" not in result.stdout


async def test_sec_privilege_tricks_fail(mode: Mode) -> None:
    code = PROBE + """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
def call(*args):
    rc = libc.syscall(*args)
    return rc if rc == 0 else -ctypes.get_errno()
out = {
    "setuid0": attempt(lambda: os.setuid(0)),
    "setgid0": attempt(lambda: os.setgid(0)),
    "unshare_user": call(272, 0x10000000),
    "unshare_mount": call(272, 0x00020000),
    "mount": call(165, b"none", b"/tmp", b"tmpfs", 0, None),
    "ptrace_attach_1": call(101, 16, 1, 0, 0),
    "ptrace_traceme": call(101, 0, 0, 0, 0),
    "bpf": call(321, 0, 0, 0),
    "io_uring": call(425, 1, 0),
    "keyctl": call(250, 0, 0),
    "chroot": call(161, b"/tmp"),
    "caps": open("/proc/self/status").read().split("CapEff:")[1].split()[0],
    "no_new_privs": open("/proc/self/status").read().split("NoNewPrivs:")[1].split()[0],
}
print(json.dumps(out))
"""
    got = outcome((await mode.run(python(code))).stdout)
    assert not str(got["setuid0"]).startswith("ok")  # EINVAL: uid 0 is not even mapped
    assert not str(got["setgid0"]).startswith("ok")
    for key in ("unshare_user", "unshare_mount", "mount", "ptrace_attach_1", "ptrace_traceme",
                "bpf", "io_uring", "keyctl", "chroot"):
        assert got[key] == -1, f"{key}: {got[key]}"  # EPERM
    assert got["caps"] == "0000000000000000"
    assert got["no_new_privs"] == "1"


async def test_sec_unshare_and_mount_commands_fail(mode: Mode) -> None:
    result = await mode.run(
        ["sh", "-c", "unshare -r id; echo rc=$?; unshare -Urm true; echo rc=$?; "
         "mount -t tmpfs none /tmp; echo rc=$?"]
    )
    assert result.stdout.decode().split() == ["rc=1", "rc=1", "rc=32"] or all(
        line != "rc=0" for line in result.stdout.decode().split()
    )
    assert b"uid=0" not in result.stdout


async def test_sec_terminal_injection_refused(mode: Mode) -> None:
    code = """
import fcntl, termios, pty, os
master, slave = pty.openpty()
try:
    fcntl.ioctl(slave, termios.TIOCSTI, b"x")
    print("injected")
except OSError as exc:
    print("refused", exc.errno)
"""
    result = await mode.run(python(code))
    assert result.stdout == b"refused 1\n"


async def test_sec_system_is_read_only(mode: Mode) -> None:
    result = await mode.run(
        ["sh", "-c", "touch /usr/bin/x; echo $?; touch /etc/x; echo $?; touch /x; echo $?;"
         " touch /tmp/x; echo $?"]
    )
    assert result.stdout.decode().split() == ["1", "1", "1", "0"]
