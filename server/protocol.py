"""The control channel between a session's TUI and the server: typed messages as JSON lines.

This module is shared by both sides and imports nothing but the standard library, so the TUI can
use it inside its sandbox (ARCHITECTURE: "the only way a TUI asks for anything").

Every message is a frozen dataclass: one per request, one per reply, one per push. Decoding is
the one place where untrusted lines are judged: an unknown ``type``, a missing or extra field, a
value of the wrong type or a string over its length limit is a :class:`ProtocolError`, so a
handler only ever sees a well-formed request object and never re-validates.

Wire format: one JSON object per line, UTF-8, at most ``MAX_LINE`` bytes, with a ``type``. A
request carries an integer ``id``; its answer carries the same ``id`` with ``type`` ``"ok"``
(plus the reply's fields) or ``"error"`` (plus ``message``, plain words for the person). Pushes
are unsolicited; those tied to a request (run output, check results) name its ``run_id`` in ``id``.

To add a message: write the dataclass here with :func:`request` / :func:`push` (and its reply
with ``Reply``), then register a handler for the roles that may use it (deny by default).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin

VERSION = 2
MAX_LINE = 1 << 20  # 1 MiB: a larger line is a protocol error, never buffered without bound

ID = 64
"""Length limit of ids and names (course, exercise, run, version, op)."""
PATH = 255
"""Length limit of a workspace-relative path."""
TEXT = 2000
"""Length limit of a short free text (a commit message, a notification)."""


class ProtocolError(ValueError):
    """A line that is not a valid control-channel message."""


def limit(n: int) -> Any:
    """A dataclass field whose strings (or list items) may be at most ``n`` characters."""
    return field(metadata={"max": n})


def opt(n: int) -> Any:
    """An optional string field (default None) of at most ``n`` characters."""
    return field(default=None, metadata={"max": n})


# -- the three kinds of message ---------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Message:
    """Base of every message; ``TYPE`` is the wire ``type``."""

    TYPE: ClassVar[str] = ""

    def to_wire(self) -> dict[str, Any]:
        """The JSON object for this message (``type`` first)."""
        return {"type": self.TYPE, **{f.name: getattr(self, f.name) for f in fields_of(type(self))}}


@dataclass(frozen=True, kw_only=True)
class Reply(Message):
    """The ``ok`` answer to a request; subclasses add the result fields."""

    TYPE: ClassVar[str] = "ok"
    id: int = 0


@dataclass(frozen=True, kw_only=True)
class Error(Message):
    """The ``error`` answer to a request: ``message`` is shown to the person, so keep it plain."""

    TYPE: ClassVar[str] = "error"
    id: int = 0
    message: str = field(default="", metadata={"max": TEXT})


@dataclass(frozen=True, kw_only=True)
class Request(Message):
    """A request from the TUI; ``REPLY`` is the type of its ``ok`` answer."""

    REPLY: ClassVar[type[Reply]] = Reply
    id: int = 0


@dataclass(frozen=True, kw_only=True)
class Push(Message):
    """An unsolicited message from the server."""


REQUESTS: dict[str, type[Request]] = {}
PUSHES: dict[str, type[Push]] = {}

R = TypeVar("R", bound=type[Request])
P = TypeVar("P", bound=type[Push])


def request(cls: R) -> R:
    """Register a request class under its ``TYPE``."""
    _register(REQUESTS, cls)
    return cls


def push(cls: P) -> P:
    """Register a push class under its ``TYPE``."""
    _register(PUSHES, cls)
    return cls


def _register(table: dict[str, Any], cls: type[Message]) -> None:
    if not cls.TYPE or cls.TYPE in REQUESTS or cls.TYPE in PUSHES or cls.TYPE in ("ok", "error"):
        raise TypeError(f"message type {cls.TYPE!r} is empty or taken")
    table[cls.TYPE] = cls


# -- requests (TUI -> server) and their replies -------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class HelloReply(Reply):
    user: str = limit(ID)
    role: str = limit(ID)
    session: str = limit(ID)
    uid_mode: str = limit(ID)


@request
@dataclass(frozen=True, kw_only=True)
class Hello(Request):
    """First request of every TUI: who am I?"""

    TYPE = "hello"
    REPLY = HelloReply
    role: str = limit(ID)
    version: int = VERSION


@dataclass(frozen=True, kw_only=True)
class CourseMapReply(Reply):
    stages: list[dict[str, Any]] = field(default_factory=list)
    last: dict[str, Any] | None = None


@request
@dataclass(frozen=True, kw_only=True)
class CourseMap(Request):
    """The programme by stage with this learner's progress (see tui/course_view)."""

    TYPE = "course_map"
    REPLY = CourseMapReply


