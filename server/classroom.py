"""The live class: who is online, what each learner is doing, who watches whom, the help queue.

Owns the server's in-memory picture of the classroom for staff: one :class:`LearnerState` per
learner seen since the server started (online first), the help queue in arrival order, observers
(staff watching a learner's screen), pairing grants and screen locks. Instructor and admin TUIs
subscribe to it and get a row pushed within a moment of each event (a Check finishing, an
exercise opened, a hand raised, a learner going idle or coming back) — never polled.

Invariants kept:

- **Untrusted bytes are relayed, never parsed, here (9).** :class:`WatchRelay` copies the
  learner's pty output to a watcher as opaque base64 chunks with a sequence number; it is bounded
  (a flood is dropped and the watcher is told to start again from a fresh repaint), so a learner
  printing without end cannot grow the server's memory or the watcher's socket buffer.
- **No consent, no control.** Keystrokes from staff reach a learner only while a pairing the
  learner accepted on screen is active; either side ends it. Every join, leave, message, pairing
  step, lock and release is written to the audit log.
- Text that a learner typed (a raised hand's note) is sanitised before it is shown to staff.

This module knows sessions only through :class:`LiveSession` (a small interface), so it is
tested without a gateway; ``server.staff_desk`` adapts the gateway's sessions to it.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from server import protocol
from server.audit import AuditLog, sanitize


@dataclass(frozen=True)
class StuckRules:
    """When a learner counts as stuck (shown in the roster; thresholds are site policy).

    Attributes:
        failed_checks: this many failed Checks in a row on one exercise.
        minutes_on_exercise: this long on one exercise without passing it.
        idle_minutes: a learner idle this long is shown as idle (not stuck).
    """

    failed_checks: int = 3
    minutes_on_exercise: float = 20.0
    idle_minutes: float = 5.0


MAX_WATCH_BUFFER = 256 << 10
"""Bytes of a learner's output held for one watcher between flushes; past it, drop and resync."""
MAX_WATCH_SOCKET = 1 << 20
"""Bytes waiting in a watcher's control socket past which new output is dropped (resync)."""
WATCH_CHUNK = 192 << 10
"""Largest raw chunk per ``watch_output`` push (base64 keeps it far under the line limit)."""
FLUSH_DELAY = 0.005
"""Seconds output is gathered before it is sent to watchers (coalescing a burst of writes)."""
RESYNC_INTERVAL = 1.0
"""At most one forced repaint of a learner per this many seconds after dropped output."""
MAX_HAND_TEXT = 200
MAX_MESSAGE = 500


class LiveSession(Protocol):
    """What the live class needs from a running session (the gateway's, or a test's fake)."""

    session_id: str
    user: str
    role: str
    keys_locked: bool

    @property
    def observers(self) -> set[Callable[[bytes], None]]:
        """Callables that get every chunk of this session's terminal output."""

    @property
    def size(self) -> tuple[int, int]:
        """The session's terminal (columns, rows)."""

    def push(self, message: protocol.Push) -> None:
        """Send a push to this session's TUI."""

    def pending_bytes(self) -> int:
        """Bytes queued to this session's TUI and not yet written (back-pressure)."""

    def request_repaint(self) -> None:
        """Ask the TUI to redraw everything (an observer attached)."""

    def inject_input(self, data: bytes, by: str) -> None:
        """Type ``data`` into this session as ``by`` (recorded as theirs)."""

    def idle_seconds(self) -> float:
        """Seconds since the person last pressed a key."""


@dataclass
class HandRaise:
    """A raised hand in the help queue."""

    learner: str
    text: str
    at: float


@dataclass
class LearnerState:
    """What staff see about one learner (one roster row)."""

    name: str
    cohort: str | None = None
    session: LiveSession | None = None
    course: str | None = None
    exercise: str | None = None
    title: str = ""
    opened_at: float | None = None
    checks_here: int = 0
    failed_in_a_row: int = 0
    passed_here: bool = False
    last_check: dict[str, Any] | None = None
    hints_here: int = 0
    idle: bool = False
    watchers: dict[str, str] = field(default_factory=dict)  # staff session id -> staff name
    paired_with: str | None = None  # staff name, while a pairing is active
    pair_asked_by: str | None = None  # staff session id waiting for the learner's answer
    pair_session: str | None = None  # the paired staff session id
    lock_message: str | None = None

    @property
    def online(self) -> bool:
        return self.session is not None


