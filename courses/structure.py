"""Structural checks: tree-sitter parsing of a learner's HTML, CSS or JavaScript, bounded.

Owns the machinery shared by the ``html``, ``css`` and ``js-structure`` kinds: the grammar cache,
the ``Source`` wrapper (the only place byte offsets become character offsets), the parse budget,
the assertion-table validation, and the worker process in which every parse and evaluation runs.

Invariants kept here:
- A learner's file can't hang or crash the server. Files over ``MAX_BYTES`` are refused without
  parsing; the parser stops after ``PARSE_SECONDS``; trees over ``MAX_NODES`` nodes or nested more
  than ``MAX_DEPTH`` elements are refused; and all of it runs in a fresh sandbox (the parser
  profile of ``jail.profiles``: no network, only the venv and courses/*.py, as ``nobody`` when
  the server is root) with memory and CPU limits, killed after ``WORKER_WALL`` seconds. A
  native crash in tree-sitter takes down only that sandbox.
- Every refusal is a plain sentence for the learner, never a traceback.

The assertion vocabulary itself lives in ``courses/structure_html.py``, ``structure_css.py`` and
``structure_js.py`` and is documented in courses/FORMAT.md.
"""

from __future__ import annotations

import base64
import bisect
import json
import os
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from courses.fields import check_fields
from courses.model import Exercise, TestOutcome, clip
from jail.profiles import NOBODY_UID

MAX_BYTES = 256 * 1024
PARSE_SECONDS = 2.0
MAX_NODES = 600_000
MAX_DEPTH = 200
WORKER_WALL = 15.0
WORKER_MEMORY = 1 << 30
WORKER_CPU_SECONDS = 12

# kind -> (grammar package, evaluator module)
_KINDS = {
    "html": ("tree_sitter_html", "courses.structure_html"),
    "css": ("tree_sitter_css", "courses.structure_css"),
    "js-structure": ("tree_sitter_javascript", "courses.structure_js"),
}
_LANGUAGES: dict[str, Any] = {}

COMMON_FIELDS = {"name": str, "message": str}


class StructureError(Exception):
    """The learner's file can't be checked; the message says why in plain words."""


def language(kind: str) -> Any:
    """The tree-sitter ``Language`` for a structural kind, loaded once per process."""
    if kind not in _LANGUAGES:
        import importlib

        import tree_sitter

        grammar = importlib.import_module(_KINDS[kind][0])
        _LANGUAGES[kind] = tree_sitter.Language(grammar.language())
    return _LANGUAGES[kind]


def evaluator(kind: str) -> ModuleType:
    """The module that validates and evaluates the assertions of ``kind``."""
    import importlib

    if kind not in _KINDS:
        raise KeyError(f"not a structural kind: {kind!r}")
    return importlib.import_module(_KINDS[kind][1])


class Source:
    """A learner's file as bytes (what tree-sitter sees) and text (what messages quote)."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data = data
        self.name = name
        self.text = decode_text(data, name)
        self._ascii = len(self.text) == len(data)
        self._char_starts: list[int] | None = None

    def char_offset(self, byte_offset: int) -> int:
        """The character offset of ``byte_offset``: the one place bytes become characters.

        Constant time for ASCII files; otherwise a bisect over the byte offset where each
        character starts (built once per file), so a big file never costs O(n) per node.
        """
        if self._ascii:
            return byte_offset
        if self._char_starts is None:
            starts = [0]
            for char in self.text:
                starts.append(starts[-1] + len(char.encode("utf-8")))
            self._char_starts = starts
        return bisect.bisect_right(self._char_starts, byte_offset) - 1

    def node_text(self, node: Any) -> str:
        """The source text of a tree-sitter node."""
        return self.text[self.char_offset(node.start_byte) : self.char_offset(node.end_byte)]

    def span(self, start_byte: int, end_byte: int) -> str:
        """The source text between two byte offsets."""
        return self.text[self.char_offset(start_byte) : self.char_offset(end_byte)]

    @staticmethod
    def line(node: Any) -> int:
        """The 1-based line a node starts on."""
        return int(node.start_point[0]) + 1


def decode_text(data: bytes, name: str) -> str:
    """``data`` as UTF-8 text, or a ``StructureError`` naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise StructureError(
            f"Line {line} of {name} has a character that is not plain text (not UTF-8). "
            "Delete it and type it again."
        ) from None


