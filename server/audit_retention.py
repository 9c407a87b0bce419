"""Retention: recordings older than N days compressed with zstd, still replayable, searchable and
verifiable; and the one place that reads a recording whether it is compressed or not.

Owns :func:`compress_old` (reading either form lives in :mod:`server.recording_files`). Invariant
kept:
**tamper-evident records (5)** — compression never changes what a recording proves: the digest
in its ``session_end`` row is the sha256 of the *uncompressed* bytes, checked before the original
is removed (a recording that no longer matches its digest is left as it is and reported), and
``slate audit verify`` checks a compressed one by decompressing it. Each compression is itself
an audit event (``recording_compressed``). Decompression is bounded (a corrupt or crafted
``.zst`` cannot fill memory). Nothing here parses a recording's contents (invariant 9).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import zstandard

from server.audit import AuditLog, sanitize
from server.recording_files import SUFFIX, recording_digest
from server.store import Store

LEVEL = 10
"""zstd level: about 10x smaller for a terminal recording, fast enough once a day."""


@dataclass
class RetentionStats:
    """What :func:`compress_old` did."""

    compressed: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    problems: list[str] = field(default_factory=list)


def compress_old(
    store: Store, audit: AuditLog, data_dir: Path, days: int, *, actor: str,
    now: datetime | None = None,
) -> RetentionStats:
    """Compress the recordings of sessions that ended more than ``days`` days ago.

    For each: write ``<name>.cast.zst`` beside it (0600, fsynced), check that it decompresses
    to the digest the chain holds, record ``recording_compressed``, point the session at the
    new file, then remove the original.
    """
    stats = RetentionStats()
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(
        timespec="microseconds")
    rows = store.query(
        "SELECT id, recording, digest FROM sessions WHERE ended IS NOT NULL AND ended < ? "
        "AND recording IS NOT NULL", (cutoff,))
    for sid, rel, digest in rows:
        rel = str(rel)
        rel_path = Path(rel)
        if rel.endswith(SUFFIX) or rel_path.is_absolute() or ".." in rel_path.parts:
            continue
        source = Path(data_dir) / rel_path
        target = source.with_name(source.name + SUFFIX)
        label = f"recording {sanitize(rel, 200)}"
        try:
            if not target.exists():
                got = _compress(source, target)
            else:  # a crash after the compressed copy was made: finish the job
                got = recording_digest(target)
        except FileNotFoundError:
            continue
        except OSError as exc:
            stats.problems.append(f"{label}: {exc}")
            continue
        if digest and got != digest:
            target.unlink(missing_ok=True)
            stats.problems.append(f"{label}: does not match its digest; left as it is "
                                  "(see 'slate audit verify')")
            audit.append("recording_not_compressed", actor=actor, session=sid, recording=rel,
                         reason="digest mismatch")
            continue
        before = source.stat().st_size if source.exists() else 0
        after = target.stat().st_size
        audit.append("recording_compressed", actor=actor, session=sid, recording=rel,
                     compressed=rel + SUFFIX, digest=got, bytes_before=before,
                     bytes_after=after)
        with store.transaction() as db:
            db.execute("UPDATE sessions SET recording = ? WHERE id = ?", (rel + SUFFIX, sid))
        source.unlink(missing_ok=True)
        stats.compressed += 1
        stats.bytes_before += before
        stats.bytes_after += after
    return stats


def _compress(source: Path, target: Path) -> str:
    """Compress ``source`` into ``target``; return the sha256 of what ``target`` expands to."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd_in = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    fd_out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
    try:
        with os.fdopen(fd_in, "rb") as src, os.fdopen(fd_out, "wb") as dst:
            compressor = zstandard.ZstdCompressor(level=LEVEL)
            compressor.copy_stream(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
        got = recording_digest(tmp, compressed=True)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return got
