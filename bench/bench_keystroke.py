"""Bytes per keystroke: what typing one character in the middle of a 40-line file sends at 80x24.

Runs each app as a real child process on a pty of 80x24 (as in a session), opens a 40-line
JavaScript file, puts the cursor in the middle of line 21, types characters one at a time and
counts the bytes the app writes after each keystroke until the terminal goes quiet.
"before" is a plain Textual ``TextArea.code_editor`` app (blink off, same file); "after" is
Slate's learner app on the exercise screen, talking to the in-process fake control server of
``tests/tui/fake_server.py`` over a real socketpair. Prints one table (median, p95, max).
Run: ``.venv/bin/python -m bench bench_keystroke``.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parent.parent
KEYS = int(os.environ.get("BENCH_KEYS", "20"))
QUIET = 0.25  # seconds of silence that mean "the frame is done"

FILE_40 = "".join(
    f"function step{i}(total) {{ return total + {i}; }} // line {i + 1}\n" for i in range(40)
)

PLAIN_APP = f"""
from textual.app import App
from textual.widgets import TextArea
TEXT = {FILE_40!r}
class Plain(App):
    def compose(self):
        area = TextArea.code_editor(TEXT, language="javascript")
        area.cursor_blink = False
        yield area
    def on_mount(self):
        self.query_one(TextArea).focus()
Plain().run()
"""


class PtyApp:
    """A program on its own pty, with everything it writes kept and fed to a pyte screen."""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        size: tuple[int, int] = (80, 24),
        pass_fds: tuple[int, ...] = (),
    ) -> None:
        cols, rows = size
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

        def ctty() -> None:
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=ROOT,
            start_new_session=True,
            preexec_fn=ctty,
            pass_fds=pass_fds,
        )
        os.close(slave)
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.total = 0

    def read_until_quiet(self, quiet: float = QUIET, first: float = 15.0) -> bytes:
        """Read until nothing arrives for ``quiet`` seconds (waiting up to ``first`` for a byte)."""
        chunks: list[bytes] = []
        deadline = time.monotonic() + first
        while True:
            wait = quiet if chunks else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.master], [], [], wait)
            if not ready:
                if chunks or time.monotonic() >= deadline:
                    break
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            chunks.append(data)
        out = b"".join(chunks)
        self.total += len(out)
        self.stream.feed(out)
        return out

    def wait_for_text(self, text: str, timeout: float = 15.0) -> None:
        """Read until ``text`` is on the screen."""
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} never appeared; screen:\n{self.text()}")
            self.read_until_quiet(quiet=0.1, first=1.0)

    def send(self, data: bytes) -> None:
        """Type bytes (as the terminal would send them)."""
        os.write(self.master, data)

    def text(self) -> str:
        """The screen as text."""
        return "\n".join(self.screen.display)

    def close(self) -> None:
        """Stop the program."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)
        os.close(self.master)


class FakeServerThread:
    """The test suite's fake control server, on its own event loop in a thread."""

    def __init__(self, workspace: Path) -> None:
        sys.path.insert(0, str(ROOT))
        from tests.tui.fake_server import FakeServer

        self.server = FakeServer(workspace)
        greet = self.server.exercises[("javascript", "greet")]
        greet.starter = {"greet.js": FILE_40}
        greet.readonly = {}
        self.server.state[("html", "first-page")] = "passed"
        self.server.state[("javascript", "greet")] = "in_progress"  # opens on the editor
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)
        assert self.server.client_sock is not None
        self.client_fd = self.server.client_sock.fileno()
        os.set_inheritable(self.client_fd, True)

    def close(self) -> None:
        """Close the channel and stop the thread's loop."""
        done = asyncio.run_coroutine_threadsafe(self.server.disconnect(), self.loop)
        try:
            done.result(5)
        except Exception:  # already closed: nothing left to tidy
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.start())
        self.ready.set()
        self.loop.run_forever()


def _typing(app: PtyApp) -> list[int]:
    sizes = []
    for index in range(KEYS):
        app.send(b"abcdefghijklmnopqrstuvwxyz"[index % 26 : index % 26 + 1])
        sizes.append(len(app.read_until_quiet()))
    return sizes


def _to_middle(app: PtyApp) -> None:
    app.send(b"\x1b[1;5H")  # ctrl+home: top of the file (may change nothing: then no bytes)
    app.read_until_quiet(first=1.0)
    for _ in range(20):
        app.send(b"\x1b[B")  # down
        app.read_until_quiet(quiet=0.05, first=1.0)
    for _ in range(15):
        app.send(b"\x1b[C")  # right
        app.read_until_quiet(quiet=0.05, first=1.0)


def measure_plain(env: dict[str, str]) -> list[int]:
    """Bytes per keystroke of a plain TextArea app."""
    app = PtyApp([sys.executable, "-c", PLAIN_APP], env)
    try:
        app.wait_for_text("step5")
        _to_middle(app)
        return _typing(app)
    finally:
        app.close()


def measure_slate(env: dict[str, str]) -> list[int]:
    """Bytes per keystroke of Slate's learner app on the exercise screen."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        env = {
            **env,
            "SLATE_CONTROL_FD": str(fake.client_fd),
            "SLATE_WORKSPACE": tmp,
            "SLATE_USER": "sam",
            "SLATE_SESSION": "bench",
        }
        app = PtyApp([sys.executable, "-m", "tui", "learner"], env, pass_fds=(fake.client_fd,))
        try:
            app.wait_for_text("Say hello")
            app.send(b"c")  # continue where I left off -> the 40-line file
            app.wait_for_text("step5")
            _to_middle(app)
            return _typing(app)
        finally:
            app.close()
            fake.close()


def _row(name: str, sizes: list[int]) -> str:
    ordered = sorted(sizes)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"{name:<46}{statistics.median(sizes):>8.0f}{p95:>8}{max(sizes):>8}"


def main() -> None:
    """Measure and print the before/after table."""
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONPATH": str(ROOT),
    }
    rows = [
        (
            "before: plain TextArea, TERM=xterm-256color",
            measure_plain({**base, "TERM": "xterm-256color"}),
        ),
        (
            "after: Slate learner app, TERM=xterm-256color",
            measure_slate({**base, "TERM": "xterm-256color"}),
        ),
        (
            "before: plain TextArea, NO_COLOR=1 TERM=xterm",
            measure_plain({**base, "TERM": "xterm", "NO_COLOR": "1"}),
        ),
        (
            "after: Slate learner app, NO_COLOR=1 TERM=xterm",
            measure_slate({**base, "TERM": "xterm", "NO_COLOR": "1"}),
        ),
    ]
    print(
        f"\nBytes sent per keystroke (one character typed mid-line in a 40-line file, 80x24, "
        f"{KEYS} keys; target <= 400 B)"
    )
    print(f"{'app':<46}{'median':>8}{'p95':>8}{'max':>8}")
    for name, sizes in rows:
        print(_row(name, sizes))


if __name__ == "__main__":
    main()
