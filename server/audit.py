"""The audit trail: a hash-chained table of events, its verifier, and text sanitising.

Owns ``audit_events`` rows (their format and hashing), :func:`verify`, :func:`sanitize` and the
``ContextLogger`` every server module logs through. Invariants kept:

- **Tamper-evident records (5).** Each row stores ``hash = sha256(prev_hash + canonical_json(row
  without hash))``; the first row's ``prev_hash`` is 64 zeros. An append reads the last hash and
  inserts in one ``BEGIN IMMEDIATE`` transaction, so the server and CLI processes appending at the
  same time still make one chain. Editing a row breaks its hash; deleting a middle row leaves a gap
  in ids and a ``prev_hash`` that matches nothing; deleting the newest rows is caught two ways:
  SQLite's ``sqlite_sequence`` (ids are AUTOINCREMENT) still remembers the highest id written, and
  the *audit head file* beside the database (``slate.db.audit-head``: the newest id and hash,
  rewritten after every commit, only ever forward) names a row that is no longer there, and its
  absence is itself reported. A closed recording is checked against the sha256 in its
  ``session_end`` event. This is tamper-*evidence* against an intruder who edits the database: one
  who can rewrite the database, the head file and recordings consistently is beyond what a local
  chain can prove (ship the head off the machine for that).
- **Untrusted text never reaches a terminal raw (6).** :func:`sanitize` turns control characters,
  escape sequences, DEL, C1 controls, bidi overrides and newlines into visible escapes, and
  ``ContextLogger`` puts every context value through it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import queue
import re
import threading
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jail.safe_text import safe_text
from server.recording_files import recording_digest
from server.store import Store, utc_now

GENESIS = "0" * 64
"""The ``prev_hash`` of the first row."""

KIND_RE = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
COLUMN_LIMIT = 256
"""Longest actor / address / session text stored (after sanitising)."""

HEAD_SUFFIX = ".audit-head"


# -- sanitising ---------------------------------------------------------------------------------

def sanitize(text: object, limit: int | None = 1000) -> str:
    """Make untrusted text safe for someone else's terminal or a log line: one line, every
    control, escape, bidi, separator and zero-width character shown as a visible escape, and
    backslashes doubled so an escape cannot be forged (``jail.safe_text`` has the rules).

    Args:
        text: anything (bytes are decoded as UTF-8, invalid bytes shown as ``\\xNN``).
        limit: the longest result in characters; longer text is cut and ends with ``…``.

    Returns:
        The neutralised text.
    """
    return safe_text(text, limit=limit, escape_backslash=True)


class ContextLogger(logging.LoggerAdapter):
    """A logger that prefixes ``[conn=… user=… session=…]`` (values sanitised) to each message.

    ``ContextLogger(log, {"conn": "ab12cd34", "user": "ada"})``; keys appear in the order given.
    The message arguments are the caller's business: pass untrusted values through
    :func:`sanitize` (or as ``%r``) too.
    """

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        extra = self.extra or {}
        parts = [f"{sanitize(k, 32)}={sanitize(v, 80)}" for k, v in extra.items() if v is not None]
        prefix = f"[{' '.join(parts)}] " if parts else ""
        return f"{prefix}{msg}", kwargs


# -- the chain ----------------------------------------------------------------------------------


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces, ASCII only (so one value has exactly one text)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False,
        default=str,
    )


def row_hash(row: dict[str, Any]) -> str:
    """sha256 of ``prev_hash + canonical_json(row without its hash)`` (``detail`` as stored)."""
    body = {k: v for k, v in row.items() if k != "hash"}
    return hashlib.sha256((row["prev_hash"] + canonical_json(body)).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class AuditEvent:
    """One audit row. ``detail`` is the decoded JSON object; ``detail_json`` the stored text."""

    id: int
    ts: str
    kind: str
    actor: str | None
    address: str | None
    session: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def line(self, limit: int = 2000) -> str:
        """A one-line, sanitised rendering for a terminal (``audit tail``)."""
        who = sanitize(self.actor or "-", 64)
        if self.address:
            who += "@" + sanitize(self.address, 64)
        bits = [f"{self.id:>6}", sanitize(self.ts, 40), sanitize(self.kind, 64), who]
        if self.session:
            bits.append(f"session={sanitize(self.session, 64)}")
        for key in sorted(self.detail):
            value = self.detail[key]
            shown = value if isinstance(value, str) else canonical_json(value)
            bits.append(f"{sanitize(key, 64)}={sanitize(shown, 300)}")
        line = " ".join(bits)  # every piece is already sanitised: only the length is left
        return line if len(line) <= limit else line[: limit - 1] + "…"


_COLUMNS = "id, ts, kind, actor, address, session, detail, prev_hash, hash"


def _row_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(("id", "ts", "kind", "actor", "address", "session", "detail", "prev_hash",
                     "hash"), row, strict=True))


def _event(row: tuple[Any, ...]) -> AuditEvent:
    d = _row_dict(row)
    try:
        detail = json.loads(d["detail"])
    except (TypeError, ValueError):
        detail = {"_unreadable": str(d["detail"])}
    if not isinstance(detail, dict):
        detail = {"_value": detail}
    return AuditEvent(**{**d, "detail": detail})


def head_path(store: Store) -> Path:
    """The audit head file beside the database (``slate.db.audit-head``)."""
    return store.path.with_name(store.path.name + HEAD_SUFFIX)


def read_head(path: Path) -> tuple[int, str] | None:
    """The (id, hash) recorded in a head file; None if it does not exist.

    Raises:
        ValueError: the file exists but is not a head record.
    """
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    match = re.fullmatch(r"(\d+) ([0-9a-f]{64})", text)
    if not match:
        raise ValueError(f"{path} does not hold an audit head record")
    return int(match.group(1)), match.group(2)


class AuditLog:
    """Appends events to the store's hash-chained ``audit_events`` table.

    Args:
        store: the store (its database file decides where the head file lives).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.head_file = head_path(store)
        self._queue: queue.Queue[tuple[str, dict[str, Any], str] | None] | None = None
        self._writer: threading.Thread | None = None

    # -- writing off the event loop -------------------------------------------------------------

    def start_writer(self) -> None:
        """From now on :meth:`append` queues the event and returns at once; one thread, with a
        connection of its own, writes the queue in order. The server calls this at start: a
        write waits for fsync (and for other processes' writes), which must not hold the event
        loop every session's keystrokes run on (``bench/bench_store.py`` measures it). Reads
        (:meth:`events`) first wait for the queue to drain, so a caller reads its own writes."""
        if self._writer is not None:
            return
        writer_store = Store(self.store.path)
        self._queue = queue.Queue()
        self._writer = threading.Thread(
            target=self._write_queue, args=(writer_store, self._queue), name="audit-writer",
            daemon=True,
        )
        self._writer.start()

    def _write_queue(
        self, store: Store, pending: queue.Queue[tuple[str, dict[str, Any], str] | None]
    ) -> None:
        try:
            while True:
                item = pending.get()
                try:
                    if item is None:
                        return
                    self._insert(store, *item)
                except Exception:
                    logging.getLogger("slate.audit").exception("audit write failed")
                finally:
                    pending.task_done()
        finally:
            store.close()

    def flush(self) -> None:
        """Wait until every queued event is written (no-op without a writer thread)."""
        if self._queue is not None:
            self._queue.join()

    def stop_writer(self) -> None:
        """Write what is queued, then stop the thread (appends are synchronous again)."""
        if self._queue is None or self._writer is None:
            return
        self._queue.put(None)
        self._writer.join()
        self._queue, self._writer = None, None

    def append(
        self,
        kind: str,
        *,
        actor: str | None = None,
        address: str | None = None,
        session: str | None = None,
        **detail: Any,
    ) -> AuditEvent | None:
        """Append one event to the chain.

        Args:
            kind: what happened, ``[a-z][a-z0-9_.-]*`` (``login_failed``, ``user.add``).
            actor: who did it (an account name, or the OS user running the CLI).
            address: the client address, if any.
            session: the session id, if any.
            **detail: anything JSON-serialisable (stored as canonical JSON; non-JSON values are
                stored as ``str()``). Strings are stored faithfully: sanitise when showing them.

        Returns:
            The stored event; None when a writer thread writes it (see :meth:`start_writer`).

        Raises:
            ValueError: a bad kind or a detail value that cannot be JSON (NaN), at once, in the
                caller, writer thread or not.
        """
        if not isinstance(kind, str) or not KIND_RE.fullmatch(kind):
            raise ValueError(f"an audit kind must match {KIND_RE.pattern}, got {kind!r}")
        columns = {
            "actor": actor,
            "address": address,
            "session": session,
        }
        clean = {k: (sanitize(v, COLUMN_LIMIT) if v is not None else None)
                 for k, v in columns.items()}
        try:
            detail_text = canonical_json(detail)
        except ValueError as exc:
            raise ValueError(f"audit detail for {kind} is not valid JSON: {exc}") from None
        if self._queue is not None:
            self._queue.put((kind, clean, detail_text))
            return None
        return self._insert(self.store, kind, clean, detail_text)

    def _insert(
        self, store: Store, kind: str, clean: dict[str, Any], detail_text: str
    ) -> AuditEvent:
        with store.transaction() as db:
            last = db.execute(
                "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1"
            ).fetchone()
            seq = db.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'"
            ).fetchone()
            top = max(last[0] if last else 0, seq[0] if seq else 0)
            new_id = int(top) + 1
            row: dict[str, Any] = {
                "id": new_id,
                "ts": utc_now(),
                "kind": kind,
                "actor": clean["actor"],
                "address": clean["address"],
                "session": clean["session"],
                "detail": detail_text,
                "prev_hash": last[1] if last else GENESIS,
            }
            new_hash = row_hash(row)
            row["hash"] = new_hash
            db.execute(
                f"INSERT INTO audit_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                tuple(row[k] for k in _COLUMNS.split(", ")),
            )
        # After the commit, so the head never names a row that was rolled back.
        self._write_head(new_id, new_hash)
        return _event(tuple(row[k] for k in _COLUMNS.split(", ")))

    def _write_head(self, row_id: int, digest: str) -> None:
        """Record the newest (id, hash) beside the database; it only ever moves forward.

        Several processes append, and each writes the head after its own commit: under an
        exclusive ``flock`` the head is replaced only by a higher id. Best effort — a failure is
        logged, never raised (the row itself is already committed).
        """
        try:
            fd = os.open(self.head_file, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            logging.getLogger("slate.audit").warning(
                "cannot write %s: %s", self.head_file, exc.strerror
            )
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            current = os.read(fd, 200).decode("ascii", "replace").split()
            if current and current[0].isdigit() and int(current[0]) >= row_id:
                return
            data = f"{row_id} {digest}\n".encode("ascii")
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, data)
            os.ftruncate(fd, len(data))
        finally:
            os.close(fd)

    def events(
        self, *, after: int = 0, last: int | None = None, kind: str | None = None,
        session: str | None = None, actor: str | None = None,
    ) -> list[AuditEvent]:
        """Events in id order: those after id ``after``, or only the ``last`` N."""
        self.flush()
        where = ["id > ?"]
        params: list[Any] = [after]
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if session is not None:
            where.append("session = ?")
            params.append(session)
        if actor is not None:
            where.append("actor = ?")
            params.append(actor)
        sql = f"SELECT {_COLUMNS} FROM audit_events WHERE {' AND '.join(where)}"
        if last is not None:
            sql = f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT ?) ORDER BY id"
            params.append(last)
        else:
            sql += " ORDER BY id"
        return [_event(r) for r in self.store.query(sql, tuple(params))]


