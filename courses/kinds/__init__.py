"""The registry of check kinds: every module in this package is one kind.

Owns discovery (``pkgutil`` over this package, so adding ``courses/kinds/<name>.py`` registers a
kind and nobody edits a shared list) and the shape check a kind module must pass. Invariant: a
kind name maps to exactly one module; two modules claiming the same ``KIND`` is an error, never a
silent override.

A kind module defines::

    KIND = "node-test"
    def validate(check: dict, exercise: Exercise) -> list[str]
    async def run(check: dict, ctx: CheckContext) -> list[TestOutcome]
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from courses.model import CheckContext, Exercise, TestOutcome


class KindError(Exception):
    """A kind module is malformed, or a kind name is unknown."""


@dataclass(frozen=True)
class Kind:
    """One registered check kind."""

    name: str
    module: ModuleType
    validate: Callable[[dict[str, Any], Exercise], list[str]]
    run: Callable[[dict[str, Any], CheckContext], Awaitable[list[TestOutcome]]]


_REGISTRY: dict[str, Kind] | None = None


def _load(module: ModuleType) -> Kind:
    name = getattr(module, "KIND", None)
    validate = getattr(module, "validate", None)
    run = getattr(module, "run", None)
    if not isinstance(name, str) or not name:
        raise KindError(f"{module.__name__}: KIND must be a non-empty string")
    if not callable(validate):
        raise KindError(f"{module.__name__}: missing validate(check, exercise)")
    if not inspect.iscoroutinefunction(run):
        raise KindError(f"{module.__name__}: run(check, ctx) must be 'async def'")
    return Kind(name=name, module=module, validate=validate, run=run)


def kinds() -> dict[str, Kind]:
    """All registered kinds by name (discovered once, then cached).

    Raises:
        KindError: when a kind module is malformed or two modules claim one name.
    """
    global _REGISTRY
    if _REGISTRY is None:
        found: dict[str, Kind] = {}
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_"):
                continue
            try:
                module = importlib.import_module(f"{__name__}.{info.name}")
            except Exception as exc:  # a broken kind must name itself, not crash anonymously
                raise KindError(
                    f"check kind module {info.name}.py failed to import: {exc}"
                ) from exc
            kind = _load(module)
            if kind.name in found:
                raise KindError(
                    f"check kind {kind.name!r} is defined twice: "
                    f"{found[kind.name].module.__name__} and {kind.module.__name__}"
                )
            found[kind.name] = kind
        _REGISTRY = found
    return _REGISTRY


def get_kind(name: str) -> Kind:
    """The kind called ``name``.

    Raises:
        KindError: naming the known kinds, when ``name`` is not one of them.
    """
    registry = kinds()
    if name not in registry:
        known = ", ".join(sorted(registry)) or "none"
        raise KindError(f"unknown check kind {name!r} (known kinds: {known})")
    return registry[name]
