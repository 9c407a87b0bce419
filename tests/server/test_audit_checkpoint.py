"""Signed checkpoints, case-file exports, and offline verification against each kind of tampering.

Every tampering test works on real files: a real SQLite store, real recordings, a real Ed25519
key, and the ``slate`` CLI in a subprocess for the end-to-end cases (verify on "another machine"
is a folder holding only the export and the public key).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from server import checkpoint as cpmod
from server.audit import AuditLog
from server.audit_export import ExportQuery, export, verify_export
from server.recorder import Recorder
from server.store import Store

ROOT = Path(__file__).resolve().parents[2]


def slate(data_dir: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [str(Path(sys.executable).with_name("slate"))]
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*argv, *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60)


def recorded_session(store: Store, audit: AuditLog, data_dir: Path, sid: str, user: str,
                     typed: bytes = b"hello\r") -> Path:
    """A finished session the way the gateway leaves it: store rows, cast, start/end events."""
    if store.get_account(user) is None:
        store.add_account(user, "learner")
    rel = f"recordings/2026/11/{sid}.cast"
    rec = Recorder(data_dir / rel, 80, 24, term="xterm", meta={"user": user, "session": sid})
    store.start_session(sid, user, address="10.0.0.5", term="xterm", cols=80, rows=24,
                        recording=rel)
    audit.append("session_start", actor=user, session=sid, recording=rel, role="learner")
    rec.output(b"\x1b[2J\x1b[1;1HWelcome to Slate\r\n")
    rec.input(typed)
    rec.output(typed)
    digest = rec.close()
    audit.append("run", actor=user, session=sid, command="node index.js", exit_code=0)
    store.end_session(sid, bytes_in=len(typed), bytes_out=40, digest=digest, end_reason="logout")
    audit.append("session_end", actor=user, session=sid, recording=rel, digest=digest,
                 reason="logout", duration=1.0)
    return data_dir / rel


def tamper(db: Path, statement: str, params: tuple = ()) -> None:
    con = sqlite3.connect(db)
    con.execute(statement, params)
    con.commit()
    con.close()


@pytest.fixture
def pub(data_dir: Path) -> cpmod.Ed25519PublicKey:
    return cpmod.load_or_create_key(data_dir).public_key()


def test_key_is_its_own_private_and_public_files(data_dir: Path) -> None:
    key = cpmod.load_or_create_key(data_dir)
    private, public = cpmod.key_paths(data_dir)
    assert private.stat().st_mode & 0o777 == 0o600
    assert private.parent.stat().st_mode & 0o777 == 0o700
    assert b"PRIVATE" not in public.read_bytes()
    loaded = cpmod.load_public_key(public)
    assert cpmod.key_id(loaded) == cpmod.key_id(key.public_key())
    # Loading again gives the same key (not a new one each time).
    again = cpmod.load_or_create_key(data_dir)
    assert cpmod.key_id(again.public_key()) == cpmod.key_id(key.public_key())
    assert not (data_dir / "host_keys").exists()  # not the SSH host key


def test_checkpoint_signs_head_in_file_and_chain(store: Store, audit: AuditLog,
                                                 data_dir: Path, pub) -> None:
    for i in range(3):
        audit.append("login_ok", actor="ada", n=i)
    cp = cpmod.make_checkpoint(store, audit, data_dir, actor="os:test", reason="on demand")
    assert cp is not None and cp.id == 3 and cp.valid(pub)
    saved, problems = cpmod.read_checkpoints(cpmod.checkpoints_path(data_dir))
    assert saved == [cp] and problems == []
    row = audit.events(kind=cpmod.CHECKPOINT_KIND)[0]
    assert row.id == 4 and row.detail["covers_id"] == 3 and row.actor == "os:test"
    report = cpmod.verify_local(store, data_dir, pub)
    assert report.ok, report.problems
    assert report.proven_to == 3 and report.last_id == 4


def test_verify_local_detects_forged_checkpoint_and_wrong_key(store: Store, audit: AuditLog,
                                                              data_dir: Path, pub,
                                                              tmp_path: Path) -> None:
    audit.append("login_ok", actor="ada")
    cp = cpmod.make_checkpoint(store, audit, data_dir, actor="t", reason="on demand")
    assert cp is not None
    other = cpmod.load_or_create_key(tmp_path / "other").public_key()
    report = cpmod.verify_local(store, data_dir, other)
    assert not report.ok and "signature is not valid" in report.problems[0]
    forged = dict(cp.to_dict(), id=1, hash="f" * 64)
    with open(cpmod.checkpoints_path(data_dir), "a") as handle:
        handle.write(json.dumps(forged) + "\n")
    report = cpmod.verify_local(store, data_dir, pub)
    assert any("forged or edited" in p for p in report.problems)


def test_verify_local_detects_truncation_after_a_checkpoint(store: Store, audit: AuditLog,
                                                            data_dir: Path, pub) -> None:
    for i in range(6):
        audit.append("login_ok", actor="ada", n=i)
    cpmod.make_checkpoint(store, audit, data_dir, actor="t", reason="on demand")
    audit.append("login_ok", actor="ada", n=99)
    # The intruder cuts the table back to row 4, checkpoint row included, and hides the
    # sequence and head so the old local checks see nothing.
    tamper(store.path, "DELETE FROM audit_events WHERE id > 4")
    tamper(store.path, "UPDATE sqlite_sequence SET seq = 4 WHERE name = 'audit_events'")
    (data_dir / "slate.db.audit-head").unlink()
    report = cpmod.verify_local(store, data_dir, pub)
    assert not report.ok
    assert "the chain ends at row 4" in report.problems[0] and "truncated" in report.problems[0]


def test_verify_local_detects_rewritten_chain_from_a_row(store: Store, audit: AuditLog,
                                                         data_dir: Path, pub) -> None:
    from server.audit import row_hash

    for i in range(4):
        audit.append("login_ok", actor="ada", n=i)
    cpmod.make_checkpoint(store, audit, data_dir, actor="t", reason="on demand")
    # Rewrite row 2 and re-hash every row after it consistently: links hold, signature doesn't.
    rows = list(cpmod.store_rows(store))
    rows[1]["detail"] = '{"n":7}'
    prev = rows[0]["hash"]
    for row in rows[1:]:
        row["prev_hash"] = prev
        row["hash"] = row_hash(row)
        prev = row["hash"]
    con = sqlite3.connect(store.path)
    con.execute("DELETE FROM audit_events WHERE id >= 2")
    for row in rows[1:]:
        con.execute("INSERT INTO audit_events VALUES (?,?,?,?,?,?,?,?,?)",
                    tuple(row[k] for k in ("id", "ts", "kind", "actor", "address", "session",
                                           "detail", "prev_hash", "hash")))
    con.commit()
    con.close()
    report = cpmod.verify_local(store, data_dir, pub)
    assert any("hash differs from the signed one" in p for p in report.problems)


@pytest.fixture
def exported(store: Store, audit: AuditLog, data_dir: Path, tmp_path: Path) -> Path:
    audit.append("login_ok", actor="grace")
    recorded_session(store, audit, data_dir, "s-one", "ada")
    recorded_session(store, audit, data_dir, "s-two", "grace", typed=b"other\r")
    out = tmp_path / "case"
    result = export(store, audit, data_dir, out, ExportQuery(session="s-one"), actor="alan")
    assert result.sessions == ["s-one"]
    # "Another machine": only the export and the public key, no data dir.
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(out, elsewhere / "case")
    shutil.copy(cpmod.key_paths(data_dir)[1], elsewhere / "trusted.pem")
    return elsewhere / "case"


def _verify(folder: Path) -> cpmod.ChainReport:
    return verify_export(folder, cpmod.load_public_key(folder.parent / "trusted.pem"))


def test_export_writes_case_file_and_verifies_offline(exported: Path, audit: AuditLog) -> None:
    names = sorted(p.relative_to(exported).as_posix() for p in exported.rglob("*") if p.is_file())
    assert names == ["chain.jsonl", "events.csv", "events.jsonl", "manifest.json",
                     "manifest.sig", "public_key.pem", "recordings/s-one.cast"]
    events = [json.loads(x) for x in (exported / "events.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in events] == ["session_start", "run", "session_end"]
    assert {e["session"] for e in events} == {"s-one"}
    csv_text = (exported / "events.csv").read_text()
    assert csv_text.splitlines()[0].startswith("id,ts,kind,actor")
    manifest = json.loads((exported / "manifest.json").read_text())
    assert manifest["checkpoint"]["id"] >= events[-1]["id"]
    assert {f["path"] for f in manifest["files"]} >= {"recordings/s-one.cast", "events.csv"}
    report = _verify(exported)
    assert report.ok, report.problems
    assert report.recordings == 1 and report.proven_to == manifest["checkpoint"]["id"]
    # The export itself is an audit event.
    made = audit.events(kind="audit_export")
    assert made and made[-1].actor == "alan" and made[-1].detail["sessions"] == ["s-one"]


def _rewrite_lines(path: Path, change) -> None:
    lines = path.read_text().splitlines()
    path.write_text("".join(x + "\n" for x in change(lines)))


def test_export_verify_detects_edited_row(exported: Path) -> None:
    def edit(lines):
        row = json.loads(lines[1])
        row["detail"] = row["detail"].replace("0", "1") if "0" in row["detail"] else '{"x":1}'
        lines[1] = json.dumps(row, sort_keys=True)
        return lines
    _rewrite_lines(exported / "chain.jsonl", edit)
    problems = _verify(exported).problems
    assert any("chain.jsonl: sha256 differs" in p for p in problems)
    assert any("contents do not match its hash (edited)" in p for p in problems)


def test_export_verify_detects_reordered_rows(exported: Path) -> None:
    _rewrite_lines(exported / "chain.jsonl", lambda ls: [ls[1], ls[0], *ls[2:]])
    problems = _verify(exported).problems
    assert any("reordered" in p for p in problems)


def test_export_verify_detects_deleted_row(exported: Path) -> None:
    _rewrite_lines(exported / "chain.jsonl", lambda ls: [ls[0], *ls[2:]])
    problems = _verify(exported).problems
    assert any("missing (deleted)" in p and "audit row" in p for p in problems)


def test_export_verify_detects_truncation_after_the_checkpoint(exported: Path) -> None:
    _rewrite_lines(exported / "chain.jsonl", lambda ls: ls[:-2])
    problems = _verify(exported).problems
    assert any("truncated after the checkpoint" in p for p in problems)


def test_export_verify_detects_deleted_and_altered_recording(exported: Path) -> None:
    cast = exported / "recordings" / "s-one.cast"
    data = cast.read_bytes()
    cast.write_bytes(data.replace(b"hello", b"HELLO"))
    problems = _verify(exported).problems
    assert any("s-one.cast: sha256 differs from the manifest" in p for p in problems)
    assert any("differs from the one in audit row" in p for p in problems)
    cast.unlink()
    problems = _verify(exported).problems
    assert any("recording of session s-one: missing (deleted)" in p for p in problems)


def test_export_verify_detects_forged_manifest_and_wrong_key(exported: Path,
                                                            tmp_path: Path) -> None:
    manifest = exported / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"s-one"', '"s-xxx"', 1))
    assert any("manifest.json: signature is not valid" in p for p in _verify(exported).problems)
    other = cpmod.load_or_create_key(tmp_path / "k").public_key()
    assert not verify_export(exported, other).ok


def test_export_verify_detects_edited_events_file(exported: Path) -> None:
    _rewrite_lines(exported / "events.jsonl", lambda ls: [
        json.dumps(dict(json.loads(ls[0]), actor="mallory"), sort_keys=True), *ls[1:]])
    problems = _verify(exported).problems
    assert any("events.jsonl: sha256 differs" in p for p in problems)


def test_export_by_user_and_time_range(store: Store, audit: AuditLog, data_dir: Path,
                                       tmp_path: Path) -> None:
    recorded_session(store, audit, data_dir, "s-a", "ada")
    recorded_session(store, audit, data_dir, "s-b", "grace")
    result = export(store, audit, data_dir, tmp_path / "u", ExportQuery(
        user="ada", start="2000-01-01T00:00:00+00:00", end="2999-01-01T00:00:00+00:00"),
        actor="alan")
    assert result.sessions == ["s-a"]
    with pytest.raises(ValueError, match="nothing matches"):
        export(store, audit, data_dir, tmp_path / "later", ExportQuery(
            user="ada", start="2999-01-01T00:00:00+00:00"), actor="alan")
    with pytest.raises(ValueError, match="nothing matches"):
        export(store, audit, data_dir, tmp_path / "v",
               ExportQuery(user="nobody-here"), actor="alan")


def test_csv_cells_cannot_be_formulas_or_escapes(store: Store, audit: AuditLog, data_dir: Path,
                                                 tmp_path: Path) -> None:
    recorded_session(store, audit, data_dir, "s-f", "ada")
    audit.append("run", actor="ada", session="s-f", command="=HYPERLINK(\"x\")\x1b]52;c;AA\x07")
    export(store, audit, data_dir, tmp_path / "f", ExportQuery(session="s-f"), actor="alan")
    text = (tmp_path / "f" / "events.csv").read_text()
    assert "\x1b" not in text and "\x07" not in text
    for line in text.splitlines():
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@"))


def test_cli_checkpoint_export_and_verify_elsewhere(store: Store, audit: AuditLog,
                                                    data_dir: Path, tmp_path: Path) -> None:
    recorded_session(store, audit, data_dir, "s-cli", "ada")
    done = slate(data_dir, "audit", "checkpoint")
    assert done.returncode == 0, done.stderr
    assert "signed" in done.stdout
    key = slate(data_dir, "audit", "key")
    assert key.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    (tmp_path / "trusted.pem").write_text(key.stdout)
    ok = slate(data_dir, "audit", "verify", "--key", str(tmp_path / "trusted.pem"))
    assert ok.returncode == 0, ok.stderr
    assert "signed OK" in ok.stdout
    out = tmp_path / "case"
    made = slate(data_dir, "audit", "export", "--session", "s-cli", "--out", str(out))
    assert made.returncode == 0, made.stderr
    # Elsewhere: no --data-dir at all, a folder that has no database.
    empty = tmp_path / "nowhere"
    empty.mkdir()
    env_check = slate(empty, "audit", "verify", "--key", str(tmp_path / "trusted.pem"), str(out))
    assert env_check.returncode == 0, env_check.stderr
    assert "signed OK (export" in env_check.stdout
    cast = next((out / "recordings").iterdir())
    cast.unlink()
    bad = slate(empty, "audit", "verify", "--key", str(tmp_path / "trusted.pem"), str(out))
    assert bad.returncode == 1 and "missing (deleted)" in bad.stderr
    assert not (empty / "slate.db").exists()
    tail = slate(data_dir, "audit", "tail", "--actor", made_actor(), "--kind", "audit_export")
    assert "audit_export" in tail.stdout


def made_actor() -> str:
    from server.cli import os_actor

    return os_actor()


def test_cli_local_verify_with_key_fails_after_truncation(store: Store, audit: AuditLog,
                                                          data_dir: Path) -> None:
    for i in range(5):
        audit.append("login_ok", actor="ada", n=i)
    assert slate(data_dir, "audit", "checkpoint").returncode == 0
    tamper(store.path, "DELETE FROM audit_events WHERE id > 3")
    pub = cpmod.key_paths(data_dir)[1]
    bad = slate(data_dir, "audit", "verify", "--key", str(pub))
    assert bad.returncode == 1
    assert "truncated" in bad.stderr


async def test_schedule_signs_only_when_the_chain_moved(store: Store, audit: AuditLog,
                                                        data_dir: Path, pub) -> None:
    import asyncio

    audit.append("login_ok", actor="ada")
    stop = asyncio.Event()
    task = asyncio.create_task(cpmod.checkpoint_schedule(store, audit, data_dir, 0.05, stop))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if audit.events(kind=cpmod.CHECKPOINT_KIND):
            break
    await asyncio.sleep(0.3)  # several more ticks with no new activity
    stop.set()
    await task
    assert len(audit.events(kind=cpmod.CHECKPOINT_KIND)) == 1
    assert cpmod.verify_local(store, data_dir, pub).ok


def test_cli_kept_checkpoint_catches_what_the_files_on_the_server_no_longer_show(
        store: Store, audit: AuditLog, data_dir: Path, tmp_path: Path) -> None:
    """An intruder who cuts the chain back past the newest checkpoint, removes that checkpoint's
    line and rewrites the sequence and the head file leaves nothing local to notice — but a
    checkpoint the verifier kept elsewhere still names a row that is gone."""
    for i in range(4):
        audit.append("login_ok", actor="ada", n=i)
    assert slate(data_dir, "audit", "checkpoint").returncode == 0  # signs row 4 (row 5 is it)
    for i in range(4):
        audit.append("run", actor="ada", n=i)
    assert slate(data_dir, "audit", "checkpoint").returncode == 0  # signs row 9
    kept = tmp_path / "kept.jsonl"
    shutil.copy(cpmod.checkpoints_path(data_dir), kept)  # the officer's copy, off the machine
    pub = cpmod.key_paths(data_dir)[1]
    assert slate(data_dir, "audit", "verify", "--key", str(pub),
                 "--checkpoint", str(kept)).returncode == 0
    # The intruder: rows 6.. gone, the second checkpoint line gone, sequence and head hidden.
    tamper(store.path, "DELETE FROM audit_events WHERE id > 5")
    tamper(store.path, "UPDATE sqlite_sequence SET seq = 5 WHERE name = 'audit_events'")
    row5 = store.query("SELECT hash FROM audit_events WHERE id = 5")[0][0]
    (data_dir / "slate.db.audit-head").write_text(f"5 {row5}\n")  # rewritten, not removed
    lines = cpmod.checkpoints_path(data_dir).read_text().splitlines()
    cpmod.checkpoints_path(data_dir).write_text(lines[0] + "\n")
    local = slate(data_dir, "audit", "verify", "--key", str(pub))
    assert local.returncode == 0  # nothing on the machine shows it any more ...
    caught = slate(data_dir, "audit", "verify", "--key", str(pub), "--checkpoint", str(kept))
    assert caught.returncode == 1  # ... but the kept checkpoint does
    assert "row 9" in caught.stderr and "truncated after the checkpoint" in caught.stderr


def test_export_with_a_kept_checkpoint(exported: Path, data_dir: Path, tmp_path: Path) -> None:
    kept, _ = cpmod.read_checkpoints(cpmod.checkpoints_path(data_dir))
    key = cpmod.load_public_key(exported.parent / "trusted.pem")
    assert verify_export(exported, key, kept).ok
    forged = [cpmod.Checkpoint(kept[0].id, "0" * 64, kept[0].ts, kept[0].key_id,
                               kept[0].signature)]
    assert not verify_export(exported, key, forged).ok
