"""The quiet terminal driver: an idle app's input thread sleeps, and keys still work (issue 15).

A small Textual app runs on a real 80x24 pty with :class:`tui.widgets.quiet_driver` (as
``python -m tui`` runs every Slate app). Checked: while nobody types, the input thread does not
wake (Textual's own driver wakes ten times a second); a lone Escape still arrives (it needs the
key parser's timeout); an escape sequence and characters still arrive; and the app ends promptly
when asked (the exit wakes the sleeping thread).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bench.bench_keystroke import ROOT, PtyApp

APP = """
from textual.app import App
from textual.widgets import Static
from tui.widgets.quiet_driver import use_quiet_driver

class Keys(App):
    def compose(self):
        yield Static("ready", id="seen")
    def on_key(self, event):
        if event.key == "ctrl+q":
            self.exit()
            return
        self.query_one("#seen", Static).update("key:" + event.key)

app = Keys()
use_quiet_driver(app)
open({marker!r}, "w").write(app.driver_class.__name__)
app.run()
"""


def _thread_wakeups(pid: int) -> int:
    """Voluntary context switches of every thread but the main one (the input thread sleeps
    in select: each wake-up is one)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        if int(tid) == pid:
            continue
        for line in Path(f"/proc/{pid}/task/{tid}/status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                total += int(line.split()[1])
    return total


def test_an_idle_app_sleeps_and_keys_and_exit_still_work(tmp_path: Path) -> None:
    marker = tmp_path / "driver"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
    }
    app = PtyApp([sys.executable, "-c", APP.format(marker=str(marker))], env)
    try:
        app.wait_for_text("ready")
        assert marker.read_text() == "QuietLinuxDriver"
        app.read_until_quiet(quiet=0.5)
        before = _thread_wakeups(app.proc.pid)
        time.sleep(2.0)
        woken = _thread_wakeups(app.proc.pid) - before
        # Textual's LinuxDriver: ~20 wake-ups in 2 s (select with a 0.1 s timeout).
        assert woken <= 3, woken

        app.send(b"\x1b")  # a lone Escape: delivered after the parser's short timeout
        app.wait_for_text("key:escape", timeout=5)
        app.send(b"\x1b[B")  # Down, as one escape sequence
        app.wait_for_text("key:down", timeout=5)
        app.send(b"x")
        app.wait_for_text("key:x", timeout=5)

        app.send(b"\x11")  # ctrl+q
        app.proc.wait(5)  # the exit woke the input thread; it did not hang in select
        assert app.proc.returncode == 0
    finally:
        app.close()


HUNG_UP_APP = """
import asyncio, signal
from textual.app import App
from textual.widgets import Static
from tui.widgets.quiet_driver import use_quiet_driver

class Ticking(App):
    def compose(self):
        yield Static("ready", id="seen")
    def on_mount(self):
        self.ticks = 0
        self.set_interval(0.01, self.tick)  # a frame to write every 10 ms
        # Like Slate's apps: a signal handled on the app's loop saves and exits.
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, self.exit)
    def tick(self):
        self.ticks += 1
        self.query_one("#seen", Static).update(f"tick {self.ticks}")

signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the hangup itself must not end it here
app = Ticking()
use_quiet_driver(app)
app.run()
"""


def test_an_app_whose_terminal_hung_up_still_runs_its_handlers(tmp_path: Path) -> None:
    """After the pty's master closes, writes fail: Textual's writer thread dies, and its app then
    blocked for good on the writer's full queue. With the quiet driver the loop goes on, so a
    signal handled on it (Slate's save-then-exit) still runs and the app exits."""
    import pty
    import signal
    import subprocess

    master, slave = pty.openpty()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", HUNG_UP_APP],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=tmp_path, start_new_session=True,
    )
    os.close(slave)
    try:
        seen = b""
        deadline = time.monotonic() + 30
        while b"tick" not in seen and time.monotonic() < deadline:
            seen += os.read(master, 65536)
        assert b"tick" in seen
        os.close(master)
        master = -1
        time.sleep(2.0)  # a hundred frames written to nobody: far more than the writer's queue
        assert child.poll() is None
        os.kill(child.pid, signal.SIGUSR1)
        # 0, or 120: Python's status when it cannot flush stdout at exit (the terminal is gone).
        assert child.wait(15) in (0, 120)
    finally:
        if master >= 0:
            os.close(master)
        if child.poll() is None:
            child.kill()
            child.wait(5)
