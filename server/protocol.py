"""The control channel between a session's TUI and the server: JSON lines over a socketpair.

This module is shared by both sides and imports nothing but the standard library, so the TUI can
use it inside its sandbox (ARCHITECTURE: "the only way a TUI asks for anything").

Wire format: one JSON object per line, UTF-8, at most ``MAX_LINE`` bytes. Every message has a
``type``. A request from the TUI carries an integer ``id``; the server's answer carries the same
``id`` with ``type`` either ``"ok"`` (plus result fields) or ``"error"`` (plus ``message``).
Streams (run output) are sent as unsolicited messages that name the request ``id`` they belong to.

Requests (TUI -> server), with their fields:
    hello        {role, version}                      -> ok {user, role, session, uid_mode}
    course_map   {}                                    -> ok {stages: [...]} (see courses model)
    exercise     {course, exercise}                    -> ok {exercise: {...}, progress: {...}}
                 (the server provisions the starter files into /workspace/<course>/<exercise>/)
    saved        {paths: [workspace-relative paths]}  -> ok {version: str | None}
    run          {course, exercise}                    -> ok {run_id} then run_output*, run_end
    check        {course, exercise}                    -> ok {run_id} then run_output*, check_result
    stop         {run_id}                              -> ok {}
    hint         {course, exercise}                    -> ok {index, text, total}
    history      {course, exercise}                    -> ok {versions: [{id, time, ...}]}
    history_diff {course, exercise, version, path?}    -> ok {diff: str}
    restore      {course, exercise, version, path?}    -> ok {restored: [paths]}
    reset        {course, exercise}                    -> ok {restored: [paths]}
    git          {course, exercise, op, args}          -> ok {...}  (Git panel: status, stage,
                 commit, branch, switch, merge, log)

Server pushes (server -> TUI, no id unless tied to a request):
    notify       {text, severity: "information" | "warning" | "error", title?}
    repaint      {}                       redraw the whole screen (an observer attached)
    shutdown     {reason}                 save everything now; the session is ending
    run_output   {id, stream: "stdout" | "stderr", data}
    run_end      {id, exit_code, signal, limit, duration, truncated}
    check_result {id, result: {...}}      (courses' result schema)
    progress     {course, exercise, state}
"""

from __future__ import annotations

import json
from typing import Any

VERSION = 1
MAX_LINE = 1 << 20  # 1 MiB: a larger line is a protocol error, never buffered without bound

REQUESTS = frozenset(
    {
        "hello",
        "course_map",
        "exercise",
        "saved",
        "run",
        "check",
        "stop",
        "hint",
        "history",
        "history_diff",
        "restore",
        "reset",
        "git",
    }
)
PUSHES = frozenset(
    {"notify", "repaint", "shutdown", "run_output", "run_end", "check_result", "progress"}
)
REPLIES = frozenset({"ok", "error"})

Message = dict[str, Any]


class ProtocolError(ValueError):
    """A line that is not a valid control-channel message."""


def encode(message: Message) -> bytes:
    """Serialise one message to a newline-terminated JSON line.

    Raises:
        ProtocolError: the message has no ``type`` or is larger than ``MAX_LINE``.
    """
    if not isinstance(message.get("type"), str):
        raise ProtocolError("message has no type")
    line = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    if len(line) > MAX_LINE:
        raise ProtocolError(f"message of {len(line)} bytes exceeds {MAX_LINE}")
    return line


def decode(line: bytes) -> Message:
    """Parse one line into a message and check its envelope.

    Raises:
        ProtocolError: not JSON, not an object, no known ``type``, or a request without an id.
    """
    if len(line) > MAX_LINE:
        raise ProtocolError("line too long")
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("not a JSON object")
    kind = message.get("type")
    if kind not in REQUESTS and kind not in PUSHES and kind not in REPLIES:
        raise ProtocolError(f"unknown message type {kind!r}")
    if kind in REQUESTS or kind in REPLIES:
        ident = message.get("id")
        if not isinstance(ident, int) or isinstance(ident, bool):
            raise ProtocolError(f"{kind} needs an integer id")
    return message


class LineBuffer:
    """Splits a byte stream into lines, refusing any line longer than ``MAX_LINE``."""

    def __init__(self, limit: int = MAX_LINE) -> None:
        self._buf = bytearray()
        self._limit = limit

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the complete lines (without newline) now available.

        Raises:
            ProtocolError: a line grew past the limit (the buffer is then cleared).
        """
        self._buf += data
        lines: list[bytes] = []
        while True:
            end = self._buf.find(b"\n")
            if end < 0:
                break
            lines.append(bytes(self._buf[:end]))
            del self._buf[: end + 1]
        if len(self._buf) > self._limit:
            self._buf.clear()
            raise ProtocolError("line too long")
        return lines


def ok(request: Message, **fields: Any) -> Message:
    """The success reply to ``request``."""
    return {"type": "ok", "id": request["id"], **fields}


def error(request: Message, message: str) -> Message:
    """The error reply to ``request``; ``message`` is shown to the learner, so keep it plain."""
    return {"type": "error", "id": request["id"], "message": message}
