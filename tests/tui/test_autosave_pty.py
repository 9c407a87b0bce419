"""Every edit is autosaved, not only the first one (issue 13, defect 2), on a real pty.

The real learner app on an 80x24 pty with the fake control server: three bursts of typing with
pauses between them, no Save key pressed. After each burst the file on disk gets the new text by
itself and the save mark says "Saved". Before the fix only the first burst reached the disk (the
one-shot autosave timer was "reset" after it had fired, which does nothing).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.bench_keystroke import FILE_40, FakeServerThread, PtyApp
from tests.tui.test_burst_keys import CTRL_END, _env, wait_for_saved


def wait_for_file(path: Path, text: str, timeout: float, app: PtyApp) -> float:
    """Read the screen (so the app never blocks on output) until ``path`` holds ``text``;
    return how long it took (printed, not asserted: timings live in bench/)."""
    start = time.monotonic()
    while path.read_text(encoding="utf-8") != text:
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not on disk after {timeout}s; screen:\n{app.text()}")
        app.read_until_quiet(quiet=0.05, first=0.05)
    return time.monotonic() - start


def test_every_burst_of_typing_reaches_the_disk_without_pressing_save() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        app = PtyApp([sys.executable, "-m", "tui", "learner"], _env(tmp, fake),
                     pass_fds=(fake.client_fd,))
        saved = Path(tmp) / "javascript" / "greet" / "greet.js"
        try:
            app.wait_for_text("Say hello")
            app.send(b"c")
            app.wait_for_text("step5")
            app.send(CTRL_END)
            app.read_until_quiet(quiet=0.2, first=1.0)
            expected = FILE_40
            waits = []
            for burst in ("// one", "\r// two", "\r// three", "\x7f\x7f\x7f\x7f\x7fTHREE"):
                for char in burst:
                    app.send(char.encode())
                    app.read_until_quiet(quiet=0.02, first=0.2)
                typed = burst.replace("\r", "\n")
                while "\x7f" in typed:
                    typed = typed.replace("\x7f", "", 1)
                    expected = expected[:-1]
                expected += typed
                waits.append(wait_for_file(saved, expected, timeout=10, app=app))
                wait_for_saved(app)
                assert "Not saved" not in app.text()
            print("seconds from last key to the file on disk:", [round(w, 2) for w in waits])
        finally:
            app.close()
            fake.close()
