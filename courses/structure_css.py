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

from courses import structure_cssvalues as values
from courses.model import TestOutcome
from courses.structure import (
    Assertion,
    Source,
    StructureError,
    decode_text,
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
from courses.structure_cssmodel import CssModel, CssRule
from courses.structure_page import parse_page

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
_VALUE_RULES = ("value", "values", "value_contains", "value_matches")
VOCABULARY = {
    "has_rule": Assertion(str, {"media": str}),
    "declares": Assertion(
        str,
        {
            "in_rule": str,
            "media": str,
            "value": str,
            "values": ("list", str),
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
    model: Any = None  # CssModel: rules as a browser reads them, and the page

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


def _media_ok(rule: Any, table: dict[str, Any]) -> bool:
    if "media" not in table:
        return True
    return rule.media is not None and norm_media(table["media"]) in rule.media


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
            elif "values" in table:
                what = f"{prop}: " + " or ".join(str(v) for v in table["values"])
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
    model = sheet.model
    if any(model.is_for(rule, want) and _media_ok(rule, table) for rule in model.rules):
        return None, None
    media = f" inside an @media ({table['media']}) block" if "media" in table else ""
    return (
        f"There is no rule for {want}{media} in {sheet.source.name}. Add one: {want} {{ ... }}",
        None,
    )


def _value_ok(canon: dict[str, str], raw_text: str, table: dict[str, Any], prop: str) -> bool:
    """Whether a resolved value satisfies the assertion's value rule."""
    if "value" in table or "values" in table:
        wanted = [table["value"]] if "value" in table else list(table["values"])
        for text in wanted:
            expected = values.expand(prop, text)
            if all(canon.get(k, values.INITIAL.get(k, "")) == v for k, v in expected.items()):
                return True
        return False
    return text_matches(raw_text, table, prefix="value_")


def _wanted_words(table: dict[str, Any]) -> str:
    if "value" in table:
        return f"should be {table['value']}"
    if "values" in table:
        return "should be " + " or ".join(str(v) for v in table["values"])
    return f"should {rule_words(table, 'value_')}"


def _declares(sheet: Stylesheet, table: dict[str, Any]) -> Failure:
    prop = table["declares"].lower()
    model = sheet.model
    low = table.get("min", 1)
    if "in_rule" in table and low == 1:
        targets = model.targets(norm_selector(table["in_rule"]))
        if targets:
            return _declares_on_page(sheet, table, prop, targets)
    # Rule by rule: the rules for in_rule (the same selector, or one selecting the same
    # elements of the page), or every rule; a rule declares prop when it sets any longhand.
    placed: list[tuple[CssRule, dict[str, str], str, int]] = []
    for rule in model.rules:
        if "in_rule" in table and not model.is_for(rule, norm_selector(table["in_rule"])):
            continue
        if not _media_ok(rule, table):
            continue
        found = model.in_rule(rule, prop)
        if found is not None:
            placed.append((rule, *found))
    good = [p for p in placed if _value_ok(p[1], p[2], table, prop)]
    if len(good) >= low:
        return None, None
    where = _where(table)
    if "in_rule" in table and not any(
        model.is_for(r, norm_selector(table["in_rule"])) and _media_ok(r, table)
        for r in model.rules
    ):
        return (
            f"There is no rule for {norm_selector(table['in_rule'])}"
            f"{' inside an @media (' + table['media'] + ') block' if 'media' in table else ''}"
            f" in {sheet.source.name}, so {prop} can't be set there.",
            None,
        )
    if placed and not good:
        _rule, _canon, raw, line = placed[0]
        return (
            f"Line {line}: {prop} is {quote(raw)} here, but it {_wanted_words(table)}.",
            line,
        )
    if low > 1:
        return (
            f"{prop} is set {len(good)} time{'s' if len(good) != 1 else ''}{where}, but the task "
            f"needs at least {low}.",
            None,
        )
    return f"{prop} is not set{where}. Add {prop}: ...; to the right rule.", None


def _declares_on_page(
    sheet: Stylesheet, table: dict[str, Any], prop: str, targets: list[int]
) -> Failure:
    """``declares`` with ``in_rule``, judged as a browser would: the value each element that
    ``in_rule`` selects in the page gets from the learner's stylesheet (specificity, order,
    ``!important``, shorthands), whichever rules it comes from."""
    model = sheet.model
    media = table.get("media")
    where = _where(table)
    missing: list[int] = []
    for index in targets:
        resolved = model.resolve(index, prop, media)
        if resolved is None:
            missing.append(index)
            continue
        canon, raw, line = resolved
        if not _value_ok(canon, raw, table, prop):
            return (
                f"Line {line}: {prop} is {quote(raw)} here, but it {_wanted_words(table)}.",
                line,
            )
    if not missing:
        return None, None
    want = norm_selector(table["in_rule"])
    if len(missing) == len(targets):
        if not any(model.applies(rule, targets) and _media_ok(rule, table) for rule in model.rules):
            media_words = f" inside an @media ({media}) block" if media else ""
            return (
                f"There is no rule for {want}{media_words} in {sheet.source.name}, so {prop} "
                "can't be set there.",
                None,
            )
        return f"{prop} is not set{where}. Add {prop}: ...; to the right rule.", None
    element = model.element(missing[0])
    return (
        f"{prop} is set for some of the elements {want} selects, but not for the "
        f"<{element.tag}> on line {element.line} of {model.page_name}. Write the rule for "
        f"{want} itself.",
        None,
    )


def _not_declares(sheet: Stylesheet, table: dict[str, Any]) -> Failure:
    prop = table["not_declares"].lower()
    model = sheet.model
    for rule in model.rules:
        if "in_rule" in table and not model.is_for(rule, norm_selector(table["in_rule"])):
            continue
        if not _media_ok(rule, table):
            continue
        found = model.in_rule(rule, prop, overlap=True)
        if found is not None:
            line = found[2]
            return (
                f"Line {line}: this exercise should not use {prop}. Try another way.",
                line,
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
        if sheet.model is not None and sheet.model.errors:
            line, what = sheet.model.errors[0]
            if what == "semicolon":
                return (
                    f"Line {line}: this line does not end with ';', so the line after it is "
                    "read as part of it and both are ignored. Add ';' at the end of the line.",
                    line,
                )
            return (
                f"Line {line}: the stylesheet has a mistake here. Check for a missing ':' "
                "between a property and its value, a missing ';' at the end, or a missing '}'.",
                line,
            )
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


def evaluate(
    tree: Any,
    source: Source,
    asserts: list[dict[str, Any]],
    page: tuple[str, bytes] | None = None,
) -> list[TestOutcome]:
    """Evaluate each ``css`` assertion against the learner's stylesheet.

    Args:
        page: (name, bytes) of the page the stylesheet styles, when the check names one:
            ``in_rule``/``has_rule`` then mean "the elements this selector selects there".
    """
    sheet = build_stylesheet(tree, source)
    parsed_page = None
    if page is not None:
        try:
            parsed_page = parse_page(decode_text(page[1], page[0]), page[0])
        except StructureError:
            parsed_page = None  # judged on the stylesheet's text alone
    try:
        sheet.model = CssModel(source.text, parsed_page)
    except RecursionError:
        raise StructureError(
            f"{source.name} has brackets nested too deep to check. Look for a ( or {{ that "
            "is opened many times but never closed."
        ) from None
    results = []
    for table in asserts:
        key = next(k for k in table if k in VOCABULARY)
        failure, line = _CHECKS[key](sheet, table)
        results.append(outcome(table, default_name(key, table), failure, line))
    return results
