"""jail/ owns every sandbox (issue 8.1): outside jail/, no code builds a sandbox description
itself (``Bind``, ``SandboxSpec``, ``RunSpec``) — callers choose a profile in
``jail.profiles`` — and the unprivileged uid is written down only there. So ARCHITECTURE's
invariant 2 (and 7) can be audited in jail/profiles.py alone; this test keeps it that way."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("server", "courses", "tui")
BUILDERS = {"Bind", "SandboxSpec", "RunSpec", "Seed"}


def _sources() -> list[Path]:
    found: list[Path] = []
    for package in PACKAGES:
        found += sorted((ROOT / package).rglob("*.py"))
    return found


def test_no_sandbox_is_assembled_outside_jail() -> None:
    offenders = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in BUILDERS:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}(...)")
    assert not offenders, "build sandboxes through jail.profiles:\n" + "\n".join(offenders)


def test_the_unprivileged_uid_is_defined_once() -> None:
    offenders = []
    for path in _sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "65534" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "use jail.profiles.NOBODY_UID:\n" + "\n".join(offenders)
    profiles = (ROOT / "jail" / "profiles.py").read_text(encoding="utf-8")
    assert profiles.count("NOBODY_UID = 65534") == 1
