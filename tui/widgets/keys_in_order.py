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

The fix, where the key reaches the focused widget (``KeysInOrder._on_key``, first in the MRO):

1. A key bound on the widget itself runs its action there and then, and stops. That is the
   binding the App would have found first: the non-priority chain is searched from the focused
   widget up, and priority bindings were tried by the App before it forwarded the key.
2. A key the widget does not take itself (not printable for it, not in ``KEYS_HANDLED_HERE``)
   runs the rest of the non-priority chain (screen, app) there and then too, so a screen's
   arrow key that moves the focus has moved it before the next key is looked at.
3. A key that arrives after an earlier key of the same burst moved the focus away (the App had
   already forwarded it to the old widget) is passed on to the widget that has the focus now,
   which is where it would have gone if typed slowly.

A site keymap (bindings have ids) applies as Textual applies it (``Screen._binding_chain``).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
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

    KEYS_HANDLED_HERE: frozenset[str] = frozenset()
    """Non-printable keys the widget's own ``_on_key`` acts on (never sent up the chain)."""

    def _own_bindings(self) -> BindingsMap:
        bindings = self._bindings
        keymap = self.app._keymap
        if keymap:
            bindings = bindings.copy()
            bindings.apply_keymap(keymap)
        return bindings

    _focus_moved: tuple[float, Widget] | None = None
    """When a key handled here moved the focus: that key's time and the widget it went to."""

    def rerouted(self, event: events.Key) -> bool:
        """Send ``event`` where it belongs when that is not here (True), else False.

        Two cases, both from a key earlier in the same burst having moved the focus:

        * this widget lost the focus to an earlier key's action here: the key was typed after
          that key, so it goes to the widget that has the focus now;
        * this widget got the focus from another one that still has older keys queued (the
          App sent this key here directly, after the move): it goes back behind those, and
          they all come here in typing order.
        """
        app = self.app
        focused = app.focused
        if focused is self:
            self._focus_moved = None  # here now: an old move says nothing about this key
            handoff = _HANDOFFS.get(app)
            if (
                handoff is not None
                and handoff[1] is self
                and event.time > handoff[2]
                and not getattr(event, "_slate_rerouted", False)
                and handoff[0].is_attached
                # Keys still queued there, or one it has taken off its queue and not passed on
                # yet (its queue looks empty then): within a burst, send this key behind them.
                and (
                    handoff[0].message_queue_size > 0
                    or event.time - handoff[2] < HANDOFF_BURST
                )
                and getattr(handoff[0], "_focus_moved", None) is not None
                and handoff[0]._focus_moved[1] is self  # type: ignore[attr-defined]
            ):
                self._pass(event, handoff[0], rerouted=False)
                return True
            return False
        moved = self._focus_moved
        if moved is not None and event.time > moved[0] and focused is not None:
            # (Only then: keys typed *before* a priority key that moved the focus, such as F6
            # showing the output, stay here, where they were typed.)
            self._pass(event, focused, rerouted=True)
            return True
        return False

    @staticmethod
    def _pass(event: events.Key, target: Widget, rerouted: bool) -> None:
        event.stop()
        event.prevent_default()
        again = events.Key(event.key, event.character)
        again.time = event.time  # typing order is decided by this
        again._slate_rerouted = rerouted  # type: ignore[attr-defined]
        target._forward_event(again)

    async def _on_key(self, event: events.Key) -> None:
        if self.rerouted(event):
            return
        before = self.app.focused
        for binding in self._own_bindings().key_to_bindings.get(event.key, ()):
            if binding.priority:
                continue  # the App ran priority bindings before the key came here
            if await self.app.run_action(binding.action, self):
                self._note_focus(event, before)
                event.stop()
                event.prevent_default()
                return
        if event.key in self.KEYS_HANDLED_HERE or self.check_consume_key(
            event.key, event.character
        ):
            return  # the widget's own _on_key (next in the MRO) takes it
        if await self.app._check_bindings(event.key):
            self._note_focus(event, before)
            event.stop()
            event.prevent_default()

    def _note_focus(self, event: events.Key, before: Widget | None) -> None:
        """Remember a focus move made by *this* key's action (not by another key meanwhile)."""
        focused = self.app.focused
        if focused is not before and focused is not None and focused is not self:
            self._focus_moved = (event.time, focused)
            _HANDOFFS[self.app] = (self, focused, event.time)


HANDOFF_BURST = 1.0
"""Seconds after a key moved the focus during which a key typed at the new widget first goes
back through the old one (a hop that keeps typing order; typed slowly, keys never need it)."""

_HANDOFFS: weakref.WeakKeyDictionary[App[object], tuple[Widget, Widget, float]] = (
    weakref.WeakKeyDictionary()
)
"""Per app, the last focus move made by a key: (from widget, to widget, that key's time)."""
