"""The ``html`` assertion vocabulary: validation, the element model, and evaluation.

Owns turning a tree-sitter-html tree into a light element tree (``Document``) and evaluating
``exists``, ``absent``, ``attr``, ``text``, ``labelled``, ``order``, ``doctype`` and ``closed``
(courses/FORMAT.md). Invariant: every failure message names the element and, when it can, the
line, in words for a beginner; element nesting deeper than ``structure.MAX_DEPTH`` is refused
before any selector work (so matching stays cheap on hostile input).
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field
from typing import Any

from courses.model import TestOutcome
from courses.selectors import Selector, SelectorError, matches_any, norm_attr, parse_selectors
from courses.structure import (
    MAX_DEPTH,
    Assertion,
    Source,
    StructureError,
    min_max_problems,
    one_of,
    outcome,
    quote,
    regex_problem,
    rule_words,
    text_matches,
)
from courses.structure_page import parse_page

VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# End tags a browser lets you leave out (HTML Living Standard, "Optional tags").
OPTIONAL_END = frozenset(
    "li dt dd p rt rp optgroup option colgroup caption thead tbody tfoot tr td th html head "
    "body".split()
)
# Elements whose content is text up to their end tag: unclosed, they swallow the page.
RAW_TEXT = frozenset({"title", "textarea", "script", "style"})
UNLABELLED_INPUT_TYPES = frozenset({"hidden", "submit", "button", "reset", "image"})
TEXT_CAP = 2000

_TEXT_RULES = ("contains", "equals", "matches", "nonempty")
VOCABULARY = {
    "exists": Assertion(str, {"with_text": str, "min": int, "max": int}),
    "absent": Assertion(str, {}),
    "attr": Assertion(
        str,
        {"attribute": str, "equals": str, "contains": str, "matches": str, "nonempty": bool},
    ),
    "text": Assertion(str, {"equals": str, "contains": str, "matches": str, "nonempty": bool}),
    "labelled": Assertion(str, {"with_text": str}),
    "order": Assertion(("list", str), {}),
    "doctype": Assertion(bool, {}),
    "closed": Assertion(bool, {}),
}


# ---------------------------------------------------------------------------------------------
# Validation


def normalise(table: dict[str, Any]) -> dict[str, Any]:
    """The table with the older ``attr`` spelling (``name = "alt"``) moved to ``attribute``."""
    if "attr" in table and "attribute" not in table and "name" in table:
        table = dict(table)
        table["attribute"] = table.pop("name")
    return table


def semantic_problems(key: str, table: dict[str, Any]) -> list[str]:
    """Problems beyond field types: selectors that don't parse, bad regexes, missing rules."""
    table = normalise(table)
    found: list[str] = []
    selectors = (
        table[key] if key == "order" else [table[key]] if isinstance(table[key], str) else []
    )
    for sel in selectors:
        try:
            parse_selectors(sel)
        except SelectorError as exc:
            found.append(f"{key}: {exc}")
    if key == "order" and len(table[key]) < 2:
        found.append("order: list at least two selectors")
    if key in ("doctype", "closed") and table[key] is not True:
        found.append(f"{key}: must be true (leave the assertion out otherwise)")
    if key == "exists":
        found += min_max_problems(table)
    if key == "attr" and "attribute" not in table:
        found.append(
            'attribute: missing (required: the attribute to check, e.g. attribute = "alt")'
        )
    if key in ("attr", "text"):
        found += one_of(table, _TEXT_RULES, required=key == "text")
        if "matches" in table:
            found += regex_problem("matches", table["matches"])
        if table.get("nonempty") is False:
            found.append("nonempty: must be true (leave it out otherwise)")
    return found


# ---------------------------------------------------------------------------------------------
# The element model


@dataclass(eq=False)
class Element:
    """One element of the learner's page."""

    tag: str
    attrs: dict[str, str]
    line: int
    start: int  # byte range of the whole element
    end: int
    parent: Element | None
    depth: int
    has_end: bool = False
    self_closing: bool = False
    children: list[Element] = field(default_factory=list)


