"""Textual key events back into the bytes a terminal sends (for typing into a paired session).

While paired, the instructor's keys are sent to the learner's session as the bytes an xterm
would send, so the learner's app reads them as if typed on their own keyboard.
"""

from __future__ import annotations

_CSI = "\x1b["
_NAMED = {
    "enter": "\r",
    "tab": "\t",
    "shift+tab": _CSI + "Z",
    "backspace": "\x7f",
    "ctrl+h": "\x7f",
    "escape": "\x1b",
    "space": " ",
    "up": _CSI + "A",
    "down": _CSI + "B",
    "right": _CSI + "C",
    "left": _CSI + "D",
    "home": _CSI + "H",
    "end": _CSI + "F",
    "pageup": _CSI + "5~",
    "pagedown": _CSI + "6~",
    "insert": _CSI + "2~",
    "delete": _CSI + "3~",
    "f1": "\x1bOP",
    "f2": "\x1bOQ",
    "f3": "\x1bOR",
    "f4": "\x1bOS",
    "f5": _CSI + "15~",
    "f6": _CSI + "17~",
    "f7": _CSI + "18~",
    "f8": _CSI + "19~",
    "f9": _CSI + "20~",
    "f11": _CSI + "23~",
    "f12": _CSI + "24~",
}
_ARROWS = {"up": "A", "down": "B", "right": "C", "left": "D", "home": "H", "end": "F"}
_MODIFIERS = {"shift": 2, "alt": 3, "ctrl": 5, "ctrl+shift": 6}


def key_bytes(key: str, character: str | None) -> bytes:
    """The bytes for one key event (empty when the key has no terminal equivalent).

    Args:
        key: Textual's key name (``"a"``, ``"ctrl+c"``, ``"shift+up"``, ``"f6"``).
        character: the printable character, when the key has one.
    """
    if key in _NAMED:
        return _NAMED[key].encode()
    if "+" in key:
        mods, _, base = key.rpartition("+")
        if base in _ARROWS and mods in _MODIFIERS:
            return f"{_CSI}1;{_MODIFIERS[mods]}{_ARROWS[base]}".encode()
        if mods == "ctrl" and len(base) == 1 and base.isalpha():
            return bytes([ord(base.lower()) - 96])
        if mods == "alt":
            inner = key_bytes(base, base if len(base) == 1 else None)
            return b"\x1b" + inner if inner else b""
    if character and character.isprintable():
        return character.encode("utf-8")
    return b""
