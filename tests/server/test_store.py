"""The SQLite store: migrations, accounts and argon2id passwords, sessions, progress."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from server.store import DUMMY_HASH, MIGRATIONS, Store, StoreError, check_name

ED25519 = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx0l2m0y8xQ9eQn3cLJ1c3vJ8r4bJk8p3yqg5aQvR7Y ada@lab"
)


def test_database_is_wal_with_foreign_keys(store: Store) -> None:
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.query("PRAGMA foreign_keys")[0][0] == 1
    assert store.query("PRAGMA busy_timeout")[0][0] >= 1000


def test_migrations_are_numbered_and_idempotent(data_dir: Path, hasher: PasswordHasher) -> None:
    path = data_dir / "slate.db"
    first = Store(path, hasher=hasher)
    assert first.schema_version() == max(n for n, _ in MIGRATIONS)
    first.add_account("ada", "learner", "pw")
    assert first.migrate() == []  # nothing left to apply
    first.close()
    again = Store(path, hasher=hasher)  # reopening applies nothing and keeps the data
    assert again.get_account("ada") is not None
    rows = again.query("SELECT version FROM schema_migrations ORDER BY version")
    assert [r[0] for r in rows] == [n for n, _ in MIGRATIONS]
    tables = {r[0] for r in again.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"accounts", "public_keys", "sessions", "audit_events", "progress",
            "check_runs", "schema_migrations"} <= tables
    again.close()


def test_newer_schema_is_refused(data_dir: Path, hasher: PasswordHasher) -> None:
    path = data_dir / "slate.db"
    Store(path, hasher=hasher).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_migrations VALUES (999, 'future')")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="schema version 999"):
        Store(path, hasher=hasher)


def test_not_a_database_is_a_plain_error(data_dir: Path) -> None:
    path = data_dir / "slate.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable Slate database"):
        Store(path)


def test_passwords_are_argon2id_with_default_parameters(data_dir: Path) -> None:
    store = Store(data_dir / "slate.db")  # the production hasher
    store.add_account("ada", "learner", "correct horse")
    (stored,) = store.query("SELECT password_hash FROM accounts WHERE name = 'ada'")[0]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert "correct horse" not in stored
    assert DUMMY_HASH.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert store.verify_password("ada", "correct horse") is not None
    store.close()


def test_verify_password_right_wrong_unknown_disabled(store: Store) -> None:
    store.add_account("ada", "learner", "s3cret")
    ok = store.verify_password("ada", "s3cret")
    assert ok is not None and ok.name == "ada" and ok.role == "learner"
    assert store.verify_password("ada", "S3cret") is None
    assert store.verify_password("ada", "") is None
    assert store.verify_password("nobody", "s3cret") is None
    assert store.verify_password("\0", "s3cret") is None  # invalid names never raise here
    assert store.verify_password("x" * 5000, "s3cret") is None
    store.set_disabled("ada", True)
    assert store.verify_password("ada", "s3cret") is None
    store.set_disabled("ada", False)
    assert store.verify_password("ada", "s3cret") is not None
    store.set_password("ada", "new one")
    assert store.verify_password("ada", "s3cret") is None
    assert store.verify_password("ada", "new one") is not None


class CountingHasher(PasswordHasher):
    """Records every hash verified against."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.calls: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        self.calls.append(str(hash))
        return super().verify(hash, password)


def test_verify_password_always_runs_one_argon2_verification(data_dir: Path) -> None:
    hasher = CountingHasher()
    store = Store(data_dir / "slate.db", hasher=hasher)
    calls = hasher.calls
    store.add_account("ada", "learner", "pw")
    store.add_account("keyonly", "learner")  # no password at all
    store.add_account("off", "learner", "pw")
    store.set_disabled("off", True)
    for name, password in [("ada", "pw"), ("ada", "no"), ("nobody", "pw"), ("BAD NAME", "pw"),
                           ("keyonly", ""), ("off", "pw")]:
        calls.clear()
        store.verify_password(name, password)
        assert len(calls) == 1, name
    # The unknown, invalid, key-only and disabled cases all verify against the same dummy hash.
    dummies = set()
    for name in ("nobody", "BAD NAME", "keyonly", "off"):
        calls.clear()
        store.verify_password(name, "pw")
        dummies.add(calls[0])
    real_hash = store.query("SELECT password_hash FROM accounts WHERE name='ada'")[0][0]
    assert len(dummies) == 1 and real_hash not in dummies
    store.close()


