"""The offline reference (issue 13, tool 3) covers what the courses use.

Scans the catalog's solutions (and the git and SQL lessons) for HTML tag names, CSS properties,
JavaScript built-ins called as methods, SQL statements and git commands, and asserts each has
an entry of the right topic; plus: at least 150 entries, each with a title, an explanation and
an example, no two entries of a topic with the same name, and every text already plain
(what ``tui.safe_text.visible`` would leave unchanged)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tui.reference import TOPICS, Reference, load
from tui.safe_text import visible

CATALOG = Path(__file__).resolve().parents[2] / "courses" / "catalog"


def _solution_files(*suffixes: str) -> list[Path]:
    files = [p for p in CATALOG.glob("*/*/solution/**/*") if p.is_file() and p.suffix in suffixes]
    assert files, f"no solution files ending in {suffixes}: the scan would prove nothing"
    return files


@pytest.fixture(scope="module")
def ref() -> Reference:
    return load()


def _assert_covered(ref: Reference, used: set[str], suffix: str, topic: str) -> None:
    missing = sorted(n for n in used if (e := ref.lookup(n, suffix)) is None or e.topic != topic)
    assert not missing, f"used by the courses but not in the {topic} reference: {missing}"


def test_at_least_150_entries_each_complete(ref: Reference) -> None:
    assert len(ref.entries) >= 150
    assert set(e.topic for e in ref.entries) == set(TOPICS)
    for entry in ref.entries:
        assert entry.name.strip() and entry.title.strip(), entry
        assert len(entry.text.split()) >= 5, f"{entry.name}: explain it in a sentence or two"
        assert entry.example.strip(), f"{entry.name}: needs an example"
        for text in (entry.name, entry.title, entry.text, entry.example):
            assert visible(text) == text, f"{entry.name}: control characters in {text!r}"
    dupes = [k for k, n in Counter((e.topic, e.name) for e in ref.entries).items() if n > 1]
    assert not dupes


def test_every_html_element_in_the_solutions_has_an_entry(ref: Reference) -> None:
    used: set[str] = set()
    for path in _solution_files(".html", ".js"):
        text = path.read_text(encoding="utf-8")
        used |= {t.lower() for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)[\s>/]", text)}
    assert {"html", "p", "ul", "table", "form", "nav"} <= used  # the scan found the real pages
    _assert_covered(ref, used, ".html", "html")


def test_every_css_property_in_the_solutions_has_an_entry(ref: Reference) -> None:
    used: set[str] = set()
    sheets = [p.read_text(encoding="utf-8") for p in _solution_files(".css")]
    for path in _solution_files(".html"):
        sheets += re.findall(r"<style[^>]*>(.*?)</style>", path.read_text(encoding="utf-8"), re.S)
    for sheet in sheets:
        sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
        for block in re.findall(r"\{([^{}]*)\}", sheet):
            used |= set(re.findall(r"(?:^|;)\s*([a-z-]+)\s*:", block))
    assert {"color", "margin", "padding", "display", "flex-direction"} <= used
    _assert_covered(ref, used, ".css", "css")


def test_every_javascript_builtin_called_in_the_solutions_has_an_entry(ref: Reference) -> None:
    called: set[str] = set()
    defined: set[str] = set()  # the learners' own functions and methods are not built-ins
    for path in [*_solution_files(".js", ".cjs", ".mjs", ".html"), *CATALOG.glob("*/*/lesson.md")]:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":  # the JavaScript in the lessons' code blocks and `code`
            blocks = re.findall(r"```(?:js|javascript)\n(.*?)```", text, re.S)
            text = "\n".join(blocks + re.findall(r"`([^`\n]+)`", text))
        called |= set(re.findall(r"\.([A-Za-z_$][\w$]*)\s*\(", text))
        defined |= set(re.findall(r"\bfunction\s+([\w$]+)", text))
        defined |= set(re.findall(r"^\s*(?:async\s+)?([\w$]+)\s*\([^)]*\)\s*\{", text, re.M))
        defined |= set(re.findall(
            r"([\w$]+)\s*[:=]\s*(?:async\s*)?(?:\([^)]*\)|[\w$]+)\s*=>", text))
        defined |= set(re.findall(r"([\w$]+)\s*:\s*(?:async\s+)?function", text))
    builtins = called - defined
    assert {"log", "map", "filter", "push", "createServer"} <= builtins
    _assert_covered(ref, builtins, ".js", "js")
    for keyword in ("const", "let", "function", "return", "if", "for", "while", "class",
                    "async", "await", "try", "throw", "require", "module.exports"):
        assert ref.lookup(keyword, ".js") is not None, keyword


def test_every_sql_statement_in_the_solutions_has_an_entry(ref: Reference) -> None:
    phrases = ("SELECT", "FROM", "WHERE", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET",
               "INSERT INTO", "VALUES", "UPDATE", "SET", "DELETE", "CREATE TABLE",
               "CREATE INDEX", "DROP TABLE", "JOIN", "LEFT JOIN", "ON", "AS", "DISTINCT",
               "LIKE", "BETWEEN", "COUNT", "SUM", "AVG", "MIN", "MAX", "PRIMARY KEY",
               "REFERENCES", "NOT NULL", "UNIQUE", "CHECK", "DEFAULT", "EXPLAIN")
    used: set[str] = set()
    lessons = [p for p in CATALOG.glob("*/*/lesson.md") if "sql" in p.parent.parent.name]
    assert lessons
    for path in [*_solution_files(".sql"), *lessons]:
        source = path.read_text(encoding="utf-8")
        if path.suffix == ".md":  # only the SQL in the lesson's code blocks and `code`
            blocks = re.findall(r"```sql\n(.*?)```", source, re.S)
            source = "\n".join(blocks + re.findall(r"`([^`\n]+)`", source))
        text = re.sub(r"--[^\n]*", "", source).upper()
        text = re.sub(r"'[^']*'", "''", text)
        spaced = r"\s+"
        used |= {p for p in phrases if re.search(r"\b" + p.replace(" ", spaced) + r"\b", text)}
    assert {"SELECT", "INSERT INTO", "CREATE TABLE", "JOIN"} <= used
    _assert_covered(ref, used, ".sql", "sql")


def test_every_git_command_in_the_lessons_has_an_entry(ref: Reference) -> None:
    used: set[str] = set()
    for path in CATALOG.glob("*/*/lesson.md"):
        used |= {f"git {c}" for c in re.findall(r"(?<![\w.])git ([a-z]+)\b",
                                                  path.read_text("utf-8"))}
    assert {"git add", "git commit", "git merge"} <= used
    _assert_covered(ref, used, "", "git")