@dataclass
class Document:
    """The elements of a page in document order, plus what ``closed``/``doctype`` need."""

    source: Source
    elements: list[Element] = field(default_factory=list)
    text_starts: list[int] = field(default_factory=list)  # sorted byte offsets of text runs
    text_runs: list[str] = field(default_factory=list)
    stray_end_tags: list[tuple[str, int]] = field(default_factory=list)
    has_doctype: bool = False
    _text_cache: dict[int, str] = field(default_factory=dict)

    page: Any = None  # structure_page.Page: the tree a browser builds, used by assertions
    ts_elements: list[Element] = field(default_factory=list)  # tree-sitter's, for `closed`

    def text(self, el: Any) -> str:
        """All text inside ``el``, whitespace collapsed, entities decoded (capped)."""
        if self.page is not None:
            return str(self.page.text(el))
        key = id(el)
        if key not in self._text_cache:
            i = bisect.bisect_left(self.text_starts, el.start)
            pieces: list[str] = []
            size = 0
            while i < len(self.text_starts) and self.text_starts[i] < el.end and size < TEXT_CAP:
                pieces.append(self.text_runs[i])
                size += len(self.text_runs[i])
                i += 1
            self._text_cache[key] = " ".join(" ".join(pieces).split())[:TEXT_CAP]
        return self._text_cache[key]

    def select(self, selector_text: str) -> list[Any]:
        """Elements matched by a selector list, in document order (in the browser's tree)."""
        selectors: list[Selector] = parse_selectors(selector_text)
        pool = self.page.elements if self.page is not None else self.elements
        return [el for el in pool if matches_any(selectors, el)]

    @property
    def all_elements(self) -> list[Any]:
        """Every element assertions look at (the browser's tree when it was built)."""
        return list(self.page.elements) if self.page is not None else self.elements


def _attributes(tag_node: Any, source: Source) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for attr in tag_node.named_children:
        if attr.type != "attribute":
            continue
        name = value = ""
        for part in attr.named_children:
            if part.type == "attribute_name":
                name = source.node_text(part).lower()
            elif part.type == "attribute_value":
                value = source.node_text(part)
            elif part.type == "quoted_attribute_value":
                inner = [c for c in part.named_children if c.type == "attribute_value"]
                value = source.node_text(inner[0]) if inner else ""
        if name and name not in attrs:  # the first of duplicated attributes wins, as in browsers
            attrs[name] = html.unescape(value)
    return attrs


