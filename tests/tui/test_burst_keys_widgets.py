"""Keys typed in a burst keep their order on every focusable learner widget, not only the
editor (issue 13, defect 1 follow-up), on a real pty.

The case Textual 8.2.8 gets wrong: a key that only an app or screen binding takes (Shift+Tab
on the reference's list moves the focus back to the search box) bubbles up one queue hop at a
time, while
the keys typed behind it have already been handed to the list, where they are dropped. Typed
slowly, those keys land in the search box. ``tui.widgets.ordered`` gives every focusable learner
widget :class:`tui.widgets.keys_in_order.KeysInOrder`; a Pilot test walks every learner screen
and checks that no focusable widget is left without it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from bench.bench_keystroke import FakeServerThread, PtyApp
from tests.tui.test_burst_keys import CTRL_HOME, MODES, _env

TAB = b"\x1b[Z"  # Shift+Tab: from the list back to the search box (an App binding)
ALT_E = b"\x1be"


@pytest.mark.parametrize("mode", list(MODES))
def test_reference_list_tab_then_text_lands_in_the_search_box(mode: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeServerThread(Path(tmp))
        app = PtyApp([sys.executable, "-m", "tui", "learner"], _env(tmp, fake),
                     pass_fds=(fake.client_fd,))
        try:
            app.wait_for_text("Say hello")
            app.send(b"c")
            app.wait_for_text("step5")
            app.send(CTRL_HOME)
            app.read_until_quiet(quiet=0.3, first=1.0)
            app.send(ALT_E)  # the reference at "function": its entry, the list focused
            app.wait_for_text("Back to the exercise")
            app.read_until_quiet(quiet=0.5, first=1.0)
            MODES[mode](app, [TAB, *[bytes([c]) for c in b" margin"]])
            app.read_until_quiet(quiet=1.0, first=1.0)
            screen = app.text()
            assert "function margin" in screen, screen
        finally:
            app.close()
            fake.close()


def _unordered(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Focusable widgets of the screen shown now that do not keep key order."""
    from tui.widgets.keys_in_order import KeysInOrder

    return sorted(
        f"{type(w).__name__}#{w.id}" for w in app.screen.query("*")
        if w.can_focus and not isinstance(w, KeysInOrder)
    )


async def test_every_focusable_learner_widget_keeps_key_order(fake) -> None:  # type: ignore[no-untyped-def]
    """Each learner screen (course map, exercise with lesson, code and output, history,
    console, reference, preview, Git panel, help, confirm, well done): no focusable widget is
    left to Textual's out-of-order bindings."""
    from tests.tui.conftest import SMALL, learner_app, wait_until
    from tests.tui.test_learner_flow import open_greet
    from tui.learner.screens.confirm import ConfirmScreen
    from tui.learner.screens.passed import PassedScreen

    app = learner_app(fake)
    seen: dict[str, list[str]] = {}
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app.map_screen.entries)
        seen["course map"] = _unordered(app)
        screen = await open_greet(pilot, fake)
        await pilot.press("f4")  # the output pane mounts its log and list
        seen["exercise"] = _unordered(app)
        for key, name in (("f8", "history"), ("alt+t", "console"), ("alt+e", "reference"),
                          ("f1", "help")):
            await pilot.press(key)
            await wait_until(pilot, lambda s=screen: app.screen is not s)
            await pilot.pause(0.2)
            seen[name] = _unordered(app)
            await pilot.press("escape")
            await wait_until(pilot, lambda s=screen: app.screen is s)
        app.push_screen(ConfirmScreen("Really?"))
        await pilot.pause(0.2)
        seen["confirm"] = _unordered(app)
        await pilot.press("n")
        app.push_screen(PassedScreen("sam", "Say hello", ("javascript", "next")))
        await pilot.pause(0.2)
        seen["well done"] = _unordered(app)
    left = {name: found for name, found in seen.items() if found}
    assert not left, "\n".join(f"{name}: {found}" for name, found in left.items())
