"""The TUI's lifeline: once its terminal hangs up, the process ends within a grace period, whatever
state the app is in.

The terminal is the session's pty, whose other end only the server holds. It hangs up when the
server closes it (the session is over) or dies (killed, crashed). The app's own SIGHUP handler
saves and exits; this is what ends the process when that does not finish:

- A learner's TUI runs as pid 1 of its pid namespace under the learner's host uid. The
  parent-death signal ``bwrap --die-with-parent`` sets is cleared when setpriv changes the uid,
  and the dying bwrap (root without capabilities) may not signal another uid anyway: nothing
  kills the TUI when the server dies.
- In CI a TUI outlived a killed server with its main thread waiting on a lock for good (the
  terminal writer gone after the hangup, the app blocked handing it one more write).

A thread of its own waits in ``poll`` for the hangup, sleeps the grace, then ``os._exit``: it
needs no lock and no event loop, and a thread blocked on a lock does not hold the GIL.
"""

from __future__ import annotations

import os
import select
import threading
import time

GRACE = 10.0
"""Seconds the app has after the hangup to save and exit by itself."""

EXIT_STATUS = 129
"""The status of a process ended by the lifeline (128 + SIGHUP, as a shell reports a hangup)."""

_HANGUP = select.POLLHUP | select.POLLERR | select.POLLNVAL


def wait_for_hangup(fd: int) -> None:
    """Return once ``fd`` (a terminal) has hung up or been closed."""
    poller = select.poll()
    poller.register(fd, 0)  # no event asked for: hangup, error and a closed fd always come back
    while True:
        if any(events & _HANGUP for _, events in poller.poll()):
            return


def watch_terminal(fd: int = 0, grace: float = GRACE) -> threading.Thread | None:
    """Start the lifeline on ``fd`` (a daemon thread); None if ``fd`` is not a terminal."""
    if not os.isatty(fd):
        return None

    def lifeline() -> None:
        wait_for_hangup(fd)
        time.sleep(grace)
        os._exit(EXIT_STATUS)

    thread = threading.Thread(target=lifeline, name="slate-lifeline", daemon=True)
    thread.start()
    return thread