@dataclass(frozen=True, kw_only=True)
class ExerciseReply(Reply):
    exercise: dict[str, Any] = field(default_factory=dict)
    progress: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ExerciseRequest(Request):
    """Base of the requests about one exercise."""

    course: str = limit(ID)
    exercise: str = limit(ID)


@request
@dataclass(frozen=True, kw_only=True)
class OpenExercise(ExerciseRequest):
    """Open an exercise: the server provisions its starter files into the workspace."""

    TYPE = "exercise"
    REPLY = ExerciseReply


@dataclass(frozen=True, kw_only=True)
class SavedReply(Reply):
    version: str | None = None


@request
@dataclass(frozen=True, kw_only=True)
class Saved(Request):
    """The TUI saved these files (workspace-relative): snapshot them into history."""

    TYPE = "saved"
    REPLY = SavedReply
    paths: list[str] = limit(PATH)

    MAX_PATHS: ClassVar[int] = 64


@dataclass(frozen=True, kw_only=True)
class RunStarted(Reply):
    run_id: str = limit(ID)


@request
@dataclass(frozen=True, kw_only=True)
class Run(ExerciseRequest):
    """Run the exercise's program; output follows as RunOutput pushes, then RunEnd."""

    TYPE = "run"
    REPLY = RunStarted


@request
@dataclass(frozen=True, kw_only=True)
class Check(ExerciseRequest):
    """Check the exercise; the result follows as a CheckResult push."""

    TYPE = "check"
    REPLY = RunStarted


@request
@dataclass(frozen=True, kw_only=True)
class Stop(Request):
    """Stop a running Run or Check."""

    TYPE = "stop"
    run_id: str = limit(ID)


@dataclass(frozen=True, kw_only=True)
class HintReply(Reply):
    index: int = 0
    text: str = ""
    total: int = 0


@request
@dataclass(frozen=True, kw_only=True)
class Hint(ExerciseRequest):
    """Reveal the next hint."""

    TYPE = "hint"
    REPLY = HintReply


@dataclass(frozen=True, kw_only=True)
class HistoryReply(Reply):
    versions: list[dict[str, Any]] = field(default_factory=list)


@request
@dataclass(frozen=True, kw_only=True)
class History(ExerciseRequest):
    """The saved versions of the exercise's files."""

    TYPE = "history"
    REPLY = HistoryReply


@dataclass(frozen=True, kw_only=True)
class DiffReply(Reply):
    diff: str = ""


@request
@dataclass(frozen=True, kw_only=True)
class HistoryDiff(ExerciseRequest):
    """What changed between ``version`` and ``against`` (None: the latest snapshot)."""

    TYPE = "history_diff"
    REPLY = DiffReply
    version: str = limit(ID)
    against: str | None = opt(ID)


@dataclass(frozen=True, kw_only=True)
class RestoredReply(Reply):
    restored: list[str] = field(default_factory=list)


@request
@dataclass(frozen=True, kw_only=True)
class Restore(ExerciseRequest):
    """Put back a saved version of the exercise (or of one ``path`` in it)."""

    TYPE = "restore"
    REPLY = RestoredReply
    version: str = limit(ID)
    path: str | None = opt(PATH)


