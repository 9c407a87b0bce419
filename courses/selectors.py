"""The small CSS-selector language used by ``html`` assertions (courses/FORMAT.md, "Selectors").

Owns parsing selector text into ``Selector`` objects and matching them against any element-like
object with ``tag``, ``attrs`` and ``parent``. Invariant: a selector that parses here means the
same thing it means in a browser for the supported subset (type, ``*``, ``.class``, ``#id``,
``[attr]``, ``[attr=v]``, ``^=``, ``$=``, ``*=``, descendant, ``>``, ``,``); anything outside the
subset is rejected with a ``SelectorError`` at load time, never silently half-matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol


class SelectorError(ValueError):
    """Selector text outside the supported subset."""


class Node(Protocol):
    """What a selector matches against."""

    tag: str
    attrs: dict[str, str]
    parent: Any


# Attributes holding a link: ``./about.html`` and ``about.html`` lead to the same page.
URL_ATTRS = frozenset({"href", "src", "action", "cite", "data", "poster", "formaction"})
# Attributes whose values browsers read ignoring case (``type="EMAIL"`` is an email input).
CASELESS_ATTRS = frozenset({"type", "method", "rel", "dir", "autocomplete", "target"})


def norm_attr(name: str, value: str) -> str:
    """An attribute value in the form a browser acts on, for comparisons.

    Links lose a leading ``./`` and surrounding spaces (browsers strip them); enumerated
    attributes such as ``type`` are lowercased. Everything else is compared exactly.
    """
    if name in URL_ATTRS:
        value = value.strip()
        while value.startswith("./"):
            value = value[2:]
        return value
    if name in CASELESS_ATTRS:
        return value.strip().lower()
    return value


@dataclass(frozen=True)
class AttrTest:
    """``[name]`` (op None) or ``[name<op>value]``."""

    name: str
    op: str | None = None
    value: str = ""

    def matches(self, attrs: dict[str, str]) -> bool:
        """Whether the attributes pass this test."""
        if self.name not in attrs:
            return False
        actual = norm_attr(self.name, attrs[self.name])
        value = norm_attr(self.name, self.value)
        if self.op is None:
            return True
        if self.op == "=":
            return actual == value
        if self.op == "^=":
            return bool(value) and actual.startswith(value)
        if self.op == "$=":
            return bool(value) and actual.endswith(value)
        return bool(value) and value in actual  # "*="


@dataclass(frozen=True)
class Compound:
    """One compound selector such as ``img.photo[alt]``."""

    tag: str | None
    classes: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    attrs: tuple[AttrTest, ...] = ()

    def matches(self, node: Node) -> bool:
        """Whether ``node`` satisfies every part of the compound."""
        if self.tag is not None and node.tag != self.tag:
            return False
        if self.classes:
            have = node.attrs.get("class", "").split()
            if any(c not in have for c in self.classes):
                return False
        if any(node.attrs.get("id") != i for i in self.ids):
            return False
        return all(a.matches(node.attrs) for a in self.attrs)


@dataclass(frozen=True)
class Selector:
    """A complex selector: compounds joined by combinators (``" "`` or ``">"``).

    ``parts[0]`` has combinator ``""``; each later part says how it relates to the one before.
    """

    text: str
    parts: tuple[tuple[str, Compound], ...]

    @property
    def simple_tag(self) -> str | None:
        """The tag name when the selector is just a tag (``h1``), else None."""
        if len(self.parts) == 1:
            comp = self.parts[0][1]
            if comp.tag and not (comp.classes or comp.ids or comp.attrs):
                return comp.tag
        return None

    def matches(self, node: Node) -> bool:
        """Whether ``node`` is matched by this selector."""
        return _match_from(self.parts, len(self.parts) - 1, node)


def _match_from(parts: tuple[tuple[str, Compound], ...], i: int, node: Node) -> bool:
    combinator, compound = parts[i]
    if not compound.matches(node):
        return False
    if i == 0:
        return True
    if combinator == ">":
        return node.parent is not None and _match_from(parts, i - 1, node.parent)
    ancestor = node.parent
    while ancestor is not None:  # descendant: any ancestor may start the rest of the chain
        if _match_from(parts, i - 1, ancestor):
            return True
        ancestor = ancestor.parent
    return False


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<child>>)
  | (?P<comma>,)
  | (?P<star>\*)
  | (?P<tag>[A-Za-z][A-Za-z0-9-]*)
  | \.(?P<cls>-?[A-Za-z_][A-Za-z0-9_-]*)
  | \#(?P<id>[A-Za-z_][A-Za-z0-9_-]*)
  | \[\s*(?P<attr>[A-Za-z_:][A-Za-z0-9_:.-]*)\s*
        (?:(?P<op>[\^$*]?=)\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s\]"']+))\s*)?\]
    """,
    re.VERBOSE,
)


