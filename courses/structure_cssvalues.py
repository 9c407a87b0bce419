"""CSS values compared by meaning: one canonical form, and shorthands as their longhands.

Owns ``canonical`` (a value in one spelling: ``#333`` = ``#333333`` = ``rgb(51 51 51)`` =
``rgb(51, 51, 51)``, ``0px`` = ``0``, ``1.50`` = ``1.5``, case and spaces ignored, quoted and
unquoted font names alike), ``expand`` (a declaration as the longhands it sets: ``padding: 8px
12px`` sets ``padding-top: 8px`` … ``padding-left: 12px``; ``border: 2px solid navy`` sets twelve
border longhands, in any order of its parts; ``list-style: none`` sets ``list-style-type`` and
``list-style-image``; ``background: ivory`` sets ``background-color``) and ``compose`` (the
longhands of a property back as one shorthand text, for ``value_contains``/``value_matches``).

Invariant: the course's expected value and the learner's value go through the same functions,
so two spellings that a browser treats as the same declared value compare equal, and two that it
treats differently never do. Values this module does not understand are compared as their
canonical text (never guessed equal).
"""

from __future__ import annotations

import re
from typing import Any

import tinycss2
import tinycss2.color4 as color4

LENGTH_UNITS = frozenset(
    "px em rem ex ch vw vh vmin vmax cm mm in pt pc q lh rlh svw svh lvw lvh dvw dvh".split()
)
COLOUR_FUNCTIONS = frozenset("rgb rgba hsl hsla hwb lab lch oklab oklch color".split())
BORDER_STYLES = frozenset(
    "none hidden dotted dashed solid double groove ridge inset outset".split()
)
BORDER_WIDTHS = frozenset({"thin", "medium", "thick"})
SIDES = ("top", "right", "bottom", "left")
WIDE_KEYWORDS = frozenset({"inherit", "initial", "unset", "revert", "revert-layer"})