class WatchRelay:
    """Copies one learner's pty output to one watcher: opaque bytes, bounded, in order.

    Installed in the learner session's ``observers``; called with every output chunk. Output is
    gathered for :data:`FLUSH_DELAY` and sent as ``watch_output`` pushes (base64 + sequence
    number + the learner's terminal size). If the gathered bytes pass :data:`MAX_WATCH_BUFFER`,
    or the watcher's socket is backed up past :data:`MAX_WATCH_SOCKET`, the bytes are dropped,
    the next push says ``reset`` and the learner's TUI is asked (at most once a second) to
    repaint, so the watcher's picture is whole again.
    """

    def __init__(self, learner: LiveSession, watcher: LiveSession, name: str) -> None:
        self.learner = learner
        self.watcher = watcher
        self.name = name
        self.seq = 0
        self._buf = bytearray()
        self.reset_pending = True  # the first push tells the watcher to start from a blank screen
        self._scheduled: asyncio.TimerHandle | None = None
        self.last_resync = 0.0
        self.dropped = 0
        self.sent = 0
        self.closed = False

    def __call__(self, data: bytes) -> None:
        if self.closed:
            return
        if len(self._buf) + len(data) > MAX_WATCH_BUFFER:
            self.dropped += len(self._buf) + len(data)
            self._buf.clear()
            self._resync()
            return
        self._buf += data
        if self._scheduled is None:
            self._scheduled = asyncio.get_running_loop().call_later(FLUSH_DELAY, self.flush)

    def _resync(self) -> None:
        self.reset_pending = True
        now = time.monotonic()
        if now - self.last_resync >= RESYNC_INTERVAL:
            self.last_resync = now
            self.learner.request_repaint()
        elif self._scheduled is None:
            # Try again when the interval has passed, so the picture is repaired in the end.
            delay = RESYNC_INTERVAL - (now - self.last_resync)
            self._scheduled = asyncio.get_running_loop().call_later(delay, self.flush)

    def flush(self) -> None:
        """Send what has been gathered (called by the loop timer)."""
        self._scheduled = None
        if self.closed:
            return
        if self.watcher.pending_bytes() > MAX_WATCH_SOCKET:
            self.dropped += len(self._buf)
            self._buf.clear()
            self._resync()
            return
        if not self._buf and not self.reset_pending:
            return
        now = time.monotonic()
        if self.reset_pending and not self._buf and now - self.last_resync >= RESYNC_INTERVAL:
            self.last_resync = now
            self.learner.request_repaint()
        cols, rows = self.learner.size
        data = bytes(self._buf)
        self._buf.clear()
        first = True
        while first or data:
            chunk, data = data[:WATCH_CHUNK], data[WATCH_CHUNK:]
            self.seq += 1
            self.sent += len(chunk)
            self.watcher.push(
                protocol.WatchOutput(
                    learner=self.learner.user,
                    seq=self.seq,
                    data=base64.b64encode(chunk).decode("ascii"),
                    cols=cols,
                    rows=rows,
                    reset=self.reset_pending and first,
                )
            )
            first = False
        self.reset_pending = False

    def close(self) -> None:
        self.closed = True
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        self._buf.clear()


