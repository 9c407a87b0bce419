"""The structural kinds (html, css, js-structure): each assertion passing and failing with a
message that names the line, and hostile files (10 MB of nested tags, deep nesting, invalid
UTF-8, a worker that dies) failing clearly and fast instead of hanging the server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from courses import structure
from courses.model import Exercise
from courses.selectors import SelectorError, parse_selectors
from courses.structure import evaluate, evaluate_bytes, run_structural, validate_check

PAGE = b"""<!DOCTYPE html>
<html lang="en">
<head><title>Sam's CV</title></head>
<body>
<header><h1>Sam Smith</h1><nav><a href="about.html">About</a></nav></header>
<main>
<p>Hello &amp; welcome</p>
<ul><li>one</li><li>two</li><li>three</li></ul>
<img src="a.png" alt="Sam at the beach">
<form>
  <label for="name">Name</label><input id="name">
  <label>Age <input type="number"></label>
  <input type="submit" value="Send">
</form>
</main>
<footer>Bye</footer>
</body>
</html>
"""


def html(asserts: list[dict], page: bytes = PAGE) -> list:
    return evaluate_bytes("html", "index.html", page, asserts)


def one(kind: str, data: bytes, table: dict, name: str = "f"):
    [outcome] = evaluate_bytes(kind, name, data, [table])
    return outcome


@pytest.mark.parametrize(
    "table",
    [
        {"exists": "title", "with_text": "cv"},
        {"exists": "ul > li", "min": 3, "max": 3},
        {"exists": "h1", "max": 1},
        {"exists": 'a[href="about.html"]'},
        {"exists": "nav a, footer a"},
        {"exists": "header h1"},
        {"absent": "b"},
        {"attr": "img", "attribute": "alt", "nonempty": True},
        {"attr": "html", "attribute": "lang", "equals": "EN"},
        {"attr": "img", "name": "alt"},  # the older spelling still loads
        {"text": "li", "nonempty": True},
        {"text": "p", "contains": "hello & WELCOME"},
        {"text": "h1", "matches": "^[A-Z][a-z]+ [A-Z]"},
        {"labelled": "input"},
        {"order": ["header", "main", "footer"]},
        {"doctype": True},
        {"closed": True},
    ],
)
def test_html_assertions_pass_on_a_good_page(table: dict) -> None:
    outcome = one("html", PAGE, table)
    assert outcome.status == "passed", outcome.message


@pytest.mark.parametrize(
    ("table", "page", "expected"),
    [
        ({"exists": "nav"}, b"<p>x</p>", "No <nav> was found in f. Add one."),
        (
            {"exists": "title", "with_text": "CV"},
            b"<title>\n My page</title>",
            "Line 1: your <title> says 'My page', but it should mention 'CV'.",
        ),
        (
            {"exists": "li", "min": 3},
            b"<ul><li>a</li></ul>",
            "Found 1 <li> elements in f, but the task needs at least 3.",
        ),
        (
            {"exists": "h1", "max": 1},
            b"<h1>a</h1>\n<h1>b</h1>",
            "Found 2 <h1> elements, but there should be at most 1. The extra one starts on line 2.",
        ),
        (
            {"absent": "b"},
            b"<p>\n<b>x</b></p>",
            "Line 2: this page should not use <b>. Remove it or use a better element.",
        ),
        (
            {"attr": "img", "attribute": "alt", "nonempty": True},
            b'<img src="a" alt="ok">\n\n<img src="b">',
            'Line 3: this <img> has no alt. Add alt="..." to it.',
        ),
        (
            {"attr": "img", "attribute": "alt", "nonempty": True},
            b'<img src="b" alt="">',
            'Line 1: this <img> has an empty alt="". Write something in it.',
        ),
        (
            {"text": "li", "nonempty": True},
            b"<ul>\n<li>a</li>\n<li>  </li></ul>",
            "Line 3: this <li> is empty. Write some words in it.",
        ),
        (
            {"labelled": "input"},
            b'<form>\n<input id="q">\n</form>',
            'Line 2: this <input> has no label. Add <label for="q"> so everyone knows what to '
            "type.",
        ),
        (
            {"order": ["header", "footer"]},
            b"<footer>x</footer>\n<header>y</header>",
            "Line 1: <footer> comes before <header> (line 2), but it should come after it.",
        ),
        (
            {"doctype": True},
            b"<html></html>",
            "The first line of the file should be <!DOCTYPE html>. Add it at the very top.",
        ),
        (
            {"closed": True},
            b"<body>\n<div>one\n<p>two</p>\n</body>",
            "Line 2: the <div> that starts here is never closed. Add </div> where it ends.",
        ),
        (
            {"closed": True},
            b"<div>\n</div>\n</div>",
            "Line 3: there is a </div> here, but no <div> is open to close.",
        ),
    ],
)
def test_html_failures_say_what_and_where(table: dict, page: bytes, expected: str) -> None:
    outcome = one("html", page, table)
    assert outcome.status == "failed"
    assert outcome.message == expected


def test_course_message_gets_the_line_added() -> None:
    outcome = one("html", b"<p>\n<b>x</b></p>", {"absent": "b", "message": "Use <strong>."})
    assert outcome.message == "Use <strong>. (line 2)"
    outcome = one("html", b"<p></p>", {"exists": "h1", "message": "Add a heading.", "name": "H"})
    assert (outcome.name, outcome.message) == ("H", "Add a heading.")


def test_script_and_style_text_is_not_page_text() -> None:
    page = b"<p>Hi<script>var secret = 'welcome';</script></p><style>p{}</style>"
    assert one("html", page, {"text": "p", "equals": "Hi"}).status == "passed"


CSS = b""".nav, h1 {
  display: flex;
  color: #FFF !important;
  margin: 0  auto;
}
.nav > a:hover { padding: 4px }
#top { padding: 2px }
@media (max-width: 600px) {
  .cards { flex-direction: column; }
}
"""


@pytest.mark.parametrize(
    "table",
    [
        {"has_rule": ".nav"},
        {"has_rule": ".nav>a:hover"},
        {"has_rule": ".cards", "media": "MAX-WIDTH:600px"},
        {"declares": "display", "in_rule": ".nav", "value": "flex"},
        {"declares": "color", "value": "#fff"},
        {"declares": "margin", "value": "0 auto"},
        {"declares": "color", "value_matches": "^#[0-9a-f]{3}$"},
        {"declares": "padding", "min": 2},
        {
            "declares": "flex-direction",
            "in_rule": ".cards",
            "value": "column",
            "media": "max-width",
        },
        {"not_declares": "float"},
        {"has_media": "max-width: 600px"},
        {"uses_selector": "class", "min": 2},
        {"uses_selector": "id"},
        {"uses_selector": "pseudo-class"},
        {"uses_selector": "child"},
        {"parses": True},
    ],
)
def test_css_assertions_pass(table: dict) -> None:
    outcome = one("css", CSS, table, "style.css")
    assert outcome.status == "passed", outcome.message


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"has_rule": ".card"}, "There is no rule for .card in style.css. Add one: .card { ... }"),
        (
            {"declares": "display", "in_rule": ".nav", "value": "grid"},
            "Line 2: display is 'flex' here, but it should be grid.",
        ),
        (
            {"declares": "gap", "in_rule": ".nav"},
            "gap is not set in the .nav rule. Add gap: ...; to the right rule.",
        ),
        (
            {"declares": "flex-direction", "in_rule": ".cards", "media": "min-width"},
            "There is no rule for .cards inside an @media (min-width) block in style.css, so "
            "flex-direction can't be set there.",
        ),
        (
            {"not_declares": "margin"},
            "Line 4: this exercise should not use margin. Try another way.",
        ),
        (
            {"has_media": "max-width: 800px"},
            "Line 8: your @media block is for '(max-width: 600px)', but the task asks for "
            "(max-width: 800px).",
        ),
        (
            {"uses_selector": "attribute"},
            "The stylesheet uses 0 attribute selectors; the task needs at least 1 (an attribute "
            "selector looks like [type=email]).",
        ),
    ],
)
def test_css_failures(table: dict, expected: str) -> None:
    outcome = one("css", CSS, table, "style.css")
    assert (outcome.status, outcome.message) == ("failed", expected)


def test_css_syntax_error_names_the_line() -> None:
    outcome = one("css", b"p { color: red; }\n\n.bad { color red }\n", {"parses": True})
    assert outcome.status == "failed" and outcome.message.startswith("Line 3:")


JS = b"""const prices = [1, 2];
function total(items) {
  let sum = 0;
  for (const item of items) { sum += item; }
  return items.reduce((s, x) => s + x, 0);
}
const greet = (name) => `Hello ${name}`;
class TodoList { add(x) {} remove(id) {} }
console.log(greet('Sam') === 'x');
module.exports = { total, greet };
"""


@pytest.mark.parametrize(
    "table",
    [
        {"function": "total", "params": 1},
        {"function": "greet", "params": 1},
        {"class": "TodoList", "methods": ["add", "remove"]},
        {"variable": "prices", "declared_with": "const"},
        {"uses": "for-of", "inside": "total"},
        {"uses": "template-literal", "max": 1},
        {"uses": "arrow-function", "min": 2},
        {"forbids": "var"},
        {"forbids": "loose-equality"},
        {"forbids": "for-of", "inside": "greet"},
        {"calls": "reduce", "inside": "total"},
        {"calls": "console.log"},
        {"exports": "total"},
        {"exports": "greet"},
        {"parses": True},
    ],
)
def test_js_assertions_pass(table: dict) -> None:
    outcome = one("js-structure", JS, table, "cart.js")
    assert outcome.status == "passed", outcome.message


@pytest.mark.parametrize(
    ("source", "table", "expected"),
    [
        (
            b"const a = 1;\nvar b = 2;\n",
            {"forbids": "var"},
            "Line 2 uses a var declaration. Use const (or let if the value changes) instead of "
            "var.",
        ),
        (
            b"function Total(xs) {}\n",
            {"function": "total"},
            "Line 1: the function is called Total, but it should be called total (capital "
            "letters matter).",
        ),
        (
            b"function total(a, b) {}\n",
            {"function": "total", "params": 1},
            "Line 1: total takes 2 parameters, but it should take 1.",
        ),
        (
            b"let rate = 2;\n",
            {"variable": "rate", "declared_with": "const"},
            "Line 1: rate is declared with let; use const here.",
        ),
        (
            b"function total(xs) { return 0; }\n",
            {"uses": "for-of", "inside": "total"},
            "The code does not use a for...of loop inside total() yet.",
        ),
        (
            b"function f() {}\n",
            {"uses": "for", "inside": "total"},
            "No function called total was found in f, so this can't be checked. Check the "
            "spelling: names are case-sensitive.",
        ),
        (
            b"export function f() {}\n",
            {"exports": "total"},
            "f does not export total, so other files can't use it. Add export { total }; at "
            "the end of the file.",
        ),
        (
            b"class A { add() {} }\n",
            {"class": "A", "methods": ["add", "remove"]},
            "The class A has no method called remove. Add remove() { ... } inside the class.",
        ),
    ],
)
def test_js_failures(source: bytes, table: dict, expected: str) -> None:
    outcome = one("js-structure", source, table)
    assert (outcome.status, outcome.message) == ("failed", expected)


def test_js_syntax_error_names_the_line() -> None:
    outcome = one("js-structure", b"const a = 1;\n\nfunction f( {\n", {"parses": True})
    assert outcome.status == "failed" and outcome.message.startswith("Line 3")


def test_functions_assigned_to_exports_count_as_declared() -> None:
    src = b"exports.total = function (xs) { return 0; };\nmodule.exports.avg = (a, b) => 0;\n"
    assert one("js-structure", src, {"function": "total", "params": 1}).status == "passed"
    assert one("js-structure", src, {"function": "avg", "params": 2}).status == "passed"


def test_esm_and_commonjs_export_forms() -> None:
    src = b"export const a = 1;\nexport { b as c };\nexports.d = 1;\nmodule.exports.e = 2;\n"
    for name in ("a", "c", "d", "e"):
        assert one("js-structure", src, {"exports": name}).status == "passed", name


# --- hostile input ------------------------------------------------------------------------


def test_ten_megabytes_of_nested_tags_fail_fast(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_bytes(b"<div>" * (2 << 20))  # 10 MB
    check = {"kind": "html", "file": "index.html", "assert": [{"exists": "h1"}, {"closed": True}]}
    start = time.monotonic()
    outcomes = asyncio.run(run_structural("html", check, tmp_path))
    assert time.monotonic() - start < 2
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert "too big to check (10240 KB; the limit is 256 KB)" in outcomes[0].message


@pytest.mark.parametrize(
    ("depth", "words"), [(5000, "nested more than 200 deep"), (20000, "took too long to read")]
)
def test_deep_nesting_under_the_size_cap_is_refused_plainly(depth: int, words: str) -> None:
    page = b"<div>" * depth + b"</div>" * depth  # under the 256 KB cap
    start = time.monotonic()
    outcomes = asyncio.run(evaluate("html", "index.html", page, [{"exists": "h1"}]))
    assert time.monotonic() - start < structure.PARSE_SECONDS + 3
    [outcome] = outcomes
    assert outcome.status == "failed"
    assert words in outcome.message


def test_deeply_nested_javascript_is_bounded() -> None:
    source = b"const x = " + b"[" * 100_000 + b"]" * 100_000 + b";"
    start = time.monotonic()
    [outcome] = asyncio.run(evaluate("js-structure", "a.js", source, [{"parses": True}]))
    assert time.monotonic() - start < structure.WORKER_WALL
    assert outcome.status in ("passed", "failed")


def test_invalid_utf8_names_the_line() -> None:
    outcome = one("html", b"<p>ok</p>\n<p>caf\xe9</p>\n", {"exists": "p"}, "index.html")
    assert outcome.status == "failed"
    assert outcome.message.startswith("Line 2 of index.html has a character that is not plain")


def test_missing_learner_file_is_a_plain_failure(tmp_path: Path) -> None:
    check = {"kind": "css", "file": "style.css", "assert": [{"parses": True}]}
    [outcome] = asyncio.run(run_structural("css", check, tmp_path))
    assert outcome.message == "The file style.css is missing. Did you rename or delete it?"


def test_a_symlinked_learner_file_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "style.css").symlink_to("/etc/passwd")
    check = {"kind": "css", "file": "style.css", "assert": [{"parses": True}]}
    [outcome] = asyncio.run(run_structural("css", check, tmp_path))
    assert outcome.status == "failed" and "missing" in outcome.message


def test_a_worker_that_overruns_is_killed_with_a_plain_message() -> None:
    outcomes = asyncio.run(
        evaluate("html", "index.html", b"<p>x</p>", [{"exists": "p"}], wall=0.001)
    )
    assert outcomes[0].status == "failed"
    assert "took too long to check" in outcomes[0].message


def test_a_worker_that_crashes_does_not_take_the_caller_down(monkeypatch) -> None:
    monkeypatch.setattr(structure, "_worker_env", lambda: {"PYTHONPATH": "/nonexistent"})
    monkeypatch.setattr(structure.sys, "executable", "/bin/false")
    outcomes = asyncio.run(evaluate("css", "style.css", b"p{}", [{"parses": True}]))
    assert outcomes[0].status == "failed"
    assert "could not be checked" in outcomes[0].message


@pytest.mark.skipif(os.geteuid() != 0, reason="privileges are dropped only when root")
def test_sec_worker_parses_without_root() -> None:
    request = json.dumps(
        {"kind": "html", "file": "a.html", "asserts": [{"exists": "p"}], "data": "PHA+eDwvcD4="}
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from courses.structure import worker_main; sys.exit(worker_main())",
        ],
        input=request.encode(),
        capture_output=True,
        env=structure._worker_env(),
        cwd="/",
        check=True,
    )
    reply = json.loads(proc.stdout)
    assert reply["worker_uid"] == structure.NOBODY
    assert reply["tests"][0]["status"] == "passed"


def test_parsing_runs_in_a_separate_process(monkeypatch) -> None:
    """The server process never loads a grammar: a native crash can only kill the worker."""
    structure._LANGUAGES.clear()
    outcomes = asyncio.run(evaluate("js-structure", "a.js", b"const a = 1;", [{"parses": True}]))
    assert outcomes[0].status == "passed"
    assert structure._LANGUAGES == {}


# --- validation -----------------------------------------------------------------------------


def _exercise() -> Exercise:
    return Exercise("c", "e", "t", "l", Path("/nonexistent"), ["index.html"])


@pytest.mark.parametrize(
    ("kind", "table", "needle"),
    [
        ("html", {"exists": "p:first-child"}, "can't read the selector"),
        ("html", {"attr": "img"}, "attribute: missing"),
        ("html", {"text": "p"}, "needs one of"),
        ("html", {"text": "p", "contains": "a", "equals": "b"}, "use only one"),
        ("html", {"text": "p", "matches": "("}, "not a valid regular expression"),
        ("html", {"order": ["header"]}, "at least two"),
        ("html", {"exists": "p", "min": 3, "max": 1}, "larger than max"),
        ("html", {"doctype": False}, "must be true"),
        ("css", {"uses_selector": "sibling"}, "must be one of"),
        ("css", {"declares": "display", "value": "flex", "value_contains": "fl"}, "only one"),
        ("css", {"declares": "display:"}, "not a CSS property name"),
        ("js-structure", {"uses": "goto"}, "is not a construct"),
        ("js-structure", {"function": "my func"}, "not a JavaScript name"),
        ("js-structure", {"variable": "x", "declared_with": "dim"}, "const, let or var"),
        ("js-structure", {"calls": "a..b"}, "dotted name"),
    ],
)
def test_validation_catches_bad_assertions(kind: str, table: dict, needle: str) -> None:
    check = {"kind": kind, "file": "index.html", "assert": [table]}
    problems = validate_check(kind, check, _exercise())
    assert any(needle in p for p in problems), problems


def test_selectors_parse_and_reject() -> None:
    [sel] = parse_selectors("ul.menu > li[data-x^=a]")
    assert sel.parts[1][0] == ">" and sel.parts[1][1].tag == "li"
    assert len(parse_selectors("h1, h2 , h3")) == 3
    for bad in ("", "a,", "> a", "a >", "a ~ b", "a:hover", "[x=", "div..x"):
        with pytest.raises(SelectorError):
            parse_selectors(bad)


def test_byte_offsets_become_character_offsets() -> None:
    source = structure.Source("aé€😀b".encode(), "x")
    offsets = [source.char_offset(b) for b in range(len(source.data) + 1)]
    assert offsets == [0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 5]
    assert structure.Source(b"plain", "x").char_offset(3) == 3


def test_a_big_legitimate_page_with_accents_is_checked_not_timed_out() -> None:
    page = ("<p>héllo <em>wörld</em></p>\n" * 8000).encode()  # ~240 KB, 40k nodes
    [outcome] = asyncio.run(
        evaluate("html", "index.html", page, [{"exists": "p", "with_text": "zzz"}])
    )
    assert outcome.message == "Line 1: your <p> says 'héllo wörld', but it should mention 'zzz'."
