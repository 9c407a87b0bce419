"""The classroom's SQLite store: accounts, public keys, sessions, progress, check runs, audit rows.

Owns the schema (numbered migrations in ``schema_migrations``) and every SQL statement outside
the audit chain's own append/verify (server/audit.py). Invariants kept:

- Passwords exist only as argon2id hashes; :meth:`Store.verify_password` runs exactly one argon2
  verification whatever the name (a fixed dummy hash for unknown, disabled or password-less
  accounts), so neither the reply nor its timing tells whether a name exists.
- Account names are validated here (1–32 chars, ``[a-z_][a-z0-9_-]*``) before they reach a path, a
  uid or a log line; each account gets a stable, never-reused ``uid_offset`` for its host uid.
- Progress is written only through :meth:`Store.record_attempt` / :meth:`Store.reveal_hint`,
  which the server calls with results it computed itself (invariant 3).
- Several processes share the file (the server and ``slate`` CLI commands): WAL mode, a busy
  timeout, and every write in one ``BEGIN IMMEDIATE`` transaction. Within a process one connection
  is shared by threads under a lock (the asyncio server runs argon2 in executor threads).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import sqlite3
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.vocabulary import ROLES, STAFF_ROLES

PROGRESS_STATES = ("not_started", "in_progress", "passed")

NAME_RE = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
BUSY_TIMEOUT_MS = 10_000
DEFAULT_UID_COUNT = 100_000

# A fixed argon2id hash (default parameters) of a random secret nobody knows: what
# verify_password checks against when there is no real hash, so every attempt costs the same.
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$MtWTqQ7Kqf1FWGZbawALwg$ezdibII63silf5Xn5iAy97H8SQZBdc5tlntWjzBeuyw"  # noqa: E501


def utc_now() -> str:
    """The current time as UTC ISO 8601 with microseconds (``2026-11-29T08:13:21.123456+00:00``)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def check_name(name: object) -> str:
    """Return ``name`` if it is a valid account name, else raise ValueError with a plain reason.

    Args:
        name: the candidate account name.

    Raises:
        ValueError: not 1–32 characters of lower-case letters, digits, ``_`` or ``-`` starting
            with a letter or ``_``.
    """
    if not isinstance(name, str):
        raise ValueError("an account name must be text")
    if not name:
        raise ValueError("an account name must not be empty")
    if len(name) > 32:
        raise ValueError("an account name must be at most 32 characters")
    if not NAME_RE.fullmatch(name):
        raise ValueError(
            "an account name may use only lower-case letters a-z, digits, '_' and '-', "
            "and must start with a letter or '_'"
        )
    return name


def valid_name(name: object) -> bool:
    """True if ``name`` is a valid account name (see :func:`check_name`)."""
    return isinstance(name, str) and NAME_RE.fullmatch(name) is not None


