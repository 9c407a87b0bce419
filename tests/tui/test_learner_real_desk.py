"""The learner's loop through the real app *and* the real server-side desk (no fake): open an
exercise of the real catalog, fail a Check, fix it, pass it; the hint ladder; history from the
real pygit2 repository; a request the learner role has no handler for is refused."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from server import protocol
from tests.gateway.conftest import reachable_dir
from tests.tui.conftest import SMALL, wait_until
from tests.tui.real_desk import real_classroom
from tui.learner.screens.exercise import ExerciseScreen
from tui.learner.screens.history import HistoryScreen
from tui.learner.screens.passed import PassedScreen
from tui.widgets.output import OutputPane

CATALOG = Path(__file__).resolve().parents[2] / "courses" / "catalog"
FIRST = CATALOG / "01-html" / "01-first-page"


async def open_first_page(pilot) -> ExerciseScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: app.map_screen.entries, timeout=30)
    app.open_exercise("html", "first-page")
    await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen), timeout=30)
    return app.screen


async def test_real_desk_check_fails_then_passes_and_records_progress() -> None:
    async with real_classroom(reachable_dir() / "data") as room:
        async with room.app.run_test(size=SMALL) as pilot:
            screen = await open_first_page(pilot)
            starter = (FIRST / "starter" / "index.html").read_text()
            assert screen.current_editor().text == starter
            assert (room.workspace / "html" / "first-page" / "index.html").read_text() == starter

            await pilot.press("f6")  # the real html check on the starter: fails
            await wait_until(pilot, lambda: screen.query_one(OutputPane).results, timeout=60)
            statuses = [t["status"] for t in screen.query_one(OutputPane).results]
            assert "failed" in statuses

            editor = screen.current_editor()
            editor.load_text((FIRST / "solution" / "index.html").read_text())
            await pilot.press("alt+c")  # Check saves first, then passes
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, PassedScreen), timeout=60)
            progress = room.store.progress("sam")["html"]["first-page"]
            assert progress["state"] == "passed" and progress["attempts"] == 2
            saved = (room.workspace / "html" / "first-page" / "index.html").read_text()
            assert saved == (FIRST / "solution" / "index.html").read_text()
            assert [e.detail["status"] for e in room.audit.events(kind="check")] == [
                "failed", "passed"
            ]


async def test_real_desk_hints_come_from_the_exercise_one_at_a_time() -> None:
    import tomllib

    hints = tomllib.loads((FIRST / "exercise.toml").read_text())["hints"]
    async with real_classroom(reachable_dir() / "data") as room:
        async with room.app.run_test(size=SMALL) as pilot:
            screen = await open_first_page(pilot)
            box = screen.query_one("#hints", Static)
            for number in (1, 2):
                await pilot.press("f7")
                await wait_until(pilot, lambda n=number: len(screen.detail.hints) == n, timeout=30)
                assert f"Hint {number}:" in str(box.render())
            assert screen.detail.hints[:2] == hints[:2]
            assert room.store.progress("sam")["html"]["first-page"]["hints_revealed"] == 2


async def test_real_desk_history_lists_real_snapshots() -> None:
    async with real_classroom(reachable_dir() / "data") as room:
        async with room.app.run_test(size=SMALL) as pilot:
            screen = await open_first_page(pilot)
            editor = screen.current_editor()
            editor.load_text(editor.text.replace("<title></title>", "<title>Mine</title>"))
            await screen.save_all()
            await pilot.press("f8")
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen), timeout=30)
            history = pilot.app.screen
            await wait_until(pilot, lambda: history.versions, timeout=30)
            assert len(history.versions) >= 2  # the start, and the save
            files = room.services.history(room.account).versions("html/first-page")
            assert [v.id for v in files][: len(history.versions)] == [
                v["id"] for v in history.versions
            ]


async def test_a_request_the_learner_role_has_no_handler_for_is_refused_by_the_real_door() -> None:
    async with real_classroom(reachable_dir() / "data") as room:
        async with room.app.run_test(size=SMALL) as pilot:
            await wait_until(pilot, lambda: room.app.map_screen.entries, timeout=30)
            reply = None
            try:
                reply = await room.app.request(protocol.AuditSessions())
            except Exception as exc:  # ControlError with the server's plain words
                assert "not available" in str(exc)
            assert reply is None
            assert ("audit_sessions", "request not allowed for this role") in room.denied


async def test_real_desk_history_entries_say_lines_changed_and_the_check_result() -> None:
    """Issue 13: each entry says what changed (+N/-M lines, which file) and how the check of
    that content went; before, every entry read "save (index.html)"."""
    async with real_classroom(reachable_dir() / "data") as room:
        async with room.app.run_test(size=SMALL) as pilot:
            screen = await open_first_page(pilot)
            await pilot.press("f6")  # the real check of the starter: fails
            await wait_until(pilot, lambda: screen.query_one(OutputPane).results, timeout=60)
            editor = screen.current_editor()
            editor.load_text(editor.text.replace("<title></title>", "<title>Mine</title>\n"))
            await screen.save_all()
            await pilot.press("f8")
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen), timeout=30)
            history = pilot.app.screen
            await wait_until(pilot, lambda: len(history.versions) >= 2, timeout=30)
            saved, started = history.versions[0], history.versions[-1]
            assert (saved["added"], saved["removed"]) == (2, 1)
            assert saved["check"] == ""  # this content was never checked
            assert started["check"].endswith("tests pass")  # the starter was: it failed
            listing = history.query_one("#versions")
            entries = [str(listing.get_option_at_index(i).prompt)
                       for i in range(listing.option_count)]
            assert "You saved\n  index.html: +2/-1 lines" in entries[0]
            assert "check: " in entries[-1] and "tests pass" in entries[-1]
