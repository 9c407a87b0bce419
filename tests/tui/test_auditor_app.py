"""The auditor console end to end below SSH: the real app, a real control channel (socketpair,
the server's ControlChannel), the real audit desk on a real store, recordings indexed by the real
parser sandbox. Also the harness the auditor snapshot tests use (fixed clock, fixed recordings).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from argon2 import PasswordHasher

from server import protocol
from server.audit import AuditLog
from server.audit_desk import AuditDesk
from server.audit_search import SearchIndex, index_pass, index_path
from server.config import load_config
from server.control import ControlChannel
from server.recorder import file_digest
from server.store import Store
from tests.tui.conftest import SMALL, wait_until
from tui.auditor.app import AuditorApp
from tui.auditor.replay import Recording, render_at
from tui.auditor.screens.replay_view import ReplayScreen, parse_jump
from tui.auditor.screens.search import SearchScreen
from tui.auditor.screens.session_list import parse_filter
from tui.control import ControlClient
from tui.session_app import Identity

T0 = datetime(2026, 11, 24, 14, 0, 0, tzinfo=UTC)
HOSTILE = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\u202eevil\u202c\x9b31m"


@contextmanager
def fixed_clock() -> Iterator[None]:
    """Make the store and audit log stamp rows 14:00:00, 14:00:07, ... (stable snapshots)."""
    import server.audit
    import server.store

    ticks = itertools.count()

    def now() -> str:
        return (T0 + timedelta(seconds=7 * next(ticks))).isoformat(timespec="microseconds")

    saved = (server.store.utc_now, server.audit.utc_now)
    server.store.utc_now = server.audit.utc_now = now  # type: ignore[assignment]
    try:
        yield
    finally:
        server.store.utc_now, server.audit.utc_now = saved  # type: ignore[assignment]


def write_cast(path: Path, events: list[list[Any]], width: int = 80, height: int = 24) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"version": 2, "width": width, "height": height,
                         "timestamp": int(T0.timestamp()), "env": {"TERM": "xterm"}})]
    lines += [json.dumps(e) for e in events]
    path.write_text("\n".join(lines) + "\n")
    return file_digest(path)


def lesson_events() -> list[list[Any]]:
    """A learner's session: the lesson, typing into the editor, a Run, its output."""
    ev: list[list[Any]] = [
        [0.2, "o", "\x1b[2J\x1b[1;1H\x1b[1mLesson 3: say hello\x1b[0m\r\n"
                   "Print a greeting with console.log.\r\n"],
        [1.0, "o", "\x1b[5;1H\x1b[7m index.js \x1b[0m\r\n"],
    ]
    t = 2.0
    for ch in "console.log('quokka')":
        ev.append([t, "i", ch])
        ev.append([t + 0.01, "o", "\x1b[6;1Hconsole.log('quokka')"[: 9 + len(ev) // 2]])
        t += 0.2
    ev.append([t, "o", "\x1b[6;1Hconsole.log('quokka')\x1b[K"])
    ev.append([t + 0.5, "i", "\x1b[17~"])  # F6
    ev.append([t + 1.0, "o", "\x1b[10;1HOutput:\r\nquokka\r\nThe wombat check passed."])
    ev.append([t + 39.0, "m", "typed-by:mary"])
    ev.append([t + 39.5, "m", "typed-by:ada"])
    ev.append([t + 40.0, "o", "\x1b[14;1Hstill here after a long pause"])
    ev.append([t + 41.0, "o", f"\x1b[16;1Hprogram said: {HOSTILE} done"])
    return ev


def build_classroom(data_dir: Path) -> Store:
    """Two learners' finished sessions, recorded, audited and indexed (at a fixed clock)."""
    store = Store(data_dir / "slate.db",
                  hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    audit = AuditLog(store)
    with fixed_clock():
        for name, role in (("ada", "learner"), ("grace", "learner"), ("alan", "auditor")):
            store.add_account(name, role)
        for sid, user, events in (("s-ada-1", "ada", lesson_events()),
                                  ("s-grace-1", "grace", [[0.5, "o", "grace was here"],
                                                          [3.0, "i", "ls\r"]])):
            rel = f"recordings/2026/11/{sid}.cast"
            store.start_session(sid, user, address="10.1.1.5", term="xterm", cols=80, rows=24,
                                recording=rel)
            audit.append("session_start", actor=user, session=sid, role="learner",
                         recording=rel)
            audit.append("exercise", actor=user, session=sid, course="js", exercise="say-hello")
            if user == "ada":
                audit.append("run", actor=user, session=sid, course="js",
                             exercise="say-hello", command="node index.js", exit_code=0)
                audit.append("request_denied", actor=user, session=sid, request="exec",
                             detail=f"tried {HOSTILE}")
            digest = write_cast(data_dir / rel, events)
            store.end_session(sid, bytes_in=30, bytes_out=900, digest=digest,
                              end_reason="logout")
            audit.append("session_end", actor=user, session=sid, recording=rel, digest=digest,
                         reason="logout")
    index = SearchIndex(index_path(data_dir))
    try:
        stats = asyncio.run(index_pass(store, data_dir, index, until_done=True))
        assert not stats.failed
    finally:
        index.close()
    return store


class Console:
    """The auditor app on one end of a socketpair, the server's desk on the other."""

    def __init__(self, data_dir: Path, store: Store, user: str = "alan") -> None:
        self.store = store
        self.audit = AuditLog(store)
        account = store.get_account(user)
        self.room = SimpleNamespace(sessions=set())
        """The live sessions the desk sees (tests add stand-ins)."""
        services = SimpleNamespace(store=store, audit=self.audit,
                                   config=load_config(None, data_dir), room=self.room)
        self.session = SimpleNamespace(session_id="aud-1",
                                       server=SimpleNamespace(address="127.0.0.1"))
        desk = AuditDesk(services, self.session, account)

        async def hello(message: protocol.Hello) -> protocol.HelloReply:
            return protocol.HelloReply(user=user, role=account.role, session="aud-1",
                                       uid_mode="shared")

        handlers: dict[Any, Any] = {protocol.Hello: hello}
        if account.role in ("auditor", "admin"):
            handlers.update(desk.handlers())
        self.denied: list[tuple[str, str]] = []
        server_sock, client_sock = socket.socketpair()
        self.channel = ControlChannel(server_sock, handlers,
                                      lambda kind, why: self.denied.append((kind, why)))
        self.app = AuditorApp(ControlClient(client_sock, timeout=30),
                              Identity(user, account.role, "aud-1"))
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.channel.serve())


async def console_ready(console: Console, pilot: Any) -> None:
    await console.start()
    screen = console.app.session_list
    await wait_until(pilot, lambda: len(screen.sessions) == 2, timeout=20)


async def replay_ready(pilot: Any, app: AuditorApp, start_at: float | None = None) -> ReplayScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, ReplayScreen), timeout=10)
    screen = app.screen
    assert isinstance(screen, ReplayScreen)
    await wait_until(pilot, lambda: screen.loaded and screen.events, timeout=20)
    if start_at is not None:
        screen.seek(start_at)
    await pilot.pause()
    return screen


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Store]:
    data_dir = tmp_path_factory.mktemp("auditor") / "data"
    data_dir.mkdir()
    store = build_classroom(data_dir)
    yield data_dir, store
    store.close()