def check_role(role: object) -> str:
    """Return ``role`` if it is one of :data:`ROLES`, else raise ValueError."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return str(role)


class StoreError(RuntimeError):
    """The database cannot be used (newer schema, not a Slate database, ...)."""


@dataclass(frozen=True)
class Account:
    """A person who may log in. ``uid_offset`` + ``sandbox.uid_base`` is their host uid."""

    id: int
    name: str
    role: str
    disabled: bool
    cohort: str | None
    uid_offset: int
    created: str
    has_password: bool


@dataclass(frozen=True)
class SessionRecord:
    """One SSH session, as stored."""

    id: str
    account: str
    address: str | None
    term: str | None
    cols: int | None
    rows: int | None
    started: str
    ended: str | None
    bytes_in: int
    bytes_out: int
    recording: str | None
    digest: str | None
    end_reason: str | None


# Each migration is a list of statements run in one transaction, then recorded. Never edit a
# migration that has shipped: add the next number.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            """CREATE TABLE accounts (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL
                    CHECK (role IN ('learner', 'instructor', 'auditor', 'admin')),
                password_hash TEXT,
                disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                cohort TEXT,
                uid_offset INTEGER NOT NULL UNIQUE CHECK (uid_offset >= 0),
                created TEXT NOT NULL
            )""",
            """CREATE TABLE public_keys (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                key TEXT NOT NULL,
                added TEXT NOT NULL,
                UNIQUE (account_id, key)
            )""",
            """CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                address TEXT,
                term TEXT,
                cols INTEGER,
                rows INTEGER,
                started TEXT NOT NULL,
                ended TEXT,
                bytes_in INTEGER NOT NULL DEFAULT 0,
                bytes_out INTEGER NOT NULL DEFAULT 0,
                recording TEXT,
                digest TEXT,
                end_reason TEXT
            )""",
            "CREATE INDEX sessions_by_account ON sessions (account_id, started)",
            # AUTOINCREMENT: ids are never reused, and sqlite_sequence remembers the highest id
            # ever written, so deleting the newest rows is visible to `slate audit verify`.
            """CREATE TABLE audit_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                ts TEXT NOT NULL,
                kind TEXT NOT NULL,
                actor TEXT,
                address TEXT,
                session TEXT,
                detail TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL UNIQUE
            )""",
            "CREATE INDEX audit_by_kind ON audit_events (kind, id)",
            "CREATE INDEX audit_by_session ON audit_events (session)",
            """CREATE TABLE progress (
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                course TEXT NOT NULL,
                exercise TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'not_started'
                    CHECK (state IN ('not_started', 'in_progress', 'passed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                passes INTEGER NOT NULL DEFAULT 0,
                hints_revealed INTEGER NOT NULL DEFAULT 0,
                last_result TEXT,
                updated TEXT NOT NULL,
                PRIMARY KEY (account_id, course, exercise)
            )""",
            """CREATE TABLE check_runs (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                course TEXT NOT NULL,
                exercise TEXT NOT NULL,
                passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
                result TEXT NOT NULL,
                ts TEXT NOT NULL
            )""",
            "CREATE INDEX check_runs_by_learner ON check_runs (account_id, course, exercise, id)",
        ],
    ),
    (
        2,
        [
            # Failed password attempts per (name as typed, client address), and the lock they
            # led to (server/admission.py). Keyed by the typed name whether or not the account
            # exists, so unknown and known names are treated alike; kept here so a restart
            # does not hand a guesser a clean slate. Times are seconds since the epoch.
            """CREATE TABLE login_throttle (
                name TEXT NOT NULL,
                address TEXT NOT NULL,
                failures INTEGER NOT NULL CHECK (failures >= 0),
                last_failure REAL NOT NULL,
                locked_until REAL NOT NULL DEFAULT 0,
                PRIMARY KEY (name, address)
            )""",
        ],
    ),
    (
        3,
        [
            # Milestone sign-offs (course.toml ``milestone``; server/milestones.py). A row is
            # never deleted: an undo fills the undone_* columns, so the history of who signed
            # and who took it back stays. The partial unique index allows one current sign-off
            # per learner and milestone, even when two instructors press the key at once.
            """CREATE TABLE milestone_signoffs (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                milestone TEXT NOT NULL,
                signed_by TEXT NOT NULL,
                signed_at TEXT NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                undone_by TEXT,
                undone_at TEXT,
                undo_reason TEXT,
                CHECK ((undone_by IS NULL) = (undone_at IS NULL))
            )""",
            "CREATE UNIQUE INDEX milestone_signoffs_current ON milestone_signoffs"
            " (account_id, milestone) WHERE undone_at IS NULL",
        ],
    ),
]

MILESTONE_TEXT_MAX = 300
"""Longest note or undo reason kept with a sign-off."""


class MilestoneError(ValueError):
    """A sign-off that cannot be made or undone (plain words for the instructor)."""

_ACCOUNT_COLUMNS = (
    "id, name, role, disabled, cohort, uid_offset, created, password_hash IS NOT NULL"
)


def _account(row: tuple[Any, ...] | None) -> Account | None:
    if row is None:
        return None
    return Account(
        id=row[0],
        name=row[1],
        role=row[2],
        disabled=bool(row[3]),
        cohort=row[4],
        uid_offset=row[5],
        created=row[6],
        has_password=bool(row[7]),
    )


class Store:
    """The SQLite store. One instance per process; safe to share between threads.

    Args:
        path: the database file (created, with its migrations, on first use).
        uid_count: how many sandbox uids exist (``sandbox.uid_count``); account creation fails
            once every offset is taken.
        hasher: the argon2id password hasher (tests may pass cheaper parameters).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        uid_count: int = DEFAULT_UID_COUNT,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.path = Path(path)
        self.uid_count = uid_count
        self.hasher = hasher or PasswordHasher()
        self._lock = threading.RLock()
        self._dummy_hash: str | None = None
        try:
            self._db = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: cannot open the database: {exc}") from None
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA foreign_keys = ON")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"{self.path}: cannot switch the database to WAL mode ({mode})")
            # FULL: a committed audit row survives power loss, never lagging behind the
            # recordings and the audit head file written after it.
            self._db.execute("PRAGMA synchronous = FULL")
            self.migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a usable Slate database: {exc}") from None
        except BaseException:
            self._db.close()
            raise

    # -- plumbing -----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): commits on success, rolls back on error.

        Holding the database's write lock from the first statement means a read-then-write inside
        (such as the audit chain's "read the last hash, insert the next row") cannot interleave
        with another process doing the same.
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (disk full, I/O error): only roll back an
                # open transaction, so the original error is the one reported.
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise

    def query(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Run a read-only statement and return all rows."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def schema_version(self) -> int:
        """The highest migration applied."""
        row = self.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(row[0][0])

    def migrate(self) -> list[int]:
        """Apply the migrations this database has not had yet; return their numbers.

        Raises:
            StoreError: the database was made by a newer Slate (unknown migration numbers).
        """
        applied: list[int] = []
        with self.transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
            )
            done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
            newest = max(number for number, _ in MIGRATIONS)
            if done and max(done) > newest:
                raise StoreError(
                    f"{self.path}: the database has schema version {max(done)}, but this Slate "
                    f"knows only up to {newest}; upgrade Slate"
                )
            for number, statements in MIGRATIONS:
                if number in done:
                    continue
                for statement in statements:
                    db.execute(statement)
                db.execute(
                    "INSERT INTO schema_migrations (version, applied) VALUES (?, ?)",
                    (number, utc_now()),
                )
                applied.append(number)
        return applied

    # -- accounts -----------------------------------------------------------------------------

    def _dummy(self) -> str:
        """A hash with this hasher's parameters that no password matches."""
        if self._dummy_hash is None:
            if self.hasher.check_needs_rehash(DUMMY_HASH):
                self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(24))
            else:
                self._dummy_hash = DUMMY_HASH
        return self._dummy_hash

    def hash_password(self, password: str) -> str:
        """An argon2id hash of ``password`` (which must be non-empty text)."""
        if not isinstance(password, str) or not password:
            raise ValueError("a password must not be empty")
        if len(password) > 1024:
            raise ValueError("a password must be at most 1024 characters")
        return self.hasher.hash(password)

    def add_account(
        self,
        name: str,
        role: str,
        password: str | None = None,
        *,
        cohort: str | None = None,
    ) -> Account:
        """Create an account.

        Args:
            name: the login name (see :func:`check_name`).
            role: one of :data:`ROLES`.
            password: the password, or None for an account that can log in only with a key
                (until a password is set).
            cohort: an optional group label (a class, a wing).

        Returns:
            The new account.

        Raises:
            ValueError: bad name, role, password or cohort; the name is taken; no free uid.
        """
        check_name(name)
        check_role(role)
        if cohort is not None:
            cohort = _check_label("cohort", cohort)
        hashed = self.hash_password(password) if password is not None else None
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise ValueError(f"an account named {name!r} already exists")
            (offset,) = db.execute(
                "SELECT COALESCE(MAX(uid_offset) + 1, 0) FROM accounts"
            ).fetchone()
            if offset >= self.uid_count:
                raise ValueError(
                    f"no free sandbox uid left ({self.uid_count} in sandbox.uid_count)"
                )
            db.execute(
                "INSERT INTO accounts (name, role, password_hash, cohort, uid_offset, created)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (name, role, hashed, cohort, offset, utc_now()),
            )
        account = self.get_account(name)
        assert account is not None
        return account

    def get_account(self, name: str) -> Account | None:
        """The account called ``name``, or None (also for names that could never be valid)."""
        if not valid_name(name):
            return None
        rows = self.query(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE name = ?", (name,))
        return _account(rows[0] if rows else None)

    def require_account(self, name: str) -> Account:
        """The account called ``name``; ValueError with a plain message if there is none."""
        check_name(name)
        account = self.get_account(name)
        if account is None:
            raise ValueError(f"no account named {name!r}")
        return account

    def list_accounts(self, role: str | None = None) -> list[Account]:
        """All accounts (optionally of one role), by name."""
        if role is not None:
            check_role(role)
            rows = self.query(
                f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE role = ? ORDER BY name", (role,)
            )
        else:
            rows = self.query(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY name")
        return [a for a in map(_account, rows) if a is not None]

    def _update(self, name: str, sql: str, params: tuple[Any, ...]) -> Account:
        self.require_account(name)
        with self.transaction() as db:
            db.execute(sql, (*params, name))
        account = self.get_account(name)
        assert account is not None
        return account

    def set_disabled(self, name: str, disabled: bool) -> Account:
        """Disable (True) or enable (False) an account. Raises ValueError if there is none."""
        return self._update(
            name, "UPDATE accounts SET disabled = ? WHERE name = ?", (1 if disabled else 0,)
        )

    def set_password(self, name: str, password: str) -> Account:
        """Replace an account's password. Raises ValueError (no account, empty password)."""
        hashed = self.hash_password(password)
        return self._update(name, "UPDATE accounts SET password_hash = ? WHERE name = ?", (hashed,))

    def set_role(self, name: str, role: str) -> Account:
        """Change an account's role. Raises ValueError (no account, unknown role)."""
        check_role(role)
        return self._update(name, "UPDATE accounts SET role = ? WHERE name = ?", (role,))

    def set_cohort(self, name: str, cohort: str | None) -> Account:
        """Change (or clear, with None) an account's cohort."""
        if cohort is not None:
            cohort = _check_label("cohort", cohort)
        return self._update(name, "UPDATE accounts SET cohort = ? WHERE name = ?", (cohort,))

    def verify_password(self, name: str, password: str) -> Account | None:
        """The account if ``password`` is its password and it may log in, else None.

        Exactly one argon2 verification runs whatever happens — against a fixed dummy hash when
        the name is invalid or unknown, the account is disabled or has no password — so the time
        taken does not reveal which case it was. A hash made with older parameters is upgraded.
        """
        row = None
        if valid_name(name):
            rows = self.query(
                f"SELECT {_ACCOUNT_COLUMNS}, password_hash FROM accounts WHERE name = ?", (name,)
            )
            row = rows[0] if rows else None
        account = _account(row[:8]) if row is not None else None
        stored = row[8] if row is not None else None
        usable = account is not None and not account.disabled and stored is not None
        target: str = stored if usable and stored is not None else self._dummy()
        ok: bool
        try:
            ok = self.hasher.verify(target, password if isinstance(password, str) else "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not (ok and usable):
            return None
        assert account is not None and stored is not None
        if self.hasher.check_needs_rehash(stored):
            with contextlib.suppress(sqlite3.Error):
                self.set_password(account.name, password)
        return account

    # -- login throttle (server/admission.py decides; this only keeps the counts) --------------

    def login_failures(self, name: str, address: str) -> tuple[int, float, float] | None:
        """``(failures, last_failure, locked_until)`` for a (typed name, address), or None."""
        rows = self.query(
            "SELECT failures, last_failure, locked_until FROM login_throttle"
            " WHERE name = ? AND address = ?",
            (name, address),
        )
        return (int(rows[0][0]), float(rows[0][1]), float(rows[0][2])) if rows else None

    def record_login_failure(
        self,
        name: str,
        address: str,
        *,
        now: float,
        window: float,
        lock_after: int,
        lock_seconds: float,
    ) -> tuple[int, float, bool]:
        """Count one failed attempt; lock the pair once ``lock_after`` failures fall within
        ``window`` seconds of each other.

        Returns:
            ``(failures, locked_until, newly_locked)`` after this failure.
        """
        with self.transaction() as db:
            row = db.execute(
                "SELECT failures, last_failure, locked_until FROM login_throttle"
                " WHERE name = ? AND address = ?",
                (name, address),
            ).fetchone()
            failures, locked_until = 0, 0.0
            if row is not None:
                locked_until = float(row[2])
                if now - float(row[1]) <= window or locked_until > now:
                    failures = int(row[0])
            failures += 1
            newly = failures >= lock_after and locked_until <= now
            if newly:
                locked_until = now + lock_seconds
            db.execute(
                "INSERT INTO login_throttle (name, address, failures, last_failure, locked_until)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, address) DO UPDATE SET"
                " failures = excluded.failures, last_failure = excluded.last_failure,"
                " locked_until = excluded.locked_until",
                (name, address, failures, now, locked_until),
            )
            # Forget pairs that went quiet and are not locked (rotating names must not grow
            # the table without bound).
            db.execute(
                "DELETE FROM login_throttle WHERE last_failure < ? AND locked_until < ?",
                (now - window, now),
            )
        return failures, locked_until, newly

    def clear_login_failures(self, name: str, address: str, *, now: float) -> None:
        """Forget a pair's failures (a correct password from it) unless it is locked at ``now``
        (the owner logging in does not hand a guesser on the same address a clean slate)."""
        with self.transaction() as db:
            db.execute(
                "DELETE FROM login_throttle WHERE name = ? AND address = ? AND locked_until < ?",
                (name, address, now),
            )

    def unlock_logins(self, name: str) -> list[tuple[str, int, float]]:
        """Lift every lock and forget every failure recorded for ``name``.

        Returns:
            What was removed: ``(address, failures, locked_until)`` per address.
        """
        with self.transaction() as db:
            rows = db.execute(
                "SELECT address, failures, locked_until FROM login_throttle WHERE name = ?"
                " ORDER BY address",
                (name,),
            ).fetchall()
            db.execute("DELETE FROM login_throttle WHERE name = ?", (name,))
        return [(str(a), int(f), float(u)) for a, f, u in rows]

    def login_locks(self, now: float) -> list[tuple[str, str, int, float]]:
        """Pairs locked at ``now``: ``(name, address, failures, locked_until)``."""
        rows = self.query(
            "SELECT name, address, failures, locked_until FROM login_throttle"
            " WHERE locked_until > ? ORDER BY name, address",
            (now,),
        )
        return [(str(n), str(a), int(f), float(u)) for n, a, f, u in rows]

    def add_public_key(self, name: str, key_line: str) -> str:
        """Authorise an OpenSSH public key (one ``authorized_keys`` line) for an account.

        Returns:
            The normalised line stored (``type base64 [comment]``).

        Raises:
            ValueError: no such account, not a public key line, or already added.
        """
        account = self.require_account(name)
        line = normalise_public_key(key_line)
        with self.transaction() as db:
            existing = [
                r[0]
                for r in db.execute(
                    "SELECT key FROM public_keys WHERE account_id = ?", (account.id,)
                )
            ]
            if any(k.split()[:2] == line.split()[:2] for k in existing):
                raise ValueError(f"that key is already authorised for {name!r}")
            db.execute(
                "INSERT INTO public_keys (account_id, key, added) VALUES (?, ?, ?)",
                (account.id, line, utc_now()),
            )
        return line

    def public_keys(self, name: str) -> list[str]:
        """The OpenSSH public key lines authorised for an account (empty if none or no account)."""
        if not valid_name(name):
            return []
        rows = self.query(
            "SELECT k.key FROM public_keys k JOIN accounts a ON a.id = k.account_id "
            "WHERE a.name = ? ORDER BY k.id",
            (name,),
        )
        return [r[0] for r in rows]

    # -- sessions -----------------------------------------------------------------------------

    def start_session(
        self,
        session_id: str,
        account: str,
        *,
        address: str | None = None,
        term: str | None = None,
        cols: int | None = None,
        rows: int | None = None,
        recording: str | None = None,
    ) -> None:
        """Record the start of an SSH session.

        Args:
            session_id: the session's uuid (text).
            account: the account name.
            address: the client address.
            term: the client's TERM (stored as given; sanitise before showing it).
            cols, rows: the (clamped) terminal size.
            recording: the recording's path relative to the data dir.

        Raises:
            ValueError: unknown account or a session id that is already used.
        """
        acct = self.require_account(account)
        try:
            with self.transaction() as db:
                db.execute(
                    "INSERT INTO sessions (id, account_id, address, term, cols, rows, started,"
                    " recording) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (session_id, acct.id, address, term, cols, rows, utc_now(), recording),
                )
        except sqlite3.IntegrityError:
            raise ValueError(f"session {session_id!r} already exists") from None

    def end_session(
        self,
        session_id: str,
        *,
        bytes_in: int = 0,
        bytes_out: int = 0,
        digest: str | None = None,
        end_reason: str | None = None,
    ) -> None:
        """Record the end of a session (its byte counts, recording digest and why it ended).

        Raises:
            ValueError: no such session.
        """
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE sessions SET ended = ?, bytes_in = ?, bytes_out = ?, digest = ?,"
                " end_reason = ? WHERE id = ?",
                (utc_now(), bytes_in, bytes_out, digest, end_reason, session_id),
            )
            if cur.rowcount == 0:
                raise ValueError(f"no session {session_id!r}")

    def get_session(self, session_id: str) -> SessionRecord | None:
        """One session, or None."""
        rows = self._sessions("WHERE s.id = ?", (session_id,))
        return rows[0] if rows else None

    def list_sessions(self, account: str | None = None, limit: int = 100) -> list[SessionRecord]:
        """The newest sessions first (optionally of one account)."""
        if account is not None:
            return self._sessions(
                "WHERE a.name = ? ORDER BY s.started DESC LIMIT ?", (account, limit)
            )
        return self._sessions("ORDER BY s.started DESC LIMIT ?", (limit,))

    def _sessions(self, where: str, params: tuple[Any, ...]) -> list[SessionRecord]:
        rows = self.query(
            "SELECT s.id, a.name, s.address, s.term, s.cols, s.rows, s.started, s.ended,"
            " s.bytes_in, s.bytes_out, s.recording, s.digest, s.end_reason"
            f" FROM sessions s JOIN accounts a ON a.id = s.account_id {where}",
            params,
        )
        return [SessionRecord(*row) for row in rows]

    # -- progress -----------------------------------------------------------------------------

    def record_attempt(
        self, learner: str, course: str, exercise: str, passed: bool, result_json: Any
    ) -> dict[str, Any]:
        """Record a server-run check: one ``check_runs`` row and the exercise's progress.

        Once passed, an exercise stays passed; a later failure is still counted and kept as
        ``last_result``.

        Args:
            learner: the account name.
            course, exercise: ids from the catalog.
            passed: whether every check passed.
            result_json: the result (a JSON string, or a JSON-serialisable value).

        Returns:
            The exercise's progress after the attempt (see :meth:`progress`).

        Raises:
            ValueError: unknown account, bad ids, or a result that is not JSON.
        """
        acct = self.require_account(learner)
        _check_label("course", course)
        _check_label("exercise", exercise)
        result = _json_text(result_json)
        now = utc_now()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO check_runs (account_id, course, exercise, passed, result, ts)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (acct.id, course, exercise, 1 if passed else 0, result, now),
            )
            db.execute(
                "INSERT INTO progress (account_id, course, exercise, state, attempts, passes,"
                " last_result, updated) VALUES (?, ?, ?, ?, 1, ?, ?, ?)"
                " ON CONFLICT (account_id, course, exercise) DO UPDATE SET"
                " attempts = attempts + 1, passes = passes + excluded.passes,"
                " state = CASE WHEN state = 'passed' OR excluded.state = 'passed'"
                "              THEN 'passed' ELSE 'in_progress' END,"
                " last_result = excluded.last_result, updated = excluded.updated",
                (
                    acct.id,
                    course,
                    exercise,
                    "passed" if passed else "in_progress",
                    1 if passed else 0,
                    result,
                    now,
                ),
            )
        return self.progress(learner)[course][exercise]

    def touch_exercise(self, learner: str, course: str, exercise: str) -> None:
        """The learner opened an exercise: it counts as started and as the last one worked on
        (where "continue where I left off" goes). Never changes a passed state.

        Raises:
            ValueError: unknown account or bad ids.
        """
        acct = self.require_account(learner)
        _check_label("course", course)
        _check_label("exercise", exercise)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO progress (account_id, course, exercise, state, updated)"
                " VALUES (?, ?, ?, 'in_progress', ?)"
                " ON CONFLICT (account_id, course, exercise) DO UPDATE SET"
                " updated = excluded.updated,"
                " state = CASE WHEN state = 'not_started' THEN 'in_progress' ELSE state END",
                (acct.id, course, exercise, utc_now()),
            )

    def reveal_hint(
        self, learner: str, course: str, exercise: str, available: int | None = None
    ) -> int:
        """Reveal the next hint; return how many are revealed now.

        Args:
            learner: the account name.
            course, exercise: ids from the catalog.
            available: how many hints the exercise has; the count never goes past it.

        Raises:
            ValueError: unknown account or bad ids.
        """
        acct = self.require_account(learner)
        _check_label("course", course)
        _check_label("exercise", exercise)
        cap = available if available is not None else 2**31
        with self.transaction() as db:
            row = db.execute(
                "SELECT hints_revealed FROM progress WHERE account_id = ? AND course = ?"
                " AND exercise = ?",
                (acct.id, course, exercise),
            ).fetchone()
            current = row[0] if row else 0
            if current >= cap:
                return int(current)
            db.execute(
                "INSERT INTO progress (account_id, course, exercise, state, hints_revealed,"
                " updated) VALUES (?, ?, ?, 'in_progress', 1, ?)"
                " ON CONFLICT (account_id, course, exercise) DO UPDATE SET"
                " hints_revealed = hints_revealed + 1, updated = excluded.updated,"
                " state = CASE WHEN state = 'not_started' THEN 'in_progress' ELSE state END",
                (acct.id, course, exercise, utc_now()),
            )
            return int(current) + 1

    def progress(self, learner: str) -> dict[str, dict[str, dict[str, Any]]]:
        """Everything a learner has done: ``{course: {exercise: {...}}}`` (JSON-ready).

        Each exercise maps to ``state``, ``attempts``, ``passes``, ``hints_revealed``,
        ``last_result`` (parsed JSON or None) and ``updated``. Exercises never touched are absent
        (their state is ``not_started``).
        """
        acct = self.require_account(learner)
        rows = self.query(
            "SELECT course, exercise, state, attempts, passes, hints_revealed, last_result,"
            " updated FROM progress WHERE account_id = ? ORDER BY course, exercise",
            (acct.id,),
        )
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for course, exercise, state, attempts, passes, hints, last, updated in rows:
            out.setdefault(course, {})[exercise] = {
                "state": state,
                "attempts": attempts,
                "passes": passes,
                "hints_revealed": hints,
                "last_result": json.loads(last) if last else None,
                "updated": updated,
            }
        return out

    def check_runs(
        self, learner: str, course: str | None = None, exercise: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """A learner's check history, newest first."""
        acct = self.require_account(learner)
        sql = "SELECT id, course, exercise, passed, result, ts FROM check_runs WHERE account_id = ?"
        params: list[Any] = [acct.id]
        if course is not None:
            sql += " AND course = ?"
            params.append(course)
        if exercise is not None:
            sql += " AND exercise = ?"
            params.append(exercise)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [
            {
                "id": r[0],
                "course": r[1],
                "exercise": r[2],
                "passed": bool(r[3]),
                "result": json.loads(r[4]),
                "ts": r[5],
            }
            for r in self.query(sql, tuple(params))
        ]

    # -- milestone sign-offs --------------------------------------------------------------------

    def sign_off_milestone(
        self, learner: str, milestone: str, by: str, note: str = ""
    ) -> dict[str, Any]:
        """Record that staff member ``by`` signed off ``learner``'s ``milestone``.

        Args:
            learner: a learner account.
            milestone: the milestone's id (the id of the course that closes it).
            by: an instructor or admin account (anyone else is refused here too).
            note: an optional short note (at most ``MILESTONE_TEXT_MAX`` characters).

        Returns:
            The sign-off (see :meth:`milestone_sign_offs`).

        Raises:
            MilestoneError: not a learner, not staff, bad id, or already signed off.
        """
        acct, _staff = self._milestone_parties(learner, milestone, by)
        note = _milestone_text("note", note)
        try:
            with self.transaction() as db:
                db.execute(
                    "INSERT INTO milestone_signoffs (account_id, milestone, signed_by,"
                    " signed_at, note) VALUES (?, ?, ?, ?, ?)",
                    (acct.id, milestone, by, utc_now(), note),
                )
        except sqlite3.IntegrityError:
            raise MilestoneError(f"{learner} is already signed off for this milestone") from None
        return self.milestone_sign_offs(learner)[milestone]

    def undo_milestone_sign_off(
        self, learner: str, milestone: str, by: str, reason: str
    ) -> dict[str, Any]:
        """Take back the current sign-off of ``learner``'s ``milestone`` (kept, marked undone).

        Returns:
            The sign-off as it was before the undo, with ``undone_by``, ``undone_at`` and
            ``undo_reason`` filled in.

        Raises:
            MilestoneError: not a learner, not staff, bad id, no reason, or nothing to undo.
        """
        acct, _staff = self._milestone_parties(learner, milestone, by)
        reason = _milestone_text("reason", reason)
        if not reason:
            raise MilestoneError("say why the sign-off is taken back")
        now = utc_now()
        with self.transaction() as db:
            row = db.execute(
                "SELECT id, signed_by, signed_at, note FROM milestone_signoffs"
                " WHERE account_id = ? AND milestone = ? AND undone_at IS NULL",
                (acct.id, milestone),
            ).fetchone()
            if row is None:
                raise MilestoneError(f"{learner} is not signed off for this milestone")
            db.execute(
                "UPDATE milestone_signoffs SET undone_by = ?, undone_at = ?, undo_reason = ?"
                " WHERE id = ?",
                (by, now, reason, row[0]),
            )
        return {
            "milestone": milestone, "signed_by": row[1], "signed_at": row[2], "note": row[3],
            "undone_by": by, "undone_at": now, "undo_reason": reason,
        }

    def milestone_sign_offs(self, learner: str | None = None) -> dict[str, Any]:
        """The current (not undone) sign-offs.

        Returns:
            For one learner: ``{milestone: {"milestone", "signed_by", "signed_at", "note"}}``.
            For ``learner=None``: the same, keyed first by learner name.
        """
        sql = (
            "SELECT a.name, m.milestone, m.signed_by, m.signed_at, m.note FROM milestone_signoffs m"
            " JOIN accounts a ON a.id = m.account_id WHERE m.undone_at IS NULL"
        )
        params: tuple[Any, ...] = ()
        if learner is not None:
            acct = self.require_account(learner)
            sql += " AND m.account_id = ?"
            params = (acct.id,)
        everyone: dict[str, dict[str, Any]] = {}
        for name, milestone, signed_by, signed_at, note in self.query(sql + " ORDER BY m.id",
                                                                      params):
            everyone.setdefault(name, {})[milestone] = {
                "milestone": milestone, "signed_by": signed_by, "signed_at": signed_at,
                "note": note,
            }
        return everyone.get(learner or "", {}) if learner is not None else everyone

    def _milestone_parties(self, learner: str, milestone: str, by: str) -> tuple[Account, Account]:
        try:
            acct = self.require_account(learner)
            staff = self.require_account(by)
            _check_label("milestone", milestone)
        except ValueError as exc:
            raise MilestoneError(str(exc)) from None
        if acct.role != "learner":
            raise MilestoneError(f"{learner} is not a learner")
        if staff.role not in STAFF_ROLES or staff.disabled:
            raise MilestoneError(f"{by} may not sign off milestones")
        return acct, staff


def _milestone_text(what: str, text: str) -> str:
    text = text.strip()
    if len(text) > MILESTONE_TEXT_MAX:
        raise MilestoneError(f"the {what} is longer than {MILESTONE_TEXT_MAX} characters")
    return text


_LABEL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _check_label(what: str, value: object) -> str:
    """A course id, exercise id or cohort: 1–64 of letters, digits, ``.``, ``_``, ``-``."""
    if not isinstance(value, str) or not _LABEL_RE.fullmatch(value):
        raise ValueError(
            f"a {what} must be 1-64 letters, digits, '.', '_' or '-' "
            f"(starting with a letter or digit), got {value!r}"
        )
    return value


def _json_text(value: Any) -> str:
    """``value`` as JSON text (validating it if it is already a string)."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            raise ValueError("a check result must be JSON") from None
        return value
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a check result must be JSON-serialisable: {exc}") from None


_KEY_TYPES = (
    "ssh-ed25519",
    "sk-ssh-ed25519@openssh.com",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
_B64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def normalise_public_key(line: str) -> str:
    """Check an OpenSSH public key line and return ``type base64 [comment]``.

    Only the key itself is accepted: ``authorized_keys`` options (``command=...``) are refused,
    and the comment is reduced to printable ASCII.

    Raises:
        ValueError: not a single public key of a known type.
    """
    lines = [x for x in line.strip().splitlines() if x.strip() and not x.startswith("#")]
    if len(lines) != 1:
        raise ValueError("expected exactly one public key line")
    parts = lines[0].split()
    if len(parts) < 2 or parts[0] not in _KEY_TYPES:
        raise ValueError(
            "not an OpenSSH public key line (expected e.g. 'ssh-ed25519 AAAA... comment'); "
            "authorized_keys options are not accepted"
        )
    kind, blob = parts[0], parts[1]
    if not _B64_RE.fullmatch(blob) or len(blob) % 4 or len(blob) > 8192:
        raise ValueError("the key's base64 data is malformed")
    raw = base64.b64decode(blob)
    if len(raw) < 4:
        raise ValueError("the key's data is too short")
    (n,) = struct.unpack(">I", raw[:4])
    if raw[4 : 4 + n].decode("ascii", "replace") != kind:
        raise ValueError("the key's data does not match its type")
    comment = "".join(c for c in " ".join(parts[2:]) if 32 <= ord(c) < 127)[:100]
    return f"{kind} {blob}" + (f" {comment}" if comment else "")
