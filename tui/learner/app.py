"""The learner app: from the course map to an exercise and back, over the control channel.

Owns the learner's navigation (map → exercise → next exercise), reading exercise files from the
workspace when an exercise opens, and "save everything" for quit, shutdown and a lost connection
(invariant 4: nothing the learner typed is lost beyond the last autosave interval).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding

from server import protocol
from tui.control import ControlClient, ControlError
from tui.course_view import ReplyProblem, parse_course_map, parse_exercise
from tui.learner.screens.course_map import CourseMapScreen
from tui.learner.screens.help import HelpScreen
from tui.messages import ExerciseChosen
from tui.session_app import Identity, SessionApp
from tui.widgets.classroom_banner import ClassroomAware
from tui.widgets.key_bar import grouped_keys
from tui.workspace_files import FileProblem, read_text, workspace_root

if TYPE_CHECKING:
    from tui.learner.screens.exercise import ExerciseScreen


class LearnerApp(ClassroomAware):  # the live class: hand, pairing, lock, "watched by"
    """The app a learner sees after ``ssh learner@classroom``.

    Args:
        client: the control-channel client.
        identity: who is signed in.
        workspace: the workspace folder (default: ``SLATE_WORKSPACE`` or ``/workspace``).
    """

    CSS_PATH = "learner.tcss"
    BINDINGS = [
        *SessionApp.BINDINGS,
        Binding("f1,alt+k", "help", "All keys", id="app.help", show=False),
    ]

    def __init__(
        self, client: ControlClient | None, identity: Identity, workspace: Path | None = None
    ) -> None:
        super().__init__(client, identity)
        self.workspace = workspace if workspace is not None else workspace_root()
        self.map_screen = CourseMapScreen()

    async def session_started(self) -> None:
        """Show the course map and load it."""
        await self.push_screen(self.map_screen)
        self.load_course_map()

    @work(exclusive=True, group="course-map", description="load the course map")
    async def load_course_map(self) -> None:
        """Ask the server for the course map and show it."""
        try:
            reply = await self.request(protocol.CourseMap())
            course_map = parse_course_map(reply.to_wire())
        except (ControlError, ReplyProblem) as exc:
            self.map_screen.show_problem(str(exc))
            return
        self.map_screen.show_map(course_map)

    async def show_course_map(self) -> None:
        """Close the exercise (already saved) and show the refreshed course map."""
        while self.screen is not self.map_screen and len(self.screen_stack) > 1:
            await self.pop_screen()
        self.load_course_map()

    def exercise_screen(self) -> ExerciseScreen | None:
        """The open exercise, if any (even under a modal)."""
        # Imported on first use: the editor, highlighting and Markdown are not needed to draw
        # the course map, and the first frame is what a learner waits for after logging in.
        from tui.learner.screens.exercise import ExerciseScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, ExerciseScreen):
                return screen
        return None

    @on(ExerciseChosen)
    def _chosen(self, event: ExerciseChosen) -> None:
        self.open_exercise(event.course, event.exercise)

    @work(exclusive=True, group="open-exercise", description="open an exercise")
    async def open_exercise(self, course: str, exercise: str) -> None:
        """Save the open exercise, fetch the chosen one and show it."""
        current = self.exercise_screen()
        if current is not None:
            await current.save_all()
        try:
            reply = await self.request(protocol.OpenExercise(course=course, exercise=exercise))
            detail = parse_exercise(reply.to_wire())
        except (ControlError, ReplyProblem) as exc:
            self.notify(str(exc), title="Cannot open the exercise", severity="error")
            return
        texts: dict[str, str] = {}
        unreadable: dict[str, str] = {}
        for name in detail.files + detail.readonly:
            try:
                texts[name] = read_text(self.workspace, detail.path_of(name))
            except FileProblem as exc:
                # Shown read-only: an empty editor autosaved over the real file would lose it.
                unreadable[name] = str(exc)
                self.notify(str(exc), title="File problem", severity="warning")
        while self.screen is not self.map_screen and len(self.screen_stack) > 1:
            await self.pop_screen()
        from tui.learner.screens.exercise import ExerciseScreen

        # The server marks an exercise started as it opens it: the map still knows if this is
        # the first time (then the lesson comes first).
        entry = self.map_screen.entries.get(f"{course}/{exercise}")
        first_time = entry is not None and entry.state == "not_started"
        await self.push_screen(ExerciseScreen(detail, texts, unreadable, first_time=first_time))

    async def save_everything(self) -> None:
        """Save every open file (quit, shutdown, lost connection)."""
        screen = self.exercise_screen()
        if screen is not None:
            await screen.save_all(tell_server=self.offline_reason is None)

    def save_locally(self) -> None:
        """Write every unsaved file now (signal handler: no awaiting, no server)."""
        screen = self.exercise_screen()
        if screen is not None:
            screen.write_dirty_files()

    def action_help(self) -> None:
        """Show every key of the current screen."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        # The screen's own list when it has one, so F1 and the key bar always agree.
        help_bindings = getattr(screen, "help_bindings", None)
        bindings = help_bindings() if help_bindings else list(getattr(screen, "BINDINGS", []))
        keys = grouped_keys(screen, [b for b in bindings if isinstance(b, Binding)])
        self.push_screen(HelpScreen(keys, with_editor=self.exercise_screen() is screen))
