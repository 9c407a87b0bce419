"""Keys applied in the order they were typed, however they arrive (one per read or in a burst).

Why this exists (Textual 8.2.8 behaviour, worked around here, not patched): a key is posted to the
focused widget's message queue. A printable key is handled right there (``TextArea._on_key`` /
``Input._on_key`` insert it), but a key that is only a *binding* of that widget (Down, Home,
Backspace, ...) is not: the ``Key`` event bubbles, one queue hop at a time, up to the App, and only
``App._on_key`` -> ``App._check_bindings`` runs the widget's action. Meanwhile the widget's own
task has already taken the next key from its queue. So when several keys reach the app in one
read (a paste without bracketed paste, a fast typist, key repeat, a slow link that coalesces
packets) ``x Down y`` gives ``xy`` on one line, then the cursor moves: text lands in the wrong
place. Sent one key per read, the same keys work, because each bubble finishes before the next
key arrives.

The fix: the widget runs its *own* non-priority bindings itself, synchronously, when the key
reaches it, and stops the event. That is exactly the binding the App would have found first
(the non-priority chain is searched from the focused widget up, and priority bindings were
already tried by the App before the key was forwarded), so behaviour is unchanged except that
it is now in order. A site keymap (bindings have ids) is applied the same way Textual applies it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.binding import BindingsMap

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    _Base = object  # a plain mixin: a Widget base here would hide TextArea's component classes


class KeysInOrder(_Base):
    """Mix in before a Textual widget class: its bindings run in typing order.

    Use as ``class SlateEditor(KeysInOrder, TextArea)``. Textual calls ``_on_key`` of every
    class in the MRO until one prevents the default, so this one runs first and the widget's
    own ``_on_key`` (inserting printable keys) still runs for keys that are not bindings.
    """

    def _own_bindings(self) -> BindingsMap:
        bindings = self._bindings
        keymap = self.app._keymap
        if keymap:
            bindings = bindings.copy()
            bindings.apply_keymap(keymap)
        return bindings

    async def _on_key(self, event: events.Key) -> None:
        for binding in self._own_bindings().key_to_bindings.get(event.key, ()):
            if binding.priority:
                continue  # the App ran priority bindings before the key came here
            if await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
