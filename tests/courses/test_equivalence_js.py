"""js-structure checks accept every way of writing the construct a lesson is about (issue 12):
function forms, export forms, quotes and template literals, loops counted only where the lesson
asks for them."""

from __future__ import annotations

import pytest

from courses.structure import evaluate_bytes


def status(source: str, table: dict) -> str:
    [outcome] = evaluate_bytes("js-structure", "a.js", source.encode(), [table])
    return outcome.status


CLASSES = {
    "a function, however it is declared": (
        {"function": "total", "params": 1},
        [
            "function total(xs) { return 0; }",
            "const total = (xs) => 0;",
            "const total = xs => 0;",
            "let total = function (xs) { return 0; };",
            "const total = async (xs) => 0;",
            "exports.total = function (xs) { return 0; };",
        ],
        ["function totals(xs) { return 0; }", "const total = 5;", "function total(a, b) {}"],
    ),
    "exports in every CommonJS and ES spelling": (
        {"exports": "total"},
        [
            "function total() {}\nmodule.exports = { total };",
            "function total() {}\nmodule.exports = { total: total };",
            "module.exports.total = () => 0;",
            "exports.total = () => 0;",
            "export function total() {}",
            "const total = 1;\nexport { total };",
        ],
        ["function total() {}", "module.exports = { totals: 1 };"],
    ),
    "a template literal with any content": (
        {"uses": "template-literal", "inside": "badge"},
        [
            "function badge(n) { return `Name: ${n}`; }",
            "const badge = (n) => `${n}`;",
            "function badge(n) { const t = `x ${n} y`; return t; }",
        ],
        ["function badge(n) { return 'Name: ' + n; }", "const badge = (n) => n;\nconst x = `a`;"],
    ),
    "a for loop counted inside the function the lesson names": (
        {"uses": "for", "inside": "sumTo"},
        [
            "function sumTo(n) { let t = 0; for (let i = 1; i <= n; i++) t += i; return t; }",
            "const sumTo = (n) => { let t = 0; for (let i = n; i > 0; i--) { t += i; } return t };",
        ],
        [
            "function sumTo(n) { let t = 0; for (const i of [1, 2]) t += i; return t; }",
            "function sumTo(n) { return n; }\nfor (let i = 0; i < 3; i++) {}",
        ],
    ),
    "calls to a method, chained or not": (
        {"calls": "join", "inside": "makeSlug"},
        [
            "function makeSlug(t) { return t.toLowerCase().split(' ').join('-'); }",
            "function makeSlug(t) { const w = t.split(' '); return w.join('-'); }",
            "const makeSlug = (t) => t.split(' ').join(\"-\");",
        ],
        ["function makeSlug(t) { return t.replaceAll(' ', '-'); }"],
    ),
    "const declarations in any quotes": (
        {"variable": "shopName", "declared_with": "const"},
        [
            'const shopName = "Corner Shop";',
            "const shopName = 'Corner Shop'",
            "const shopName = `Corner Shop`;",
            "const a = 1, shopName = 'x';",
        ],
        ["let shopName = 'Corner Shop';", "var shopName = 'x';"],
    ),
}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_equivalent_code_passes_and_near_misses_fail(name: str) -> None:
    table, same, different = CLASSES[name]
    for source in same:
        assert status(source, table) == "passed", source
    for source in different:
        assert status(source, table) == "failed", source
