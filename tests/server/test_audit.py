"""The audit chain: append, verify, and detection of every kind of tampering; sanitising."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from server.audit import (
    GENESIS,
    AuditLog,
    ContextLogger,
    canonical_json,
    head_path,
    row_hash,
    sanitize,
    verify,
)
from server.store import Store

ROOT = Path(__file__).resolve().parents[2]


def sql(store: Store, statement: str, params: tuple = ()) -> None:
    """Tamper with the database the way an intruder with the sqlite3 CLI would."""
    db = sqlite3.connect(store.path)
    db.execute(statement, params)
    db.commit()
    db.close()


def fill(audit: AuditLog, n: int = 5) -> None:
    for i in range(n):
        audit.append("login_ok", actor="ada", address="10.0.0.1", session=f"s{i}", n=i)


def test_rows_are_chained_and_verify(store: Store, audit: AuditLog) -> None:
    first = audit.append("server_start", address="127.0.0.1:2222", pid=1)
    second = audit.append("login_failed", actor=None, address="10.0.0.9", name="eve",
                          reason="bad password")
    assert first.id == 1 and first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    row = store.query("SELECT * FROM audit_events WHERE id = 2")[0]
    names = ["id", "ts", "kind", "actor", "address", "session", "detail", "prev_hash", "hash"]
    stored = dict(zip(names, row, strict=True))
    assert stored["detail"] == '{"name":"eve","reason":"bad password"}'  # canonical JSON
    assert stored["ts"].endswith("+00:00") and "." in stored["ts"]  # UTC, microseconds
    body = {k: v for k, v in stored.items() if k != "hash"}
    expected = hashlib.sha256((first.hash + canonical_json(body)).encode()).hexdigest()
    assert stored["hash"] == expected == row_hash(stored)
    report = verify(store, None)
    assert report.ok and report.rows_checked == 2 and report.problems == []


def test_empty_log_verifies(store: Store) -> None:
    assert verify(store, None).ok


def test_bad_kind_and_non_json_detail_are_refused(audit: AuditLog) -> None:
    with pytest.raises(ValueError, match="audit kind"):
        audit.append("Login OK")
    with pytest.raises(ValueError, match="not valid JSON"):
        audit.append("x", value=float("nan"))


def test_columns_are_sanitised_detail_kept_as_escaped_json(store: Store, audit: AuditLog) -> None:
    event = audit.append("login_failed", actor="ev\x1b[2Je", address="1.2.3.4\n", name="\x1b]52;")
    assert event.actor == "ev\\x1b[2Je" and event.address == "1.2.3.4\\n"
    raw = store.query("SELECT detail FROM audit_events")[0][0]
    assert "\x1b" not in raw and "\\u001b" in raw  # ensure_ascii JSON: no raw ESC stored
    assert event.detail["name"] == "\x1b]52;"  # faithful when decoded ...
    assert "\x1b" not in event.line()  # ... and neutralised when shown


def test_edited_detail_is_detected(store: Store, audit: AuditLog) -> None:
    fill(audit)
    sql(store, "UPDATE audit_events SET detail = ? WHERE id = 3", ('{"n":99}',))
    report = verify(store, None)
    assert not report.ok
    assert report.problems[0] == "audit row 3 (login_ok): contents do not match its hash (edited)"


def test_edited_and_rehashed_row_breaks_the_next_link(store: Store, audit: AuditLog) -> None:
    fill(audit)
    row = store.query("SELECT id, ts, kind, actor, address, session, detail, prev_hash "
                      "FROM audit_events WHERE id = 2")[0]
    names = ["id", "ts", "kind", "actor", "address", "session", "detail", "prev_hash"]
    forged = dict(zip(names, row, strict=True)) | {"actor": "mallory"}
    sql(store, "UPDATE audit_events SET actor = 'mallory', hash = ? WHERE id = 2",
        (row_hash(forged),))
    report = verify(store, None)
    assert not report.ok
    assert "audit row 3" in report.problems[0] and "prev_hash" in report.problems[0]


def test_deleted_middle_row_is_detected(store: Store, audit: AuditLog) -> None:
    fill(audit)
    sql(store, "DELETE FROM audit_events WHERE id = 3")
    report = verify(store, None)
    assert not report.ok
    assert report.problems[0] == "audit row 4: row 3 before it deleted (gap in ids)"


def test_deleted_middle_row_with_ids_renumbered_is_detected(store: Store, audit: AuditLog) -> None:
    fill(audit)
    sql(store, "DELETE FROM audit_events WHERE id = 3")
    sql(store, "UPDATE audit_events SET id = id - 1 WHERE id > 3")
    report = verify(store, None)
    assert not report.ok
    assert report.problems[0].startswith("audit row 3 (login_ok): prev_hash does not match")


def test_deleted_first_rows_are_detected(store: Store, audit: AuditLog) -> None:
    fill(audit)
    sql(store, "DELETE FROM audit_events WHERE id <= 2")
    assert verify(store, None).problems[0] == "audit row 3: rows 1-2 before it deleted (gap in ids)"


def test_deleted_last_rows_are_detected_by_the_sequence(store: Store, audit: AuditLog) -> None:
    """Truncation leaves a consistent chain; SQLite's AUTOINCREMENT counter still remembers."""
    fill(audit)
    sql(store, "DELETE FROM audit_events WHERE id >= 4")
    report = verify(store, None)
    assert not report.ok
    assert report.problems[0].startswith("audit rows 4-5: deleted from the end")
    assert "truncated" in report.problems[0]