# -- verifying ----------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    """What :func:`verify` found. ``ok`` is True when ``problems`` is empty."""

    ok: bool = True
    rows_checked: int = 0
    recordings_checked: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, problem: str) -> None:
        self.problems.append(problem)
        self.ok = False


def _iter_rows(store: Store, batch: int = 5000) -> Iterator[tuple[Any, ...]]:
    after = -(2**62)
    while True:
        rows = store.query(
            f"SELECT {_COLUMNS} FROM audit_events WHERE id > ? ORDER BY id LIMIT ?",
            (after, batch),
        )
        if not rows:
            return
        yield from rows
        after = rows[-1][0]


def _rows(first: int, last: int) -> str:
    return f"row {first}" if first == last else f"rows {first}-{last}"


def verify(store: Store, recordings_dir: Path | None = None) -> VerifyReport:
    """Check the audit chain and every closed recording.

    Chain: ids run 1, 2, 3, … with no gap; each row's ``prev_hash`` is the previous row's hash
    (64 zeros for row 1); each row's hash matches its contents; ``sqlite_sequence`` and the head
    file do not name a row beyond the last one (deleted newest rows). Only the first chain problem
    is reported (later rows cannot be judged once one is wrong).

    Recordings: for each ``session_end`` event with ``recording`` (relative to the data dir, the
    parent of ``recordings_dir``) and ``digest``, the file exists and its sha256 matches.

    Args:
        store: the store to check.
        recordings_dir: ``<data dir>/recordings``; None skips the recordings.

    Returns:
        A report; ``problems`` name the row id or file and what is wrong.
    """
    report = VerifyReport()
    prev_id = 0
    prev_hash = GENESIS
    chain_broken = False
    sessions_ended: list[tuple[int, dict[str, Any], str | None]] = []
    for raw in _iter_rows(store):
        row = _row_dict(raw)
        report.rows_checked += 1
        rid = row["id"]
        if not chain_broken:
            problem = None
            if rid != prev_id + 1:
                gone = _rows(prev_id + 1, rid - 1)
                problem = f"audit row {rid}: {gone} before it deleted (gap in ids)"
            elif row["prev_hash"] != prev_hash:
                problem = (
                    f"audit row {rid} ({sanitize(row['kind'], 64)}): prev_hash does not match "
                    f"row {prev_id}'s hash (a row was deleted or replaced)"
                )
            elif row_hash(row) != row["hash"]:
                problem = (
                    f"audit row {rid} ({sanitize(row['kind'], 64)}): contents do not match its "
                    "hash (edited)"
                )
            else:
                try:
                    parsed = json.loads(row["detail"])
                    if canonical_json(parsed) != row["detail"]:
                        raise ValueError
                except (TypeError, ValueError):
                    problem = f"audit row {rid}: detail is not canonical JSON (edited)"
            if problem is not None:
                report.add(problem)
                chain_broken = True
            prev_id, prev_hash = rid, row["hash"]
        if row["kind"] == "session_end":
            try:
                detail = json.loads(row["detail"])
            except (TypeError, ValueError):
                detail = {}
            if isinstance(detail, dict):
                sessions_ended.append((rid, detail, row["session"]))

    if not chain_broken:
        seq = store.query("SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'")
        highest = seq[0][0] if seq else 0
        if highest > prev_id:
            report.add(
                f"audit {_rows(prev_id + 1, highest)}: deleted from the end (the table once "
                f"reached id {highest}, it now ends at {prev_id}; truncated)"
            )
            chain_broken = True
    if not chain_broken:
        try:
            head = read_head(head_path(store))
        except ValueError as exc:
            report.add(f"audit head: {exc}")
            head = (0, GENESIS)  # reported; nothing more to compare
        if head is None and prev_id > 0:
            report.add(
                f"audit head: {head_path(store).name} is missing beside the database (deleted? "
                "it records the newest row, so truncation cannot hide)"
            )
        if head is not None:
            head_id, head_hash = head
            if head_id > prev_id:
                report.add(
                    f"audit {_rows(prev_id + 1, head_id)}: deleted from the end (the head file "
                    f"records row {head_id}, the table ends at {prev_id}; truncated)"
                )
            else:
                found = store.query("SELECT hash FROM audit_events WHERE id = ?", (head_id,))
                if found and found[0][0] != head_hash:
                    report.add(
                        f"audit row {head_id}: its hash differs from the one in the head file "
                        "(the chain was rewritten from there)"
                    )

    if recordings_dir is not None:
        base = Path(recordings_dir).parent
        for rid, detail, session in sessions_ended:
            rel, want = detail.get("recording"), detail.get("digest")
            if not rel or not want:
                continue
            report.recordings_checked += 1
            label = f"recording {sanitize(rel, 200)} (session {sanitize(session or '?', 64)})"
            rel_path = Path(str(rel))
            if rel_path.is_absolute() or ".." in rel_path.parts:
                report.add(f"{label}: audit row {rid} names a path outside the data dir")
                continue
            path = base / rel_path
            try:
                got = recording_digest(path)  # a compressed one (retention) is expanded first
            except FileNotFoundError:
                report.add(f"{label}: missing (deleted)")
                continue
            except OSError as exc:
                report.add(f"{label}: cannot be read: {exc.strerror or exc}")
                continue
            except Exception as exc:  # a corrupt .zst
                report.add(f"{label}: cannot be read: {exc}")
                continue
            if got != want:
                report.add(
                    f"{label}: sha256 {got[:16]}… differs from {str(want)[:16]}… in audit row "
                    f"{rid} (altered)"
                )
    return report
