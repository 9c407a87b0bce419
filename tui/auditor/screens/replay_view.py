"""Replay of one session: the emulated screen, the audit events beside it, and the controls.

Keys: Space play/pause; + / - speed (0.5x to 16x); I skip idle (pauses capped at two seconds);
Left/Right 10 seconds (these keys belong to the replay, not to scrolling the screen, which
follows the learner's cursor); [ / ] one minute; N / P next/previous event; G jump to a time or a
percentage; Home/End; F follow live; C shows the code as saved at that moment; Tab moves
between the screen and the timeline, where Enter seeks to an event; X exports the session on
the server; Esc goes back.

The recording's bytes are untrusted: they are parsed by :class:`tui.auditor.replay.Recording`
and emulated by pyte inside this sandboxed app; only emulated cells are drawn, each through
``safe_cell`` (invariants 6 and 9). Event summaries come neutralised from the server and pass
:func:`tui.safe_text.visible` again here.
"""

from __future__ import annotations

import bisect
import re
import time
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tui.auditor.replay import IDLE_CAP, Keyframes, Player, Recording
from tui.auditor.screens.session_list import clock
from tui.control import ControlError
from tui.safe_text import visible
from tui.widgets.key_bar import KeyBar
from tui.widgets.terminal_view import TerminalView

SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
FRAME = 0.05
"""Seconds between drawn frames while playing."""
FOLLOW_POLL = 1.0
"""Seconds between requests for new bytes of a live session."""


KEYS = [("Space", "Play/Pause"), ("+/-", "Speed"), ("Left/Right", "10s"), ("[/]", "1min"),
        ("N/P", "Next/prev event"), ("G", "Go to"), ("I", "Skip idle"), ("F", "Follow live"),
        ("C", "Code then"), ("Tab", "Events"), ("X", "Export"), ("Esc", "Back")]
"""The key bar (spelled for people: Textual's key names read "left_square_bracket")."""


def parse_jump(text: str, duration: float) -> float | None:
    """A jump target: ``50%``, ``1:02:03``, ``12:30``, ``90s`` or ``90`` (seconds)."""
    text = text.strip().lower()
    try:
        if text.endswith("%"):
            return max(0.0, min(float(text[:-1]), 100.0)) / 100.0 * duration
        if re.fullmatch(r"\d+(:\d{1,2}){1,2}", text):
            total = 0
            for part in text.split(":"):
                total = total * 60 + int(part)
            return float(total)
        if text.endswith("s"):
            text = text[:-1]
        return max(0.0, float(text))
    except ValueError:
        return None


