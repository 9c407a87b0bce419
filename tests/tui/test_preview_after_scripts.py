"""The page preview of a browser exercise shows the page *after its scripts ran* (issue 14: "the
page preview shows the result"), through the real app and the real learner desk: the server runs
the page in a Run sandbox as the learner (never in the TUI), the preview renders what comes back,
and updates when the script is saved. A script that never ends is stopped at its limit and the
saved page is shown with the reason; a page name outside the exercise is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from server import protocol
from server.control import RequestError
from tests.gateway.conftest import reachable_dir
from tests.tui.conftest import WIDE, wait_until
from tests.tui.real_desk import real_classroom
from tui.learner.screens.exercise import ExerciseScreen
from tui.learner.screens.preview import PagePreview

CATALOG = Path(__file__).resolve().parents[2] / "courses" / "catalog"
RENDER = CATALOG / "10-browser" / "07-render-list"


async def test_preview_shows_the_page_after_its_script_ran_and_follows_saves() -> None:
    async with real_classroom(reachable_dir() / "data") as room:
        async with room.app.run_test(size=WIDE) as pilot:
            app = pilot.app
            await wait_until(pilot, lambda: app.map_screen.entries, timeout=30)
            app.open_exercise("browser", "render-list")
            await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen), timeout=30)
            folder = room.workspace / "browser" / "render-list"
            (folder / "script.js").write_text((RENDER / "solution" / "script.js").read_text())
            await pilot.press("alt+p")  # at 120 columns: the preview pane beside the editor
            preview = await _preview(pilot)
            # Rendered by the script from its array: none of it is in index.html.
            assert "Middlemarch" not in (folder / "index.html").read_text()
            await wait_until(pilot, lambda: "Middlemarch by George Eliot" in preview.rendered,
                             timeout=60)  # fmt: skip
            assert "3 books" in preview.rendered
            pages = [e.detail["page"] for e in room.audit.events(kind="page_render")]
            assert pages and set(pages) == {"index.html"}  # each run of learner code on record
            # The learner saves a change to the script: the preview follows.
            script = (folder / "script.js").read_text().replace("renderBooks(shelf);",
                                                                  "renderBooks(shelf.slice(1));")
            (folder / "script.js").write_text(script)
            await wait_until(pilot, lambda: "2 books" in preview.rendered, timeout=60)
            assert "Things Fall Apart" not in preview.rendered


async def test_a_script_that_never_ends_is_stopped_and_the_saved_page_shown() -> None:
    async with real_classroom(reachable_dir() / "data") as room:
        async with room.app.run_test(size=WIDE) as pilot:
            app = pilot.app
            await wait_until(pilot, lambda: app.map_screen.entries, timeout=30)
            app.open_exercise("browser", "render-list")
            await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen), timeout=30)
            folder = room.workspace / "browser" / "render-list"
            (folder / "script.js").write_text("while (true) {}\n")
            await pilot.press("alt+p")
            preview = await _preview(pilot)
            await wait_until(pilot, lambda: "were stopped" in _note(preview), timeout=60)
            assert "never ends" in _note(preview) or "too long" in _note(preview)
            rows = room.audit.events(kind="page_render")
            assert rows and rows[-1].detail["limit"] in ("wall", "cpu")


async def test_sec_only_the_exercises_own_pages_are_rendered() -> None:
    async with real_classroom(reachable_dir() / "data") as room:
        handlers = room.services.handlers_for(
            type("S", (), {"session_id": "s-x", "server": None, "control": None})(), room.account
        )
        render = handlers[protocol.RenderPage]
        await handlers[protocol.OpenExercise](
            protocol.OpenExercise(id=1, course="browser", exercise="render-list")
        )
        for page in ("script.js", "../../etc/passwd", "/etc/passwd", "other.html"):
            with pytest.raises(RequestError):
                await render(protocol.RenderPage(course="browser", exercise="render-list",
                                                 page=page))  # fmt: skip
        assert not room.audit.events(kind="page_render")


async def _preview(pilot) -> PagePreview:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: bool(pilot.app.screen.query(PagePreview)), timeout=30)
    return pilot.app.screen.query_one(PagePreview)


def _note(preview: PagePreview) -> str:
    from textual.widgets import Static

    return str(preview.query_one("#preview-note", Static).render())
