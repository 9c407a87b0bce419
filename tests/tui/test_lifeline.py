"""tui.lifeline: a TUI whose terminal hung up ends within its grace, even with its main thread
stuck for good (the state CI once found a TUI in, after the server it belonged to was killed)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from tui import lifeline

ROOT = Path(__file__).resolve().parents[2]

STUCK = """
import signal, sys, threading
from tui.lifeline import watch_terminal
# Like the TUI, whose SIGHUP handler runs on its event loop: here nothing would ever run it.
signal.signal(signal.SIGHUP, signal.SIG_IGN)
assert watch_terminal(0, grace=float(sys.argv[1])) is not None
print("ready", flush=True)
lock = threading.Lock()
lock.acquire()
lock.acquire()  # the main thread waits for good
"""


def _start_stuck(grace: float) -> tuple[subprocess.Popen[bytes], int]:
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-c", STUCK, str(grace)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 30
    while b"ready" not in seen and time.monotonic() < deadline:
        seen += os.read(master, 1024)
    assert b"ready" in seen, seen
    return child, master


def test_a_stuck_process_ends_after_its_terminal_hangs_up() -> None:
    child, master = _start_stuck(grace=0.5)
    try:
        time.sleep(1.0)
        assert child.poll() is None  # the terminal is there: the lifeline waits
        os.close(master)
        master = -1
        assert child.wait(15) == lifeline.EXIT_STATUS
    finally:
        if master >= 0:
            os.close(master)
        if child.poll() is None:
            child.kill()
            child.wait(5)


def test_no_lifeline_without_a_terminal() -> None:
    read, write = os.pipe()
    try:
        assert lifeline.watch_terminal(read) is None
    finally:
        os.close(read)
        os.close(write)