def parse(kind: str, source: Source) -> Any:
    """Parse ``source`` within the budget and return the tree.

    Raises:
        StructureError: the file is too big, takes too long or is too complex to check.
    """
    import tree_sitter

    size = len(source.data)
    if size > MAX_BYTES:
        raise StructureError(
            f"{source.name} is too big to check ({size // 1024} KB; the limit is "
            f"{MAX_BYTES // 1024} KB). Make it smaller: exercises need only a short file."
        )
    parser = tree_sitter.Parser(language(kind))
    # tree-sitter 0.25.2 deprecates timeout_micros in favour of parse(progress_callback=...),
    # but that callback segfaults in 0.25.2 (measured): keep the deprecated, working budget.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        parser.timeout_micros = int(PARSE_SECONDS * 1_000_000)  # type: ignore[misc]
    try:
        tree = parser.parse(source.data)
    except ValueError:  # "Parsing failed": the timeout expired
        tree = None
    if tree is None:
        raise StructureError(
            f"{source.name} took too long to read. Look for tags or brackets that are "
            "opened many times but never closed."
        )
    if tree.root_node.descendant_count > MAX_NODES:
        raise StructureError(f"{source.name} is too complicated to check. Make it shorter.")
    return tree


def walk(root: Any) -> Iterator[Any]:
    """Every node under ``root`` in document order, without recursion (trees may be deep)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def first_syntax_error(root: Any) -> Any | None:
    """The first ERROR or MISSING node in document order, or None."""
    if not root.has_error:
        return None
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing]))
    return None


# ---------------------------------------------------------------------------------------------
# Assertion tables: validation shared by the three kinds.


@dataclass(frozen=True)
class Assertion:
    """The vocabulary entry of one assertion key: its value type and allowed qualifiers."""

    value: Any
    qualifiers: dict[str, Any]


def assertion_key(table: dict[str, Any], vocabulary: dict[str, Assertion]) -> str | None:
    """The single assertion key present in ``table`` (None when not exactly one)."""
    keys = [k for k in table if k in vocabulary]
    return keys[0] if len(keys) == 1 else None


def validate_check(kind: str, check: dict[str, Any], exercise: Exercise) -> list[str]:
    """Problems with a structural ``[[checks]]`` table (field paths relative to the check).

    Args:
        kind: "html", "css" or "js-structure".
        check: the check table.
        exercise: the exercise it belongs to (``file`` must be one of its ``files``).
    """
    module = evaluator(kind)
    vocabulary: dict[str, Assertion] = module.VOCABULARY
    optional: dict[str, Any] = {"name": str}
    if kind == "css":
        optional["page"] = str
    problems = check_fields(check, {"kind": str, "file": str, "assert": ("list", dict)}, optional)
    if problems:
        return problems
    if check["file"] not in exercise.files:
        problems.append(
            f"file: {check['file']!r} is not one of the exercise's files {exercise.files}"
        )
    if "page" in check and check["page"] not in [*exercise.files, *exercise.readonly]:
        problems.append(
            f"page: {check['page']!r} is not one of the exercise's files or readonly files"
        )
    if not check["assert"]:
        problems.append("assert: needs at least one [[checks.assert]] table")
    for i, table in enumerate(check["assert"], start=1):
        where = f"assert[{i}]."
        keys = [k for k in table if k in vocabulary]
        if len(keys) != 1:
            names = ", ".join(sorted(vocabulary))
            found = ", ".join(keys) if keys else "none"
            problems.append(f"assert[{i}]: needs exactly one of: {names} (found: {found})")
            continue
        key = keys[0]
        spec = vocabulary[key]
        found_problems = check_fields(
            table, {key: spec.value}, {**spec.qualifiers, **COMMON_FIELDS}, where=where
        )
        if not found_problems:
            found_problems = [where + p for p in module.semantic_problems(key, table)]
        problems += found_problems
    return problems


def regex_problem(field: str, pattern: str) -> list[str]:
    """A problem if ``pattern`` is not a valid regular expression."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return [f"{field}: not a valid regular expression: {exc}"]
    return []


