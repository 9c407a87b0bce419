"""The real learner app on a real 80x24 pty.

Bytes per keystroke (a behaviour, not a timing): typing one character mid-line in a 40-line file
must send at most 400 bytes, where a plain Textual TextArea sends ~17 KB (bench/bench_keystroke.py
prints the table). And a session ended by a signal keeps what was typed."""

from __future__ import annotations

import os
import signal
import statistics
import sys
import tempfile
from pathlib import Path

import pyte

from bench.bench_keystroke import ROOT, FakeServerThread, PtyApp, _to_middle

TARGET = 400


def test_one_typed_character_sends_at_most_400_bytes() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "HOME": tmp, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color",
               "SLATE_CONTROL_FD": str(fake.client_fd), "SLATE_WORKSPACE": tmp,
               "SLATE_USER": "sam"}
        app = PtyApp([sys.executable, "-m", "tui", "learner"], env, pass_fds=(fake.client_fd,))
        try:
            app.wait_for_text("Say hello")
            app.send(b"c")
            app.wait_for_text("step5")
            _to_middle(app)
            sizes = []
            for char in b"slate":
                app.send(bytes([char]))
                sizes.append(len(app.read_until_quiet()))
            assert "step20slate" in app.text()  # the characters really arrived
            assert statistics.median(sizes) <= TARGET, sizes
        finally:
            app.close()
            fake.close()


def test_sigterm_or_hangup_saves_what_was_typed_before_autosave() -> None:
    """The session ends (SIGTERM) or the terminal goes (SIGHUP) a moment after typing, before
    the autosave timer: the typed text is on disk anyway (invariant 4)."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with tempfile.TemporaryDirectory() as tmp:
            fake = FakeServerThread(Path(tmp))
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                   "HOME": tmp, "PYTHONPATH": str(ROOT), "TERM": "xterm",
                   "SLATE_CONTROL_FD": str(fake.client_fd), "SLATE_WORKSPACE": tmp,
                   "SLATE_USER": "sam"}
            app = PtyApp([sys.executable, "-m", "tui", "learner"], env,
                         pass_fds=(fake.client_fd,))
            try:
                app.wait_for_text("Say hello")
                app.send(b"c")
                app.wait_for_text("step5")
                app.send(b"KEEP")
                app.wait_for_text("Not saved")
                app.proc.send_signal(sig)
                assert app.proc.wait(10) is not None
                saved = (Path(tmp) / "javascript" / "greet" / "greet.js").read_text()
                assert saved.startswith("KEEP"), sig
            finally:
                app.close()
                fake.close()


def test_repaint_push_sends_a_full_frame_for_a_new_observer() -> None:
    """After the frame diff has been sending only changes, a ``repaint`` push (an observer
    attached) makes the next frame complete: every one of the 24 rows is painted again."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "HOME": tmp, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color",
               "SLATE_CONTROL_FD": str(fake.client_fd), "SLATE_WORKSPACE": tmp,
               "SLATE_USER": "sam"}
        app = PtyApp([sys.executable, "-m", "tui", "learner"], env, pass_fds=(fake.client_fd,))
        try:
            app.wait_for_text("Say hello")
            app.send(b"c")
            app.wait_for_text("step5")
            app.read_until_quiet(first=0.5)
            fake.loop.call_soon_threadsafe(fake.server.push, "repaint")
            frame = app.read_until_quiet(first=5)
            fresh = pyte.Screen(80, 24)
            pyte.ByteStream(fresh).feed(frame)
            assert fresh.display == app.screen.display  # the frame alone rebuilds the screen
            assert all(line.strip() for line in fresh.display)
        finally:
            app.close()
            fake.close()
