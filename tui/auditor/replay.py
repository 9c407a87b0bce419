"""A recording played back: the cast parsed, emulated with pyte, and seekable through keyframes.

Owns the auditor's replay model (no widgets): :class:`Recording` (asciicast v2 lines as they
arrive from the server, untrusted) and :class:`Player` (where the replay is, and the emulated
screen there). Runs only in the auditor's sandboxed TUI (invariant 9); the screen is drawn by
:class:`tui.widgets.terminal_view.TerminalView`, cell by cell through its ``safe_cell`` (6).

Seeking: while the recording loads, a second emulator runs through it once and keeps a keyframe
(a copy of the emulated screen: cells, cursor, modes) every :data:`KEYFRAME_BYTES` of output and
at every resize. A seek restores the nearest keyframe at or before the target and emulates at
most that many bytes to reach it, so seeking anywhere in a three-hour recording costs about the
same as seeking in a minute-long one (``bench/bench_audit.py`` measures it).
"""

from __future__ import annotations

import bisect
import copy
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import pyte

from tui.widgets.terminal_view import TerminalEmulation, clamp_size

KEYFRAME_BYTES = 32 << 10
"""Output between two keyframes (bounds the work of one seek)."""
MAX_LINE = 4 << 20
"""A cast line longer than this is dropped (a hostile recording cannot exhaust memory)."""
IDLE_CAP = 2.0
"""With "skip idle" on, no pause in playback lasts longer than this."""


def _size(value: Any) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{1,5})x(\d{1,5})", str(value))
    return clamp_size(int(match.group(1)), int(match.group(2))) if match else None


class Recording:
    """The events of one cast: output (bytes), input and resizes, with their times.

    Lines are fed as they arrive (:meth:`feed`); an incomplete last line waits for the rest.
    Anything that is not a well-formed event is skipped.
    """

    def __init__(self) -> None:
        self.width = 80
        self.height = 24
        self.header: dict[str, Any] = {}
        self.times: list[float] = []
        self.kinds: list[str] = []
        self.data: list[Any] = []
        self.output_bytes = 0
        self._tail = b""
        self._have_header = False
        self._lock = threading.Lock()

    @property
    def duration(self) -> float:
        return self.times[-1] if self.times else 0.0

    def __len__(self) -> int:
        return len(self.times)

    def feed(self, chunk: bytes) -> int:
        """Add bytes of the cast file; return how many events were added."""
        buf = self._tail + chunk
        lines = buf.split(b"\n")
        self._tail = lines.pop()
        if len(self._tail) > MAX_LINE:
            self._tail = b""
        added = 0
        with self._lock:
            for line in lines:
                if not line.strip() or len(line) > MAX_LINE:
                    continue
                try:
                    value = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if not self._have_header:
                    self._have_header = True
                    if isinstance(value, dict):
                        self.header = value
                        with_size = _size(f"{value.get('width')}x{value.get('height')}")
                        if with_size:
                            self.width, self.height = with_size
                        continue
                added += self._add(value)
        return added

    def _add(self, value: Any) -> int:
        if not (isinstance(value, list) and len(value) >= 3 and isinstance(value[1], str)
                and isinstance(value[0], int | float) and not isinstance(value[0], bool)):
            return 0
        t = float(value[0])
        if not 0 <= t < 10**8:
            return 0
        if self.times and t < self.times[-1]:
            t = self.times[-1]  # never go back in time
        kind = value[1]
        data = value[2]
        if kind == "o" and isinstance(data, str):
            payload: Any = data.encode("utf-8", "replace")
            self.output_bytes += len(payload)
        elif kind == "r":
            payload = _size(data)
            if payload is None:
                return 0
        elif kind in ("i", "m") and isinstance(data, str):
            payload = data
        else:
            return 0
        self.times.append(t)
        self.kinds.append(kind)
        self.data.append(payload)
        return 1

    def index_at(self, t: float) -> int:
        """How many events happen at or before ``t``."""
        return bisect.bisect_right(self.times, t)

    def next_activity(self, t: float) -> float | None:
        """The time of the first event after ``t`` (for skipping idle)."""
        i = bisect.bisect_right(self.times, t)
        return self.times[i] if i < len(self.times) else None


@dataclass
class Keyframe:
    """The emulated screen after event ``index - 1`` (``index`` events applied)."""

    index: int
    cols: int
    rows: int
    cells: dict[int, dict[int, Any]]
    state: dict[str, Any] = field(default_factory=dict)


_STATE = ("savepoints", "mode", "margins", "charset", "g0_charset", "g1_charset", "tabstops",
          "cursor", "saved_columns", "title", "icon_name")


def snapshot(emulation: TerminalEmulation, index: int) -> Keyframe:
    """Copy an emulated screen (cells are immutable: rows are copied, cells shared)."""
    screen = emulation.screen
    # Every key, and rows shared between keys stay shared: pyte's delete_lines can make two
    # rows one object, and later drawing depends on it (a faithful replay copies that too).
    copies: dict[int, dict[int, Any]] = {}
    cells = {y: copies.setdefault(id(row), dict(row)) for y, row in screen.buffer.items()}
    state = {name: copy.deepcopy(getattr(screen, name, None)) for name in _STATE}
    cols, rows = emulation.size
    return Keyframe(index, cols, rows, cells, state)