def build_document(tree: Any, source: Source) -> Document:
    """Turn a tree-sitter-html tree into a ``Document`` without recursion.

    Raises:
        StructureError: elements nested deeper than ``MAX_DEPTH``.
    """
    doc = Document(source=source)
    root = tree.root_node
    for child in root.children:
        if child.type == "doctype":
            doc.has_doctype = "html" in source.node_text(child).lower()
            break
        if child.type not in ("comment",) and not (
            child.type == "text" and not source.node_text(child).strip()
        ):
            break
    stack: list[tuple[Any, Element | None]] = [(root, None)]
    while stack:
        node, parent = stack.pop()
        kind = node.type
        if kind in ("element", "script_element", "style_element"):
            tag_node = next(
                (c for c in node.children if c.type in ("start_tag", "self_closing_tag")), None
            )
            if tag_node is None:
                continue
            name_node = next((c for c in tag_node.children if c.type == "tag_name"), None)
            depth = parent.depth + 1 if parent else 1
            if depth > MAX_DEPTH:
                raise StructureError(
                    f"{source.name} has tags nested more than {MAX_DEPTH} deep (line "
                    f"{Source.line(node)}). Look for tags that are opened but never closed."
                )
            el = Element(
                tag=source.node_text(name_node).lower() if name_node else "",
                attrs=_attributes(tag_node, source),
                line=Source.line(node),
                start=node.start_byte,
                end=node.end_byte,
                parent=parent,
                depth=depth,
                has_end=any(c.type == "end_tag" for c in node.children),
                self_closing=tag_node.type == "self_closing_tag",
            )
            doc.elements.append(el)
            if parent is not None:
                parent.children.append(el)
            if kind != "element":  # script/style bodies are code, not page text
                continue
            stack.extend((c, el) for c in reversed(node.children) if c.type not in _SKIP)
        elif kind == "text":
            doc.text_starts.append(node.start_byte)
            doc.text_runs.append(source.node_text(node))
        elif kind == "entity":
            doc.text_starts.append(node.start_byte)
            doc.text_runs.append(html.unescape(source.node_text(node)))
        elif kind == "erroneous_end_tag":
            name = next((c for c in node.children if c.type == "erroneous_end_tag_name"), None)
            tag = source.node_text(name).lower() if name else "?"
            doc.stray_end_tags.append((tag, Source.line(node)))
        elif kind == "ERROR":
            # At the top level tree-sitter reports a stray end tag as an ERROR node.
            m = _END_TAG.match(source.node_text(node))
            if m:
                doc.stray_end_tags.append((m.group(1).lower(), Source.line(node)))
            stack.extend((c, parent) for c in reversed(node.children))
        else:
            stack.extend((c, parent) for c in reversed(node.children))
    # text runs arrive in document order except around skipped nodes: keep bisect valid
    if doc.text_starts != sorted(doc.text_starts):
        pairs = sorted(zip(doc.text_starts, doc.text_runs, strict=True))
        doc.text_starts = [p[0] for p in pairs]
        doc.text_runs = [p[1] for p in pairs]
    return doc


_END_TAG = re.compile(r"\s*</\s*([A-Za-z][A-Za-z0-9-]*)")
_SKIP = frozenset({"start_tag", "end_tag", "self_closing_tag"})


# ---------------------------------------------------------------------------------------------
# Evaluation


def none_found(selector_text: str, file_name: str) -> str:
    """ "No <h1> was found in index.html." """
    what = describe(selector_text)
    if what.startswith("an element"):
        what = what[3:]
    return f"No {what} was found in {file_name}."


def describe(selector_text: str) -> str:
    """``<h1>`` for a bare tag selector, else the selector in quotes."""
    selectors = parse_selectors(selector_text)
    if len(selectors) == 1 and selectors[0].simple_tag:
        return f"<{selectors[0].simple_tag}>"
    return f"an element matching '{selector_text}'"


def _plural(selector_text: str) -> str:
    selectors = parse_selectors(selector_text)
    if len(selectors) == 1 and selectors[0].simple_tag:
        return f"<{selectors[0].simple_tag}> elements"
    return f"elements matching '{selector_text}'"


def default_name(key: str | None, table: dict[str, Any]) -> str:
    """The test name shown when the course gives none."""
    try:
        if key == "exists":
            what = describe(table["exists"])
            low, high = table.get("min", 1), table.get("max")
            article = "an" if what.startswith(("<a", "<e", "<h", "<i", "<o", "<u")) else "a"
            words = (
                f"The page has {article} {what}"
                if what.startswith("<")
                else (f"The page has {what}")
            )
            if "with_text" in table:
                words += f" that mentions '{table['with_text']}'"
            if low > 1 and high is None:
                words = f"The page has at least {low} {_plural(table['exists'])}"
            elif high is not None and low == high == 1:
                words = f"The page has exactly one {what}"
            elif high is not None and low == high:
                words = f"The page has exactly {low} {_plural(table['exists'])}"
            elif high is not None:
                words += f" (at most {high})"
            return words
        if key == "absent":
            return f"The page does not use {describe(table['absent'])}"
        if key == "attr":
            rule = rule_words(table)
            rule = "" if rule == "be present" else f" that must {rule}"
            attribute = table.get("attribute", "?")
            article = "an" if attribute[:1] in "aeiou" else "a"
            return f"Every {describe(table['attr'])} has {article} {attribute} attribute{rule}"
        if key == "text":
            return f"The text of every {describe(table['text'])} must {rule_words(table)}"
        if key == "labelled":
            words = f" that mentions '{table['with_text']}'" if "with_text" in table else ""
            return f"Every {describe(table['labelled'])} has a label{words}"
        if key == "order":
            return (
                "The page puts " + ", then ".join(describe(s) for s in table["order"]) + " in order"
            )
        if key == "doctype":
            return "The page starts with <!DOCTYPE html>"
        if key == "closed":
            return "Every tag that is opened is closed"
    except (SelectorError, KeyError, TypeError):
        pass
    return "A check on the page"


