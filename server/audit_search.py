"""Full-text search over every session: what was typed, what the screen showed, every audit event.

Owns the search index (``<data dir>/audit-index.db``, SQLite FTS5, a database of its own so the
store's schema is untouched and the index can be rebuilt from the records at any time) and the
indexer. Invariant kept: **untrusted bytes are parsed only inside sandboxes (9)** — the broker
reads a recording's new bytes (from the last indexed line boundary) and hands them, unparsed, to
``python -m server.cast_text`` in a fresh parser sandbox (unprivileged uid, no network, limits);
it stores the text items that come back. Code as saved (and checked: a Check runs on the saved
files) comes from each learner's ``history/<learner>.git``: the broker reads the changed blobs
with pygit2 and the same sandbox turns them into text (``--files``). Audit event fields are
indexed from the chain's own rows (already JSON written by the server). Search results are
neutralised (:func:`server.audit.sanitize`) before anyone sees them (invariant 6).

Indexed incrementally: each pass takes what every recording gained since the previous pass (a
running session is searchable within ``audit.index_interval`` seconds) and the audit rows after
the last one indexed; a session whose recording is closed and fully read is marked finished.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jail.history import History, HistoryError
from jail.profiles import SLATE_ROOT, tool_module
from jail.run import Limits, run_async
from server.audit import sanitize
from server.recording_files import read_recording
from server.store import Store

log = logging.getLogger("slate.audit_search")

INDEX_NAME = "audit-index.db"
CHUNK_BYTES = 4 << 20
"""At most this much of one recording goes to one parser sandbox."""
HEADER_LIMIT = 64 << 10
_HIT_OPEN, _HIT_CLOSE = "\x02", "\x03"

Extractor = Callable[..., Awaitable[list[dict[str, Any]]]]
"""``extract(data, *args)``: the parser (the sandbox; tests and the bench may pass another)."""

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS recordings (
        session TEXT PRIMARY KEY,
        recording TEXT NOT NULL,
        offset INTEGER NOT NULL DEFAULT 0,
        finished INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE TABLE IF NOT EXISTS progress (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS history_done (version TEXT PRIMARY KEY)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(
        text, kind UNINDEXED, session UNINDEXED, user UNINDEXED, t UNINDEXED, ts UNINDEXED,
        event UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
    )""",
]


@dataclass(frozen=True)
class Hit:
    """One search result; every text field is already neutralised."""

    session: str | None
    user: str | None
    kind: str
    t: float | None
    """Seconds into the session's recording (None for an event without a session)."""
    ts: str
    event: int | None
    parts: list[tuple[str, bool]] = field(default_factory=list)
    """The snippet as (text, matched) pieces."""

    @property
    def snippet(self) -> str:
        """The snippet with matches in ``[brackets]`` (for the command line)."""
        return "".join(f"[{text}]" if hit else text for text, hit in self.parts)

    def to_dict(self) -> dict[str, Any]:
        return {"session": self.session, "user": self.user, "kind": self.kind, "t": self.t,
                "ts": self.ts, "event": self.event, "parts": [list(p) for p in self.parts]}


def index_path(data_dir: Path) -> Path:
    return Path(data_dir) / INDEX_NAME


