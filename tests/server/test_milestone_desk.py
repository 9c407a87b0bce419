"""Milestone sign-off through the server's own role table (``SessionServices.handlers_for``) and
the real control channel: staff list, sign off and undo (audited, pushed to the learner, shown on
the learner's course map); a learner or an auditor is refused, even with a hand-written request
line, and every refusal is an audit row."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from courses.catalog import Catalog, Course
from server import protocol
from server.audit import AuditLog
from server.config import load_config
from server.control import ControlChannel
from server.milestones import MilestoneDesk
from server.services import SessionServices
from server.store import Store
from tui.control import ControlClient, ControlError

SIGN_OFF_TYPES = {protocol.Milestones, protocol.MilestoneSignOff, protocol.MilestoneUndo}


def _course(cid: str, stage: int, order: int, exercises: list[str],
            milestone: str | None = None) -> Course:
    course = Course(id=cid, title=cid.upper(), stage=stage, order=order, summary="s",
                    dir=Path("/nonexistent") / cid, milestone=milestone)
    course.exercises = [SimpleNamespace(id=e, course_id=cid, title=e, hints=[], learn="l",  # type: ignore[misc]
                                        check_kinds=["html"])
                        for e in exercises]
    return course


def catalog() -> Catalog:
    return Catalog(root=Path("/nonexistent"), courses=[
        _course("html", 1, 10, ["page", "lists"]),
        _course("js", 1, 20, ["loops"], milestone="Foundations"),
        _course("extra", 1, 30, ["more"]),
        _course("git", 2, 10, ["commit"], milestone="Teamwork"),
    ])


class Session:
    """A gateway session as the desks see it; pushes are kept."""

    def __init__(self, sid: str) -> None:
        self.session_id = sid
        self.pushes: list[protocol.Push] = []
        self.control = SimpleNamespace(push=self.pushes.append, backlog=lambda: 0)
        self.observers: set[object] = set()
        self.keys_locked = False
        self.cols, self.rows = 80, 24
        self.server = SimpleNamespace(address="10.0.0.7", username="x")

    def request_repaint(self) -> None:
        pass

    def inject_input(self, data: bytes, by: str) -> None:
        raise AssertionError("nobody types here")

    def idle_seconds(self) -> float:
        return 0.0


@pytest.fixture
def services(store: Store, audit: AuditLog, data_dir: Path) -> SessionServices:
    services = SessionServices(load_config(None, data_dir), store, audit)
    services._catalog = catalog()
    store.add_account("ada", "learner")
    store.add_account("bo", "learner")
    store.add_account("teach", "instructor")
    for course, exercise in (("html", "page"), ("html", "lists"), ("js", "loops")):
        store.record_attempt("ada", course, exercise, True, {"status": "passed"})
    store.record_attempt("bo", "html", "page", True, {"status": "passed"})
    return services


class Served:
    """A session's handler table served on a real control channel, with the gateway's deny."""

    def __init__(self, services: SessionServices, account: Any, session: Session) -> None:
        self.handlers = services.handlers_for(session, account)
        server_sock, client_sock = socket.socketpair()

        def deny(kind: str, why: str) -> None:  # what gateway.SlateSSHServer.deny writes
            services.audit.append("request_denied", actor=account.name,
                                  session=session.session_id, request=f"control:{kind}",
                                  detail=why)

        self.channel = ControlChannel(server_sock, self.handlers, deny)
        self.task = asyncio.get_running_loop().create_task(self.channel.serve())
        self.client = ControlClient(client_sock, timeout=5)
        self.client_sock = client_sock

    async def __aenter__(self) -> Served:
        await self.client.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.close()
        self.channel.close()
        await asyncio.wait([self.task], timeout=2)


def kinds(store: Store, kind: str) -> list[dict[str, Any]]:
    return [{"actor": a, **json.loads(d)} for a, d in store.query(
        "SELECT actor, detail FROM audit_events WHERE kind = ? ORDER BY id", (kind,))]


@pytest.mark.parametrize("role", ["learner", "instructor", "auditor", "admin"])
async def test_only_staff_get_the_milestone_requests(services: SessionServices, store: Store,
                                                     role: str) -> None:
    account = store.add_account(f"u-{role}", role)
    handlers = services.handlers_for(Session(f"s-{role}"), account)
    assert (SIGN_OFF_TYPES & set(handlers)) == (
        SIGN_OFF_TYPES if role in ("instructor", "admin") else set())


async def test_staff_list_sign_off_and_undo_with_audit_and_pushes(
    services: SessionServices, store: Store
) -> None:
    ada_session = Session("s-ada")
    services.handlers_for(ada_session, store.get_account("ada"))  # ada is online
    other_staff = Session("s-other")
    services.handlers_for(other_staff, store.add_account("boss", "admin"))
    async with Served(services, store.get_account("teach"), Session("s-teach")) as console:
        listing = await console.client.request(protocol.Milestones())
        assert isinstance(listing, protocol.MilestonesReply)
        assert [(m["id"], m["total"]) for m in listing.milestones] == [
            ("js", 3), ("git", 1)]
        rows = [(r["learner"], r["milestone"], r["state"], r["done"]) for r in listing.rows]
        assert rows == [("ada", "js", "ready", 3), ("bo", "js", "not_reached", 1)]

        with pytest.raises(ControlError, match="done 1 of 3"):
            await console.client.request(protocol.MilestoneSignOff(learner="bo", milestone="js"))
        with pytest.raises(ControlError, match="no such milestone"):
            await console.client.request(
                protocol.MilestoneSignOff(learner="ada", milestone="extra"))
        with pytest.raises(ControlError, match="no learner"):
            await console.client.request(
                protocol.MilestoneSignOff(learner="boss", milestone="js"))

        reply = await console.client.request(protocol.MilestoneSignOff(
            learner="ada", milestone="js", note="Great work\x1b]52;c;aGk=\x07 today"))
        assert isinstance(reply, protocol.MilestoneReply)
        assert (reply.state, reply.signed_by) == ("signed", "teach")
        stored = store.milestone_sign_offs("ada")["js"]
        assert "\x1b" not in stored["note"] and "\x07" not in stored["note"]
        assert "Great work" in stored["note"]

        with pytest.raises(ControlError, match="signed off by teach on"):
            await console.client.request(protocol.MilestoneSignOff(learner="ada", milestone="js"))
        with pytest.raises(ControlError, match="Say why"):
            await console.client.request(
                protocol.MilestoneUndo(learner="ada", milestone="js", reason="  "))

    # The learner's own course map shows it, and she and the other console were told at once.
    updates = [p for p in ada_session.pushes if isinstance(p, protocol.MilestoneUpdate)]
    assert [(u.milestone, u.state, u.by) for u in updates] == [("js", "signed", "teach")]
    assert any(isinstance(p, protocol.MilestoneUpdate) for p in other_staff.pushes)
    desk_map = services.handlers_for(ada_session, store.get_account("ada"))
    course_map = await desk_map[protocol.CourseMap](protocol.CourseMap())
    stage1 = course_map.stages[0]["milestones"]
    assert [(m["id"], m["state"], m["signed_by"]) for m in stage1] == [("js", "signed", "teach")]

    async with Served(services, store.get_account("teach"), Session("s-teach2")) as console:
        undone = await console.client.request(protocol.MilestoneUndo(
            learner="ada", milestone="js", reason="signed the wrong learner"))
        assert undone.state == "ready"
    assert store.milestone_sign_offs("ada") == {}
    assert [u.state for u in ada_session.pushes if isinstance(u, protocol.MilestoneUpdate)] == [
        "signed", "ready"]

    signed = kinds(store, "milestone_signed_off")
    assert [(s["actor"], s["learner"], s["milestone"], s["done"], s["total"]) for s in signed] == [
        ("teach", "ada", "js", 3, 3)]
    undo = kinds(store, "milestone_sign_off_undone")
    assert undo[0]["reason"] == "signed the wrong learner" and undo[0]["signed_by"] == "teach"
    refused = [(r["request"], r["reason"]) for r in kinds(store, "milestone_refused")]
    assert refused == [
        ("milestone_sign_off", "not ready"), ("milestone_sign_off", "unknown milestone"),
        ("milestone_sign_off", "not a learner"), ("milestone_sign_off", "already signed off"),
        ("milestone_undo", "no reason"),
    ]


@pytest.mark.parametrize("role", ["learner", "auditor"])
async def test_sec_a_learner_or_auditor_can_never_sign_off_even_with_a_forged_line(
    services: SessionServices, store: Store, role: str
) -> None:
    """The gateway's path for a non-staff session: its handler table from the server's role
    table and the real control channel. Typed requests and a hand-written JSON line are both
    refused, audited as request_denied, and nothing is stored or pushed."""
    ada_session = Session("s-ada")
    account = store.get_account("ada") if role == "learner" else store.add_account("judge", role)
    assert account is not None
    async with Served(services, account, ada_session) as served:
        for message in (protocol.MilestoneSignOff(learner="ada", milestone="js"),
                        protocol.MilestoneUndo(learner="ada", milestone="js", reason="x"),
                        protocol.Milestones()):
            with pytest.raises(ControlError, match="not available"):
                await served.client.request(message)
        # A forged line straight onto the socket: a made-up "by" field makes it malformed, and a
        # well-formed one is still not in this role's table.
        for line in (
            {"type": "milestone_sign_off", "id": 901, "learner": "ada", "milestone": "js",
             "note": "", "by": "teach"},
            {"type": "milestone_sign_off", "id": 902, "learner": "ada", "milestone": "js",
             "note": "self"},
        ):
            served.client_sock.sendall(json.dumps(line).encode() + b"\n")
        await asyncio.sleep(0.2)
    assert store.milestone_sign_offs() == {}
    assert not [p for p in ada_session.pushes if isinstance(p, protocol.MilestoneUpdate)]
    denied = kinds(store, "request_denied")
    requests = [d["request"] for d in denied if d["actor"] == account.name]
    assert requests.count("control:milestone_sign_off") == 2
    assert "control:milestone_undo" in requests and "control:milestones" in requests
    assert "control:malformed" in requests


async def test_sec_the_desk_itself_refuses_a_non_staff_session(services: SessionServices,
                                                                store: Store) -> None:
    """Defence in depth: were the desk ever registered for a learner, it still refuses (and
    audits), and the store refuses a learner as signer."""
    link = SimpleNamespace(user="ada", role="learner", session_id="s-ada")
    desk = MilestoneDesk(services, services.live_class, link)
    with pytest.raises(Exception, match="not available"):
        await desk.sign_off(protocol.MilestoneSignOff(learner="ada", milestone="js"))
    with pytest.raises(Exception, match="not available"):
        await desk.milestones(protocol.Milestones())
    assert store.milestone_sign_offs() == {}
    refused = kinds(store, "milestone_refused")
    assert [(r["actor"], r["reason"]) for r in refused] == [("ada", "not staff")] * 2


async def test_export_has_the_milestone_columns(services: SessionServices, store: Store,
                                                data_dir: Path) -> None:
    from server.milestones import export_columns
    from server.staff_desk import progress_csv

    store.sign_off_milestone("ada", "js", "teach")
    text, _rows = progress_csv(store, {}, None, export_columns(store, catalog()))
    lines = text.splitlines()
    assert lines[0].endswith(
        "milestone,milestone_state,milestone_signed_by,milestone_signed_utc")
    ada_html = next(line for line in lines if line.startswith("ada,,html,page"))
    assert ",Foundations,signed,teach,20" in ada_html
    bo_html = next(line for line in lines if line.startswith("bo,,html,page"))
    assert bo_html.endswith(",Foundations,not_reached,,")


async def test_a_full_console_reply_fits_one_control_line(services: SessionServices,
                                                          store: Store) -> None:
    """The most rows, each with the longest names, cohort and note the store allows, still
    encode under the control channel's line limit (ready rows are the ones kept)."""
    import dataclasses

    from server import milestones

    rows = [{"learner": "l" * 32, "cohort": "c" * 64, "milestone": "m" * 64, "title": "t" * 80,
             "stage": 1, "done": 999, "total": 999, "state": "signed", "signed_by": "s" * 32,
             "signed_at": "2026-11-30T19:40:00.000000+00:00", "note": "n" * milestones.ROW_NOTE}
            ] * milestones.MAX_ROWS
    reply = protocol.MilestonesReply(rows=rows, milestones=[], truncated=True)
    assert len(protocol.encode(dataclasses.replace(reply, id=1))) < protocol.MAX_LINE
    store.sign_off_milestone("ada", "js", "teach", note="x" * 300)
    got, _ = milestones.class_rows(store, catalog())
    assert len(next(r for r in got if r["learner"] == "ada")["note"]) == milestones.ROW_NOTE


