"""``python -m tui learner|instructor|auditor``: start an app on this terminal.

The Slate server starts this inside the session's sandbox, on a pty, with ``SLATE_USER``,
``SLATE_ROLE``, ``SLATE_SESSION`` and ``SLATE_CONTROL_FD`` set; the app is the one
``server.vocabulary.APP_FOR_ROLE`` names for the role (an admin gets the instructor's).
Without a control channel it stops with a clear message (exit status 2) instead of showing a
half-working app.
"""

from __future__ import annotations

import gc
import os
import sys

# Start-up allocates hundreds of thousands of objects that live as long as the app (modules,
# classes, CSS); the cyclic collector would walk them again and again while they are made.
# It is off until the app is built, then they are moved out of its way (gc.freeze) so later
# collections, during typing too, only walk what the session itself creates.
gc.disable()

from server.vocabulary import APPS  # noqa: E402 - after gc.disable() on purpose


def main(argv: list[str] | None = None) -> int:
    """Parse the app name, open the control channel and run the app.

    Args:
        argv: the arguments after the program name (default ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in APPS:
        print(f"usage: python -m tui {{{'|'.join(APPS)}}}", file=sys.stderr)
        return 2
    name = args[0]

    from tui.control import ControlClient, ControlUnavailable, fd_from_env

    try:
        fd = fd_from_env()
    except ControlUnavailable as exc:
        print(f"slate tui: {exc}", file=sys.stderr)
        return 2

    from tui.session_app import Identity

    client = ControlClient.from_fd(fd)
    identity = Identity.from_env(os.environ.get("SLATE_ROLE") or name)
    if name == "learner":
        from tui.learner.app import LearnerApp

        app: object = LearnerApp(client, identity)
    elif name == "auditor":
        from tui.auditor.app import AuditorApp

        app = AuditorApp(client, identity)
    else:
        from tui.staff.app import StaffApp

        app = StaffApp(client, identity)
    from tui.terminal_caps import TerminalCaps

    TerminalCaps.from_env().apply(app)  # ASCII drawing / no colour where TERM needs it; keys
    from tui.widgets.quiet_driver import use_quiet_driver

    use_quiet_driver(app)  # no 10 Hz polling per idle session (issue 15)
    from tui.lifeline import watch_terminal

    # Ends the process once the pty has hung up, even if the app cannot (see tui.lifeline).
    watch_terminal(0)
    gc.freeze()
    gc.enable()
    app.run()  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