def parse_selectors(text: str) -> list[Selector]:
    """Parse a selector list such as ``"nav a, footer > a"``.

    Raises:
        SelectorError: naming the character where the text stops being a supported selector.
    """
    if not text.strip():
        raise SelectorError("empty selector")
    selectors: list[Selector] = []
    parts: list[tuple[str, Compound]] = []
    pending_comb = ""
    current: dict[str, Any] | None = None
    start = 0
    pos = 0

    def flush() -> None:
        nonlocal current
        if current is not None:
            parts.append(
                (
                    pending_comb,
                    Compound(
                        tag=current["tag"],
                        classes=tuple(current["classes"]),
                        ids=tuple(current["ids"]),
                        attrs=tuple(current["attrs"]),
                    ),
                )
            )
            current = None

    def finish(end: int) -> None:
        nonlocal parts, pending_comb, start
        flush()
        if not parts or pending_comb == ">" and len(parts) == 0:
            raise SelectorError(f"empty selector in {text!r}")
        selectors.append(Selector(text=text[start:end].strip(), parts=tuple(parts)))
        parts = []
        pending_comb = ""

    comb_seen = ""
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise SelectorError(
                f"{text!r}: can't read the selector from {text[pos : pos + 10]!r} "
                "(supported: tag, *, .class, #id, [attr], [attr=value], descendant, >, ,)"
            )
        kind = m.lastgroup if m.lastgroup not in ("dq", "sq", "bare", "op") else "attr"
        if m.group("attr") is not None:
            kind = "attr"
        pos = m.end()
        if kind in ("space", "child", "comma"):
            if kind == "comma":
                if current is None and (not parts or comb_seen == ">"):
                    raise SelectorError(f"{text!r}: a ',' with nothing before it")
                finish(m.start())
                start = pos
                comb_seen = ""
                continue
            if current is not None:
                flush()
                comb_seen = " "
            if kind == "child":
                if not parts:
                    raise SelectorError(f"{text!r}: a '>' with nothing before it")
                comb_seen = ">"
            continue
        # a simple selector: starts a new compound if the previous one was closed by a combinator
        if current is None:
            if parts:
                pending_comb = comb_seen or " "
            current = {"tag": None, "classes": [], "ids": [], "attrs": []}
            comb_seen = ""
        if kind in ("tag", "star"):
            if (
                current["tag"] is not None
                or current["classes"]
                or current["ids"]
                or current["attrs"]
            ):
                raise SelectorError(f"{text!r}: the tag name must come first in {m.group(0)!r}")
            current["tag"] = m.group("tag").lower() if kind == "tag" else None
            if kind == "star":
                current["star"] = True
        elif kind == "cls":
            current["classes"].append(m.group("cls"))
        elif kind == "id":
            current["ids"].append(m.group("id"))
        else:
            op = m.group("op")
            value = next((v for v in (m.group("dq"), m.group("sq"), m.group("bare")) if v), "")
            current["attrs"].append(AttrTest(m.group("attr").lower(), op, value))
    if comb_seen == ">" and current is None:
        raise SelectorError(f"{text!r}: a '>' with nothing after it")
    if current is None and not parts:
        raise SelectorError(f"{text!r}: ends with ','")
    finish(len(text))
    return selectors


def matches_any(selectors: list[Selector], node: Node) -> bool:
    """Whether any selector of a list matches ``node``."""
    return any(s.matches(node) for s in selectors)