def restore(emulation: TerminalEmulation, frame: Keyframe) -> None:
    """Make ``emulation`` show the keyframe's screen (a fresh screen of the same class)."""
    screen = type(emulation.screen)(frame.cols, frame.rows)
    made: dict[int, Any] = {}
    for y, row in frame.cells.items():
        fresh = made.get(id(row))
        if fresh is None:
            fresh = made[id(row)] = screen.buffer[y]
            fresh.update(row)
        else:
            screen.buffer[y] = fresh
    for name, value in frame.state.items():
        setattr(screen, name, copy.deepcopy(value))
    screen.dirty = set(range(frame.rows))
    emulation.screen = screen
    emulation.stream = pyte.ByteStream(screen)


class Keyframes:
    """Keyframes of a recording, built by one pass of a separate emulator (thread-safe)."""

    def __init__(self, recording: Recording, every: int = KEYFRAME_BYTES) -> None:
        self.recording = recording
        self.every = every
        self.frames: list[Keyframe] = []
        self.indexes: list[int] = []
        self._emulation = TerminalEmulation(recording.width, recording.height)
        self._done = 0
        self._since = every  # a keyframe at the very start
        self._lock = threading.Lock()

    @property
    def built_to(self) -> int:
        """Events covered so far."""
        return self._done

    def build(self, until: int | None = None) -> None:
        """Emulate the events not yet seen (up to ``until``), keeping keyframes on the way."""
        rec = self.recording
        end = len(rec) if until is None else min(until, len(rec))
        em = self._emulation
        with self._lock:
            if self._done == 0:  # the header may have arrived after this was made
                em.resize(rec.width, rec.height)
            for i in range(self._done, end):
                if self._since >= self.every or rec.kinds[i] == "r":
                    self._keep(snapshot(em, i))
                    self._since = 0
                kind = rec.kinds[i]
                if kind == "o":
                    em.feed(rec.data[i])
                    self._since += len(rec.data[i])
                elif kind == "r":
                    em.resize(*rec.data[i])
            self._done = max(self._done, end)

    def _keep(self, frame: Keyframe) -> None:
        if self.indexes and self.indexes[-1] == frame.index:
            self.frames[-1] = frame
            return
        self.frames.append(frame)
        self.indexes.append(frame.index)

    def before(self, index: int) -> Keyframe | None:
        """The newest keyframe at or before event ``index``."""
        i = bisect.bisect_right(self.indexes, index) - 1
        return self.frames[i] if i >= 0 else None


class Player:
    """Where a replay is and what its screen shows.

    Args:
        recording: the recording (may still be growing: live follow).
        emulation: the emulator to show (e.g. a TerminalView's ``emulation``).
        keyframes: the recording's keyframes (built elsewhere, e.g. in a worker thread).
    """

    def __init__(self, recording: Recording, emulation: TerminalEmulation,
                 keyframes: Keyframes | None = None) -> None:
        self.recording = recording
        self.emulation = emulation
        self.keyframes = keyframes or Keyframes(recording)
        self.index = 0
        """Events applied to the screen."""
        self.time = 0.0
        emulation.resize(recording.width, recording.height)

    def advance(self, t: float) -> bool:
        """Play forward to time ``t`` (apply every event at or before it); True if drawn."""
        end = self.recording.index_at(t)
        self.time = max(t, 0.0)
        if end <= self.index:
            return False
        if end - self.index > 2000 or self._bytes(self.index, end) > 4 * KEYFRAME_BYTES:
            self.seek(t)
            return True
        self._apply(self.index, end)
        return True

    def seek(self, t: float) -> None:
        """Show the screen at time ``t`` (nearest keyframe, then at most a keyframe's bytes)."""
        t = max(0.0, t)
        end = self.recording.index_at(t)
        if self.keyframes.built_to < end:
            self.keyframes.build(end)
        frame = self.keyframes.before(end)
        if end < self.index or (frame is not None and frame.index > self.index):
            if frame is not None:
                restore(self.emulation, frame)
                self.index = frame.index
            else:
                self.emulation.reset()
                self.emulation.resize(self.recording.width, self.recording.height)
                self.index = 0
        self._apply(self.index, end)
        self.time = t

    def _bytes(self, start: int, end: int) -> int:
        rec = self.recording
        return sum(len(rec.data[i]) for i in range(start, end) if rec.kinds[i] == "o")

    def _apply(self, start: int, end: int) -> None:
        rec = self.recording
        em = self.emulation
        if start == 0:
            em.resize(rec.width, rec.height)
        for i in range(start, end):
            kind = rec.kinds[i]
            if kind == "o":
                em.feed(rec.data[i])
            elif kind == "r":
                em.resize(*rec.data[i])
        self.index = max(self.index, end)

    def lines(self) -> list[str]:
        """The screen now, as safe text."""
        return self.emulation.lines()


def render_at(recording: Recording, t: float) -> list[str]:
    """The screen at ``t`` by emulating from the start (the reference a seek must match)."""
    em = TerminalEmulation(recording.width, recording.height)
    for i in range(recording.index_at(t)):
        if recording.kinds[i] == "o":
            em.feed(recording.data[i])
        elif recording.kinds[i] == "r":
            em.resize(*recording.data[i])
    return em.lines()