async def test_sec_hostile_names_are_refused_and_logged_neutralised(
    services: SessionServices, store: Store
) -> None:
    """A staff request naming a learner or milestone with escape sequences and bidi controls is
    refused; neither the reply nor the audit row carries the raw control characters."""
    async with Served(services, store.get_account("teach"), Session("s-teach")) as console:
        with pytest.raises(ControlError) as info:
            await console.client.request(protocol.MilestoneSignOff(
                learner="\x1b]52;c;aGk=\x07\u202eada", milestone="js"))
        assert "\x1b" not in str(info.value) and "\u202e" not in str(info.value)
        with pytest.raises(ControlError, match="no such milestone"):
            await console.client.request(protocol.MilestoneUndo(
                learner="ada", milestone="js\x1b[2J", reason="x"))
    rows = store.query("SELECT detail FROM audit_events WHERE kind = 'milestone_refused'")
    assert len(rows) == 2
    for (detail,) in rows:
        assert "\x1b" not in json.loads(detail)["learner"] + json.loads(detail)["milestone"]
        assert "\u202e" not in json.loads(detail)["learner"]
    assert store.milestone_sign_offs() == {}


@pytest.mark.parametrize("change", ["demoted", "disabled"])
async def test_sec_an_open_console_of_a_demoted_or_disabled_instructor_is_refused(
    services: SessionServices, store: Store, change: str
) -> None:
    """The console was opened while 'teach' was an instructor; the account changes while the
    session stays open. The desk checks the account as it is now (and the store the signer),
    so the sign-off and even the listing are refused and audited, and nothing is stored."""
    async with Served(services, store.get_account("teach"), Session("s-teach")) as console:
        if change == "demoted":
            store.set_role("teach", "learner")
        else:
            store.set_disabled("teach", True)
        with pytest.raises(ControlError, match="may no longer"):
            await console.client.request(protocol.MilestoneSignOff(learner="ada", milestone="js"))
        with pytest.raises(ControlError, match="may no longer"):
            await console.client.request(protocol.Milestones())
    assert store.milestone_sign_offs() == {}
    refused = kinds(store, "milestone_refused")
    assert [(r["actor"], r["request"], r["reason"]) for r in refused] == [
        ("teach", "milestone_sign_off", "account no longer staff"),
        ("teach", "milestones", "account no longer staff")]
    with pytest.raises(Exception, match="may not sign off"):  # and the store on its own
        store.sign_off_milestone("ada", "js", "teach")