def evaluate(tree: Any, source: Source, asserts: list[dict[str, Any]]) -> list[TestOutcome]:
    """Evaluate each ``html`` assertion against the learner's page."""
    doc = build_document(tree, source)
    doc.page = parse_page(source.text, source.name)
    markup = _markup_problem(doc)
    tables = [normalise(a) for a in asserts]
    keys = [next(k for k in table if k in VOCABULARY) for table in tables]
    results: list[TestOutcome] = []
    for table, key in zip(tables, keys, strict=True):
        failure, line = _CHECKS[key](doc, table)
        results.append(outcome(table, default_name(key, table), failure, line))
    keep_idx = _one_cause(doc, tables, keys, results)
    results = [results[i] for i in keep_idx]
    keys = [keys[i] for i in keep_idx]
    if markup is None:
        return results
    # One mistake, one message: a tag left open (or closed twice) changes the whole tree after
    # it, so every assertion it breaks would fail with a misleading reason. Report the mistake
    # once — on the `closed` test when the check has one, else on the first failing test —
    # and hold the other failures back until it is fixed.
    failing = [i for i, r in enumerate(results) if r.status == "failed"]
    if not failing:
        return results
    closed = [i for i in failing if keys[i] == "closed"]
    keep = closed[0] if closed else failing[0]
    shown = results[keep]
    results[keep] = TestOutcome(name=shown.name, status="failed", message=markup[0])
    return [r for i, r in enumerate(results) if i == keep or r.status != "failed"]


def _one_cause(
    doc: Document, tables: list[dict[str, Any]], keys: list[str], results: list[TestOutcome]
) -> list[int]:
    """The indexes of the results to show: a failure whose only cause was already reported is
    held back. When no element of a kind exists (no ``<h1>`` at all), every later assertion
    about that kind fails for the same reason, and the learner needs to read it once."""
    missing: set[str] = set()
    kept: list[int] = []
    for i, (table, key, result) in enumerate(zip(tables, keys, results, strict=True)):
        cause = None
        if result.status == "failed" and key in ("exists", "attr", "text", "labelled"):
            if not doc.select(table[key]):
                cause = _subject(doc, table[key])
        if result.status == "failed" and key == "order":
            absent = [sel for sel in table[key] if not doc.select(sel)]
            if absent:
                cause = _subject(doc, absent[0])
        if cause is not None and cause in missing:
            continue
        if cause is not None:
            missing.add(cause)
        kept.append(i)
    return kept


def _subject(doc: Document, selector_text: str) -> str:
    """What is missing when a selector matches nothing: the first of its parts that matches
    nothing on its own (``header h1`` with no ``<header>`` -> ``header``), else the selector."""
    selectors = parse_selectors(selector_text)
    if len(selectors) != 1:
        return selector_text
    for _combinator, compound in selectors[0].parts:
        if not any(compound.matches(el) for el in doc.all_elements):
            return repr(compound)
    return selector_text


def _markup_problem(doc: Document) -> tuple[str, int] | None:
    """The first tag left open or closed without opening, as (message, line), or None."""
    failure, line = _closed(doc, {})
    if failure is None or line is None:
        return None
    return failure, line


Failure = tuple[str | None, int | None]


