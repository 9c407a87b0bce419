"""The ``css`` assertion vocabulary: validation, the stylesheet model, and evaluation.

Owns turning a tree-sitter-css tree into rules and declarations (each knowing its selectors, its
enclosing ``@media`` condition and its line) and evaluating ``has_rule``, ``declares``,
``not_declares``, ``has_media``, ``uses_selector`` and ``parses`` (courses/FORMAT.md). Invariant:
selectors, values and media conditions are compared in one normalised form each
(``norm_selector``, ``norm_value``, ``norm_media``), on both the course's side and the learner's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from courses.model import TestOutcome
from courses.structure import (
    Assertion,
    Source,
    first_syntax_error,
    min_max_problems,
    one_of,
    outcome,
    quote,
    regex_problem,
    rule_words,
    text_matches,
    walk,
)

SELECTOR_TYPES = {
    "element": "tag_name",
    "class": "class_selector",
    "id": "id_selector",
    "descendant": "descendant_selector",
    "child": "child_selector",
    "pseudo-class": "pseudo_class_selector",
    "attribute": "attribute_selector",
    "universal": "universal_selector",
}
_VALUE_RULES = ("value", "value_contains", "value_matches")
VOCABULARY = {
    "has_rule": Assertion(str, {"media": str}),
    "declares": Assertion(
        str,
        {
            "in_rule": str,
            "media": str,
            "value": str,
            "value_contains": str,
            "value_matches": str,
            "min": int,
        },
    ),
    "not_declares": Assertion(str, {"in_rule": str, "media": str}),
    "has_media": Assertion(str, {}),
    "uses_selector": Assertion(str, {"min": int}),
    "parses": Assertion(bool, {}),
}


def norm_selector(text: str) -> str:
    """A selector in one canonical spelling: single spaces, none around ``> + ~ ,``."""
    text = " ".join(text.split())
    return re.sub(r"\s*([>+~,])\s*", r" \1 ", text).replace(" , ", ", ").strip()


def norm_value(text: str) -> str:
    """A declaration value: lowercase, single spaces, without ``!important``."""
    text = re.sub(r"!\s*important", "", text, flags=re.IGNORECASE)
    return " ".join(text.split()).lower()


def norm_media(text: str) -> str:
    """A media condition with no whitespace at all, lowercase (so spacing never matters)."""
    return "".join(text.split()).lower()


def semantic_problems(key: str, table: dict[str, Any]) -> list[str]:
    """Problems beyond field types."""
    found: list[str] = []
    if key == "parses" and table[key] is not True:
        found.append("parses: must be true (leave the assertion out otherwise)")
    if key == "uses_selector" and table[key] not in SELECTOR_TYPES:
        found.append(f"uses_selector: must be one of {', '.join(SELECTOR_TYPES)}")
    if key in ("declares", "uses_selector"):
        found += min_max_problems(table)
    if key == "declares":
        found += one_of(table, _VALUE_RULES, required=False)
        if "value_matches" in table:
            found += regex_problem("value_matches", table["value_matches"])
    for name in ("declares", "not_declares"):
        if key == name and not re.fullmatch(r"-{0,2}[a-zA-Z][a-zA-Z0-9-]*", table[key]):
            found.append(f"{name}: {table[key]!r} is not a CSS property name")
    for name in ("has_rule", "in_rule"):
        if name in table and not norm_selector(table[name]):
            found.append(f"{name}: empty selector")
    return found


@dataclass
class Rule:
    """One rule set: its selectors (normalised), enclosing media condition and declarations."""

    selectors: list[str]
    media: str | None
    line: int
    declarations: list[Declaration] = field(default_factory=list)


@dataclass
class Declaration:
    """``property: value`` inside a rule."""

    prop: str
    value: str
    line: int
    rule: Rule


@dataclass
class Stylesheet:
    """The rules of a stylesheet in order, its media conditions and selector-type counts."""

    source: Source
    rules: list[Rule] = field(default_factory=list)
    media: list[tuple[str, str, int]] = field(default_factory=list)  # (raw, normalised, line)
    selector_types: dict[str, int] = field(default_factory=dict)
    syntax_error: Any = None

    @property
    def declarations(self) -> list[Declaration]:
        """Every declaration, in order."""
        return [d for r in self.rules for d in r.declarations]


def _media_condition(node: Any, source: Source) -> str:
    parts = [c for c in node.children if c.type not in ("@media", "block", ";")]
    if not parts:
        return ""
    return source.span(parts[0].start_byte, parts[-1].end_byte)


def _declaration(node: Any, source: Source, rule: Rule) -> Declaration | None:
    prop_node = next((c for c in node.children if c.type == "property_name"), None)
    if prop_node is None:
        return None
    values = []
    seen_colon = False
    for child in node.children:
        if child.type == ":":
            seen_colon = True
        elif seen_colon and child.type not in (";", "important"):
            values.append(child)
    value = source.span(values[0].start_byte, values[-1].end_byte) if values else ""
    return Declaration(
        prop=source.node_text(prop_node).lower(),
        value=norm_value(value),
        line=Source.line(node),
        rule=rule,
    )


def build_stylesheet(tree: Any, source: Source) -> Stylesheet:
    """Collect rules, declarations, media conditions and selector types without recursion."""
    sheet = Stylesheet(source=source, syntax_error=first_syntax_error(tree.root_node))
    stack: list[tuple[Any, str | None]] = [(tree.root_node, None)]
    while stack:
        node, media = stack.pop()
        if node.type == "media_statement":
            raw = _media_condition(node, source)
            sheet.media.append((raw, norm_media(raw), Source.line(node)))
            media = norm_media(raw)
        if node.type == "rule_set":
            selectors_node = next((c for c in node.children if c.type == "selectors"), None)
            block = next((c for c in node.children if c.type == "block"), None)
            selectors: list[str] = []
            if selectors_node is not None:
                selectors = [
                    norm_selector(source.node_text(c))
                    for c in selectors_node.named_children
                    if c.type != "comment"
                ]
                for sub in walk(selectors_node):
                    for name, node_type in SELECTOR_TYPES.items():
                        if sub.type == node_type:
                            sheet.selector_types[name] = sheet.selector_types.get(name, 0) + 1
            rule = Rule(selectors=selectors, media=media, line=Source.line(node))
            sheet.rules.append(rule)
            if block is not None:
                for child in block.children:
                    if child.type == "declaration":
                        decl = _declaration(child, source, rule)
                        if decl is not None:
                            rule.declarations.append(decl)
                # nested rules (CSS nesting) are walked too
                stack.extend(
                    (c, media) for c in reversed(block.children) if c.type != "declaration"
                )
            continue
        stack.extend((c, media) for c in reversed(node.children))
    return sheet


def _media_ok(rule: Rule, table: dict[str, Any]) -> bool:
    if "media" not in table:
        return True
    return rule.media is not None and norm_media(table["media"]) in rule.media


def _rule_ok(rule: Rule, table: dict[str, Any]) -> bool:
    if "in_rule" not in table:
        return True
    return norm_selector(table["in_rule"]) in rule.selectors


def _where(table: dict[str, Any]) -> str:
    words = ""
    if "in_rule" in table:
        words += f" in the {norm_selector(table['in_rule'])} rule"
    if "media" in table:
        words += f" inside an @media ({table['media']}) block"
    return words


def default_name(key: str | None, table: dict[str, Any]) -> str:
    """The test name shown when the course gives none."""
    try:
        if key == "has_rule":
            media = f" inside @media ({table['media']})" if "media" in table else ""
            return f"The stylesheet has a rule for {table['has_rule']}{media}"
        if key == "declares":
            prop = table["declares"]
            if "value" in table:
                what = f"{prop}: {table['value']}"
            elif any(k in table for k in _VALUE_RULES):
                what = f"{prop} (the value must {rule_words(table, 'value_')})"
            else:
                what = prop
            low = table.get("min", 1)
            times = f" at least {low} times" if low > 1 else ""
            return f"The stylesheet sets {what}{times}{_where(table)}"
        if key == "not_declares":
            return f"The stylesheet does not use {table['not_declares']}{_where(table)}"
        if key == "has_media":
            return f"The stylesheet has an @media ({table['has_media']}) block"
        if key == "uses_selector":
            low = table.get("min", 1)
            kind = table["uses_selector"]
            if low > 1:
                return f"The stylesheet uses at least {low} {kind} selectors"
            return f"The stylesheet uses {_article(kind)} {kind} selector"
        if key == "parses":
            return "The stylesheet has no mistakes in its punctuation"
    except (KeyError, TypeError):
        pass
    return "A check on the stylesheet"


Failure = tuple[str | None, int | None]


def _has_rule(sheet: Stylesheet, table: dict[str, Any]) -> Failure:
    want = norm_selector(table["has_rule"])
    for rule in sheet.rules:
        if want in rule.selectors and _media_ok(rule, table):
            return None, None
    media = f" inside an @media ({table['media']}) block" if "media" in table else ""
    return (
        f"There is no rule for {want}{media} in {sheet.source.name}. Add one: {want} {{ ... }}",
        None,
    )


def _value_ok(decl: Declaration, table: dict[str, Any]) -> bool:
    if "value" in table:
        return decl.value == norm_value(table["value"])
    return text_matches(decl.value, table, prefix="value_")


def _declares(sheet: Stylesheet, table: dict[str, Any]) -> Failure:
    prop = table["declares"].lower()
    placed = [
        d
        for d in sheet.declarations
        if d.prop == prop and _rule_ok(d.rule, table) and _media_ok(d.rule, table)
    ]
    good = [d for d in placed if _value_ok(d, table)]
    low = table.get("min", 1)
    if len(good) >= low:
        return None, None
    where = _where(table)
    if "in_rule" in table and not any(
        norm_selector(table["in_rule"]) in r.selectors and _media_ok(r, table) for r in sheet.rules
    ):
        return (
            f"There is no rule for {norm_selector(table['in_rule'])}"
            f"{' inside an @media (' + table['media'] + ') block' if 'media' in table else ''}"
            f" in {sheet.source.name}, so {prop} can't be set there.",
            None,
        )
    if placed and not good:
        d = placed[0]
        wanted = (
            f"should be {table['value']}"
            if "value" in table
            else f"should {rule_words(table, 'value_')}"
        )
        return f"Line {d.line}: {prop} is {quote(d.value)} here, but it {wanted}.", d.line
    if low > 1:
        return (
            f"{prop} is set {len(good)} time{'s' if len(good) != 1 else ''}{where}, but the task "
            f"needs at least {low}.",
            None,
        )
    return f"{prop} is not set{where}. Add {prop}: ...; to the right rule.", None


def _not_declares(sheet: Stylesheet, table: dict[str, Any]) -> Failure:
    prop = table["not_declares"].lower()
    for d in sheet.declarations:
        if d.prop == prop and _rule_ok(d.rule, table) and _media_ok(d.rule, table):
            return (
                f"Line {d.line}: this exercise should not use {prop}. Try another way.",
                d.line,
            )
    return None, None


def _has_media(sheet: Stylesheet, table: dict[str, Any]) -> Failure:
    want = norm_media(table["has_media"])
    if any(want in norm for _raw, norm, _line in sheet.media):
        return None, None
    if sheet.media:
        raw, _norm, line = sheet.media[0]
        return (
            f"Line {line}: your @media block is for {quote(raw)}, but the task asks for "
            f"({table['has_media']}).",
            line,
        )
    return (
        f"There is no @media ({table['has_media']}) block in {sheet.source.name}. Add one.",
        None,
    )


def _uses_selector(sheet: Stylesheet, table: dict[str, Any]) -> Failure:
    kind = table["uses_selector"]
    low = table.get("min", 1)
    have = sheet.selector_types.get(kind, 0)
    if have >= low:
        return None, None
    examples = {
        "element": "p",
        "class": ".card",
        "id": "#top",
        "descendant": "nav a",
        "child": "ul > li",
        "pseudo-class": "a:hover",
        "attribute": "[type=email]",
        "universal": "*",
    }
    return (
        f"The stylesheet uses {have} {kind} selector{'s' if have != 1 else ''}; the task needs "
        f"at least {low} ({_article(kind)} {kind} selector looks like {examples[kind]}).",
        None,
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _parses(sheet: Stylesheet, table: dict[str, Any]) -> Failure:
    del table
    node = sheet.syntax_error
    if node is None:
        return None, None
    line = Source.line(node)
    if node.is_missing:
        return f"Line {line}: something is missing here — perhaps a '{node.type}'.", line
    return (
        f"Line {line}: the stylesheet has a mistake here. Check for a missing ':' between a "
        "property and its value, a missing ';' at the end, or a missing '}'.",
        line,
    )


_CHECKS = {
    "has_rule": _has_rule,
    "declares": _declares,
    "not_declares": _not_declares,
    "has_media": _has_media,
    "uses_selector": _uses_selector,
    "parses": _parses,
}


def evaluate(tree: Any, source: Source, asserts: list[dict[str, Any]]) -> list[TestOutcome]:
    """Evaluate each ``css`` assertion against the learner's stylesheet."""
    sheet = build_stylesheet(tree, source)
    results = []
    for table in asserts:
        key = next(k for k in table if k in VOCABULARY)
        failure, line = _CHECKS[key](sheet, table)
        results.append(outcome(table, default_name(key, table), failure, line))
    return results
