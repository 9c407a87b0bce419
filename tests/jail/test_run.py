"""jail.run doing its ordinary job: real programs run and print, output streams, Stop works, specs
are validated, bad setups are JailErrors (not the learner's fault)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from jail.run import BASE_ENV, JailError, Limits, RunResult, RunSpec, run, run_async
from jail.sandbox import Bind

from .conftest import IS_ROOT, Mode, python


async def test_node_program_prints(mode: Mode, host_dir: Path) -> None:
    (host_dir / "greet.js").write_text(
        "const name = process.argv[2];\nconsole.log(`Hello, ${name}!`);\n"
        "console.error('to stderr');\n"
    )
    mode.own(host_dir)
    result = await mode.run(
        ["node", "greet.js", "Ada"], binds=[Bind(str(host_dir), "/work")], cwd="/work"
    )
    assert result.exit_code == 0 and result.signal is None and result.limit is None
    assert result.stdout == b"Hello, Ada!\n"
    assert result.stderr == b"to stderr\n"
    assert result.ok and not result.truncated
    assert result.uid_mode == mode.name


async def test_python_program_prints(mode: Mode) -> None:
    result = await mode.run(python("import sys; print(sum(range(10))); sys.exit(3)"))
    assert result.stdout == b"45\n"
    assert result.exit_code == 3 and result.limit is None and not result.ok


async def test_sqlite3_script_prints(mode: Mode, host_dir: Path) -> None:
    (host_dir / "shop.sql").write_text(
        "CREATE TABLE items(name TEXT, price INT);\n"
        "INSERT INTO items VALUES ('pen', 2), ('book', 12);\n"
        "SELECT name FROM items WHERE price > 5;\n"
    )
    mode.own(host_dir)
    result = await mode.run(
        ["sqlite3", ":memory:", ".read /work/shop.sql"], binds=[Bind(str(host_dir), "/work")]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == b"book\n"


async def test_node_serves_and_fetches_on_its_own_localhost(mode: Mode) -> None:
    """lo is up inside: a full-stack exercise can serve and fetch within its own sandbox."""
    code = (
        "const http = require('http');"
        "const s = http.createServer((q, r) => r.end('pong'));"
        "s.listen(3000, 'localhost', async () => {"
        "  const res = await fetch('http://localhost:3000/');"
        "  console.log(await res.text()); s.close(); });"
    )
    result = await mode.run(["node", "-e", code])
    assert result.stdout == b"pong\n", result.stderr


async def test_workspace_bind_is_writable_and_owned_by_the_learner(
    mode: Mode, host_dir: Path
) -> None:
    mode.own(host_dir)
    result = await mode.run(
        ["sh", "-c", "echo saved > /workspace/out.txt"],
        binds=[Bind(str(host_dir), "/workspace", writable=True)],
    )
    assert result.exit_code == 0, result.stderr
    out = host_dir / "out.txt"
    assert out.read_text() == "saved\n"
    expected = mode.inside_uid if __import__("os").geteuid() == 0 else __import__("os").geteuid()
    assert out.stat().st_uid == expected


async def test_read_only_bind_cannot_be_written(mode: Mode, host_dir: Path) -> None:
    (host_dir / "test.js").write_text("// course test\n")
    result = await mode.run(
        ["sh", "-c", "echo hacked > /work/test.js"], binds=[Bind(str(host_dir), "/work")]
    )
    assert result.exit_code != 0
    assert (host_dir / "test.js").read_text() == "// course test\n"


async def test_output_streams_while_running(mode: Mode) -> None:
    seen: list[tuple[str, bytes]] = []
    done_when_first_seen: list[bool] = []

    def on_output(stream: str, data: bytes) -> None:
        if not seen:
            done_when_first_seen.append(task.done())
        seen.append((stream, data))

    code = "import time\nprint('start', flush=True)\ntime.sleep(0.5)\nprint('end')"
    task = asyncio.ensure_future(run_async(mode.spec(python(code)), on_output=on_output))
    result = await task
    assert seen[0] == ("stdout", b"start\n")
    assert done_when_first_seen == [False]
    assert b"".join(d for s, d in seen if s == "stdout") == result.stdout == b"start\nend\n"


async def test_stdin_is_fed(mode: Mode) -> None:
    result = await mode.run(["python3", "-c", "print(input()[::-1])"], stdin=b"olleh\n")
    assert result.stdout == b"hello\n"


async def test_stop_ends_the_run(mode: Mode) -> None:
    stop = asyncio.Event()
    started = asyncio.Event()

    def on_output(stream: str, data: bytes) -> None:
        started.set()

    spec = mode.spec(python("import time\nprint('go', flush=True)\ntime.sleep(60)"))
    task = asyncio.ensure_future(run_async(spec, on_output=on_output, stop=stop))
    await asyncio.wait_for(started.wait(), 10)
    stop.set()
    result = await asyncio.wait_for(task, 10)
    assert result.stopped and result.limit is None
    assert result.signal == 9
    assert result.duration < 5
    assert result.describe() == "You stopped your program."


async def test_environment_is_clean_and_extendable(mode: Mode) -> None:
    result = await mode.run(["env"], env={"NODE_DISABLE_COLORS": "1"})
    env = dict(line.split("=", 1) for line in result.stdout.decode().splitlines())
    assert env.pop("PWD") == "/tmp"  # bwrap's --chdir sets it
    assert env == {**BASE_ENV, "NODE_DISABLE_COLORS": "1"}


async def test_two_runs_at_once_do_not_see_each_other(mode: Mode, host_dir: Path) -> None:
    a, b = host_dir / "a", host_dir / "b"
    a.mkdir()
    b.mkdir()
    mode.own(host_dir)
    code = (
        "import os, time\n"
        "open('/tmp/mine', 'w').write(os.environ['WHO'])\n"
        "time.sleep(0.5)\n"
        "print(sorted(os.listdir('/tmp')), open('/tmp/mine').read(), sorted(os.listdir('/w')),"
        " len([p for p in os.listdir('/proc') if p.isdigit()]))\n"
        "open('/w/' + os.environ['WHO'], 'w').write('x')\n"
    )
    ra, rb = await asyncio.gather(
        mode.run(python(code), env={"WHO": "a"}, binds=[Bind(str(a), "/w", writable=True)]),
        mode.run(python(code), env={"WHO": "b"}, binds=[Bind(str(b), "/w", writable=True)]),
    )
    assert ra.stdout.decode().split() == ["['mine']", "a", "[]", "1"]
    assert rb.stdout.decode().split() == ["['mine']", "b", "[]", "1"]
    assert sorted(p.name for p in a.iterdir()) == ["a"]
    assert sorted(p.name for p in b.iterdir()) == ["b"]


async def test_missing_command_is_a_jail_error(mode: Mode) -> None:
    with pytest.raises(JailError, match="nonexistent-command"):
        await mode.run(["nonexistent-command"])


async def test_missing_bind_source_is_a_jail_error(mode: Mode) -> None:
    with pytest.raises(JailError, match="source path"):
        await mode.run(["true"], binds=[Bind("/nonexistent/slate", "/work")])


def test_sync_run_works_outside_and_inside_a_loop() -> None:
    result = run(RunSpec(["echo", "sync"]))
    assert result.stdout == b"sync\n"

    async def inside() -> RunResult:
        return run(RunSpec(["echo", "nested"]))

    assert asyncio.run(inside()).stdout == b"nested\n"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"argv": []}, "non-empty"),
        ({"argv": ["a\0b"]}, "NUL"),
        ({"argv": ["true"], "cwd": "relative"}, "absolute"),
        ({"argv": ["true"], "env": {"A=B": "x"}}, "environment"),
        ({"argv": ["true"], "host_uid": 0}, "non-root"),
        ({"argv": ["true"], "host_uid": 5}, "non-system"),
        ({"argv": ["true"], "host_uid": True}, "int"),
    ],
)
def test_bad_specs_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RunSpec(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field, value",
    [("wall", 0), ("cpu", -1), ("memory", 1024), ("pids", 1), ("wall", float("inf")),
     ("memory", "256M"), ("pids", True), ("nofile", 2.5)],
)
def test_bad_limits_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"limit {field}"):
        Limits(**{field: value})  # type: ignore[arg-type]


def test_limits_defaults_match_the_contract() -> None:
    limits = Limits()
    assert dataclasses.asdict(limits) == {
        "wall": 10.0, "cpu": 5.0, "memory": 256 << 20, "pids": 64, "fsize": 10 << 20,
        "tmp": 64 << 20, "output": 1 << 20, "nofile": 256,
    }
    assert dataclasses.replace(limits, wall=20).wall == 20


def test_bind_paths_are_validated() -> None:
    with pytest.raises(ValueError, match="absolute"):
        Bind("relative", "/work")
    with pytest.raises(ValueError, match=r"\.\."):
        Bind("/tmp", "/work/../etc")


async def test_cancelled_run_leaves_nothing_behind(mode: Mode) -> None:
    """The server cancels a run when a session ends: every process of it dies, none is left
    unreaped, the cgroup goes, and cancelling at any point (even mid-spawn) is safe."""
    import os
    import secrets

    from .conftest import processes_of_uid, processes_with

    marker = f"slate-cancel-{secrets.token_hex(4)}"
    argv = ["sh", "-c", "echo up; sleep 300; :", marker]
    for delay in (0, 0.001, 0.005):  # cancelled before, during and after the spawn
        task = asyncio.ensure_future(mode.run(argv))
        await asyncio.sleep(delay)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    started = asyncio.Event()
    task = asyncio.ensure_future(
        run_async(mode.spec(argv), on_output=lambda stream, data: started.set())
    )
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    def settled() -> bool:
        if processes_with(marker):
            return False
        return mode.host_uid is None or not processes_of_uid(mode.host_uid)

    for _ in range(500):  # the abandoned spawns are reaped by helper threads
        if settled():
            break
        await asyncio.sleep(0.01)
    left = {
        p: (open(f"/proc/{p}/status").read().split("PPid:")[1].split()[0], os.getpid(),
            open(f"/proc/{p}/cmdline", "rb").read()[:60])
        for p in processes_with(marker)
    }
    assert left == {}
    if mode.host_uid is not None:
        assert processes_of_uid(mode.host_uid) == []


async def test_failing_output_callback_ends_the_run_and_is_raised(mode: Mode) -> None:
    def on_output(stream: str, data: bytes) -> None:
        raise ConnectionResetError("the learner's session closed")

    spec = mode.spec(python("import time\nprint('hi', flush=True)\ntime.sleep(60)"))
    started = asyncio.get_running_loop().time()
    with pytest.raises(ConnectionResetError, match="session closed"):
        await run_async(spec, on_output=on_output)
    assert asyncio.get_running_loop().time() - started < 5


@pytest.mark.skipif(IS_ROOT, reason="checks the unprivileged case (run by test_nonroot)")
async def test_per_learner_uid_without_root_is_refused() -> None:
    with pytest.raises(JailError, match="need the server to run as root"):
        await run_async(RunSpec(["true"], host_uid=3_000_123))
