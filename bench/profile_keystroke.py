"""CPU per keystroke inside one TUI process, and where it goes (cProfile), load-proof.

Runs an app on its own 80x24 pty (as ``bench_keystroke`` does: a plain Textual
``TextArea.code_editor`` or Slate's learner app on the exercise screen, talking to the test
suite's fake control server), moves to the middle of a 40-line JavaScript file and types KEYS
characters one at a time, each alone (the next one only after the frame is done, as a person
typing at 4 keys/s). CPU is the app process's time on a CPU over the typing (all its threads,
/proc schedstat), divided by the keys: robust to a busy machine, unlike wall-clock time.
With PROFILE=1 the app runs under cProfile for the typing only (started and stopped by
signals) and the top functions are printed; ``_render_line`` calls per key are printed too.

"startup" instead measures the learner app's CPU from exec to its first full frame.

"first" is the class bench's setting (bench_class): the catalog's first exercise (its real
lesson, practice.txt and hints, from courses/catalog), reached from the course map with Enter,
its lesson first (a first visit at 80 columns), F3 to the editor, then typing at the cursor
where F3 left it, Enter every 40 keys as bench_class does.

Run: ``.venv/bin/python -m bench.profile_keystroke [plain|slate|first|startup] ...``;
env KEYS=60 PROFILE=1 TOP=25 LANGUAGE=javascript|text. For "first" also: the CPU per key of
each of the app's threads is printed; PYSPY=/path/to/py-spy samples the typing with py-spy
(no profiler overhead; raw stacks to PYSPY_OUT=/tmp/pyspy.txt); SHOW=1 prints the screen after;
KEY_HOOK=file.py runs that file in the app process before the app starts (A/B experiments).
"""

from __future__ import annotations

import os
import pstats
import signal
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from bench.bench_class import proc_cpu
from bench.bench_keystroke import PLAIN_APP, FakeServerThread, PtyApp, _to_middle

KEYS = int(os.environ.get("KEYS", "60"))
PROFILE = os.environ.get("PROFILE", "0") == "1"
TOP = int(os.environ.get("TOP", "25"))

# Runs the app with a profiler switched on by SIGUSR1 and dumped by SIGUSR2 (main thread only:
# that is where Textual's event loop, compositor and widgets run).
WRAPPER = """
import cProfile, os, runpy, signal, sys
prof = cProfile.Profile()
out = os.environ["PROFILE_OUT"]
signal.signal(signal.SIGUSR1, lambda *a: prof.enable())
def _dump(*a):
    prof.disable()
    prof.dump_stats(out)
signal.signal(signal.SIGUSR2, _dump)
if os.environ.get("KEY_HOOK"):
    exec(open(os.environ["KEY_HOOK"]).read())
if os.environ.get("PROFILE_FROM_START"):
    prof.enable()
target = sys.argv[1]
if target == "-c":
    code = sys.argv[2]
    sys.argv = ["-c"]
    exec(compile(code, "<plain>", "exec"), {"__name__": "__main__"})
else:
    sys.argv = [target, *sys.argv[2:]]
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""


def _env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "TERM": "xterm-256color",
        "KEY_HOOK": os.environ.get("KEY_HOOK", ""),
    }


def _argv(app_args: list[str], prof_out: str | None) -> list[str]:
    if prof_out is None and not os.environ.get("KEY_HOOK"):
        return [sys.executable, *app_args]
    if app_args[0] == "-m":
        app_args = app_args[1:]
    return [sys.executable, "-c", WRAPPER, *app_args]


def _type(app: PtyApp, prof_out: str | None) -> tuple[float, int]:
    """Type KEYS characters, one frame each; (CPU seconds, keys)."""
    for _ in range(3):  # warm up (first-use imports, caches)
        app.send(b"x")
        app.read_until_quiet(quiet=0.15)
    if prof_out:
        os.kill(app.proc.pid, signal.SIGUSR1)
        time.sleep(0.05)
    cpu0 = proc_cpu(app.proc.pid)
    for i in range(KEYS):
        app.send(b"abcdefghijklmnopqrstuvwxyz"[i % 26 : i % 26 + 1])
        app.read_until_quiet(quiet=0.12)
    cpu = proc_cpu(app.proc.pid) - cpu0
    if prof_out:
        _dump_profile(app, prof_out)
    return cpu, KEYS


def _learner_app(tmp: str, fake: FakeServerThread, prof_out: str | None, **env: str) -> PtyApp:
    """Slate's learner app on its own pty, talking to ``fake`` (its workspace ``tmp``)."""
    return PtyApp(
        _argv(["-m", "tui", "learner"], prof_out),
        {
            **_env(),
            "SLATE_CONTROL_FD": str(fake.client_fd),
            "SLATE_WORKSPACE": tmp,
            "SLATE_USER": "sam",
            "SLATE_SESSION": "bench",
            "PROFILE_OUT": prof_out or "",
            **env,
        },
        pass_fds=(fake.client_fd,),
    )


def _dump_profile(app: PtyApp, prof_out: str) -> None:
    """Ask the app's profiler to write its stats (SIGUSR2) and wait until they are there."""
    os.kill(app.proc.pid, signal.SIGUSR2)
    for _ in range(50):
        time.sleep(0.1)
        if os.path.exists(prof_out) and os.path.getsize(prof_out) > 0:
            break
    time.sleep(0.3)


def run_plain(prof_out: str | None) -> tuple[float, int]:
    app = PtyApp(_argv(["-c", PLAIN_APP], prof_out), {**_env(), "PROFILE_OUT": prof_out or ""})
    try:
        app.wait_for_text("step5")
        _to_middle(app)
        return _type(app, prof_out)
    finally:
        app.close()