@request
@dataclass(frozen=True, kw_only=True)
class Reset(ExerciseRequest):
    """Start the exercise again from its starter files (history keeps the old ones)."""

    TYPE = "reset"
    REPLY = RestoredReply


@dataclass(frozen=True, kw_only=True)
class GitReply(Reply):
    result: dict[str, Any] = field(default_factory=dict)


@request
@dataclass(frozen=True, kw_only=True)
class Git(ExerciseRequest):
    """A Git panel operation (status, stage, commit, branch, switch, merge, log, ...)."""

    TYPE = "git"
    REPLY = GitReply
    op: str = limit(32)
    args: dict[str, Any] = field(default_factory=dict)


# -- pushes (server -> TUI) ---------------------------------------------------------------------

Severity = Literal["information", "warning", "error"]


@push
@dataclass(frozen=True, kw_only=True)
class Notify(Push):
    """A notification for the person."""

    TYPE = "notify"
    text: str = limit(TEXT)
    severity: Severity = "information"
    title: str = field(default="", metadata={"max": 200})


@push
@dataclass(frozen=True, kw_only=True)
class Repaint(Push):
    """Redraw the whole screen (an observer attached)."""

    TYPE = "repaint"


@push
@dataclass(frozen=True, kw_only=True)
class Shutdown(Push):
    """Save everything now; the session is ending."""

    TYPE = "shutdown"
    reason: str = limit(TEXT)


@push
@dataclass(frozen=True, kw_only=True)
class RunOutput(Push):
    """A piece of a running program's output."""

    TYPE = "run_output"
    id: str = limit(ID)
    stream: Literal["stdout", "stderr"] = "stdout"
    data: str = ""


@push
@dataclass(frozen=True, kw_only=True)
class RunEnd(Push):
    """A Run finished (``error``: it could not be started at all)."""

    TYPE = "run_end"
    id: str = limit(ID)
    exit_code: int | None = None
    signal: int | None = None
    limit: str | None = None
    duration: float = 0.0
    truncated: bool = False
    error: str | None = None


@push
@dataclass(frozen=True, kw_only=True)
class CheckResult(Push):
    """A Check finished: ``result`` follows the courses' result schema."""

    TYPE = "check_result"
    id: str = limit(ID)
    result: dict[str, Any] = field(default_factory=dict)


@push
@dataclass(frozen=True, kw_only=True)
class Progress(Push):
    """This learner's progress on an exercise changed."""

    TYPE = "progress"
    course: str = limit(ID)
    exercise: str = limit(ID)
    state: str = limit(ID)
    attempts: int = 0
    hints_used: int = 0


# -- the auditor's desk (auditor and admin only; server/audit_desk.py) -------------------------


@dataclass(frozen=True, kw_only=True)
class AuditSessionsReply(Reply):
    sessions: list[dict[str, Any]] = field(default_factory=list)


@request
@dataclass(frozen=True, kw_only=True)
class AuditSessions(Request):
    """Recorded sessions, newest first, with refusal counts and exercises touched."""

    TYPE = "audit_sessions"
    REPLY = AuditSessionsReply
    user: str | None = opt(ID)
    role: str | None = opt(ID)
    since: str | None = opt(ID)
    until: str | None = opt(ID)
    exercise: str | None = opt(ID)
    refusals_only: bool = False
    limit: int = 500


@dataclass(frozen=True, kw_only=True)
class AuditEventsReply(Reply):
    events: list[dict[str, Any]] = field(default_factory=list)
    started: str = ""


@request
@dataclass(frozen=True, kw_only=True)
class AuditSessionEvents(Request):
    """A session's audit events (and events naming it), with seconds from its start."""

    TYPE = "audit_events"
    REPLY = AuditEventsReply
    session: str = limit(ID)