# -- tests ----------------------------------------------------------------------------------------


async def test_list_shows_sessions_with_refusals_and_exercises(classroom) -> None:
    data_dir, store = classroom
    console = Console(data_dir, store)
    async with console.app.run_test(size=SMALL) as pilot:
        await console_ready(console, pilot)
        rows = {s["user"]: s for s in console.app.session_list.sessions}
        assert rows["ada"]["refusals"] == 1 and rows["grace"]["refusals"] == 0
        assert rows["ada"]["exercises"] == ["js/say-hello"]
        assert rows["ada"]["duration"] > 0 and rows["ada"]["bytes"] == 930
        await pilot.press("slash")
        for ch in "refusals":
            await pilot.press(ch)
        await pilot.press("enter")
        await wait_until(pilot, lambda: [s["user"] for s in console.app.session_list.sessions]
                         == ["ada"])
    listed = console.audit.events(kind="audit_list")
    assert listed and listed[-1].actor == "alan" and listed[-1].session == "aud-1"


def test_filters_parse() -> None:
    assert parse_filter("user:ada role:learner since:2026-11-01 ex:hello refusals junk") == {
        "user": "ada", "role": "learner", "since": "2026-11-01", "exercise": "hello",
        "refusals_only": True}
    assert parse_filter("until:2026-11-24")["until"] == "2026-11-24T23:59:59.999999+00:00"
    assert parse_jump("50%", 200) == 100 and parse_jump("1:02:03", 0) == 3723
    assert parse_jump("90s", 0) == 90 and parse_jump("soon", 10) is None


