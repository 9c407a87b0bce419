"""The auditor's desk: what an auditor's TUI may ask the server for, and the audit housekeeping.

Owns the auditor/admin control-channel handlers (session list, recording bytes, events, search,
export — read only; deny by default: no other role gets them) and :func:`audit_housekeeping`, the
background task that signs checkpoints and keeps the search index current. Invariants kept:
**records (5)** — every replay, search, export and live watch is itself an audit event; and
**untrusted bytes parsed only in sandboxes (9)** — the broker reads recording bytes and sends them
as they are; the auditor's sandboxed TUI emulates them, and indexing runs in a parser sandbox.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jail.history import History, HistoryError
from server import protocol as P
from server.audit import AuditLog, sanitize
from server.audit_export import ExportQuery, export
from server.audit_retention import compress_old
from server.audit_search import SearchIndex, index_path, index_schedule
from server.checkpoint import checkpoint_schedule
from server.config import Config
from server.control import Handlers, RequestError
from server.recording_files import read_recording
from server.store import Store

log = logging.getLogger("slate.audit_desk")


async def audit_housekeeping(
    config: Config, store: Store, audit: AuditLog, stop: asyncio.Event
) -> None:
    """Run beside the gateway until ``stop``: scheduled checkpoints (and the search index)."""
    data_dir = Path(config.server.data_dir)
    tasks = []
    if config.audit.checkpoint_interval > 0:
        tasks.append(checkpoint_schedule(store, audit, data_dir,
                                         config.audit.checkpoint_interval, stop))
    tasks.append(index_schedule(store, data_dir, config.audit.index_interval, stop))
    if config.audit.compress_after_days > 0:
        tasks.append(_retention_schedule(store, audit, data_dir,
                                         config.audit.compress_after_days, stop))
    if tasks:
        await asyncio.gather(*tasks)


async def _retention_schedule(store: Store, audit: AuditLog, data_dir: Path, days: int,
                              stop: asyncio.Event, every: float = 86400.0) -> None:
    """Compress old recordings a minute after start, then once a day."""
    delay = 60.0
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return
        delay = every
        try:
            stats = await asyncio.to_thread(compress_old, store, audit, data_dir, days,
                                            actor="retention")
            for problem in stats.problems:
                log.warning("retention: %s", problem)
        except Exception:
            log.exception("recording retention pass failed")


# -- the desk -------------------------------------------------------------------------------------

RECORDING_CHUNK = 512 << 10
"""Bytes of a recording per reply (base64 keeps the line under the protocol's 1 MiB)."""
LIST_LIMIT = 1000
EVENTS_LIMIT = 20000
REFUSAL_KINDS = frozenset({"request_denied", "login_failed", "connection_refused",
                           "quota_exceeded", "input_dropped"})
"""Events counted as refusals/denials in the session list."""


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _summary(detail_text: str) -> str:
    """One neutralised line of an event's detail (``key=value`` pairs)."""
    try:
        detail = json.loads(detail_text)
    except (TypeError, ValueError):
        return sanitize(detail_text, 300)
    if not isinstance(detail, dict):
        return sanitize(detail, 300)
    bits = []
    for key in sorted(detail):
        value = detail[key]
        if key in ("signature", "covers_hash", "digest") and isinstance(value, str):
            value = value[:12] + "…"
        shown = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        bits.append(f"{sanitize(key, 40)}={sanitize(shown, 160)}")
    return sanitize(" ".join(bits), 600)


class AuditDesk:
    """One auditor (or admin) session's requests. Everything here reads; nothing changes
    a learner's work, an account or the records (an export writes a new folder of copies)."""

    def __init__(self, services: Any, session: Any, account: Any) -> None:
        self.services = services
        self.session = session
        self.account = account
        self.store: Store = services.store
        self.audit_log: AuditLog = services.audit
        self.data_dir = Path(services.config.server.data_dir)
        self._seen: set[tuple[str, str]] = set()
        """(what, session) already audited for this auditor session (once each)."""

    def handlers(self) -> Handlers:
        return {
            P.AuditSessions: self.sessions,
            P.AuditSessionEvents: self.events,
            P.AuditRecording: self.recording,
            P.AuditSearch: self.search,
            P.AuditExport: self.export,
            P.AuditCode: self.code,
        }

    def audit(self, kind: str, **detail: Any) -> None:
        self.audit_log.append(kind, actor=self.account.name,
                              address=getattr(self.session.server, "address", None),
                              session=self.session.session_id, **detail)

    def _live(self) -> dict[str, Any]:
        room = getattr(self.services, "room", None)
        return {s.session_id: s for s in getattr(room, "sessions", ())}

    # -- the session list ------------------------------------------------------------------------

    async def sessions(self, message: P.AuditSessions) -> P.AuditSessionsReply:
        rows = await asyncio.to_thread(self._sessions, message)
        self.audit("audit_list", results=len(rows), **{
            k: v for k, v in (("user", message.user), ("role", message.role),
                              ("since", message.since), ("until", message.until),
                              ("exercise", message.exercise)) if v})
        return P.AuditSessionsReply(sessions=rows)

    def _sessions(self, message: P.AuditSessions) -> list[dict[str, Any]]:
        where, params = [], []
        for column, value in (("a.name = ?", message.user), ("a.role = ?", message.role),
                              ("s.started >= ?", message.since),
                              ("s.started <= ?", message.until)):
            if value:
                where.append(column)
                params.append(value)
        limit = max(1, min(int(message.limit or LIST_LIMIT), LIST_LIMIT))
        sql = ("SELECT s.id, a.name, a.role, s.started, s.ended, s.bytes_in, s.bytes_out, "
               "s.recording, s.end_reason FROM sessions s JOIN accounts a ON a.id = s.account_id"
               + (f" WHERE {' AND '.join(where)}" if where else "")
               + " ORDER BY s.started DESC LIMIT ?")
        rows = self.store.query(sql, (*params, limit))
        ids = [r[0] for r in rows]
        refusals: dict[str, int] = {}
        exercises: dict[str, set[str]] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            for sid, kind, detail in self.store.query(
                    "SELECT session, kind, detail FROM audit_events WHERE session IN "
                    f"({', '.join('?' * len(part))})", tuple(part)):
                if kind in REFUSAL_KINDS:
                    refusals[sid] = refusals.get(sid, 0) + 1
                if '"exercise"' in detail:
                    with contextlib.suppress(TypeError, ValueError, AttributeError):
                        d = json.loads(detail)
                        name = f"{d.get('course', '?')}/{d['exercise']}"
                        exercises.setdefault(sid, set()).add(sanitize(name, 80))
        live = self._live()
        now = datetime.now(UTC)
        out = []
        for sid, user, role, started, ended, b_in, b_out, recording, reason in rows:
            t0, t1 = _when(started), _when(ended)
            running = live.get(sid)
            if running is not None:
                b_in, b_out = running.bytes_in, running.bytes_out
            duration = ((t1 or now) - t0).total_seconds() if t0 else 0.0
            item: dict[str, Any] = {
                "id": sanitize(sid, 64), "user": sanitize(user, 64), "role": sanitize(role, 16),
                "started": sanitize(started, 40), "ended": sanitize(ended, 40) if ended else None,
                "duration": round(max(duration, 0.0), 1), "bytes": int(b_in or 0) + int(b_out or 0),
                "refusals": refusals.get(sid, 0),
                "exercises": sorted(exercises.get(sid, ())),
                "live": running is not None, "recorded": bool(recording),
                "end_reason": sanitize(reason, 80) if reason else None,
            }
            if message.refusals_only and not item["refusals"]:
                continue
            if message.exercise and not any(message.exercise in e for e in item["exercises"]):
                continue
            out.append(item)
        return out

    # -- one session ----------------------------------------------------------------------------

    def _session_row(self, sid: str) -> tuple[Any, ...]:
        rows = self.store.query("SELECT id, started, recording FROM sessions WHERE id = ?",
                                (sid,))
        if not rows:
            raise RequestError("There is no such session.")
        return rows[0]

    async def events(self, message: P.AuditSessionEvents) -> P.AuditEventsReply:
        sid, started, _rec = self._session_row(message.session)
        t0 = _when(started)
        # The session's own events, and others that name it (someone watching it, pairing).
        rows = await asyncio.to_thread(
            self.store.query,
            "SELECT id, ts, kind, actor, detail FROM audit_events WHERE session = ? "
            "OR detail LIKE ? ORDER BY id LIMIT ?",
            (sid, f"%{sid}%", EVENTS_LIMIT))
        events = []
        for rid, ts, kind, actor, detail in rows:
            when = _when(ts)
            t = (when - t0).total_seconds() if when and t0 else 0.0
            events.append({"id": rid, "t": round(max(t, 0.0), 3), "ts": sanitize(ts, 40),
                           "kind": sanitize(kind, 64), "actor": sanitize(actor or "-", 64),
                           "summary": _summary(detail), "refusal": kind in REFUSAL_KINDS})
        if ("timeline", sid) not in self._seen:  # once per session looked at, not per refresh
            self._seen.add(("timeline", sid))
            self.audit("audit_timeline", target_session=sid, events=len(events))
        return P.AuditEventsReply(events=events, started=sanitize(started, 40))

    async def recording(self, message: P.AuditRecording) -> P.AuditRecordingReply:
        sid, _started, rel = self._session_row(message.session)
        if not rel:
            raise RequestError("That session has no recording.")
        rel_path = Path(str(rel))
        if rel_path.is_absolute() or ".." in rel_path.parts:
            raise RequestError("That recording cannot be read.")
        offset = max(0, int(message.offset))
        live = sid in self._live()
        key = ("live" if message.follow else "replay", sid)
        if (offset == 0 or message.follow) and key not in self._seen:
            self._seen.add(key)
            self.audit("audit_watch_live" if message.follow and live else "audit_replay",
                       target_session=sid)
        try:
            data, size = await asyncio.to_thread(_read_chunk, self.data_dir / rel_path, offset)
        except FileNotFoundError:
            raise RequestError("That recording is missing (see 'slate audit verify').") from None
        except OSError:
            raise RequestError("That recording cannot be read.") from None
        return P.AuditRecordingReply(data=base64.b64encode(data).decode("ascii"), offset=offset,
                                     next_offset=offset + len(data), size=size, live=live)

    async def code(self, message: P.AuditCode) -> P.AuditCodeReply:
        """The learner's files as saved at that moment, from ``history/<learner>.git``."""
        sid = message.session
        rows = self.store.query(
            "SELECT a.name, s.started FROM sessions s JOIN accounts a ON a.id = s.account_id "
            "WHERE s.id = ?", (sid,))
        if not rows:
            raise RequestError("There is no such session.")
        learner, started = rows[0]
        t0 = _when(started)
        when = (t0.timestamp() if t0 else 0.0) + max(0.0, float(message.t))
        reply = await asyncio.to_thread(_code_at, self.data_dir, str(learner), when)
        self.audit("audit_code", target_session=sid, version=reply.get("version"),
                   files=len(reply.get("files", [])))
        return P.AuditCodeReply(**reply)

    # -- search and export ----------------------------------------------------------------------

    async def search(self, message: P.AuditSearch) -> P.AuditSearchReply:
        def run() -> list[dict[str, Any]]:
            index = SearchIndex(index_path(self.data_dir))
            try:
                hits = index.search(message.query, limit=max(1, min(message.limit, 200)),
                                    user=message.user or None)
            finally:
                index.close()
            return [h.to_dict() for h in hits]

        hits = await asyncio.to_thread(run)
        self.audit("audit_search", query=message.query, user=message.user, results=len(hits))
        return P.AuditSearchReply(hits=hits)

    async def export(self, message: P.AuditExport) -> P.AuditExportReply:
        sid = self._session_row(message.session)[0]
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        folder = self.data_dir / "exports" / f"{stamp}-{sid[:12]}-{self.account.name}"
        try:
            result = await asyncio.to_thread(
                export, self.store, self.audit_log, self.data_dir, folder,
                ExportQuery(session=sid), actor=self.account.name,
                address=getattr(self.session.server, "address", None),
                session=self.session.session_id)
        except ValueError as exc:
            raise RequestError(str(exc)) from None
        return P.AuditExportReply(folder=str(folder.relative_to(self.data_dir)),
                                  events=result.events, checkpoint=result.checkpoint_id)


CODE_FILES = 20
CODE_FILE_BYTES = 64 << 10
CODE_TOTAL_BYTES = 256 << 10


def _code_at(data_dir: Path, learner: str, when: float) -> dict[str, Any]:
    """The newest history snapshot at or before ``when`` (Unix time): the files of the
    exercise folder it touched, as text (capped). Empty when there is none."""
    repo = data_dir / "history" / f"{learner}.git"
    if not (repo / "HEAD").exists():  # History() would create it: an auditor makes nothing
        return {}
    try:
        history = History(repo)
        versions = history.versions("")
        version = next((v for v in versions if v.time <= when), None)
        if version is None:
            return {}
        folder = "/".join(version.files[0].split("/")[:2]) if version.files else ""
        files = []
        total = 0
        for path in history.files(version.id, folder)[:CODE_FILES]:
            data = history.read(version.id, path)
            cut = data[:CODE_FILE_BYTES]
            if total + len(cut) > CODE_TOTAL_BYTES:
                break
            total += len(cut)
            files.append({"path": path, "text": cut.decode("utf-8", "replace"),
                          "truncated": len(data) > len(cut)})
    except HistoryError as exc:
        return {"message": sanitize(str(exc), 200)}
    stamp = datetime.fromtimestamp(version.time, UTC).strftime("%Y-%m-%d %H:%M:%S")
    return {"version": version.id, "time": stamp, "message": sanitize(version.message, 200),
            "files": files}


def _read_chunk(path: Path, offset: int) -> tuple[bytes, int]:
    """Up to :data:`RECORDING_CHUNK` bytes of a recording from ``offset`` (never a link)."""
    if path.name.endswith(".zst"):  # compressed by retention: the same bytes, expanded
        whole = read_recording(path)
        return whole[offset:offset + RECORDING_CHUNK], len(whole)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        handle.seek(min(offset, size))
        return handle.read(RECORDING_CHUNK), size
