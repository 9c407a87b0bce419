"""The key bar at the bottom of every learner screen: which key does what, in plain words.

Unlike Textual's Footer it shows every key of an action (``F2/Alt+1``, for terminals without
F-keys) and wraps onto a second line on narrow terminals instead of hiding keys. It is built from
the screen's active bindings, so a site keymap that changes keys (bindings have ids) shows up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "question_mark": "?",
    "space": "Space",
    "pageup": "PageUp",
    "pagedown": "PageDown",
    # Shift+F1/F2: xterm, PuTTY and GNOME send ESC[1;2P/Q (Textual: shift+f1/f2); some
    # terminals send them as F13/F14.
    "f13": "Shift+F1",
    "f14": "Shift+F2",
}


def key_words(key: str) -> str:
    """A key as a person would say it: ``ctrl+q`` -> ``Ctrl+Q``, ``f2`` -> ``F2``."""
    out = []
    for part in key.split("+"):
        if part in _NAMES:
            out.append(_NAMES[part])
        elif re.fullmatch(r"f\d+", part) or len(part) == 1:
            out.append(part.upper())
        else:
            out.append(part.capitalize())
    return "+".join(out)


def grouped_keys(screen: Screen, bindings: list[Binding]) -> list[tuple[str, str]]:
    """(keys, description) per action, in the order of ``bindings``, keys as in use now.

    Args:
        screen: the screen whose active bindings (after any keymap) are read.
        bindings: the bindings to list, in display order (usually the screen's BINDINGS).

    Returns:
        One entry per action, e.g. ``("F2/Alt+1", "Lesson")``.
    """
    keys_of: dict[str, list[str]] = {}
    for key, active in screen.active_bindings.items():
        keys_of.setdefault(active.binding.action, [])
        word = key_words(key)
        if word not in keys_of[active.binding.action]:
            keys_of[active.binding.action].append(word)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for binding in bindings:
        if binding.action in seen:
            continue
        seen.add(binding.action)
        keys = keys_of.get(binding.action) or [key_words(k) for k in binding.key.split(",")]
        out.append(("/".join(keys), binding.description))
    return out


class KeyBar(Widget):
    """One or two lines of "KEYS action" pairs; a pair never breaks across lines."""

    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: auto; max-height: 3; padding: 0 1;
             background: $panel; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pairs: list[tuple[str, str]] = []

    def lines_for(self, width: int) -> list[str]:
        """Lay the pairs out in lines of at most ``width`` cells (two spaces between pairs)."""
        lines: list[str] = []
        line = ""
        for keys, words in self.pairs:
            item = f"{keys} {words}"
            if line and len(line) + 2 + len(item) > width:
                lines.append(line)
                line = item
            else:
                line = f"{line}  {item}" if line else item
        if line:
            lines.append(line)
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the pairs need at this width."""
        return max(1, len(self.lines_for(width)))

    def render(self) -> Text:
        """The laid-out lines."""
        return Text("\n".join(self.lines_for(max(self.content_size.width, 10))), no_wrap=True)

    def show_keys(self, pairs: list[tuple[str, str]]) -> None:
        """Show these (keys, description) pairs."""
        self.pairs = list(pairs)
        self.refresh(layout=True)

    def show_screen(
        self, screen: Screen, bindings: Sequence[Binding | tuple[str, ...]]
    ) -> None:
        """Show the shown (``show=True``) ones of ``bindings`` with their current keys (every
        Slate binding is a ``Binding`` with an id; tuples, Textual's shorthand, are skipped)."""
        shown = [b for b in bindings if isinstance(b, Binding) and b.show]
        self.show_keys(grouped_keys(screen, shown))