async def test_replay_screen_matches_a_pyte_render_of_the_cast(classroom) -> None:
    data_dir, store = classroom
    cast = (data_dir / "recordings/2026/11/s-ada-1.cast").read_bytes()
    reference = Recording()
    reference.feed(cast)
    console = Console(data_dir, store)
    async with console.app.run_test(size=SMALL) as pilot:
        await console_ready(console, pilot)
        await pilot.press("enter")  # newest first: ada's session is on top? find it
        screen = await replay_ready(pilot, console.app)
        if screen.session_id != "s-ada-1":
            await pilot.press("escape")
            await pilot.press("down", "enter")
            screen = await replay_ready(pilot, console.app)
        assert screen.session_id == "s-ada-1"
        for t in (0.0, 1.5, 4.3, 7.0, 30.0, 60.0, 3.3, 0.5, 12.0):
            screen.seek(t)
            want = render_at(reference, t)
            assert screen.view.lines() == want, t
            await pilot.pause()
            # What is drawn, not only what is emulated: the visible rows of the view.
            view = screen.view
            width = view.scrollable_content_region.width
            sx, sy = view.scroll_offset
            for y in range(min(view.scrollable_content_region.height, len(want) - sy)):
                drawn = view.render_line(y).text
                assert drawn.rstrip() == want[sy + y][sx:sx + width].rstrip(), (t, y)
        # The keys: +10 s, next event, jump to 50 %, play.
        screen.seek(0)
        await pilot.press("right")
        assert abs(screen.player.time - 10) < 1e-6
        assert screen.view.lines() == render_at(reference, 10)
        await pilot.press("g")
        for ch in "50%":
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        assert abs(screen.player.time - reference.duration / 2) < 1e-6
        before = screen.player.time
        await pilot.press("plus", "plus", "space")
        assert screen.playing and screen.speed == 4.0
        await wait_until(pilot, lambda: screen.player.time > before + 0.5)
        await pilot.press("space")
        assert not screen.playing
        await pilot.press("home")
        await pilot.press("n")
        assert screen.player.time == screen.event_times[0] or screen.player.time == min(
            t for t in screen.event_times if t > 0.001)
    kinds = [e.kind for e in console.audit.events() if e.actor == "alan"]
    assert "audit_replay" in kinds and "audit_timeline" in kinds


