"""Admission (server/admission.py) with a fake clock: password back-off and locks kept in a real
SQLite store, and the doorman's fair pre-auth slots. Nothing here sleeps."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from server.admission import (
    LOCKED_DELAY,
    MAX_DELAY,
    MAX_TRIES_PER_CONNECTION,
    PREAUTH_IDLE,
    STAGE_CHECKING,
    STAGE_LOGGING_IN,
    AuthGuard,
    Doorman,
    Ticket,
    throttle_key,
)
from server.config import AuthSection
from server.store import Store

SHARED = "10.0.0.1"  # the classroom's one NAT address
OTHER = "10.0.0.2"


@dataclass
class FakeClock:
    now: float = 1_800_000_000.0  # epoch seconds; monotonic() reads the same number

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeAudit:
    rows: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def append(self, kind: str, **detail: Any) -> None:
        self.rows.append((kind, detail))

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        return [d for k, d in self.rows if k == kind]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "slate.db") as st:
        yield st


def guard_for(store: Store, clock: FakeClock, **cfg: Any) -> AuthGuard:
    return AuthGuard(AuthSection(**cfg), store, clock)


# -- the auth guard ------------------------------------------------------------------------


def test_backoff_grows_per_pair_and_is_capped(store: Store, clock: FakeClock) -> None:
    guard = guard_for(store, clock)
    delays = []
    for _ in range(8):
        delays.append(guard.plan("ada", SHARED, 0).delay)
        guard.failed("ada", SHARED)
        clock.advance(1)
    # failures_before_backoff=3, backoff_base=1.0: three free, then 1, 2, 4 and never more.
    assert delays == [0, 0, 0, 1, 2, MAX_DELAY, MAX_DELAY, MAX_DELAY]


def test_failures_from_another_address_never_slow_the_owner(store: Store, clock: FakeClock) -> None:
    guard = guard_for(store, clock)
    for _ in range(50):
        guard.failed("ada", OTHER)
    assert guard.plan("ada", OTHER, 0).locked  # the guesser's pair is locked
    owner = guard.plan("ada", SHARED, 0)
    assert owner.delay == 0 and not owner.locked and not owner.last_try


def test_lock_after_ten_then_expiry(store: Store, clock: FakeClock) -> None:
    guard = guard_for(store, clock)
    newly = [guard.failed("ada", OTHER).newly_locked for _ in range(12)]
    assert newly == [False] * 9 + [True, False, False]
    plan = guard.plan("ada", OTHER, 0)
    assert plan.locked and plan.last_try and plan.delay == LOCKED_DELAY
    clock.advance(899)
    assert guard.plan("ada", OTHER, 0).locked
    clock.advance(2)  # lockout_seconds=900 after the locking failure, and quiet as long
    after = guard.plan("ada", OTHER, 0)
    assert not after.locked and after.delay == 0


def test_failures_during_a_lock_keep_it_locked(store: Store, clock: FakeClock) -> None:
    guard = guard_for(store, clock, lockout_after=3, lockout_seconds=60)
    for _ in range(3):
        guard.failed("ada", OTHER)
    for _ in range(2):  # the guesser goes on during the lock
        clock.advance(25)
        assert not guard.failed("ada", OTHER).newly_locked
    clock.advance(15)  # the lock ran out; the next failure locks again at once
    failure = guard.failed("ada", OTHER)
    assert failure.failures == 6
    assert failure.newly_locked and failure.locked_until == clock.now + 60


def test_lock_survives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    with Store(tmp_path / "slate.db") as first:
        guard = guard_for(first, clock)
        for _ in range(10):
            guard.failed("ada", OTHER)
    with Store(tmp_path / "slate.db") as second:  # a new process: nothing in memory
        plan = guard_for(second, clock).plan("ada", OTHER, 0)
        assert plan.locked and plan.delay == LOCKED_DELAY
        assert second.login_locks(clock.now) == [("ada", OTHER, 10, clock.now + 900)]


def test_unlock_lifts_the_lock(store: Store, clock: FakeClock) -> None:
    guard = guard_for(store, clock)
    for address in (OTHER, SHARED):
        for _ in range(10):
            guard.failed("ada", address)
    guard.failed("grace", OTHER)
    removed = store.unlock_logins("ada")
    assert [(a, f) for a, f, _ in removed] == [(SHARED, 10), (OTHER, 10)]
    assert not guard.plan("ada", OTHER, 0).locked
    assert guard.plan("ada", OTHER, 0).delay == 0
    assert store.login_failures("grace", OTHER) is not None  # others' counts untouched


def test_correct_password_clears_a_pair_but_never_a_lock(store: Store, clock: FakeClock) -> None:
    guard = guard_for(store, clock)
    for _ in range(5):
        guard.failed("ada", SHARED)
    guard.succeeded("ada", SHARED)  # the owner's typos are forgiven once they get in
    assert store.login_failures("ada", SHARED) is None
    for _ in range(10):
        guard.failed("ada", OTHER)
    guard.succeeded("ada", OTHER)  # the owner logging in does not free the guesser beside them
    assert guard.plan("ada", OTHER, 0).locked


def test_unknown_and_known_names_are_counted_alike(store: Store, clock: FakeClock) -> None:
    store.add_account("ada", "learner", "pw-of-ada-123")
    guard = guard_for(store, clock)
    seen = {}
    for name in ("ada", "nosuchlearner"):
        trail = []
        for _ in range(12):
            trail.append(guard.plan(name, OTHER, 0))
            trail.append(guard.failed(name, OTHER))
        seen[name] = trail
    # (the address count grows across both, so compare per-pair fields only)
    assert [getattr(x, "delay", None) for x in seen["ada"]] == [
        getattr(x, "delay", None) for x in seen["nosuchlearner"]
    ]
    assert [getattr(x, "newly_locked", None) for x in seen["ada"]] == [
        getattr(x, "newly_locked", None) for x in seen["nosuchlearner"]
    ]


def test_malformed_names_share_one_key() -> None:
    assert throttle_key("ada") == "ada"
    assert throttle_key("x\x1b]52;c;ZXZpbA==\x07") == throttle_key("Robert'); DROP") == ""


def test_rotating_names_slow_the_address_not_other_addresses(
    store: Store, clock: FakeClock
) -> None:
    guard = guard_for(store, clock)
    throttled = [guard.failed(f"name{i}", SHARED).address_throttled for i in range(40)]
    assert throttled.count(True) == 1 and throttled[29]  # said once, at the 30th failure
    assert guard.plan("fresh", SHARED, 0).delay == MAX_DELAY  # capped: the owner still gets in
    assert guard.plan("fresh", OTHER, 0).delay == 0
    clock.advance(901)
    assert guard.plan("fresh", SHARED, 0).delay == 0


def test_one_connection_gets_a_few_tries_each_slower(store: Store, clock: FakeClock) -> None:
    guard = guard_for(store, clock, failures_before_backoff=100)
    plans = [guard.plan(f"n{i}", SHARED, i) for i in range(MAX_TRIES_PER_CONNECTION)]
    assert [p.delay for p in plans] == [0, 1, 2]
    assert [p.last_try for p in plans] == [False, False, True]


def test_quiet_failures_are_forgotten(store: Store, clock: FakeClock) -> None:
    guard = guard_for(store, clock)
    for _ in range(9):
        guard.failed("ada", SHARED)
    clock.advance(901)
    failure = guard.failed("ada", SHARED)  # the window restarted: 1, not 10, and no lock
    assert failure.failures == 1 and not failure.newly_locked
    # and rotating names leave no rows behind once quiet
    for i in range(50):
        guard.failed(f"rot{i}", OTHER)
    clock.advance(901)
    guard.failed("last", OTHER)
    rows = store.query("SELECT COUNT(*) FROM login_throttle")[0][0]
    assert rows == 1


# -- the doorman -----------------------------------------------------------------------------


@dataclass
class Conn:
    """A stand-in connection: records whether the doorman closed it."""

    closed: bool = False
    ticket: Ticket | None = None

    def close(self) -> None:
        self.closed = True


def admit(door: Doorman, address: str) -> Conn:
    conn = Conn()
    ticket = door.admit(address, conn.close)
    assert isinstance(ticket, Ticket), ticket
    conn.ticket = ticket
    return conn


def doorman(clock: FakeClock, audit: FakeAudit, **cfg: Any) -> Doorman:
    base: dict[str, Any] = {"connection_rate": 1000.0, "connection_burst": 1000}
    return Doorman(AuthSection(**{**base, **cfg}), audit, clock)


def test_full_address_drops_its_oldest_idle_connection(clock: FakeClock) -> None:
    audit = FakeAudit()
    door = doorman(clock, audit, max_unauth_per_address=3)
    hogs = []
    for _ in range(3):
        hogs.append(admit(door, SHARED))
        clock.advance(0.1)
    owner = admit(door, SHARED)  # not refused: the oldest hog makes room
    assert [h.closed for h in hogs] == [True, False, False] and not owner.closed
    assert door.unauth(SHARED) == 3
    row = audit.kinds("connection_dropped")[0]
    assert row["address"] == SHARED and "before asking to log in" in row["reason"]
    assert not audit.kinds("connection_refused")


def test_connections_that_asked_to_log_in_go_last_and_checks_never(clock: FakeClock) -> None:
    audit = FakeAudit()
    door = doorman(clock, audit, max_unauth_per_address=3)
    owner = admit(door, SHARED)
    assert owner.ticket is not None
    door.progressed(owner.ticket, STAGE_LOGGING_IN)  # typing a password
    clock.advance(1)
    flood = [admit(door, SHARED) for _ in range(20)]  # idle connections, newest last
    assert not owner.closed
    assert sum(not c.closed for c in flood) == 2
    # Someone whose password is being checked is never dropped; a new one is refused instead.
    checking = [owner, *[c for c in flood if not c.closed]]
    for conn in checking:
        assert conn.ticket is not None
        door.progressed(conn.ticket, STAGE_CHECKING)
    assert door.admit(SHARED, lambda: None) == (
        "every pre-auth slot of this address is checking a password"
    )
    assert not any(c.closed for c in checking)
    assert audit.kinds("connection_refused")


def test_idle_connections_are_swept_but_logins_in_progress_are_not(clock: FakeClock) -> None:
    audit = FakeAudit()
    door = doorman(clock, audit)
    idle = admit(door, SHARED)
    typing = admit(door, SHARED)
    assert typing.ticket is not None
    door.progressed(typing.ticket, STAGE_LOGGING_IN)
    clock.advance(PREAUTH_IDLE - 0.5)
    assert door.sweep() == 0 and not idle.closed
    clock.advance(1)
    assert door.sweep() == 1 and idle.closed and not typing.closed
    assert door.unauth(SHARED) == 1
    assert "within" in audit.kinds("connection_dropped")[0]["reason"]


def test_global_cap_drops_from_the_busiest_address(clock: FakeClock) -> None:
    audit = FakeAudit()
    door = doorman(clock, audit, max_unauth_total=5, max_unauth_per_address=10)
    flood = [admit(door, SHARED) for _ in range(4)]
    other = admit(door, OTHER)
    newcomer = admit(door, "10.0.0.3")
    assert flood[0].closed and not other.closed and not newcomer.closed
    assert door.unauth_total == 5


def test_release_frees_the_slot_once(clock: FakeClock) -> None:
    door = doorman(clock, FakeAudit(), max_unauth_per_address=1)
    conn = admit(door, SHARED)
    assert conn.ticket is not None
    door.release(conn.ticket)
    door.release(conn.ticket)  # connection_lost after auth_completed: no double count
    assert door.unauth(SHARED) == 0 and door.unauth_total == 0
    second = admit(door, SHARED)
    assert not conn.closed and not second.closed


def test_rate_refusals_are_audited_in_summaries(clock: FakeClock) -> None:
    audit = FakeAudit()
    door = Doorman(AuthSection(connection_rate=1.0, connection_burst=2), audit, clock)
    results = [door.admit(SHARED, lambda: None) for _ in range(10)]
    assert sum(isinstance(r, Ticket) for r in results) == 2
    assert results[2:] == ["connection rate"] * 8
    assert [r["count"] for r in audit.kinds("connection_refused")] == [1]
    clock.advance(Doorman.AUDIT_EVERY)
    door.sweep()  # the summary of the 7 held back is written even if nothing else comes
    assert [r["count"] for r in audit.kinds("connection_refused")] == [1, 7]
    assert isinstance(door.admit(SHARED, lambda: None), Ticket)  # tokens came back


def test_over_the_rate_connections_wait_their_turn_in_arrival_order(clock: FakeClock) -> None:
    """Past its burst, an address's new connections are held for their own token in the order
    they came (a person behind a guesser waits one turn per connection ahead, and never loses
    a race for tokens); a wait longer than MAX_RATE_WAIT is refused, audited, and takes no
    token from the people queued."""
    from server.admission import MAX_RATE_WAIT

    audit = FakeAudit()
    door = Doorman(AuthSection(connection_rate=2.0, connection_burst=2), audit, clock)
    waits = [door.reserve(SHARED) for _ in range(2 + int(MAX_RATE_WAIT * 2))]
    assert waits[:2] == [0.0, 0.0]
    queued = waits[2:]
    assert queued == sorted(queued) and len(set(queued)) == len(queued)  # one turn each
    assert queued[0] == pytest.approx(0.5) and queued[-1] <= MAX_RATE_WAIT
    assert door.reserve(SHARED) is None  # the next would wait too long: refused
    assert audit.kinds("connection_refused")[0]["reason"] == "connection rate"
    assert audit.kinds("connection_queued")[0]["address"] == SHARED
    assert door.reserve(OTHER) == 0.0  # another address has its own tokens
    # A waited connection is admitted without a second token; the refusal took none.
    clock.advance(queued[0])
    door.waited()
    assert isinstance(door.admit(SHARED, lambda: None, reserved=True), Ticket)
    clock.advance(MAX_RATE_WAIT)
    for _ in queued[1:]:
        door.waited()
    assert door.rate_waiters == 0
    assert door.reserve(SHARED) == 0.0  # the debt is paid: tokens again


# -- slate user unlock -------------------------------------------------------------------------


def test_cli_user_unlock_lifts_the_lock_and_is_audited(tmp_path: Path) -> None:
    import time

    from click.testing import CliRunner

    from server import cli
    from server.audit import AuditLog

    data = tmp_path / "data"
    data.mkdir()
    with Store(data / "slate.db") as store:
        store.add_account("ada", "learner", "pw-of-ada-123")
        guard = AuthGuard(AuthSection(), store)  # the real clock: the CLI reads it too
        for _ in range(10):
            guard.failed("ada", OTHER)
        guard.failed("ada", SHARED)
        assert guard.plan("ada", OTHER, 0).locked

    def slate(*args: str):
        return CliRunner().invoke(cli.main, ["--data-dir", str(data), "user", "unlock", *args])

    result = slate("ada")
    assert result.exit_code == 0, result.output
    assert f"Unlocked ada (was locked from {OTHER})" in result.output
    with Store(data / "slate.db") as store:
        assert not AuthGuard(AuthSection(), store).plan("ada", OTHER, 0).locked
        assert store.login_locks(time.time()) == []
        detail = AuditLog(store).events(kind="user_unlock")[-1].detail
    assert detail["name"] == "ada" and detail["locked_addresses"] == [OTHER]
    assert detail["failures"] == 11
    again = slate("ada")
    assert again.exit_code == 0 and "was not locked" in again.output
    bad = slate("Ada\x1b[2J")
    assert bad.exit_code != 0 and "\x1b" not in bad.output


def test_refusals_are_held_but_never_without_bound(clock: FakeClock) -> None:
    from server.admission import MAX_HELD_REFUSALS, REFUSAL_HOLD

    door = doorman(clock, FakeAudit())
    holds = [door.hold_refusal() for _ in range(MAX_HELD_REFUSALS + 3)]
    assert holds[:MAX_HELD_REFUSALS] == [REFUSAL_HOLD] * MAX_HELD_REFUSALS
    assert holds[MAX_HELD_REFUSALS:] == [0.0] * 3  # past the bound: closed at once
    door.refusal_sent()
    assert door.hold_refusal() == REFUSAL_HOLD


# -- one password attempt, through check_password (real store, fake clock, no sleeping) -------


class FakeSleep:
    """Moves the fake clock instead of waiting."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waited: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def accounts(tmp_path: Path):
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with Store(tmp_path / "accounts.db", hasher=hasher) as st:
        st.add_account("ada", "learner", "ada-right-pw")
        st.add_account("bob", "learner", "bob-right-pw")
        st.set_disabled("bob", True)
        yield st