def one_of(table: dict[str, Any], names: tuple[str, ...], *, required: bool) -> list[str]:
    """A problem unless at most (or, if required, exactly) one of ``names`` is in ``table``."""
    present = [n for n in names if n in table]
    if len(present) > 1:
        return [f"{', '.join(present)}: use only one of these"]
    if required and not present:
        return [f"needs one of: {', '.join(names)}"]
    return []


def min_max_problems(table: dict[str, Any]) -> list[str]:
    """Problems with ``min``/``max`` counts."""
    low, high = table.get("min"), table.get("max")
    found = []
    if low is not None and low < 0:
        found.append("min: must be 0 or more")
    if high is not None and high < 0:
        found.append("max: must be 0 or more")
    if low is not None and high is not None and low > high:
        found.append("min: is larger than max")
    return found


# ---------------------------------------------------------------------------------------------
# Outcomes


def outcome(
    table: dict[str, Any],
    default_name: str,
    failure: str | None,
    line: int | None = None,
) -> TestOutcome:
    """The ``TestOutcome`` of one assertion.

    Args:
        table: the assertion table (its ``name`` and ``message`` win over the defaults).
        default_name: the generated test name.
        failure: None when the assertion held, else the generated failure message.
        line: where the problem is, when known (added to a course-written message).
    """
    name = table.get("name") or default_name
    if failure is None:
        return TestOutcome(name=name, status="passed")
    message = table.get("message")
    if message:
        if line is not None:
            message = f"{message} (line {line})"
    else:
        message = failure
    return TestOutcome(name=name, status="failed", message=message)


def text_matches(text: str, table: dict[str, Any], prefix: str = "") -> bool:
    """Whether ``text`` satisfies the ``contains``/``equals``/``matches``/``nonempty`` rule.

    Text comparisons ignore case and collapse whitespace. ``prefix`` selects value qualifiers
    (``value_`` for CSS).
    """
    norm = " ".join(text.split()).casefold()
    if f"{prefix}contains" in table:
        return " ".join(str(table[f"{prefix}contains"]).split()).casefold() in norm
    if f"{prefix}equals" in table:
        return norm == " ".join(str(table[f"{prefix}equals"]).split()).casefold()
    if f"{prefix}matches" in table:
        return (
            re.search(table[f"{prefix}matches"], " ".join(text.split()), re.IGNORECASE) is not None
        )
    if table.get(f"{prefix}nonempty"):
        return bool(norm)
    return True


def rule_words(table: dict[str, Any], prefix: str = "") -> str:
    """Words for a text rule, e.g. "contain 'CV'"."""
    if f"{prefix}contains" in table:
        return f"contain '{table[prefix + 'contains']}'"
    if f"{prefix}equals" in table:
        return f"be '{table[prefix + 'equals']}'"
    if f"{prefix}matches" in table:
        return f"match the pattern {table[prefix + 'matches']}"
    if table.get(f"{prefix}nonempty"):
        return "not be empty"
    return "be present"


def quote(text: str, limit: int = 60) -> str:
    """Learner text for a message: one line, capped, in single quotes."""
    return "'" + clip(" ".join(text.split()), limit) + "'"


# ---------------------------------------------------------------------------------------------
# Evaluation: in the worker process, and the host side that starts it.


