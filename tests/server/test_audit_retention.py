"""Retention: old recordings compressed with zstd stay verifiable, exportable, searchable and
readable by the desk; tampering with a compressed one is still caught."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from server import checkpoint as cpmod
from server.audit import AuditLog, verify
from server.audit_export import ExportQuery, export, verify_export
from server.audit_retention import compress_old
from server.audit_search import SearchIndex, index_pass, index_path
from server.recording_files import read_recording
from server.store import Store
from tests.server.test_audit_checkpoint import recorded_session

LATER = datetime.now(UTC) + timedelta(days=40)


def test_compressed_recording_still_verifies_and_is_smaller(store: Store, audit: AuditLog,
                                                           data_dir: Path) -> None:
    cast = recorded_session(store, audit, data_dir, "old-1", "ada", typed=b"x" * 50000 + b"\r")
    original = cast.read_bytes()
    assert compress_old(store, audit, data_dir, 30, actor="t").compressed == 0  # not old yet
    stats = compress_old(store, audit, data_dir, 30, actor="t", now=LATER)
    assert stats.compressed == 1 and stats.problems == []
    assert stats.bytes_after * 10 < stats.bytes_before
    assert not cast.exists()
    packed = cast.with_name(cast.name + ".zst")
    assert packed.stat().st_mode & 0o777 == 0o600
    assert read_recording(packed) == original == read_recording(cast)  # .cast falls back
    assert store.get_session("old-1").recording.endswith(".cast.zst")
    event = audit.events(kind="recording_compressed")[-1]
    assert event.session == "old-1" and event.detail["bytes_after"] == stats.bytes_after
    report = verify(store, data_dir / "recordings")
    assert report.ok and report.recordings_checked == 1, report.problems
    # Again: nothing more to do.
    assert compress_old(store, audit, data_dir, 30, actor="t", now=LATER).compressed == 0


def test_sec_tampered_compressed_recording_is_detected(store: Store, audit: AuditLog,
                                                       data_dir: Path) -> None:
    import zstandard

    cast = recorded_session(store, audit, data_dir, "old-2", "ada", typed=b"secret\r")
    compress_old(store, audit, data_dir, 30, actor="t", now=LATER)
    packed = cast.with_name(cast.name + ".zst")
    forged = read_recording(packed).replace(b"secret", b"public")
    packed.write_bytes(zstandard.ZstdCompressor().compress(forged))
    report = verify(store, data_dir / "recordings")
    assert not report.ok and "altered" in report.problems[0]
    packed.write_bytes(b"not zstd at all")
    report = verify(store, data_dir / "recordings")
    assert not report.ok and "cannot be read" in report.problems[0]


def test_recording_not_matching_its_digest_is_left_alone(store: Store, audit: AuditLog,
                                                        data_dir: Path) -> None:
    cast = recorded_session(store, audit, data_dir, "old-3", "ada")
    cast.write_bytes(cast.read_bytes() + b'[9.0, "o", "added later"]\n')
    stats = compress_old(store, audit, data_dir, 30, actor="t", now=LATER)
    assert stats.compressed == 0 and "does not match its digest" in stats.problems[0]
    assert cast.exists() and not cast.with_name(cast.name + ".zst").exists()
    assert audit.events(kind="recording_not_compressed")


async def test_compressed_recording_is_indexed_and_exported(store: Store, audit: AuditLog,
                                                           data_dir: Path,
                                                           tmp_path: Path) -> None:
    recorded_session(store, audit, data_dir, "old-4", "ada", typed=b"marmalade\r")
    compress_old(store, audit, data_dir, 30, actor="t", now=LATER)
    index = SearchIndex(index_path(data_dir))
    try:
        await index_pass(store, data_dir, index)  # the real parser sandbox
        hits = index.search("marmalade")
        assert {(h.session, h.kind) for h in hits} == {("old-4", "typed"), ("old-4", "screen")}
    finally:
        index.close()
    out = tmp_path / "case"
    export(store, audit, data_dir, out, ExportQuery(session="old-4"), actor="alan")
    assert (out / "recordings" / "old-4.cast.zst").exists()
    shutil.copy(cpmod.key_paths(data_dir)[1], tmp_path / "trusted.pem")
    report = verify_export(out, cpmod.load_public_key(tmp_path / "trusted.pem"))
    assert report.ok and report.recordings == 1, report.problems


async def test_desk_serves_a_compressed_recording_byte_for_byte(store: Store, audit: AuditLog,
                                                               data_dir: Path) -> None:
    from server.audit_desk import _read_chunk

    cast = recorded_session(store, audit, data_dir, "old-5", "ada")
    original = cast.read_bytes()
    compress_old(store, audit, data_dir, 30, actor="t", now=LATER)
    packed = data_dir / store.get_session("old-5").recording
    data, size = _read_chunk(packed, 0)
    assert data == original and size == len(original)
    assert _read_chunk(packed, 10)[0] == original[10:]
