"""html checks judge the page a browser builds (issue 12): for each equivalence class, pages a
browser treats alike get the same verdict, a near miss still fails, and one typo is one failing
test whose message points at the line."""

from __future__ import annotations

import pytest

from courses.structure import evaluate_bytes


def page(body: str, head: str = "<title>Page</title>") -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n{head}\n</head>\n<body>\n{body}\n'
        "</body>\n</html>\n"
    ).encode()


def verdicts(data: bytes, tables: list[dict]) -> list[tuple[str, str, str]]:
    return [
        (o.name, o.status, o.message) for o in evaluate_bytes("html", "index.html", data, tables)
    ]


def status(data: bytes, table: dict) -> str:
    [(_name, result, _message)] = verdicts(data, [table])
    return result


CLASSES = {
    "optional end tags: </li>": (
        [
            {"exists": "ul > li", "min": 3, "max": 3},
            {"closed": True},
            {"exists": "ul > li", "with_text": "two"},
        ],
        "<ul><li>one</li><li>two</li><li>three</li></ul>",
        ["<ul>\n<li>one\n<li>two\n<li>three\n</ul>", "<UL><LI>one<LI>two</LI><li>three</UL>"],
        ["<ul><li>one</li><li>two</li></ul>", "<ul><li>one</li><li>three</li><li>x</li></ul>"],
    ),
    "optional end tags: </p>": (
        [
            {"exists": "body > p", "min": 2},
            {"closed": True},
            {"exists": "p em", "with_text": "never"},
        ],
        "<p>One.</p><p>Two, <em>never</em>.</p>",
        ["<p>One.\n<p>Two, <em>never</em>.", "<P>One.<P>Two, <EM>never</EM>.</P>"],
        ["<p>One. Two, <em>never</em>.</p>", "<p>One.</p><p>Two, <i>never</i>.</p>"],
    ),
    "implied <tbody> and cell end tags": (
        [
            {"exists": "tbody > tr", "min": 2},
            {"exists": "tbody td", "min": 4},
            {"exists": "thead th", "min": 2},
            {"closed": True},
        ],
        "<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr>"
        "<tr><td>3</td><td>4</td></tr></tbody></table>",
        [
            "<table><thead><tr><th>A<th>B</thead><tr><td>1<td>2<tr><td>3<td>4</table>",
            "<table>\n<thead><tr><th>A</th><th>B</th></tr></thead>\n<tr><td>1</td><td>2</td></tr>\n"
            "<tr><td>3</td><td>4</td></tr>\n</table>",
        ],
        ["<table><tr><td>A</td><td>B</td></tr><tr><td>1</td><td>2</td></tr></table>"],
    ),
    "attribute order, quoting and case": (
        [
            {"exists": 'img[alt][src="beach.jpg"]'},
            {"attr": "img", "attribute": "alt", "contains": "beach"},
        ],
        '<img src="beach.jpg" alt="The beach">',
        [
            "<img alt='The beach' src='beach.jpg'>",
            '<IMG ALT="The beach" SRC=beach.jpg>',
            '<img\n  src="beach.jpg"\n  alt="The beach"\n/>',
        ],
        ['<img src="Beach.jpg" alt="The beach">', '<img src="beach.jpg" alt="The sea">'],
    ),
    "a label wrapping its input = a label with for=": (
        [{"labelled": "input", "with_text": "name"}],
        '<label for="n">Your name</label><input id="n">',
        [
            '<label>Your name <input id="n"></label>',
            "<label>Your name<input></label>",
            '<input aria-label="Your name">',
            '<span id="l">Your name</span><input aria-labelledby="l">',
        ],
        [
            '<label for="x">Your name</label><input id="n">',
            '<label for="n">Age</label><input id="n">',
        ],
    ),
    "<input type=submit> = <button>": (
        [{"exists": "form button, form input[type=submit]", "with_text": "send"}],
        "<form><button>Send it</button></form>",
        [
            '<form><input type="submit" value="Send it"></form>',
            '<form><input type=SUBMIT value="Send"></form>',
            '<form><button type="submit">SEND</button></form>',
        ],
        ['<form><input type="text" value="Send"></form>', "<form><p>Send</p></form>"],
    ),
    "./about.html = about.html": (
        [
            {"exists": 'a[href="about.html"]'},
            {"attr": "a", "attribute": "href", "equals": "about.html"},
        ],
        '<a href="about.html">About me</a>',
        [
            '<a href="./about.html">About me</a>',
            "<a href=' about.html '>About me</a>",
            "<A HREF=about.html>About me</A>",
        ],
        ['<a href="About.html">About me</a>', '<a href="../about.html">About me</a>'],
    ),
    "an extra harmless element": (
        [
            {"exists": "header h1"},
            {"order": ["header", "main", "footer"]},
            {"exists": "main p", "min": 1},
            {"closed": True},
        ],
        "<header><h1>Club</h1></header><main><p>News</p></main><footer>Bye</footer>",
        [
            "<header><h1>Club</h1><nav><a href=x.html>X</a></nav></header><main><section><p>News"
            "</section></main><footer><small>Bye</small></footer>",
            "<!-- top --><header><h1>Club</h1><p>Tagline</p></header><main><h2>A</h2><p>News</p>"
            "</main><footer><p>Bye</p></footer>",
        ],
        [
            "<div><h1>Club</h1></div><main><p>News</p></main><footer>Bye</footer>",
            "<header><h1>Club</h1></header><footer>Bye</footer><main><p>News</p></main>",
        ],
    ),
    "the html, head and body tags a browser adds itself": (
        [{"exists": "body h1"}, {"text": "title", "nonempty": True}, {"closed": True}],
        None,
        [],
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(k for k, v in CLASSES.items() if v[1] is not None))
def test_equivalent_pages_pass_and_near_misses_fail(name: str) -> None:
    tables, reference, same, different = CLASSES[name]
    results = verdicts(page(reference), tables)
    assert all(r[1] == "passed" for r in results), results
    for body in same:
        results = verdicts(page(body), tables)
        assert all(r[1] == "passed" for r in results), (body, results)
    for body in different:
        results = verdicts(page(body), tables)
        assert any(r[1] == "failed" for r in results), body


def test_a_page_without_html_head_body_tags_is_the_same_page() -> None:
    tables = CLASSES["the html, head and body tags a browser adds itself"][0]
    bare = b"<!DOCTYPE html>\n<meta charset=utf-8>\n<title>Me</title>\n<h1>Hello</h1>\n"
    assert [r[1] for r in verdicts(bare, tables)] == ["passed"] * 3
    # and an <h1> typed in the head is where a browser puts it: in the body
    moved = page("<p>x</p>", head="<title>Me</title><h1>Hello</h1>")
    assert status(moved, {"exists": "body h1"}) == "passed"


FIRST_PAGE = [
    {"doctype": True},
    {
        "text": "title",
        "nonempty": True,
        "name": "The page has a title",
        "message": "The title is still empty.",
    },
    {"exists": "body h1", "name": "The page has a main heading"},
    {"exists": "h1", "min": 0, "max": 1, "name": "There is only one main heading"},
    {"exists": "h1", "with_text": "hello", "name": "The heading says hello"},
    {"closed": True, "name": "Every tag that opens is closed"},
]


def test_h1_end_tag_without_slash_is_one_failure_on_its_line() -> None:
    data = page("<h1>Hello, my name is Sam<h1>")
    failed = [r for r in verdicts(data, FIRST_PAGE) if r[1] == "failed"]
    assert failed == [
        (
            "Every tag that opens is closed",
            "failed",
            "Line 7: the <h1> is never closed: the second <h1> should be </h1> (an end tag has "
            "a / after the <).",
        )
    ]


def test_unclosed_title_says_not_closed_never_empty() -> None:
    data = (
        b"<!DOCTYPE html>\n<html>\n<head>\n<title>About me\n</head>\n<body>\n"
        b"<h1>Hello</h1>\n</body>\n</html>\n"
    )
    failed = [r for r in verdicts(data, FIRST_PAGE) if r[1] == "failed"]
    assert len(failed) == 1
    assert failed[0][2].startswith("Line 4: the <title> that starts here is never closed")
    assert "empty" not in failed[0][2]


def test_without_a_closed_assertion_the_first_failure_carries_the_typo() -> None:
    tables = [t for t in FIRST_PAGE if "closed" not in t]
    failed = [r for r in verdicts(page("<h1>Hello<h1>\n<p>more</p>"), tables) if r[1] == "failed"]
    assert len(failed) == 1
    assert "should be </h1>" in failed[0][2]


def test_a_missing_element_is_reported_once() -> None:
    tables = [
        {"exists": "header h1", "name": "heading in header"},
        {"order": ["header", "main"], "name": "order"},
        {"exists": "main p", "name": "paragraph"},
    ]
    results = verdicts(page("<h1>Club</h1><main><p>x</p></main>"), tables)
    assert [(r[0], r[1]) for r in results] == [
        ("heading in header", "failed"),
        ("paragraph", "passed"),
    ]


def test_a_real_second_mistake_is_still_reported() -> None:
    tables = [{"exists": "h1", "with_text": "hello"}, {"attr": "img", "attribute": "alt"}]
    results = verdicts(page('<h1>Bye</h1><img src="a.png">'), tables)
    assert [r[1] for r in results] == ["failed", "failed"]


def test_script_and_style_text_is_not_page_text() -> None:
    data = page("<p>Hi<script>var hello = 1;</script><style>p{}</style></p>")
    assert status(data, {"exists": "p", "with_text": "hello"}) == "failed"
    assert status(data, {"text": "p", "equals": "hi"}) == "passed"
