"""The code at this moment: the learner's files as their history had them (read only).

The text is the learner's (untrusted): every line passes :func:`tui.safe_text.visible` and is
cut to a bounded length before it reaches a widget; nothing is parsed or highlighted.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.safe_text import clip_lines, visible

MAX_LINES = 2000


class CodeScreen(ModalScreen[None]):
    """Show the files of one history snapshot; Esc closes."""

    DEFAULT_CSS = """
    CodeScreen { align: center middle; }
    CodeScreen > Vertical { width: 95%; height: 90%; border: heavy $accent; background: $panel; }
    CodeScreen #code-title { height: auto; padding: 0 1; text-style: bold; }
    CodeScreen .code-path { text-style: bold reverse; margin-top: 1; }
    CodeScreen #code-body { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,c", "close", "Close", id="code.close")]

    def __init__(self, snapshot: dict[str, Any], at: str) -> None:
        super().__init__()
        self.snapshot = snapshot

        self.at = at

    def compose(self) -> ComposeResult:
        snap = self.snapshot
        with Vertical():
            if not snap.get("version"):
                title = f"No saved files at {self.at} (nothing in this learner's history yet)."
            else:
                title = (f"The code at {self.at}: saved {visible(str(snap.get('time')))} UTC — "
                         f"{visible(str(snap.get('message', '')), keep_newlines=False)[:80]}  "
                         "(Esc closes)")
            yield Static(title, id="code-title", markup=False)
            with VerticalScroll(id="code-body"):
                for item in snap.get("files") or []:
                    path = visible(str(item.get("path", "?")), keep_newlines=False)[:200]
                    yield Static(f" {path} " + (" (cut)" if item.get("truncated") else ""),
                                 classes="code-path", markup=False)
                    lines = clip_lines(visible(str(item.get("text", ""))), 300)[:MAX_LINES]
                    numbered = "\n".join(f"{n:>4}  {line}" for n, line in enumerate(lines, 1))
                    yield Static(numbered, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
