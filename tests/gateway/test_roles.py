"""Every role logs in through the real gateway with the real OpenSSH client and gets its app
(server.vocabulary.APP_FOR_ROLE): a role without an app is how admins once got "tui exited (2)"."""

from __future__ import annotations

import pytest

from server.vocabulary import APP_FOR_ROLE, ROLES

from .conftest import Server, Terminal, signed_in, ssh_argv

# What each app shows on its first screen, beside the "signed in as" header.
FIRST_SCREEN = {
    "learner": r"Foundations",
    "instructor": (
        r"Role: (instructor|admin)|Loading the class|[Nn]o learners|\d+ learners?, \d+ online"
    ),
    "auditor": r"[Ss]ession",
}


def test_every_role_has_an_app() -> None:
    assert set(APP_FOR_ROLE) == set(ROLES)
    assert set(FIRST_SCREEN) == set(APP_FOR_ROLE.values())


@pytest.mark.parametrize("role", ROLES)
def test_every_role_logs_in_and_sees_its_app(
    server: Server, terminals: list[Terminal], role: str
) -> None:
    name, password = server.add_user(role)
    term = Terminal(ssh_argv(server, name, password))
    terminals.append(term)
    screen = term.wait_for(signed_in(name, role), timeout=40)
    term.wait_for(FIRST_SCREEN[APP_FOR_ROLE[role]], timeout=20)
    assert "tui exited" not in screen
    row = server.wait_audit("session_start", actor=name)
    assert row["actor"] == name
    term.send("\x11")  # Ctrl+Q leaves every app
    assert term.wait_exit(20) is not None