def _number(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _colour(token: Any) -> str | None:
    try:
        parsed = color4.parse_color(token)
    except Exception:  # noqa: BLE001 - a value the colour parser can't read is not a colour
        return None
    if parsed is None:
        return None
    if isinstance(parsed, str):  # currentcolor
        return parsed.lower()
    try:
        srgb = parsed.to("srgb")
        red, green, blue = (round(max(0.0, min(1.0, c)) * 255) for c in srgb.coordinates)
        alpha = _number(round(float(parsed.alpha), 4))
    except Exception:  # noqa: BLE001 - an exotic colour space: compare it as text
        return None
    return f"rgba({red},{green},{blue},{alpha})"


def _token_text(token: Any) -> str:
    kind = token.type
    if kind == "whitespace":
        return " "
    if kind == "ident":
        return _colour(token) or token.lower_value
    if kind == "hash":
        return _colour(token) or "#" + token.value.lower()
    if kind == "number":
        return _number(token.value)
    if kind == "percentage":
        return _number(token.value) + "%"
    if kind == "dimension":
        unit = token.lower_unit
        if token.value == 0 and unit in LENGTH_UNITS:
            return "0"
        return _number(token.value) + unit
    if kind == "string":
        return " ".join(token.value.split()).lower()
    if kind == "function":
        name = token.lower_name
        if name in COLOUR_FUNCTIONS:
            colour = _colour(token)
            if colour:
                return colour
        return name + "(" + _tokens_text(token.arguments) + ")"
    if kind in ("() block", "[] block", "{} block"):
        return kind[0] + _tokens_text(token.content) + kind[1]
    if kind == "url":
        return "url(" + token.value.strip().removeprefix("./") + ")"
    if kind == "comment":
        return ""
    if kind == "literal":
        return token.value
    return token.serialize().lower()


def _tokens_text(tokens: list[Any]) -> str:
    text = "".join(_token_text(t) for t in tokens)
    text = " ".join(text.split())
    return re.sub(r"\s*([,/])\s*", r"\1", text)


def canonical(value: str) -> str:
    """``value`` in one spelling (see the module docstring); ``!important`` is dropped."""
    value = re.sub(r"!\s*important\s*$", "", value.strip(), flags=re.IGNORECASE)
    return _tokens_text(tinycss2.parse_component_value_list(value))


def _parts(value: str) -> list[list[Any]]:
    """The top-level space-separated parts of a value, each a token list."""
    tokens = tinycss2.parse_component_value_list(value)
    parts: list[list[Any]] = [[]]
    for token in tokens:
        if token.type == "whitespace":
            if parts[-1]:
                parts.append([])
        elif token.type != "comment":
            parts[-1].append(token)
    return [p for p in parts if p]


def _raw(tokens: list[Any]) -> str:
    return tinycss2.serialize(tokens).strip()


# ---------------------------------------------------------------------------------------------
# Shorthands


def _box(prefix: str, suffix: str = "") -> list[str]:
    return [f"{prefix}-{side}{suffix}" for side in SIDES]


SHORTHANDS: dict[str, list[str]] = {
    "padding": _box("padding"),
    "margin": _box("margin"),
    "inset": ["top", "right", "bottom", "left"],
    "border-width": _box("border", "-width"),
    "border-style": _box("border", "-style"),
    "border-color": _box("border", "-color"),
    "border": [f"border-{s}-{p}" for s in SIDES for p in ("width", "style", "color")],
    **{f"border-{s}": [f"border-{s}-{p}" for p in ("width", "style", "color")] for s in SIDES},
    "outline": ["outline-width", "outline-style", "outline-color"],
    "border-radius": [
        "border-top-left-radius",
        "border-top-right-radius",
        "border-bottom-right-radius",
        "border-bottom-left-radius",
    ],
    "list-style": ["list-style-type", "list-style-position", "list-style-image"],
    "background": ["background-color", "background-image", "background-rest"],
    "gap": ["row-gap", "column-gap"],
    "grid-gap": ["row-gap", "column-gap"],
    "flex": ["flex-grow", "flex-shrink", "flex-basis"],
    "flex-flow": ["flex-direction", "flex-wrap"],
    "overflow": ["overflow-x", "overflow-y"],
    "text-decoration": ["text-decoration-line", "text-decoration-style", "text-decoration-color"],
    "font": [
        "font-style",
        "font-variant",
        "font-weight",
        "font-size",
        "line-height",
        "font-family",
    ],
}
FONT_SIZES = frozenset(
    "xx-small x-small small medium large x-large xx-large xxx-large larger smaller".split()
)
ALIASES = {"grid-gap": "gap", "grid-row-gap": "row-gap", "grid-column-gap": "column-gap"}
INITIAL = {
    **{f"{box}-{side}": "0" for box in ("margin", "padding") for side in SIDES},
    "border-width": "medium",
    "border-style": "none",
    "border-color": "currentcolor",
    "outline-width": "medium",
    "outline-style": "none",
    "outline-color": "currentcolor",
    "list-style-type": "disc",
    "list-style-position": "outside",
    "list-style-image": "none",
    "background-color": "rgba(0,0,0,0)",
    "background-image": "none",
    "background-rest": "",
    "flex-grow": "0",
    "flex-shrink": "1",
    "flex-basis": "auto",
    "flex-direction": "row",
    "flex-wrap": "nowrap",
    "text-decoration-line": "none",
    "text-decoration-style": "solid",
    "text-decoration-color": "currentcolor",
    "font-style": "normal",
    "font-variant": "normal",
    "font-weight": "400",
    "line-height": "normal",
}


def longhands(prop: str) -> list[str]:
    """The longhands ``prop`` sets (itself when it is not a shorthand this module knows)."""
    prop = ALIASES.get(prop, prop)
    return list(SHORTHANDS.get(prop, [prop]))


def _four(values: list[str]) -> list[str]:
    """1-4 box values as top, right, bottom, left."""
    if len(values) == 1:
        return values * 4
    if len(values) == 2:
        return [values[0], values[1], values[0], values[1]]
    if len(values) == 3:
        return [values[0], values[1], values[2], values[1]]
    return values[:4]


def initial(longhand: str) -> str:
    """The initial value of a longhand this module expands into (canonical), or ""."""
    for tail in ("-width", "-style", "-color"):
        if longhand.startswith("border-") and longhand.endswith(tail):
            return INITIAL["border" + tail]
    return INITIAL.get(longhand, "")


def _line_parts(parts: list[list[Any]]) -> dict[str, str] | None:
    """width/style/color of a border or outline value (any order), None if unreadable."""
    found: dict[str, str] = {}
    for part in parts:
        text = _tokens_text(part)
        if len(part) == 1 and part[0].type == "ident" and text in BORDER_STYLES:
            key = "style"
        elif text in BORDER_WIDTHS or (
            len(part) == 1 and part[0].type in ("dimension", "number") and _is_length(part[0])
        ):
            key = "width"
        elif _colour(part[0]) is not None or text == "currentcolor":
            key = "color"
        else:
            return None
        if key in found:
            return None
        found[key] = text
    return found


def _is_length(token: Any) -> bool:
    if token.type == "number":
        return bool(token.value == 0)
    return token.lower_unit in LENGTH_UNITS


# Keywords that are another spelling of a value of the same property.
SAME_AS = {
    "font-weight": {"normal": "400", "bold": "700"},
    "flex-basis": {"0": "0%"},
}


def expand(prop: str, value: str) -> dict[str, str]:
    """The longhands a declaration sets (see ``_expand``), keyword spellings unified."""
    found = _expand(prop, value)
    return {name: SAME_AS.get(name, {}).get(text, text) for name, text in found.items()}


def _expand(prop: str, value: str) -> dict[str, str]:
    """The longhands a declaration sets, each with its canonical value.

    A shorthand whose value this module can't split (or a CSS-wide keyword) sets every
    longhand to the canonical text of the whole value, so it still compares exactly.
    """
    prop = ALIASES.get(prop, prop)
    whole = canonical(value)
    names = SHORTHANDS.get(prop)
    if names is None:
        return {prop: whole}
    if whole in WIDE_KEYWORDS or "var(" in whole:
        return dict.fromkeys(names, whole)
    parts = _parts(value)
    texts = [_tokens_text(p) for p in parts]
    result: dict[str, str] | None = None
    if prop in ("padding", "margin", "inset", "border-width", "border-style", "border-color"):
        if 1 <= len(texts) <= 4:
            result = dict(zip(names, _four(texts), strict=True))
    elif prop == "border-radius":
        if 1 <= len(texts) <= 4 and "/" not in whole:
            top_left, top_right, bottom_right, bottom_left = _four(texts)
            result = dict(zip(names, [top_left, top_right, bottom_right, bottom_left], strict=True))
    elif prop == "border" or prop.startswith("border-") or prop == "outline":
        line = _line_parts(parts)
        if line is not None:
            result = {}
            for name in names:
                tail = name.rsplit("-", 1)[1]
                result[name] = line.get(tail, initial(name))
    elif prop == "list-style":
        result = _list_style(parts)
    elif prop == "background":
        colour = [t for p, t in zip(parts, texts, strict=True) if _colour(p[0]) is not None]
        images = [t for t in texts if t.startswith(("url(", "linear-gradient", "radial-grad"))]
        rest = [t for t in texts if t not in colour and t not in images]
        if not any(t.type == "literal" and t.value == "," for p in parts for t in p):
            result = {
                "background-color": colour[-1] if colour else INITIAL["background-color"],
                "background-image": images[0] if images else "none",
                "background-rest": " ".join(rest),
            }
    elif prop in ("gap",):
        if 1 <= len(texts) <= 2:
            result = {"row-gap": texts[0], "column-gap": texts[-1]}
    elif prop == "flex":
        result = _flex(parts, texts)
    elif prop == "flex-flow":
        result = {"flex-direction": "row", "flex-wrap": "nowrap"}
        for text in texts:
            key = "flex-wrap" if text in ("wrap", "nowrap", "wrap-reverse") else "flex-direction"
            result[key] = text
    elif prop == "overflow":
        if 1 <= len(texts) <= 2:
            result = {"overflow-x": texts[0], "overflow-y": texts[-1]}
    elif prop == "text-decoration":
        result = {n: initial(n) for n in names}
        for part, text in zip(parts, texts, strict=True):
            if text in ("solid", "double", "dotted", "dashed", "wavy"):
                result["text-decoration-style"] = text
            elif _colour(part[0]) is not None:
                result["text-decoration-color"] = text
            else:
                kept = result["text-decoration-line"]
                result["text-decoration-line"] = text if kept == "none" else f"{kept} {text}"
    elif prop == "font":
        # A font shorthand a browser can't read is dropped whole: it sets nothing.
        return _font(parts) or {}
    return result if result is not None else dict.fromkeys(names, whole)


def _font(parts: list[list[Any]]) -> dict[str, str] | None:
    """``font: italic bold 16px/1.5 Verdana, sans-serif`` as its longhands (None: unreadable).

    The size is the first part that is a length, a percentage or a size keyword; an optional
    ``/line-height`` follows it; everything after is the family list.
    """
    result = {
        name: INITIAL[name] for name in ("font-style", "font-variant", "font-weight", "line-height")
    }
    for i, part in enumerate(parts):
        first = part[0]
        sized = first.type in ("dimension", "percentage") or (
            first.type == "ident" and first.lower_value in FONT_SIZES
        )
        if not sized:
            text = _tokens_text(part)
            if text in ("italic", "oblique"):
                result["font-style"] = text
            elif text == "small-caps":
                result["font-variant"] = text
            elif text in ("bold", "bolder", "lighter") or (
                first.type == "number" and len(part) == 1
            ):
                result["font-weight"] = SAME_AS["font-weight"].get(text, text)
            elif text != "normal":
                return None
            continue
        rest = parts[i + 1 :]
        slash = next(
            (k for k, t in enumerate(part) if t.type == "literal" and t.value == "/"), None
        )
        if slash is not None:
            result["font-size"] = _tokens_text(part[:slash])
            height = part[slash + 1 :]
            if not height and rest:
                height, rest = rest[0], rest[1:]
            result["line-height"] = _tokens_text(height)
        else:
            result["font-size"] = _tokens_text(part)
            if rest and rest[0][0].type == "literal" and rest[0][0].value == "/":
                height = rest[0][1:] or (rest[1] if len(rest) > 1 else [])
                rest = rest[1:] if rest[0][1:] else rest[2:]
                result["line-height"] = _tokens_text(height)
        if not rest:
            return None
        result["font-family"] = _tokens_text([t for p in rest for t in [*p, _SPACE]][:-1])
        return result
    return None


class _Space:
    """A whitespace token, to join the family parts back together."""

    type = "whitespace"


_SPACE = _Space()


def _list_style(parts: list[list[Any]]) -> dict[str, str] | None:
    result = {
        "list-style-type": "",
        "list-style-position": "",
        "list-style-image": "",
    }
    nones = 0
    for part in parts:
        text = _tokens_text(part)
        if text == "none":
            nones += 1
        elif text in ("inside", "outside"):
            result["list-style-position"] = text
        elif text.startswith("url("):
            result["list-style-image"] = text
        else:
            result["list-style-type"] = text
    # 'none' sets whichever of type and image the value leaves unset (both when alone)
    for name in ("list-style-type", "list-style-image"):
        if not result[name] and nones:
            result[name] = "none"
            nones -= 1
    if nones:
        return None
    for name, value in result.items():
        if not value:
            result[name] = INITIAL[name]
    return result


def _flex(parts: list[list[Any]], texts: list[str]) -> dict[str, str] | None:
    if texts == ["none"]:
        return {"flex-grow": "0", "flex-shrink": "0", "flex-basis": "auto"}
    if texts == ["auto"]:
        return {"flex-grow": "1", "flex-shrink": "1", "flex-basis": "auto"}
    numbers = [t for p, t in zip(parts, texts, strict=True) if p[0].type == "number"]
    basis = [t for p, t in zip(parts, texts, strict=True) if p[0].type != "number"]
    if len(basis) > 1 or len(numbers) > 2 or not texts:
        return None
    if len(numbers) == 0:  # flex: 220px
        return {"flex-grow": "1", "flex-shrink": "1", "flex-basis": basis[0]}
    return {
        "flex-grow": numbers[0],
        "flex-shrink": numbers[1] if len(numbers) > 1 else "1",
        "flex-basis": basis[0] if basis else "0%",
    }


def compose(prop: str, values: dict[str, str]) -> str:
    """The shorthand text for ``prop`` from its longhands' values (for text rules)."""
    prop = ALIASES.get(prop, prop)
    names = SHORTHANDS.get(prop)
    if names is None:
        return values.get(prop, "")
    got = [values.get(n, "") for n in names]
    if prop in ("padding", "margin", "inset", "border-width", "border-style", "border-color"):
        top, right, bottom, left = got
        if left == right:
            if top == bottom:
                return top if top == right else f"{top} {right}"
            return f"{top} {right} {bottom}"
        return " ".join(got)
    if prop == "border":
        sides = [
            tuple(values.get(f"border-{s}-{p}", "") for p in ("width", "style", "color"))
            for s in SIDES
        ]
        if len(set(sides)) == 1:
            return " ".join(v for v in sides[0] if v)
        return " ".join(v for side in sides for v in side if v)
    if prop == "background":
        return " ".join(v for v in (values.get("background-color", ""),) if v)
    return " ".join(v for v in got if v)


def expand_raw(prop: str, value: str) -> dict[str, str]:
    """Like ``expand`` but each longhand keeps the learner's own spelling (for messages and
    ``value_contains``/``value_matches``): lowercase, spaces collapsed."""
    canon = expand(prop, value)
    plain = " ".join(re.sub(r"!\s*important\s*$", "", value.strip(), flags=re.I).split()).lower()
    names = SHORTHANDS.get(ALIASES.get(prop, prop))
    if names is None:
        return dict.fromkeys(canon, plain)
    spelled: dict[str, str] = {}
    for part in _parts(value):
        spelled.setdefault(_tokens_text(part), " ".join(_raw(part).split()).lower())
    whole = canonical(value)
    result = {}
    for name, text in canon.items():
        if text == whole:
            result[name] = plain
        elif text in spelled:
            result[name] = spelled[text]
        else:
            result[name] = " ".join(spelled.get(word, word) for word in text.split(" "))
    return result
