"""The exercise screen: lesson, editor and output, and every action of the learning loop.

Owns the loop for one exercise: edit (with autosave a few seconds after typing stops), run
(output streamed live, Stop key), check (results as a PASS/FAIL list; a pass brings a warm word and
the next exercise one key away), hints one at a time, history and reset, and the Git panel for the
git course. Layout: below ``WIDE`` columns one pane shows at a time (F2/F3/F4 or Alt+1/2/3 switch);
from ``WIDE`` columns the three stand side by side.

Invariant kept (ARCHITECTURE invariant 4): every file is saved to disk before any run, check,
hint, history view, exercise switch, quit or shutdown, and after every save the server is told
(``saved``) so it snapshots history; when the server cannot be reached, files are still saved
locally and the learner is told so.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Header, Markdown, Static, Tab, Tabs

from server import protocol
from tui import messages
from tui.control import ControlError, ControlLost
from tui.course_view import ExerciseDetail
from tui.learner.screens.passed import PassedScreen
from tui.messages import ExerciseChosen
from tui.widgets.editor import SlateEditor
from tui.widgets.key_bar import KeyBar
from tui.widgets.ordered import OrderedScroll, OrderedTabs
from tui.widgets.output import OutputPane
from tui.widgets.row_compositor import RowCompositor
from tui.workspace_files import FileProblem, write_atomic

if TYPE_CHECKING:
    from tui.learner.app import LearnerApp

WIDE = 120
"""From this many columns the three panes stand side by side."""

AUTOSAVE_SECONDS = 1.5
"""Save this long after the last keystroke (the promise is "on disk within 2 s")."""

PANES = ("lesson", "editor", "output")


def _says_what_you_learn(lesson: str) -> bool:
    """The lesson has its own "What you will learn" part (then the summary line is not shown:
    once is enough)."""
    return any(
        line.lstrip("# ").strip().lower().startswith("what you will learn")
        for line in lesson.splitlines()
        if line.startswith("#")
    )
PANE_TITLES = {"lesson": "Lesson", "editor": "Your code", "output": "Output"}


class ExerciseScreen(Screen[None]):
    """One exercise: lesson, editor (a tab per file) and output.

    Args:
        detail: the exercise as the server described it.
        texts: file name -> current content (read from the workspace).
        unreadable: file name -> why it could not be read; shown read-only, never saved over.
        first_time: the learner has never opened this exercise (the lesson is shown first).
    """

    # priority: the editor has its own F6/F7 (select line / select all) and must not win.
    BINDINGS = [
        Binding("f2,alt+1", "show_pane('lesson')", "Lesson", id="exercise.lesson", priority=True),
        Binding("f3,alt+2", "show_pane('editor')", "Code", id="exercise.editor", priority=True),
        Binding("f4,alt+3", "show_pane('output')", "Output", id="exercise.output", priority=True),
        Binding("f5,alt+r", "run", "Run", id="exercise.run", priority=True),
        Binding("f6,alt+c", "check", "Check", id="exercise.check", priority=True),
        Binding("f7,alt+h", "hint", "Hint", id="exercise.hint", priority=True),
        Binding("f8,alt+y", "history", "History", id="exercise.history", priority=True),
        Binding("f9,alt+s", "stop", "Stop", id="exercise.stop", show=False, priority=True),
        Binding("alt+n", "next_file", "Next file", id="exercise.next_file", priority=True),
        Binding("alt+g", "git", "Git", id="exercise.git", priority=True),
        Binding("shift+f1,f13,alt+t", "console", "Console", id="exercise.console", priority=True),
        Binding("shift+f2,f14,alt+p", "preview", "Preview", id="exercise.preview", priority=True),
        Binding(
            "shift+f4,alt+e", "reference", "Reference", id="exercise.reference", priority=True
        ),
        Binding("ctrl+s", "save", "Save", id="exercise.save", priority=True),
        Binding("f12,alt+m", "course_map", "Courses", id="exercise.map", priority=True),
        Binding("f1,alt+k", "app.help", "All keys", id="exercise.help", priority=True),
        Binding("ctrl+q", "app.quit", "Quit", id="exercise.quit", show=False, priority=True),
    ]

    def __init__(
        self,
        detail: ExerciseDetail,
        texts: dict[str, str],
        unreadable: dict[str, str] | None = None,
        first_time: bool = False,
    ) -> None:
        super().__init__(id="exercise")
        # A key redraws the rows it changed, not every widget's every line (row_compositor.py).
        self._compositor = RowCompositor()
        self.first_time = first_time
        self.detail = detail
        self.texts = texts
        self.unreadable = unreadable or {}
        self.pane = "editor"
        self.run_id: Any = None
        self.run_request: int | None = None
        self.running: str | None = None  # "run" | "check" while waiting for the result
        self._autosave: Timer | None = None
        self._last_edit = 0.0
        self._passed_before = False
        self._saved_mark: str | None = None
        self._editors: list[SlateEditor] = []  # made once, in compose (a query per key cost ~1 ms)

    @property
    def slate(self) -> LearnerApp:
        """The learner app (typed)."""
        return self.app  # type: ignore[return-value]

    @property
    def is_git_course(self) -> bool:
        """The Git panel is offered in the git course only."""
        return self.detail.course == "git"

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        d = self.detail
        yield Header(show_clock=False, icon="")
        yield Static("", id="offline", markup=False)
        with Horizontal(id="panes"):
            with OrderedScroll(id="lesson-pane", classes="pane"):
                if not d.lesson.lstrip().startswith("# "):  # the lesson has its own title
                    yield Static(d.title, id="lesson-title", markup=False)
                if d.learn and d.learn not in d.lesson and not _says_what_you_learn(d.lesson):
                    yield Static(d.learn, id="lesson-learn", markup=False)
                yield Markdown(d.lesson or "There is no lesson text for this exercise.",
                               id="lesson")
                yield Static(self._hint_text(), id="hints", markup=False)
            with Vertical(id="work-column"):
                with Vertical(id="editor-pane", classes="pane"):
                    with Horizontal(id="editor-top"):
                        tabs = [Tab(Text(self._tab_label(n)), id=self._tab_id(n))
                                for n in self.names]
                        yield OrderedTabs(*tabs, id="file-tabs")
                        yield Static("Saved", id="save-mark", markup=False)
                    with ContentSwitcher(id="editors", initial=self._editor_id(self.names[0])):
                        for name in self.names:
                            problem = self.unreadable.get(name)
                            editor = SlateEditor(
                                name,
                                self.texts.get(name, "") if problem is None else (
                                    f"Slate cannot show this file.\n\n{problem}\n\n"
                                    "Please tell your instructor."
                                ),
                                read_only=name in d.readonly or problem is not None,
                                id=self._editor_id(name),
                            )
                            editor.on_change = self._typed
                            yield editor
                yield OutputPane(id="output-pane", classes="pane")
        yield KeyBar(id="keys")

    @property
    def names(self) -> list[str]:
        """The exercise's files: editable ones first, then read-only ones."""
        return self.detail.files + self.detail.readonly

    @staticmethod
    def _safe_id(name: str) -> str:
        return "".join(c if c.isalnum() else "-" for c in name) + f"-{zlib.crc32(name.encode())}"

    def _editor_id(self, name: str) -> str:
        return "edit-" + self._safe_id(name)

    def _tab_id(self, name: str) -> str:
        return "tab-" + self._safe_id(name)

    def _tab_label(self, name: str) -> str:
        if name in self.unreadable:
            return f"{name} (cannot open)"
        return f"{name} (read only)" if name in self.detail.readonly else name

    def on_mount(self) -> None:
        """Title the panes, list the keys, pick the layout and put the cursor in the editor."""
        titles = {
            "lesson-pane": "Lesson  F2/Alt+1",
            "editor-pane": "Your code  F3/Alt+2",
            "output-pane": "Output  F4/Alt+3",
        }
        for pane_id, title in titles.items():
            self.query_one(f"#{pane_id}").border_title = title
        if len(self.names) > 1:
            self.query_one("#editor-pane").border_title = "Your code  F3/Alt+2  (Alt+N: next file)"
        # Said elsewhere: Alt+N in the pane title, Ctrl+S with the editor's keys (F1).
        hidden = ("exercise.next_file", "exercise.save")
        self.query_one(KeyBar).show_screen(
            self, [b for b in self.help_bindings() if b.id not in hidden]
        )
        self.query_one("#offline").display = False
        self._apply_layout(self.app.size.width)
        if self.slate.offline_reason:
            self.show_offline(self.slate.offline_reason)
        # The first time, the lesson comes first (side by side from WIDE columns anyway).
        lesson_first = self.first_time and self.app.size.width < WIDE
        self.action_show_pane("lesson" if lesson_first else "editor")

    def help_bindings(self) -> list[Binding]:
        """The keys that work on this exercise (the key bar and F1 both list these): no Run or
        Stop where there is nothing to run, no Git outside the git course, no Next file for a
        single file."""
        shown = [
            b for b in self.BINDINGS
            if isinstance(b, Binding) and (b.id != "exercise.git" or self.is_git_course)
        ]
        if not self.detail.can_run:
            shown = [b for b in shown if b.id not in ("exercise.run", "exercise.stop")]
        if len(self.names) < 2:
            shown = [b for b in shown if b.id != "exercise.next_file"]
        if not any(n.lower().endswith((".html", ".htm")) for n in self.names):
            shown = [b for b in shown if b.id != "exercise.preview"]
        return shown

    def on_resize(self) -> None:
        """Switch between one pane and three side by side."""
        self._apply_layout(self.size.width)

    def _apply_layout(self, width: int) -> None:
        wide = width >= WIDE
        self.set_class(wide, "-wide")
        for pane in PANES:
            self.query_one(f"#{pane}-pane").set_class(pane == self.pane, "-active")
        # Narrow: the editor and output column takes no room while the lesson is shown.
        self.query_one("#work-column").display = wide or self.pane != "lesson"
        if not wide and self.query("#preview-pane"):
            self._close_preview_pane()  # the pane needs the room: the preview key opens a screen

    def action_show_pane(self, pane: str) -> None:
        """Show (at 80 columns) and focus one pane: "lesson", "editor" or "output"."""
        if pane not in PANES:
            return
        if pane == "lesson" and self.query("#preview-pane"):
            self._close_preview_pane()  # the lesson comes back in its place
        self.pane = pane
        self._apply_layout(self.size.width)
        target: Widget
        if pane == "editor":
            target = self.current_editor()
        elif pane == "lesson":
            target = self.query_one("#lesson-pane")
        else:
            output = self.query_one(OutputPane)
            target = output.query_one("#check-list") if output.has_class("-check") else (
                output.query_one("#run-log")
            )
        # set_focus, not focus(): focus() waits for the next turn of the loop, and keys typed
        # right behind F3 (one read) would still go to the pane being left.
        self.set_focus(target)

    def show_offline(self, reason: str) -> None:
        """Show the lost-connection banner (called by the app)."""
        banner = self.query_one("#offline", Static)
        banner.update(reason)
        banner.display = True

    # -- files and saving --------------------------------------------------------------------

    def editors(self) -> list[SlateEditor]:
        """Every file's editor."""
        if not self._editors:
            self._editors = list(self.query(SlateEditor))
        return list(self._editors)

    def current_editor(self) -> SlateEditor:
        """The editor of the file shown now."""
        switcher = self.query_one("#editors", ContentSwitcher)
        return self.query_one(f"#{switcher.current}", SlateEditor)

    @on(Tabs.TabActivated, "#file-tabs")
    def _tab_chosen(self, event: Tabs.TabActivated) -> None:
        for name in self.names:
            if event.tab.id == self._tab_id(name):
                self.query_one("#editors", ContentSwitcher).current = self._editor_id(name)
                self._update_mark()
                if self.pane == "editor":
                    self.current_editor().focus()

    def action_next_file(self) -> None:
        """Show the next file's tab."""
        self.query_one("#file-tabs", Tabs).action_next_tab()
        self.action_show_pane("editor")

    def _typed(self, editor: SlateEditor) -> None:
        """An editor's text changed (its ``on_change``: called at once, not a bubbling message)."""
        self._update_mark()
        if not editor.dirty:
            return
        self._last_edit = time.monotonic()
        if self._autosave is None:
            self._autosave = self.set_timer(AUTOSAVE_SECONDS, self._autosave_due)

    def _autosave_due(self) -> None:
        """The autosave timer fired: save if typing has stopped, else wait for the rest.

        One one-shot timer per pause in typing, not one per key; and never ``Timer.reset()``,
        which does nothing once a one-shot timer has fired (the old bug: only the first edit
        of a screen was autosaved) and, before that, can delay the save to twice the interval.
        """
        self._autosave = None
        quiet_for = time.monotonic() - self._last_edit
        if quiet_for < AUTOSAVE_SECONDS:
            self._autosave = self.set_timer(AUTOSAVE_SECONDS - quiet_for, self._autosave_due)
            return
        self.run_worker(self.save_all(), group="save", description="autosave")

    def _update_mark(self) -> None:
        """Show "Saved" / "Not saved" (only repaint when the words change: cheap per key)."""
        editor = self.current_editor()
        if editor.read_only:
            words = "Read only"
        elif any(e.dirty for e in self.editors()):
            words = "Not saved"
        else:
            words = "Saved"
        if words != self._saved_mark:
            self._saved_mark = words
            mark = self.query_one("#save-mark", Static)
            mark.update(words)
            mark.set_class(words == "Not saved", "-unsaved")

    async def save_all(self, tell_server: bool = True) -> bool:
        """Save every changed file to disk, then tell the server which ones.

        Args:
            tell_server: send ``saved`` afterwards (skipped when offline).

        Returns:
            True when every file is on disk.
        """
        await self.keys_applied()
        saved, ok = self.write_dirty_files()
        self._update_mark()
        if saved and tell_server and self.slate.offline_reason is None:
            try:
                await self.slate.request(protocol.Saved(paths=saved))
            except ControlLost:
                pass  # the app shows the banner; the files are on disk
            except ControlError as exc:
                self.notify(str(exc), title="History", severity="warning")
        return ok

    async def keys_applied(self) -> None:
        """Wait until every editor has handled the keys already queued for it.

        A priority key (F6 Check, F5 Run, Ctrl+S, F12, ...) runs as soon as the App reads it,
        while keys typed just before it in the same burst may still wait in the editor's queue:
        saving now would save (and check) the text without them. ``call_later`` queues a
        callback behind those keys, so when it runs they have all been applied.
        """
        loop = asyncio.get_running_loop()
        waits = []
        for editor in self.editors():
            done: asyncio.Future[None] = loop.create_future()
            if editor.call_later(lambda done=done: done.done() or done.set_result(None)):
                waits.append(done)
        if waits:
            await asyncio.wait(waits, timeout=2)

    def write_dirty_files(self) -> tuple[list[str], bool]:
        """Write every changed file to disk (atomic saves); no server, no awaiting.

        Returns:
            The workspace paths written, and whether every changed file could be written.
        """
        saved: list[str] = []
        ok = True
        for editor in self.editors():
            editor.apply_typed_ahead()
            if not editor.dirty:
                continue
            text = editor.text
            try:
                write_atomic(self.slate.workspace, self.detail.path_of(editor.file_name), text)
            except FileProblem as exc:
                ok = False
                self.notify(f"{exc} Your text is still in the editor.", severity="error",
                            title="Not saved")
                continue
            editor.mark_saved(text)
            saved.append(self.detail.path_of(editor.file_name))
        return saved, ok

    def action_save(self) -> None:
        """Save now (Ctrl+S)."""
        self.run_worker(self.save_all(), group="save", description="save")

    def reload_files(self, paths: list[str]) -> None:
        """Read files back from disk after a restore or reset."""
        from tui.workspace_files import read_text

        for editor in self.editors():
            rel = self.detail.path_of(editor.file_name)
            if paths and rel not in paths and editor.file_name not in paths:
                continue
            try:
                editor.replace_all(read_text(self.slate.workspace, rel))
            except FileProblem as exc:
                self.notify(str(exc), severity="error")
        self._update_mark()

    # -- run / check / stop ------------------------------------------------------------------

    def action_run(self) -> None:
        """Save, then run the program; output streams into the output pane."""
        if not self.detail.can_run:
            self.notify("This exercise has nothing to run. Press F6 (or Alt+C) to check it.")
            return
        self._start("run")

    def action_check(self) -> None:
        """Save, then ask the server to check the work."""
        self._start("check")

    def _start(self, kind: str) -> None:
        if self.running:
            self.notify("Please wait: the last one is still going. Press F9 (or Alt+S) to stop it.")
            return
        self.running = kind
        self.run_id = None
        self._passed_before = self.detail.state == "passed"
        output = self.query_one(OutputPane)
        output.start_run(
            "Running your program… Press F9 (or Alt+S) to stop it."
            if kind == "run"
            else "Checking your work… this can take a few seconds."
        )
        if self.size.width < WIDE:
            self.action_show_pane("output")
        self._start_worker(kind)

    @work(exclusive=True, group="run", description="run or check")
    async def _start_worker(self, kind: str) -> None:
        await self.save_all()
        try:
            request = protocol.Run if kind == "run" else protocol.Check
            reply = await self.slate.request(
                request(course=self.detail.course, exercise=self.detail.id)
            )
        except ControlError as exc:
            self.running = None
            self.query_one(OutputPane).set_summary(str(exc))
            return
        if self.running == kind and self.run_id is None:
            self.run_id = reply.run_id

    def _belongs(self, run_id: str) -> bool:
        return self.running is not None and (self.run_id is None or run_id == self.run_id)

    @on(messages.RunOutputArrived)
    def _run_output(self, event: messages.RunOutputArrived) -> None:
        if self._belongs(event.push.id):
            self.query_one(OutputPane).append(event.push.data)

    @on(messages.RunEnded)
    def _run_ended(self, event: messages.RunEnded) -> None:
        if self._belongs(event.push.id) and self.running == "run":
            self.running = None
            self.query_one(OutputPane).end_run(event.push.to_wire())

    @on(messages.CheckFinished)
    def _check_finished(self, event: messages.CheckFinished) -> None:
        if not self._belongs(event.push.id):
            return
        output = self.query_one(OutputPane)
        self.running = None
        result = event.push.result
        output.show_check(result)
        if self.size.width < WIDE:
            self.action_show_pane("output")
        if result.get("status") == "passed":
            self.detail.state = "passed"
            self._passed()
        else:
            self.detail.state = "in_progress"

    @on(messages.ProgressChanged)
    def _progress_changed(self, event: messages.ProgressChanged) -> None:
        push = event.push
        if (push.course, push.exercise) == (self.detail.course, self.detail.id):
            if push.state in ("not_started", "in_progress", "passed"):
                self.detail.state = push.state

    def _passed(self) -> None:
        if self._passed_before:
            # Checked again after passing: say so plainly, not "Well done" a second time.
            self.query_one(OutputPane).set_summary(
                "Still passing: every test passes, as before. Your changes kept it working."
            )
            self.notify("Still passing.", title="Check")
            return

        def chosen(go_next: bool | None) -> None:
            if go_next and self.detail.next is not None:
                self.post_message(ExerciseChosen(*self.detail.next))

        self.app.push_screen(
            PassedScreen(self.slate.identity.user, self.detail.title, self.detail.next), chosen
        )

    def action_stop(self) -> None:
        """Stop the running program."""
        if self.running is None:
            self.notify("Nothing is running.")
            return
        self._stop_worker()

    @work(group="stop", description="stop the run")
    async def _stop_worker(self) -> None:
        if self.run_id is None:
            return
        try:
            await self.slate.request(protocol.Stop(run_id=self.run_id))
        except ControlError as exc:
            self.notify(str(exc), severity="warning")

    # -- hints -------------------------------------------------------------------------------

    def _hint_text(self) -> str:
        d = self.detail
        if d.hints_total == 0:
            return "This exercise has no hints."
        lines = [f"Hint {i}: {text}" for i, text in enumerate(d.hints, start=1)]
        if len(d.hints) < d.hints_total:
            lines.append(
                f"Hints used: {len(d.hints)} of {d.hints_total}. "
                "Press F7 (or Alt+H) to see the next hint."
            )
        else:
            lines.append("You have seen all the hints for this exercise.")
        return "\n\n".join(lines)

    def action_hint(self) -> None:
        """Show the next hint (one at a time)."""
        if len(self.detail.hints) >= self.detail.hints_total:
            self.notify("You have seen all the hints for this exercise.")
            self._show_hints()
            return
        self._hint_worker()

    @work(exclusive=True, group="hint", description="reveal a hint")
    async def _hint_worker(self) -> None:
        await self.save_all()
        try:
            reply = await self.slate.request(
                protocol.Hint(course=self.detail.course, exercise=self.detail.id)
            )
        except ControlError as exc:
            self.notify(str(exc), severity="warning", title="Hint")
            return
        from tui.safe_text import visible

        index = reply.index
        text = visible(reply.text)
        total = reply.total
        if isinstance(total, int) and total >= 0:
            self.detail.hints_total = total
        if isinstance(index, int) and index >= 1:
            del self.detail.hints[index - 1 :]
        self.detail.hints.append(text)
        self.detail.hints_total = max(self.detail.hints_total, len(self.detail.hints))
        self._show_hints()

    def _show_hints(self) -> None:
        hints = self.query_one("#hints", Static)
        hints.update(self._hint_text())
        if self.size.width < WIDE:
            self.action_show_pane("lesson")
        # The hints are the end of the lesson pane; scroll once the new text has its height.
        self.call_after_refresh(self.query_one("#lesson-pane", VerticalScroll).scroll_end,
                                animate=False)

    # -- history, reset, git, map ------------------------------------------------------------

    def action_history(self) -> None:
        """Save, then open the History screen."""
        self._history_worker()

    @work(exclusive=True, group="history", description="open history")
    async def _history_worker(self) -> None:
        from tui.learner.screens.history import HistoryScreen

        await self.save_all()
        restored = await self.app.push_screen_wait(
            HistoryScreen(self.detail, self.current_editor().file_name)
        )
        if restored is not None:
            self.reload_files(restored)
            # The last run or check was about the files as they were: clear it.
            self.query_one(OutputPane).clear(
                "Your work was restored. Run or check it again to see how it does now."
            )

    def action_git(self) -> None:
        """Open the Git panel (git course only)."""
        if not self.is_git_course:
            self.notify("The Git panel is used in the Git course.")
            return
        self._git_worker()

    @work(exclusive=True, group="git-panel", description="open the git panel")
    async def _git_worker(self) -> None:
        from tui.learner.screens.git_panel import GitScreen

        await self.save_all()
        if await self.app.push_screen_wait(GitScreen(self.detail)):
            self.reload_files([])

    def action_console(self) -> None:
        """Save, then open the teaching console (tui/learner/screens/console.py)."""
        self._console_worker()

    @work(exclusive=True, group="console-screen", description="open the console")
    async def _console_worker(self) -> None:
        from tui.learner.screens.console import ConsoleScreen

        await self.save_all()
        if await self.app.push_screen_wait(ConsoleScreen(self.detail)):
            self.reload_files([])

    def action_preview(self) -> None:
        """Save, then show the page rendered as text (tui/learner/screens/preview.py): from
        WIDE columns as a pane beside the editor, in the lesson's place (the key again, or the
        lesson's key, closes it); below that on a screen of its own."""
        if self.query("#preview-pane"):
            self._close_preview_pane()
            return
        self._preview_worker()

    def _close_preview_pane(self) -> None:
        for pane in self.query("#preview-pane"):
            pane.remove()
        self.query_one("#lesson-pane").styles.clear_rule("display")

    @work(exclusive=True, group="preview-screen", description="open the page preview")
    async def _preview_worker(self) -> None:
        from tui.learner.screens.preview import PagePreview, PreviewScreen, pages_of

        if not pages_of(self.names):
            self.notify("Page preview shows HTML pages; this exercise has none.")
            return
        await self.save_all()
        name = self.current_editor().file_name
        if self.size.width >= WIDE:
            if not self.query("#preview-pane"):
                pane = PagePreview(self.detail, self.names, name, id="preview-pane",
                                   classes="pane")
                pane.styles.width = "2fr"
                pane.styles.min_width = 64
                self.query_one("#lesson-pane").display = False
                await self.query_one("#panes").mount(pane, before="#work-column")
            return
        await self.app.push_screen_wait(PreviewScreen(self.detail, self.names, name))

    def action_reference(self) -> None:
        """Open the offline reference at the word under the editor's cursor
        (tui/learner/screens/reference.py); entries are read on the first opening."""
        from tui.learner.screens.reference import ReferenceScreen

        editor = self.current_editor()
        if self.pane != "editor" and not editor.has_focus:
            self.app.push_screen(ReferenceScreen())
            return
        row, column = editor.cursor_location
        suffix = "." + editor.file_name.rsplit(".", 1)[-1] if "." in editor.file_name else ""
        line = editor.document.get_line(row) if row < editor.document.line_count else ""
        self.app.push_screen(ReferenceScreen.at_cursor(line, column, suffix))

    def action_course_map(self) -> None:
        """Save and go back to the course map."""
        self._leave_worker()

    @work(exclusive=True, group="leave", description="back to the course map")
    async def _leave_worker(self) -> None:
        await self.save_all()
        # The app closes this screen: a screen's own worker awaiting its removal would wait on
        # itself (Textual waits for a screen's workers before removing it).
        self.app.call_later(self.slate.show_course_map)
