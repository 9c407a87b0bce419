"""Manifest field checking shared by the loader and the check kinds.

Owns the rules for what a manifest value may be: the type of each field, which fields are allowed
(unknown fields are errors: they are nearly always typos that would silently weaken a check), and
what a file name written by a course author may look like. Every function returns a list of
problems as plain strings ("field: reason") and never raises, so the loader can report them all
at once with the file name in front.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# Relative paths of letters, digits, '.', '_', '-' and '/'; no component may start with a dot,
# which rules out '..', hidden files and absolute paths in one go.
_REL_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*")

# Type names for messages ("must be a list of strings").
_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
    float: "a number",
}

Spec = dict[str, Any]  # field name -> type, or ("list", str) for a list of a given item type


def type_name(expected: Any) -> str:
    """Words for a field type spec, for error messages."""
    if isinstance(expected, tuple) and expected[0] == "list":
        return f"a list of {type_name(expected[1])}s".replace("texts", "text items")
    if isinstance(expected, tuple):
        return " or ".join(type_name(e) for e in expected)
    return _TYPE_NAMES.get(expected, getattr(expected, "__name__", str(expected)))


def has_type(value: Any, expected: Any) -> bool:
    """Whether ``value`` matches a type spec (bool is never accepted as a number)."""
    if isinstance(expected, tuple) and expected and expected[0] == "list":
        return isinstance(value, list) and all(has_type(v, expected[1]) for v in value)
    if isinstance(expected, tuple):
        return any(has_type(value, e) for e in expected)
    if expected in (int, float) and isinstance(value, bool):
        return False
    if expected is float:
        return isinstance(value, int | float)
    return isinstance(value, expected)


def check_fields(
    table: dict[str, Any], required: Spec, optional: Spec | None = None, *, where: str = ""
) -> list[str]:
    """Problems with a manifest table: missing required fields, unknown fields, wrong types.

    Args:
        table: the parsed TOML table.
        required: field -> type spec of the fields that must be there.
        optional: field -> type spec of the fields that may be there.
        where: prefix for each problem (e.g. ``"checks[1]."``).

    Returns:
        One string per problem, e.g. ``"checks[1].tests: must be a list of text items"``.
    """
    optional = optional or {}
    problems = []
    for name in required:
        if name not in table:
            problems.append(f"{where}{name}: missing (required)")
    allowed = set(required) | set(optional)
    for name, value in table.items():
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            problems.append(f"{where}{name}: unknown field (allowed here: {known})")
            continue
        expected = required.get(name, optional.get(name))
        if not has_type(value, expected):
            problems.append(f"{where}{name}: must be {type_name(expected)}")
    return problems


def rel_path_problem(value: str) -> str | None:
    """Why ``value`` is not an acceptable relative file name, or None when it is."""
    if not value:
        return "empty file name"
    if not _REL_PATH.fullmatch(value):
        return (
            f"{value!r} is not a plain relative file name (letters, digits, '.', '_', '-', '/'; "
            "no leading '/', no '..', no hidden names)"
        )
    return None


def asset_problems(exercise_dir: Path, rel: str, *, field: str, under: str = "tests") -> list[str]:
    """Problems with a check asset path such as ``tests/greet.test.js``.

    The path must be a plain relative name, lie under ``under/`` and exist as a regular file.

    Args:
        exercise_dir: the exercise folder.
        rel: the path as written in the manifest.
        field: the field name for messages (``checks[1].tests``).
        under: the folder the asset must be in.
    """
    bad = rel_path_problem(rel)
    if bad:
        return [f"{field}: {bad}"]
    if not rel.startswith(under + "/"):
        return [f"{field}: {rel!r} must be inside the exercise's {under}/ folder"]
    path = exercise_dir / rel
    if path.is_symlink() or not path.is_file():
        return [f"{field}: {rel!r} is listed but there is no such file in {exercise_dir.name}/"]
    return []
