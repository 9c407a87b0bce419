"""``python -m tui learner|instructor|auditor``: start the role's app on this terminal.

The Slate server starts this inside the session's sandbox, on a pty, with ``SLATE_USER``,
``SLATE_ROLE``, ``SLATE_SESSION`` and ``SLATE_CONTROL_FD`` set. Without a control channel it
stops with a clear message (exit status 2) instead of showing a half-working app.
"""

from __future__ import annotations

import sys

ROLES = ("learner", "instructor", "auditor")


def main(argv: list[str] | None = None) -> int:
    """Parse the role, open the control channel and run the app.

    Args:
        argv: the arguments after the program name (default ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in ROLES:
        print(f"usage: python -m tui {{{'|'.join(ROLES)}}}", file=sys.stderr)
        return 2
    role = args[0]

    from tui.control import ControlClient, ControlUnavailable, fd_from_env

    try:
        fd = fd_from_env()
    except ControlUnavailable as exc:
        print(f"slate tui: {exc}", file=sys.stderr)
        return 2

    from tui.session_app import Identity

    client = ControlClient.from_fd(fd)
    identity = Identity.from_env(role)
    if role == "learner":
        from tui.learner.app import LearnerApp

        app: object = LearnerApp(client, identity)
    elif role == "auditor":
        from tui.auditor.app import AuditorApp

        app = AuditorApp(client, identity)
    else:
        from tui.staff.app import StaffApp

        app = StaffApp(client, identity)
    from tui.terminal_caps import TerminalCaps

    TerminalCaps.from_env().apply(app)  # ASCII drawing / no colour where TERM needs it; keys
    app.run()  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
