"""Text out of a recording, for the search index: what was typed and what the screen showed.

This module runs **inside a parser sandbox** (``python -m server.cast_text``, unprivileged uid, no
network, limits; see :func:`server.audit_search.extract_in_sandbox`), never in the root broker:
recordings are untrusted bytes (invariant 9). It imports only the standard library and pyte.

With ``--files`` it reads saved files instead (``{"t", "path", "data": base64}`` lines, from a
learner's history) and writes ``code`` items: the path and the file's text. With ``--batch`` it
reads several inputs of either sort, each after a line giving its size (:func:`extract_batch`).

Input (stdin): an asciicast v2 header line, then event lines (a slice of a recording from any
line boundary; times stay relative to the session start). Output (stdout): JSON lines
``{"t": seconds, "kind": "typed" | "screen", "text": str}``:

- ``typed``: input reconstructed into lines — printable characters kept, Backspace removes the
  last one, escape sequences (arrow keys, mouse reports, bracketed-paste marks) dropped, Enter
  or a pause of :data:`TYPING_GAP` seconds ends a line; its time is just after the last key.
- ``screen``: the output emulated with pyte; every :data:`SCREEN_WINDOW` seconds of recording
  (and at the end) the rows whose text changed and that this slice has not shown before, joined
  by newlines, at the time of the window's last output (the screen shows them then).
  A slice starts from a blank screen: rows drawn after the slice's first byte are what it sees.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import pyte

TYPING_GAP = 3.0
ECHO_DELAY = 0.3
"""A typed line's time is its last key plus this (the echo is on the screen by then)."""
SCREEN_WINDOW = 1.0
MAX_COLS = 500
MAX_ROWS = 200
SEEN_LIMIT = 200_000
"""Distinct screen lines remembered per slice (past this, repeats are indexed again)."""
MAX_TEXT = 4000
"""Longest text of one emitted item (longer is cut)."""

_INPUT_ESC = re.compile(
    r"\x1b\[200~|\x1b\[201~"                  # bracketed paste marks
    r"|\x1b\[[0-9;:<=>?]*[ -/]*[@-~]"         # CSI (arrows, mouse SGR reports, function keys)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"    # OSC (a pasted escape code)
    r"|\x1bO.|\x1b[\x20-\x7e]?"               # SS3 keys, Alt+key, a lone ESC
    r"|\x9b[0-9;]*[@-~]"                      # C1 CSI
)


def _events(lines: Iterable[bytes | str]) -> Iterator[tuple[float, str, Any]]:
    for raw in lines:
        try:
            event = json.loads(raw)
        except (ValueError, TypeError, RecursionError):
            continue  # a torn last line (crash), garbage, absurd nesting: skip it
        if (isinstance(event, list) and len(event) >= 3 and isinstance(event[0], int | float)
                and isinstance(event[1], str)):
            yield float(event[0]), event[1], event[2]


class TypedLines:
    """Reconstructs typed text from ``i`` events."""

    def __init__(self, owner: str | None = None) -> None:
        self.owner = owner
        self.typist: str | None = None
        """Someone other than the session's owner typing (pairing), from ``typed-by`` marks."""
        self.buf: list[str] = []
        self.start = 0.0
        self.end = 0.0
        self.last = -1e9
        self.out: list[dict[str, Any]] = []

    def feed(self, t: float, data: str) -> None:
        if self.buf and t - self.last > TYPING_GAP:
            self.flush()
        self.last = t
        for piece in _INPUT_ESC.split(data):
            for ch in piece:
                if ch in "\r\n":
                    self.flush()
                elif ch in "\x7f\x08":
                    if self.buf:
                        self.buf.pop()
                elif ch == "\t":
                    self._add(t, " ")
                elif ch >= " " and not ("\x7f" <= ch <= "\x9f"):
                    self._add(t, ch)

    def _add(self, t: float, ch: str) -> None:
        if not self.buf:
            self.start = t
        self.end = t
        if len(self.buf) < MAX_TEXT:
            self.buf.append(ch)

    def typed_by(self, name: str) -> None:
        """A ``typed-by:NAME`` marker: what follows was typed by NAME (a pairing instructor)."""
        self.flush()
        name = name.strip()[:64]
        self.typist = name if name and name != self.owner else None

    def flush(self) -> None:
        text = "".join(self.buf).strip()
        self.buf.clear()
        if text and self.typist:
            text = f"[typed by {self.typist}] {text}"
        if text:
            # Just after the last key of the line, once its echo has been drawn: a replay
            # opened at this time shows what was typed.
            shown_at = math.ceil((self.end + ECHO_DELAY) * 1000) / 1000
            self.out.append({"t": shown_at, "kind": "typed", "text": text})