def run_slate(prof_out: str | None) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        app = _learner_app(tmp, fake, prof_out)
        try:
            app.wait_for_text("Say hello")
            app.send(b"c")  # continue where I left off -> the 40-line file
            app.wait_for_text("step5")
            _to_middle(app)
            return _type(app, prof_out)
        finally:
            app.close()
            fake.close()


FIRST = Path(__file__).resolve().parent.parent / "courses/catalog/00-start/01-keyboard"
F3 = b"\x1bOR"


def _first_exercise(fake: FakeServerThread) -> None:
    """Put the catalog's first exercise first in the fake server's course map."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.tui.fake_server import FakeExercise

    toml = tomllib.loads((FIRST / "exercise.toml").read_text())
    files = {name: (FIRST / "starter" / name).read_text() for name in toml["files"]}
    keyboard = FakeExercise(
        "start", "keyboard", toml["title"], files, hints=list(toml.get("hints", [])),
        lesson=(FIRST / "lesson.md").read_text(), passes_when="done",
    )
    server = fake.server
    server.catalog.insert(0, (0, "Start here", [("start", "Start", [keyboard])]))
    server.exercises = {("start", "keyboard"): keyboard, **server.exercises}
    server.order = list(server.exercises)
    server.state.clear()


def _threads(pid: int) -> dict[str, float]:
    """CPU seconds per thread of ``pid`` (task id: seconds)."""
    out: dict[str, float] = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                out[task] = int(f.read().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            pass
    return out


def _type_class(app: PtyApp, prof_out: str | None) -> tuple[float, int]:
    """Type KEYS keys as bench_class does (Enter every 40th), one frame each."""
    if prof_out:
        os.kill(app.proc.pid, signal.SIGUSR1)
        time.sleep(0.05)
    spy = None
    if os.environ.get("PYSPY"):  # a sampling profiler (py-spy) instead of cProfile: no overhead
        import subprocess

        spy = subprocess.Popen([
            os.environ["PYSPY"], "record", "-p", str(app.proc.pid), "-r", "1000", "-f", "raw",
            "-o", os.environ.get("PYSPY_OUT", "/tmp/pyspy.txt"), "--nonblocking", "--threads",
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
    cpu0 = proc_cpu(app.proc.pid)
    threads0 = _threads(app.proc.pid)
    for typed in range(1, KEYS + 1):
        key = b"\r" if typed % 40 == 0 else b"abcdefghijklmnopqrstuvwxyz"[typed % 26 :][:1]
        app.send(key)
        app.read_until_quiet(quiet=0.12)
    cpu = proc_cpu(app.proc.pid) - cpu0
    threads = _threads(app.proc.pid)
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)
    main_thread = str(app.proc.pid)
    print("  per thread, ms per key: " + ", ".join(
        f"{'main' if tid == main_thread else tid} {(t - threads0.get(tid, 0.0)) / KEYS * 1000:.2f}"
        for tid, t in sorted(threads.items())
    ))
    if prof_out:
        _dump_profile(app, prof_out)
    return cpu, KEYS


def run_first(prof_out: str | None) -> tuple[float, int]:
    """The class bench's setting: the first catalog exercise, its real screen (see the top)."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        _first_exercise(fake)
        app = _learner_app(tmp, fake, prof_out)
        try:
            app.wait_for_text("Your keyboard")
            app.read_until_quiet(quiet=0.3)
            app.send(b"\r")
            app.wait_for_text("F6/Alt+C Check")
            app.read_until_quiet(quiet=0.3)
            app.send(F3)
            app.wait_for_text("Your code  F3")
            app.read_until_quiet(quiet=0.3)
            result = _type_class(app, prof_out)
            if os.environ.get("SHOW") == "1":
                print(app.text())
            return result
        finally:
            app.close()
            fake.close()


def run_startup(prof_out: str | None) -> tuple[float, int]:
    """CPU of the learner app from exec to its first full frame (the course map)."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        app = _learner_app(tmp, fake, prof_out, PROFILE_FROM_START="1" if prof_out else "",
                           PYTHONDONTWRITEBYTECODE="1")
        try:
            app.wait_for_text("Say hello")
            cpu = proc_cpu(app.proc.pid)
            if prof_out:
                _dump_profile(app, prof_out)
            return cpu, 1
        finally:
            app.close()
            fake.close()


def main() -> None:
    which = sys.argv[1:] or ["plain", "slate"]
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nCPU per keystroke in the app process ({KEYS} keys, one frame each; load {load})")
    for name in which:
        prof_out = tempfile.mktemp(prefix=f"prof-{name}-", suffix=".prof") if PROFILE else None
        runs = {
            "plain": run_plain, "slate": run_slate, "startup": run_startup, "first": run_first,
        }
        cpu, keys = runs[name](prof_out)
        what = "to the first frame" if name == "startup" else "per key"
        print(f"  {name:8} {cpu / keys * 1000:6.2f} ms CPU {what}")
        if prof_out and os.path.exists(prof_out):
            stats = pstats.Stats(prof_out)
            table = stats.stats  # type: ignore[attr-defined]
            render = sum(v[1] for k, v in table.items() if k[2] == "_render_line")
            print(f"  {name:8} _render_line calls per key: {render / keys:.1f}  ({prof_out})")
            stats.sort_stats("cumulative").print_stats(TOP)
            stats.sort_stats("tottime").print_stats(TOP)


if __name__ == "__main__":
    main()
