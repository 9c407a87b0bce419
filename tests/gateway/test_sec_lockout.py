"""Lockout as a weapon (THREAT-MODEL §6, issue 9.6), against the real gateway from distinct
loopback addresses (127.0.0.x), with the real OpenSSH client for the victim and asyncssh's client
for the floods. A guesser slows and stops themselves; the owner with the right password always
gets in, answered as soon as the password is checked (only wrong answers wait). Each test
asserts that outcome and the audit records; the measured seconds are printed (run with -s) for
the note's table, never asserted (timings belong in bench/)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from server.admission import LOCKED_DELAY, MAX_DELAY, MAX_TRIES_PER_CONNECTION, PREAUTH_IDLE

from .conftest import Server, run_ssh, start_server, stop_server

# The shipped per-address connection limits (conftest opens them up for other tests).
SHIPPED = {"connection_rate": 5.0, "connection_burst": 30}


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("lockout"), auth=dict(SHIPPED))
    yield srv
    stop_server(srv)


async def attempt(server: Server, name: str, password: str, bind: str) -> bool:
    """One password attempt with asyncssh's client from ``bind``: True if it got in."""
    try:
        conn = await asyncssh.connect(
            server.host,
            server.port,
            username=name,
            password=password,
            known_hosts=None,
            client_keys=None,
            local_addr=(bind, 0),
            login_timeout=60,
        )
    except (asyncssh.PermissionDenied, asyncssh.DisconnectError, ConnectionError, OSError):
        return False
    conn.close()
    return True


def owner_logs_in(server: Server, name: str, password: str, bind: str) -> float:
    """The real OpenSSH client with the right password from ``bind``: it must authenticate
    (the gateway then refuses the pty-less session with its one line). Returns seconds taken."""
    started = time.monotonic()
    result = run_ssh(server, name, password, "-T", bind=bind, timeout=60)
    if "interactive terminal" not in result.stdout and "Connection reset" in result.stderr:
        # A shared address under a connection flood: the connection-rate bucket it shares with
        # the attackers may refuse this connection before the SSH banner; a person retries.
        # (Known gap, issue 9: the owner is slowed, never locked out.)
        result = run_ssh(server, name, password, "-T", bind=bind, timeout=60)
    took = time.monotonic() - started
    assert "interactive terminal" in result.stdout, (result.stdout, result.stderr)
    return took


def rows(server: Server, kind: str, **match: object) -> list[dict]:
    return [
        r
        for r in server.audit_rows(kind)
        if all(r.get(k) == v or r["detail"].get(k) == v for k, v in match.items())
    ]


def login_ok(server: Server, name: str, address: str) -> dict:
    return server.wait_audit("login_ok", actor=name, address=address)


async def guesses(server: Server, name: str, bind: str, count: int, batch: int = 8) -> None:
    """``count`` wrong passwords for ``name`` from ``bind``, ``batch`` connections at a time
    (one address has 10 pre-auth slots); every one must be refused."""
    for start in range(0, count, batch):
        tries = [
            attempt(server, name, f"wrong{i}", bind)
            for i in range(start, min(count, start + batch))
        ]
        assert not any(await asyncio.gather(*tries))


def report(what: str, seconds: float) -> None:
    print(f"\n[lockout table] {what}: {seconds:.2f} s")


# -- the guesser is somewhere else -------------------------------------------------------------


async def test_sec_guesser_on_another_address_never_locks_the_owner(gate: Server) -> None:
    name, password = gate.add_user("learner")
    guesser, owner = "127.0.0.2", "127.0.0.3"
    await guesses(gate, name, guesser, 12)
    lock = await asyncio.to_thread(gate.wait_audit, "lockout", name=name, scope="name+address")
    assert lock["address"] == guesser and lock["detail"]["failures"] == 10

    took = await asyncio.to_thread(owner_logs_in, gate, name, password, owner)
    row = login_ok(gate, name, owner)
    assert row["detail"]["delay"] == 0 and row["detail"]["pair_locked"] is False
    report("12 wrong passwords for ada from 127.0.0.2 -> ada from 127.0.0.3", took)

    # The guesser really is stopped: the longest delay, then their connection is closed.
    assert not await attempt(gate, name, "wrong-again", guesser)
    failed = rows(gate, "login_failed", name=name, address=guesser)[-1]
    assert failed["detail"]["pair_locked"] is True and failed["detail"]["delay"] == LOCKED_DELAY
    gate.wait_audit(
        "connection_closed", address=guesser, name=name, reason="name locked at this address"
    )