async def test_timeline_selection_seeks(classroom) -> None:
    data_dir, store = classroom
    console = Console(data_dir, store)
    async with console.app.run_test(size=(120, 40)) as pilot:
        await console_ready(console, pilot)
        ada = next(i for i, s in enumerate(console.app.session_list.sessions)
                   if s["user"] == "ada")
        for _ in range(ada):
            await pilot.press("down")
        await pilot.press("enter")
        screen = await replay_ready(pilot, console.app)
        await pilot.press("tab")
        run = [e["kind"] for e in screen.events].index("run")
        await pilot.press("home")
        for _ in range(run):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.player.time == screen.event_times[run] > 0
        marks = [e["summary"] for e in screen.events if e["kind"] == "mark"]
        assert marks == ["typed-by:mary", "typed-by:ada"]  # the recording's own marks
        # Later events (an auditor who replayed it, days on) seek no further than the end.
        last = len(screen.events) - 1
        for _ in range(last - run):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.player.time == min(screen.event_times[last], screen.recording.duration)


async def test_sec_hostile_recording_and_events_never_reach_the_terminal_raw(classroom) -> None:
    """Escape sequences in the recording and in event fields are emulated or escaped: the
    bytes Textual writes to the auditor's terminal hold no OSC 52, no title, no C1, no bidi."""
    data_dir, store = classroom
    console = Console(data_dir, store)
    async with console.app.run_test(size=(120, 40)) as pilot:
        await console_ready(console, pilot)
        ada = next(i for i, s in enumerate(console.app.session_list.sessions)
                   if s["user"] == "ada")
        for _ in range(ada):
            await pilot.press("down")
        await pilot.press("enter")
        screen = await replay_ready(pilot, console.app, start_at=9999)
        text = "\n".join(screen.view.lines())
        assert "program said:" in text and "done" in text
        await pilot.press("tab")  # the timeline, with the hostile request_denied row
        await pilot.pause()
        # Exactly the bytes Textual would write to the auditor's terminal for this frame.
        update = console.app.screen._compositor.render_full_update()
        output = update.render_segments(console.app.console)
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", output)  # Textual's own cursor/SGR codes
    assert "program said:" in plain and "request_denied" in plain
    for bad in ("\x1b]52", "cm0gLXJmIH4=", "pwned", "\x9b", "\u202e", "\x07"):
        assert bad not in output, repr(bad)
    # The desk audited the replay.
    assert any(e.kind == "audit_replay" and e.detail["target_session"] == "s-ada-1"
               for e in console.audit.events())


async def test_search_finds_typed_and_screen_words_and_opens_the_replay(classroom) -> None:
    data_dir, store = classroom
    console = Console(data_dir, store)
    async with console.app.run_test(size=SMALL) as pilot:
        await console_ready(console, pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(console.app.screen, SearchScreen))
        search = console.app.screen
        for ch in "wombat":  # only ever on the screen, never typed
            await pilot.press(ch)
        await pilot.press("enter")
        await wait_until(pilot, lambda: search.hits)
        assert [(h["session"], h["kind"]) for h in search.hits] == [("s-ada-1", "screen")]
        await pilot.press("enter")
        replay = await replay_ready(pilot, console.app)
        assert any("wombat" in line for line in replay.view.lines())
        await pilot.press("escape")
        await wait_until(pilot, lambda: console.app.screen is search)
        await pilot.press("slash")
        search.query_one("#search-query").value = ""
        for ch in "quokka":  # typed (and shown)
            await pilot.press(ch)
        await pilot.press("enter")
        await wait_until(pilot, lambda: any(h["kind"] == "typed" for h in search.hits))
    searched = [e for e in console.audit.events(kind="audit_search") if e.actor == "alan"]
    assert [e.detail["query"] for e in searched] == ["wombat", "quokka"]


async def test_export_from_the_console_is_written_on_the_server_and_audited(classroom) -> None:
    data_dir, store = classroom
    console = Console(data_dir, store)
    async with console.app.run_test(size=SMALL) as pilot:
        await console_ready(console, pilot)
        await pilot.press("x")
        await wait_until(pilot, lambda: console.audit.events(kind="audit_export"))
    event = console.audit.events(kind="audit_export")[-1]
    assert event.actor == "alan" and event.session == "aud-1"  # who, from which session
    folder = Path(event.detail["folder"])
    assert folder.is_relative_to(data_dir / "exports") and (folder / "manifest.sig").exists()


