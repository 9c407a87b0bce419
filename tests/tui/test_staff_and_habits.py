"""Instructor and auditor apps, and Slate-wide TUI habits (blink off, layering, key ids)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from tests.tui.conftest import SMALL, learner_app, wait_until
from tests.tui.fake_server import FakeServer
from tests.tui.test_learner_flow import open_greet
from tui.control import ControlClient
from tui.learner.screens.course_map import CourseMapScreen
from tui.learner.screens.exercise import ExerciseScreen
from tui.learner.screens.git_panel import GitScreen
from tui.learner.screens.history import HistoryScreen
from tui.session_app import Identity
from tui.staff.app import StaffApp

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("role", ["instructor", "admin"])
async def test_staff_app_shows_identity_and_quits_cleanly(fake: FakeServer, role: str) -> None:
    from tui.instructor.screens.roster import RosterScreen

    fake.user, fake.role = "robin", role
    app = StaffApp(ControlClient(fake.client_sock), Identity("robin", role, "s-1"))
    async with app.run_test(size=SMALL) as pilot:
        await fake.wait_for("hello")
        await wait_until(pilot, lambda: app.server_info)
        assert app.sub_title == f"signed in as robin ({role})"
        assert isinstance(app.screen, RosterScreen)  # the instructor console (tui/instructor)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)
    assert await asyncio_wait(fake.closed)


async def asyncio_wait(event) -> bool:  # type: ignore[no-untyped-def]
    import asyncio

    await asyncio.wait_for(event.wait(), 5)
    return True


def test_identity_from_env_is_made_safe() -> None:
    env = {"SLATE_USER": "eve\x1b]0;owned\x07", "SLATE_SESSION": "s"}
    ident = Identity.from_env("learner", env)
    assert "\x1b" not in ident.user and "\x07" not in ident.user
    assert ident.header_text().startswith("signed in as eve")


async def test_cursor_blink_is_off_in_every_text_widget(fake: FakeServer) -> None:
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        await open_greet(pilot, fake)
        await wait_until(pilot, lambda: fake.of_type("exercise"))
        app.open_exercise("git", "first-commit")
        await wait_until(pilot, lambda: isinstance(app.screen, ExerciseScreen)
                         and app.screen.detail.course == "git")
        await pilot.press("alt+g")
        await wait_until(pilot, lambda: isinstance(app.screen, GitScreen))
        widgets = list(app.screen.query(Input)) + list(app.screen_stack[-2].query(TextArea))
        assert widgets
        assert all(not w.cursor_blink for w in widgets)


def test_every_binding_has_an_id() -> None:
    from tui.learner.app import LearnerApp
    from tui.learner.screens.confirm import ConfirmScreen
    from tui.learner.screens.help import HelpScreen
    from tui.learner.screens.passed import PassedScreen
    from tui.staff.app import IdentityScreen

    for owner in (LearnerApp, StaffApp, CourseMapScreen, ExerciseScreen, HistoryScreen,
                  GitScreen, ConfirmScreen, HelpScreen, PassedScreen, IdentityScreen):
        for binding in owner.BINDINGS:
            assert binding.id, f"{owner.__name__}: {binding.key} has no id"


def test_tui_imports_only_what_it_may() -> None:
    code = (
        "import importlib, json, pkgutil, sys\n"
        "import tui\n"
        "for info in pkgutil.walk_packages(tui.__path__, 'tui.'):\n"
        "    if info.name != 'tui.__main__':\n"
        "        importlib.import_module(info.name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    loaded = set(json.loads(out.stdout))
    server = {m for m in loaded if m == "server" or m.startswith("server.")}
    assert server <= {"server", "server.protocol"}
    assert not any(m == "asyncssh" or m.startswith("asyncssh.") for m in loaded)
    ours = {m.split(".")[0] for m in loaded} & {"jail", "courses"}
    assert ours <= {"jail", "courses"}


async def test_links_never_start_a_browser(fake: FakeServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: pytest.fail("browser started"))
    app = learner_app(fake)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app.map_screen.entries)
        app.open_url("https://example.com/[x]")
        await wait_until(pilot, lambda: app._notifications)
        assert "do not open in this classroom" in list(app._notifications)[-1].message
