"""Case-file exports of sessions and their audit events, and their offline verification.

Owns the export folder format and :func:`verify_export`. Invariant kept: **tamper-evident records
(5)** for records that leave the machine. An export holds::

    manifest.json      what was asked, every file's sha256, the sessions, the covering checkpoint
    manifest.sig       Ed25519 signature of manifest.json (the checkpoint key)
    public_key.pem     the signer's public key (for reference; the verifier brings its own copy)
    events.jsonl       the matching audit events, full rows (one JSON object a line)
    events.csv         the same, for a spreadsheet (text cells neutralised against formulas)
    chain.jsonl        every chain row from the first matching event to the covering checkpoint
    recordings/<session-id>.cast

:func:`verify_export` needs only that folder and the public key: the manifest's signature, every
file's digest, the chain segment's links and hashes up to a signed checkpoint, each exported event
found verbatim in the segment, and each closed recording against the sha256 in its (proven)
``session_end`` row. A deleted, edited or reordered row, a chain cut short of its checkpoint, and
a deleted or altered recording are each reported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from server import checkpoint as cpmod
from server.audit import AuditLog, sanitize
from server.recorder import file_digest
from server.recording_files import recording_digest
from server.store import Store

FORMAT = "slate-audit-export/1"
COLUMNS = ("id", "ts", "kind", "actor", "address", "session", "detail", "prev_hash", "hash")
_SESSION_RE = re.compile(r"[A-Za-z0-9_.-]{1,128}")


@dataclass(frozen=True)
class ExportQuery:
    """What to export: one session, or one user's sessions between two times (ISO, UTC)."""

    session: str | None = None
    user: str | None = None
    start: str | None = None
    end: str | None = None

    def describe(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class ExportResult:
    """What :func:`export` wrote."""

    folder: Path
    sessions: list[str]
    events: int
    chain_rows: int
    checkpoint_id: int


def _select_sessions(store: Store, query: ExportQuery) -> list[tuple[str, str, str | None]]:
    """``(session id, user, recording)`` of the sessions the query names."""
    if query.session is not None:
        rows = store.query(
            "SELECT s.id, a.name, s.recording FROM sessions s JOIN accounts a "
            "ON a.id = s.account_id WHERE s.id = ?", (query.session,))
        if not rows:
            raise ValueError(f"no session {sanitize(query.session, 80)!s}")
        return [(str(r[0]), str(r[1]), r[2]) for r in rows]
    if query.user is None:
        raise ValueError("say which session (--session) or which user (--user)")
    where = ["a.name = ?"]
    params: list[Any] = [query.user]
    if query.start:
        where.append("COALESCE(s.ended, '9999') >= ?")
        params.append(query.start)
    if query.end:
        where.append("s.started <= ?")
        params.append(query.end)
    rows = store.query(
        "SELECT s.id, a.name, s.recording FROM sessions s JOIN accounts a ON a.id = s.account_id"
        f" WHERE {' AND '.join(where)} ORDER BY s.started", tuple(params))
    return [(str(r[0]), str(r[1]), r[2]) for r in rows]


def _select_events(store: Store, query: ExportQuery, sessions: list[str]) -> list[dict[str, Any]]:
    clauses = []
    params: list[Any] = []
    if sessions:
        clauses.append(f"session IN ({', '.join('?' * len(sessions))})")
        params.extend(sessions)
    if query.user is not None and query.session is None:
        time_where = ""
        if query.start:
            time_where += " AND ts >= ?"
        if query.end:
            time_where += " AND ts <= ?"
        clauses.append(f"(actor = ?{time_where})")
        params.append(query.user)
        if query.start:
            params.append(query.start)
        if query.end:
            params.append(query.end)
    if not clauses:
        return []
    rows = store.query(
        f"SELECT {', '.join(COLUMNS)} FROM audit_events WHERE {' OR '.join(clauses)} ORDER BY id",
        tuple(params))
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows]


