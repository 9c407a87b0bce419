"""The ``css`` check kind: declarative structural assertions over one learner file.

Owns nothing but the binding of the kind name to the shared structural engine
(``courses.structure``): parsing is bounded there (size, time, nesting) and runs in a separate
limited process, so no learner file can hang or crash the server. The vocabulary is documented in
courses/FORMAT.md.
"""

from __future__ import annotations

from typing import Any

from courses.model import CheckContext, Exercise, TestOutcome
from courses.structure import run_structural, validate_check

KIND = "css"


def validate(check: dict[str, Any], exercise: Exercise) -> list[str]:
    """Problems with a ``css`` check table (file, assertion keys and qualifiers)."""
    return validate_check(KIND, check, exercise)


async def run(check: dict[str, Any], ctx: CheckContext) -> list[TestOutcome]:
    """Evaluate the assertions against the learner's copy of ``check["file"]``."""
    return await run_structural(KIND, check, ctx.work_dir, ctx.exercise)