def test_unknown_and_known_names_take_similar_time(data_dir: Path) -> None:
    store = Store(data_dir / "slate.db")  # real parameters: the dummy must cost the same
    store.add_account("ada", "learner", "pw")

    def timed(name: str) -> float:
        start = time.perf_counter()
        store.verify_password(name, "wrong")
        return time.perf_counter() - start

    known = min(timed("ada") for _ in range(3))
    unknown = min(timed("nobody") for _ in range(3))
    # Without the dummy verification an unknown name answers ~1000x faster: a wide band suffices.
    assert 0.25 < unknown / known < 4.0, (known, unknown)
    store.close()


@pytest.mark.parametrize(
    "name",
    ["", "Ada", "9lives", "-dash", "a" * 33, "ada lovelace", "ada\n", "ad\x1ba", "émile", "a.b",
     "root/../x"],
)
def test_bad_account_names_are_refused(store: Store, name: str) -> None:
    with pytest.raises(ValueError, match="account name"):
        store.add_account(name, "learner", "pw")
    assert store.get_account(name) is None


@pytest.mark.parametrize("name", ["a", "_svc", "ada", "grace-h", "x_1", "a" * 32])
def test_good_account_names(name: str) -> None:
    assert check_name(name) == name


def test_account_fields_roles_and_uid_offsets(store: Store) -> None:
    ada = store.add_account("ada", "learner", "pw", cohort="wing-a")
    grace = store.add_account("grace", "learner", "pw")
    mary = store.add_account("mary", "instructor", "pw")
    assert (ada.uid_offset, grace.uid_offset, mary.uid_offset) == (0, 1, 2)
    assert ada.cohort == "wing-a" and not ada.disabled and ada.has_password
    with pytest.raises(ValueError, match="already exists"):
        store.add_account("ada", "learner", "pw")
    with pytest.raises(ValueError, match="unknown role"):
        store.add_account("bob", "warden", "pw")
    with pytest.raises(ValueError, match="password must not be empty"):
        store.add_account("bob", "learner", "")
    assert store.get_account("bob") is None  # nothing half-created
    store.set_role("grace", "auditor")
    assert store.get_account("grace").role == "auditor"  # type: ignore[union-attr]
    assert [a.name for a in store.list_accounts()] == ["ada", "grace", "mary"]
    assert [a.name for a in store.list_accounts("learner")] == ["ada"]
    # offsets are stable: a later account never takes an earlier one's offset
    assert store.add_account("zed", "learner", "pw").uid_offset == 3
    with pytest.raises(ValueError, match="no account named 'nobody'"):
        store.set_disabled("nobody", True)


def test_uid_range_exhaustion_is_refused(data_dir: Path, hasher: PasswordHasher) -> None:
    store = Store(data_dir / "slate.db", uid_count=2, hasher=hasher)
    store.add_account("a", "learner")
    store.add_account("b", "learner")
    with pytest.raises(ValueError, match="no free sandbox uid"):
        store.add_account("c", "learner")
    store.close()


def test_public_keys(store: Store) -> None:
    store.add_account("ada", "learner")
    stored = store.add_public_key("ada", ED25519 + "\n")
    assert stored == ED25519
    assert store.public_keys("ada") == [ED25519]
    assert store.public_keys("nobody") == []
    with pytest.raises(ValueError, match="already authorised"):
        store.add_public_key("ada", ED25519.rsplit(" ", 1)[0] + " other-comment")
    with pytest.raises(ValueError, match="not an OpenSSH public key"):
        store.add_public_key("ada", 'command="/bin/sh" ' + ED25519)
    with pytest.raises(ValueError, match="does not match its type"):
        store.add_public_key("ada", "ssh-rsa " + ED25519.split()[1])
    with pytest.raises(ValueError, match="no account"):
        store.add_public_key("nobody", ED25519)


