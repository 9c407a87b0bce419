"""The package boundaries of ARCHITECTURE.md, checked by importing each package in a fresh
interpreter and looking at ``sys.modules``: the layering cannot rot silently."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("server", "tui", "jail", "courses")

# package -> (modules to import, Slate packages it may pull in, whether textual is allowed)
RULES = {
    "jail": (["jail"], set(), False),
    "courses": (["courses"], {"jail"}, False),
    "server": (["server"], {"jail", "courses"}, False),
}

# What the TUI may pull in from the other packages: the protocol module, the course engine's
# data model, and jail's safe file operations on its own workspace. Nothing else (never the
# gateway, the store or asyncssh).
TUI_MAY_IMPORT = {
    "server",
    "server.protocol",
    "server.vocabulary",
    "courses",
    "courses.model",
    "jail",
    "jail.workspace",
    "jail.safe_text",
}


def _loaded(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"mods = {modules!r}\n"
        "for m in mods:\n"
        "    pkg = importlib.import_module(m)\n"
        "    for info in pkgutil.walk_packages(getattr(pkg, '__path__', []), m + '.'):\n"
        "        if '.catalog' in info.name:\n"
        "            continue\n"
        "        importlib.import_module(info.name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("package", sorted(RULES))
def test_package_imports_only_what_it_may(package: str) -> None:
    modules, allowed, textual_ok = RULES[package]
    loaded = _loaded(modules)
    ours = {m.split(".")[0] for m in loaded} & set(OURS)
    assert ours - {package} <= allowed, f"{package} imports {sorted(ours - {package} - allowed)}"
    if not textual_ok:
        assert not any(m == "textual" or m.startswith("textual.") for m in loaded)
        if package != "server":
            assert not any(m == "asyncssh" or m.startswith("asyncssh.") for m in loaded)


def test_tui_imports_only_the_protocol_the_model_and_safe_file_ops() -> None:
    loaded = _loaded(["tui"])
    foreign = {
        m for m in loaded if m.split(".")[0] in {"server", "courses", "jail"}
    } - TUI_MAY_IMPORT
    assert not foreign, f"tui imports {sorted(foreign)}"
    assert "asyncssh" not in loaded and "textual" in loaded


def test_protocol_module_is_dependency_free() -> None:
    loaded = _loaded(["server.protocol"])
    ours = {m for m in loaded if m.split(".")[0] in OURS}
    assert ours <= {"server", "server.protocol"}
    assert "asyncssh" not in loaded and "textual" not in loaded