def _exists(doc: Document, table: dict[str, Any]) -> Failure:
    sel = table["exists"]
    found = doc.select(sel)
    what = describe(sel)
    wanted = found
    if "with_text" in table:
        wanted = [
            el for el in found if text_matches(doc.text(el), {"contains": table["with_text"]})
        ]
    low, high = table.get("min", 1), table.get("max")
    n = len(wanted)
    if n == 0 and low > 0:
        if "with_text" in table and found:
            return (
                f"Line {found[0].line}: your {what} says {quote(doc.text(found[0]))}, but it "
                f"should mention '{table['with_text']}'.",
                found[0].line,
            )
        return f"{none_found(sel, doc.source.name)} Add one.", None
    if n < low:
        return (
            f"Found {n} {_plural(sel)} in {doc.source.name}, but the task needs at least {low}.",
            None,
        )
    if high is not None and n > high:
        extra = wanted[high]
        if high == 0:
            return f"Line {extra.line}: there should be no {what} here.", extra.line
        return (
            f"Found {n} {_plural(sel)}, but there should be at most {high}. "
            f"The extra one starts on line {extra.line}.",
            extra.line,
        )
    return None, None


def _absent(doc: Document, table: dict[str, Any]) -> Failure:
    found = doc.select(table["absent"])
    if found:
        el = found[0]
        return (
            f"Line {el.line}: this page should not use {describe(table['absent'])}. "
            "Remove it or use a better element.",
            el.line,
        )
    return None, None


def _attr(doc: Document, table: dict[str, Any]) -> Failure:
    sel, name = table["attr"], table["attribute"]
    found = doc.select(sel)
    if not found:
        return f"{none_found(sel, doc.source.name)[:-1]}, so its {name} can't be checked.", None
    for el in found:
        tag = f"<{el.tag}>"
        if name not in el.attrs:
            return f'Line {el.line}: this {tag} has no {name}. Add {name}="..." to it.', el.line
        if not text_matches(el.attrs[name], table) and not text_matches(
            norm_attr(name, el.attrs[name]), table
        ):
            value = el.attrs[name]
            if table.get("nonempty"):
                return (
                    f'Line {el.line}: this {tag} has an empty {name}="". Write something in it.',
                    el.line,
                )
            return (
                f"Line {el.line}: this {tag} has {name}={quote(value)}, but it should "
                f"{rule_words(table)}.",
                el.line,
            )
    return None, None


def _text(doc: Document, table: dict[str, Any]) -> Failure:
    sel = table["text"]
    found = doc.select(sel)
    if not found:
        return f"{none_found(sel, doc.source.name)} Add one.", None
    for el in found:
        text = doc.text(el)
        if not text_matches(text, table):
            if table.get("nonempty"):
                return f"Line {el.line}: this <{el.tag}> is empty. Write some words in it.", el.line
            return (
                f"Line {el.line}: this <{el.tag}> says {quote(text)}, but it should "
                f"{rule_words(table)}.",
                el.line,
            )
    return None, None


def _label_text(doc: Document, el: Any) -> str | None:
    """The words that label a form control, or None when it has no label.

    Any of: ``aria-label``; the text of ``aria-labelledby``'s elements; a ``<label for=id>``;
    a ``<label>`` wrapped around it (the browser's accessible name, in that order).
    """
    if el.attrs.get("aria-label", "").strip():
        return str(el.attrs["aria-label"]).strip()
    ids = el.attrs.get("aria-labelledby", "").split()
    if ids:
        named = [e for e in doc.all_elements if e.attrs.get("id") in ids]
        if named:
            return " ".join(doc.text(e) for e in named)
    ident = el.attrs.get("id")
    if ident:
        for label in doc.all_elements:
            if label.tag == "label" and label.attrs.get("for") == ident:
                return doc.text(label)
    ancestor = el.parent
    while ancestor is not None and ancestor.tag != "label":
        ancestor = ancestor.parent
    if ancestor is not None:
        return doc.text(ancestor)
    return None


