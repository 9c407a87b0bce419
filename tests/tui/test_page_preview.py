"""Page preview (issue 13, tool 2): the learner's saved HTML page rendered as text the way a
text browser shows it — headings, lists, numbered links with their addresses, tables, form
fields, alt text — re-rendered when the file is saved, untrusted text made visible. The real
learner app with a fake server, plus SVG snapshots at 80x24 and 120x40."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import SMALL, WIDE, wait_until
from tests.tui.fake_server import FakeServer
from tui.control import ControlClient
from tui.learner.app import LearnerApp
from tui.learner.screens.exercise import ExerciseScreen
from tui.learner.screens.preview import PagePreview, PreviewScreen, render_page
from tui.session_app import Identity

PAGE = """<!doctype html>
<html><head><title>About me</title><style>h1 { color: red }</style>
<script>document.write('never shown')</script></head>
<body>
<h1>About me</h1>
<p>I like <a href="cats.html">cats</a> and <a href="https://example.org/">maps</a>.</p>
<h2>Things I made</h2>
<ul><li>A bird box</li><li>A bench</li></ul>
<table><tr><th>Day</th><th>Hours</th></tr><tr><td>Monday</td><td>2</td></tr></table>
<img src="me.png" alt="A photo of me"><img src="line.png">
<form>
<label>Name <input name="name" placeholder="Your name"></label>
<input type="checkbox"> Send me news
<select><option>Red</option><option>Blue</option></select>
<button>Send</button>
</form>
</body></html>
"""


def test_render_page_like_a_text_browser() -> None:
    text = render_page(PAGE, 76)
    assert "# About me" in text and "## Things I made" in text
    assert "* A bird box" in text and "* A bench" in text
    # Links are numbered, their addresses listed below.
    assert "[cats][1]" in text and "[maps][2]" in text
    assert "[1]: cats.html" in text and "[2]: https://example.org/" in text
    assert "| Day" in text and "| Monday" in text
    assert "[image: A photo of me]" in text and "[image without alt text]" in text
    assert "[Your\u00a0name" in text and "[ ]" in text and "[\u00a0Red\u00a0v]" in text
    assert "[\u00a0Send\u00a0]" in text
    assert "Blue" not in text  # a closed select shows its first option only
    assert "never shown" not in text and "color: red" not in text


def _app(tmp_path: Path) -> tuple[LearnerApp, FakeServer]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    fake = FakeServer(workspace)
    fake.state[("html", "first-page")] = "in_progress"
    folder = workspace / "html" / "first-page"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(PAGE)
    client = ControlClient(fake.make_sockets(), timeout=5)
    return LearnerApp(client, Identity("sam", "learner", "s-test"), workspace=workspace), fake


def shown_preview(app: LearnerApp) -> PagePreview | None:
    """The preview on screen: its own screen below 120 columns, a pane beside the editor from
    120 columns."""
    if isinstance(app.screen, PreviewScreen):
        return app.screen.preview
    found = app.screen.query("#preview-pane")
    return found.first(PagePreview) if found else None


async def _open_preview(pilot, fake: FakeServer, key: str = "alt+p") -> PagePreview:  # type: ignore[no-untyped-def]
    app = pilot.app
    await fake.start()
    await wait_until(pilot, lambda: app.map_screen.entries)
    app.open_exercise("html", "first-page")
    await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
    await pilot.press(key)
    await wait_until(pilot, lambda: (shown := shown_preview(app)) is not None
                     and "About me" in shown.rendered)
    preview = shown_preview(app)
    assert preview is not None
    return preview


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
async def test_preview_shows_the_saved_page_and_follows_saves(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    app, fake = _app(tmp_path)
    async with app.run_test(size=size) as pilot:
        exercise_screen = None

        async def before_preview() -> None:
            nonlocal exercise_screen
            await fake.start()
            await wait_until(pilot, lambda: app.map_screen.entries)
            app.open_exercise("html", "first-page")
            await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
            exercise_screen = app.screen

        await before_preview()
        assert isinstance(exercise_screen, ExerciseScreen)
        # Typed but not yet saved: opening the preview saves first, so it shows the edit.
        editor = exercise_screen.current_editor()
        editor.move_cursor((5, 0))
        await pilot.press(*"<p>typed just now</p>", "enter")
        await pilot.press("f14")  # Shift+F2 on xterm and the Linux console
        await wait_until(pilot, lambda: (shown := shown_preview(app)) is not None
                         and "typed just now" in shown.rendered)
        screen = shown_preview(app)
        assert screen is not None
        wide = size == WIDE
        # from 120 columns a pane beside the editor (the lesson's place); below, a screen
        assert isinstance(app.screen, ExerciseScreen if wide else PreviewScreen)
        assert "[1]: cats.html" in screen.rendered
        # Saved again from elsewhere (the console, a restore): the preview follows.
        page = fake.folder(("html", "first-page")) / "index.html"
        page.write_text(PAGE.replace("About me", "All about me") + "<p>\x1b]52;c;ZXZpbA==\x07"
                        "\u202eevil</p>\n")
        await wait_until(pilot, lambda: "All about me" in screen.rendered, timeout=8)
        assert "\x1b" not in screen.rendered and "\u202e" not in screen.rendered
        assert "\x07" not in screen.rendered
        if not wide:
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen))
            return
        editor = exercise_screen.current_editor()
        assert editor.has_focus  # typing goes on beside the preview
        assert screen.region.right <= editor.region.x  # side by side, preview on the left
        assert screen.region.width >= 60 and editor.region.width >= 50
        assert not exercise_screen.query_one("#lesson-pane").display
        await pilot.press(*"<p>and more</p>", "ctrl+s")
        await wait_until(pilot, lambda: "and more" in screen.rendered, timeout=8)
        await pilot.press("f14")  # the key again closes it: the lesson is back
        await wait_until(pilot, lambda: shown_preview(app) is None)
        assert exercise_screen.query_one("#lesson-pane").display


async def test_preview_pane_gives_way_to_a_screen_below_120_columns(tmp_path: Path) -> None:
    app, fake = _app(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await _open_preview(pilot, fake)
        exercise_screen = app.screen
        assert isinstance(exercise_screen, ExerciseScreen)
        await pilot.resize_terminal(*SMALL)
        await wait_until(pilot, lambda: not exercise_screen.query("#preview-pane"))
        await pilot.press("alt+p")
        await wait_until(pilot, lambda: isinstance(app.screen, PreviewScreen))


async def test_preview_of_a_missing_page_says_so(tmp_path: Path) -> None:
    app, fake = _app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open_preview(pilot, fake)
        (fake.folder(("html", "first-page")) / "index.html").unlink()
        await wait_until(pilot, lambda: "cannot show this page" in screen.rendered, timeout=8)


def _preview_ready(fake: FakeServer):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_preview(pilot, fake)

    return run_before


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "120x40"])
def test_preview_snapshot(snap_compare, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    """The page preview. 80x24: its own screen; 120x40: a pane titled "Preview: index.html"
    on the left, beside "Your code" and "Output" (the lesson's place). A reviewer should see:
    the header or pane title "Preview: index.html"; a sentence
    saying links are numbered and it changes on save; in a bordered box "# About me", the
    paragraph with "[cats][1]" and "[maps][2]", "## Things I made" with two "*" items, a
    table with Day/Hours and Monday/2, "[image: A photo of me]", and (scrolling, at 120x40
    visible) the form as "[Your name____]", "[ ]", "[ Red v]", "[ Send ]" and the numbered
    link addresses; the key bar with Esc and F1/Alt+K."""
    app, fake = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_preview_ready(fake))