@dataclass(frozen=True, kw_only=True)
class AuditRecordingReply(Reply):
    data: str = ""
    """Base64 of the recording's bytes from ``offset`` (untrusted: emulate, never print)."""
    offset: int = 0
    next_offset: int = 0
    size: int = 0
    live: bool = False


@request
@dataclass(frozen=True, kw_only=True)
class AuditRecording(Request):
    """A piece of a session's recording (``follow``: watching it live)."""

    TYPE = "audit_recording"
    REPLY = AuditRecordingReply
    session: str = limit(ID)
    offset: int = 0
    follow: bool = False


@dataclass(frozen=True, kw_only=True)
class AuditSearchReply(Reply):
    hits: list[dict[str, Any]] = field(default_factory=list)


@request
@dataclass(frozen=True, kw_only=True)
class AuditSearch(Request):
    """Full-text search over typed text, screen text and audit events."""

    TYPE = "audit_search"
    REPLY = AuditSearchReply
    query: str = limit(500)
    user: str | None = opt(ID)
    limit: int = 100


@dataclass(frozen=True, kw_only=True)
class AuditExportReply(Reply):
    folder: str = limit(PATH)
    events: int = 0
    checkpoint: int = 0


@request
@dataclass(frozen=True, kw_only=True)
class AuditExport(Request):
    """Write a case-file export of one session on the server (under the data dir)."""

    TYPE = "audit_export"
    REPLY = AuditExportReply
    session: str = limit(ID)


@dataclass(frozen=True, kw_only=True)
class AuditCodeReply(Reply):
    version: str | None = None
    time: str = ""
    message: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)
    """``{path, text, truncated}`` (untrusted text: make it visible before drawing)."""


@request
@dataclass(frozen=True, kw_only=True)
class AuditCode(Request):
    """The learner's files as saved at ``t`` seconds into a session (from their history)."""

    TYPE = "audit_code"
    REPLY = AuditCodeReply
    session: str = limit(ID)
    t: float = 0.0


# -- encoding and decoding ----------------------------------------------------------------------


def fields_of(cls: type[Message]) -> tuple[dataclasses.Field[Any], ...]:
    """The wire fields of a message class."""
    return dataclasses.fields(cls)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type[Message]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def encode(message: Message) -> bytes:
    """Serialise one message to a newline-terminated JSON line.

    Raises:
        ProtocolError: the message is larger than ``MAX_LINE``.
    """
    line = json.dumps(message.to_wire(), ensure_ascii=False, separators=(",", ":")).encode()
    if len(line) + 1 > MAX_LINE:
        raise ProtocolError(f"{message.TYPE} message of {len(line)} bytes exceeds {MAX_LINE}")
    return line + b"\n"


def parse(line: bytes) -> dict[str, Any]:
    """Parse one line into a JSON object with a string ``type`` (the envelope only).

    Raises:
        ProtocolError: too long, not JSON, not an object, or no ``type``.
    """
    if len(line) > MAX_LINE:
        raise ProtocolError("line too long")
    try:
        raw = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ProtocolError("not a JSON object")
    if not isinstance(raw.get("type"), str):
        raise ProtocolError("message has no type")
    return raw


def decode_request(line: bytes) -> Request:
    """A request line from a TUI, fully validated.

    Raises:
        ProtocolError: anything but a well-formed, known request.
    """
    raw = parse(line)
    cls = REQUESTS.get(raw["type"])
    if cls is None:
        raise ProtocolError(f"unknown request type {raw['type'][:40]!r}")
    _need_id(raw)
    return build(cls, raw)


def decode_push(raw: dict[str, Any]) -> Push:
    """A push (already parsed), fully validated.

    Raises:
        ProtocolError: an unknown push or a malformed one.
    """
    cls = PUSHES.get(raw["type"])
    if cls is None:
        raise ProtocolError(f"unknown push type {raw['type'][:40]!r}")
    return build(cls, raw)