async def _try(guard: AuthGuard, store: Store, typed: str, pw: str, address: str, fails: int = 0):
    from server.admission import check_password

    audit = FakeAudit()
    sleep = FakeSleep(guard.clock)  # type: ignore[arg-type]
    outcome = await check_password(
        guard, store, typed, pw, address, fails, audit.append, sleep=sleep
    )
    return outcome, audit, sleep


async def test_right_password_gets_in_during_a_lock_at_once(
    accounts: Store, clock: FakeClock
) -> None:
    """The back-off slows wrong answers only: the owner's right password is answered as soon
    as it is checked, even while guessers keep the pair locked at the owner's address."""
    guard = guard_for(accounts, clock)
    for i in range(12):
        outcome, audit, _ = await _try(guard, accounts, "ada", f"guess{i}", SHARED)
        assert outcome.account is None
    assert audit.kinds("login_failed")[0]["pair_locked"] is True
    outcome, audit, sleep = await _try(guard, accounts, "ada", "ada-right-pw", SHARED)
    assert outcome.account is not None and outcome.account.name == "ada"
    assert outcome.pair_locked and outcome.delay == 0 and not sleep.waited
    assert not audit.rows  # login_ok is the gateway's
    # ...while a wrong one on the same locked pair still waits the longest delay.
    outcome, _, sleep = await _try(guard, accounts, "ada", "guess-again", SHARED)
    assert outcome.account is None and outcome.delay == LOCKED_DELAY
    assert sum(sleep.waited) == pytest.approx(LOCKED_DELAY, abs=0.05)
    # ...and from another address, at once.
    outcome, _, sleep = await _try(guard, accounts, "ada", "ada-right-pw", OTHER)
    assert outcome.account is not None and outcome.delay == 0 and not sleep.waited