# -- the guesser shares the owner's address ----------------------------------------------------


async def test_sec_guesser_on_the_same_address_never_locks_the_owner(gate: Server) -> None:
    name, password = gate.add_user("learner")
    shared = "127.0.0.4"
    await guesses(gate, name, shared, 12)
    await asyncio.to_thread(
        gate.wait_audit, "lockout", name=name, scope="name+address", address=shared
    )
    took = await asyncio.to_thread(owner_logs_in, gate, name, password, shared)
    row = login_ok(gate, name, shared)
    # Locked pair: the right password is still checked, and answered at once.
    assert row["detail"]["pair_locked"] is True and row["detail"]["delay"] == 0
    report("12 wrong passwords for ada from the shared address -> ada from it", took)
    # The owner getting in does not free the guesser beside them: a wrong password on the
    # locked pair still waits the longest delay.
    assert not await attempt(gate, name, "bad-after", shared)
    after = rows(gate, "login_failed", name=name, address=shared)[-1]["detail"]
    assert after["pair_locked"] and after["delay"] == LOCKED_DELAY


async def _idle_sockets(server: Server, bind: str, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind((bind, 0))
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            sock.connect((server.host, server.port))
        socks.append(sock)
    await asyncio.sleep(0.2)
    return socks


async def _slow_handshake(server: Server, bind: str, stop: asyncio.Event) -> None:
    """A client that sends its version line one byte every half second, forever."""
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.bind((bind, 0))
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, (server.host, server.port))
        for byte in b"SSH-2.0-slowloris" * 100:
            if stop.is_set():
                return
            await loop.sock_sendall(sock, bytes([byte]))
            await asyncio.sleep(0.5)
    except OSError:
        return  # dropped by the doorman
    finally:
        sock.close()


async def _guess_forever(
    server: Server, names: list[str], bind: str, stop: asyncio.Event, tally: list[int]
) -> None:
    i = 0
    while not stop.is_set():
        name = names[i % len(names)]
        assert not await attempt(server, name, f"guess{i}", bind)
        tally.append(1)
        i += 1


async def test_sec_flood_from_the_shared_address_leaves_its_learners_in(gate: Server) -> None:
    """Another learner on the classroom's one address floods with wrong passwords (for the
    victim's account and rotating names), 20 idle pre-auth connections and slow handshakes:
    two learners behind the same address still log in, answered within the longest delay."""
    victim, victim_pw = gate.add_user("learner")
    other, other_pw = gate.add_user("learner")
    shared = "127.0.0.5"
    stop = asyncio.Event()
    tally: list[int] = []
    idle = await _idle_sockets(gate, shared, 20)
    flood = [
        asyncio.create_task(_slow_handshake(gate, shared, stop)),
        asyncio.create_task(_slow_handshake(gate, shared, stop)),
        *(
            asyncio.create_task(_guess_forever(gate, [victim], shared, stop, tally))
            for _ in range(4)
        ),
        *(
            asyncio.create_task(
                _guess_forever(gate, [f"rot{k}x{j}" for j in range(50)], shared, stop, tally)
            )
            for k in range(2)
        ),
    ]
    try:
        # Flood until the guessers have locked the victim's name at the shared address.
        await asyncio.to_thread(
            gate.wait_audit, "lockout", 90, name=victim, scope="name+address", address=shared
        )
        assert not any(t.done() for t in flood[2:])  # the guessers are still at it
        took_victim = await asyncio.to_thread(owner_logs_in, gate, victim, victim_pw, shared)
        took_other = await asyncio.to_thread(owner_logs_in, gate, other, other_pw, shared)
        assert not any(t.done() and t.exception() for t in flood)
        # The idle connections lose their slots (taken back for others, or after the pre-auth
        # idle limit): on record before they are closed by this test.
        await asyncio.to_thread(gate.wait_audit, "connection_dropped", 30, address=shared)
    finally:
        stop.set()
        await asyncio.gather(*flood, return_exceptions=True)
        for sock in idle:
            sock.close()
    for name in (victim, other):
        assert login_ok(gate, name, shared)["detail"]["delay"] <= MAX_DELAY
    report(
        "flood (4 guessers on ada, 2 rotating names, 20 idle, 2 slow) -> ada, same addr",
        took_victim,
    )
    report("same flood -> another learner on the same address", took_other)
    # The flood is on record: slots taken back from idle connections, the lock, the failures.
    assert rows(gate, "lockout", name=victim, scope="name+address")
    assert len(rows(gate, "login_failed", address=shared)) >= len(tally) // 2