def decode_reply(raw: dict[str, Any], request_cls: type[Request]) -> Reply | Error:
    """The answer (already parsed) to a request of ``request_cls``.

    Raises:
        ProtocolError: not an ok/error answer of the expected shape.
    """
    _need_id(raw)
    if raw["type"] == "error":
        return build(Error, raw)
    if raw["type"] != "ok":
        raise ProtocolError(f"{raw['type'][:40]!r} is not a reply")
    return build(request_cls.REPLY, raw)


def _need_id(raw: dict[str, Any]) -> None:
    ident = raw.get("id")
    if not isinstance(ident, int) or isinstance(ident, bool):
        raise ProtocolError(f"{raw['type'][:40]} needs an integer id")


M = TypeVar("M", bound=Message)


def build(cls: type[M], raw: dict[str, Any]) -> M:
    """Make a ``cls`` from a JSON object, checking every field against its declared type.

    Raises:
        ProtocolError: an unknown, missing or mistyped field, or a string over its limit.
    """
    hints = _hints(cls)
    known = {f.name: f for f in fields_of(cls)}
    extra = set(raw) - set(known) - {"type"}
    if extra:
        raise ProtocolError(f"{cls.TYPE}: unknown field {sorted(extra)[0][:40]!r}")
    values: dict[str, Any] = {}
    for name, f in known.items():
        if name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ProtocolError(f"{cls.TYPE}: missing field {name!r}")
            continue
        value = raw[name]
        if not _conforms(value, hints[name], f.metadata.get("max")):
            raise ProtocolError(f"{cls.TYPE}: bad value for {name!r}")
        values[name] = value
    return cls(**values)