async def test_failure_rows_and_closing(accounts: Store, clock: FakeClock) -> None:
    guard = guard_for(accounts, clock, lockout_after=2)
    outcome, audit, _ = await _try(guard, accounts, "ada", "nope", OTHER)
    assert not outcome.close_connection
    row = audit.kinds("login_failed")[0]
    assert row == {
        "name": "ada",
        "reason": "bad password",
        "method": "password",
        "delay": 0,
        "pair_failures": 1,
        "pair_locked": False,
        "connection_failures": 1,
    }
    outcome, audit, _ = await _try(guard, accounts, "ada", "nope", OTHER, fails=1)
    assert outcome.close_connection and outcome.pair_locked  # this failure locked the pair
    assert audit.kinds("lockout")[0]["scope"] == "name+address"
    assert audit.kinds("connection_closed")[0]["reason"] == "name locked at this address"


@pytest.mark.parametrize(
    ("typed", "password", "reason"),
    [
        ("ada", "wrong", "bad password"),
        ("nosuch", "wrong", "unknown user"),
        ("bob", "bob-right-pw", "account disabled"),
        ("Bad\x1bName", "wrong", "invalid username"),
    ],
)
async def test_every_refusal_takes_the_same_path(
    accounts: Store, clock: FakeClock, typed: str, password: str, reason: str
) -> None:
    guard = guard_for(accounts, clock)
    trail = []
    for _ in range(6):
        outcome, audit, _sleep = await _try(guard, accounts, typed, password, OTHER)
        assert outcome.account is None
        row = audit.kinds("login_failed")[0]
        assert row["reason"] == reason
        trail.append((outcome.delay, row["pair_failures"], [k for k, _ in audit.rows]))
    # The same delays, counts and rows whatever the reason (only the reason text differs).
    assert trail == [
        (0, 1, ["login_failed"]),
        (0, 2, ["login_failed"]),
        (0, 3, ["login_failed"]),
        (1, 4, ["login_failed"]),
        (2, 5, ["login_failed"]),
        (MAX_DELAY, 6, ["login_failed"]),
    ]


