"""The instructor console with Pilot, against the real server-side logic in-process.

The console talks over a real socketpair to the real control channel (``server.control``) whose
handlers are the real :class:`server.staff_desk.StaffDesk` on a real :class:`LiveClass` and
SQLite store; only the learners are stand-ins (sessions whose output the test writes).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.widgets import DataTable

from server import protocol
from server.audit import AuditLog
from server.classroom import LiveClass
from server.control import ControlChannel
from server.staff_desk import StaffDesk
from server.store import Store
from tests.tui.conftest import SMALL, WIDE, wait_until
from tui.control import ControlClient
from tui.instructor.app import InstructorApp
from tui.instructor.screens.grid import GridScreen
from tui.instructor.screens.help_queue import HelpQueueScreen
from tui.instructor.screens.watch import WatchScreen
from tui.session_app import Identity
from tui.widgets.terminal_view import TerminalView

SCREEN = (
    b"\x1b[2J\x1b[H\x1b[1mSlate\x1b[0m signed in as ada (learner)\r\n"
    b"function greet(name) {\r\n  return 'Hi ' + name;\r\n}\r\n"
)


class Learner:
    """A learner session as the live class sees it; its 'screen' is what the test writes."""

    def __init__(self, user: str, size: tuple[int, int] = (80, 24)) -> None:
        self.session_id = f"s-{user}"
        self.user = user
        self.role = "learner"
        self.observers: set[Callable[[bytes], None]] = set()
        self.keys_locked = False
        self.size = size
        self.pushes: list[protocol.Push] = []
        self.typed: list[tuple[bytes, str]] = []
        self.screen = SCREEN.replace(b"ada", user.encode())

    def push(self, message: protocol.Push) -> None:
        self.pushes.append(message)

    def pending_bytes(self) -> int:
        return 0

    def request_repaint(self) -> None:
        self.output(self.screen)  # the TUI redraws everything

    def inject_input(self, data: bytes, by: str) -> None:
        self.typed.append((data, by))

    def idle_seconds(self) -> float:
        return 3.0

    def output(self, data: bytes) -> None:
        loop = asyncio.get_running_loop()
        for observer in list(self.observers):
            loop.call_soon(observer, data)


class StaffLink:
    """The console's own session: pushes go down the real control channel."""

    def __init__(self) -> None:
        self.channel: ControlChannel | None = None
        self.session_id = "s-teacher"
        self.user = "teacher"
        self.role = "instructor"
        self.observers: set[Callable[[bytes], None]] = set()
        self.keys_locked = False
        self.size = (80, 24)

    def push(self, message: protocol.Push) -> None:
        assert self.channel is not None
        self.channel.push(message)

    def pending_bytes(self) -> int:
        return 0

    def request_repaint(self) -> None:
        pass

    def inject_input(self, data: bytes, by: str) -> None:
        pass

    def idle_seconds(self) -> float:
        return 0.0


class Classroom:
    """The server side of the test: store, audit, live class, the console's control channel."""

    def __init__(self, tmp: Path) -> None:
        self.store = Store(tmp / "slate.db")
        self.audit = AuditLog(self.store)
        self.live = LiveClass(self.audit)
        self.denied: list[tuple[str, str]] = []
        server_sock, self.client_sock = socket.socketpair()
        self.link = StaffLink()
        services = SimpleNamespace(
            store=self.store,
            config=SimpleNamespace(server=SimpleNamespace(data_dir=str(tmp))),
            catalog=self._no_catalog,
        )
        handlers = StaffDesk(services, self.live, self.link).handlers()
        handlers[protocol.Hello] = self._hello
        self.channel = ControlChannel(
            server_sock, handlers, lambda kind, why: self.denied.append((kind, why))
        )
        self.link.channel = self.channel
        self.learners: dict[str, Learner] = {}
        self._task: asyncio.Task[None] | None = None

    async def _hello(self, request: protocol.Hello) -> protocol.HelloReply:
        return protocol.HelloReply(user="teacher", role="instructor", session="s-teacher",
                                   uid_mode="shared")

    @staticmethod
    def _no_catalog() -> None:
        raise LookupError("no catalog in this test")

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.channel.serve())

    def join(self, name: str, size: tuple[int, int] = (80, 24)) -> Learner:
        self.store.add_account(name, "learner", "pw-" + name)
        learner = Learner(name, size)
        self.learners[name] = learner
        self.live.learner_joined(learner)
        return learner

    def app(self) -> InstructorApp:
        client = ControlClient(self.client_sock, timeout=5)
        return InstructorApp(client, Identity("teacher", "instructor", "s-teacher"))

    def audit_kinds(self) -> list[str]:
        return [row[0] for row in self.store.query("SELECT kind FROM audit_events ORDER BY id")]

    async def close(self) -> None:
        self.channel.close()
        if self._task is not None:
            await asyncio.wait([self._task], timeout=2)
        self.store.close()


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Classroom]:
    classroom = Classroom(tmp_path)
    classroom.join("ada")
    classroom.join("bo", (120, 40))
    classroom.store.add_account("cy", "learner", "pw-cy")  # never logged in: offline
    await classroom.start()
    yield classroom
    await classroom.close()


