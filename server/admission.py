"""Admission: who may start talking SSH, and how password guessing is slowed and stopped.

Owns the pre-auth doorman (connection rate and pre-auth caps, checked at accept time before any
banner) and the auth guard (back-off and lockout of failed password attempts). Keeps the SSH part
of THREAT-MODEL §1: caps on unauthenticated connections, per-account and per-address back-off,
unknown and known names treated identically. Time comes from an injected :class:`Clock`, so the
tests drive it with a fake clock instead of sleeping. Imports nothing of the gateway.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

from server.config import AuthSection
from server.store import valid_name

log = logging.getLogger("slate.admission")


class Clock(Protocol):
    """Where admission reads the time (tests pass a fake one)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (timers, rates)."""
        ...

    def time(self) -> float:
        """Seconds since the epoch (anything that must survive a restart)."""
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


def valid_username(name: str) -> bool:
    """Whether a login name is well-formed (the store's account-name rule)."""
    return valid_name(name)


# -- authentication throttle ----------------------------------------------------------------


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    locked_until: float = 0.0


class AuthGuard:
    """Per-account and per-address failure counting, back-off and lockout.

    Keyed by the *name as typed* (whether or not it exists) and by the client address, so unknown
    and known names behave identically. Counts decay after ``lockout_seconds`` of quiet.
    """

    def __init__(self, config: AuthSection, clock: Clock | None = None) -> None:
        self.cfg = config
        self.clock: Clock = clock or SystemClock()
        self._accounts: dict[str, _Failures] = defaultdict(_Failures)
        self._addresses: dict[str, _Failures] = defaultdict(_Failures)

    def _fresh(self, entry: _Failures, now: float) -> _Failures:
        if (
            entry.count
            and now - entry.last > self.cfg.lockout_seconds
            and now >= entry.locked_until
        ):
            entry.count = 0
        return entry

    def locked(self, name: str, address: str) -> str | None:
        """Why this attempt is refused without checking the password, or None."""
        now = self.clock.monotonic()
        if self._fresh(self._addresses[address], now).locked_until > now:
            return "address locked"
        if self._fresh(self._accounts[name], now).locked_until > now:
            return "account locked"
        return None

    def delay(self, name: str, address: str) -> float:
        """Seconds to wait before answering this attempt (exponential back-off, capped)."""
        now = self.clock.monotonic()
        count = max(
            self._fresh(self._accounts[name], now).count,
            self._fresh(self._addresses[address], now).count,
        )
        over = count - self.cfg.failures_before_backoff
        if over < 0:
            return 0.0
        return float(min(self.cfg.backoff_base * (2**over), 8.0))

    def failed(self, name: str, address: str) -> list[str]:
        """Record a failure; return which lockouts (if any) it just triggered."""
        now = self.clock.monotonic()
        triggered = []
        for key, table, limit, label in (
            (name, self._accounts, self.cfg.lockout_after, "account"),
            (address, self._addresses, self.cfg.address_lockout_after, "address"),
        ):
            entry = self._fresh(table[key], now)
            entry.count += 1
            entry.last = now
            if entry.count >= limit and entry.locked_until <= now:
                entry.locked_until = now + self.cfg.lockout_seconds
                triggered.append(label)
        return triggered

    def succeeded(self, name: str) -> None:
        """A correct password: the account's count starts again (the address's does not)."""
        self._accounts.pop(name, None)


# -- the doorman: admission at accept time ----------------------------------------------------


class Doorman:
    """Admission at accept time, before the SSH banner: per-address connection rate and caps on
    unauthenticated connections per address and overall (OpenSSH's MaxStartups and
    PerSourceMaxStartups, which asyncssh lacks). A refused socket gets one line and is closed.
    """

    AUDIT_EVERY = 10.0  # seconds: refusals from one address are summarised, not one row each

    def __init__(self, config: AuthSection, audit: AuditSink, clock: Clock | None = None) -> None:
        self.cfg = config
        self.audit = audit
        self.clock: Clock = clock or SystemClock()
        self.unauth_by_address: dict[str, int] = defaultdict(int)
        self.unauth_total = 0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._refused: dict[str, tuple[float | None, int]] = {}

    def opened(self, address: str) -> None:
        """A connection from ``address`` was admitted and is not authenticated yet."""
        self.unauth_by_address[address] += 1
        self.unauth_total += 1

    def closed(self, address: str) -> None:
        """A connection counted by :meth:`opened` authenticated or went away."""
        self.unauth_total -= 1
        self.unauth_by_address[address] -= 1
        if self.unauth_by_address[address] <= 0:
            self.unauth_by_address.pop(address, None)

    def admit(self, address: str) -> str | None:
        """None to accept, else the reason for refusing."""
        cfg = self.cfg
        rate = float(cfg.connection_rate)
        burst = float(cfg.connection_burst)
        now = self.clock.monotonic()
        tokens, last = self._buckets.get(address, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if self.unauth_total >= cfg.max_unauth_total:
            reason = "too many unauthenticated connections"
        elif self.unauth_by_address[address] >= cfg.max_unauth_per_address:
            reason = "too many unauthenticated connections from this address"
        elif tokens < 1.0:
            reason = "connection rate"
        else:
            self._buckets[address] = (tokens - 1.0, now)
            if len(self._buckets) > 10000:  # forget the quiet ones
                self._buckets = {a: v for a, v in self._buckets.items() if now - v[1] < 60}
            return None
        self._buckets[address] = (tokens, now)
        self._note_refusal(address, reason, now)
        return reason

    def _note_refusal(self, address: str, reason: str, now: float) -> None:
        since, count = self._refused.get(address, (None, 0))
        if since is None or now - since >= self.AUDIT_EVERY:
            try:
                self.audit.append(
                    "connection_refused",
                    address=address,
                    reason=reason,
                    refused_since_last_record=count,
                )
            except Exception:
                log.exception("audit append failed")
            self._refused[address] = (now, 0)
        else:
            self._refused[address] = (since, count + 1)
