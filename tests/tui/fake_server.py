"""An in-process stand-in for Slate's control-channel server, for TUI tests and the keystroke bench.

It speaks the real typed protocol (``server.protocol``) over a real socketpair: every request is
decoded with ``decode_request`` and every reply and push is built and validated by the protocol's
own dataclasses, so the fake cannot drift from the wire format. The TUI under test gets
one end through :class:`tui.control.ControlClient`, exactly as inside a session. Behind it is a
tiny course catalog, a workspace folder it provisions starter files into, an in-memory history
of every ``saved`` report, and scripted runs (normal, flood, never-ending) and checks (pass when
a file contains the expected text). Everything it receives is kept in :attr:`requests`.

Prefer the real thing: tests/tui/real_desk.py runs the server's own LearnerDesk (real store,
catalog, history and jail) behind the app. This fake is for what a test cannot get from the real
desk on demand: a flood of output, a program that never ends, a server that never answers, a
channel that drops, and exact control of timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server import protocol


@dataclass
class FakeExercise:
    """One exercise of the fake catalog."""

    course: str
    id: str
    title: str
    starter: dict[str, str]
    readonly: dict[str, str] = field(default_factory=dict)
    run: bool = False
    hints: list[str] = field(default_factory=list)
    passes_when: str = ""  # the check passes when the first file contains this text
    lesson: str = "# Lesson\n\nRead this, then write your code."


GREET_START = (
    "// Write a function that says hello.\n"
    "function greet(name) {\n"
    "  return 'Hi ' + name;\n"
    "}\n"
    "console.log(greet('Sam'));\n"
)


def default_catalog() -> list[tuple[int, str, list[tuple[str, str, list[FakeExercise]]]]]:
    """Stage number, stage title, and its courses (id, title, exercises)."""
    html = FakeExercise(
        "html", "first-page", "Your first web page",
        {"index.html": "<!doctype html>\n<html>\n<body>\n</body>\n</html>\n"},
        passes_when="<h1>",
        lesson="# Your first web page\n\nA web page is text with **tags**.\n\n## Your task\n\n"
        "Add a heading with `<h1>`.",
        hints=["Headings use the h1 tag.", "Write <h1>Hello</h1> inside <body>."],
    )
    greet = FakeExercise(
        "javascript", "greet", "Say hello",
        {"greet.js": GREET_START},
        readonly={"notes.md": "# Notes\n\nRead me.\n"},
        run=True,
        hints=["Look at the words in the return line.", "It should say Hello, not Hi.",
               "return 'Hello, ' + name;"],
        passes_when="Hello, ",
        lesson="# Say hello\n\nFunctions **return** values.\n\n## Your task\n\n"
        "Make `greet('Sam')` return `Hello, Sam`.",
    )
    loops = FakeExercise(
        "javascript", "loops", "Count to ten", {"count.js": "// count from 1 to 10\n"},
        run=True, hints=["Use a for loop."], passes_when="for",
    )
    commit = FakeExercise(
        "git", "first-commit", "Your first commit", {"README.md": "# My project\n"},
        passes_when="project", hints=["Stage, then commit."],
    )
    return [
        (1, "Foundations", [
            ("html", "HTML: building web pages", [html]),
            ("javascript", "JavaScript basics", [greet, loops]),
        ]),
        (2, "Professional practice", [("git", "Git: keeping snapshots", [commit])]),
    ]


class FakeServer:
    """The server end of one control channel.

    Args:
        workspace: the folder that plays ``/workspace``.
        user: the learner's name in ``hello``.
    """

    def __init__(self, workspace: Path, user: str = "sam", role: str = "learner") -> None:
        self.workspace = workspace
        self.user = user
        self.role = role
        self.requests: list[dict[str, Any]] = []
        self.catalog = default_catalog()
        self.exercises = {
            (e.course, e.id): e
            for _, _, courses in self.catalog
            for _, _, exs in courses
            for e in exs
        }
        self.order = list(self.exercises)
        self.state: dict[tuple[str, str], str] = {}
        self.hints_used: dict[tuple[str, str], int] = {}
        self.last: tuple[str, str] | None = None
        self.versions: list[dict[str, Any]] = []  # {id, time, message, files: {rel: text}}
        self.run_script: str = "normal"  # "normal" | "flood" | "forever"
        self.flood_chunks = 400
        self.stop_event = asyncio.Event()
        self.silent: set[str] = set()  # request types to never answer (timeout tests)
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._next_run = 100
        self.client_sock: socket.socket | None = None
        self._server_sock: socket.socket | None = None
        self.received = asyncio.Event()
        self.closed = asyncio.Event()
        self.errors: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def make_sockets(self) -> socket.socket:
        """Create the socketpair now (serving starts later, in :meth:`start`); the TUI's end."""
        if self.client_sock is None:
            self._server_sock, self.client_sock = socket.socketpair(
                socket.AF_UNIX, socket.SOCK_STREAM
            )
        return self.client_sock

    async def start(self) -> socket.socket:
        """Start serving on the socketpair (made now if needed); returns the TUI's end."""
        client_sock = self.make_sockets()
        server_sock = self._server_sock
        reader, writer = await asyncio.open_unix_connection(sock=server_sock)
        self._writer = writer
        self._task = asyncio.get_running_loop().create_task(self._serve(reader))
        return client_sock

    async def disconnect(self) -> None:
        """Close the server's end (the TUI sees the connection drop)."""
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def push(self, kind: str, **fields: Any) -> None:
        """Send a push (notify, repaint, shutdown, ...), validated as the typed push."""
        assert self._writer is not None
        self._writer.write(protocol.encode(protocol.decode_push({"type": kind, **fields})))

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        """Every received request of one type."""
        return [r for r in self.requests if r["type"] == kind]

    async def wait_for(self, kind: str, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until ``count`` requests of ``kind`` have arrived; returns the last one."""
        async def _wait() -> dict[str, Any]:
            while len(self.of_type(kind)) < count:
                self.received.clear()
                await self.received.wait()
            return self.of_type(kind)[count - 1]

        return await asyncio.wait_for(_wait(), timeout)

    async def _serve(self, reader: asyncio.StreamReader) -> None:
        lines = protocol.LineBuffer()
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                for line in lines.feed(data):
                    message = protocol.decode_request(line).to_wire()
                    self.requests.append(message)
                    self.received.set()
                    if message["type"] in self.silent:
                        continue
                    asyncio.get_running_loop().create_task(self._answer(message))
        except (ConnectionError, OSError):
            pass
        except Exception as exc:  # a broken request is a test failure: make it visible
            self.errors.append(repr(exc))
            raise
        finally:
            self.closed.set()

    async def _answer(self, message: dict[str, Any]) -> None:
        handler = getattr(self, f"do_{message['type']}", None)
        assert self._writer is not None
        try:
            if handler is None:
                reply: protocol.Message = protocol.Error(
                    id=message["id"], message="That is not available here."
                )
            else:
                fields = await handler(message)
                request_cls = protocol.REQUESTS[message["type"]]
                reply = protocol.build(request_cls.REPLY, {"id": message["id"], **fields})
        except KeyError as exc:
            reply = protocol.Error(id=message["id"], message=f"Unknown: {exc}")
        if not self._writer.is_closing():
            self._writer.write(protocol.encode(reply))
            if handler is not None and hasattr(self, f"after_{message['type']}"):
                await getattr(self, f"after_{message['type']}")(message, reply.to_wire())

    # -- helpers -------------------------------------------------------------------------------

    def folder(self, key: tuple[str, str]) -> Path:
        """The exercise folder in the workspace."""
        return self.workspace / key[0] / key[1]

    def file_text(self, course: str, exercise: str, name: str) -> str:
        """What is on disk now."""
        return (self.workspace / course / exercise / name).read_text()

    def _files_now(self, key: tuple[str, str]) -> dict[str, str]:
        ex = self.exercises[key]
        folder = self.folder(key)
        return {
            f"{key[0]}/{key[1]}/{name}": (folder / name).read_text()
            for name in ex.starter
            if (folder / name).exists()
        }

    def _snapshot(self, key: tuple[str, str], message: str) -> str:
        version = f"v{len(self.versions) + 1}"
        self.versions.append(
            {"id": version, "time": 1_764_410_400 + 60 * len(self.versions), "message": message,
             "key": key, "files": self._files_now(key)}
        )
        return version

    # -- request handlers ----------------------------------------------------------------------

    async def do_hello(self, message: dict[str, Any]) -> dict[str, Any]:
        return {"user": self.user, "role": self.role, "session": "s-test", "uid_mode": "shared"}

    async def do_course_map(self, message: dict[str, Any]) -> dict[str, Any]:
        stages = []
        for number, title, courses in self.catalog:
            stages.append({
                "stage": number,
                "title": title,
                "courses": [
                    {
                        "id": cid, "title": ctitle, "summary": "",
                        "exercises": [
                            {
                                "id": e.id, "title": e.title,
                                "state": self.state.get((e.course, e.id), "not_started"),
                                "attempts": 0,
                                "hints_used": self.hints_used.get((e.course, e.id), 0),
                            }
                            for e in exs
                        ],
                    }
                    for cid, ctitle, exs in courses
                ],
            })
        last = {"course": self.last[0], "exercise": self.last[1]} if self.last else None
        return {"stages": stages, "last": last}

    async def do_exercise(self, message: dict[str, Any]) -> dict[str, Any]:
        key = (message["course"], message["exercise"])
        ex = self.exercises[key]
        folder = self.folder(key)
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in {**ex.starter, **ex.readonly}.items():
            if not (folder / name).exists():
                (folder / name).write_text(text)
        self.last = key
        self.state.setdefault(key, "in_progress")
        index = self.order.index(key)
        nxt = self.order[index + 1] if index + 1 < len(self.order) else None
        used = self.hints_used.get(key, 0)
        return {
            "exercise": {
                "course": ex.course, "id": ex.id, "title": ex.title, "learn": "Learn a thing.",
                "lesson": ex.lesson, "files": list(ex.starter), "readonly": list(ex.readonly),
                "run": ex.run, "hints_total": len(ex.hints),
                "next": {"course": nxt[0], "exercise": nxt[1]} if nxt else None,
            },
            "progress": {"state": self.state[key], "attempts": 0, "hints_used": used,
                         "hints": ex.hints[:used]},
        }

    async def do_saved(self, message: dict[str, Any]) -> dict[str, Any]:
        paths = message["paths"]
        course, exercise = paths[0].split("/")[:2]
        return {"version": self._snapshot((course, exercise), "saved " + ", ".join(paths))}

    async def do_run(self, message: dict[str, Any]) -> dict[str, Any]:
        self._next_run += 1
        self.stop_event.clear()
        return {"run_id": str(self._next_run)}

    async def after_run(self, message: dict[str, Any], reply: dict[str, Any]) -> None:
        run_id = reply["run_id"]
        if self.run_script == "flood":
            chunk = "y" * 5000 + "\n" + "\x1b[2J\x1b]52;c;AAAA\x07" + "z" * 3000
            for _ in range(self.flood_chunks):
                self.push("run_output", id=run_id, stream="stdout", data=chunk)
                await asyncio.sleep(0)
            self.push("run_end", id=run_id, exit_code=None, signal=None, limit="output",
                      duration=1.0, truncated=True)
        elif self.run_script == "forever":
            self.push("run_output", id=run_id, stream="stdout", data="tick\n")
            await self.stop_event.wait()
            self.push("run_end", id=run_id, exit_code=None, signal=9, limit=None,
                      duration=3.0, truncated=False)
        else:
            key = (message["course"], message["exercise"])
            text = next(iter(self._files_now(key).values()), "")
            said = "Hello, Sam" if "Hello, " in text else "Hi Sam"
            self.push("run_output", id=run_id, stream="stdout", data=said + "\n")
            self.push("run_end", id=run_id, exit_code=0, signal=None, limit=None,
                      duration=0.05, truncated=False)

    async def do_stop(self, message: dict[str, Any]) -> dict[str, Any]:
        self.stop_event.set()
        return {}

    async def do_check(self, message: dict[str, Any]) -> dict[str, Any]:
        self._next_run += 1
        return {"run_id": str(self._next_run)}

    async def after_check(self, message: dict[str, Any], reply: dict[str, Any]) -> None:
        key = (message["course"], message["exercise"])
        ex = self.exercises[key]
        text = next(iter(self._files_now(key).values()), "")
        good = ex.passes_when in text
        tests = [
            {"name": "the file is there", "status": "passed", "message": "", "output": ""},
            {
                "name": "it says the right words",
                "status": "passed" if good else "failed",
                "message": "" if good else (
                    f"Line 3: expected the text {ex.passes_when!r}, but it is not there yet."
                ),
                "output": "",
            },
        ]
        result = {
            "status": "passed" if good else "failed",
            "summary": "All 2 tests passed. Well done!" if good else "1 of 2 tests passed.",
            "tests": tests,
        }
        self.state[key] = "passed" if good else "in_progress"
        self.push("check_result", id=reply["run_id"], result=result)
        self.push("progress", course=key[0], exercise=key[1], state=self.state[key], attempts=1)

    async def do_hint(self, message: dict[str, Any]) -> dict[str, Any]:
        key = (message["course"], message["exercise"])
        ex = self.exercises[key]
        used = min(self.hints_used.get(key, 0) + 1, len(ex.hints))
        self.hints_used[key] = used
        return {"index": used, "text": ex.hints[used - 1], "total": len(ex.hints)}

    async def do_history(self, message: dict[str, Any]) -> dict[str, Any]:
        key = (message["course"], message["exercise"])
        versions = [v for v in self.versions if v["key"] == key]
        return {
            "versions": [
                {"id": v["id"], "time": v["time"], "message": v["message"],
                 "files": sorted(v["files"])}
                for v in reversed(versions)
            ]
        }

    def _version(self, ident: str) -> dict[str, Any]:
        for version in self.versions:
            if version["id"] == ident:
                return version
        raise KeyError(ident)

    async def do_history_diff(self, message: dict[str, Any]) -> dict[str, Any]:
        version = self._version(message["version"])
        key = version["key"]
        now = self._files_now(key)
        out = []
        for rel, old in version["files"].items():
            out.extend(difflib.unified_diff(  # like jail.history: from the version to now
                old.splitlines(keepends=True), now.get(rel, "").splitlines(keepends=True),
                f"{version['id']}/{rel}", f"now/{rel}",
            ))
        return {"diff": "".join(out)}

    async def do_restore(self, message: dict[str, Any]) -> dict[str, Any]:
        version = self._version(message["version"])
        key = version["key"]
        self._snapshot(key, "before restore")
        restored = []
        for rel, text in version["files"].items():
            if message.get("path") and rel != message["path"]:
                continue
            (self.workspace / rel).write_text(text)
            restored.append(rel)
        return {"restored": restored}

    async def do_reset(self, message: dict[str, Any]) -> dict[str, Any]:
        key = (message["course"], message["exercise"])
        self._snapshot(key, "before reset")
        restored = []
        for name, text in self.exercises[key].starter.items():
            (self.folder(key) / name).write_text(text)
            restored.append(f"{key[0]}/{key[1]}/{name}")
        return {"restored": restored}

    async def do_git(self, message: dict[str, Any]) -> dict[str, Any]:
        op = message["op"]
        if op == "log":
            return {"result": {"message": "2 commits", "commits": [
                {"short": "abc1234", "summary": "Second", "author": "sam", "parents": ["x"]},
                {"short": "def5678", "summary": "First \x1b[2J", "author": "sam", "parents": []},
            ]}}
        return {"result": {"message": f"git {op} {message['args']}: done \x1b[31mred\x1b[0m"}}