def table_rows(app: InstructorApp) -> list[list[str]]:
    table = app.screen.query_one("#roster-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_roster_shows_the_class_and_updates_when_pushed(room: Classroom) -> None:
    app = room.app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: len(table_rows(app)) == 3)
        rows = table_rows(app)
        assert [r[1] for r in rows] == ["ada", "bo", "cy"]  # online first
        assert rows[2][2] == "offline"
        # A Check finishing on the server shows in the roster without any request.
        room.live.exercise_opened("bo", "js", "greet", "Say hello", {})
        for _ in range(3):
            room.live.check_finished("bo", "js", "greet", {
                "status": "failed", "tests": [{"name": "greets", "status": "failed"}]})
        await wait_until(pilot, lambda: "STUCK" in " ".join(table_rows(app)[0]))
        top = table_rows(app)[0]
        assert top[1] == "bo" and top[3] == "Say hello" and top[4].startswith("FAIL")
        # A raised hand goes to the top (attention order) and into the queue line.
        room.live.raise_hand(room.learners["ada"], "help with loops")
        await wait_until(pilot, lambda: table_rows(app)[0][1] == "ada")
        assert table_rows(app)[0][0] == "#1"
        # Filter and sort from the keyboard.
        await pilot.press("slash", "b", "o", "enter")
        await wait_until(pilot, lambda: [r[1] for r in table_rows(app)] == ["bo"])
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(table_rows(app)) == 3)
        await pilot.press("s")
        assert app.model.sort == "name"


async def test_watch_shows_the_learners_screen_and_never_sends_keys(room: Classroom) -> None:
    app = room.app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: len(table_rows(app)) == 3)
        await pilot.press("w")  # ada is highlighted
        await wait_until(pilot, lambda: isinstance(app.screen, WatchScreen))
        view = app.screen.query_one(TerminalView)
        await wait_until(pilot, lambda: any("return 'Hi '" in line for line in view.lines()))
        ada = room.learners["ada"]
        assert ada.observers  # the relay is installed
        ada.output(b"\x1b[5;1Hconsole.log(greet('Sam'))\x1b]52;c;AAAA\x07")
        await wait_until(pilot, lambda: any("console.log" in line for line in view.lines()))
        # The watcher's keys go nowhere.
        await pilot.press("x", "y", "enter", "backspace")
        await pilot.pause()
        assert ada.typed == []
        assert "watched by" not in ""  # (the learner's line is checked in the gateway test)
        assert room.live.learners["ada"].watchers == {"s-teacher": "teacher"}
        await pilot.press("escape")
        await wait_until(pilot, lambda: not ada.observers)
    kinds = room.audit_kinds()
    assert kinds.count("watch_start") == 1 and kinds.count("watch_end") == 1


async def test_pairing_sends_keys_only_after_consent(room: Classroom) -> None:
    app = room.app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: len(table_rows(app)) == 3)
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, WatchScreen))
        ada = room.learners["ada"]
        await wait_until(pilot, lambda: room.live.learners["ada"].pair_asked_by == "s-teacher")
        await pilot.press("h", "i")
        await pilot.pause()
        assert ada.typed == []  # not accepted yet: nothing typed
        room.live.pair_answer(ada, True)
        await wait_until(pilot, lambda: app.screen.paired)
        await pilot.press("h", "i", "enter", "f6")
        await wait_until(pilot, lambda: b"".join(d for d, _ in ada.typed) == b"hi\r\x1b[17~")
        assert {by for _, by in ada.typed} == {"teacher"}
        await pilot.press("f10")  # the instructor ends it
        await wait_until(pilot, lambda: room.live.learners["ada"].paired_with is None)
        before = list(ada.typed)
        await pilot.press("z")
        await pilot.pause()
        assert ada.typed == before
    assert "pair_start" in room.audit_kinds() and "pair_end" in room.audit_kinds()


async def test_help_queue_message_and_done(room: Classroom) -> None:
    app = room.app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: len(table_rows(app)) == 3)
        room.live.raise_hand(room.learners["bo"], "my loop never ends")
        room.live.raise_hand(room.learners["ada"], "")
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpQueueScreen))
        await wait_until(pilot, lambda: app.screen.names == ["bo", "ada"])
        await pilot.press("m")
        await pilot.press(*"Check", "space", *"line", "space", "4")
        await pilot.press("enter")
        bo = room.learners["bo"]
        await wait_until(pilot, lambda: any(isinstance(p, protocol.Notify) for p in bo.pushes))
        note = [p for p in bo.pushes if isinstance(p, protocol.Notify)][-1]
        assert note.text == "Check line 4" and note.title == "Message from teacher"
        await pilot.press("d")
        await wait_until(pilot, lambda: app.screen.names == ["ada"])
    assert {"hand_raised", "message", "help_done"} <= set(room.audit_kinds())


async def test_lock_all_and_unlock(room: Classroom) -> None:
    app = room.app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: len(table_rows(app)) == 3)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("enter")  # keep the suggested message
        await wait_until(pilot, lambda: all(s.keys_locked for s in room.learners.values()))
        await wait_until(pilot, lambda: "LOCKED" in table_rows(app)[0][2])
        await pilot.press("ctrl+u")
        await wait_until(pilot, lambda: not any(s.keys_locked for s in room.learners.values()))
    kinds = room.audit_kinds()
    assert "lock" in kinds and "unlock" in kinds


async def test_grid_shows_thumbnails_of_online_learners(room: Classroom) -> None:
    app = room.app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: len(table_rows(app)) == 3)
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, GridScreen))
        grid = app.screen
        await wait_until(pilot, lambda: len(grid.query(TerminalView)) == 2)
        await wait_until(
            pilot,
            lambda: all(any("greet" in line for line in v.lines())
                        for v in grid.query(TerminalView)),
        )
        assert grid.watching == {"ada", "bo"}
        await pilot.press("escape")
        await wait_until(pilot, lambda: not any(s.observers for s in room.learners.values()))
