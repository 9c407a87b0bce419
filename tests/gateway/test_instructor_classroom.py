"""The live class without a gateway: roster rows, the watch relay's bounds, the help queue,
pairing consent, locks, and an audit row for every step (real SQLite store and audit chain)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from server import protocol
from server.audit import AuditLog
from server.classroom import MAX_WATCH_BUFFER, LiveClass, StuckRules
from server.store import Store


class FakeSession:
    """A session as the live class sees it: records pushes, repaints and injected keys."""

    def __init__(self, user: str, role: str = "learner", size: tuple[int, int] = (80, 24)) -> None:
        self.session_id = f"s-{user}"
        self.user = user
        self.role = role
        self.observers: set[Callable[[bytes], None]] = set()
        self.keys_locked = False
        self.size = size
        self.pushes: list[protocol.Push] = []
        self.repaints = 0
        self.typed: list[tuple[bytes, str]] = []
        self.idle = 0.0
        self.backlog = 0

    def push(self, message: protocol.Push) -> None:
        self.pushes.append(message)

    def pending_bytes(self) -> int:
        return self.backlog

    def request_repaint(self) -> None:
        self.repaints += 1

    def inject_input(self, data: bytes, by: str) -> None:
        self.typed.append((data, by))

    def idle_seconds(self) -> float:
        return self.idle

    def output(self, data: bytes) -> None:
        for observer in list(self.observers):
            observer(data)

    def of(self, cls: type) -> list:  # type: ignore[type-arg]
        return [p for p in self.pushes if isinstance(p, cls)]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def room(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = Store(tmp_path / "slate.db")
    audit = AuditLog(store)
    clock = Clock()
    live = LiveClass(audit, StuckRules(failed_checks=3, minutes_on_exercise=20), clock=clock)
    yield live, store, clock
    store.close()


def kinds(store: Store) -> list[tuple[str, str | None, dict]]:  # type: ignore[type-arg]
    import json

    return [
        (kind, actor, json.loads(detail))
        for kind, actor, detail in store.query(
            "SELECT kind, actor, detail FROM audit_events ORDER BY id"
        )
    ]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.02)


async def test_roster_rows_follow_learner_events_and_are_pushed(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    teacher = FakeSession("teacher", "instructor")
    ada = FakeSession("ada")
    live.staff_joined(teacher)
    live.learner_joined(ada)
    live.exercise_opened("ada", "html", "first-page", "Your first web page", {"attempts": 0})
    await settle()
    rows = {r["name"]: r for u in teacher.of(protocol.RosterUpdate) for r in u.learners}
    assert rows["ada"]["online"] and rows["ada"]["exercise"] == "first-page"
    assert rows["ada"]["title"] == "Your first web page"

    teacher.pushes.clear()
    for _ in range(3):
        live.check_finished("ada", "html", "first-page", {
            "status": "failed", "tests": [{"name": "has a title\x1b]0;x\x07", "status": "failed"}],
        })
    await settle()
    row = teacher.of(protocol.RosterUpdate)[-1].learners[0]
    assert row["checks"] == 3 and row["last_check"]["status"] == "failed"
    assert "\x1b" not in row["last_check"]["test"]  # learner-influenced text is sanitised
    assert row["stuck"] == "3 failed checks in a row"
    # Three events in one loop turn become one push, not three.
    assert len(teacher.of(protocol.RosterUpdate)) == 1

    live.check_finished("ada", "html", "first-page", {"status": "passed", "tests": []})
    clock.now += 3600
    assert live.row(live.learners["ada"])["stuck"] == ""  # passed: not stuck however long


async def test_long_time_on_an_exercise_counts_as_stuck(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    live.learner_joined(FakeSession("bo"))
    live.exercise_opened("bo", "css", "selectors", "Selectors", {})
    assert live.row(live.learners["bo"])["stuck"] == ""
    clock.now += 21 * 60
    assert "20 min" in live.row(live.learners["bo"])["stuck"]


async def test_watch_relays_bytes_in_order_and_audits_join_and_leave(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    teacher = FakeSession("teacher", "instructor")
    ada = FakeSession("ada", size=(100, 30))
    live.staff_joined(teacher)
    live.learner_joined(ada)
    assert live.watch(teacher, "ada") == (100, 30)
    assert ada.repaints == 1  # a full picture on join
    state = ada.of(protocol.ClassState)[-1]
    assert state.watched_by == ["teacher"]  # the learner's screen says who watches

    ada.output(b"hello ")
    ada.output(b"\x1b]52;c;AAAA\x07world")
    await settle()
    chunks = teacher.of(protocol.WatchOutput)
    data = b"".join(base64.b64decode(c.data) for c in chunks)
    assert data == b"hello \x1b]52;c;AAAA\x07world"  # relayed as opaque bytes, not parsed
    assert chunks[0].reset and (chunks[0].cols, chunks[0].rows) == (100, 30)
    assert [c.seq for c in chunks] == list(range(1, len(chunks) + 1))

    assert live.unwatch(teacher, "ada")
    assert ada.of(protocol.ClassState)[-1].watched_by == []
    assert not ada.observers
    events = [k for k, _, _ in kinds(store)]
    assert events.count("watch_start") == 1 and events.count("watch_end") == 1


async def test_watch_relay_is_bounded_under_a_flood(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    teacher = FakeSession("teacher", "instructor")
    ada = FakeSession("ada")
    live.staff_joined(teacher)
    live.learner_joined(ada)
    live.watch(teacher, "ada")
    relay = next(iter(ada.observers))
    for _ in range(200):  # 200 x 64 KiB in one loop turn: far over the buffer
        ada.output(b"x" * 65536)
        assert len(relay._buf) <= MAX_WATCH_BUFFER
    assert relay.dropped > 0
    await settle()
    sent = teacher.of(protocol.WatchOutput)
    assert sum(len(base64.b64decode(c.data)) for c in sent) <= MAX_WATCH_BUFFER
    assert sent[0].reset  # the watcher starts again from a clean screen
    # A watcher whose socket is backed up gets nothing more until it drains (and a resync).
    teacher.pushes.clear()
    teacher.backlog = 10 << 20
    ada.output(b"more")
    await settle()
    assert not teacher.of(protocol.WatchOutput)
    teacher.backlog = 0
    ada.output(b"again")
    await asyncio.sleep(1.2)
    after = teacher.of(protocol.WatchOutput)
    assert after and after[0].reset


async def test_learner_leaving_ends_watch_and_tells_the_watcher(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    teacher = FakeSession("teacher", "instructor")
    ada = FakeSession("ada")
    live.staff_joined(teacher)
    live.learner_joined(ada)
    live.watch(teacher, "ada")
    live.session_ended(ada)
    assert teacher.of(protocol.WatchEnd)[-1].reason == "learner left"
    assert not ada.observers
    end = [d for k, _, d in kinds(store) if k == "watch_end"][-1]
    assert end["reason"] == "learner left"


async def test_help_queue_in_arrival_order_with_places(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    teacher = FakeSession("teacher", "instructor")
    ada, bo = FakeSession("ada"), FakeSession("bo")
    live.staff_joined(teacher)
    live.learner_joined(ada)
    live.learner_joined(bo)
    assert live.raise_hand(bo, "stuck on\x1b[2J loops") == 1
    clock.now += 5
    assert live.raise_hand(ada, "") == 2
    assert live.raise_hand(bo, "still stuck") == 1  # raising again keeps the place
    for _ in range(50):  # the same request again and again: no new audit rows
        assert live.raise_hand(bo, "still stuck") == 1
    await settle()
    queue = [u.queue for u in teacher.of(protocol.RosterUpdate) if u.queue is not None][-1]
    assert [q["learner"] for q in queue] == ["bo", "ada"]
    assert ada.of(protocol.ClassState)[-1].hand == 2
    assert live.help_done(teacher, "bo")
    assert ada.of(protocol.ClassState)[-1].hand == 1  # moved up
    assert bo.of(protocol.ClassState)[-1].hand is None
    assert not live.help_done(teacher, "bo")
    log = kinds(store)
    raised = [d for k, _, d in log if k == "hand_raised"]
    assert len(raised) == 3
    assert "\x1b" not in raised[0]["text"]
    assert [(k, a) for k, a, _ in log if k == "help_done"] == [("help_done", "teacher")]


async def test_messages_reach_one_learner_or_the_class_and_are_audited(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    teacher = FakeSession("teacher", "instructor")
    ada, bo = FakeSession("ada"), FakeSession("bo")
    for s in (ada, bo):
        live.learner_joined(s)
    assert live.message(teacher, "ada", "look at line 3\x1b]52;c;x\x07") == 1
    assert live.message(teacher, None, "break in 5 minutes") == 2
    assert [n.text for n in ada.of(protocol.Notify)] == [
        "look at line 3\\x1b]52;c;x\\x07", "break in 5 minutes",
    ]
    assert [n.text for n in bo.of(protocol.Notify)] == ["break in 5 minutes"]
    sent = [(d["to"], d["delivered"]) for k, _, d in kinds(store) if k == "message"]
    assert sent == [("ada", 1), ("*", 2)]


async def test_pairing_needs_consent_and_either_side_ends_it(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    teacher = FakeSession("teacher", "instructor")
    ada = FakeSession("ada")
    live.staff_joined(teacher)
    live.learner_joined(ada)
    # No consent, no control.
    assert not live.pair_keys(teacher, "ada", b"rm -rf")
    live.pair_ask(teacher, "ada")
    assert ada.of(protocol.ClassState)[-1].pair_asked_by == "teacher"
    assert not live.pair_keys(teacher, "ada", b"x")  # asked is not accepted
    assert ada.typed == []
    # A learner declining.
    live.pair_answer(ada, False)
    assert teacher.of(protocol.PairState)[-1].state == "declined"
    assert not live.pair_keys(teacher, "ada", b"x")
    # Asking again, accepted: keys go in, attributed to the instructor.
    live.pair_ask(teacher, "ada")
    assert live.pair_answer(ada, True) == "teacher"
    assert ada.of(protocol.ClassState)[-1].pair_by == "teacher"
    assert live.pair_keys(teacher, "ada", b"hello")
    assert ada.typed == [(b"hello", "teacher")]
    # Another instructor cannot type, nor take over.
    other = FakeSession("other", "instructor")
    live.staff_joined(other)
    assert not live.pair_keys(other, "ada", b"x")
    with pytest.raises(PermissionError):
        live.pair_ask(other, "ada")
    # The learner ends it with one request.
    assert live.pair_end_by_learner(ada)
    assert teacher.of(protocol.PairState)[-1].state == "ended"
    assert not live.pair_keys(teacher, "ada", b"x")
    log = [(k, a) for k, a, _ in kinds(store) if k.startswith("pair")]
    assert log == [
        ("pair_asked", "teacher"), ("pair_declined", "ada"), ("pair_asked", "teacher"),
        ("pair_start", "ada"), ("pair_end", "ada"),
    ]


async def test_lock_and_unlock_one_or_all_and_a_lock_outlives_a_reconnect(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    teacher = FakeSession("teacher", "instructor")
    ada, bo = FakeSession("ada"), FakeSession("bo")
    live.staff_joined(teacher)
    for s in (ada, bo):
        live.learner_joined(s)
    assert live.lock(teacher, None, "Eyes up here") == 2
    assert ada.keys_locked and bo.keys_locked
    assert ada.of(protocol.ClassState)[-1].locked
    assert ada.of(protocol.ClassState)[-1].lock_message == "Eyes up here"
    # Reconnecting does not get round a lock.
    live.session_ended(ada)
    ada2 = FakeSession("ada")
    live.learner_joined(ada2)
    assert ada2.keys_locked and ada2.of(protocol.ClassState)[-1].locked
    assert live.unlock(teacher, "ada") == 1
    assert not ada2.keys_locked and bo.keys_locked
    assert live.unlock(teacher, None) == 1
    assert not bo.keys_locked
    log = [(k, d.get("learner"), d.get("count")) for k, _, d in kinds(store)
           if k in ("lock", "unlock")]
    assert log == [("lock", "*", 2), ("unlock", "ada", 1), ("unlock", "*", 1)]


async def test_demo_mode_relays_the_instructor_to_every_learner(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    teacher = FakeSession("teacher", "instructor", size=(100, 30))
    other = FakeSession("other", "instructor")
    ada, bo = FakeSession("ada"), FakeSession("bo")
    for staff in (teacher, other):
        live.staff_joined(staff)
    live.learner_joined(ada)
    assert live.demo_start(teacher) == 1
    assert teacher.repaints == 1
    assert ada.of(protocol.ClassState)[-1].demo_by == "teacher"
    with pytest.raises(PermissionError):
        live.demo_start(other)  # one demo at a time
    live.learner_joined(bo)  # joins during the demo: sees it too
    assert bo.of(protocol.ClassState)[-1].demo_by == "teacher"
    teacher.output(b"\x1b[2Jnode demo.js")
    await settle()
    for learner in (ada, bo):
        chunks = learner.of(protocol.WatchOutput)
        assert b"".join(base64.b64decode(c.data) for c in chunks).endswith(b"node demo.js")
        assert (chunks[-1].learner, chunks[-1].cols, chunks[-1].rows) == ("teacher", 100, 30)
    assert not live.demo_stop(other)
    assert live.demo_stop(teacher)
    assert not teacher.observers
    assert ada.of(protocol.ClassState)[-1].demo_by is None
    log = [(k, a, d.get("learners")) for k, a, d in kinds(store) if k.startswith("demo")]
    assert log == [("demo_start", "teacher", 1), ("demo_end", "teacher", 2)]
    # The instructor leaving ends the demo.
    live.demo_start(teacher)
    live.session_ended(teacher)
    assert live.demo is None and bo.of(protocol.ClassState)[-1].demo_by is None


async def test_idle_learners_are_pushed_once_when_they_go_idle_and_come_back(room) -> None:  # type: ignore[no-untyped-def]
    live, store, clock = room
    teacher = FakeSession("teacher", "instructor")
    ada = FakeSession("ada")
    live.staff_joined(teacher)
    live.learner_joined(ada)
    await settle()
    teacher.pushes.clear()
    live.tick()
    await settle()
    assert not teacher.of(protocol.RosterUpdate)  # nothing changed: nothing pushed
    ada.idle = 6 * 60
    live.tick()
    live.tick()
    await settle()
    updates = teacher.of(protocol.RosterUpdate)
    assert len(updates) == 1 and updates[0].learners[0]["idle"] is True
    ada.idle = 1
    live.tick()
    await settle()
    assert teacher.of(protocol.RosterUpdate)[-1].learners[0]["idle"] is False


async def test_sec_learner_history_requests_cannot_leave_the_learners_history(
    room, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A staff request naming a path outside the exercise, or someone who is not a learner, is
    refused (the history repository is read only at history/<learner>.git, by prefix)."""
    from types import SimpleNamespace

    from server.control import RequestError
    from server.staff_desk import StaffDesk

    live, store, clock = room
    store.add_account("ada", "learner", "pw-ada-12")
    store.add_account("mary", "instructor", "pw-mary-1")
    services = SimpleNamespace(
        store=store, config=SimpleNamespace(server=SimpleNamespace(data_dir=str(tmp_path))),
        catalog=lambda: None,
    )
    desk = StaffDesk(services, live, FakeSession("teacher", "instructor"))  # type: ignore[arg-type]
    for learner, course, exercise in (
        ("ada", "..", "etc"), ("ada", "html", "../../x"), ("mary", "html", "first-page"),
    ):
        with pytest.raises(RequestError):
            await desk.learner_history(
                protocol.LearnerHistory(learner=learner, course=course, exercise=exercise)
            )
        with pytest.raises(RequestError):
            await desk.learner_diff(protocol.LearnerDiff(
                learner=learner, course=course, exercise=exercise, version="abcdef0"))
    refused = [(a, d["learner"], d["reason"]) for k, a, d in kinds(store)
               if k == "learner_history_refused"]
    assert refused == [
        ("teacher", "ada", "bad exercise path"), ("teacher", "ada", "bad exercise path"),
        ("teacher", "ada", "bad exercise path"), ("teacher", "ada", "bad exercise path"),
        ("teacher", "mary", "not a learner"), ("teacher", "mary", "not a learner"),
    ]
    assert not (tmp_path / "history").exists()  # nothing was even opened


async def test_a_console_that_ends_leaves_no_relay_behind(room) -> None:  # type: ignore[no-untyped-def]
    """Watching, pairing and demo state of a console that goes away (however it ends) is
    dropped: no relay keeps copying a learner's screen to nobody."""
    from types import SimpleNamespace

    from server.staff_desk import classroom_handlers, classroom_session_ended

    live, store, clock = room
    services = SimpleNamespace(live_class=live)
    ada = FakeSession("ada")
    live.learner_joined(ada)
    gateway_session = SimpleNamespace(
        session_id="s-console", control=None, observers=set(), keys_locked=False,
        cols=80, rows=24, request_repaint=lambda: None, idle_seconds=lambda: 0.0,
    )
    account = SimpleNamespace(name="teacher", role="instructor")
    classroom_handlers(services, gateway_session, account)  # type: ignore[arg-type]
    link = gateway_session.live_link
    live.watch(link, "ada")  # watched without ever asking for the roster
    live.pair_ask(link, "ada")
    assert ada.observers
    classroom_session_ended(services, gateway_session)  # type: ignore[arg-type]
    assert not ada.observers and not live.relays
    assert live.learners["ada"].pair_asked_by is None
    assert ada.of(protocol.ClassState)[-1].watched_by == []
