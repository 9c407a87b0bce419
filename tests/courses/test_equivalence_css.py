"""css checks judge meaning, not spelling (issue 12): for each equivalence class, stylesheets a
browser treats alike get the same verdict, and a near miss still fails. Judged against the page,
in-process (the worker adds nothing to the judgement and is covered in test_structure.py)."""

from __future__ import annotations

import pytest

from courses import structure_cssvalues as values
from courses.structure import evaluate_bytes

PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><title>Club</title></head>
<body>
<h1 id="welcome">Welcome</h1>
<p>We meet on Saturdays.</p>
<p class="note">Bring gloves.</p>
<nav><ul class="nav"><li><a href="index.html">Home</a></li>
<li><a href="n.html">News</a></li></ul></nav>
<section class="cards"><article class="card"><h2>One</h2></article>
<article class="card"><h2>Two</h2></article></section>
</body></html>
"""


def verdict(css: str, table: dict, page: bytes | None = PAGE) -> tuple[str, str]:
    [outcome] = evaluate_bytes(
        "css", "style.css", css.encode(), [table], page=("index.html", page) if page else None
    )
    return outcome.status, outcome.message


# (assertion, the reference's spelling, other spellings that must pass, near misses that fail)
CLASSES = {
    "padding 1-4 values and longhands": (
        {"declares": "padding", "in_rule": ".nav a", "value": "8px 12px"},
        ".nav a { padding: 8px 12px; }",
        [
            ".nav a { padding: 8px 12px 8px; }",
            ".nav a { padding: 8px 12px 8px 12px; }",
            ".nav a { padding-top: 8px; padding-bottom: 8px; padding-left: 12px;"
            " padding-right: 12px; }",
            ".nav a { padding: 0; } .nav a { padding: 8px 12px; }",
        ],
        [".nav a { padding: 8px; }", ".nav a { padding: 12px 8px; }"],
    ),
    "margin shorthand vs one longhand": (
        {"declares": "margin-top", "in_rule": ".card h2", "value": "0"},
        ".card h2 { margin-top: 0; }",
        [".card h2 { margin: 0 0 8px; }", ".card h2 { margin-top: 0px; }", "h2 { margin: 0 }"],
        [".card h2 { margin: 4px 0 0; }", ".card h2 { margin-top: 0; } .card h2 { margin: 1px }"],
    ),
    "border shorthand, parts in any order, longhands, all sides": (
        {"declares": "border", "in_rule": ".card", "value": "2px solid darkblue"},
        ".card { border: 2px solid darkblue; }",
        [
            ".card { border: solid darkblue 2px; }",
            ".card { border: 2px solid #00008b; }",
            ".card { border-width: 2px; border-style: solid; border-color: DarkBlue; }",
            ".card { border-top: 2px solid darkblue; border-right: 2px solid darkblue;"
            " border-bottom: 2px solid darkblue; border-left: 2px solid darkblue; }",
        ],
        [
            ".card { border: 2px dashed darkblue; }",
            ".card { border: 2px solid darkblue; border-left: 0; }",
            ".card { border-width: 2px; border-style: solid; }",
        ],
    ),
    "background shorthand vs background-color": (
        {"declares": "background-color", "in_rule": ".note", "value": "lightyellow"},
        ".note { background-color: lightyellow; }",
        [".note { background: lightyellow; }", ".note { background: #ffffe0 no-repeat; }"],
        [".note { background: lightblue; }", ".note { color: lightyellow; }"],
    ),
    "list-style vs list-style-type": (
        {"declares": "list-style", "in_rule": ".nav", "value": "none"},
        ".nav { list-style: none; }",
        [".nav { list-style-type: none; }", ".nav { list-style: none outside; }"],
        [
            ".nav { list-style: square; }",
            ".nav { list-style-type: none; list-style-image: url(dot.png); }",
        ],
    ),
    "colour notations": (
        {"declares": "color", "in_rule": "#welcome", "value": "#333"},
        "#welcome { color: #333; }",
        [
            "#welcome { color: #333333; }",
            "#welcome { color: rgb(51 51 51); }",
            "#welcome { color: rgb(51, 51, 51); }",
            "#welcome { color: RGBA(51,51,51,1); }",
            "#welcome { color: hsl(0 0% 20%); }",
        ],
        ["#welcome { color: #334; }", "#welcome { color: rgb(51 51 51 / 50%); }"],
    ),
    "named colour = its hex": (
        {"declares": "color", "in_rule": "p", "value": "darkslategray"},
        "p { color: darkslategray; }",
        ["p { color: #2F4F4F; }", "p { color: DarkSlateGrey; }", "p { color: rgb(47,79,79) }"],
        ["p { color: slategray; }", "p { color: darkslategray; } p { color: red; }"],
    ),
    "a more specific rule wins whatever the order": (
        {"declares": "margin-top", "in_rule": ".card h2", "value": "0"},
        ".card h2 { margin-top: 0; }",
        [".card h2 { margin-top: 0; } h2 { margin: 1px }"],
        ["h2 { margin: 0 } .card h2 { margin-top: 2px }"],
    ),
    "exactly equal units": (
        {"declares": "margin-top", "in_rule": ".card h2", "value": "0px"},
        ".card h2 { margin-top: 0px; }",
        [".card h2 { margin-top: 0; }", ".card h2 { margin-top: 0em; }"],
        [".card h2 { margin-top: 0.5px; }"],
    ),
    "line-height 1.5 or 150% where the task allows both": (
        {"declares": "line-height", "in_rule": "p", "values": ["1.5", "150%"]},
        "p { line-height: 1.5; }",
        [
            "p { line-height: 150%; }",
            "p { line-height: 1.50; }",
            "p { font: 16px/1.5 serif; line-height: 1.5 }",
        ],
        ["p { line-height: 1.4; }", "p { line-height: 15px; }"],
    ),
    "selectors selecting the same elements in the page": (
        {"declares": "display", "in_rule": ".nav", "value": "flex"},
        ".nav { display: flex; }",
        ["ul.nav { display: flex; }", "nav ul { display: flex; }", "nav > .nav { display: flex }"],
        [
            ".nav a { display: flex; }",
            "nav { display: flex; }",
            "ul { display: flex } .nav { display: block }",
        ],
    ),
    "id with its tag": (
        {"declares": "color", "in_rule": "#welcome", "value": "darkgreen"},
        "#welcome { color: darkgreen; }",
        [
            "h1#welcome { color: darkgreen; }",
            "h1 { color: darkgreen; }",
            "h1, p { color: darkgreen }",
        ],
        [".welcome { color: darkgreen; }", "#welcome { color: green; }"],
    ),
    "the cascade: specificity, order and !important": (
        {"declares": "color", "in_rule": "p", "value": "navy"},
        "p { color: navy; }",
        [
            "p { color: red !important; color: navy !important; }",
            "p { color: red; } body p { color: navy; }",
            "p { color: navy !important } p { color: red }",
        ],
        ["p { color: navy; } p { color: red; }", "p { color: navy; } .note { color: red; }"],
    ),
    "flex shorthand and its longhands": (
        {"declares": "flex", "in_rule": ".card", "value_matches": r"^1 1 \d+(px|em|rem)$"},
        ".card { flex: 1 1 220px; }",
        [
            ".card { flex-grow: 1; flex-shrink: 1; flex-basis: 220px; }",
            ".card { flex: 220px; }",
            ".card { flex: 1 1 14rem }",
        ],
        [".card { flex: 1; }", ".card { flex: 0 0 220px; }"],
    ),
    "the font shorthand sets family, size and line-height": (
        {"declares": "font-family", "in_rule": "p", "value_contains": "sans-serif"},
        "p { font-family: Verdana, sans-serif; }",
        [
            "p { font: 16px Verdana, sans-serif; }",
            "p { font: italic bold 1em/1.5 'Verdana', sans-serif }",
        ],
        ["p { font: Verdana, sans-serif; }", "p { font: 16px Georgia, serif; }"],
    ),
    "line-height inside the font shorthand": (
        {"declares": "line-height", "in_rule": "p", "values": ["1.5", "150%"]},
        "p { line-height: 1.5; }",
        ["p { font: 16px/1.5 serif; }", "p { font: 1em / 150% Georgia, serif }"],
        ["p { font: 16px serif; }", "p { line-height: 1.5; font: 16px serif; }"],
    ),
    "font-weight keywords": (
        {"declares": "font-weight", "in_rule": "p", "value": "bold"},
        "p { font-weight: bold; }",
        ["p { font-weight: 700; }", "p { font-weight: BOLD }"],
        ["p { font-weight: 600; }", "p { font-weight: bolder; }"],
    ),
    "quoted and unquoted font names": (
        {"declares": "font-family", "in_rule": "p", "value": "Verdana, sans-serif"},
        "p { font-family: Verdana, sans-serif; }",
        ["p { font-family: 'Verdana', sans-serif; }", 'p { font-family: "verdana",sans-serif }'],
        ["p { font-family: Verdana; }", "p { font-family: sans-serif, Verdana; }"],
    ),
}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_equivalent_spellings_pass_and_near_misses_fail(name: str) -> None:
    table, reference, same, different = CLASSES[name]
    assert verdict(reference, table)[0] == "passed", (reference, verdict(reference, table))
    for css in same:
        assert verdict(css, table)[0] == "passed", (css, verdict(css, table))
    for css in different:
        assert verdict(css, table)[0] == "failed", css


def test_has_rule_accepts_a_selector_selecting_the_same_elements() -> None:
    table = {"has_rule": ".nav"}
    assert verdict("ul.nav { color: red }", table)[0] == "passed"
    assert verdict("nav ul { color: red }", table)[0] == "passed"
    assert verdict(".nav li { color: red }", table)[0] == "failed"
    # without a page only the same text counts
    assert verdict("ul.nav { color: red }", table, page=None)[0] == "failed"
    assert verdict(".nav { color: red }", table, page=None)[0] == "passed"


def test_not_declares_looks_at_rules_for_the_same_elements() -> None:
    table = {"not_declares": "color", "in_rule": ".note"}
    assert verdict("p.note { color: red }", table)[0] == "failed"
    assert verdict(".note { background: red }", table)[0] == "passed"
    # a shorthand that sets the property counts too
    border = {"not_declares": "border-color", "in_rule": ".card"}
    status, message = verdict(".card {\n  border: 1px solid red;\n}", border)
    assert (status, message) == (
        "failed",
        "Line 2: this exercise should not use border-color. Try another way.",
    )


def test_pseudo_class_rules_are_compared_by_text_and_elements() -> None:
    table = {"declares": "color", "in_rule": ".nav a:hover", "value": "red"}
    assert verdict(".nav a:hover { color: red }", table)[0] == "passed"
    assert verdict("ul.nav a:hover { color: red }", table)[0] == "passed"
    assert verdict(".nav a:focus { color: red }", table)[0] == "failed"
    assert verdict(".nav a { color: red }", table)[0] == "failed"


def test_media_rules_apply_only_where_asked() -> None:
    in_media = {
        "declares": "flex-direction",
        "in_rule": ".cards",
        "value": "column",
        "media": "max-width: 600px",
    }
    css = (
        ".cards { display: flex }\n@media (max-width: 600px) { section.cards {"
        " flex-direction: column } }"
    )
    assert verdict(css, in_media)[0] == "passed"
    assert verdict(".cards { flex-direction: column }", in_media)[0] == "passed"  # everywhere
    assert (
        verdict("@media (min-width: 600px) { .cards { flex-direction: column } }", in_media)[0]
        == "failed"
    )
    # without media, a media rule does not override the wide-screen value
    wide = {"declares": "display", "in_rule": ".cards", "value": "flex"}
    assert (
        verdict(
            ".cards { display: flex }\n@media (max-width: 600px) { .cards { display: block } }",
            wide,
        )[0]
        == "passed"
    )


def test_wrong_value_message_names_the_winning_line_in_the_learners_spelling() -> None:
    table = {"declares": "color", "in_rule": "p", "value": "darkslategray"}
    status, message = verdict("p {\n  color: darkslategray;\n}\np { color: Red }", table)
    assert status == "failed"
    assert message == "Line 4: color is 'red' here, but it should be darkslategray."
    border = {"declares": "border", "in_rule": ".card", "value": "2px solid darkblue"}
    _status, message = verdict(
        ".card { border-width: 3px; border-style: solid; border-color: #00008B }", border
    )
    assert (
        message == "Line 1: border is '3px solid #00008b' here, but it should be 2px solid"
        " darkblue."
    )


def test_a_missing_semicolon_is_named_on_its_line() -> None:
    status, message = verdict(
        ".card {\n  padding: 16px\n  border: 1px solid red;\n}", {"parses": True}
    )
    assert status == "failed"
    assert message.startswith("Line 2: this line does not end with ';'")


@pytest.mark.parametrize(
    ("prop", "a", "b"),
    [
        ("padding", "1px 2px", "1px 2px 1px"),
        ("margin", "0 auto", "0px auto 0 auto"),
        ("border", "thin solid red", "solid red thin"),
        ("gap", "16px", "16px 16px"),
        ("flex", "1", "1 1 0%"),
        ("flex", "auto", "1 1 auto"),
        ("overflow", "hidden", "hidden hidden"),
        ("color", "transparent", "rgba(0, 0, 0, 0)"),
        ("border-radius", "4px", "4px 4px 4px 4px"),
    ],
)
def test_values_expand_to_the_same_longhands(prop: str, a: str, b: str) -> None:
    assert values.expand(prop, a) == values.expand(prop, b)


def test_hostile_stylesheets_are_judged_without_crashing() -> None:
    table = {"declares": "color", "in_rule": "p", "value": "red"}
    for css in (
        "p { color: red",
        "{{{{{{" * 2000,
        "p { color: " + "(" * 5000 + " }",
        "p:nth-child(2n+1 of .x) { color: red }",
        "@media { p { color: red } }",
        "p { color: var(--x) }",
        "\x00p { color: red }",
    ):
        status, _message = verdict(css, table)
        assert status in ("passed", "failed")