class SearchIndex:
    """The FTS5 index. One per process; safe to share between threads.

    Args:
        path: the index database (created, 0600, on first use).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        new = not self.path.exists()
        if new:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            os.close(fd)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                   timeout=30)
        self._lock = threading.RLock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            for statement in _SCHEMA:
                self._db.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def _write(self) -> Any:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # -- state -----------------------------------------------------------------------------

    def recording_state(self, session: str) -> tuple[int, bool]:
        rows = self._query("SELECT offset, finished FROM recordings WHERE session = ?",
                           (session,))
        return (int(rows[0][0]), bool(rows[0][1])) if rows else (0, False)

    def finished_sessions(self) -> set[str]:
        """Sessions whose recording is closed and fully indexed."""
        return {str(r[0]) for r in self._query("SELECT session FROM recordings WHERE finished")}

    def last_event(self) -> int:
        rows = self._query("SELECT value FROM progress WHERE name = 'event'")
        return int(rows[0][0]) if rows else 0

    # -- adding ----------------------------------------------------------------------------

    def add_recording_items(
        self, session: str, user: str, recording: str, started: datetime,
        items: list[dict[str, Any]], offset: int, finished: bool,
    ) -> int:
        """Store the text items of a recording slice and move its offset, in one transaction."""
        rows = []
        for item in items:
            try:
                t = float(item["t"])
                kind = str(item["kind"])
                text = str(item["text"])
            except (KeyError, TypeError, ValueError):
                continue
            if kind not in ("typed", "screen") or not text or not (0 <= t < 10**7):
                continue
            ts = (started + timedelta(seconds=t)).strftime("%Y-%m-%d %H:%M:%S")
            rows.append((text[:8000], kind, session, user, t, ts, None))
        with self._write() as db:
            db.executemany("INSERT INTO docs (text, kind, session, user, t, ts, event) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            db.execute(
                "INSERT INTO recordings (session, recording, offset, finished) VALUES (?,?,?,?) "
                "ON CONFLICT(session) DO UPDATE SET offset = excluded.offset, "
                "finished = excluded.finished",
                (session, recording, offset, int(finished)))
        return len(rows)

    def history_done(self, version: str) -> bool:
        return bool(self._query("SELECT 1 FROM history_done WHERE version = ?", (version,)))

    def add_code(self, user: str, docs: list[tuple[str, str | None, float | None, str]],
                 versions: list[str]) -> int:
        """Store saved-file texts ``(text, session, t, ts)`` and mark their versions done."""
        with self._write() as db:
            db.executemany("INSERT INTO docs (text, kind, session, user, t, ts, event) "
                           "VALUES (?, 'code', ?, ?, ?, ?, NULL)",
                           [(text[:20000], sid, user, t, ts) for text, sid, t, ts in docs])
            db.executemany("INSERT OR IGNORE INTO history_done (version) VALUES (?)",
                           [(v,) for v in versions])
        return len(docs)

    def add_events(self, store: Store, starts: dict[str, datetime], batch: int = 2000) -> int:
        """Index the audit rows after the last one indexed (kind, actor, address, detail)."""
        after = self.last_event()
        count = 0
        while True:
            rows = store.query(
                "SELECT id, ts, kind, actor, address, session, detail FROM audit_events "
                "WHERE id > ? ORDER BY id LIMIT ?", (after, batch))
            if not rows:
                return count
            docs = []
            for rid, ts, kind, actor, address, session, detail in rows:
                words = [kind, actor or "", address or "", _flatten(detail)]
                t = None
                if session and session in starts:
                    with contextlib.suppress(ValueError, TypeError):
                        t = max((datetime.fromisoformat(ts) - starts[session]).total_seconds(),
                                0.0)
                docs.append((" ".join(w for w in words if w)[:8000], "event", session, actor,
                             t, str(ts)[:19].replace("T", " "), rid))
            after = rows[-1][0]
            with self._write() as db:
                db.executemany("INSERT INTO docs (text, kind, session, user, t, ts, event) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)", docs)
                db.execute("INSERT INTO progress (name, value) VALUES ('event', ?) "
                           "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (after,))
            count += len(docs)

    # -- searching -------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 50, user: str | None = None,
               kinds: tuple[str, ...] | None = None) -> list[Hit]:
        """Sessions and moments where every word of ``query`` occurs (FTS5, best first).

        Words are matched as given (a ``"quoted phrase"`` as a phrase); FTS5 operators in the
        query are treated as words, so a query can never be a syntax error or an injection.
        """
        expr = fts_query(query)
        if not expr:
            return []
        where = ["docs MATCH ?"]
        params: list[Any] = [expr]
        if user is not None:
            where.append("user = ?")
            params.append(user)
        if kinds:
            where.append(f"kind IN ({', '.join('?' * len(kinds))})")
            params.extend(kinds)
        limit = max(1, min(limit, 500))
        params.append(limit * 4)  # room for the repeats dropped below
        rows = self._query(
            f"SELECT session, user, kind, t, ts, event, "
            f"snippet(docs, 0, '{_HIT_OPEN}', '{_HIT_CLOSE}', '…', 16) "
            f"FROM docs WHERE {' AND '.join(where)} ORDER BY rank LIMIT ?", tuple(params))
        hits: list[Hit] = []
        seen: set[tuple[Any, str, str]] = set()
        for r in rows:
            # A screen line that stayed on screen is indexed again whenever a row near it
            # changed: one hit per session, kind and snippet is enough.
            key = (r[0], str(r[2]), str(r[6]))
            if r[0] is not None and key in seen:
                continue
            seen.add(key)
            hits.append(Hit(session=r[0], user=sanitize(r[1], 64) if r[1] else None,
                            kind=str(r[2]), t=float(r[3]) if r[3] is not None else None,
                            ts=sanitize(r[4], 40), event=r[5], parts=_parts(str(r[6]))))
            if len(hits) >= limit:
                break
        return hits

    def stats(self) -> dict[str, int]:
        docs = self._query("SELECT COUNT(*) FROM docs")[0][0]
        sessions = self._query("SELECT COUNT(*) FROM recordings")[0][0]
        return {"docs": int(docs), "sessions": int(sessions)}


def _flatten(detail: str) -> str:
    try:
        value = json.loads(detail)
    except (TypeError, ValueError):
        return str(detail)
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                out.append(str(k))
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif v is not None:
            out.append(str(v))

    walk(value)
    return " ".join(out)


_WORD_RE = re.compile(r'"([^"]*)"|(\S+)')


def fts_query(text: str) -> str:
    """An FTS5 expression matching every word (or quoted phrase) of ``text``, nothing else."""
    terms = []
    for quoted, word in _WORD_RE.findall(str(text)[:500]):
        term = quoted or word
        if term.strip():
            terms.append('"' + term.replace('"', '""') + '"')
    return " ".join(terms[:20])


def _parts(snippet: str) -> list[tuple[str, bool]]:
    parts: list[tuple[str, bool]] = []
    for i, piece in enumerate(re.split(f"[{_HIT_OPEN}{_HIT_CLOSE}]", snippet)):
        if piece:
            parts.append((sanitize(piece, 300), i % 2 == 1))
    return parts


# -- indexing -----------------------------------------------------------------------------------


async def extract_in_sandbox(data: bytes, *args: str) -> list[dict[str, Any]]:
    """Run ``server.cast_text`` on a recording slice (or, with ``--files``, saved files) in a
    fresh parser sandbox.

    The sandbox sees only the venv and the two module files; it runs as ``nobody`` (root
    server) or in a user namespace (demo), with no network, memory/CPU/wall limits, and reads
    the slice on stdin.
    """
    # The tool profile: the venv and the two module files only, as nobody (no workspace).
    spec = tool_module(
        "server.cast_text",
        list(args),
        files=[SLATE_ROOT / "server" / name for name in ("__init__.py", "cast_text.py")],
        limits=Limits(wall=120, cpu=90, memory=512 << 20, output=32 << 20),
        host_uid=None,
        prefix=Path(sys.prefix),
        env={"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(SLATE_ROOT)},
        stdin=data,
    )
    result = await run_async(spec)
    if result.limit is not None or result.exit_code != 0:
        raise RuntimeError(
            f"parser sandbox failed: limit={result.limit} exit={result.exit_code} "
            f"{sanitize(result.stderr[-300:], 300)}")
    items = []
    for line in result.stdout.splitlines():
        with contextlib.suppress(ValueError):
            item = json.loads(line)
            if isinstance(item, dict):
                items.append(item)
    return items


Job = tuple[bytes, tuple[str, ...]]
"""One input for the parser: the bytes and its arguments (``()`` or ``("--files",)``)."""

BatchExtractor = Callable[[list[Job]], Awaitable[list["list[dict[str, Any]] | Exception"]]]
"""Parses several inputs; for each, its items or the error that stopped it."""

BATCH_BYTES = 8 << 20
"""Input bytes after which a batch goes to its parser sandbox (an index pass may use several;
one input may take it past this by up to a chunk)."""


async def extract_batch_in_sandbox(jobs: list[Job]) -> list[list[dict[str, Any]] | Exception]:
    """Parse every input of an index pass in as few sandboxes as :data:`BATCH_BYTES` allows.

    A sandbox costs ~140 ms of CPU to start (bwrap, the interpreter, pyte) whatever it parses;
    one per running session every pass cost a class of 60 about a third of a core while they
    typed. If a batch's sandbox fails (a recording that reaches a limit), its inputs are
    parsed again one per sandbox, so only the bad one fails.
    """
    results: list[list[dict[str, Any]] | Exception] = []
    group: list[Job] = []
    size = 0
    for n, job in enumerate(jobs, 1):
        group.append(job)
        size += len(job[0])
        if size >= BATCH_BYTES or n == len(jobs):  # the rule index_pass reads slices by
            results.extend(await _extract_group(group))
            group, size = [], 0
    return results


async def _extract_one(job: Job) -> list[dict[str, Any]] | Exception:
    try:
        return await extract_in_sandbox(job[0], *job[1])
    except Exception as exc:  # noqa: BLE001 - reported with this input, the others go on
        return exc


async def _extract_group(group: list[Job]) -> list[list[dict[str, Any]] | Exception]:
    if len(group) == 1:
        return [await _extract_one(group[0])]
    stdin = b"".join(
        json.dumps({"files": "--files" in args, "size": len(data)}).encode() + b"\n" + data
        for data, args in group
    )
    try:
        items = await extract_in_sandbox(stdin, "--batch")
    except RuntimeError:
        return [await _extract_one(job) for job in group]
    out: list[list[dict[str, Any]] | Exception] = [[] for _ in group]
    for item in items:
        place = item.pop("i", None)
        if type(place) is not int or not 0 <= place < len(group):
            continue
        found = out[place]
        if "error" in item:
            out[place] = RuntimeError(f"parser: {sanitize(str(item['error']), 80)}")
        elif isinstance(found, list):
            found.append(item)
    return out


def one_by_one(extract: Extractor) -> BatchExtractor:
    """A batch extractor calling ``extract(data, *args)`` for each input (tests, benches)."""

    async def batch(jobs: list[Job]) -> list[list[dict[str, Any]] | Exception]:
        results: list[list[dict[str, Any]] | Exception] = []
        for data, args in jobs:
            try:
                results.append(await extract(data, *args))
            except Exception as exc:  # noqa: BLE001 - reported with this input
                results.append(exc)
        return results

    return batch


def _read_slice(path: Path, offset: int, limit: int) -> tuple[bytes, bytes, int, int]:
    """``(header line, complete lines from offset, new offset, file size)`` of a recording."""
    if path.name.endswith(".zst"):  # compressed by retention: closed, read it whole
        whole = read_recording(path)
        newline = whole.find(b"\n")
        if newline < 0:
            return b"", b"", offset, len(whole)
        start = max(offset, newline + 1)
        data = whole[start:start + limit]
        end = data.rfind(b"\n")
        if end < 0:
            return whole[: newline + 1], b"", start, len(whole)
        return whole[: newline + 1], data[: end + 1], start + end + 1, len(whole)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(HEADER_LIMIT)
        newline = head.find(b"\n")
        if newline < 0:
            return b"", b"", offset, size
        header = head[: newline + 1]
        start = max(offset, newline + 1)
        handle.seek(start)
        data = handle.read(limit)
    end = data.rfind(b"\n")
    if end < 0:
        return header, b"", start, size
    return header, data[: end + 1], start + end + 1, size


@dataclass
class PassStats:
    """What one indexing pass did."""

    sessions: int = 0
    bytes: int = 0
    items: int = 0
    code: int = 0
    events: int = 0
    failed: list[str] = field(default_factory=list)


def _parse_started(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.fromtimestamp(0).astimezone()


HISTORY_FILES = 20
HISTORY_FILE_BYTES = 64 << 10
HISTORY_PASS_BYTES = 8 << 20


def _new_saves(data_dir: Path, learner: str, index: SearchIndex
               ) -> tuple[list[Any], list[dict[str, Any]]]:
    """The learner's history snapshots not indexed yet (oldest first) and their changed files
    (``{"t": unix time, "path", "data": base64}``), bounded per pass."""
    repo = Path(data_dir) / "history" / f"{learner}.git"
    if not (repo / "HEAD").exists():
        return [], []
    try:
        history = History(repo)
        head = history.repo.head.target if not history.repo.head_is_unborn else None
        if head is None or index.history_done(str(head)):
            return [], []  # nothing saved since the last pass: no walk, no diff
        fresh = []
        for version in history.versions(""):  # newest first
            if index.history_done(version.id):
                break
            fresh.append(version)
        fresh.reverse()
        files: list[dict[str, Any]] = []
        total = 0
        taken = []
        for version in fresh:
            for path in version.files[:HISTORY_FILES]:
                try:
                    data = history.read(version.id, path)[:HISTORY_FILE_BYTES]
                except HistoryError:  # deleted in that version
                    continue
                total += len(data)
                files.append({"t": version.time, "path": path,
                              "data": base64.b64encode(data).decode("ascii")})
            taken.append(version)
            if total >= HISTORY_PASS_BYTES:
                break
        return taken, files
    except HistoryError as exc:
        log.warning("history of %s not indexed: %s", sanitize(learner, 64), exc)
        return [], []


async def index_history(store: Store, data_dir: Path, index: SearchIndex,
                        extract: BatchExtractor) -> tuple[int, list[str]]:
    """Index the files of every learner's new history snapshots (code as saved), each placed
    in the session that was running when it was saved.

    Returns:
        The documents added, and the learners whose saves could not be parsed (tried again
        next pass).
    """
    count = 0
    failed: list[str] = []
    learners = [r[0] for r in store.query("SELECT name FROM accounts WHERE role = 'learner'")]
    saves: list[tuple[str, list[Any], bytes]] = []  # parsed a batch at a time
    held = 0
    for n, learner in enumerate(learners, 1):
        versions, files = await asyncio.to_thread(_new_saves, data_dir, learner, index)
        if versions:
            payload = "".join(json.dumps(f) + "\n" for f in files).encode()
            saves.append((learner, versions, payload))
            held += len(payload)
        if saves and (held >= BATCH_BYTES or n == len(learners)):
            added, lost = await _index_saves(store, index, extract, saves)
            count += added
            failed.extend(lost)
            saves, held = [], 0
    return count, failed


async def _index_saves(store: Store, index: SearchIndex, extract: BatchExtractor,
                       saves: list[tuple[str, list[Any], bytes]]) -> tuple[int, list[str]]:
    """Parse some learners' new saves in one batch and index them."""
    count = 0
    failed: list[str] = []
    with_files = [(learner, payload) for learner, _versions, payload in saves if payload]
    parsed = await extract([(payload, ("--files",)) for _learner, payload in with_files]
                           ) if with_files else []
    items_of = {learner: result for (learner, _payload), result in zip(with_files, parsed,
                                                                        strict=True)}
    for learner, versions, _payload in saves:
        items = items_of.get(learner, [])
        if isinstance(items, Exception):
            failed.append(f"history of {sanitize(learner, 64)}: {items}")
            continue
        spans = [(sid, _parse_started(started), _parse_started(ended) if ended else None)
                 for sid, started, ended in store.query(
                     "SELECT s.id, s.started, s.ended FROM sessions s JOIN accounts a "
                     "ON a.id = s.account_id WHERE a.name = ?", (learner,))]
        docs = []
        for item in items:
            try:
                when = datetime.fromtimestamp(float(item["t"]), UTC)
                text = str(item["text"])
            except (KeyError, TypeError, ValueError, OverflowError):
                continue
            sid, t = None, None
            slack = timedelta(seconds=2)  # snapshot times are whole seconds
            for span_id, begin, finish in spans:
                if begin - slack <= when and (finish is None or when <= finish + slack):
                    sid, t = span_id, max((when - begin).total_seconds(), 0.0)
            docs.append((text, sid, t, when.strftime("%Y-%m-%d %H:%M:%S")))
        count += await asyncio.to_thread(index.add_code, learner, docs,
                                         [v.id for v in versions])
    return count, failed


