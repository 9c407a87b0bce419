"""A learner's page as a browser builds it: the html5lib tree, with the line of each element.

Owns ``parse_page``, used by the ``html`` kind (its assertions are judged on this tree, so
optional end tags, an implied ``<tbody>``, attribute case and quoting never matter) and by the
``css`` kind (which rules match which elements of the page). tree-sitter stays the source of
line-level facts (``closed``, ``doctype``, syntax errors); html5lib gives the tree.

Invariants: parsing is the WHATWG algorithm (html5lib), so the tree is the one a browser shows;
nesting deeper than ``structure.MAX_DEPTH`` or more than ``MAX_ELEMENTS`` elements is refused
with a plain sentence before any selector work; nothing here recurses over the tree.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

import html5lib
from html5lib.treebuilders import getTreeBuilder

from courses.structure import MAX_DEPTH, StructureError

MAX_ELEMENTS = 50_000
TEXT_CAP = 2000
# Elements whose contents are not page text a reader sees.
NOT_TEXT = frozenset({"script", "style", "template"})
# <input> buttons and the words a browser shows on them when they have no value.
BUTTON_DEFAULTS = {"submit": "Submit", "reset": "Reset", "button": ""}


@dataclass(eq=False)
class PageElement:
    """One element of the page as the browser built it."""

    tag: str
    attrs: dict[str, str]
    line: int
    index: int  # document order
    parent: PageElement | None
    depth: int
    node: Any  # the ElementTree element (for cssselect2)
    children: list[PageElement] = field(default_factory=list)


@dataclass
class Page:
    """The elements of the page in document order."""

    name: str
    root: Any  # ElementTree root (<html>)
    elements: list[PageElement]
    by_node: dict[int, PageElement]
    _text: dict[int, str] = field(default_factory=dict)

    def element_of(self, node: Any) -> PageElement | None:
        """The ``PageElement`` for an ElementTree element."""
        return self.by_node.get(id(node))

    def text(self, el: PageElement) -> str:
        """All text inside ``el`` (whitespace collapsed, capped), without script/style bodies."""
        key = id(el)
        if el.tag == "input" and el.attrs.get("type", "").strip().lower() in BUTTON_DEFAULTS:
            # A button made with <input>: its words are its value, as the browser shows them.
            kind = el.attrs["type"].strip().lower()
            return " ".join(el.attrs.get("value", BUTTON_DEFAULTS[kind]).split())[:TEXT_CAP]
        if key not in self._text:
            pieces: list[str] = []
            size = 0
            stack: list[Any] = [el.node]
            while stack and size < TEXT_CAP:
                item = stack.pop()
                if isinstance(item, str):
                    pieces.append(item)
                    size += len(item)
                    continue
                if item is not el.node and (
                    not isinstance(item.tag, str) or item.tag.lower() in NOT_TEXT
                ):
                    continue
                if item.text:
                    pieces.append(item.text)
                    size += len(item.text)
                for child in reversed(list(item)):
                    if child.tail:
                        stack.append(child.tail)
                    stack.append(child)
            self._text[key] = " ".join(" ".join(pieces).split())[:TEXT_CAP]
        return self._text[key]


def _builder() -> type:
    base = getTreeBuilder("etree")

    class LineTreeBuilder(base):  # type: ignore[misc, valid-type]
        """The etree builder, noting the tokenizer's place when each element is made."""

        parser: Any = None
        places: dict[int, tuple[int, int]]

        def reset(self) -> None:
            super().reset()
            self.places = {}
            self.keep: list[Any] = []

        def _note(self, element: Any) -> Any:
            tokenizer = getattr(self.parser, "tokenizer", None)
            if tokenizer is not None:
                self.places[id(element._element)] = tokenizer.stream.position()
                self.keep.append(element._element)
            return element

        def createElement(self, token: dict[str, Any]) -> Any:  # noqa: N802 (html5lib's name)
            return self._note(super().createElement(token))

        def insertElementNormal(self, token: dict[str, Any]) -> Any:  # noqa: N802
            return self._note(super().insertElementNormal(token))

        def insertElementTable(self, token: dict[str, Any]) -> Any:  # noqa: N802
            return self._note(super().insertElementTable(token))

    return LineTreeBuilder


def parse_page(text: str, name: str) -> Page:
    """Parse ``text`` as a browser does.

    Raises:
        StructureError: nesting deeper than ``MAX_DEPTH`` or too many elements.
    """
    parser = html5lib.HTMLParser(tree=_builder(), namespaceHTMLElements=False)
    parser.tree.parser = parser
    root = parser.parse(text)
    places = parser.tree.places
    line_starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            line_starts.append(i + 1)
    lower = text.lower()
    elements: list[PageElement] = []
    by_node: dict[int, PageElement] = {}
    stack: list[tuple[Any, PageElement | None]] = [(root, None)]
    while stack:
        node, parent = stack.pop()
        if not isinstance(node.tag, str):  # comments
            continue
        depth = parent.depth + 1 if parent else 1
        if depth > MAX_DEPTH:
            raise StructureError(
                f"{name} has tags nested more than {MAX_DEPTH} deep. Look for tags that are "
                "opened but never closed."
            )
        if len(elements) >= MAX_ELEMENTS:
            raise StructureError(f"{name} is too complicated to check. Make it shorter.")
        tag = node.tag.lower()
        if "}" in tag:  # svg/math children keep a namespace
            tag = tag.split("}", 1)[1]
        if id(node) in places:
            row, col = places[id(node)]
            line = _start_line(lower, line_starts, row, col, tag)
        else:  # made by the parser (a re-opened <b>, say): where its parent is
            line = parent.line if parent else 1
        el = PageElement(
            tag=tag,
            attrs={str(k).lower(): str(v) for k, v in node.attrib.items()},
            line=line,
            index=len(elements),
            parent=parent,
            depth=depth,
            node=node,
        )
        elements.append(el)
        by_node[id(node)] = el
        if parent is not None:
            parent.children.append(el)
        stack.extend((c, el) for c in reversed(list(node)))
    return Page(name=name, root=root, elements=elements, by_node=by_node)


def _start_line(lower: str, line_starts: list[int], line: int, col: int, tag: str) -> int:
    """The line where ``<tag`` starts: the tokenizer's place is the end of the start tag."""
    if line < 1 or line > len(line_starts):
        return max(1, min(line, len(line_starts)))
    offset = line_starts[line - 1] + col
    start = lower.rfind("<" + tag, 0, offset)
    if start == -1:
        return line
    return bisect.bisect_right(line_starts, start)
