"""Keys typed in a burst land where they were typed (issue 13, defect 1), on a real pty.

The real learner app runs as a child process on an 80x24 pty, talking to the fake control
server over a real socketpair (as in ``test_keystroke_bytes``). The same key sequence is sent
three ways: one key per write (waiting for the screen between keys), all keys in one write, and
every byte in a write of its own; the document saved to disk must be the same each time, and be
the one a person typing slowly would get. Textual 8.2.8 alone gets the burst wrong (a key that is
only a binding, such as Down, runs after the keys typed behind it): see
``tui/widgets/keys_in_order.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.bench_keystroke import FILE_40, ROOT, FakeServerThread, PtyApp

DOWN, UP, RIGHT = b"\x1b[B", b"\x1b[A", b"\x1b[C"
HOME, END = b"\x1b[H", b"\x1b[F"
CTRL_HOME, CTRL_END = b"\x1b[1;5H", b"\x1b[1;5F"
BACKSPACE, ENTER = b"\x7f", b"\r"

SEQUENCE: list[bytes] = [
    CTRL_HOME, DOWN, DOWN, DOWN, b"a", b"b", b"c", END, b"X", HOME, RIGHT, RIGHT, BACKSPACE,
    ENTER, "é".encode(), b"!", UP, b"Z", CTRL_END, b"E", b"N", b"D",
]


def expected_document() -> str:
    """What typing SEQUENCE slowly into FILE_40 gives (worked out by hand, key by key)."""
    lines = FILE_40.split("\n")
    line3 = lines[3]
    lines[3:4] = ["aZ", "é!c" + line3 + "X"]
    lines[-1] = "END"  # the file ends with a newline: Ctrl+End is on the empty last line
    return "\n".join(lines)


def wait_for_saved(app: PtyApp, timeout: float = 20.0) -> None:
    """Read the screen until the save mark says "Saved" (and not "Not saved")."""
    deadline = time.monotonic() + timeout
    while "Not saved" in app.text() or " Saved" not in app.text():
        if time.monotonic() > deadline:
            raise TimeoutError(f"never saved; screen:\n{app.text()}")
        app.read_until_quiet(quiet=0.1, first=1.0)


def _env(tmp: str, fake: FakeServerThread) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": tmp,
            "PYTHONPATH": str(ROOT), "TERM": "xterm-256color",
            "SLATE_CONTROL_FD": str(fake.client_fd), "SLATE_WORKSPACE": tmp,
            "SLATE_USER": "sam"}


def _send_while_reading(app: PtyApp, chunks: list[bytes], pause: float) -> None:
    """Write ``chunks`` one write each from a thread while this thread keeps reading the screen
    (a pty's buffers are small: an app that cannot write its frames stops reading keys)."""
    def writer() -> None:
        for chunk in chunks:
            app.send(chunk)
            if pause:
                time.sleep(pause)

    thread = threading.Thread(target=writer)
    thread.start()
    while thread.is_alive():
        app.read_until_quiet(quiet=0.05, first=0.2)
    thread.join()
    app.read_until_quiet(quiet=0.5, first=2.0)


def one_key_per_write(app: PtyApp, keys: list[bytes]) -> None:
    for key in keys:
        app.send(key)
        app.read_until_quiet(quiet=0.05, first=1.0)
    app.read_until_quiet(quiet=0.5, first=2.0)


def all_in_one_write(app: PtyApp, keys: list[bytes]) -> None:
    _send_while_reading(app, [b"".join(keys)], 0)


def every_byte_alone(app: PtyApp, keys: list[bytes]) -> None:
    data = b"".join(keys)
    _send_while_reading(app, [data[i : i + 1] for i in range(len(data))], 0.002)


MODES: dict[str, Callable[[PtyApp, list[bytes]], None]] = {
    "one key per write": one_key_per_write,
    "all in one write": all_in_one_write,
    "every byte alone": every_byte_alone,
}


def typed_document(send: Callable[[PtyApp, list[bytes]], None], keys: list[bytes]) -> str:
    """Open the 40-line exercise file in the real app, type ``keys``, save, read the file."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        app = PtyApp([sys.executable, "-m", "tui", "learner"], _env(tmp, fake),
                     pass_fds=(fake.client_fd,))
        saved = Path(tmp) / "javascript" / "greet" / "greet.js"
        try:
            app.wait_for_text("Say hello")
            app.send(b"c")
            app.wait_for_text("step5")
            app.read_until_quiet(quiet=0.3, first=1.0)
            send(app, keys)
            # The autosave comes once the keys have all been applied and typing has stopped
            # (a Ctrl+S sent now could overtake keys still queued: see keys_in_order.py).
            deadline = time.monotonic() + 20
            while saved.read_text(encoding="utf-8") == FILE_40 and time.monotonic() < deadline:
                app.read_until_quiet(quiet=0.1, first=0.1)
            app.read_until_quiet(quiet=2.0, first=0.1)  # longer than the autosave delay
            wait_for_saved(app)
            return saved.read_text(encoding="utf-8")
        finally:
            app.close()
            fake.close()


@pytest.mark.parametrize("mode", list(MODES))
def test_keys_give_the_same_document_however_they_arrive(mode: str) -> None:
    """Arrows, Home/End, Ctrl+Home/Ctrl+End, Backspace, Enter and text (with a two-byte
    character) make the same document sent key by key, in one write, or byte by byte."""
    assert typed_document(MODES[mode], SEQUENCE) == expected_document()


PASTE_LINES = [f"  let line{i} = \"{'x' * (i % 50)}\"; // <{i}> {{ok}}" for i in range(110)]
PASTE = "\n".join(PASTE_LINES) + "\n"


@pytest.mark.parametrize("bracketed", [True, False], ids=["bracketed", "not-bracketed"])
@pytest.mark.parametrize("mode", ["all in one write", "every byte alone"])
def test_a_5kb_paste_lands_whole(mode: str, bracketed: bool) -> None:
    """A 5 KB paste at the top of the file, with bracketed paste (ESC[200~ ... ESC[201~) or
    without (the terminal types it: newlines come as Enter, CR), arrives whole and in order."""
    assert len(PASTE.encode()) >= 5000
    body = PASTE.replace("\n", "\r").encode()
    if bracketed:
        keys = [CTRL_HOME, b"\x1b[200~" + PASTE.encode() + b"\x1b[201~"]
    else:
        keys = [CTRL_HOME, body]
    assert typed_document(MODES[mode], keys) == PASTE + FILE_40


def _git_requests(fake: FakeServerThread, count: int, app: PtyApp) -> list[dict]:
    deadline = time.monotonic() + 15
    while len(fake.server.of_type("git")) < count and time.monotonic() < deadline:
        app.read_until_quiet(quiet=0.1, first=0.2)
    app.read_until_quiet(quiet=0.5, first=0.5)  # and nothing more comes
    return [{"op": m["op"], "args": m.get("args") or {}} for m in fake.server.of_type("git")]


@pytest.mark.parametrize("mode", list(MODES))
def test_git_panel_keys_typed_ahead_press_the_right_buttons(mode: str) -> None:
    """On the Git panel an arrow moves the focus (a screen binding) and Enter presses the
    focused button: typed ahead, Enter must press the button the arrows reached, and text
    typed after moving back up must land in the box."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        fake.server.last = ("git", "first-commit")
        fake.server.state[("git", "first-commit")] = "in_progress"  # opens on the code
        app = PtyApp([sys.executable, "-m", "tui", "learner"], _env(tmp, fake),
                     pass_fds=(fake.client_fd,))
        try:
            app.wait_for_text("Your first commit")
            app.send(b"c")
            app.wait_for_text("README")
            app.send(b"\x1bg")  # Alt+G: the Git panel (focus in the box)
            app.wait_for_text("Stage all")
            assert [r["op"] for r in _git_requests(fake, 1, app)] == ["status"]
            MODES[mode](app, [b"h", b"i", DOWN, ENTER])  # Init
            assert [r["op"] for r in _git_requests(fake, 2, app)] == ["status", "init"]
            MODES[mode](app, [UP, b"!", DOWN, RIGHT, RIGHT, RIGHT, ENTER])  # Commit "hi!"
            requests = _git_requests(fake, 3, app)
            assert requests[2] == {"op": "commit", "args": {"message": "hi!"}}, requests
            assert len(requests) == 3
        finally:
            app.close()
            fake.close()


@pytest.mark.parametrize("key", [b"\x1b[17~", b"\x13"], ids=["F6 check", "Ctrl+S save"])
def test_check_or_save_typed_right_after_text_includes_that_text(key: bytes) -> None:
    """Text then F6 (or Ctrl+S) in one write: the App runs F6 at once (a priority key) while
    the text is still queued for the editor; what is saved and checked must include it."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        app = PtyApp([sys.executable, "-m", "tui", "learner"], _env(tmp, fake),
                     pass_fds=(fake.client_fd,))
        saved = Path(tmp) / "javascript" / "greet" / "greet.js"
        try:
            app.wait_for_text("Say hello")
            app.send(b"c")
            app.wait_for_text("step5")
            app.read_until_quiet(quiet=0.3, first=1.0)
            typed = "// Hello, Sam: typed in a hurry"
            _send_while_reading(app, [CTRL_HOME + typed.encode() + key], 0)
            deadline = time.monotonic() + 15
            while not fake.server.of_type("saved") and time.monotonic() < deadline:
                app.read_until_quiet(quiet=0.1, first=0.2)
            first_save = saved.read_text(encoding="utf-8")
            assert first_save.startswith(typed), first_save[:80]
            if key == b"\x1b[17~":
                app.wait_for_text("Well done")  # the check saw the text too
        finally:
            app.close()
            fake.close()


def test_text_typed_right_after_f3_lands_in_the_editor() -> None:
    """The first opening shows the lesson; F3 then text in one write: the text goes into the
    code (the focus moves with F3 itself, before the next key is read), not into the lesson."""
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        fake.server.state.pop(("javascript", "greet"), None)  # never opened: lesson first
        app = PtyApp([sys.executable, "-m", "tui", "learner"], _env(tmp, fake),
                     pass_fds=(fake.client_fd,))
        saved = Path(tmp) / "javascript" / "greet" / "greet.js"
        try:
            app.wait_for_text("Say hello")
            app.send(b"c")
            app.wait_for_text("Lesson  F2/Alt")
            app.read_until_quiet(quiet=0.3, first=1.0)
            _send_while_reading(app, [b"\x1b[13~" + DOWN + b"// typed at once"], 0)
            deadline = time.monotonic() + 15
            while not fake.server.of_type("saved") and time.monotonic() < deadline:
                app.read_until_quiet(quiet=0.1, first=0.2)
            assert saved.read_text(encoding="utf-8").split("\n")[1] == (
                "// typed at once" + FILE_40.split("\n")[1]
            )
        finally:
            app.close()
            fake.close()