def _csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: neutralised, and never read as a formula."""
    text = sanitize("" if value is None else value, 4000)
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return text


def _write(folder: Path, rel: str, data: bytes) -> dict[str, Any]:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return {"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def export(
    store: Store, audit: AuditLog, data_dir: Path, folder: Path, query: ExportQuery, *,
    actor: str | None, address: str | None = None, session: str | None = None,
) -> ExportResult:
    """Write a case-file export to ``folder`` (which must not exist or be empty).

    A fresh checkpoint is signed when none covers the newest exported event yet; the export
    itself is audited (``audit_export``) before it is written.

    Raises:
        ValueError: nothing matches, or the folder is in use.
    """
    sessions = _select_sessions(store, query)
    ids = [s[0] for s in sessions]
    events = _select_events(store, query, ids)
    if not sessions and not events:
        raise ValueError("nothing matches: no sessions or events for that query")
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty (choose a new folder for the export)")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    detail: dict[str, Any] = {"folder": str(folder), "sessions": ids, "events": len(events),
                              "query": query.describe()}
    audit.append("audit_export", actor=actor, address=address, session=session, **detail)
    key = cpmod.load_or_create_key(data_dir)
    first = min((e["id"] for e in events), default=None)
    last = max((e["id"] for e in events), default=0)
    cp = _covering_checkpoint(data_dir, key.public_key(), last)
    if cp is None:
        cp = cpmod.make_checkpoint(store, audit, data_dir, actor=actor, reason="export")
        assert cp is not None
    if first is None:
        first = cp.id
    files: list[dict[str, Any]] = []
    # Recordings: copied bytes as they are now (a live one grows later; its digest is the copy's).
    session_rows = []
    for sid, user, rel in sessions:
        entry: dict[str, Any] = {"id": sid, "user": user, "recording": None}
        if rel and _SESSION_RE.fullmatch(sid):
            source = Path(data_dir) / rel
            rel_path = Path(rel)
            if not rel_path.is_absolute() and ".." not in rel_path.parts and source.is_file():
                data = _read_nofollow(source)
                target = f"recordings/{sid}{''.join(rel_path.suffixes[-2:]) or '.cast'}"
                files.append(_write(folder, target, data))
                entry["recording"] = target
                entry["source"] = rel
        session_rows.append(entry)
    lines = "".join(json.dumps(e, sort_keys=True) + "\n" for e in events).encode()
    files.append(_write(folder, "events.jsonl", lines))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for e in events:
        writer.writerow([_csv_cell(e[c]) for c in COLUMNS])
    files.append(_write(folder, "events.csv", buf.getvalue().encode("utf-8")))
    chain = store.query(
        f"SELECT {', '.join(COLUMNS)} FROM audit_events WHERE id BETWEEN ? AND ? ORDER BY id",
        (first, cp.id))
    chain_text = "".join(
        json.dumps(dict(zip(COLUMNS, r, strict=True)), sort_keys=True) + "\n" for r in chain)
    files.append(_write(folder, "chain.jsonl", chain_text.encode()))
    manifest = {
        "format": FORMAT,
        "created": cp.ts,
        "actor": actor,
        "query": query.describe(),
        "sessions": session_rows,
        "files": files,
        "chain": {"first": first, "last": cp.id, "rows": len(chain)},
        "checkpoint": cp.to_dict(),
        "key_id": cpmod.key_id(key.public_key()),
    }
    body = (json.dumps(manifest, sort_keys=True, indent=1) + "\n").encode()
    _write(folder, "manifest.json", body)
    _write(folder, "manifest.sig",
           (cpmod.sign_bytes(key, cpmod.MANIFEST_CONTEXT, body) + "\n").encode())
    _write(folder, "public_key.pem", cpmod.public_pem(key.public_key()))
    return ExportResult(folder, ids, len(events), len(chain), cp.id)


def _read_nofollow(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def _covering_checkpoint(data_dir: Path, key: Ed25519PublicKey,
                         last: int) -> cpmod.Checkpoint | None:
    """The oldest signed checkpoint at or after row ``last`` (a short chain segment)."""
    found, _problems = cpmod.read_checkpoints(cpmod.checkpoints_path(data_dir))
    good = [c for c in found if c.id >= last and c.valid(key)]
    return min(good, key=lambda c: c.id) if good else None


# -- verifying ----------------------------------------------------------------------------------


def _jsonl(path: Path, report: cpmod.ChainReport, label: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        report.add(f"{label}: missing (deleted)")
        return rows
    except (OSError, UnicodeDecodeError) as exc:
        report.add(f"{label}: cannot be read: {exc}")
        return rows
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            report.add(f"{label} line {number}: not JSON (edited)")
            continue
        if isinstance(value, dict):
            rows.append(value)
        else:
            report.add(f"{label} line {number}: not an audit row (edited)")
    return rows


def verify_export(folder: Path, key: Ed25519PublicKey,
                  kept: list[cpmod.Checkpoint] | None = None) -> cpmod.ChainReport:
    """Verify an export folder with only its files and the trusted public key.

    ``kept``: checkpoints the verifier kept independently; each one at or before the export's
    own checkpoint must be signed and match the segment's row.

    Returns:
        A report: ``proven_to`` is the checkpointed row; ``problems`` say what was tampered with.
    """
    folder = Path(folder)
    report = cpmod.ChainReport()
    try:
        body = (folder / "manifest.json").read_bytes()
        signature = (folder / "manifest.sig").read_text("ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        report.add(f"manifest: cannot be read ({exc.__class__.__name__}): not an export?")
        return report
    if not cpmod.signature_ok(key, cpmod.MANIFEST_CONTEXT, body, signature):
        report.add(f"manifest.json: signature is not valid for key {cpmod.key_id(key)} "
                   "(edited, or signed by another key)")
    try:
        manifest = json.loads(body)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError
    except ValueError:
        report.add("manifest.json: not a Slate export manifest")
        return report
    listed: set[str] = set()
    for entry in manifest.get("files", []):
        rel = str(entry.get("path", ""))
        listed.add(rel)
        rel_path = Path(rel)
        if not rel or rel_path.is_absolute() or ".." in rel_path.parts:
            report.add(f"manifest: a file path leaves the export: {sanitize(rel, 200)}")
            continue
        report.files += 1
        try:
            got = file_digest(folder / rel_path)
        except FileNotFoundError:
            report.add(f"{sanitize(rel, 200)}: missing (deleted)")
            continue
        if got != entry.get("sha256"):
            report.add(f"{sanitize(rel, 200)}: sha256 differs from the manifest (altered)")
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in listed and rel not in (
                "manifest.json", "manifest.sig", "public_key.pem"):
            report.add(f"{sanitize(rel, 200)}: not listed in the manifest (added)")

    try:
        cp = cpmod.Checkpoint.from_dict(manifest.get("checkpoint"))
    except ValueError as exc:
        report.add(f"manifest: checkpoint: {exc}")
        return report
    chain = _jsonl(folder / "chain.jsonl", report, "chain.jsonl")
    ends = {}
    for row in chain:
        if row.get("kind") == "session_end" and isinstance(row.get("id"), int):
            ends[row["id"]] = row
    extra = list(kept or [])
    hashes = cpmod.verify_rows(chain, report, want_hashes={cp.id, *ends, *(k.id for k in extra)},
                               anchored=False)
    if chain and chain[0].get("id") != manifest.get("chain", {}).get("first"):
        report.add(f"chain.jsonl: starts at row {sanitize(chain[0].get('id'), 20)}, the manifest "
                   f"says {sanitize(manifest.get('chain', {}).get('first'), 20)} (rows deleted)")
    cpmod.judge_checkpoints([cp], key, hashes, report, where="manifest")
    # A kept checkpoint newer than this export's own is not this export's business (it was
    # made earlier); one inside the segment must match it.
    inside = [k for k in extra if k.id <= max(report.last_id, cp.id)]
    cpmod.judge_checkpoints(inside, key, hashes, report, where="kept checkpoint")
    proven = {rid: row for rid, row in ends.items() if rid in hashes and rid <= report.proven_to}
    in_chain = {(r.get("id"), r.get("hash")) for r in chain}
    for event in _jsonl(folder / "events.jsonl", report, "events.jsonl"):
        if (event.get("id"), event.get("hash")) not in in_chain:
            report.add(f"events.jsonl: event {sanitize(event.get('id'), 20)} is not in the "
                       "verified chain (edited or invented)")
        elif cpmod.row_hash_ok(event) is False:
            report.add(f"events.jsonl: event {sanitize(event.get('id'), 20)} does not match its "
                       "hash (edited)")
    for entry in manifest.get("sessions", []):
        sid = str(entry.get("id"))
        rec = entry.get("recording")
        if not rec:
            continue
        report.recordings += 1
        label = f"recording of session {sanitize(sid, 80)}"
        path = folder / str(rec)
        if not path.is_file():
            report.add(f"{label}: missing (deleted)")
            continue
        end = next((row for row in proven.values() if row.get("session") == sid), None)
        if end is None:
            continue  # still being recorded at export time: the signed manifest digest covers it
        try:
            detail = json.loads(end["detail"])
        except ValueError:
            continue
        try:
            expanded = recording_digest(path)
        except Exception:  # a corrupt compressed copy
            expanded = ""
        if detail.get("digest") and expanded != detail["digest"]:
            report.add(f"{label}: sha256 differs from the one in audit row {end['id']} "
                       "(altered)")
    return report