class ScreenText:
    """Emulates ``o`` events with pyte and collects the rows that changed."""

    def __init__(self, cols: int, rows: int) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.screen)
        self.shown: dict[int, str] = {}
        self.seen: set[str] = set()
        self.window_start: float | None = None
        self.last = 0.0
        self.out: list[dict[str, Any]] = []

    def feed(self, t: float, data: str) -> None:
        if self.window_start is not None and t - self.window_start >= SCREEN_WINDOW:
            self.collect()
        if self.window_start is None:
            self.window_start = t
        self.last = t
        self.stream.feed(data)

    def resize(self, _t: float, value: Any) -> None:
        match = re.fullmatch(r"(\d{1,5})x(\d{1,5})", str(value))
        if not match:
            return
        self.collect()
        cols = min(max(int(match.group(1)), 1), MAX_COLS)
        rows = min(max(int(match.group(2)), 1), MAX_ROWS)
        self.screen.resize(rows, cols)
        self.shown.clear()

    def collect(self) -> None:
        if self.window_start is None:
            return
        changed = []
        for row in sorted(self.screen.dirty):
            if row >= self.screen.lines:
                continue
            line = self.screen.buffer[row]
            text = "".join(line[col].data for col in range(self.screen.columns)).rstrip()
            if text.strip() and self.shown.get(row) != text:
                key = text.strip()
                # A line this slice already indexed (a status bar flipping back, an editor
                # line redrawn as the cursor passes) is not indexed again: the first time it
                # was shown is the hit, and the index stays a fraction of the recordings.
                if key not in self.seen:
                    changed.append(key)
                    if len(self.seen) < SEEN_LIMIT:
                        self.seen.add(key)
            self.shown[row] = text
        self.screen.dirty.clear()
        if changed:
            joined = "\n".join(changed)[:MAX_TEXT]
            # The moment the screen showed it: after the window's last output (rounded up, so
            # a replay seeking to this time has applied that output).
            shown_at = math.ceil(self.last * 1000) / 1000
            self.out.append({"t": shown_at, "kind": "screen", "text": joined})
        self.window_start = None


def extract(lines: Iterable[bytes | str]) -> list[dict[str, Any]]:
    """Typed lines and screen text from a header line plus event lines.

    Args:
        lines: the recording's lines (the first is the asciicast header).

    Returns:
        Items ``{"t", "kind", "text"}`` in time order within each kind.
    """
    it = iter(lines)
    cols, rows = 80, 24
    owner = None
    try:
        header = json.loads(next(it))
        if isinstance(header, dict):
            meta = header.get("slate")
            if isinstance(meta, dict) and isinstance(meta.get("user"), str):
                owner = meta["user"]
            cols = min(max(int(header.get("width", 80)), 1), MAX_COLS)
            rows = min(max(int(header.get("height", 24)), 1), MAX_ROWS)
    except (StopIteration, ValueError, TypeError):
        pass
    typed = TypedLines(owner)
    screen = ScreenText(cols, rows)
    for t, kind, data in _events(it):
        if kind == "o" and isinstance(data, str):
            screen.feed(t, data)
        elif kind == "i" and isinstance(data, str):
            typed.feed(t, data)
        elif kind == "r":
            screen.resize(t, data)
        elif kind == "m" and isinstance(data, str) and data.startswith("typed-by:"):
            typed.typed_by(data.removeprefix("typed-by:"))
    typed.flush()
    screen.collect()
    return sorted(typed.out + screen.out, key=lambda item: item["t"])


MAX_CODE = 16000
"""Longest text of one saved file indexed."""


def extract_files(lines: Iterable[bytes | str]) -> list[dict[str, Any]]:
    """Saved files (``{"t", "path", "data": base64}`` lines) as ``code`` items: the path and
    the file's text (invalid UTF-8 replaced, NULs dropped, cut at :data:`MAX_CODE`)."""
    out: list[dict[str, Any]] = []
    for raw in lines:
        try:
            item = json.loads(raw)
            path = str(item["path"])[:300]
            data = base64.b64decode(item["data"], validate=True)
            t = item.get("t")
        except (ValueError, TypeError, KeyError, RecursionError):
            continue
        text = data[: MAX_CODE * 4].decode("utf-8", "replace").replace("\x00", "")[:MAX_CODE]
        out.append({"t": t if isinstance(t, int | float) else None, "kind": "code",
                    "text": f"{path}\n{text}"})
    return out


def extract_batch(stream: BinaryIO) -> Iterator[dict[str, Any]]:
    """Several inputs read in one run (one sandbox for a whole index pass, not one each).

    Each input is a line ``{"files": bool, "size": n}`` (written by the server) followed by
    ``n`` bytes: a recording slice, or with ``files`` saved files. Its items carry ``"i"``,
    the input's place (0, 1, ...); an input that could not be read gives one item
    ``{"i": place, "error": what}`` and the next input is read as usual.
    """
    place = 0
    while head := stream.readline():
        meta = json.loads(head)
        data = stream.read(int(meta["size"]))
        try:
            lines = io.BytesIO(data)
            items = extract_files(lines) if meta.get("files") else extract(lines)
        except Exception as exc:  # noqa: BLE001 - one input must not cost the others theirs
            items = [{"error": type(exc).__name__}]
        for item in items:
            item["i"] = place
            yield item
        place += 1


def main() -> int:
    """Read a recording slice (or, with ``--files``, saved files; with ``--batch``, several
    inputs) on stdin; write JSON lines."""
    out = sys.stdout
    args = sys.argv[1:]
    if args == ["--batch"]:
        items: Iterable[dict[str, Any]] = extract_batch(sys.stdin.buffer)
    elif args == ["--files"]:
        items = extract_files(sys.stdin.buffer)
    else:
        items = extract(sys.stdin.buffer)
    for item in items:
        out.write(json.dumps(item, ensure_ascii=True) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