async def test_sec_a_dozen_guessers_on_the_shared_address_leave_its_learners_in(
    gate: Server,
) -> None:
    """Twelve concurrent scripted guessers on one account keep the address's slots and checks
    busy: their waits are dropped first and clean names are checked first, so the owner and a
    classmate behind the same address both get in."""
    victim, victim_pw = gate.add_user("learner")
    classmate, classmate_pw = gate.add_user("learner")
    shared = "127.0.0.13"
    stop = asyncio.Event()
    tally: list[int] = []
    flood = [
        asyncio.create_task(_guess_forever(gate, [victim], shared, stop, tally)) for _ in range(12)
    ]
    try:
        await asyncio.to_thread(
            gate.wait_audit, "lockout", 90, name=victim, scope="name+address", address=shared
        )
        await asyncio.sleep(2)
        took_victim = await asyncio.to_thread(owner_logs_in, gate, victim, victim_pw, shared)
        took_mate = await asyncio.to_thread(owner_logs_in, gate, classmate, classmate_pw, shared)
        assert not any(t.done() for t in flood)
    finally:
        stop.set()
        await asyncio.gather(*flood, return_exceptions=True)
    assert login_ok(gate, victim, shared)["detail"]["delay"] <= MAX_DELAY
    # (the address is throttled by now: every reply to it waits the longest delay)
    assert login_ok(gate, classmate, shared)["detail"]["delay"] <= MAX_DELAY
    report("12 concurrent scripted guessers on ada from the shared address -> ada", took_victim)
    report("same flood -> a classmate on the same address", took_mate)


async def test_sec_idle_and_slow_preauth_connections_are_dropped(gate: Server) -> None:
    """20 idle pre-auth connections and a slow handshake from one address: each is dropped
    (for newcomers, or after PREAUTH_IDLE seconds), and a learner on that address gets in."""
    name, password = gate.add_user("learner")
    shared = "127.0.0.6"
    stop = asyncio.Event()
    idle = await _idle_sockets(gate, shared, 20)
    slow = asyncio.create_task(_slow_handshake(gate, shared, stop))
    try:
        took = await asyncio.to_thread(owner_logs_in, gate, name, password, shared)
        report(
            "20 idle pre-auth conns + a slow handshake from the shared address -> learner on it",
            took,
        )
        # The slow handshake never gets to log in: it is dropped within PREAUTH_IDLE seconds.
        await asyncio.wait_for(slow, PREAUTH_IDLE + 10)
        await asyncio.to_thread(
            gate.wait_audit,
            "connection_dropped",
            PREAUTH_IDLE + 10,
            address=shared,
            reason=f"did not ask to log in within {PREAUTH_IDLE:g} s (before asking to log in)",
        )
        closed = 0
        for sock in idle:  # every idle socket was closed by the server (EOF or reset)
            sock.setblocking(True)
            sock.settimeout(5)
            with contextlib.suppress(OSError):
                while sock.recv(4096):
                    pass
            closed += 1
        assert closed == 20
    finally:
        stop.set()
        for sock in idle:
            sock.close()
    assert rows(gate, "connection_dropped", address=shared)
    assert not rows(gate, "connection_refused", address=shared)


# -- rotating names, one connection's tries, unknown names -------------------------------------


async def test_sec_rotating_names_slow_only_the_guessers_address(gate: Server) -> None:
    name, password = gate.add_user("learner")
    guesser, elsewhere = "127.0.0.7", "127.0.0.8"
    for batch in range(5):
        tries = [attempt(gate, f"who{batch}x{i}", "pw", guesser) for i in range(8)]
        assert not any(await asyncio.gather(*tries))
    row = await asyncio.to_thread(gate.wait_audit, "lockout", scope="address", address=guesser)
    assert row["actor"] is None
    took_same = await asyncio.to_thread(owner_logs_in, gate, name, password, guesser)
    assert login_ok(gate, name, guesser)["detail"]["delay"] == 0  # a right password: at once
    assert not await attempt(gate, "who-else", "pw", guesser)  # a wrong one: the longest wait
    assert rows(gate, "login_failed", name="who-else")[-1]["detail"]["delay"] == MAX_DELAY
    other, other_pw = gate.add_user("learner")
    took_else = await asyncio.to_thread(owner_logs_in, gate, other, other_pw, elsewhere)
    assert login_ok(gate, other, elsewhere)["detail"]["delay"] == 0
    report("guesser rotating 40 names from 127.0.0.7 -> learner on 127.0.0.7", took_same)
    report("guesser rotating 40 names from 127.0.0.7 -> learner on 127.0.0.8", took_else)


