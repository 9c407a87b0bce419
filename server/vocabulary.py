"""The classroom's vocabulary that several packages share: roles and which app each one gets.

One home for each word (STYLE: "a second copy is how the admin role silently lost its app").
Imports nothing but the standard library, so the TUI may import it inside its sandbox, like
``server.protocol``.
"""

from __future__ import annotations

from typing import Final, Literal

Role = Literal["learner", "instructor", "auditor", "admin"]

ROLES: Final[tuple[Role, ...]] = ("learner", "instructor", "auditor", "admin")
"""Every account role. Every role logs in to an app (see :data:`APP_FOR_ROLE`)."""

STAFF_ROLES: Final = frozenset({"instructor", "admin"})
"""Roles that run a class: the instructor console and its requests."""

AUDIT_ROLES: Final = frozenset({"auditor", "admin"})
"""Roles that read the records: the auditor console and its requests (read-only)."""

APPS: Final = ("learner", "instructor", "auditor")
"""The TUI apps (``python -m tui APP``)."""

APP_FOR_ROLE: Final[dict[str, str]] = {
    "learner": "learner",
    "instructor": "instructor",
    "auditor": "auditor",
    # Until an admin console exists, an admin gets the instructor's console (which can run
    # a class); the audit requests are open to admins too (AUDIT_ROLES).
    "admin": "instructor",
}
"""Which app a role's session starts."""
