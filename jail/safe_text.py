"""Making untrusted text safe to show or log: the one implementation Slate uses everywhere.

Keeps ARCHITECTURE invariant 6 ("untrusted text never reaches a terminal raw"). Learner output,
file names, commit messages, usernames and anything a learner or a learner's program chose pass
through :func:`safe_text` before they reach another person's terminal, a log line or a widget.
It lives in ``jail/`` because that is the one package every other one may import (jail imports
nothing of ours), and it needs only the standard library.

What is neutralised (each becomes a visible escape such as ``\\x1b`` or ``\\u202e``):
- C0 controls U+0000–U+001F (ESC included, so no escape sequence survives: OSC 52 clipboard,
  window titles, screen clears), DEL, and C1 controls U+0080–U+009F (the 8-bit CSI/OSC/DCS);
- bidi overrides, embeddings and isolates U+202A–U+202E, U+2066–U+2069, and the marks LRM,
  RLM and ALM (U+200E, U+200F, U+061C) — text that reads differently from what it is;
- line and paragraph separators U+2028/U+2029 (a fake new log line);
- zero-width characters U+200B–U+200D, U+2060, U+FEFF (a name that looks like another);
- lone surrogates (text that cannot be encoded).
"""

from __future__ import annotations

import re

_OTHERS = "\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff"
_UNSAFE = "\x00-\x1f" + _OTHERS
_UNSAFE_BUT_NEWLINE = "\x00-\x09\x0b-\x1f" + _OTHERS
_UNSAFE_RE = re.compile(f"[{_UNSAFE}]")
_UNSAFE_OR_BACKSLASH_RE = re.compile(f"[\\\\{_UNSAFE}]")
_UNSAFE_KEEP_NL_RE = re.compile(f"[{_UNSAFE_BUT_NEWLINE}]")
_UNSAFE_KEEP_NL_OR_BACKSLASH_RE = re.compile(f"[\\\\{_UNSAFE_BUT_NEWLINE}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\x1b", "\\": "\\\\"}


def escape_char(ch: str) -> str:
    """The visible escape of one character (``\\x1b``, ``\\u202e``, ``\\n``; ``\\\\`` for a
    backslash)."""
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def is_safe(text: str, *, keep_newlines: bool = False) -> bool:
    """True when ``text`` holds nothing that :func:`safe_text` would change (limits aside)."""
    pattern = _UNSAFE_KEEP_NL_RE if keep_newlines else _UNSAFE_RE
    return pattern.search(text) is None


def safe_text(
    text: object,
    *,
    limit: int | None = None,
    keep_newlines: bool = False,
    escape_backslash: bool = False,
) -> str:
    """Neutralise untrusted text (see the module docstring for what is replaced).

    Args:
        text: anything; bytes are decoded as UTF-8 with invalid bytes shown as ``\\xNN``; other
            non-strings are converted with ``str()``.
        limit: the longest result in characters; longer text is cut and ends with ``…`` (an
            escape is never cut in half).
        keep_newlines: keep ``\\n`` as a real line break (a widget showing program output);
            otherwise it becomes ``\\n`` and the result is one line (logs, names, titles).
        escape_backslash: double every backslash, so an escape shown cannot be forged by text
            that already contains one (logs and records; not needed on a screen).

    Returns:
        The neutralised text.
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "backslashreplace")
    elif not isinstance(text, str):
        text = str(text)
    if keep_newlines:
        pattern = _UNSAFE_KEEP_NL_OR_BACKSLASH_RE if escape_backslash else _UNSAFE_KEEP_NL_RE
    else:
        pattern = _UNSAFE_OR_BACKSLASH_RE if escape_backslash else _UNSAFE_RE
    if limit is None:
        return pattern.sub(lambda m: escape_char(m.group()), text)
    if pattern.search(text) is None:
        return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
    pieces: list[str] = []
    size = 0
    last = len(text) - 1
    for index, ch in enumerate(text):
        piece = escape_char(ch) if pattern.match(ch) else ch
        if size + len(piece) > limit - (1 if index < last else 0):
            pieces.append("…")
            break
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)