class _Persistent(asyncssh.SSHClient):
    """A client that offers a wrong password again and again on one connection."""

    def password_auth_requested(self) -> str:
        return "still-wrong"


async def test_sec_one_connection_gets_a_few_tries_then_is_closed(gate: Server) -> None:
    name, _ = gate.add_user("learner")
    bind = "127.0.0.9"
    with pytest.raises((asyncssh.PermissionDenied, asyncssh.DisconnectError, ConnectionError)):
        await asyncssh.connect(
            gate.host,
            gate.port,
            username=name,
            known_hosts=None,
            client_keys=None,
            local_addr=(bind, 0),
            client_factory=_Persistent,
            preferred_auth="password",
        )
    await asyncio.to_thread(
        gate.wait_audit,
        "connection_closed",
        address=bind,
        reason="too many failed attempts on one connection",
    )
    failed = rows(gate, "login_failed", name=name, address=bind)
    assert [r["detail"]["connection_failures"] for r in failed] == list(
        range(1, MAX_TRIES_PER_CONNECTION + 1)
    )
    assert [r["detail"]["delay"] for r in failed] == [0, 1, 2]  # each answer later


async def test_sec_unknown_and_known_names_get_the_same_treatment(gate: Server) -> None:
    known, _ = gate.add_user("learner")
    unknown = "nosuch" + known[1:]
    timings: dict[str, list[float]] = {}
    for name, bind in ((known, "127.0.0.10"), (unknown, "127.0.0.11")):
        timings[name] = []
        for i in range(6):
            started = time.monotonic()
            assert not await attempt(gate, name, f"w{i}", bind)
            timings[name].append(time.monotonic() - started)
    for name, bind in ((known, "127.0.0.10"), (unknown, "127.0.0.11")):
        await asyncio.to_thread(gate.wait_audit, "login_failed", name=name, address=bind)
    trail = {
        name: [
            (r["detail"]["delay"], r["detail"]["pair_failures"])
            for r in rows(gate, "login_failed", name=name)
        ]
        for name in (known, unknown)
    }
    assert (
        trail[known] == trail[unknown] == [(0, 1), (0, 2), (0, 3), (1, 4), (2, 5), (MAX_DELAY, 6)]
    )
    assert {r["detail"]["reason"] for r in rows(gate, "login_failed", name=unknown)} == {
        "unknown user"
    }
    print(
        "\n[lockout table] six wrong tries, known vs unknown name (s): "
        + " | ".join(
            f"{a:.2f}/{b:.2f}" for a, b in zip(timings[known], timings[unknown], strict=True)
        )
    )


# -- persistence and unlocking -----------------------------------------------------------------


async def test_sec_lock_survives_a_restart_and_slate_user_unlock_lifts_it(tmp_path: Path) -> None:
    srv = start_server(tmp_path, auth=dict(SHIPPED))
    data_dir = srv.data_dir
    try:
        name, password = srv.add_user("learner")
        bind = "127.0.0.12"
        await guesses(srv, name, bind, 10, batch=5)
        await asyncio.to_thread(srv.wait_audit, "lockout", name=name, address=bind)
    finally:
        stop_server(srv)
    srv = start_server(tmp_path, data_dir=data_dir, auth=dict(SHIPPED))
    try:
        assert not await attempt(srv, name, "after-restart", bind)
        row = await asyncio.to_thread(
            srv.wait_audit, "login_failed", name=name, address=bind, pair_failures=11
        )
        assert row["detail"]["pair_locked"] is True and row["detail"]["delay"] == LOCKED_DELAY

        out = srv.slate("user", "unlock", name)
        assert f"Unlocked {name} (was locked from {bind})" in out.stdout.decode()
        unlock = srv.wait_audit("user_unlock", name=name)
        assert unlock["detail"]["locked_addresses"] == [bind]
        assert unlock["detail"]["failures"] == 11

        assert not await attempt(srv, name, "after-unlock", bind)
        row = await asyncio.to_thread(
            srv.wait_audit, "login_failed", name=name, address=bind, pair_failures=1
        )
        assert row["detail"]["pair_locked"] is False and row["detail"]["delay"] == 0
        assert await attempt(srv, name, password, bind)
    finally:
        stop_server(srv)
