"""A terminal driver that sleeps while nothing happens: an idle session costs (almost) no CPU.

Textual 8.2.8's ``LinuxDriver`` reads keys on a thread that wakes every 0.1 s to look at its exit
flag and at the key parser's timeout (a lone Escape is told from the start of an escape sequence
by waiting a little). Ten wake-ups a second per session, for 200 idle sessions on two cores, is
the largest part of their idle CPU (issue 15). This driver's input thread waits with no timeout
while the parser waits for nothing, only as long as the parser's own timeout when it does, and
is woken through a pipe when the driver stops.

It also never blocks on a terminal that has hung up. Textual's writer thread dies of the first
write that fails (EIO once the server has closed the pty or died), and the app then waits for
good to hand it one more frame once its queue of 30 is full: its signal handlers (save, then
exit) never run, and the process lives on (CI found a TUI so, after its server was killed).
Here writes stop at once when the writer is gone. Everything else is Textual's driver as it is.
"""

from __future__ import annotations

import contextlib
import os
import queue
import selectors
import threading
from codecs import getincrementaldecoder

from textual._loop import loop_last
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver


class _WakingEvent(threading.Event):
    """An event that also writes to a pipe when set, so a thread waiting in select wakes."""

    def __init__(self, wake_fd: int) -> None:
        super().__init__()
        self._wake_fd = wake_fd

    def set(self) -> None:
        super().set()
        try:
            os.write(self._wake_fd, b"x")
        except OSError:  # the pipe is full (it is woken already) or closed
            pass


class QuietLinuxDriver(LinuxDriver):
    """``LinuxDriver`` whose input thread sleeps until input, a parser timeout or exit."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.exit_event = _WakingEvent(self._wake_w)

    def write(self, data: str) -> None:
        """Hand ``data`` to the writer thread; drop it if that thread is gone (see the module)."""
        writer = self._writer_thread
        assert writer is not None, "Driver must be in application mode"
        while writer.is_alive():
            try:
                writer._queue.put(data, timeout=0.25)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        """Stop the writer thread; if it died, make room first for the stop it is sent."""
        writer = self._writer_thread
        if writer is not None and not writer.is_alive():
            with contextlib.suppress(queue.Empty):
                while True:
                    writer._queue.get_nowait()
        super().close()

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (as LinuxDriver does, without polling)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        fileno = self.fileno
        wake_r = self._wake_r
        EVENT_READ = selectors.EVENT_READ  # noqa: N806 - as in Textual's driver

        parser = XTermParser(self._debug)
        feed = parser.feed
        tick = parser.tick
        decode = getincrementaldecoder("utf-8")().decode
        read = os.read

        def timeout() -> float | None:
            due = parser._timeout_time
            return None if due is None else max(0.0, due - get_time())

        def process_selector_events(
            selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False
        ) -> None:
            for last, (key, mask) in loop_last(selector_events):
                if key.fd == wake_r:
                    try:
                        while read(wake_r, 64):
                            pass
                    except OSError:
                        pass
                    continue
                if mask & EVENT_READ:
                    unicode_data = decode(read(fileno, 1024 * 4), final=final and last)
                    if not unicode_data:
                        break
                    for event in feed(unicode_data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process_selector_events(selector.select(timeout()))
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except (EOFError, ParseError):  # the end of input, as in Textual
                pass


def use_quiet_driver(app: object) -> None:
    """Make ``app`` (a Textual App not yet running) use :class:`QuietLinuxDriver` where it
    would use Textual's ``LinuxDriver`` (not headless, not a web or Windows driver)."""
    if getattr(app, "driver_class", None) is LinuxDriver:
        app.driver_class = QuietLinuxDriver  # type: ignore[attr-defined]
