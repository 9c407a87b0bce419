"""The ``js-structure`` assertion vocabulary: validation, the program model, and evaluation.

Owns recognising constructs (``var``, ``for-of``, ``loose-equality``, ...), declared functions,
classes, variables, calls and exports in a tree-sitter-javascript tree, and evaluating
``function``, ``class``, ``variable``, ``uses``, ``forbids``, ``calls``, ``exports`` and ``parses``
(courses/FORMAT.md). Invariant: one table (``construct_names``) decides which node is which
construct, so ``uses`` and ``forbids`` can never disagree about what they count.
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
    outcome,
    walk,
)

CONSTRUCTS = {
    "var": "a var declaration",
    "let": "a let declaration",
    "const": "a const declaration",
    "function": "a function declaration",
    "arrow-function": "an arrow function (=>)",
    "template-literal": "a template literal (`...${}`)",
    "if": "an if statement",
    "else": "an else",
    "switch": "a switch statement",
    "ternary": "a ternary (a ? b : c)",
    "for": "a for loop",
    "for-of": "a for...of loop",
    "for-in": "a for...in loop",
    "while": "a while loop",
    "do-while": "a do...while loop",
    "try-catch": "a try/catch",
    "throw": "a throw",
    "class": "a class",
    "new": "new",
    "async-function": "an async function",
    "await": "await",
    "return": "a return statement",
    "import": "an import",
    "export": "an export",
    "require": "require(...)",
    "loose-equality": "== or !=",
    "strict-equality": "=== or !==",
    "spread": "the spread operator (...)",
    "destructuring": "destructuring",
}

_FORBID_ADVICE = {
    "var": "Use const (or let if the value changes) instead of var.",
    "loose-equality": "Use === or !== instead: they don't convert types behind your back.",
}

VOCABULARY = {
    "function": Assertion(str, {"params": int}),
    "class": Assertion(str, {"methods": ("list", str)}),
    "variable": Assertion(str, {"declared_with": str}),
    "uses": Assertion(str, {"min": int, "max": int, "inside": str}),
    "forbids": Assertion(str, {"inside": str}),
    "calls": Assertion(str, {"min": int, "inside": str}),
    "exports": Assertion(str, {}),
    "parses": Assertion(bool, {}),
}

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_DOTTED = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*")


def semantic_problems(key: str, table: dict[str, Any]) -> list[str]:
    """Problems beyond field types."""
    found: list[str] = []
    value = table[key]
    if key in ("uses", "forbids") and value not in CONSTRUCTS:
        found.append(f"{key}: {value!r} is not a construct; use one of {', '.join(CONSTRUCTS)}")
    if key in ("function", "class", "variable", "exports") and not _IDENT.fullmatch(value):
        found.append(f"{key}: {value!r} is not a JavaScript name")
    if key == "calls" and not _DOTTED.fullmatch(value):
        found.append(f"calls: {value!r} is not a name or dotted name (like console.log)")
    if key in ("parses",) and value is not True:
        found.append("parses: must be true (leave the assertion out otherwise)")
    if "declared_with" in table and table["declared_with"] not in ("const", "let", "var"):
        found.append("declared_with: must be const, let or var")
    if "params" in table and table["params"] < 0:
        found.append("params: must be 0 or more")
    if "inside" in table and not _IDENT.fullmatch(table["inside"]):
        found.append(f"inside: {table['inside']!r} is not a function name")
    if key in ("uses", "calls"):
        found += min_max_problems(table)
    return found


# ---------------------------------------------------------------------------------------------
# The program model


def construct_names(node: Any, source: Source) -> list[str]:
    """The constructs a node is (usually zero or one; ``async function`` declarations are two)."""
    if not node.is_named:  # keyword tokens such as `class` share names with real nodes
        return []
    kind = node.type
    names: list[str] = []
    child_types = [c.type for c in node.children]
    if kind == "variable_declaration":
        names.append("var")
    elif kind == "lexical_declaration" and child_types:
        if child_types[0] in ("let", "const"):
            names.append(child_types[0])
    elif kind in ("function_declaration", "generator_function_declaration"):
        names.append("function")
    elif kind == "arrow_function":
        names.append("arrow-function")
    elif kind == "template_string":
        names.append("template-literal")
    elif kind == "if_statement":
        names.append("if")
    elif kind == "else_clause":
        names.append("else")
    elif kind == "switch_statement":
        names.append("switch")
    elif kind == "ternary_expression":
        names.append("ternary")
    elif kind == "for_statement":
        names.append("for")
    elif kind == "for_in_statement":
        names.append("for-of" if "of" in child_types else "for-in")
    elif kind == "while_statement":
        names.append("while")
    elif kind == "do_statement":
        names.append("do-while")
    elif kind == "try_statement":
        names.append("try-catch")
    elif kind == "throw_statement":
        names.append("throw")
    elif kind in ("class_declaration", "class"):
        names.append("class")
    elif kind == "new_expression":
        names.append("new")
    elif kind == "await_expression":
        names.append("await")
    elif kind == "return_statement":
        names.append("return")
    elif kind == "import_statement":
        names.append("import")
    elif kind == "export_statement":
        names.append("export")
    elif kind == "call_expression":
        callee = node.child_by_field_name("function")
        if callee is not None and callee.type == "identifier":
            if source.node_text(callee) == "require":
                names.append("require")
    elif kind == "binary_expression":
        op = node.child_by_field_name("operator")
        if op is not None:
            if op.type in ("==", "!="):
                names.append("loose-equality")
            elif op.type in ("===", "!=="):
                names.append("strict-equality")
    elif kind == "spread_element":
        names.append("spread")
    elif kind in ("object_pattern", "array_pattern"):
        names.append("destructuring")
    if (
        kind
        in (
            "function_declaration",
            "function_expression",
            "arrow_function",
            "method_definition",
            "generator_function_declaration",
        )
        and "async" in child_types
    ):
        names.append("async-function")
    return names


@dataclass
class Function:
    """A named function: declared, assigned to a variable, or a method."""

    name: str
    node: Any
    params: int
    line: int
    is_method: bool = False


@dataclass
class Program:
    """What the assertions ask about, collected in one pass over the tree."""

    source: Source
    constructs: list[tuple[str, Any]] = field(default_factory=list)  # (name, node) in order
    functions: list[Function] = field(default_factory=list)
    classes: dict[str, list[str]] = field(default_factory=dict)
    variables: list[tuple[str, str, int]] = field(default_factory=list)  # (name, keyword, line)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)  # (callee text, last name)
    exports: set[str] = field(default_factory=set)
    syntax_error: Any = None

    def bodies(self, name: str) -> list[Any]:
        """The nodes of every function called ``name`` (to scope ``inside``)."""
        return [f.node for f in self.functions if f.name == name]


def _params(fn: Any) -> int:
    params = fn.child_by_field_name("parameters")
    if params is not None:
        return len([c for c in params.named_children if c.type != "comment"])
    return 1 if fn.child_by_field_name("parameter") is not None else 0


_FUNCTION_VALUES = ("function_expression", "arrow_function", "function", "generator_function")


def build_program(tree: Any, source: Source) -> Program:
    """Collect constructs, functions, classes, variables, calls and exports in one walk."""
    prog = Program(source=source, syntax_error=first_syntax_error(tree.root_node))
    for node in walk(tree.root_node):
        kind = node.type
        for name in construct_names(node, source):
            prog.constructs.append((name, node))
        if kind in ("function_declaration", "generator_function_declaration"):
            name_node = node.child_by_field_name("name")
            if name_node is not None:
                prog.functions.append(
                    Function(source.node_text(name_node), node, _params(node), Source.line(node))
                )
        elif kind == "variable_declarator":
            name_node = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            parent = node.parent
            keyword = ""
            if parent is not None and parent.type == "variable_declaration":
                keyword = "var"
            elif parent is not None and parent.children:
                keyword = parent.children[0].type
            if name_node is not None and name_node.type == "identifier":
                name = source.node_text(name_node)
                prog.variables.append((name, keyword, Source.line(node)))
                if value is not None and value.type in _FUNCTION_VALUES:
                    prog.functions.append(Function(name, value, _params(value), Source.line(node)))
        elif kind == "method_definition":
            name_node = node.child_by_field_name("name")
            if name_node is not None:
                prog.functions.append(
                    Function(
                        source.node_text(name_node),
                        node,
                        _params(node),
                        Source.line(node),
                        is_method=True,
                    )
                )
        elif kind == "class_declaration":
            name_node = node.child_by_field_name("name")
            body = node.child_by_field_name("body")
            if name_node is not None:
                methods = []
                if body is not None:
                    for member in body.named_children:
                        if member.type == "method_definition":
                            mname = member.child_by_field_name("name")
                            if mname is not None:
                                methods.append(source.node_text(mname))
                prog.classes[source.node_text(name_node)] = methods
        elif kind == "call_expression":
            callee = node.child_by_field_name("function")
            if callee is not None:
                text = "".join(source.node_text(callee).split()).replace("?.", ".")
                last = text.rsplit(".", 1)[-1]
                prog.calls.append((text, last, node))
        elif kind == "export_statement":
            _esm_exports(node, source, prog.exports)
        elif kind == "assignment_expression":
            _commonjs_exports(node, source, prog.exports)
            _assigned_function(node, source, prog.functions)
    return prog


def _assigned_function(node: Any, source: Source, out: list[Function]) -> None:
    """``exports.total = function (...) {}`` / ``total = (x) => ...`` also declare ``total``."""
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if left is None or right is None or right.type not in _FUNCTION_VALUES:
        return
    if left.type == "identifier":
        name = source.node_text(left)
    elif left.type == "member_expression":
        prop = left.child_by_field_name("property")
        if prop is None:
            return
        name = source.node_text(prop)
    else:
        return
    out.append(Function(name, right, _params(right), Source.line(node)))


def _esm_exports(node: Any, source: Source, out: set[str]) -> None:
    if any(c.type == "default" for c in node.children):
        out.add("default")
    decl = node.child_by_field_name("declaration")
    if decl is not None:
        name_node = decl.child_by_field_name("name")
        if name_node is not None:
            out.add(source.node_text(name_node))
        for d in decl.named_children:
            if d.type == "variable_declarator":
                n = d.child_by_field_name("name")
                if n is not None and n.type == "identifier":
                    out.add(source.node_text(n))
    for clause in node.named_children:
        if clause.type == "export_clause":
            for spec in clause.named_children:
                if spec.type != "export_specifier":
                    continue
                alias = spec.child_by_field_name("alias")
                name_node = alias or spec.child_by_field_name("name")
                if name_node is not None:
                    out.add(source.node_text(name_node).strip("'\""))


def _commonjs_exports(node: Any, source: Source, out: set[str]) -> None:
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if left is None or left.type != "member_expression":
        return
    target = "".join(source.node_text(left).split())
    if target == "module.exports" and right is not None:
        if right.type == "identifier":
            out.add(source.node_text(right))
        elif right.type == "object":
            for prop in right.named_children:
                if prop.type == "shorthand_property_identifier":
                    out.add(source.node_text(prop))
                elif prop.type in ("pair", "method_definition"):
                    key = prop.child_by_field_name("key") or prop.child_by_field_name("name")
                    if key is not None:
                        out.add(source.node_text(key).strip("'\""))
        return
    for prefix in ("module.exports.", "exports."):
        if target.startswith(prefix) and _IDENT.fullmatch(target[len(prefix) :]):
            out.add(target[len(prefix) :])


# ---------------------------------------------------------------------------------------------
# Evaluation


def _within(node: Any, containers: list[Any]) -> bool:
    return any(c.start_byte <= node.start_byte and node.end_byte <= c.end_byte for c in containers)


def _inside_words(table: dict[str, Any]) -> str:
    return f" inside {table['inside']}()" if "inside" in table else ""


def default_name(key: str | None, table: dict[str, Any]) -> str:
    """The test name shown when the course gives none."""
    try:
        value = table[key] if key else ""
        if key == "function":
            params = table.get("params")
            extra = f" taking {params} parameter{'s' if params != 1 else ''}" if params else ""
            return f"A function called {value} is declared{extra}"
        if key == "class":
            methods = table.get("methods")
            extra = f" with {', '.join(methods)}" if methods else ""
            return f"A class called {value} is declared{extra}"
        if key == "variable":
            how = f" with {table['declared_with']}" if "declared_with" in table else ""
            return f"A variable called {value} is declared{how}"
        if key == "uses":
            low = table.get("min", 1)
            times = f" at least {low} times" if low > 1 else ""
            return f"The code uses {CONSTRUCTS.get(value, value)}{times}{_inside_words(table)}"
        if key == "forbids":
            return f"The code does not use {CONSTRUCTS.get(value, value)}{_inside_words(table)}"
        if key == "calls":
            return f"The code calls {value}(){_inside_words(table)}"
        if key == "exports":
            return f"The module exports {value}"
        if key == "parses":
            return "The code has no syntax mistakes"
    except (KeyError, TypeError):
        pass
    return "A check on the code"


Failure = tuple[str | None, int | None]


def _scope(prog: Program, table: dict[str, Any]) -> tuple[list[Any] | None, str | None]:
    """The function bodies ``inside`` names, or a failure message when there is none."""
    if "inside" not in table:
        return None, None
    bodies = prog.bodies(table["inside"])
    if not bodies:
        return None, (
            f"No function called {table['inside']} was found in {prog.source.name}, so this "
            "can't be checked. Check the spelling: names are case-sensitive."
        )
    return bodies, None


def _function(prog: Program, table: dict[str, Any]) -> Failure:
    name = table["function"]
    found = [f for f in prog.functions if f.name == name and not f.is_method]
    if not found:
        near = [f.name for f in prog.functions if f.name.lower() == name.lower()]
        if near:
            return (
                f"Line {_line_of(prog, near[0])}: the function is called {near[0]}, but it "
                f"should be called {name} (capital letters matter).",
                _line_of(prog, near[0]),
            )
        return (
            f"No function called {name} was found in {prog.source.name}. Check the spelling: "
            "names are case-sensitive.",
            None,
        )
    if "params" in table and not any(f.params == table["params"] for f in found):
        f = found[0]
        want = table["params"]
        return (
            f"Line {f.line}: {name} takes {f.params} parameter{'s' if f.params != 1 else ''}, "
            f"but it should take {want}.",
            f.line,
        )
    return None, None


def _line_of(prog: Program, fn_name: str) -> int:
    return next(f.line for f in prog.functions if f.name == fn_name)


def _class(prog: Program, table: dict[str, Any]) -> Failure:
    name = table["class"]
    if name not in prog.classes:
        return f"No class called {name} was found in {prog.source.name}.", None
    missing = [m for m in table.get("methods", []) if m not in prog.classes[name]]
    if missing:
        return (
            f"The class {name} has no method called {missing[0]}. Add {missing[0]}() {{ ... }} "
            "inside the class.",
            None,
        )
    return None, None


def _variable(prog: Program, table: dict[str, Any]) -> Failure:
    name = table["variable"]
    found = [v for v in prog.variables if v[0] == name]
    if not found:
        return f"No variable called {name} was found in {prog.source.name}.", None
    want = table.get("declared_with")
    if want and not any(v[1] == want for v in found):
        _n, keyword, line = found[0]
        return f"Line {line}: {name} is declared with {keyword}; use {want} here.", line
    return None, None


def _matching_constructs(prog: Program, table: dict[str, Any], construct: str) -> list[Any]:
    nodes = [n for c, n in prog.constructs if c == construct]
    bodies, _ = _scope(prog, table)
    if bodies is not None:
        nodes = [n for n in nodes if _within(n, bodies)]
    return nodes


def _uses(prog: Program, table: dict[str, Any]) -> Failure:
    _bodies, problem = _scope(prog, table)
    if problem:
        return problem, None
    construct = table["uses"]
    nodes = _matching_constructs(prog, table, construct)
    low, high = table.get("min", 1), table.get("max")
    words = CONSTRUCTS[construct]
    where = _inside_words(table)
    if len(nodes) < low:
        if not nodes:
            return f"The code does not use {words}{where} yet.", None
        return (
            f"The code uses {words}{where} {len(nodes)} time{'s' if len(nodes) != 1 else ''}; "
            f"the task needs at least {low}.",
            None,
        )
    if high is not None and len(nodes) > high:
        line = Source.line(nodes[high])
        return (
            f"The code uses {words}{where} {len(nodes)} times; at most {high} is allowed. "
            f"The extra one is on line {line}.",
            line,
        )
    return None, None


def _forbids(prog: Program, table: dict[str, Any]) -> Failure:
    _bodies, problem = _scope(prog, table)
    if problem:
        return problem, None
    construct = table["forbids"]
    nodes = _matching_constructs(prog, table, construct)
    if not nodes:
        return None, None
    line = Source.line(nodes[0])
    advice = _FORBID_ADVICE.get(construct, "This exercise asks you to do it another way.")
    return f"Line {line} uses {CONSTRUCTS[construct]}. {advice}", line


def _calls(prog: Program, table: dict[str, Any]) -> Failure:
    bodies, problem = _scope(prog, table)
    if problem:
        return problem, None
    want = table["calls"]
    found = [
        node
        for text, last, node in prog.calls
        if (text == want if "." in want else (text == want or last == want))
    ]
    if bodies is not None:
        found = [n for n in found if _within(n, bodies)]
    low = table.get("min", 1)
    if len(found) >= low:
        return None, None
    where = _inside_words(table)
    if not found:
        return f"The code never calls {want}(){where}.", None
    return (
        f"The code calls {want}(){where} {len(found)} time{'s' if len(found) != 1 else ''}; "
        f"the task needs at least {low}.",
        None,
    )


def _exports(prog: Program, table: dict[str, Any]) -> Failure:
    name = table["exports"]
    if name in prog.exports:
        return None, None
    esm = any(c == "import" or c == "export" for c, _ in prog.constructs)
    how = f"export {{ {name} }};" if esm else f"module.exports = {{ {name} }};"
    return (
        f"{prog.source.name} does not export {name}, so other files can't use it. Add {how} "
        "at the end of the file.",
        None,
    )


def _parses(prog: Program, table: dict[str, Any]) -> Failure:
    del table
    node = prog.syntax_error
    if node is None:
        return None, None
    line = Source.line(node)
    if node.is_missing:
        return f"Line {line}: something is missing here — perhaps a '{node.type}'.", line
    return (
        f"Line {line}: JavaScript can't read this line. Check for a missing bracket, quote or "
        "comma, or a typing slip.",
        line,
    )


_CHECKS = {
    "function": _function,
    "class": _class,
    "variable": _variable,
    "uses": _uses,
    "forbids": _forbids,
    "calls": _calls,
    "exports": _exports,
    "parses": _parses,
}


def evaluate(tree: Any, source: Source, asserts: list[dict[str, Any]]) -> list[TestOutcome]:
    """Evaluate each ``js-structure`` assertion against the learner's code."""
    prog = build_program(tree, source)
    results = []
    for table in asserts:
        key = next(k for k in table if k in VOCABULARY)
        failure, line = _CHECKS[key](prog, table)
        results.append(outcome(table, default_name(key, table), failure, line))
    return results
