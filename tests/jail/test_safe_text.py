"""jail.safe_text: the one function that neutralises untrusted text for screens and logs, and
the wrappers the server (audit.sanitize) and the TUI (safe_text.visible) use."""

from __future__ import annotations

import pytest

from jail.safe_text import is_safe, safe_text
from server.audit import sanitize
from tui.safe_text import visible

HOSTILE = {
    "osc52 clipboard": "\x1b]52;c;cm0gLXJmIC8=\x07",
    "window title": "\x1b]0;root@server\x07",
    "clear screen": "\x1b[2J\x1b[H",
    "dcs": "\x1bP1$tx\x1b\\",
    "c1 csi": "\x9b31m",
    "c1 osc": "\x9d0;t\x9c",
    "bell and backspace": "\x07\x08",
    "del": "\x7f",
    "rtl override": "\u202eexe.txt",
    "isolates": "\u2066\u2067\u2068\u2069",
    "marks": "\u200e\u200f\u061c",
    "line separator": "ok\u2028fake log line",
    "paragraph separator": "ok\u2029fake",
    "zero width": "ad\u200bmin\u200c\u200d\u2060\ufeff",
    "lone surrogate": "\ud800",
    "carriage return": "real\rfake",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_sec_every_hostile_class_is_neutralised_everywhere(name: str) -> None:
    text = "before " + HOSTILE[name] + " after"
    shown_everywhere = (
        safe_text(text), sanitize(text), visible(text), visible(text, keep_newlines=False)
    )
    for shown in shown_everywhere:
        assert is_safe(shown), (name, shown)
        assert "before " in shown and " after" in shown


def test_newlines_kept_only_where_asked_and_backslashes_doubled_only_in_logs() -> None:
    assert safe_text("a\nb") == "a\\nb"
    assert safe_text("a\nb", keep_newlines=True) == "a\nb"
    assert sanitize("a\nb") == "a\\nb"  # a log record stays one line
    assert sanitize("C:\\x1b") == "C:\\\\x1b"  # an escape already in the text can't be forged
    assert visible('print("\\n")') == 'print("\\n")'  # code on screen keeps its backslashes
    assert visible("a\tb") == "a    b"


def test_limits_never_cut_an_escape_in_half() -> None:
    assert safe_text("x" * 10 + "\x1b", limit=12) == "x" * 10 + "…"
    assert safe_text("abcdef", limit=4) == "abc…"
    assert len(sanitize("é" * 5000)) == 1000
    assert safe_text(b"\xff\x1b") == "\\xff\\x1b"