def test_a_wrong_passwords_wait_is_dropped_first_a_right_ones_never(clock: FakeClock) -> None:
    from server.admission import STAGE_ADMITTING, STAGE_REFUSING

    audit = FakeAudit()
    door = doorman(clock, audit, max_unauth_per_address=3)
    idle, guesser, owner = (admit(door, SHARED) for _ in range(3))
    assert guesser.ticket is not None and owner.ticket is not None
    door.progressed(guesser.ticket, STAGE_REFUSING)
    door.progressed(owner.ticket, STAGE_ADMITTING)
    admit(door, SHARED)  # the doomed wait goes first, before the (older) idle connection
    assert guesser.closed and not idle.closed and not owner.closed
    assert "wrong password" in audit.kinds("connection_dropped")[0]["reason"]
    for _ in range(5):
        admit(door, SHARED)
    assert not owner.closed  # a right password waiting out its back-off is never dropped


async def test_verified_is_told_before_the_wait_and_rows_survive_a_dropped_wait(
    accounts: Store, clock: FakeClock
) -> None:
    from server.admission import check_password

    guard = guard_for(accounts, clock, failures_before_backoff=0)
    told: list[bool] = []
    audit = FakeAudit()

    async def dropped(seconds: float) -> None:
        assert told == [False]  # the doorman knew the answer was doomed before the wait
        raise asyncio.CancelledError  # the connection is dropped while it waits

    with pytest.raises(asyncio.CancelledError):
        await check_password(
            guard, accounts, "ada", "wrong", OTHER, 0, audit.append,
            verified=told.append, sleep=dropped,
        )  # fmt: skip
    assert [k for k, _ in audit.rows] == ["login_failed"]  # on record all the same
    assert accounts.login_failures("ada", OTHER) is not None

    told.clear()
    sleep = FakeSleep(clock)
    outcome = await check_password(
        guard, accounts, "ada", "ada-right-pw", OTHER, 0, audit.append,
        verified=told.append, sleep=sleep,
    )  # fmt: skip
    # A right password (this pair has backed off) is answered at once.
    assert told == [True] and outcome.account is not None and not sleep.waited


