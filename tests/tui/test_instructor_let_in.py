"""Issue 9.6: the instructor console lifts a login lock, as ``slate user unlock`` does, against
the real control channel, staff desk and SQLite store in-process (test_instructor_console.py's
Classroom). An instructor may let a learner in, never another staff account (an admin may); a
console left open after its account was demoted cannot; every lift and refusal is audited, and a
hostile name reaches neither the reply nor the audit row raw."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from server import protocol
from tests.tui.conftest import SMALL, wait_until
from tests.tui.test_instructor_console import Classroom, table_rows
from tui.control import ControlClient, ControlError

ADDRESS = "10.0.0.9"


def lock_out(room: Classroom, name: str, address: str = ADDRESS, tries: int = 3) -> None:
    """What admission stores after ``tries`` wrong passwords (locked after 3)."""
    now = time.time()
    for _ in range(tries):
        room.store.record_login_failure(name, address, now=now, window=900, lock_after=3,
                                        lock_seconds=900)
    row = room.store.login_failures(name, address)
    assert row is not None and row[2] > now  # locked_until


def audit_rows(room: Classroom, kind: str) -> list[dict[str, Any]]:
    return [{"actor": a, **json.loads(d)} for a, d in room.store.query(
        "SELECT actor, detail FROM audit_events WHERE kind = ? ORDER BY id", (kind,))]


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Classroom]:
    classroom = Classroom(tmp_path)
    classroom.join("ada")
    classroom.join("bo")
    classroom.store.add_account("teacher", "instructor", "pw-teacher")
    classroom.store.add_account("mo", "instructor", "pw-mo")
    await classroom.start()
    yield classroom
    await classroom.close()


async def test_k_on_the_roster_lets_a_locked_out_learner_in(room: Classroom) -> None:
    lock_out(room, "ada")
    app = room.app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: len(table_rows(app)) == 2)
        assert table_rows(app)[0][1] == "ada"  # highlighted
        await pilot.press("k")
        await wait_until(pilot, lambda: room.store.login_failures("ada", ADDRESS) is None)
        await wait_until(pilot, lambda: any("ada can log in again" in str(n.message)
                                            for n in app._notifications))
        note = next(str(n.message) for n in app._notifications
                    if "can log in again" in str(n.message))
        assert ADDRESS in note
        # Again: nothing left to lift, and the console says so.
        await pilot.press("k")
        await wait_until(pilot, lambda: any("ada was not locked out" in str(n.message)
                                            for n in app._notifications))
    lifted = audit_rows(room, "user_unlock")
    assert [(r["actor"], r["name"], r["locked_addresses"], r["failures"], r["via"])
            for r in lifted] == [("teacher", "ada", [ADDRESS], 3, "console"),
                                 ("teacher", "ada", [], 0, "console")]


async def _ask(room: Classroom, request: protocol.Request) -> Any:
    """One request on the console's channel (which then closes): its reply, or its error."""
    client = ControlClient(room.client_sock, timeout=5)
    await client.start()
    try:
        return await client.request(request)
    finally:
        await client.close()


async def test_sec_an_instructor_cannot_lift_a_staff_accounts_lock(room: Classroom) -> None:
    lock_out(room, "mo")
    with pytest.raises(ControlError, match="mo is not a learner; an admin can let them in"):
        await _ask(room, protocol.LoginUnlock(learner="mo"))
    assert room.store.login_failures("mo", ADDRESS) is not None  # still locked
    refused = audit_rows(room, "login_unlock_refused")
    assert [(r["actor"], r["name"], r["reason"]) for r in refused] == [
        ("teacher", "mo", "not a learner")]
    assert audit_rows(room, "user_unlock") == []


async def test_an_admin_may_lift_a_staff_accounts_lock(room: Classroom) -> None:
    lock_out(room, "mo")
    room.store.set_role("teacher", "admin")
    reply = await _ask(room, protocol.LoginUnlock(learner="mo"))
    assert reply.locked_from == [ADDRESS] and reply.failures == 3
    assert room.store.login_failures("mo", ADDRESS) is None


async def test_sec_a_demoted_console_and_hostile_names_are_refused_and_audited(
    room: Classroom,
) -> None:
    lock_out(room, "ada")
    hostile = "ada\x1b[2J\u202e"
    client = ControlClient(room.client_sock, timeout=5)
    await client.start()
    try:
        with pytest.raises(ControlError) as unknown:
            await client.request(protocol.LoginUnlock(learner=hostile))
        assert "There is no account called" in str(unknown.value)
        assert "\x1b" not in str(unknown.value) and "\u202e" not in str(unknown.value)
        room.store.set_role("teacher", "learner")  # demoted while the console is open
        with pytest.raises(ControlError, match="Your account may no longer do this"):
            await client.request(protocol.LoginUnlock(learner="ada"))
    finally:
        await client.close()
    assert room.store.login_failures("ada", ADDRESS) is not None
    refused = audit_rows(room, "login_unlock_refused")
    assert [r["reason"] for r in refused] == ["no such account", "account no longer staff"]
    assert all("\x1b" not in r["name"] and "\u202e" not in r["name"] for r in refused)
