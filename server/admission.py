"""Admission: who may start talking SSH, and how password guessing is slowed and stopped.

Owns the pre-auth doorman (connection rate and fair pre-auth slots, decided at accept time before
any banner) and the auth guard (back-off and lockout of failed password attempts). Keeps the SSH
part of THREAT-MODEL §1 and §6 "lockout as a weapon": a guesser slows and stops *themselves*,
never the account's owner, even when both sit behind one classroom address.

Why it is built this way. Before a password is checked nothing tells the owner from a guesser
who shares their address: same address, any client, any timing. The one difference is that the
owner knows the password. So:

- **A password is always checked**, during back-off and during a lock, and a correct one always
  gets in, answered at once: back-off only delays the answer to a *wrong* password (at most
  :data:`MAX_DELAY` seconds, :data:`LOCKED_DELAY` on a locked pair). A right answer ends the
  guessing, so holding it back would only slow the owner.
- **Failures are counted per (name as typed, address) pair**, per connection, and per address.
  Failures from another address never slow the owner's own address. Ten failures on a pair lock
  it: every later wrong attempt on it is answered after :data:`LOCKED_DELAY`, and a connection
  gets only one attempt on a locked pair. Locks live in SQLite (``login_throttle``), so a
  restart does not clear them; ``slate user unlock NAME`` does.
- **A connection gets** :data:`MAX_TRIES_PER_CONNECTION` **password attempts**, each answered
  later than the one before.
- What bounds a guesser on a shared address is therefore the address's connection rate
  (``connection_rate``: every password check needs a new connection's token, and every
  connection gets few tries) and its pre-auth slots, each waiting out its back-off per guess.
  Over the rate, new connections **wait for their token in arrival order** (up to
  :data:`MAX_RATE_WAIT`) instead of being refused, so the owner waits behind at most one
  connection per guesser and never loses a race for tokens. The audit log records every
  failure, lock, queueing and refusal, so staff see it.
- **argon2 checks run on a pool of their own** (:class:`Verifier`) that serves names with no
  recent failures first, so a flood aimed at one account does not slow the rest of the class.
- **Pre-auth slots are shared fairly**: when an address has used all of its slots, a new
  connection is still let in and another is dropped: first one whose *wrong* password is only
  waiting out its back-off (the guesser loses an answer; the failure is already counted), then
  the one that has longest not asked to log in, then the one longest at the login prompt.
  Connections that have not asked to log in within :data:`PREAUTH_IDLE` seconds are dropped
  anyway. A password being checked is never dropped. Idle connections, slow handshakes and a
  guesser's own waits therefore cost only their sender their slots.

Unknown and known names take the same path (one argon2 verification, the same counters, the
same delays), so neither the reply nor its timing tells whether a name exists. Time comes from an
injected :class:`Clock`, so the tests drive it with a fake clock instead of sleeping. Imports
nothing of the gateway.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import queue
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from server.config import AuthSection
from server.store import valid_name

log = logging.getLogger("slate.admission")

MAX_DELAY = 2.0
"""Seconds: the longest back-off of a wrong password's answer (per pair, per connection, or for
a throttled address), apart from a locked pair's :data:`LOCKED_DELAY`. A right password is never
held back. Kept short because people behind a classroom's shared address mistype too."""

LOCKED_DELAY = 5.0
"""Seconds a *wrong* password for a locked (name, address) pair waits for its answer. A right
password is answered at once, so this costs the owner nothing; it makes each guess at a locked
name hold the guesser's connection longer, so fewer of their connections queue for the
address's tokens ahead of the owner's (see :data:`MAX_RATE_WAIT`)."""

MAX_TRIES_PER_CONNECTION = 3
"""Password attempts one connection may make (OpenSSH's MaxAuthTries is 6)."""

PREAUTH_IDLE = 10.0
"""Seconds a connection may stay without asking to log in (real clients ask within a second)."""

REFUSAL_HOLD = 2.0
"""Seconds a refused connection is held before its one-line refusal and close. A client that
reconnects in a loop the moment it is refused would otherwise take every connection token of its
address as soon as one frees, starving everyone behind that address; held, it gets no further
than the people it shares the address with."""

MAX_RATE_WAIT = 12.0
"""Seconds a new connection may be held, before its SSH banner, for its address's next
connection token. Over the rate, connections queue in arrival order rather than being refused:
a person behind a classroom's shared address waits their turn behind a guesser's (each sequential
guesser has at most one connection waiting), instead of losing a race for tokens and retrying.
Beyond this wait the connection is refused, as before."""