def _conforms(value: Any, hint: Any, max_len: int | None) -> bool:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(_conforms(value, arm, max_len) for arm in get_args(hint))
    if origin is Literal:
        return value in get_args(hint)
    if hint is type(None):
        return value is None
    if hint is Any:
        return True
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str) and (max_len is None or len(value) <= max_len)
    if origin is list:
        (item,) = get_args(hint)
        return isinstance(value, list) and all(_conforms(v, item, max_len) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(isinstance(k, str) for k in value)
    return False


class LineBuffer:
    """Splits a byte stream into lines, refusing any line longer than ``MAX_LINE``."""

    def __init__(self, limit: int = MAX_LINE) -> None:
        self._buf = bytearray()
        self._limit = limit

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the complete lines (without newline) now available.

        Raises:
            ProtocolError: a line grew past the limit (the buffer is then cleared).
        """
        self._buf += data
        lines: list[bytes] = []
        while True:
            end = self._buf.find(b"\n")
            if end < 0:
                break
            lines.append(bytes(self._buf[:end]))
            del self._buf[: end + 1]
        if len(self._buf) > self._limit:
            self._buf.clear()
            raise ProtocolError("line too long")
        return lines


# -- the live class: instructor console and the learner's side of it (H7) ------------------------
# Staff requests are registered only for instructor/admin sessions (server/staff_desk.py); the
# learner's class requests only for learners. Learner output reaches a watcher as base64 bytes
# (never parsed by the server): the watcher's TUI emulates them (tui/widgets/terminal_view.py).

NAME = 32
"""Length limit of an account name."""


@dataclass(frozen=True, kw_only=True)
class RosterReply(Reply):
    learners: list[dict[str, Any]] = field(default_factory=list)
    queue: list[dict[str, Any]] = field(default_factory=list)
    now: float = 0.0
    rules: dict[str, Any] = field(default_factory=dict)


@request
@dataclass(frozen=True, kw_only=True)
class Roster(Request):
    """Every learner's roster row and the help queue; RosterUpdate pushes follow."""

    TYPE = "roster"
    REPLY = RosterReply


@dataclass(frozen=True, kw_only=True)
class WatchReply(Reply):
    cols: int = 80
    rows: int = 24


@request
@dataclass(frozen=True, kw_only=True)
class Watch(Request):
    """Watch a learner's screen read-only: WatchOutput pushes follow (a repaint first)."""

    TYPE = "watch"
    REPLY = WatchReply
    learner: str = limit(NAME)


@request
@dataclass(frozen=True, kw_only=True)
class Unwatch(Request):
    """Stop watching a learner."""

    TYPE = "unwatch"
    learner: str = limit(NAME)


@dataclass(frozen=True, kw_only=True)
class CountReply(Reply):
    count: int = 0


@request
@dataclass(frozen=True, kw_only=True)
class SendMessage(Request):
    """A message to one learner (``learner`` None: the whole class), shown as a notification."""

    TYPE = "message"
    REPLY = CountReply
    learner: str | None = opt(NAME)
    text: str = limit(500)


@request
@dataclass(frozen=True, kw_only=True)
class HelpDone(Request):
    """The learner's raised hand was dealt with: take it off the queue."""

    TYPE = "help_done"
    learner: str = limit(NAME)


@request
@dataclass(frozen=True, kw_only=True)
class PairAsk(Request):
    """Ask to type in a learner's session (the learner must accept on screen)."""

    TYPE = "pair"
    learner: str = limit(NAME)


@request
@dataclass(frozen=True, kw_only=True)
class PairKeys(Request):
    """Keystrokes for the paired learner's session (base64 of the bytes)."""

    TYPE = "pair_keys"
    learner: str = limit(NAME)
    data: str = limit(8192)


@request
@dataclass(frozen=True, kw_only=True)
class PairEnd(Request):
    """End a pairing (staff name the learner; a learner leaves it None)."""

    TYPE = "pair_end"
    learner: str | None = opt(NAME)


@request
@dataclass(frozen=True, kw_only=True)
class Lock(Request):
    """Lock one learner's screen (``learner`` None: everyone online) with a message."""

    TYPE = "lock"
    REPLY = CountReply
    learner: str | None = opt(NAME)
    message: str = field(default="", metadata={"max": 500})


@request
@dataclass(frozen=True, kw_only=True)
class Unlock(Request):
    """Release locked screens (one learner, or everyone)."""

    TYPE = "unlock"
    REPLY = CountReply
    learner: str | None = opt(NAME)


@dataclass(frozen=True, kw_only=True)
class LoginUnlockReply(Reply):
    locked_from: list[str] = field(default_factory=list)  # the addresses it was locked from
    failures: int = 0  # failed logins forgotten


@request
@dataclass(frozen=True, kw_only=True)
class LoginUnlock(Request):
    """Let a learner log in again: lift the login locks on their account and forget its failed
    logins (what ``slate user unlock NAME`` does). An instructor may do it for a learner's
    account, an admin for any account."""

    TYPE = "login_unlock"
    REPLY = LoginUnlockReply
    learner: str = limit(NAME)


@dataclass(frozen=True, kw_only=True)
class DetailReply(Reply):
    learner: str = limit(NAME)
    cohort: str | None = None
    progress: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)


@request
@dataclass(frozen=True, kw_only=True)
class LearnerDetail(Request):
    """One learner's progress across all courses and their recent Check results."""

    TYPE = "learner_detail"
    REPLY = DetailReply
    learner: str = limit(NAME)


@dataclass(frozen=True, kw_only=True)
class ExportReply(Reply):
    path: str = ""
    rows: int = 0


@request
@dataclass(frozen=True, kw_only=True)
class ExportProgress(Request):
    """Write the progress CSV on the server (``slate progress export`` does the same)."""

    TYPE = "export_progress"
    REPLY = ExportReply
    cohort: str | None = opt(ID)


@dataclass(frozen=True, kw_only=True)
class HandReply(Reply):
    position: int = 0


@request
@dataclass(frozen=True, kw_only=True)
class RaiseHand(Request):
    """A learner asks for help (with an optional short note); the reply is their place."""

    TYPE = "raise_hand"
    REPLY = HandReply
    text: str = field(default="", metadata={"max": 200})