def _labelled(doc: Document, table: dict[str, Any]) -> Failure:
    sel = table["labelled"]
    found = doc.select(sel)
    if not found:
        return none_found(sel, doc.source.name), None
    for el in found:
        if el.tag == "input" and el.attrs.get("type", "text").lower() in UNLABELLED_INPUT_TYPES:
            continue
        words = _label_text(doc, el)
        if words is not None:
            want = table.get("with_text")
            if want and not text_matches(words, {"contains": want}):
                return (
                    f"Line {el.line}: this <{el.tag}>'s label says {quote(words)}, but it "
                    f"should mention '{want}'.",
                    el.line,
                )
            continue
        ident = el.attrs.get("id")
        how = f'<label for="{ident}">' if ident else 'an id="..." on it and a <label for="..."> '
        return (
            f"Line {el.line}: this <{el.tag}> has no label. Add {how.strip()} so everyone "
            "knows what to type.",
            el.line,
        )
    return None, None


def _order(doc: Document, table: dict[str, Any]) -> Failure:
    firsts: list[tuple[str, Element]] = []
    for sel in table["order"]:
        found = doc.select(sel)
        if not found:
            return f"{none_found(sel, doc.source.name)} Add one.", None
        firsts.append((sel, found[0]))
    for (prev_sel, prev), (sel, el) in zip(firsts, firsts[1:], strict=False):
        if _position(el) < _position(prev):
            return (
                f"Line {el.line}: {describe(sel)} comes before {describe(prev_sel)} (line "
                f"{prev.line}), but it should come after it.",
                el.line,
            )
    return None, None


def _position(el: Any) -> int:
    """Document order of an element of either tree."""
    return int(el.index) if hasattr(el, "index") else int(el.start)


def _doctype(doc: Document, table: dict[str, Any]) -> Failure:
    del table
    if doc.has_doctype:
        return None, None
    return "The first line of the file should be <!DOCTYPE html>. Add it at the very top.", 1


def _typed_as_start(doc: Document, el: Element) -> Element | None:
    """The ``<h1>`` a learner typed where ``</h1>`` belongs: ``el``'s first child element has
    ``el``'s tag, no end tag of its own, and comes after some text inside ``el``."""
    if not el.children:
        return None
    child = el.children[0]
    if child.tag != el.tag or child.has_end:
        return None
    before = doc.source.span(el.start, child.start)
    return child if ">" in before and before.split(">", 1)[1].strip() else None


def _closed(doc: Document, table: dict[str, Any]) -> Failure:
    del table
    problems: list[tuple[int, str]] = []
    for el in doc.elements:
        if el.tag in VOID or el.self_closing or el.has_end or el.tag in OPTIONAL_END:
            continue
        if el.tag in RAW_TEXT:
            problems.append(
                (
                    el.line,
                    f"Line {el.line}: the <{el.tag}> that starts here is never closed, so "
                    f"everything after it counts as part of the {el.tag}. Add </{el.tag}> "
                    "where it ends.",
                )
            )
            break
        twin = _typed_as_start(doc, el)
        if twin is not None:  # <h1>Hello<h1>: the end tag was typed without its slash
            problems.append(
                (
                    twin.line,
                    f"Line {twin.line}: the <{el.tag}> is never closed: the second <{el.tag}> "
                    f"should be </{el.tag}> (an end tag has a / after the <).",
                )
            )
            break
        problems.append(
            (
                el.line,
                f"Line {el.line}: the <{el.tag}> that starts here is never closed. "
                f"Add </{el.tag}> where it ends.",
            )
        )
        break
    for tag, line in sorted(doc.stray_end_tags, key=lambda t: t[1])[:1]:
        problems.append(
            (line, f"Line {line}: there is a </{tag}> here, but no <{tag}> is open to close.")
        )
    if not problems:
        return None, None
    line, message = min(problems)
    return message, line


_CHECKS = {
    "exists": _exists,
    "absent": _absent,
    "attr": _attr,
    "text": _text,
    "labelled": _labelled,
    "order": _order,
    "doctype": _doctype,
    "closed": _closed,
}