def test_sessions_start_and_end(store: Store) -> None:
    store.add_account("ada", "learner")
    store.start_session("s-1", "ada", address="10.0.0.5", term="xterm", cols=80, rows=24,
                        recording="recordings/2026/11/s-1.cast")
    open_ = store.get_session("s-1")
    assert open_ is not None and open_.ended is None and open_.account == "ada"
    store.end_session("s-1", bytes_in=10, bytes_out=2000, digest="ab" * 32, end_reason="quit")
    done = store.get_session("s-1")
    assert done is not None and done.ended and done.bytes_out == 2000
    assert done.digest == "ab" * 32 and done.end_reason == "quit"
    assert [s.id for s in store.list_sessions("ada")] == ["s-1"]
    with pytest.raises(ValueError, match="already exists"):
        store.start_session("s-1", "ada")
    with pytest.raises(ValueError, match="no session"):
        store.end_session("nope")
    with pytest.raises(ValueError, match="no account"):
        store.start_session("s-2", "nobody")


def test_progress_attempts_passes_and_hints(store: Store) -> None:
    store.add_account("ada", "learner")
    assert store.progress("ada") == {}
    after_fail = store.record_attempt("ada", "html", "first-page", False, {"status": "failed"})
    assert after_fail["state"] == "in_progress" and after_fail["attempts"] == 1
    after_pass = store.record_attempt("ada", "html", "first-page", True, '{"status":"passed"}')
    assert after_pass["state"] == "passed" and after_pass["passes"] == 1
    again = store.record_attempt("ada", "html", "first-page", False, {"status": "failed"})
    assert again["state"] == "passed"  # once passed, stays passed
    assert again["attempts"] == 3 and again["last_result"] == {"status": "failed"}
    assert [r["passed"] for r in store.check_runs("ada")] == [False, True, False]
    assert store.reveal_hint("ada", "css", "colours", available=2) == 1
    assert store.reveal_hint("ada", "css", "colours", available=2) == 2
    assert store.reveal_hint("ada", "css", "colours", available=2) == 2  # capped
    progress = store.progress("ada")
    assert progress["css"]["colours"]["state"] == "in_progress"
    assert progress["css"]["colours"]["hints_revealed"] == 2
    with pytest.raises(ValueError, match="must be JSON"):
        store.record_attempt("ada", "html", "first-page", True, "{not json")
    with pytest.raises(ValueError, match="course"):
        store.record_attempt("ada", "../etc", "x", True, {})


def test_two_store_instances_share_the_file(data_dir: Path, hasher: PasswordHasher) -> None:
    a = Store(data_dir / "slate.db", hasher=hasher)
    b = Store(data_dir / "slate.db", hasher=hasher)
    a.add_account("ada", "learner", "pw")
    assert b.verify_password("ada", "pw") is not None
    b.set_disabled("ada", True)
    assert a.get_account("ada").disabled  # type: ignore[union-attr]
    a.close()
    b.close()


def test_one_store_shared_by_threads(store: Store) -> None:
    """The asyncio server runs argon2 in executor threads that share the one connection."""
    from concurrent.futures import ThreadPoolExecutor

    from server.audit import AuditLog, verify

    store.add_account("ada", "learner", "pw")
    log = AuditLog(store)

    def work(i: int) -> bool:
        ok = store.verify_password("ada", "pw") is not None
        log.append("thread", n=i)
        store.record_attempt("ada", "html", "first-page", i % 2 == 0, {"i": i})
        return ok

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(40)))
    report = verify(store, None)
    assert report.ok and report.rows_checked == 40
    assert store.progress("ada")["html"]["first-page"]["attempts"] == 40


def test_a_failed_write_leaves_the_store_usable(store: Store) -> None:
    store.add_account("ada", "learner")
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
        db.execute("INSERT INTO accounts (name, role, uid_offset, created) "
                   "VALUES ('bob', 'learner', 1, 'now')")
        db.execute("INSERT INTO accounts (name, role, uid_offset, created) "
                   "VALUES ('ada', 'learner', 2, 'now')")  # duplicate name: the whole write fails
    assert store.get_account("bob") is None  # rolled back together
    assert store.add_account("bob", "learner").uid_offset == 1  # and the next write works