async def test_sec_auditor_cannot_change_anything(classroom) -> None:
    """Every request that changes something is refused to an auditor, and each refusal is
    reported for the audit log; the desk has no handler that writes to a learner's work."""
    data_dir, store = classroom
    console = Console(data_dir, store)
    before = store.query("SELECT COUNT(*) FROM sessions")[0][0]
    writers = [protocol.Saved(paths=["js/say-hello/index.js"]),
               protocol.Run(course="js", exercise="say-hello"),
               protocol.Check(course="js", exercise="say-hello"),
               protocol.Reset(course="js", exercise="say-hello"),
               protocol.Restore(course="js", exercise="say-hello", version="x"),
               protocol.Git(course="js", exercise="say-hello", op="commit", args={}),
               protocol.Hint(course="js", exercise="say-hello")]
    async with console.app.run_test(size=SMALL) as pilot:
        await console_ready(console, pilot)
        from tui.control import ControlError

        for message in writers:
            with pytest.raises(ControlError):
                await console.app.request(message)
    assert sorted(k for k, _ in console.denied) == sorted(m.TYPE for m in writers)
    assert store.query("SELECT COUNT(*) FROM sessions")[0][0] == before
    handlers = AuditDesk(SimpleNamespace(store=store, audit=console.audit,
                                         config=load_config(None, data_dir), room=None),
                         console.session, store.get_account("alan")).handlers()
    assert {cls.TYPE for cls in handlers} == {"audit_sessions", "audit_events", "audit_recording",
                                              "audit_search", "audit_export", "audit_code"}


async def test_sec_learner_asking_the_audit_desk_is_refused(classroom) -> None:
    data_dir, store = classroom
    console = Console(data_dir, store, user="ada")
    async with console.app.run_test(size=SMALL) as pilot:
        await console.start()
        from tui.control import ControlError

        for message in (protocol.AuditSessions(), protocol.AuditSearch(query="x"),
                        protocol.AuditRecording(session="s-grace-1")):
            with pytest.raises(ControlError):
                await console.app.request(message)
        await pilot.pause()
    kinds = [k for k, _ in console.denied]  # (the app's own list request is refused too)
    assert set(kinds) == {"audit_sessions", "audit_search", "audit_recording"}
    assert console.app.session_list.sessions == []


async def test_code_at_this_moment_comes_from_the_learners_history(tmp_path: Path) -> None:
    """C in the replay shows the files as the learner's history had them at that moment (two
    snapshots a second apart: each moment shows its own), neutralised; the look is audited."""
    import time as _time

    from jail.history import History
    from jail.workspace import Workspace
    from tui.auditor.screens.code_view import CodeScreen

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = Store(data_dir / "slate.db",
                  hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    store.add_account("ada", "learner")
    store.add_account("alan", "auditor")
    rel = "recordings/2026/11/s-code.cast"
    store.start_session("s-code", "ada", recording=rel)
    write_cast(data_dir / rel, [[0.5, "o", "editing"], [4.0, "o", "still editing"]])
    ws_root = tmp_path / "ws"
    (ws_root / "js" / "hello").mkdir(parents=True)
    workspace = Workspace(ws_root)
    history = History(data_dir / "history" / "ada.git")
    workspace.write_atomic("js/hello/index.js", b"console.log('first draft')\n")
    history.snapshot(workspace, ["js/hello/index.js"], "saved index.js")
    _time.sleep(1.1)
    workspace.write_atomic("js/hello/index.js",
                           "console.log('second')\n// \x1b]52;c;QUFB\x07 \u202eevil\n".encode())
    history.snapshot(workspace, ["js/hello/index.js"], "saved index.js")
    versions = history.versions("")
    started = datetime.fromisoformat(store.get_session("s-code").started).timestamp()
    first_t = versions[-1].time - started + 0.2
    second_t = versions[0].time - started + 0.2
    console = Console(data_dir, store)
    try:
        async with console.app.run_test(size=(120, 40)) as pilot:
            await console.start()
            await wait_until(pilot, lambda: console.app.session_list.sessions, timeout=20)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(console.app.screen, ReplayScreen))
            screen = console.app.screen
            await wait_until(pilot, lambda: screen.loaded)
            shown = []
            for t in (first_t, second_t):
                screen.seek(t)
                screen.player.time = t  # the cast is shorter than the wait between snapshots
                await pilot.press("c")
                await wait_until(pilot, lambda: isinstance(console.app.screen, CodeScreen))
                code = console.app.screen
                shown.append("\n".join(str(w.render()) for w in code.query("Static")))
                await pilot.press("escape")
                await wait_until(pilot, lambda: console.app.screen is screen)
        assert "first draft" in shown[0] and "second" not in shown[0]
        assert "second" in shown[1] and "js/hello/index.js" in shown[1]
        assert "\x1b" not in shown[1] and "\u202e" not in shown[1] and "\\x1b]52" in shown[1]
        looks = console.audit.events(kind="audit_code")
        assert [e.detail["version"] for e in looks] == [versions[-1].id, versions[0].id]
        assert not (data_dir / "history" / "alan.git").exists()
    finally:
        store.close()