async def test_verifier_checks_clean_names_first() -> None:
    import threading

    from server.admission import Verifier

    verifier = Verifier(workers=1)
    gate = threading.Event()
    order: list[str] = []
    try:
        busy = asyncio.ensure_future(verifier.run(0, gate.wait, 10))
        await asyncio.sleep(0.05)  # the one worker is now busy
        jobs = [
            asyncio.ensure_future(verifier.run(prio, order.append, label))
            for prio, label in ((1, "guess1"), (0, "owner"), (1, "guess2"), (0, "classmate"))
        ]
        gate.set()
        await asyncio.gather(busy, *jobs)
        assert order == ["owner", "classmate", "guess1", "guess2"]
        with pytest.raises(ZeroDivisionError):  # errors reach the caller
            await verifier.run(0, divmod, 1, 0)
    finally:
        verifier.close()


def test_under_attack_marks_names_being_guessed_not_their_classmates(
    store: Store, clock: FakeClock
) -> None:
    guard = guard_for(store, clock)
    for _ in range(35):  # enough to throttle the whole address too
        guard.failed("ada", SHARED)
    assert guard.plan("ada", SHARED, 0).under_attack
    classmate = guard.plan("grace", SHARED, 0)
    assert classmate.delay == MAX_DELAY and not classmate.under_attack
    assert guard.plan("grace", SHARED, 1).under_attack  # this connection already failed


async def test_verifier_skips_checks_nobody_waits_for() -> None:
    import threading

    from server.admission import Verifier

    verifier = Verifier(workers=1)
    gate = threading.Event()
    ran: list[str] = []
    try:
        busy = asyncio.ensure_future(verifier.run(0, gate.wait, 10))
        await asyncio.sleep(0.05)
        gone = asyncio.ensure_future(verifier.run(0, ran.append, "gone"))
        await asyncio.sleep(0)
        gone.cancel()  # its connection closed while it queued
        kept = asyncio.ensure_future(verifier.run(0, ran.append, "kept"))
        gate.set()
        await asyncio.gather(busy, kept)
        assert ran == ["kept"]
    finally:
        verifier.close()