@dataclass
class _Reading:
    """A recording being read by an index pass."""

    sid: str
    user: str
    rel: str
    path: Path
    offset: int
    ended: object


async def index_pass(
    store: Store, data_dir: Path, index: SearchIndex, *,
    extract: Extractor | None = None, chunk: int = CHUNK_BYTES,
    until_done: bool = False, only: str | None = None, ended_only: bool = False,
) -> PassStats:
    """Index what every unfinished recording gained, then the new audit rows.

    Every recording's new slice (and every learner's new saves) is parsed in one sandbox run
    per pass (:func:`extract_batch_in_sandbox`), not one each.

    Args:
        store: the classroom store (sessions, audit rows).
        data_dir: where recordings live.
        index: the search index.
        extract: a parser called once per input (tests and the bench may pass one); default:
            the batched sandbox.
        chunk: bytes of one recording per parser run.
        until_done: keep going until every recording is read to its end (CLI ``index``).
        only: just this session.
        ended_only: skip sessions still running (index them when they end).
    """
    batch: BatchExtractor = extract_batch_in_sandbox if extract is None else one_by_one(extract)
    stats = PassStats()
    sql = ("SELECT s.id, a.name, s.recording, s.started, s.ended FROM sessions s "
           "JOIN accounts a ON a.id = s.account_id WHERE s.recording IS NOT NULL")
    params: tuple[Any, ...] = ()
    if only is not None:
        sql += " AND s.id = ?"
        params = (only,)
    sessions = store.query(sql, params)
    starts = {str(r[0]): _parse_started(r[3]) for r in sessions}
    finished_ids = index.finished_sessions()  # one query, not one per session per pass
    reading: list[_Reading] = []
    for sid, user, rel, _started, ended in sessions:
        if sid in finished_ids or (ended_only and ended is None):
            continue
        offset, finished = index.recording_state(sid)
        if finished:
            continue
        rel_path = Path(str(rel))
        if rel_path.is_absolute() or ".." in rel_path.parts:
            continue
        reading.append(_Reading(str(sid), str(user), str(rel), Path(data_dir) / rel_path,
                                offset, ended))
    # Slices are read and parsed a batch at a time (up to BATCH_BYTES held, not every
    # recording's slice at once); until_done reads each recording on until its end.
    while reading:
        jobs: list[Job] = []
        slices: list[tuple[_Reading, int, int, bool, int]] = []
        held = 0
        again: list[_Reading] = []
        for n, rec in enumerate(reading, 1):
            try:
                header, data, new_offset, size = await asyncio.to_thread(
                    _read_slice, rec.path, rec.offset, chunk)
            except FileNotFoundError:
                data = b""
            except OSError as exc:
                stats.failed.append(f"{rec.sid}: {exc.strerror}")
                data = b""
            else:
                done = rec.ended is not None and new_offset >= size
                if data:
                    jobs.append((header + data, ()))
                    slices.append((rec, new_offset, size, done, len(data)))
                    held += len(header) + len(data)
                elif done:
                    index.add_recording_items(rec.sid, rec.user, rec.rel, starts[rec.sid], [],
                                              new_offset, True)
            if jobs and (held >= BATCH_BYTES or n == len(reading)):
                results = await batch(jobs)
                for (rec, new_offset, size, done, length), items in zip(slices, results,
                                                                        strict=True):
                    if isinstance(items, Exception):  # one bad recording must not stop others
                        stats.failed.append(f"{rec.sid}: {items}")
                        log.warning("indexing %s failed: %s", sanitize(rec.sid, 64), items)
                        continue
                    stats.items += await asyncio.to_thread(
                        index.add_recording_items, rec.sid, rec.user, rec.rel,
                        starts[rec.sid], items, new_offset, done)
                    stats.bytes += length
                    stats.sessions += 1
                    rec.offset = new_offset
                    if until_done and not done and new_offset < size:
                        again.append(rec)
                jobs, slices, held = [], [], 0
        reading = again
    try:
        stats.code, failed = await index_history(store, data_dir, index, batch)
        stats.failed.extend(failed)
    except Exception as exc:  # the saves can wait for the next pass
        stats.failed.append(f"history: {exc}")
        log.warning("indexing saved code failed: %s", exc)
    stats.events = await asyncio.to_thread(index.add_events, store, starts)
    return stats


async def index_schedule(store: Store, data_dir: Path, interval: float,
                         stop: asyncio.Event) -> None:
    """Index every ``interval`` seconds until ``stop`` (a failure is logged, never raised).

    ``interval`` 0: only finished sessions, looked for every 15 seconds.
    """
    index = SearchIndex(index_path(data_dir))
    ended_only = interval <= 0
    interval = interval if interval > 0 else 15
    try:
        while not stop.is_set():
            try:
                await index_pass(store, data_dir, index, ended_only=ended_only)
            except Exception:
                log.exception("search index pass failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        index.close()
