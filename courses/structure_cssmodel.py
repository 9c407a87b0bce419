"""A learner's stylesheet as a browser reads it, applied to the page it styles.

Owns ``CssModel``: the rules (tinycss2, the CSS Syntax standard's parser, so error recovery is a
browser's), which elements of the page each selector selects (cssselect2), and the cascade —
the declared value an element gets for a property, from specificity, order and ``!important``,
with shorthands and longhands (``structure_cssvalues``) treated alike.

Invariants: a selector the course names and a learner's selector are "the same rule" when their
text is the same or when they select the same, non-empty set of elements in the page
(``ul.nav`` = ``.nav`` when every ``.nav`` is a ``ul``); selectors that match nothing in a page
(``a:hover``) or hold a pseudo-element are compared by text (pseudo part exact, the rest by the
elements it selects). Nothing here recurses over learner input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import cssselect2
import tinycss2

from courses import structure_cssvalues as values


def norm_selector(text: str) -> str:
    """A selector in one canonical spelling: single spaces, none around ``> + ~ ,``."""
    text = " ".join(text.split())
    return re.sub(r"\s*([>+~,])\s*", r" \1 ", text).replace(" , ", ", ").strip()


@dataclass(eq=False)
class CssSelector:
    """One selector of a rule's selector list."""

    text: str  # normalised
    compiled: Any  # cssselect2 CompiledSelector, or None (invalid)


@dataclass(eq=False)
class CssDecl:
    """One declaration, with the longhands it sets."""

    prop: str
    raw: str
    important: bool
    line: int
    order: int
    canon: dict[str, str]
    spelled: dict[str, str]


@dataclass(eq=False)
class CssRule:
    """A style rule: its selectors, enclosing media condition and declarations."""

    selectors: list[CssSelector]
    media: str | None
    line: int
    decls: list[CssDecl] = field(default_factory=list)