def test_deleted_last_rows_are_detected_by_the_head_file(store: Store, audit: AuditLog) -> None:
    """An intruder who also rewinds sqlite_sequence is still caught by the head file."""
    fill(audit)
    assert head_path(store).read_text().split()[0] == "5"
    sql(store, "DELETE FROM audit_events WHERE id = 5")
    sql(store, "UPDATE sqlite_sequence SET seq = 4 WHERE name = 'audit_events'")
    report = verify(store, None)
    assert not report.ok
    assert report.problems[0].startswith("audit row 5: deleted from the end (the head file")


def test_appending_after_truncation_does_not_hide_it(store: Store, audit: AuditLog) -> None:
    fill(audit)
    sql(store, "DELETE FROM audit_events WHERE id >= 4")
    audit.append("after", n=1)  # ids never go back: the new row is 6, after a gap
    report = verify(store, None)
    assert report.problems[0] == "audit row 6: rows 4-5 before it deleted (gap in ids)"


def test_recordings_are_checked_against_session_end_digests(
    store: Store, audit: AuditLog, data_dir: Path
) -> None:
    recordings = data_dir / "recordings"
    cast = recordings / "2026" / "11" / "s1.cast"
    cast.parent.mkdir(parents=True)
    cast.write_bytes(b'{"version": 2}\n[0.1, "o", "hello"]\n')
    digest = hashlib.sha256(cast.read_bytes()).hexdigest()
    audit.append("session_start", actor="ada", session="s1")
    audit.append("session_end", actor="ada", session="s1",
                 recording="recordings/2026/11/s1.cast", digest=digest)
    audit.append("session_end", actor="ada", session="s2", recording=None, digest=None)
    report = verify(store, recordings)
    assert report.ok and report.recordings_checked == 1

    cast.write_bytes(cast.read_bytes() + b'[0.2, "o", "forged"]\n')
    report = verify(store, recordings)
    assert not report.ok and report.rows_checked == 3
    assert report.problems == [
        f"recording recordings/2026/11/s1.cast (session s1): sha256 "
        f"{hashlib.sha256(cast.read_bytes()).hexdigest()[:16]}… differs from {digest[:16]}… "
        "in audit row 2 (altered)"
    ]
    cast.unlink()
    assert verify(store, recordings).problems == [
        "recording recordings/2026/11/s1.cast (session s1): missing (deleted)"
    ]


def test_recording_path_outside_data_dir_is_a_problem(
    store: Store, audit: AuditLog, data_dir: Path
) -> None:
    audit.append("session_end", session="s1", recording="../../etc/passwd", digest="00" * 32)
    report = verify(store, data_dir / "recordings")
    assert "outside the data dir" in report.problems[0]


APPENDER = """
import sys
from server.audit import AuditLog
from server.store import Store
store = Store(sys.argv[1])
log = AuditLog(store)
print("ready", flush=True)
sys.stdin.readline()  # wait for the parent's go, so both processes append at once
for i in range(int(sys.argv[3])):
    log.append("concurrent", actor=sys.argv[2], n=i)
"""


