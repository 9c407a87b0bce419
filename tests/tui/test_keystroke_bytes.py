"""Bytes per keystroke of the real learner app on a real 80x24 pty (a behaviour, not a timing):
typing one character mid-line in a 40-line file must send at most 400 bytes, where a plain
Textual TextArea sends ~17 KB. The bench (bench/bench_keystroke.py) prints the full table."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

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
