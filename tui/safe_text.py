"""Making untrusted text safe to put on screen: program output, file names, server strings.

Invariant kept: nothing shown by a Slate widget carries a raw control character or escape
sequence (they would move the cursor or change the terminal under Textual's feet); each one is
replaced by a visible ``\\xNN``-style mark, and lines are cut to a bounded length.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

MAX_LINE_CHARS = 2000
"""A longer line (a program printing without newlines) is cut and marked."""


def _mark(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """Replace control characters and bidi overrides with visible marks.

    Args:
        text: untrusted text.
        keep_newlines: keep ``\\n`` (and expand tabs); otherwise newlines are marked too.

    Returns:
        Text that is safe to hand to a Textual widget.
    """
    text = text.replace("\r\n", "\n").replace("\t", "    ")
    if not keep_newlines:
        text = text.replace("\n", "\\n")
    return _CONTROL.sub(_mark, text)


def clip_lines(text: str, limit: int = MAX_LINE_CHARS) -> list[str]:
    """Split ``text`` into lines, each cut to ``limit`` characters with a marker.

    Args:
        text: already-visible text.
        limit: the longest line kept whole.

    Returns:
        The lines (without newlines).
    """
    out = []
    for line in text.split("\n"):
        if len(line) > limit:
            line = line[:limit] + f" … (line cut: {len(line) - limit} more characters)"
        out.append(line)
    return out