def evaluate_bytes(
    kind: str,
    file_name: str,
    data: bytes,
    asserts: list[dict[str, Any]],
    page: tuple[str, bytes] | None = None,
) -> list[TestOutcome]:
    """Parse ``data`` and evaluate each assertion (runs inside the worker process).

    A file that can't be checked at all yields one failed outcome per assertion with the
    reason, so the learner sees the same list of tests either way.
    """
    module = evaluator(kind)
    asserts = [_normalised(module, a) for a in asserts]
    try:
        source = Source(data, file_name)
        tree = parse(kind, source)
        if page is not None:
            return list(module.evaluate(tree, source, asserts, page=page))
        return list(module.evaluate(tree, source, asserts))
    except StructureError as exc:
        return [
            TestOutcome(
                name=a.get("name") or module.default_name(assertion_key(a, module.VOCABULARY), a),
                status="failed",
                message=str(exc),
            )
            for a in asserts
        ]


def _limit_self() -> None:
    """Cap this worker's memory and CPU before it reads any learner input."""
    import resource

    for res, value in (
        (resource.RLIMIT_AS, WORKER_MEMORY),
        (resource.RLIMIT_CPU, WORKER_CPU_SECONDS),
        (resource.RLIMIT_CORE, 0),
    ):
        try:
            resource.setrlimit(res, (value, value))
        except (ValueError, OSError):
            pass


NOBODY = NOBODY_UID  # the one definition: jail.profiles


def _drop_privileges() -> None:
    """A worker started by a root server parses as ``nobody``: a parser bug exploited by a
    crafted file would gain no privileges on the host."""
    if os.geteuid() != 0:
        return
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def worker_main() -> int:
    """Entry point of the worker: JSON request on stdin, JSON outcomes on stdout.

    Order matters: limits first, then the request and the code it needs (grammar and evaluator
    loaded while the files are still readable), then privileges dropped, then the parse.
    """
    _limit_self()
    request = json.loads(sys.stdin.buffer.read())
    data = base64.b64decode(request["data"])
    language(request["kind"])
    evaluator(request["kind"])
    _drop_privileges()
    page = None
    if request.get("page") is not None:
        page = (request["page"]["name"], base64.b64decode(request["page"]["data"]))
    tests = evaluate_bytes(request["kind"], request["file"], data, request["asserts"], page)
    reply = {"tests": [t.to_dict() for t in tests], "worker_uid": os.geteuid()}
    sys.stdout.write(json.dumps(reply))
    sys.stdout.flush()
    return 0


def _worker_env() -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    # Tests and editable checkouts may run without the package installed in site-packages.
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root
    return env


async def evaluate(
    kind: str,
    file_name: str,
    data: bytes,
    asserts: list[dict[str, Any]],
    *,
    wall: float = WORKER_WALL,
    page: tuple[str, bytes] | None = None,
) -> list[TestOutcome]:
    """Evaluate assertions in a separate, limited worker process (the host side).

    Args:
        kind: "html", "css" or "js-structure".
        file_name: the learner's file name, for messages.
        data: the file's bytes.
        asserts: the ``[[checks.assert]]`` tables.
        wall: seconds before the worker is killed.
        page: (name, bytes) of the page a ``css`` check's ``page`` names.

    Returns:
        One outcome per assertion. A worker that crashes or is killed yields failed outcomes
        that say so in plain words.
    """
    if len(data) > MAX_BYTES:  # refuse before spending a process on it
        return evaluate_bytes(kind, file_name, data, asserts)
    request = json.dumps(
        {
            "kind": kind,
            "file": file_name,
            "asserts": asserts,
            "data": base64.b64encode(data).decode("ascii"),
            "page": None
            if page is None
            else {"name": page[0], "data": base64.b64encode(page[1]).decode("ascii")},
        }
    ).encode()
    from jail.profiles import SLATE_ROOT, parser_worker
    from jail.run import JailError, Limits, run_async

    # The parser profile: a fresh sandbox as nobody, the venv and the parser's files only.
    spec = parser_worker(
        sys.executable,
        "import sys; from courses.structure import worker_main; sys.exit(worker_main())",
        # courses/*.py (never the catalog, never kinds/) and jail/*.py, the code they import
        # (jail.profiles imports others of jail/; a name list here broke every check once).
        files=sorted((SLATE_ROOT / "courses").glob("*.py"))
        + sorted((SLATE_ROOT / "jail").glob("*.py")),
        limits=Limits(
            wall=max(wall, 0.05),
            cpu=WORKER_CPU_SECONDS,
            memory=WORKER_MEMORY,
            output=8 << 20,
        ),
        prefix=Path(sys.prefix),
        stdin=request,
    )
    try:
        result = await run_async(spec)
    except JailError as exc:
        return _all_failed(kind, asserts, f"{file_name} could not be checked ({exc}).")
    if result.limit == "wall":
        return _all_failed(
            kind,
            asserts,
            f"{file_name} took too long to check. Look for tags or brackets that are opened "
            "many times but never closed.",
        )
    if result.exit_code != 0 or result.limit is not None:
        code = -result.signal if result.signal is not None else result.exit_code
        return _all_failed(
            kind,
            asserts,
            f"{file_name} could not be checked (the checker stopped: "
            f"{_exit_words(code)}). Make the file shorter and simpler, then try again.",
        )
    stdout, stderr = result.stdout, result.stderr
    try:
        payload = json.loads(stdout)
        return [
            TestOutcome(t["name"], t["status"], t.get("message", ""), t.get("output", ""))
            for t in payload["tests"]
        ]
    except (ValueError, KeyError, TypeError):
        return [
            TestOutcome(
                "The structure checker",
                "error",
                "The checker gave an answer it could not read. Please tell your instructor. "
                + clip(stderr.decode("utf-8", "replace"), 200),
            )
        ]


