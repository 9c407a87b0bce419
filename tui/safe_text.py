"""Making untrusted text safe to put on screen: program output, file names, server strings.

Invariant kept: nothing shown by a Slate widget carries a raw control character or escape
sequence (they would move the cursor or change the terminal under Textual's feet); each one is
replaced by a visible ``\\xNN``-style mark, and lines are cut to a bounded length.
"""

from __future__ import annotations

from jail.safe_text import safe_text

MAX_LINE_CHARS = 2000
"""A longer line (a program printing without newlines) is cut and marked."""


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """Replace control characters, escapes, bidi and zero-width characters with visible marks
    (``jail.safe_text`` has the rules; this adds the screen's habits: CRLF is one line break
    and a tab is four spaces).

    Args:
        text: untrusted text.
        keep_newlines: keep ``\\n`` (and expand tabs); otherwise newlines are marked too.

    Returns:
        Text that is safe to hand to a Textual widget.
    """
    text = text.replace("\r\n", "\n").replace("\t", "    ")
    return safe_text(text, keep_newlines=keep_newlines)


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
