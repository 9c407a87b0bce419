"""The harness side of a Python check: runs the course's tests, with the learner's module as a
proxy to the other sandbox.

Runs *inside* a check sandbox under the jail's unprivileged uid (not the learner's), with /work
holding the course's test files only: the learner's code is never imported here. ``import
double`` (any module named in SLATE_PY_MODULES) gives a proxy whose functions, classes and
objects are handles on the serving side (pyserve.py); calls cross the pipes as data (pyrpc.py).

Runs the test files with pytest when the sandbox's python3 has it, else with unittest
(module-level ``test_*`` functions included), and prints one result line, prefixed with
``MARKER``, as JSON: ``[{"name": ..., "status": "passed"|"failed"|"error", "message": ...,
"where": ...}]``. Nothing the learner's code does can write to this process's output.
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pyrpc  # noqa: E402  (the harness folder, bound read-only)

MARKER = "@@slate-py-result"
FILES = sys.argv[1:]
RESULTS: list[dict] = []
REAL_STDOUT = os.dup(1)
MODULES = {m for m in os.environ.get("SLATE_PY_MODULES", "").split(",") if m}


class LearnerCodeGone(Exception):
    """The learner's side stopped answering (it exited, crashed or hit a limit)."""


class Remote:
    """The channel to the learner's side: one request, one reply, in order."""

    def __init__(self) -> None:
        self.channel = pyrpc.Channel()
        self.next_id = 0
        self.gone = False

    def ask(self, **request):
        if self.gone:
            raise LearnerCodeGone("Your code stopped before it answered.")
        self.next_id += 1
        request["id"] = self.next_id
        try:
            self.channel.send(request)
            reply = self.channel.receive()
        except (OSError, pyrpc.WireError) as exc:
            self.gone = True
            raise LearnerCodeGone("Your code stopped before it answered.") from exc
        if reply is None:
            self.gone = True
            raise LearnerCodeGone(
                "Your code stopped before it answered (did it call exit, or crash?)."
            )
        if reply.get("id") != self.next_id:  # something else wrote on the channel
            self.gone = True
            raise LearnerCodeGone("Your code wrote something the tests could not read.")
        if reply.get("ok"):
            return pyrpc.decode(reply.get("value"), proxy_for)
        raise error_from(reply.get("error") or {})


REMOTE: Remote | None = None


def remote() -> Remote:
    global REMOTE
    if REMOTE is None:
        REMOTE = Remote()
    return REMOTE


def error_from(error: dict) -> BaseException:
    """The learner's exception, rebuilt from data as an instance of its nearest built-in class
    (never SystemExit or KeyboardInterrupt: those would stop the tests)."""
    base: type[BaseException] = Exception
    for name in error.get("bases") or []:
        candidate = getattr(builtins, str(name), None)
        if (
            isinstance(candidate, type)
            and issubclass(candidate, Exception)
            and candidate is not BaseException
        ):
            base = candidate
            break
    name = str(error.get("type") or "Exception")
    cls: type[BaseException] = (
        base if name == base.__name__ else type(name, (base,), {"__module__": "learner"})
    )
    exc = cls.__new__(cls)
    exc.args = (str(error.get("message", "")),)
    exc.slate_where = error.get("where")  # type: ignore[attr-defined]
    return exc


class Handle:
    """Something of the learner's: every use is a question to their side."""

    __slots__ = ("_slate_handle", "_slate_kind")

    def __init__(self, number: int, kind: str) -> None:
        object.__setattr__(self, "_slate_handle", number)
        object.__setattr__(self, "_slate_kind", kind)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return remote().ask(op="getattr", handle=self._slate_handle, name=name)

    def __call__(self, *args, **kwargs):
        return remote().ask(
            op="call",
            handle=self._slate_handle,
            args=pyrpc.encode(list(args), handle_number),
            kwargs=pyrpc.encode(dict(kwargs), handle_number),
        )

    def __str__(self) -> str:
        return str(remote().ask(op="str", handle=self._slate_handle))

    def __repr__(self) -> str:
        return str(remote().ask(op="repr", handle=self._slate_handle))

    def __len__(self) -> int:
        return int(remote().ask(op="len", handle=self._slate_handle))

    def __iter__(self):
        return iter(remote().ask(op="iter", handle=self._slate_handle))

    # Equality and truth are never the learner's to decide: a handle equals only itself, and is
    # true like any object. (Their numbers, strings, lists... cross as data and compare as such.)
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Handle) and other._slate_handle == self._slate_handle

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __getitem__(self, key):
        return remote().ask(
            op="getitem", handle=self._slate_handle, key=pyrpc.encode(key, handle_number)
        )

    def __contains__(self, key) -> bool:
        return bool(
            remote().ask(
                op="contains", handle=self._slate_handle, key=pyrpc.encode(key, handle_number)
            )
        )


