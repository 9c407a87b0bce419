"""The course map: every stage, course and exercise in programme order, with the learner's state.

Owns choosing what to work on: arrows + Enter open an exercise, one key ("C") continues where the
learner left off. States are shown as text marks (``[ ]`` not started, ``[~]`` started, ``[x]``
done) so they read the same without colour. Each stage line says how much of it is done; after
the course that closes a milestone comes the milestone's line (``[ ]`` not reached, ``[!]`` ready
for sign-off, ``[*]`` signed off by whom and when), updated when an instructor signs it off.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from tui.course_view import CourseMap, ExerciseEntry
from tui.messages import ExerciseChosen, MilestoneChanged
from tui.safe_text import visible
from tui.widgets.key_bar import KeyBar
from tui.widgets.ordered import OrderedOptionList

INTRO = (
    "Choose an exercise: move with the Up and Down arrow keys, then press Enter to open it. "
    "Press C to continue where you left off."
)


class CourseMapScreen(Screen[None]):
    """The list of courses and exercises."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="map.open", show=True),
        Binding("c", "continue", "Continue", id="map.continue"),
        Binding("f1,alt+k", "app.help", "All keys", id="map.help"),
        Binding("ctrl+q", "app.quit", "Quit", id="map.quit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="course-map")
        self.course_map: CourseMap | None = None
        self.entries: dict[str, ExerciseEntry] = {}
        self._chosen: str | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static(INTRO, id="map-intro", markup=False)
        yield Static("Loading your courses…", id="map-status", markup=False)
        yield OrderedOptionList(id="map-list")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        """List the keys."""
        self.query_one(KeyBar).show_screen(self, self.BINDINGS)

    def show_map(self, course_map: CourseMap) -> None:
        """Fill the list from a course map (keeps the highlighted exercise if it is still there)."""
        self.course_map = course_map
        options: list[Option] = []
        self.entries = {}
        for stage in course_map.stages:
            options.append(Option(Text(stage.heading(), style="bold"), disabled=True))
            for course in stage.courses:
                heading = Text(f"  {course.title}", style="underline")
                heading.append(f"  ({course.done} of {len(course.exercises)} done)")
                options.append(Option(heading, disabled=True))
                for entry in course.exercises:
                    key = f"{entry.course}/{entry.id}"
                    self.entries[key] = entry
                    options.append(Option(self._prompt(entry, False), id=key))
                milestone = stage.milestone_after(course.id)
                if milestone is not None:
                    style = "bold" if milestone.state != "not_reached" else ""
                    text = Text(f"  {milestone.line()}\n", style=style)
                    text.append(f"      {milestone.where()}")
                    options.append(Option(text, disabled=True, id=f"milestone:{milestone.id}"))
        listing = self.query_one("#map-list", OptionList)
        previous = listing.highlighted_option.id if listing.highlighted_option else None
        listing.clear_options()
        self._chosen = None
        listing.add_options(options)
        target = previous if previous in self.entries else None
        if target is None:
            nxt = course_map.continue_target()
            target = f"{nxt.course}/{nxt.id}" if nxt else None
        if target is not None:
            listing.highlighted = listing.get_option_index(target)
        done = sum(e.state == "passed" for e in self.entries.values())
        status = f"You have finished {done} of {len(self.entries)} exercises."
        if not self.entries:
            status = "There are no courses yet. Please tell your instructor."
        self.query_one("#map-status", Static).update(status)
        listing.focus()

    @staticmethod
    def _prompt(entry: ExerciseEntry, chosen: bool) -> Text:
        # A ">" beside the chosen line: visible on a monochrome terminal, where colour is not.
        return Text(f"  {'>' if chosen else ' '} {entry.line()}")

    @on(OptionList.OptionHighlighted, "#map-list")
    def _mark_chosen(self, event: OptionList.OptionHighlighted) -> None:
        listing = self.query_one("#map-list", OptionList)
        previous, self._chosen = self._chosen, event.option.id
        for key, chosen in ((previous, False), (self._chosen, True)):
            if key in self.entries:
                listing.replace_option_prompt(key, self._prompt(self.entries[key], chosen))

    @on(MilestoneChanged)
    def _milestone_changed(self, event: MilestoneChanged) -> None:
        """An instructor signed off a milestone (or took it back): say so, and redraw the map
        if it is on screen (otherwise it is reloaded when the learner comes back to it)."""
        push = event.push
        title = visible(push.title, keep_newlines=False)
        by = visible(push.by, keep_newlines=False)
        if push.state == "signed":
            self.app.notify(f"{by} signed off your milestone: {title}.",
                            title="Milestone signed off", timeout=12)
        else:
            self.app.notify(f"{by} took back the sign-off of {title}. Ask them why.",
                            title="Milestone", severity="warning", timeout=12)
        if self.app.screen is self:
            loader = getattr(self.app, "load_course_map", None)
            if loader is not None:
                loader()

    def show_problem(self, text: str) -> None:
        """Say why the map could not be shown."""
        self.query_one("#map-status", Static).update(text)

    @on(OptionList.OptionSelected, "#map-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def action_open(self) -> None:
        """Open the highlighted exercise."""
        option = self.query_one("#map-list", OptionList).highlighted_option
        self._open(option.id if option else None)

    def action_continue(self) -> None:
        """Open the exercise to continue with."""
        if self.course_map is None:
            return
        entry = self.course_map.continue_target()
        if entry is not None:
            self._open(f"{entry.course}/{entry.id}")

    def _open(self, key: str | None) -> None:
        entry = self.entries.get(key or "")
        if entry is not None:
            self.post_message(ExerciseChosen(entry.course, entry.id))