class ReplayScreen(Screen[None]):
    """Replay one session with its audit events as a timeline.

    Args:
        session: the session's row from the session list (``id``, ``user``, ``live``...).
        start_at: seconds into the recording to show first (a search hit).
        follow: follow the live session as it is recorded.
    """

    BINDINGS = [
        Binding("space", "toggle_play", "Play/Pause", id="replay.play"),
        Binding("plus,equals_sign", "faster", "Faster", id="replay.faster"),
        Binding("minus", "slower", "Slower", id="replay.slower"),
        Binding("left", "step(-10)", "-10s", id="replay.back", priority=True),
        Binding("right", "step(10)", "+10s", id="replay.forward", priority=True),
        Binding("left_square_bracket", "step(-60)", "-1min", id="replay.back_minute"),
        Binding("right_square_bracket", "step(60)", "+1min", id="replay.forward_minute"),
        Binding("p", "event(-1)", "Prev event", id="replay.prev_event"),
        Binding("n", "event(1)", "Next event", id="replay.next_event"),
        Binding("g", "jump", "Go to", id="replay.jump"),
        Binding("i", "skip_idle", "Skip idle", id="replay.idle"),
        Binding("f", "follow", "Follow live", id="replay.follow"),
        Binding("x", "export", "Export", id="replay.export"),
        Binding("c", "code", "Code then", id="replay.code"),
        Binding("tab", "switch", "Screen/Events", id="replay.switch"),
        Binding("home", "seek(0)", "Start", id="replay.home", show=False, priority=True),
        Binding("end", "to_end", "End", id="replay.end", show=False, priority=True),
        Binding("escape,q", "back", "Back", id="replay.back_screen"),
    ]

    def __init__(self, session: dict[str, Any], *, start_at: float = 0.0,
                 follow: bool = False) -> None:
        super().__init__(id="replay")
        self.info = session
        self.session_id = str(session.get("id", ""))
        self.recording = Recording()
        self.keyframes = Keyframes(self.recording)
        self.view = TerminalView(80, 24, follow_cursor=True, id="replay-view")
        self.player = Player(self.recording, self.view.emulation, self.keyframes)
        self.events: list[dict[str, Any]] = []
        self.event_times: list[float] = []
        self.start_at = max(start_at, 0.0)
        self.playing = False
        self.speed = 1.0
        self.skip_idle = False
        self.following = follow
        self.loaded = False
        self.live = bool(session.get("live"))
        self._rec_offset = 0
        self._rec_size = 0
        self._tick_at = 0.0
        self._polls = 0

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        who = visible(str(self.info.get("user", "?")), keep_newlines=False)[:32]
        yield Static(f"Session of {who}  {visible(self.session_id, keep_newlines=False)[:12]}"
                     "  loading…", id="replay-status", classes="status", markup=False)
        with Horizontal(id="replay-body"):
            yield self.view
            table: DataTable[Any] = DataTable(id="replay-timeline", cursor_type="row",
                                              zebra_stripes=False, show_header=False)
            yield table
        yield Static("", id="replay-bar", markup=False)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        table = self.query_one("#replay-timeline", DataTable)
        table.add_column("at", key="at")
        table.add_column("event", key="event")
        self.query_one(KeyBar).show_keys(KEYS)
        self._fit()
        self.view.focus()
        self.load()
        self.set_interval(FRAME, self._tick, name="replay clock")
        self.set_interval(FOLLOW_POLL, self._poll_live, name="live follow")

    def on_resize(self) -> None:
        self._fit()
        self.call_after_refresh(self._show_status)  # the progress bar follows the new width

    def _fit(self) -> None:
        # The timeline takes what is left once an 80-column screen fits (30 to 42 columns).
        width = self.app.size.width
        self.query_one("#replay-timeline").styles.width = max(30, min(42, width - 82))

    # -- loading --------------------------------------------------------------------------------

    @work(exclusive=True, group="replay-load", description="load the recording and events")
    async def load(self) -> None:
        app: Any = self.app
        try:
            events, _started = await app.session_events(self.session_id)
        except ControlError as exc:
            self._say(str(exc))
            events = []
        self.events = sorted(events, key=lambda e: float(e.get("t") or 0))
        self.event_times = [float(e.get("t") or 0) for e in self.events]
        self._draw_timeline()
        try:
            while True:
                data, self._rec_offset, self._rec_size, self.live = await app.recording_chunk(
                    self.session_id, self._rec_offset, follow=self.following)
                self.recording.feed(data)
                if not data or self._rec_offset >= self._rec_size:
                    break
        except ControlError as exc:
            self._say(str(exc))
        self.loaded = True
        self._add_markers()
        self.build_keyframes()
        target = self.recording.duration if self.following else self.start_at
        self.seek(target)

    @work(thread=True, exclusive=True, group="replay-keyframes", description="keyframes")
    def build_keyframes(self) -> None:
        """Emulate the whole recording once, keeping keyframes (seeks are fast afterwards)."""
        while self.keyframes.built_to < len(self.recording):
            self.keyframes.build(self.keyframes.built_to + 2000)

    async def _poll_live(self) -> None:
        if not (self.loaded and self.live and self.following):
            return
        app: Any = self.app
        try:
            data, self._rec_offset, self._rec_size, self.live = await app.recording_chunk(
                self.session_id, self._rec_offset, follow=True)
        except ControlError:
            return
        if data and self.recording.feed(data):
            self.seek(self.recording.duration)
        elif not self.live:
            self._show_status()
        self._polls += 1
        if self._polls % 5 == 0:  # new events of the live session (a Run, a refusal)
            try:
                events, _started = await app.session_events(self.session_id)
            except ControlError:
                return
            if len(events) != len(self.events):
                self.events = sorted(events, key=lambda e: float(e.get("t") or 0))
                self.event_times = [float(e.get("t") or 0) for e in self.events]
                self._draw_timeline()

    # -- drawing --------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.query_one("#replay-status", Static).update(visible(text, keep_newlines=False))

    def _add_markers(self) -> None:
        """The recording's own marks (a takeover, pairing's ``typed-by``) join the timeline."""
        rec = self.recording
        marks = [{"t": rec.times[i], "kind": "mark", "actor": "",
                  "summary": str(rec.data[i])[:200]}
                 for i in range(len(rec)) if rec.kinds[i] == "m"]
        if marks:
            self.events = sorted(self.events + marks, key=lambda e: float(e.get("t") or 0))
            self.event_times = [float(e.get("t") or 0) for e in self.events]
            self._draw_timeline()

    def _draw_timeline(self) -> None:
        table = self.query_one("#replay-timeline", DataTable)
        table.clear()
        for i, event in enumerate(self.events):
            kind = visible(str(event.get("kind", "?")), keep_newlines=False)[:24]
            summary = visible(str(event.get("summary", "")), keep_newlines=False)[:200]
            actor = visible(str(event.get("actor", "")), keep_newlines=False)[:24]
            mark = "! " if event.get("refusal") else ""
            label = Text(f"{mark}{kind}", style="bold")
            label.append(f" {actor} {summary}".rstrip(), style="")
            table.add_row(clock(float(event.get("t") or 0)), label, key=str(i))

    def _show_status(self) -> None:
        rec = self.recording
        state = "PLAYING" if self.playing else "PAUSED"
        if self.following and self.live:
            state = "FOLLOWING LIVE"
        elif not self.loaded:
            state = "LOADING"
        bits = [f"{state}  {clock(self.player.time)} / {clock(rec.duration)}",
                f"speed {self.speed:g}x"]
        if self.skip_idle:
            bits.append("skip idle")
        if self.live:
            bits.append("session is live")
        who = visible(str(self.info.get("user", "?")), keep_newlines=False)[:24]
        self.query_one("#replay-status", Static).update(f"{who}: " + "   ".join(bits))
        width = max(self.query_one("#replay-bar").size.width - 2, 10)
        done = int(width * (self.player.time / rec.duration)) if rec.duration else 0
        marks = ["-"] * width
        for t in self.event_times:
            if rec.duration:
                marks[min(int(width * t / rec.duration), width - 1)] = "|"
        marks[min(done, width - 1)] = "#"
        self.query_one("#replay-bar", Static).update("".join(marks))

    def _drawn(self) -> None:
        """The emulation changed under the view: fit its size and redraw."""
        size = Size(*self.view.emulation.size)
        if self.view.virtual_size != size:
            self.view.virtual_size = size
        self.view.redraw_all()  # rows changed behind the widget's back (a seek)
        self._highlight_event()
        self._show_status()

    def _highlight_event(self) -> None:
        if not self.events:
            return
        i = bisect.bisect_right(self.event_times, self.player.time) - 1
        table = self.query_one("#replay-timeline", DataTable)
        if i >= 0 and table.cursor_row != i and not table.has_focus:
            table.move_cursor(row=i, animate=False)

    # -- playing ----------------------------------------------------------------------------

    def seek(self, t: float) -> None:
        duration = self.recording.duration
        self.player.seek(max(0.0, min(t, duration)) if duration else 0.0)
        self._drawn()

    def _tick(self) -> None:
        now = time.monotonic()
        elapsed = now - self._tick_at if self._tick_at else 0.0
        self._tick_at = now
        if not self.playing or not self.loaded:
            return
        target = self.player.time + elapsed * self.speed
        if self.skip_idle:
            upcoming = self.recording.next_activity(self.player.time)
            if upcoming is not None and upcoming - self.player.time > IDLE_CAP:
                target = max(target, upcoming - IDLE_CAP / 2)
        if target >= self.recording.duration and not (self.live and self.following):
            target = self.recording.duration
            self.playing = False
        if self.player.advance(target):
            self._drawn()
        else:
            self._show_status()

    def action_toggle_play(self) -> None:
        if self.player.time >= self.recording.duration and not self.playing:
            self.seek(0)
        self.playing = not self.playing
        self.following = False
        self._show_status()

    def action_faster(self) -> None:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else 1
        self.speed = SPEEDS[min(i + 1, len(SPEEDS) - 1)]
        self._show_status()

    def action_slower(self) -> None:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else 1
        self.speed = SPEEDS[max(i - 1, 0)]
        self._show_status()

    def action_skip_idle(self) -> None:
        self.skip_idle = not self.skip_idle
        self._show_status()

    def action_step(self, seconds: float) -> None:
        self.following = False
        self.seek(self.player.time + float(seconds))

    def action_seek(self, t: float) -> None:
        self.following = False
        self.seek(float(t))

    def action_to_end(self) -> None:
        self.seek(self.recording.duration)

    def action_event(self, direction: int) -> None:
        if not self.events:
            return
        now = self.player.time
        if direction > 0:
            i = bisect.bisect_right(self.event_times, now + 0.001)
        else:
            i = bisect.bisect_left(self.event_times, now - 0.001) - 1
        if 0 <= i < len(self.events):
            self.following = False
            self.seek(self.event_times[i])
            self.query_one("#replay-timeline", DataTable).move_cursor(row=i, animate=False)

    @on(DataTable.RowSelected, "#replay-timeline")
    def _event_chosen(self, event: DataTable.RowSelected) -> None:
        try:
            i = int(str(event.row_key.value))
        except (TypeError, ValueError):
            return
        if 0 <= i < len(self.event_times):
            self.following = False
            self.seek(self.event_times[i])

    def action_jump(self) -> None:
        from tui.auditor.screens.ask_line import AskLine

        def jump(answer: str | None) -> None:
            if answer is None:
                return
            target = parse_jump(answer, self.recording.duration)
            if target is None:
                self.notify("Say a time (1:02:03, 90s) or a percentage (50%).", title="Go to")
                return
            self.following = False
            self.seek(target)

        self.app.push_screen(
            AskLine("Go to a time (1:02:03, 12:30, 90s) or a percentage (50%):"), jump)

    def action_follow(self) -> None:
        if not self.live:
            self.notify("This session has ended; there is nothing live to follow.",
                        title="Follow")
            return
        self.following = True
        self.playing = False
        self.seek(self.recording.duration)

    def action_switch(self) -> None:
        table = self.query_one("#replay-timeline", DataTable)
        (self.view if table.has_focus else table).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(group="code", description="the code at this moment")
    async def action_code(self) -> None:
        from tui.auditor.screens.code_view import CodeScreen

        app: Any = self.app
        at = self.player.time
        try:
            snapshot = await app.code_at(self.session_id, at)
        except ControlError as exc:
            self.notify(str(exc), title="Code", severity="error")
            return
        await app.push_screen(CodeScreen(snapshot, clock(at)))

    @work(group="export", description="export the session")
    async def action_export(self) -> None:
        app: Any = self.app
        try:
            where = await app.export_session(self.session_id)
        except ControlError as exc:
            self.notify(str(exc), title="Export", severity="error")
            return
        self.notify(f"Written on the server: {visible(where, keep_newlines=False)}",
                    title="Export")