def proxy_for(number: int, kind: str) -> Handle:
    return Handle(number, kind)


def handle_number(value) -> int:
    if isinstance(value, Handle):
        return value._slate_handle
    raise pyrpc.WireError(
        f"the tests can only pass plain values to your code, not {type(value).__name__}"
    )


class LearnerModule(types.ModuleType):
    """``import double``: attributes come from the learner's side, on first use."""

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = remote().ask(op="getattr", handle=self.__dict__["_slate_handle"], name=name)
        return value


class LearnerFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves the learner's module names to proxies, before any file could be found."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MODULES:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        module = LearnerModule(spec.name)
        handle = remote().ask(op="import", module=spec.name)
        module.__dict__["_slate_handle"] = handle._slate_handle
        return module

    def exec_module(self, module) -> None:
        return None


sys.meta_path.insert(0, LearnerFinder())


def emit() -> None:
    line = "\n" + MARKER + " " + json.dumps(RESULTS) + "\n"
    os.write(REAL_STDOUT, line.encode("utf-8", "replace"))


def where(exc: BaseException) -> str | None:
    """The learner's line the error came from, else the last frame in a test file."""
    learner = getattr(exc, "slate_where", None)
    if learner:
        return str(learner)
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("/work/"):
            found = f"{frame.filename[6:]} line {frame.lineno}"
    return found


def describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def run_pytest(pytest) -> None:
    class Collector:
        def pytest_runtest_logreport(self, report):
            if report.when != "call" and report.outcome == "passed":
                return
            if report.when == "teardown" and report.outcome != "failed":
                return
            name = report.nodeid.split("::", 1)[-1].replace("::", ".")
            message = ""
            if report.failed:
                crash = getattr(report.longrepr, "reprcrash", None)
                message = crash.message if crash is not None else str(report.longrepr)[-800:]
            status = "passed" if report.passed else "failed" if report.when == "call" else "error"
            RESULTS.append({"name": name, "status": status, "message": message})

        def pytest_collectreport(self, report):
            if report.failed:
                RESULTS.append(
                    {"name": report.nodeid or "collecting tests", "status": "error",
                     "message": str(report.longrepr)[-800:]}
                )

    pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir=/work", *FILES], plugins=[Collector()])


def run_unittest() -> None:
    import unittest

    class Result(unittest.TestResult):
        def _name(self, test):
            if isinstance(test, unittest.FunctionTestCase):
                return test._testFunc.__name__
            parts = test.id().split(".")
            return ".".join(parts[-2:]) if len(parts) >= 2 else test.id()

        def addSuccess(self, test):
            RESULTS.append({"name": self._name(test), "status": "passed", "message": ""})

        def _bad(self, test, err, status):
            _type, exc, _tb = err
            RESULTS.append(
                {"name": self._name(test), "status": status, "message": describe(exc),
                 "where": where(exc)}
            )

        def addFailure(self, test, err):
            self._bad(test, err, "failed")

        def addError(self, test, err):
            self._bad(test, err, "failed")

    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    sys.path.insert(0, "/work")
    for path in FILES:
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        except BaseException as exc:  # the learner's module may fail to load
            RESULTS.append(
                {"name": f"loading {path}", "status": "failed", "message": describe(exc),
                 "where": where(exc), "load": True}
            )
            continue
        suite.addTests(loader.loadTestsFromModule(module))
        for attr, value in sorted(vars(module).items()):
            if attr.startswith("test") and callable(value) and not isinstance(value, type):
                suite.addTest(unittest.FunctionTestCase(value))
    suite.run(Result())


try:
    try:
        import pytest as found_pytest
    except ImportError:
        found_pytest = None  # type: ignore[assignment]
    if found_pytest is not None:
        run_pytest(found_pytest)
    else:
        run_unittest()
finally:
    emit()