def _exit_words(returncode: int | None) -> str:
    if returncode is None:
        return "unknown"
    if returncode < 0:
        return f"signal {-returncode}"
    return f"exit status {returncode}"


def _normalised(module: ModuleType, table: dict[str, Any]) -> dict[str, Any]:
    """The assertion table in the evaluator's current spelling (older spellings still load)."""
    normalise = getattr(module, "normalise", None)
    return normalise(table) if normalise else table


def _all_failed(kind: str, asserts: list[dict[str, Any]], message: str) -> list[TestOutcome]:
    module = evaluator(kind)
    asserts = [_normalised(module, a) for a in asserts]
    return [
        TestOutcome(
            name=a.get("name") or module.default_name(assertion_key(a, module.VOCABULARY), a),
            status="failed",
            message=message,
        )
        for a in asserts
    ]


def read_learner_file(work_dir: Path, rel: str) -> bytes | str:
    """The learner's file from the check's work dir, or a plain reason it can't be read.

    The work dir is a copy holding regular files only; a missing file is the learner's
    mistake (deleted or renamed), so the reason is written for them.
    """
    path = work_dir / rel
    if path.is_symlink() or not path.is_file():
        return f"The file {rel} is missing. Did you rename or delete it?"
    size = path.stat().st_size
    if size > MAX_BYTES:
        return (
            f"{rel} is too big to check ({size // 1024} KB; the limit is "
            f"{MAX_BYTES // 1024} KB). Make it smaller: exercises need only a short file."
        )
    with path.open("rb") as fh:
        return fh.read(MAX_BYTES + 1)


async def run_structural(
    kind: str, check: dict[str, Any], work_dir: Path, exercise: Exercise | None = None
) -> list[TestOutcome]:
    """The ``run`` of a structural kind: read ``check["file"]`` and evaluate its assertions.

    A ``css`` check's ``page`` is read from the learner's files when it is one of them, and
    from the course's ``starter/`` when it is a readonly file (what the learner sees).
    """
    data = read_learner_file(work_dir, check["file"])
    asserts = list(check["assert"])
    if isinstance(data, str):
        return _all_failed(kind, asserts, data)
    page = None
    if check.get("page"):
        name = check["page"]
        folder = work_dir
        if exercise is not None and name in exercise.readonly:
            folder = exercise.starter_dir
        page_data = read_learner_file(folder, name)
        if isinstance(page_data, bytes):
            page = (name, page_data)
    return await evaluate(kind, check["file"], data, asserts, page=page)