@request
@dataclass(frozen=True, kw_only=True)
class LowerHand(Request):
    """The learner no longer needs help."""

    TYPE = "lower_hand"


@request
@dataclass(frozen=True, kw_only=True)
class PairAnswer(Request):
    """The learner's answer to a pairing request."""

    TYPE = "pair_answer"
    accept: bool = False


@request
@dataclass(frozen=True, kw_only=True)
class DemoStart(Request):
    """Demo mode: show this instructor's screen to every online learner, read-only."""

    TYPE = "demo_start"
    REPLY = CountReply


@request
@dataclass(frozen=True, kw_only=True)
class DemoStop(Request):
    """End demo mode."""

    TYPE = "demo_stop"


@request
@dataclass(frozen=True, kw_only=True)
class ReleaseHint(Request):
    """Reveal the next hint of the exercise a learner has open (``learner`` None: every
    online learner, each on their own exercise); they get it as a notification."""

    TYPE = "release_hint"
    REPLY = CountReply
    learner: str | None = opt(NAME)


@request
@dataclass(frozen=True, kw_only=True)
class LearnerHistory(ExerciseRequest):
    """The saved versions of one learner's work on an exercise (newest first)."""

    TYPE = "learner_history"
    REPLY = HistoryReply
    learner: str = limit(NAME)


@request
@dataclass(frozen=True, kw_only=True)
class LearnerDiff(ExerciseRequest):
    """What changed in a learner's exercise from ``version`` to ``against`` (None: latest)."""

    TYPE = "learner_diff"
    REPLY = DiffReply
    learner: str = limit(NAME)
    version: str = limit(ID)
    against: str | None = opt(ID)


@push
@dataclass(frozen=True, kw_only=True)
class RosterUpdate(Push):
    """Changed roster rows (and the whole help queue when it changed)."""

    TYPE = "roster_update"
    learners: list[dict[str, Any]] = field(default_factory=list)
    queue: list[dict[str, Any]] | None = None


@push
@dataclass(frozen=True, kw_only=True)
class WatchOutput(Push):
    """A chunk of a watched learner's terminal output: untrusted bytes, base64.

    ``reset``: start again from a blank screen (the learner's TUI is repainting, or output was
    dropped because the watcher fell behind).
    """

    TYPE = "watch_output"
    learner: str = limit(NAME)
    seq: int = 0
    data: str = ""
    cols: int = 80
    rows: int = 24
    reset: bool = False


@push
@dataclass(frozen=True, kw_only=True)
class WatchEnd(Push):
    """Watching stopped without being asked (the learner or the watcher left)."""

    TYPE = "watch_end"
    learner: str = limit(NAME)
    reason: str = limit(200)


@push
@dataclass(frozen=True, kw_only=True)
class PairState(Push):
    """A pairing changed: "active" (accepted), "declined" or "ended"."""

    TYPE = "pair_state"
    learner: str = limit(NAME)
    state: Literal["active", "declined", "ended"] = "ended"


@push
@dataclass(frozen=True, kw_only=True)
class ClassState(Push):
    """What the learner's own screen shows about the class: who watches, pairing, their place
    in the help queue, and whether their screen is locked."""

    TYPE = "class_state"
    watched_by: list[str] = limit(NAME)
    pair_by: str | None = opt(NAME)
    pair_asked_by: str | None = opt(NAME)
    hand: int | None = None
    locked: bool = False
    lock_message: str = field(default="", metadata={"max": 2000})
    demo_by: str | None = opt(NAME)
    """Demo mode: this instructor's screen is shown to the class (read-only) while set."""


# -- the learner's teaching console (H10; server/teaching_console.py) -------------------------