def test_snippet_keeps_the_match_near_the_start_and_escapes_text() -> None:
    from tui.auditor.screens.search import snippet_text

    lead = "<html lang=\"en\">\\n  <head>\\n    <meta charset=\"utf-8\">\\n  <"
    text = snippet_text([[lead, False], ["Platypus", True],
                         [" notes \x1b]52;c;QUFB\x07", False]])
    plain = text.plain
    assert plain.startswith("…") and plain.index("[Platypus]") < 30
    assert "\x1b" not in plain and "\x07" not in plain
    assert any("reverse" in str(span.style) for span in text.spans)


async def test_live_session_is_followed_as_it_is_recorded(tmp_path: Path) -> None:
    """L on a live session: the replay follows the recording as it grows (new bytes appear on
    the auditor's screen without a key), and the watch is audited as audit_watch_live."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = Store(data_dir / "slate.db",
                  hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    store.add_account("ada", "learner")
    store.add_account("alan", "auditor")
    rel = "recordings/2026/11/s-live.cast"
    store.start_session("s-live", "ada", recording=rel)
    cast = data_dir / rel
    write_cast(cast, [[0.5, "o", "\x1b[1;1Hfirst line"]])
    console = Console(data_dir, store)
    class LiveSession:  # what the desk reads of a running gateway session
        session_id = "s-live"
        bytes_in = 5
        bytes_out = 50

    console.room.sessions.add(LiveSession())
    try:
        async with console.app.run_test(size=(120, 40)) as pilot:
            await console.start()
            await wait_until(pilot, lambda: console.app.session_list.sessions, timeout=20)
            assert console.app.session_list.sessions[0]["live"] is True
            await pilot.press("l")
            await wait_until(pilot, lambda: isinstance(console.app.screen, ReplayScreen))
            screen = console.app.screen
            await wait_until(pilot, lambda: screen.loaded)
            assert screen.following and any("first line" in x for x in screen.view.lines())
            with open(cast, "a") as handle:  # the learner goes on typing
                handle.write(json.dumps([1.5, "o", "\x1b[2;1Hsecond line"]) + "\n")
            await wait_until(pilot, lambda: any("second line" in x
                                                for x in screen.view.lines()), timeout=10)
            assert screen.player.time == screen.recording.duration == 1.5
        watched = console.audit.events(kind="audit_watch_live")
        assert [(e.actor, e.detail["target_session"]) for e in watched] == [("alan", "s-live")]
    finally:
        store.close()
