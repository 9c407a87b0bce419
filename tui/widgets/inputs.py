"""A text input with Slate's habits: no cursor blink, length-capped, plain placeholder, and keys
applied in the order they were typed (see :mod:`tui.widgets.keys_in_order`)."""

from __future__ import annotations

from textual.widgets import Input

from tui.widgets.keys_in_order import KeysInOrder


class PlainInput(KeysInOrder, Input):
    """An ``Input`` that never blinks and never takes more than ``max_length`` characters."""

    def __init__(self, placeholder: str = "", *, id: str | None = None, max_length: int = 200):
        # select_on_focus off: coming back to the box, a beginner's next key must not silently
        # replace what is already typed there.
        super().__init__(
            placeholder=placeholder, id=id, max_length=max_length, select_on_focus=False
        )
        self.cursor_blink = False