def test_concurrent_appends_from_two_processes_keep_one_chain(store: Store) -> None:
    n = 120
    procs = [
        subprocess.Popen([sys.executable, "-c", APPENDER, str(store.path), who, str(n)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, text=True)
        for who in ("server", "cli")
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        assert p.wait(60) == 0
    report = verify(store, None)
    assert report.ok, report.problems
    assert report.rows_checked == 2 * n
    actors = [r[0] for r in store.query("SELECT actor FROM audit_events ORDER BY id")]
    assert actors.count("server") == actors.count("cli") == n
    switches = sum(1 for a, b in zip(actors, actors[1:], strict=False) if a != b)
    assert switches >= 1  # the two writers really did interleave into one chain
    assert head_path(store).read_text().split()[0] == str(2 * n)


# -- sanitize -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),  # clear screen
        ("\x1b]52;c;ZWNobyBoaQ==\x07", "\\x1b]52;c;ZWNobyBoaQ==\\x07"),  # OSC 52 clipboard
        ("\x1b]0;pwned\x1b\\", "\\x1b]0;pwned\\x1b\\\\"),  # window title, ST terminator
        ("\x9b31m\x9d0;t\x9c", "\\x9b31m\\x9d0;t\\x9c"),  # C1 CSI / OSC / ST
        ("a\x7fb\x00c\x08d", "a\\x7fb\\x00c\\x08d"),  # DEL, NUL, backspace
        ("evil\u202eexe.txt", "evil\\u202eexe.txt"),  # RLO
        ("\u2066x\u2069\u202a", "\\u2066x\\u2069\\u202a"),  # isolates, LRE
        ("line1\nFAKE login_ok\r\n", "line1\\nFAKE login_ok\\r\\n"),  # forged log lines
        ("tab\there", "tab\\there"),
        ("back\\x1b-slash", "back\\\\x1b-slash"),  # a literal backslash cannot forge an escape
        ("café ünïcode ✓", "café ünïcode ✓"),
    ],
)
def test_sanitize_neutralises(raw: str, shown: str) -> None:
    assert sanitize(raw) == shown


def test_sanitize_output_has_no_control_characters_at_all() -> None:
    every = "".join(chr(c) for c in range(0, 0x200)) + "\u202a\u202b\u202c\u202d\u202e"
    out = sanitize(every + "\u2066\u2067\u2068\u2069\u2028\u2029", limit=None)
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0 for c in out)
    assert not set(out) & {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066",
                           "\u2067", "\u2068", "\u2069", "\u2028", "\u2029"}


def test_sanitize_caps_length_without_cutting_an_escape() -> None:
    assert sanitize("x" * 5000, limit=100) == "x" * 99 + "…"
    out = sanitize("ab\x1b\x1b\x1b", limit=8)
    assert out == "ab\\x1b…"  # never "ab\\x1b\\x1" (half an escape)
    assert len(sanitize("\x1b" * 1000, limit=50)) <= 50


def test_sanitize_accepts_bytes_and_other_values() -> None:
    assert sanitize(b"ok\xff\x1b") == "ok\\\\xff\\x1b"
    assert sanitize(42) == "42" and sanitize(None) == "None"


def test_context_logger_prefix_is_sanitised(caplog: pytest.LogCaptureFixture) -> None:
    hostile = "eve\n[conn=x user=admin]\x1b[2J"
    log = ContextLogger(logging.getLogger("slate.test"),
                        {"conn": "ab12", "user": hostile, "session": None})
    with caplog.at_level(logging.INFO, logger="slate.test"):
        log.info("hello %s", "world")
    (record,) = caplog.records
    message = record.getMessage()
    assert message == "[conn=ab12 user=eve\\n[conn=x user=admin]\\x1b[2J] hello world"
    assert "\n" not in message and "\x1b" not in message


def test_event_line_for_tail(audit: AuditLog) -> None:
    event = audit.append("request_denied", actor="ada", address="10.0.0.1", session="s1",
                         request="exec", detail="rm -rf /\n\x1b[31m", extra={"a": [1, 2]})
    line = event.line()
    assert "request_denied" in line and "ada@10.0.0.1" in line and "session=s1" in line
    assert "detail=rm -rf /\\n\\x1b[31m" in line and 'extra={"a":[1,2]}' in line
    assert "\n" not in line and "\x1b" not in line
    assert json.loads(canonical_json({"b": 1, "a": "é"})) == {"a": "é", "b": 1}
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"\\u00e9","b":1}'


def test_deleted_head_file_is_reported(store: Store, audit: AuditLog) -> None:
    """Truncate, rewind the sequence and delete the head file: the missing file is named."""
    fill(audit)
    sql(store, "DELETE FROM audit_events WHERE id = 5")
    sql(store, "UPDATE sqlite_sequence SET seq = 4 WHERE name = 'audit_events'")
    head_path(store).unlink()
    report = verify(store, None)
    assert not report.ok
    assert report.problems == [
        "audit head: slate.db.audit-head is missing beside the database (deleted? it records "
        "the newest row, so truncation cannot hide)"
    ]


def test_head_lagging_after_a_crash_is_not_a_false_alarm(store: Store, audit: AuditLog) -> None:
    """A crash between commit and head write leaves the head behind: that is fine."""
    fill(audit, 3)
    first_hash = store.query("SELECT hash FROM audit_events WHERE id = 1")[0][0]
    head_path(store).write_text(f"1 {first_hash}\n")
    assert verify(store, None).ok
    head_path(store).write_text("1 " + "f" * 64 + "\n")
    assert verify(store, None).problems[0].startswith("audit row 1: its hash differs")
