"""Reading the TAP that ``node --test --test-reporter=tap`` prints (node 18 and 20).

Owns turning reporter output into a tree of ``TapResult`` (nested subtests by indentation, each
with its YAML diagnostics) plus the program's own output. Invariant: only reporter lines count
as results. The runner prefixes everything a learner's program prints with ``# ``, so a program
that prints ``ok 1 - ...`` produces a comment, never a result; comments are kept only as output.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

_RESULT = re.compile(r"^(?P<indent>(?:    )*)(?P<ok>ok|not ok) (?P<num>\d+)(?: - (?P<name>.*))?$")
_DIRECTIVE = re.compile(r"\s+# (?P<kind>SKIP|TODO)\b.*$", re.IGNORECASE)
_SUMMARY = re.compile(r"^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) [\d.]+$")
_YAML_KEY = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?: (?P<value>.*))?$")


@dataclass
class TapResult:
    """One ``ok`` / ``not ok`` line with its diagnostics and subtests."""

    level: int
    ok: bool
    name: str
    directive: str | None = None  # "SKIP" / "TODO"
    diag: dict[str, str] = field(default_factory=dict)
    children: list[TapResult] = field(default_factory=list)
    parent: TapResult | None = None

    @property
    def is_suite(self) -> bool:
        """A ``describe`` block (or any result that has subtests)."""
        return bool(self.children) or self.diag.get("type") == "'suite'"

    @property
    def path(self) -> str:
        """``group > test`` for nested tests."""
        names = []
        node: TapResult | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " > ".join(reversed(names))


@dataclass
class TapReport:
    """Everything read from one run's output."""

    top: list[TapResult]
    output: list[str]  # the program's own lines (comments that are not reporter bookkeeping)

    def leaves(self) -> list[TapResult]:
        """Every result that is not a suite, in order."""
        found: list[TapResult] = []
        stack = list(reversed(self.top))
        while stack:
            node = stack.pop()
            if node.children:
                stack.extend(reversed(node.children))
            elif not node.is_suite:
                found.append(node)
        return found


def _unescape(name: str) -> str:
    return name.replace("\\#", "#").replace("\\\\", "\\")


def _parse_yaml(lines: list[str]) -> dict[str, str]:
    """The flat key → text mapping of a node TAP YAML block.

    Block scalars (``|-``) become their text; nested mappings (an object or array value such as
    ``expected:`` followed by ``0: 3``) become their text *starting with a newline*, so they are
    never mistaken for a one-line value.
    """
    diag: dict[str, str] = {}
    key: str | None = None
    nested = False
    block: list[str] = []

    def flush() -> None:
        if key is not None and block:
            diag[key] = ("\n" if nested else "") + "\n".join(block)

    base = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), default=0)
    for raw in lines:
        line = raw[base:] if raw[:base].strip() == "" else raw.lstrip(" ")
        m = _YAML_KEY.match(line)
        if m and not raw[base:].startswith(" "):
            flush()
            key, block = m.group("key"), []
            value = m.group("value")
            nested = value is None
            if value is not None and value not in ("|-", "|", ">-", ">"):
                diag[key] = value
                key = None
            continue
        if key is not None:
            block.append(line[2:] if line.startswith("  ") else line.strip())
    flush()
    return diag


def parse_tap(text: str) -> TapReport:
    """Parse TAP text into results (nested by indentation) and the program's output lines."""
    lines = text.splitlines()
    results: list[TapResult] = []
    output: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _RESULT.match(line)
        if m:
            level = len(m.group("indent")) // 4
            name = m.group("name") or ""
            directive = None
            d = _DIRECTIVE.search(name)
            if d:
                directive = d.group("kind").upper()
                name = name[: d.start()]
            result = TapResult(level=level, ok=m.group("ok") == "ok", name=_unescape(name))
            i += 1
            yaml_indent = m.group("indent") + "  "
            if i < len(lines) and lines[i] == yaml_indent + "---":
                body: list[str] = []
                i += 1
                while i < len(lines) and lines[i] != yaml_indent + "...":
                    body.append(lines[i])
                    i += 1
                i += 1
                result.diag = _parse_yaml(body)
            result.directive = directive
            results.append(result)
            continue
        stripped = line.strip()
        if stripped.startswith("#"):
            comment = stripped[1:].removeprefix(" ")
            if not comment.startswith("Subtest:") and not _SUMMARY.match(stripped):
                output.append(comment)
        i += 1
    # A result's subtests are printed before it, one level deeper.
    pending: dict[int, list[TapResult]] = defaultdict(list)
    for result in results:
        result.children = pending.pop(result.level + 1, [])
        for child in result.children:
            child.parent = result
        pending[result.level].append(result)
    top = pending.pop(0, [])
    # Subtests whose parent never reported (the run was killed mid-way) still ran: keep them.
    for level in sorted(pending):
        top.extend(pending[level])
    return TapReport(top=top, output=output)
