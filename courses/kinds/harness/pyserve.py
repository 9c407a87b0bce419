"""The serving side of a Python check: holds the learner's module and answers the tests' calls.

Runs *inside* a check sandbox under the learner's uid, with /work holding the learner's files
(and no course file). It reads requests from the harness over the pipes (see pyrpc.py) and
answers with values as data. Whatever the learner's code does here — printing, exiting,
writing to any fd, patching anything — it can only change the answers its own functions give;
the verdict is decided in the other sandbox, from those answers.
"""

from __future__ import annotations

import builtins
import importlib
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pyrpc  # noqa: E402  (the harness folder, bound read-only)

sys.path[0] = "/work"
os.chdir("/work")

ALLOWED = {m for m in os.environ.get("SLATE_PY_MODULES", "").split(",") if m}
"""Module names the tests may import from the learner (their files, nothing else)."""

objects: dict[int, object] = {}
numbers: dict[int, int] = {}  # id(object) -> handle


def handle_of(value: object) -> int:
    key = id(value)
    if key not in numbers:
        numbers[key] = len(objects) + 1
        objects[numbers[key]] = value
    return numbers[key]


def from_handle(number: int, _kind: str) -> object:
    if number not in objects:
        raise pyrpc.WireError("an unknown handle")
    return objects[number]


def error_of(exc: BaseException) -> dict:
    """The error as data: its class name, the built-in classes it derives from (so the tests'
    ``assertRaises(ValueError)`` works for the learner's own subclass), its message, and the
    last line of the learner's code it came from."""
    bases = [
        c.__name__
        for c in type(exc).__mro__
        if getattr(builtins, c.__name__, None) is c and issubclass(c, BaseException)
    ]
    try:
        message = str(exc)
    except BaseException:  # a learner's __str__ may raise anything
        message = ""
    where = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("/work/"):
            where = f"{frame.filename[6:]} line {frame.lineno}"
    return {
        "type": type(exc).__name__[:80],
        "bases": bases,
        "message": message[:1000],
        "where": where,
    }


def answer(request: dict) -> object:
    op = request.get("op")
    if op == "import":
        name = str(request.get("module"))
        if name not in ALLOWED:
            raise ImportError(f"No module named {name!r}")
        return importlib.import_module(name)
    target = from_handle(int(request.get("handle", 0)), "")
    if op == "getattr":
        return getattr(target, str(request.get("name")))
    if op == "call":
        args = pyrpc.decode(request.get("args", []), from_handle)
        kwargs = pyrpc.decode(request.get("kwargs", {"$dict": []}), from_handle)
        return target(*args, **kwargs)  # type: ignore[operator]
    if op == "str":
        return str(target)
    if op == "repr":
        return repr(target)
    if op == "len":
        return len(target)  # type: ignore[arg-type]
    if op == "iter":
        return list(target)  # type: ignore[call-overload]
    if op == "getitem":
        return target[pyrpc.decode(request.get("key"), from_handle)]  # type: ignore[index]
    if op == "contains":
        return pyrpc.decode(request.get("key"), from_handle) in target  # type: ignore[operator]
    raise pyrpc.WireError(f"unknown operation {op!r}")


def main() -> None:
    channel = pyrpc.Channel()
    while True:
        request = channel.receive()
        if request is None:
            return
        reply: dict = {"id": request.get("id")}
        try:
            value = answer(request)
            reply["ok"] = True
            reply["value"] = pyrpc.encode(value, handle_of)
        except BaseException as exc:  # anything the learner's code raises is an answer
            if isinstance(exc, pyrpc.WireError):
                reply.update(ok=False, error={"type": "WireError", "bases": [],
                                              "message": str(exc), "where": None})
            else:
                reply.update(ok=False, error=error_of(exc))
        channel.send(reply)


main()
