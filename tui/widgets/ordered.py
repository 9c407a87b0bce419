"""Textual's focusable widgets with keys applied in typing order (see
:mod:`tui.widgets.keys_in_order`): every focusable widget of the learner app is one of these (or
the editor, :class:`tui.widgets.inputs.PlainInput`, the Git panel's buttons), so a burst of keys
(a fast typist, key repeat, a slow link) does what the same keys typed slowly do.

Textual matches CSS type selectors and ``query_one(..., OptionList)`` against base classes too,
so these stand in for the originals anywhere."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Button, ListView, Log, OptionList, RichLog, Tabs

from tui.widgets.keys_in_order import KeysInOrder


class OrderedOptionList(KeysInOrder, OptionList):
    """An ``OptionList`` whose keys keep their order."""


class OrderedListView(KeysInOrder, ListView):
    """A ``ListView`` whose keys keep their order."""


class OrderedScroll(KeysInOrder, VerticalScroll):
    """A ``VerticalScroll`` whose keys keep their order."""


class OrderedLog(KeysInOrder, Log):
    """A ``Log`` whose keys keep their order."""


class OrderedRichLog(KeysInOrder, RichLog):
    """A ``RichLog`` whose keys keep their order."""


class OrderedButton(KeysInOrder, Button):
    """A ``Button`` whose keys keep their order (Enter and Space press it, as ever)."""


class OrderedTabs(KeysInOrder, Tabs):
    """A ``Tabs`` row whose keys keep their order."""