class LiveClass:
    """The classroom as staff see it (one per server).

    Args:
        audit: where joins, leaves, messages, pairings, locks and releases are recorded.
        rules: when a learner counts as stuck.
        clock: wall-clock seconds (injected so tests need not sleep).
        cohort_of: the cohort of an account name (None when unknown).
    """

    def __init__(
        self,
        audit: AuditLog,
        rules: StuckRules | None = None,
        clock: Callable[[], float] = time.time,
        cohort_of: Callable[[str], str | None] | None = None,
    ) -> None:
        self.audit = audit
        self.rules = rules or StuckRules()
        self.clock = clock
        self.cohort_of = cohort_of or (lambda _name: None)
        self.learners: dict[str, LearnerState] = {}
        self.staff: dict[str, LiveSession] = {}  # session id -> a subscribed staff session
        self.queue: list[HandRaise] = []
        self.relays: dict[tuple[str, str], WatchRelay] = {}  # (staff session, learner) -> relay
        self._dirty: set[str] = set()
        self._queue_dirty = False
        self._flush_handle: asyncio.Handle | None = None
        self._ticker: asyncio.TimerHandle | None = None
        self.demo: LiveSession | None = None  # the instructor whose screen the class sees
        self.demo_relays: dict[str, WatchRelay] = {}  # learner name -> relay to them

    # -- audit -----------------------------------------------------------------------------------

    def record(self, kind: str, actor: LiveSession | None, **detail: Any) -> None:
        self.audit.append(
            kind,
            actor=actor.user if actor is not None else None,
            session=actor.session_id if actor is not None else None,
            **detail,
        )

    # -- sessions coming and going ---------------------------------------------------------------

    def learner_joined(self, session: LiveSession) -> None:
        """A learner's session started (a second login replaces the first)."""
        state = self.state_of(session.user)
        state.session = session
        state.idle = False
        session.keys_locked = state.lock_message is not None  # a lock outlives a reconnect
        self._changed(state.name)
        if self.demo is not None:
            self._demo_to(state)
        self._tell_learner(state)
        self._start_ticker()

    def staff_joined(self, session: LiveSession) -> None:
        """An instructor's or admin's console subscribed to the roster."""
        self.staff[session.session_id] = session
        self._start_ticker()

    def session_ended(self, session: LiveSession) -> None:
        """Any session ended: drop it from whatever it took part in."""
        sid = session.session_id
        if self.demo is session:
            self.demo_stop(session, reason="instructor left")
        if sid in self.staff:
            self.staff.pop(sid, None)
            for (staff_sid, learner), _relay in list(self.relays.items()):
                if staff_sid == sid:
                    self._stop_watch(session, learner, "watcher left")
            for other in self.learners.values():
                if other.pair_session == sid or other.pair_asked_by == sid:
                    self._end_pair(other, by=session.user, reason="instructor left")
            return
        state = self.learners.get(session.user)
        if state is None or state.session is not session:
            return
        for staff_sid in list(state.watchers):
            watcher = self.staff.get(staff_sid)
            if watcher is not None:
                self._stop_watch(watcher, state.name, "learner left")
        if state.paired_with or state.pair_asked_by:
            self._end_pair(state, by=state.name, reason="learner left")
        relay = self.demo_relays.pop(state.name, None)
        if relay is not None and self.demo is not None:
            relay.close()
            self.demo.observers.discard(relay)
        state.session = None
        self._lower(state.name)
        self._changed(state.name)

    def state_of(self, name: str) -> LearnerState:
        state = self.learners.get(name)
        if state is None:
            state = self.learners[name] = LearnerState(name=name, cohort=self.cohort_of(name))
        return state

    # -- learner events --------------------------------------------------------------------------

    def exercise_opened(
        self, learner: str, course: str, exercise: str, title: str, progress: dict[str, Any]
    ) -> None:
        """The learner opened an exercise (its progress so far: attempts, hints, state)."""
        state = self.state_of(learner)
        if (state.course, state.exercise) != (course, exercise):
            state.course, state.exercise, state.title = course, exercise, title
            state.opened_at = self.clock()
            state.checks_here = int(progress.get("attempts") or 0)
            state.hints_here = int(progress.get("hints_used") or 0)
            state.passed_here = progress.get("state") == "passed"
            state.failed_in_a_row = 0
            state.last_check = None
        self._changed(learner)

    def check_finished(
        self, learner: str, course: str, exercise: str, result: dict[str, Any]
    ) -> None:
        """A server-run Check finished with ``result`` (the courses' result schema)."""
        state = self.state_of(learner)
        if (state.course, state.exercise) != (course, exercise):
            state.course, state.exercise = course, exercise
            state.opened_at = state.opened_at or self.clock()
            state.checks_here = 0
            state.failed_in_a_row = 0
        status = str(result.get("status") or "error")
        failing = ""
        for test in result.get("tests") or []:
            if isinstance(test, dict) and test.get("status") != "passed":
                failing = sanitize(test.get("name") or "", 120)
                break
        state.checks_here += 1
        if status == "passed":
            state.passed_here = True
            state.failed_in_a_row = 0
        else:
            state.failed_in_a_row += 1
        state.last_check = {"status": status, "test": failing, "at": self.clock()}
        self._changed(learner)

    def hint_used(self, learner: str, course: str, exercise: str, count: int) -> None:
        """The learner revealed a hint (``count`` revealed now on this exercise)."""
        state = self.state_of(learner)
        if (state.course, state.exercise) == (course, exercise):
            state.hints_here = count
            self._changed(learner)

    def tick(self) -> None:
        """Once a second: learners who went idle or came back get their row pushed."""
        limit = self.rules.idle_minutes * 60
        for state in self.learners.values():
            if state.session is None:
                continue
            idle = state.session.idle_seconds() >= limit
            if idle != state.idle:
                state.idle = idle
                self._changed(state.name)

    def _start_ticker(self) -> None:
        if self._ticker is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return

        def again() -> None:
            self._ticker = None
            self.tick()
            if self.staff or any(s.session for s in self.learners.values()):
                self._ticker = loop.call_later(1.0, again)

        self._ticker = loop.call_later(1.0, again)

    # -- the roster ------------------------------------------------------------------------------

    def row(self, state: LearnerState) -> dict[str, Any]:
        """One roster row (JSON-ready; text already sanitised)."""
        now = self.clock()
        session = state.session
        idle_for = session.idle_seconds() if session is not None else None
        stuck = ""
        if state.exercise and not state.passed_here:
            if state.failed_in_a_row >= self.rules.failed_checks:
                stuck = f"{state.failed_in_a_row} failed checks in a row"
            elif (
                state.opened_at is not None
                and now - state.opened_at >= self.rules.minutes_on_exercise * 60
            ):
                stuck = f"over {int(self.rules.minutes_on_exercise)} min on this exercise"
        hand = self.hand_of(state.name)
        return {
            "name": state.name,
            "cohort": state.cohort,
            "online": session is not None,
            "course": state.course,
            "exercise": state.exercise,
            "title": sanitize(state.title, 80),
            "opened_at": state.opened_at,
            "checks": state.checks_here,
            "failed_in_a_row": state.failed_in_a_row,
            "passed": state.passed_here,
            "last_check": state.last_check,
            "hints": state.hints_here,
            "idle_since": (now - idle_for) if idle_for is not None else None,
            "idle": state.idle,
            "hand": (
                {"position": hand[0], "text": hand[1].text, "at": hand[1].at} if hand else None
            ),
            "stuck": stuck,
            "watchers": sorted(set(state.watchers.values())),
            "paired_with": state.paired_with,
            "locked": state.lock_message is not None,
            "cols": session.size[0] if session is not None else None,
            "rows": session.size[1] if session is not None else None,
        }

    def roster(self) -> list[dict[str, Any]]:
        """Every learner's row, online first, then by name."""
        states = sorted(self.learners.values(), key=lambda s: (not s.online, s.name))
        return [self.row(s) for s in states]

    def queue_rows(self) -> list[dict[str, Any]]:
        """The help queue in arrival order."""
        return [
            {"learner": h.learner, "text": h.text, "at": h.at, "position": i + 1}
            for i, h in enumerate(self.queue)
        ]

    def _changed(self, learner: str) -> None:
        self._dirty.add(learner)
        self._schedule()

    def _schedule(self) -> None:
        if self._flush_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        # Coalesce the events of one loop turn into one push per subscriber (well under 1 s).
        self._flush_handle = loop.call_soon(self.flush)

    def flush(self) -> None:
        """Push the changed rows (and the queue, if it changed) to every subscribed console."""
        self._flush_handle = None
        if not self._dirty and not self._queue_dirty:
            return
        rows = [self.row(self.learners[n]) for n in sorted(self._dirty) if n in self.learners]
        queue = self.queue_rows() if self._queue_dirty else None
        self._dirty.clear()
        self._queue_dirty = False
        update = protocol.RosterUpdate(learners=rows, queue=queue)
        for staff in list(self.staff.values()):
            staff.push(update)

    # -- the help queue --------------------------------------------------------------------------

    def hand_of(self, learner: str) -> tuple[int, HandRaise] | None:
        for index, hand in enumerate(self.queue):
            if hand.learner == learner:
                return index + 1, hand
        return None

    def raise_hand(self, session: LiveSession, text: str) -> int:
        """A learner asks for help; returns their place in the queue (raising twice keeps the
        place and updates the note)."""
        clean = sanitize(text.strip(), MAX_HAND_TEXT)
        existing = self.hand_of(session.user)
        if existing is not None and existing[1].text == clean:
            return existing[0]  # the same request again: nothing new to record or push
        if existing is not None:
            existing[1].text = clean
        else:
            self.queue.append(HandRaise(session.user, clean, self.clock()))
        self.record("hand_raised", session, text=clean)
        self._queue_changed()
        return self.hand_of(session.user)[0]  # type: ignore[index]

    def lower_hand(self, session: LiveSession) -> None:
        """The learner no longer needs help."""
        if self._lower(session.user):
            self.record("hand_lowered", session)

    def help_done(self, staff: LiveSession, learner: str) -> bool:
        """Staff marked a learner's request as dealt with."""
        if not self._lower(learner):
            return False
        self.record("help_done", staff, learner=learner)
        return True

    def _lower(self, learner: str) -> bool:
        before = len(self.queue)
        self.queue = [h for h in self.queue if h.learner != learner]
        if len(self.queue) == before:
            return False
        self._queue_changed()
        return True

    def _queue_changed(self) -> None:
        self._queue_dirty = True
        for hand in self.queue:
            self._dirty.add(hand.learner)
            state = self.learners.get(hand.learner)
            if state is not None:
                self._tell_learner(state)
        # Those who just left the queue need to hear it too.
        for state in self.learners.values():
            if state.online and self.hand_of(state.name) is None:
                self._dirty.add(state.name)
                self._tell_learner(state)
        self._schedule()

    # -- what the learner's screen shows about the class -----------------------------------------

    def _tell_learner(self, state: LearnerState) -> None:
        session = state.session
        if session is None:
            return
        hand = self.hand_of(state.name)
        session.push(
            protocol.ClassState(
                watched_by=sorted(set(state.watchers.values())),
                pair_by=state.paired_with,
                pair_asked_by=(
                    self.staff[state.pair_asked_by].user
                    if state.pair_asked_by in self.staff
                    else None
                ),
                hand=hand[0] if hand else None,
                locked=state.lock_message is not None,
                lock_message=state.lock_message or "",
                demo_by=self.demo.user if self.demo is not None else None,
            )
        )

    # -- messages --------------------------------------------------------------------------------

    def message(self, staff: LiveSession, learner: str | None, text: str) -> int:
        """A message from staff to one learner (or, ``learner`` None, to everyone online);
        returns how many learners it reached."""
        clean = sanitize(text.strip(), MAX_MESSAGE)
        targets = (
            [s for s in self.learners.values() if s.online]
            if learner is None
            else [s for s in [self.learners.get(learner)] if s is not None and s.online]
        )
        note = protocol.Notify(
            text=clean,
            title=f"Message from {staff.user}" + (" to the class" if learner is None else ""),
            severity="information",
        )
        for state in targets:
            assert state.session is not None
            state.session.push(note)
        self.record(
            "message", staff, to=learner if learner is not None else "*", text=clean,
            delivered=len(targets),
        )
        return len(targets)

    # -- watching --------------------------------------------------------------------------------

    def watch(self, staff: LiveSession, learner: str) -> tuple[int, int]:
        """Start relaying ``learner``'s screen to ``staff``; returns the learner's terminal size.

        Raises:
            LookupError: the learner is not online.
        """
        state = self.learners.get(learner)
        if state is None or state.session is None:
            raise LookupError(learner)
        key = (staff.session_id, learner)
        if key not in self.relays:
            relay = WatchRelay(state.session, staff, staff.user)
            self.relays[key] = relay
            state.session.observers.add(relay)
            state.watchers[staff.session_id] = staff.user
            self.record(
                "watch_start", staff, learner=learner, learner_session=state.session.session_id
            )
            self._changed(learner)
            self._tell_learner(state)
        # A full picture: the learner's TUI redraws everything once (the hook exists for this).
        self.relays[key].reset_pending = True
        state.session.request_repaint()
        self.relays[key].last_resync = time.monotonic()
        return state.session.size

    def unwatch(self, staff: LiveSession, learner: str) -> bool:
        """Stop relaying; False if ``staff`` was not watching ``learner``."""
        return self._stop_watch(staff, learner, "stopped")

    def _stop_watch(self, staff: LiveSession, learner: str, reason: str) -> bool:
        relay = self.relays.pop((staff.session_id, learner), None)
        if relay is None:
            return False
        relay.close()
        state = self.learners.get(learner)
        if state is not None:
            state.watchers.pop(staff.session_id, None)
            if state.session is not None:
                state.session.observers.discard(relay)
                self._tell_learner(state)
            self._changed(learner)
        self.record(
            "watch_end", staff, learner=learner, reason=reason,
            bytes=relay.sent, dropped=relay.dropped,
        )
        if reason != "stopped":
            staff.push(protocol.WatchEnd(learner=learner, reason=reason))
        return True

    # -- pairing ---------------------------------------------------------------------------------

    def pair_ask(self, staff: LiveSession, learner: str) -> None:
        """Staff ask to type in a learner's session; the learner is asked on screen.

        Raises:
            LookupError: the learner is not online.
            PermissionError: someone else is already paired with (or asking) this learner.
        """
        state = self.learners.get(learner)
        if state is None or state.session is None:
            raise LookupError(learner)
        if state.pair_session not in (None, staff.session_id) or state.pair_asked_by not in (
            None, staff.session_id,
        ):
            raise PermissionError(learner)
        if state.pair_session == staff.session_id:
            return
        state.pair_asked_by = staff.session_id
        self.record("pair_asked", staff, learner=learner)
        self._tell_learner(state)
        self._changed(learner)

    def pair_answer(self, session: LiveSession, accept: bool) -> str | None:
        """The learner answered a pairing request; returns the staff name, or None if no
        request was waiting."""
        state = self.learners.get(session.user)
        if state is None or state.session is not session or state.pair_asked_by is None:
            return None
        staff = self.staff.get(state.pair_asked_by)
        state.pair_asked_by = None
        if staff is None:
            self._tell_learner(state)
            return None
        if accept:
            state.pair_session = staff.session_id
            state.paired_with = staff.user
            self.record("pair_start", session, by=staff.user, staff_session=staff.session_id)
        else:
            self.record("pair_declined", session, by=staff.user)
        staff.push(
            protocol.PairState(learner=state.name, state="active" if accept else "declined")
        )
        self._tell_learner(state)
        self._changed(state.name)
        return staff.user

    def pair_keys(self, staff: LiveSession, learner: str, data: bytes) -> bool:
        """Staff keystrokes for a learner: typed into their session only while paired."""
        state = self.learners.get(learner)
        if (
            state is None
            or state.session is None
            or state.pair_session != staff.session_id
            or state.lock_message is not None
        ):
            return False
        state.session.inject_input(data, staff.user)
        return True

    def pair_end_by_staff(self, staff: LiveSession, learner: str) -> bool:
        state = self.learners.get(learner)
        if state is None or staff.session_id not in (state.pair_session, state.pair_asked_by):
            return False
        self._end_pair(state, by=staff.user, reason="ended by instructor")
        return True

    def pair_end_by_learner(self, session: LiveSession) -> bool:
        state = self.learners.get(session.user)
        if state is None or (state.pair_session is None and state.pair_asked_by is None):
            return False
        self._end_pair(state, by=session.user, reason="ended by learner")
        return True

    def _end_pair(self, state: LearnerState, *, by: str, reason: str) -> None:
        staff_sid = state.pair_session or state.pair_asked_by
        was_active = state.pair_session is not None
        state.pair_session = None
        state.pair_asked_by = None
        state.paired_with = None
        staff = self.staff.get(staff_sid or "")
        self.audit.append(
            "pair_end" if was_active else "pair_cancelled",
            actor=by,
            session=state.session.session_id if state.session is not None else None,
            learner=state.name,
            staff=staff.user if staff is not None else None,
            reason=reason,
        )
        if staff is not None:
            staff.push(protocol.PairState(learner=state.name, state="ended"))
        self._tell_learner(state)
        self._changed(state.name)

    # -- locks -----------------------------------------------------------------------------------

    def lock(self, staff: LiveSession, learner: str | None, message: str) -> int:
        """Lock one learner's screen (or, ``learner`` None, everyone online): their TUI saves
        and shows ``message``; their keys are ignored until unlocked. Returns how many."""
        text = sanitize(message.strip(), MAX_MESSAGE) or "Eyes on the instructor, please."
        targets = self._targets(learner)
        for state in targets:
            state.lock_message = text
            assert state.session is not None
            state.session.keys_locked = True
            if state.pair_session or state.pair_asked_by:
                self._end_pair(state, by=staff.user, reason="screen locked")
            self._tell_learner(state)
            self._changed(state.name)
        self.record(
            "lock", staff, learner=learner if learner is not None else "*", message=text,
            count=len(targets),
        )
        return len(targets)

    def unlock(self, staff: LiveSession, learner: str | None) -> int:
        """Release locked screens (one learner, or everyone)."""
        targets = [s for s in self._targets(learner) if s.lock_message is not None]
        for state in targets:
            state.lock_message = None
            assert state.session is not None
            state.session.keys_locked = False
            self._tell_learner(state)
            self._changed(state.name)
        self.record(
            "unlock", staff, learner=learner if learner is not None else "*", count=len(targets)
        )
        return len(targets)

    def _targets(self, learner: str | None) -> list[LearnerState]:
        if learner is None:
            return [s for s in self.learners.values() if s.online]
        state = self.learners.get(learner)
        if state is None or not state.online:
            raise LookupError(learner)
        return [state]

    # -- demo mode: the class watches the instructor ---------------------------------------------

    def demo_start(self, staff: LiveSession) -> int:
        """Show ``staff``'s screen to every online learner (and those who log in meanwhile),
        read-only; returns how many learners see it.

        Raises:
            PermissionError: another instructor's demo is running.
        """
        if self.demo is not None and self.demo is not staff:
            raise PermissionError(self.demo.user)
        self.demo = staff
        for state in self.learners.values():
            if state.online and state.name not in self.demo_relays:
                self._demo_to(state, repaint=False)
                self._tell_learner(state)
        staff.request_repaint()  # a full picture for everyone
        self.record("demo_start", staff, learners=len(self.demo_relays))
        return len(self.demo_relays)

    def _demo_to(self, state: LearnerState, repaint: bool = True) -> None:
        assert self.demo is not None and state.session is not None
        relay = WatchRelay(self.demo, state.session, state.name)
        self.demo_relays[state.name] = relay
        self.demo.observers.add(relay)
        if repaint:  # a learner who joined during the demo needs a full picture
            self.demo.request_repaint()

    def demo_stop(self, staff: LiveSession, reason: str = "stopped") -> bool:
        """End demo mode (only the instructor who started it, or their leaving)."""
        if self.demo is not staff:
            return False
        for relay in self.demo_relays.values():
            relay.close()
            staff.observers.discard(relay)
        shown = len(self.demo_relays)
        self.demo_relays.clear()
        self.demo = None
        for state in self.learners.values():
            self._tell_learner(state)
        self.record("demo_end", staff, reason=reason, learners=shown)
        return True