def _split_selectors(prelude: list[Any]) -> list[list[Any]]:
    parts: list[list[Any]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _compile(tokens: list[Any] | str) -> Any:
    try:
        compiled = cssselect2.compile_selector_list(tokens)
    except (cssselect2.SelectorError, ValueError, TypeError, KeyError, IndexError):
        return None
    return compiled[0] if len(compiled) == 1 else None


class CssModel:
    """The stylesheet's rules and, with a page, what they select there."""

    def __init__(self, css_text: str, page: Any = None) -> None:
        self.rules: list[CssRule] = []
        self.errors: list[tuple[int, str]] = []  # (line, "semicolon" | "error"), in order
        self.page = page
        self.page_name = page.name if page is not None else ""
        self._wrappers: list[Any] = []
        self._index: dict[int, int] = {}
        self._matches: dict[int, frozenset[int]] = {}
        self._targets: dict[str, list[int] | None] = {}
        self._compiled: dict[str, Any] = {}
        self._read(css_text)
        if page is not None:
            root = cssselect2.ElementWrapper.from_html_root(page.root)
            self._wrappers = list(root.iter_subtree())
            self._index = {id(w.etree_element): i for i, w in enumerate(self._wrappers)}

    # -- reading -----------------------------------------------------------------------------

    def _read(self, css_text: str) -> None:
        order = 0
        top = tinycss2.parse_stylesheet(css_text, skip_comments=True, skip_whitespace=True)
        stack: list[tuple[list[Any], int, str | None]] = [(top, 0, None)]
        while stack:
            nodes, i, media = stack.pop()
            if i >= len(nodes):
                continue
            stack.append((nodes, i + 1, media))
            node = nodes[i]
            if node.type == "at-rule" and node.lower_at_keyword == "media":
                if node.content is not None:
                    condition = "".join(tinycss2.serialize(node.prelude).split()).lower()
                    inner = tinycss2.parse_rule_list(
                        node.content, skip_comments=True, skip_whitespace=True
                    )
                    stack.append((inner, 0, condition))
                continue
            if node.type != "qualified-rule":
                continue
            selectors = []
            for part in _split_selectors(node.prelude):
                text = norm_selector(tinycss2.serialize(part))
                selectors.append(CssSelector(text=text, compiled=_compile(part)))
            if any(s.compiled is None for s in selectors):  # a browser drops the whole rule
                for sel in selectors:
                    sel.compiled = None
            rule = CssRule(selectors=selectors, media=media, line=node.source_line)
            self.rules.append(rule)
            for item in tinycss2.parse_blocks_contents(
                node.content, skip_comments=True, skip_whitespace=True
            ):
                if item.type == "error":
                    self.errors.append((item.source_line, "error"))
                if item.type != "declaration":
                    continue
                if any(t.type == "literal" and t.value == ":" for t in item.value):
                    # ``padding: 16px`` + newline + ``border: ...``: the ';' is missing, so a
                    # browser reads both lines as one value and drops it.
                    self.errors.append((item.source_line, "semicolon"))
                raw = tinycss2.serialize(item.value)
                prop = item.lower_name
                order += 1
                rule.decls.append(
                    CssDecl(
                        prop=prop,
                        raw=raw,
                        important=bool(item.important),
                        line=item.source_line,
                        order=order,
                        canon=values.expand(prop, raw),
                        spelled=values.expand_raw(prop, raw),
                    )
                )

    # -- the page ----------------------------------------------------------------------------

    def element(self, index: int) -> Any:
        """The ``PageElement`` at wrapper ``index``."""
        return self.page.element_of(self._wrappers[index].etree_element)

    def _selected(self, compiled: Any) -> frozenset[int]:
        # Keyed by id: every compiled selector passed here is held by a rule or by
        # ``self._compiled`` for the model's lifetime, so an id is never reused.
        key = id(compiled)
        if key not in self._matches:
            if compiled is None or compiled.never_matches or compiled.pseudo_element:
                found: frozenset[int] = frozenset()
            else:
                found = frozenset(i for i, w in enumerate(self._wrappers) if compiled.test(w))
            self._matches[key] = found
        return self._matches[key]

    def _compile_text(self, text: str) -> Any:
        """``_compile`` of a selector text, kept for the model's lifetime (see ``_selected``)."""
        if text not in self._compiled:
            self._compiled[text] = _compile(text)
        return self._compiled[text]

    def targets(self, selector_text: str) -> list[int] | None:
        """The page elements a course selector selects (None: no page, or none selected)."""
        if self.page is None:
            return None
        if selector_text not in self._targets:
            compiled = self._compile_text(selector_text)
            found = sorted(self._selected(compiled)) if compiled is not None else []
            self._targets[selector_text] = found or None
        return self._targets[selector_text]

    def is_for(self, rule: CssRule, selector_text: str) -> bool:
        """Whether ``rule`` is a rule for the course's selector (see module invariants)."""
        for sel in rule.selectors:
            if sel.text == selector_text:
                return True
        if self.page is None:
            return False
        want_base, want_pseudo = _pseudo_split(selector_text)
        want = self.targets(want_base) if want_base else None
        if not want:
            return False
        for sel in rule.selectors:
            base, pseudo = _pseudo_split(sel.text)
            if pseudo != want_pseudo or not base:
                continue
            compiled = self._compile_text(base)
            if compiled is not None and sorted(self._selected(compiled)) == want:
                return True
        return False

    def applies(self, rule: CssRule, targets: list[int]) -> bool:
        """Whether any selector of ``rule`` selects any of ``targets``."""
        return any(self._selected(s.compiled) & set(targets) for s in rule.selectors)

    # -- values ------------------------------------------------------------------------------

    def in_rule(
        self, rule: CssRule, prop: str, *, overlap: bool = False
    ) -> tuple[dict[str, str], str, int] | None:
        """What ``rule`` itself sets for ``prop``: (canonical longhands, text, line), or None.

        With ``overlap``, a declaration setting any longhand of ``prop`` (or ``prop`` itself,
        when it is a longhand of the declaration) counts.
        """
        names = values.longhands(prop)
        best: dict[str, CssDecl] = {}
        for decl in rule.decls:
            for name in names:
                if name in decl.canon:
                    held = best.get(name)
                    if held is None or not held.important or decl.important:
                        best[name] = decl
        if not best:
            return None
        return self._combine(prop, names, best)

    def resolve(
        self, index: int, prop: str, media: str | None
    ) -> tuple[dict[str, str], str, int] | None:
        """The value element ``index`` gets for ``prop`` from the cascade, or None.

        ``media``: the course's media text — rules in an @media whose condition contains it
        apply, as do rules outside any @media. Without it only rules outside @media apply,
        then (for an element they leave unset) rules inside any @media.
        """
        names = values.longhands(prop)
        want = "".join(media.split()).lower() if media else None
        for allow_any_media in (False, True):
            best: dict[str, tuple[tuple[bool, Any, int], CssDecl]] = {}
            for rule in self.rules:
                if rule.media is not None and not allow_any_media:
                    if want is None or want not in rule.media:
                        continue
                specificity = None
                for sel in rule.selectors:
                    if index in self._selected(sel.compiled):
                        spec = sel.compiled.specificity
                        specificity = spec if specificity is None else max(specificity, spec)
                if specificity is None:
                    continue
                for decl in rule.decls:
                    for name in names:
                        if name in decl.canon:
                            key = (decl.important, specificity, decl.order)
                            held = best.get(name)
                            if held is None or key > held[0]:
                                best[name] = (key, decl)
            if best:
                return self._combine(prop, names, {n: d for n, (_k, d) in best.items()})
            if want is not None:
                return None
        return None

    @staticmethod
    def _combine(
        prop: str, names: list[str], decls: dict[str, CssDecl]
    ) -> tuple[dict[str, str], str, int]:
        canon = {n: decls[n].canon[n] if n in decls else values.initial(n) for n in names}
        spelled = {n: decls[n].spelled[n] if n in decls else values.initial(n) for n in names}
        chosen = list({id(d): d for d in decls.values()}.values())
        plain = " ".join(chosen[0].raw.split()).lower()
        if len(chosen) == 1 and (
            len(names) == 1 or set(chosen[0].spelled.values()) == {plain}
        ):  # one declaration that sets the property as a whole: show it as written
            text = plain
        else:  # pieces from several declarations, or a shorthand: in the usual order
            text = values.compose(prop, spelled)
        line = max(d.line for d in chosen)
        return canon, text, line


def _pseudo_split(text: str) -> tuple[str, str]:
    """``a.nav:hover`` -> (``a.nav``, ``:hover``); no pseudo part -> (text, "")."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == ":" and depth == 0:
            return text[:i].strip(), text[i:].strip().lower()
    return text, ""