MAX_RATE_WAITERS = 1024
"""Connections held for a token at once, all addresses together (bounded fds)."""

MAX_HELD_REFUSALS = 256
"""Refused connections held at once (beyond this they are closed at once: bounded fds)."""

INVALID_NAME = ""
"""The throttle key every malformed name shares (no valid account name is empty)."""


class Clock(Protocol):
    """Where admission reads the time (tests pass a fake one)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (rates, pre-auth ages)."""
        ...

    def time(self) -> float:
        """Seconds since the epoch (failures and locks, which outlive the process)."""
        ...


class SystemClock:
    """The real clocks."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()


class AuditSink(Protocol):
    """What admission needs of the audit log."""

    def append(self, kind: str, **detail: Any) -> Any: ...


class ThrottleStore(Protocol):
    """What the guard needs of the store (server/store.py's login throttle methods)."""

    def login_failures(self, name: str, address: str) -> tuple[int, float, float] | None: ...

    def record_login_failure(
        self,
        name: str,
        address: str,
        *,
        now: float,
        window: float,
        lock_after: int,
        lock_seconds: float,
    ) -> tuple[int, float, bool]: ...

    def clear_login_failures(self, name: str, address: str, *, now: float) -> None: ...


class AccountStore(ThrottleStore, Protocol):
    """What a password check needs of the store."""

    def verify_password(self, name: str, password: str) -> Any: ...

    def get_account(self, name: str) -> Any: ...


def valid_username(name: str) -> bool:
    """Whether a login name is well-formed (the store's account-name rule)."""
    return valid_name(name)


def throttle_key(typed: str) -> str:
    """The name password failures are counted under: the typed name, or one shared key for
    every malformed name (never the raw text, which may be anything)."""
    return typed if valid_username(typed) else INVALID_NAME


# -- the auth guard: password back-off and lockout --------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """How one password attempt is to be handled (decided before the password is checked)."""

    delay: float
    """Seconds after the attempt began at which to answer it (the check runs meanwhile)."""
    locked: bool
    """The (name, address) pair is locked: the connection gets no further attempt."""
    last_try: bool
    """Whatever the answer, the connection is closed after this attempt."""
    under_attack: bool = False
    """The name has been failing at this address (backed off or locked), or this connection
    has failed before: its check waits behind clean ones (:class:`Verifier`)."""


@dataclass(frozen=True)
class Failure:
    """What one failed attempt changed."""

    failures: int
    """Failures now counted on the (name, address) pair."""
    locked_until: float
    """Epoch seconds until which the pair is locked (0: not locked)."""
    newly_locked: bool
    """This failure locked the pair."""
    address_throttled: bool
    """This failure took the address over ``address_lockout_after``: from now on every failure
    from it is answered after :data:`MAX_DELAY` (a guesser rotating names)."""


class AuthGuard:
    """Counts failed password attempts and decides how long each answer waits.

    Args:
        config: the ``[auth]`` settings (``failures_before_backoff``, ``backoff_base``,
            ``lockout_after``, ``lockout_seconds``, ``address_lockout_after``).
        store: where the (name, address) counts and locks are kept.
        clock: the time source.

    The methods touch SQLite: call them off the event loop.
    """

    def __init__(self, config: AuthSection, store: ThrottleStore, clock: Clock | None = None):
        self.cfg = config
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self._by_address: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()  # the methods run in worker threads

    def _backoff(self, failures: int, free: int) -> float:
        over = failures - free
        if over < 0:
            return 0.0
        return float(self.cfg.backoff_base * (2 ** min(over, 16)))

    def _address_failures(self, address: str, now: float) -> int:
        with self._lock:
            return self._address_failures_locked(address, now)

    def _address_failures_locked(self, address: str, now: float) -> int:
        times = self._by_address.get(address)
        if not times:
            return 0
        while times and now - times[0] > self.cfg.lockout_seconds:
            times.popleft()
        if not times:
            self._by_address.pop(address, None)
        return len(times)

    def plan(self, name: str, address: str, connection_failures: int) -> Attempt:
        """Decide how to handle an attempt for throttle key ``name`` from ``address`` on a
        connection that has already failed ``connection_failures`` times."""
        now = self.clock.time()
        row = self.store.login_failures(name, address)
        failures, locked = 0, False
        if row is not None:
            count, last, locked_until = row
            locked = locked_until > now
            if locked or now - last <= self.cfg.lockout_seconds:
                failures = count
        delay = max(
            self._backoff(failures, self.cfg.failures_before_backoff),
            self._backoff(connection_failures, 1),
            LOCKED_DELAY if locked else 0.0,
            MAX_DELAY
            if self._address_failures(address, now) >= self.cfg.address_lockout_after
            else 0.0,
        )
        last_try = locked or connection_failures + 1 >= MAX_TRIES_PER_CONNECTION
        under_attack = (
            locked or failures >= self.cfg.failures_before_backoff or connection_failures > 0
        )
        return Attempt(
            delay=LOCKED_DELAY if locked else min(delay, MAX_DELAY),
            locked=locked,
            last_try=last_try,
            under_attack=under_attack,
        )

    def failed(self, name: str, address: str) -> Failure:
        """Record a failed attempt (wrong password, unknown or disabled name alike)."""
        now = self.clock.time()
        cfg = self.cfg
        failures, locked_until, newly = self.store.record_login_failure(
            name,
            address,
            now=now,
            window=cfg.lockout_seconds,
            lock_after=cfg.lockout_after,
            lock_seconds=cfg.lockout_seconds,
        )
        with self._lock:
            before = self._address_failures_locked(address, now)
            self._by_address[address].append(now)
            if len(self._by_address) > 10000:  # forget the quiet addresses
                for other in list(self._by_address):
                    self._address_failures_locked(other, now)
        return Failure(
            failures=failures,
            locked_until=locked_until if locked_until > now else 0.0,
            newly_locked=newly,
            address_throttled=before + 1 == cfg.address_lockout_after,
        )

    def succeeded(self, name: str, address: str) -> None:
        """A correct password from this pair: its count starts again unless it is locked."""
        self.store.clear_login_failures(name, address, now=self.clock.time())


# -- password checks: a small pool that serves clean names first --------------------------------


class Verifier:
    """Runs the argon2 checks on a few threads of its own, cleanest first.

    argon2 is the expensive part of a login (about 0.2 CPU-seconds). Under a flood the queue of
    checks grows; this pool serves a check for a name with no recent failures at its address
    before the checks of names being guessed at, so a flood aimed at one account does not slow
    everyone else behind the same address. Within a priority, first come first served.

    Args:
        workers: threads (default: the number of CPUs, at least 2).
    """

    def __init__(self, workers: int | None = None) -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._threads = [
            threading.Thread(target=self._work, name=f"slate-verify-{i}", daemon=True)
            for i in range(workers or max(2, os.cpu_count() or 2))
        ]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while True:
            _, _, job = self._queue.get()
            if job is None:
                return
            loop, future, fn, args = job
            if future.cancelled():  # the attempt's connection is gone: spare the CPU
                continue
            try:
                result = fn(*args)
            except BaseException as exc:  # handed to the waiting coroutine
                loop.call_soon_threadsafe(_settle, future, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, future, result, None)

    async def run(self, priority: int, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on the pool (lower ``priority`` first) and return its result."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put((priority, next(self._seq), (loop, future, fn, args)))
        return await future

    def close(self) -> None:
        """Stop the threads once the queued checks are done."""
        for _ in self._threads:
            self._queue.put((1 << 30, next(self._seq), None))


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.cancelled():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


# -- one password attempt, start to answer -------------------------------------------------------


@dataclass(frozen=True)
class PasswordOutcome:
    """What became of one password attempt."""

    account: Any
    """The account that logged in, or None."""
    close_connection: bool
    """Refused, and the connection gets no further attempt (close it after the reply)."""
    delay: float
    """The back-off the answer waited for (from the start of the attempt; 0 when the password
    was right)."""
    pair_locked: bool
    """The (name, address) pair was locked when the attempt came (or this failure locked it)."""


async def check_password(
    guard: AuthGuard,
    store: AccountStore,
    typed: str,
    password: str,
    address: str,
    connection_failures: int,
    audit: Callable[..., None],
    *,
    verifier: Verifier | None = None,
    verified: Callable[[bool], None] | None = None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> PasswordOutcome:
    """Check one password attempt and answer no sooner than the guard says.

    The password is always checked — during back-off and during a lock — and a correct one is
    always let in, at once (only wrong answers wait out the back-off). Unknown, malformed,
    disabled and known names take the same path: the same store reads and writes, one argon2
    verification, the same delays and the same audit rows (the reason in the row may differ;
    the reply never does).

    Args:
        guard: the auth guard (its store calls run in a worker thread).
        store: the account store (``verify_password`` runs in a worker thread).
        typed: the login name exactly as the client sent it.
        password: the password offered.
        address: the client's address.
        connection_failures: failed attempts already made on this connection.
        audit: writes one audit row for this connection: ``audit(kind, **detail)``.
        verifier: the pool for the argon2 check (None: the loop's default executor).
        verified: told whether the password was right as soon as that is known (before the
            back-off wait), so the doorman can drop a doomed wait but never a rightful one.
        sleep: how to wait (tests pass one that moves a fake clock).

    Returns:
        The outcome; on failure the caller counts it on the connection and closes the
        connection after the reply when ``close_connection`` says so.
    """
    loop = asyncio.get_running_loop()
    clock = guard.clock
    started = clock.monotonic()
    name = typed if valid_username(typed) else ""
    key = throttle_key(typed)
    plan = await loop.run_in_executor(None, guard.plan, key, address, connection_failures)
    checked_name = name or "\0"
    if verifier is not None:
        # Names being guessed at this address wait behind clean ones.
        priority = 1 if plan.under_attack else 0
        account = await verifier.run(priority, store.verify_password, checked_name, password)
    else:
        account = await loop.run_in_executor(None, store.verify_password, checked_name, password)
    ok = account is not None and not account.disabled
    if verified is not None:
        verified(ok)
    if ok:
        # A right password is answered at once, even during back-off or a lock: the wait is
        # there to slow guessers, and a right answer ends the guessing. It gives a guesser
        # nothing: a wrong answer still waits, so no reply within the check's time does not
        # tell them more than the reply would, and their rate stays bound by the tries per
        # connection (one while the pair is locked) and the address's connection rate.
        await loop.run_in_executor(None, guard.succeeded, key, address)
        return PasswordOutcome(account, False, 0.0, plan.locked)
    failure = await loop.run_in_executor(None, guard.failed, key, address)
    if not name:
        reason = "invalid username"
    else:
        known = store.get_account(name)
        reason = (
            "account disabled"
            if known is not None and known.disabled
            else ("bad password" if known is not None else "unknown user")
        )
    shown = typed[:200]  # the audit log neutralises control characters
    locked = plan.locked or failure.newly_locked
    audit(
        "login_failed",
        name=shown,
        reason=reason,
        method="password",
        delay=round(plan.delay, 2),
        pair_failures=failure.failures,
        pair_locked=locked,
        connection_failures=connection_failures + 1,
    )
    if failure.newly_locked:
        audit(
            "lockout",
            scope="name+address",
            name=shown,
            failures=failure.failures,
            locked_until=failure.locked_until,
        )
    if failure.address_throttled:
        audit(
            "lockout",
            scope="address",
            name=shown,
            detail="every failure from this address is now answered after the longest delay",
        )
    close = plan.last_try or failure.newly_locked
    if close:
        why = (
            "name locked at this address"
            if locked
            else "too many failed attempts on one connection"
        )
        audit("connection_closed", reason=why, name=shown)
    # Everything is on record before the wait: a connection dropped while it waits loses only
    # the answer.
    await _wait_out(plan.delay, started, clock, sleep)
    return PasswordOutcome(None, close, plan.delay, locked)


async def _wait_out(
    delay: float, started: float, clock: Clock, sleep: Callable[[float], Awaitable[Any]]
) -> None:
    wait = delay - (clock.monotonic() - started)
    if wait > 0:
        await sleep(wait)


# -- the doorman: admission at accept time ----------------------------------------------------

STAGE_CONNECTED = 0
"""Connected, has not asked to log in yet (or is mid-handshake)."""
STAGE_LOGGING_IN = 1
"""Asked to log in (the client finished the handshake): a person may be typing a password."""
STAGE_CHECKING = 2
"""A password is being checked (argon2, a fraction of a second): never dropped."""
STAGE_REFUSING = 3
"""A wrong password was checked and only its back-off delay is left: dropped first (the guesser
loses an answer they would have had to wait for; the failure is already counted and audited)."""
STAGE_ADMITTING = 4
"""The right password was checked and waits out the back-off: never dropped."""

_DROP_ORDER = {STAGE_REFUSING: 0, STAGE_CONNECTED: 1, STAGE_LOGGING_IN: 2}
_STAGE_WORDS = {
    STAGE_REFUSING: "while a wrong password's answer waited",
    STAGE_CONNECTED: "before asking to log in",
    STAGE_LOGGING_IN: "at login",
}


@dataclass(eq=False)
class Ticket:
    """One admitted connection that has not authenticated yet."""

    address: str
    opened: float
    close: Callable[[], None]
    stage: int = STAGE_CONNECTED
    since: float = 0.0
    done: bool = field(default=False)


class Doorman:
    """Admission at accept time, before the SSH banner: a per-address connection rate and fair
    pre-auth slots per address and overall (OpenSSH's MaxStartups and PerSourceMaxStartups,
    which asyncssh lacks, but dropping the least advanced connection instead of refusing the
    newest, so a flood of idle connections cannot shut an address out).

    Refusals and drops are audited, summarised per address every :attr:`AUDIT_EVERY` seconds
    (each record says how many happened since the last), so a flood cannot flood the log.
    """

    AUDIT_EVERY = 10.0

    def __init__(self, config: AuthSection, audit: AuditSink, clock: Clock | None = None) -> None:
        self.cfg = config
        self.audit = audit
        self.clock: Clock = clock or SystemClock()
        self._tickets: dict[str, list[Ticket]] = {}
        self._buckets: dict[str, tuple[float, float]] = {}
        # (kind, address, reason) -> (when the last row was written, events since then)
        self._noted: dict[tuple[str, str, str], tuple[float, int]] = {}
        self.held_refusals = 0
        self.rate_waiters = 0

    # counts

    @property
    def unauth_total(self) -> int:
        return sum(len(t) for t in self._tickets.values())

    def unauth(self, address: str) -> int:
        """Pre-auth connections from ``address`` now."""
        return len(self._tickets.get(address, ()))

    # the door

    def reserve(self, address: str) -> float | None:
        """Take ``address``'s next connection token for a new connection: the seconds it must
        wait for it (0: at once; then call :meth:`admit` with ``reserved=True`` when the wait is
        over and :meth:`waited` once it has), or None when the wait would pass
        :data:`MAX_RATE_WAIT` (refused, audited: the connection gets the refusal line).

        Tokens are handed out in arrival order: the bucket may go into debt by the tokens of
        the connections already waiting, and each newcomer waits for its own.
        """
        now = self.clock.monotonic()
        cfg = self.cfg
        rate, burst = float(cfg.connection_rate), float(cfg.connection_burst)
        tokens, last = self._buckets.get(address, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate
        if wait > MAX_RATE_WAIT or (wait > 0 and self.rate_waiters >= MAX_RATE_WAITERS):
            self._buckets[address] = (tokens, now)
            self._note("connection_refused", address, "connection rate", now)
            return None
        self._buckets[address] = (tokens - 1.0, now)
        if len(self._buckets) > 10000:  # forget the quiet ones
            self._buckets = {a: v for a, v in self._buckets.items() if now - v[1] < 60}
        if wait > 0:
            self.rate_waiters += 1
            self._note("connection_queued", address, "connection rate", now)
        return wait

    def waited(self) -> None:
        """A connection :meth:`reserve` held has had its wait (admitted or gone)."""
        self.rate_waiters = max(0, self.rate_waiters - 1)

    def admit(
        self, address: str, close: Callable[[], None], *, reserved: bool = False
    ) -> Ticket | str:
        """Let a new connection from ``address`` in (returns its ticket) or say why not.

        Args:
            address: the client's address.
            close: how to end this connection if it is dropped later.
            reserved: its connection token was taken by :meth:`reserve` (the caller waited
                for it); without it, a connection over the rate is refused at once.
        """
        now = self.clock.monotonic()
        self.sweep()
        cfg = self.cfg
        rate, burst = float(cfg.connection_rate), float(cfg.connection_burst)
        tokens, last = self._buckets.get(address, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if not reserved and tokens < 1.0:
            self._buckets[address] = (tokens, now)
            self._note("connection_refused", address, "connection rate", now)
            return "connection rate"
        if self.unauth(address) >= cfg.max_unauth_per_address and not self._drop_one(
            [address], "this address's pre-auth connections are all in use", now
        ):
            self._note(
                "connection_refused", address, "every pre-auth slot is checking a password", now
            )
            return "every pre-auth slot of this address is checking a password"
        if self.unauth_total >= cfg.max_unauth_total:
            busiest = sorted(self._tickets, key=lambda a: len(self._tickets[a]), reverse=True)
            if not self._drop_one(busiest, "the server's pre-auth connections are all in use", now):
                self._note("connection_refused", address, "too many pre-auth connections", now)
                return "too many unauthenticated connections"
        if not reserved:
            self._buckets[address] = (tokens - 1.0, now)
            if len(self._buckets) > 10000:  # forget the quiet ones
                self._buckets = {a: v for a, v in self._buckets.items() if now - v[1] < 60}
        ticket = Ticket(address=address, opened=now, close=close, since=now)
        self._tickets.setdefault(address, []).append(ticket)
        return ticket

    def hold_refusal(self) -> float:
        """Seconds to hold a connection :meth:`admit` refused before closing it (0: close it
        now). Call :meth:`refusal_sent` when a held one is closed."""
        if self.held_refusals >= MAX_HELD_REFUSALS:
            return 0.0
        self.held_refusals += 1
        return REFUSAL_HOLD

    def refusal_sent(self) -> None:
        """A held refusal was sent and its connection closed."""
        self.held_refusals = max(0, self.held_refusals - 1)

    def progressed(self, ticket: Ticket, stage: int) -> None:
        """The connection reached ``stage`` (STAGE_LOGGING_IN, STAGE_CHECKING, or back)."""
        if ticket.stage != stage:
            ticket.stage = stage
            ticket.since = self.clock.monotonic()

    def release(self, ticket: Ticket) -> None:
        """The connection authenticated or went away: its slot is free."""
        if ticket.done:
            return
        ticket.done = True
        tickets = self._tickets.get(ticket.address)
        if tickets is not None:
            if ticket in tickets:
                tickets.remove(ticket)
            if not tickets:
                self._tickets.pop(ticket.address, None)

    def sweep(self) -> int:
        """Drop connections that have not asked to log in within :data:`PREAUTH_IDLE` seconds;
        return how many. Called on every admission and once a second by the gateway."""
        now = self.clock.monotonic()
        stale = [
            t
            for tickets in self._tickets.values()
            for t in tickets
            if t.stage == STAGE_CONNECTED and now - t.opened >= PREAUTH_IDLE
        ]
        for ticket in stale:
            self._drop(ticket, f"did not ask to log in within {PREAUTH_IDLE:g} s", now)
        self.flush()
        return len(stale)

    # dropping

    def _drop_one(self, addresses: list[str], why: str, now: float) -> bool:
        for address in addresses:
            candidates = [t for t in self._tickets.get(address, ()) if t.stage in _DROP_ORDER]
            if candidates:
                # Doomed answers first, then the least advanced; within a stage, the one that
                # has been there longest.
                victim = min(candidates, key=lambda t: (_DROP_ORDER[t.stage], t.since))
                self._drop(victim, why, now)
                return True
        return False

    def _drop(self, ticket: Ticket, why: str, now: float) -> None:
        self.release(ticket)
        stage = _STAGE_WORDS.get(ticket.stage, "?")
        self._note("connection_dropped", ticket.address, f"{why} ({stage})", now)
        try:
            ticket.close()
        except Exception:  # a connection that cannot be closed must not stop admission
            log.exception("closing a dropped connection failed")

    # audit

    def _note(self, kind: str, address: str, reason: str, now: float) -> None:
        """Audit ``kind`` for ``address``: the first at once, then one summary row per
        :attr:`AUDIT_EVERY` seconds carrying how many were not written."""
        key = (kind, address, reason)
        noted = self._noted.get(key)
        if noted is not None and now - noted[0] < self.AUDIT_EVERY:
            self._noted[key] = (noted[0], noted[1] + 1)
            return
        self._write(key, 1 + (noted[1] if noted is not None else 0), now)

    def _write(self, key: tuple[str, str, str], count: int, now: float) -> None:
        kind, address, reason = key
        try:
            self.audit.append(kind, address=address, reason=reason, count=count)
        except Exception:
            log.exception("audit append failed")
        self._noted[key] = (now, 0)

    def flush(self) -> None:
        """Write the summary rows that are due (events held back for more than
        :attr:`AUDIT_EVERY` seconds), and forget quiet keys."""
        now = self.clock.monotonic()
        for key, (since, count) in list(self._noted.items()):
            if now - since >= self.AUDIT_EVERY:
                if count:
                    self._write(key, count, now)
                else:
                    del self._noted[key]
