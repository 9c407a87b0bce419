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
