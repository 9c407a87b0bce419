"""Migration 3: milestone sign-offs in SQLite (one current sign-off per learner and milestone,
undo keeps the row with who and why, only staff accounts may sign)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from server import store as store_module
from server.store import MIGRATIONS, MilestoneError, Store


def test_a_version_2_database_gains_the_table_and_keeps_its_rows(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", [m for m in MIGRATIONS if m[0] <= 2])
    old = Store(path)
    old.add_account("ada", "learner")
    assert old.schema_version() == 2
    old.close()
    monkeypatch.undo()
    new = Store(path)
    try:
        assert new.schema_version() == 3
        assert new.get_account("ada") is not None
        tables = {r[0] for r in new.query("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "milestone_signoffs" in tables
        assert new.migrate() == []  # applied once
    finally:
        new.close()


def test_sign_off_then_undo_keeps_the_history(store: Store) -> None:
    store.add_account("ada", "learner")
    store.add_account("teach", "instructor")
    store.add_account("boss", "admin")
    got = store.sign_off_milestone("ada", "javascript", "teach", note="  well done  ")
    assert got["signed_by"] == "teach" and got["note"] == "well done" and got["signed_at"]
    assert store.milestone_sign_offs("ada") == {"javascript": got}
    assert store.milestone_sign_offs() == {"ada": {"javascript": got}}
    with pytest.raises(MilestoneError, match="already signed off"):
        store.sign_off_milestone("ada", "javascript", "boss")
    with pytest.raises(MilestoneError, match="say why"):
        store.undo_milestone_sign_off("ada", "javascript", "boss", "   ")
    undone = store.undo_milestone_sign_off("ada", "javascript", "boss", "signed the wrong person")
    assert undone["undone_by"] == "boss" and undone["signed_by"] == "teach"
    assert store.milestone_sign_offs("ada") == {}
    with pytest.raises(MilestoneError, match="not signed off"):
        store.undo_milestone_sign_off("ada", "javascript", "boss", "again")
    again = store.sign_off_milestone("ada", "javascript", "boss")
    assert again["signed_by"] == "boss"
    rows = store.query(
        "SELECT signed_by, undone_by, undo_reason FROM milestone_signoffs ORDER BY id")
    assert rows == [("teach", "boss", "signed the wrong person"), ("boss", None, None)]


@pytest.mark.parametrize("signer", ["ada", "bea", "judge", "nobody", "gone"])
def test_sec_only_an_enabled_instructor_or_admin_can_sign(store: Store, signer: str) -> None:
    store.add_account("ada", "learner")
    store.add_account("bea", "learner")
    store.add_account("judge", "auditor")
    store.add_account("gone", "instructor")
    store.set_disabled("gone", True)
    with pytest.raises(MilestoneError):
        store.sign_off_milestone("ada", "javascript", signer)
    assert store.query("SELECT COUNT(*) FROM milestone_signoffs") == [(0,)]


def test_only_learners_are_signed_and_ids_are_labels(store: Store) -> None:
    store.add_account("teach", "instructor")
    store.add_account("ada", "learner")
    with pytest.raises(MilestoneError, match="not a learner"):
        store.sign_off_milestone("teach", "javascript", "teach")
    for bad in ("", "../x", "a b", "x" * 65):
        with pytest.raises(MilestoneError):
            store.sign_off_milestone("ada", bad, "teach")
    with pytest.raises(MilestoneError, match="longer than"):
        store.sign_off_milestone("ada", "javascript", "teach", note="n" * 301)


def test_two_instructors_at_once_make_one_sign_off(data_dir: Path, store: Store) -> None:
    """Two connections (two server processes or the CLI) racing: the partial unique index
    lets exactly one through; the other gets a plain refusal."""
    store.add_account("ada", "learner")
    store.add_account("t1", "instructor")
    store.add_account("t2", "instructor")
    other = Store(data_dir / "slate.db")
    results: list[str] = []
    barrier = threading.Barrier(2)

    def sign(s: Store, who: str) -> None:
        barrier.wait()
        try:
            s.sign_off_milestone("ada", "tdd", who)
            results.append("ok")
        except MilestoneError:
            results.append("refused")

    threads = [threading.Thread(target=sign, args=(s, w)) for s, w in ((store, "t1"),
                                                                      (other, "t2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert sorted(results) == ["ok", "refused"]
    assert store.query("SELECT COUNT(*) FROM milestone_signoffs") == [(1,)]
    with pytest.raises(sqlite3.IntegrityError):  # the index itself, not only the code
        with store.transaction() as db:
            db.execute("INSERT INTO milestone_signoffs (account_id, milestone, signed_by,"
                       " signed_at) SELECT id, 'tdd', 't1', 'now' FROM accounts"
                       " WHERE name = 'ada'")
