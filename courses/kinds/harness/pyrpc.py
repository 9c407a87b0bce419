"""The wire between a Python check's two sandboxes (the pytest kind; see courses/kinds/_pair.py).

Runs *inside* check sandboxes only, with the sandbox's own python3 (standard library only); never
imported by the server. One JSON object per line on two pipes (fds in SLATE_RPC_IN and
SLATE_RPC_OUT). The harness side (the course's tests, not the learner's uid) asks; the serving
side (the learner's module, under the learner's uid) answers:

    {"id": 1, "op": "import", "module": "double"}           -> {"id": 1, "ok": true, "value": V}
    {"id": 2, "op": "getattr", "handle": 1, "name": "double"} -> V
    {"id": 3, "op": "call", "handle": 2, "args": [V...], "kwargs": {"k": V}} -> V or an error
    {"id": 4, "op": "str" | "repr" | "len" | "iter", "handle": 5}
    {"id": 6, "op": "getitem" | "contains", "handle": 5, "key": V}

Values cross as data only (V): None, bools, ints, floats, strings, and lists, tuples, dicts and
sets of those, tagged; anything else the learner's code returns (a function, a class, an object,
a subclass of a built-in type) crosses as a numbered handle that the harness can only ask about
through the operations above. So the harness never runs a byte of the learner's code, and no
value it receives can do anything when the tests compare or print it.
"""

from __future__ import annotations

import json
import math
import os

MAX_LINE = 4 << 20
"""Bytes one message may have (a reply past it is an error, never a half-read value)."""

MAX_DEPTH = 60
"""Nesting a value may have."""

MAX_ITEMS = 100_000
"""Items one value may hold, all levels together."""


class WireError(Exception):
    """A message could not be encoded, read or understood."""


class Channel:
    """Line-delimited JSON over two inherited pipe fds."""

    def __init__(self) -> None:
        self.fd_in = int(os.environ["SLATE_RPC_IN"])
        self.fd_out = int(os.environ["SLATE_RPC_OUT"])
        os.set_blocking(self.fd_in, True)
        os.set_blocking(self.fd_out, True)
        self._buffer = b""

    def send(self, message: dict) -> None:
        data = json.dumps(message, allow_nan=False, separators=(",", ":")).encode() + b"\n"
        if len(data) > MAX_LINE:
            raise WireError("the value is too big to pass between the tests and your code")
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd_out, view) :]

    def receive(self) -> dict | None:
        """The next message, or None at end of file (the other side is gone)."""
        while b"\n" not in self._buffer:
            if len(self._buffer) > MAX_LINE:
                raise WireError("a message was too long")
            chunk = os.read(self.fd_in, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError as exc:
            raise WireError("a message was not JSON") from exc
        if not isinstance(message, dict):
            raise WireError("a message was not an object")
        return message


def encode(value, handle_of, depth: int = 0, budget: list[int] | None = None):
    """``value`` as wire data; ``handle_of(value)`` numbers anything that is not plain data.

    Numbers, strings, lists, tuples, dicts, sets and bytes cross as their data, read with the
    built-in types' own methods (``list.__iter__(x)``, ``dict.items(x)``): a subclass the
    learner wrote, with its own ``__eq__`` or ``__iter__``, crosses as the data it holds, so an
    "equal to anything" object compares as what it really is. Anything else is a handle.
    """
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise WireError("the value is too big or too deeply nested to pass")

    def inner(items):
        return [encode(v, handle_of, depth + 1, budget) for v in items]

    if value is None or value is True or value is False:
        return value
    if isinstance(value, bool):  # a bool is never subclassed, but be sure
        return bool.__bool__(value)  # pragma: no cover
    if isinstance(value, int):
        number = int.__index__(value)
        return number if abs(number) < 1 << 53 else {"$int": str(number)}
    if isinstance(value, float):
        real = float.__float__(value)
        return real if math.isfinite(real) else {"$float": repr(real)}  # nan, inf, -inf
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, list):
        return inner(list.__iter__(value))
    if isinstance(value, tuple):
        return {"$tuple": inner(tuple.__iter__(value))}
    if isinstance(value, set):
        return {"$set": inner(set.__iter__(value))}
    if isinstance(value, frozenset):
        return {"$set": inner(frozenset.__iter__(value))}
    if isinstance(value, dict):
        return {"$dict": [inner(pair) for pair in dict.items(value)]}
    if isinstance(value, bytes):
        return {"$bytes": bytes.hex(value)}
    return {"$handle": handle_of(value), "kind": _kind_word(value)}


def _kind_word(value) -> str:
    if isinstance(value, type):
        return "class"
    if callable(value):
        return "function"
    return "object"


def decode(data, from_handle):
    """Wire data back to a value; ``from_handle(number, kind)`` gives what a handle stands for."""
    if data is None or isinstance(data, bool | str | int):
        return data
    if isinstance(data, float):
        return data
    if isinstance(data, list):
        return [decode(v, from_handle) for v in data]
    if isinstance(data, dict):
        if "$int" in data:
            return int(data["$int"])
        if "$float" in data:
            return float(data["$float"])
        if "$tuple" in data:
            return tuple(decode(v, from_handle) for v in data["$tuple"])
        if "$set" in data:
            items = [decode(v, from_handle) for v in data["$set"]]
            try:
                return set(items)
            except TypeError:
                return items
        if "$dict" in data:
            out = {}
            for pair in data["$dict"]:
                key = decode(pair[0], from_handle)
                try:
                    out[key] = decode(pair[1], from_handle)
                except TypeError:  # an unhashable key (a handle to a list subclass...)
                    out[repr(key)] = decode(pair[1], from_handle)
            return out
        if "$bytes" in data:
            return bytes.fromhex(data["$bytes"])
        if "$handle" in data:
            return from_handle(int(data["$handle"]), str(data.get("kind", "object")))
    raise WireError("a value could not be read")