@dataclass(frozen=True, kw_only=True)
class ConsoleReply(Reply):
    output: str = ""
    """What the command printed, stdout and stderr in order (untrusted: make it visible)."""
    exit_code: int | None = None
    limit: str | None = None
    files_changed: bool = False
    truncated: bool = False


@request
@dataclass(frozen=True, kw_only=True)
class ConsoleCommand(ExerciseRequest):
    """One teaching-console line, run in the exercise folder (no shell; refused in plain words
    when outside the console's allowlist)."""

    TYPE = "console"
    REPLY = ConsoleReply
    line: str = limit(1000)


# -- the page preview of a page with scripts (the browser course) ------------------------------


@dataclass(frozen=True, kw_only=True)
class RenderPageReply(Reply):
    html: str = ""
    """The page as HTML after its scripts ran (untrusted: render it, never show it raw)."""
    errors: str = ""
    """What went wrong in the page's scripts, one sentence a line (untrusted)."""
    limit: str | None = None
    """The limit the run hit, if any (as a Run's)."""


@request
@dataclass(frozen=True, kw_only=True)
class RenderPage(ExerciseRequest):
    """Run a page's scripts the way the Run key does (``dom-page.cjs --html``, in a Run sandbox
    as the learner) and send back the page as it is afterwards, for the preview to render."""

    TYPE = "render_page"
    REPLY = RenderPageReply
    page: str = limit(255)


# -- milestones: staff sign off a learner's block of courses (server/milestones.py) -------------
# The staff requests are registered only for instructor/admin sessions (server/staff_desk.py);
# a learner's course map carries each stage's milestones in its ``stages`` (tui/course_view).

NOTE = 300
"""Length limit of a sign-off note or an undo reason."""


@dataclass(frozen=True, kw_only=True)
class MilestonesReply(Reply):
    milestones: list[dict[str, Any]] = field(default_factory=list)
    """Every milestone in programme order: ``id``, ``title``, ``stage``, ``courses``, ``total``."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    """One per learner and milestone they have started: ``learner``, ``cohort``, ``milestone``,
    ``title``, ``done``, ``total``, ``state`` (not_reached|ready|signed), ``signed_by``,
    ``signed_at``, ``note``; ready rows first."""
    truncated: bool = False


@request
@dataclass(frozen=True, kw_only=True)
class Milestones(Request):
    """Learners' milestone states for the console (``cohort`` None: everyone; ``learner``: only
    theirs, every milestone, started or not)."""

    TYPE = "milestones"
    REPLY = MilestonesReply
    cohort: str | None = opt(ID)
    learner: str | None = opt(NAME)


@dataclass(frozen=True, kw_only=True)
class MilestoneReply(Reply):
    learner: str = limit(NAME)
    milestone: str = limit(ID)
    state: str = limit(ID)
    signed_by: str | None = opt(NAME)
    signed_at: str | None = opt(ID)


@request
@dataclass(frozen=True, kw_only=True)
class MilestoneSignOff(Request):
    """Sign off a learner who is ready for a milestone (refused, and audited, otherwise)."""

    TYPE = "milestone_sign_off"
    REPLY = MilestoneReply
    learner: str = limit(NAME)
    milestone: str = limit(ID)
    note: str = field(default="", metadata={"max": NOTE})


@request
@dataclass(frozen=True, kw_only=True)
class MilestoneUndo(Request):
    """Take back a sign-off; the reason is required and kept."""

    TYPE = "milestone_undo"
    REPLY = MilestoneReply
    learner: str = limit(NAME)
    milestone: str = limit(ID)
    reason: str = field(default="", metadata={"max": NOTE})


@push
@dataclass(frozen=True, kw_only=True)
class MilestoneUpdate(Push):
    """A milestone sign-off was made or undone (to the learner, and to staff consoles)."""

    TYPE = "milestone_update"
    learner: str = limit(NAME)
    milestone: str = limit(ID)
    title: str = limit(200)
    state: str = limit(ID)
    by: str = limit(NAME)
    at: str = limit(ID)
