"""Milestones: where each learner stands on each milestone, and the staff's sign-off requests.

Owns the meaning of a milestone's state for one learner (``course.toml`` ``milestone``; see
courses/FORMAT.md, "Milestones"): *not reached* while any exercise of the courses it covers is
not passed, *ready* (for sign-off) when all are, *signed* once an instructor or admin signed it
off (a sign-off stays when exercises are added to the catalog later). Also owns the console's
requests (list, sign off, undo) registered by server/staff_desk.py for staff sessions only.

Invariants kept here:
- Deny by default, twice: the requests are registered for staff sessions only (the control
  channel refuses and audits anything else), and each handler checks the session's role again
  and the store checks the signer's account; every refusal is an audit row.
- A sign-off needs a ready learner, an existing milestone and a learner account; an undo needs
  a reason. Notes and reasons are neutralised (``sanitize``) before they are stored, audited or
  pushed to another person's screen.
- The learner is told at once (a ``MilestoneUpdate`` push) when online, and sees it on the
  course map from the store otherwise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from server import protocol
from server.audit import sanitize
from server.control import RequestError
from server.store import MilestoneError
from server.vocabulary import STAFF_ROLES

log = logging.getLogger(__name__)

STATES = ("not_reached", "ready", "signed")
MAX_ROWS = 1000
"""Console rows in one reply (ready learners first, so they are never the ones cut); with
``ROW_NOTE`` this keeps the reply well under the control channel's 1 MiB line."""
ROW_NOTE = 120
"""Characters of a sign-off note carried in a console row (the store keeps it whole)."""


@dataclass(frozen=True)
class MilestoneStatus:
    """One learner's standing on one milestone."""

    id: str
    title: str
    stage: int
    courses: tuple[str, ...]
    done: int
    total: int
    state: str
    signed_by: str | None = None
    signed_at: str | None = None
    note: str = ""

    def view(self) -> dict[str, Any]:
        """Plain data for a reply (the course map's stages, the console's rows)."""
        return {
            "id": self.id,
            "title": self.title,
            "stage": self.stage,
            "courses": list(self.courses),
            "done": self.done,
            "total": self.total,
            "state": self.state,
            "signed_by": self.signed_by,
            "signed_at": self.signed_at,
            "note": self.note,
        }


def statuses(
    catalog: Any, progress: dict[str, dict[str, dict[str, Any]]], sign_offs: dict[str, Any]
) -> list[MilestoneStatus]:
    """Every milestone of the catalog for one learner, in programme order.

    Args:
        catalog: a :class:`courses.catalog.Catalog`.
        progress: the learner's :meth:`server.store.Store.progress`.
        sign_offs: the learner's :meth:`server.store.Store.milestone_sign_offs`.
    """
    found = []
    for milestone in catalog.milestones():
        keys = [
            (course_id, ex.id)
            for course_id in milestone.courses
            for ex in catalog.course(course_id).exercises
        ]
        done = sum(
            progress.get(c, {}).get(e, {}).get("state") == "passed" for c, e in keys
        )
        signed = sign_offs.get(milestone.id)
        if signed is not None:
            state = "signed"
        elif keys and done == len(keys):
            state = "ready"
        else:
            state = "not_reached"
        found.append(
            MilestoneStatus(
                id=milestone.id,
                title=milestone.title,
                stage=milestone.stage,
                courses=milestone.courses,
                done=done,
                total=len(keys),
                state=state,
                signed_by=signed["signed_by"] if signed else None,
                signed_at=signed["signed_at"] if signed else None,
                note=signed["note"] if signed else "",
            )
        )
    return found


def for_learner(store: Any, catalog: Any, learner: str) -> list[MilestoneStatus]:
    """One learner's milestones, read from the store."""
    return statuses(catalog, store.progress(learner), store.milestone_sign_offs(learner))


def add_to_stages(stages: list[dict[str, Any]], found: list[MilestoneStatus]) -> None:
    """Put each milestone's view in its stage's ``milestones`` list (course map reply)."""
    by_stage = {stage.get("stage"): stage for stage in stages}
    for stage in stages:
        stage.setdefault("milestones", [])
    for status in found:
        home = by_stage.get(status.stage)
        if home is not None:
            home["milestones"].append(status.view())


def class_rows(
    store: Any, catalog: Any, cohort: str | None = None, learner: str | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """The console's rows: each (enabled) learner's milestones they have started or reached,
    ready ones first, then signed, then the nearest to ready. Returns (rows, truncated).

    With ``learner``: that learner's rows only, every milestone (none if not a learner)."""
    everyone = store.milestone_sign_offs()
    rows: list[dict[str, Any]] = []
    for account in store.list_accounts("learner"):
        if account.disabled or (cohort is not None and account.cohort != cohort):
            continue
        if learner is not None and account.name != learner:
            continue
        progress = store.progress(account.name)
        for status in statuses(catalog, progress, everyone.get(account.name, {})):
            if status.state == "not_reached" and status.done == 0 and learner is None:
                continue
            row = status.view()
            row["milestone"] = row.pop("id")
            row.pop("courses")
            row["learner"] = account.name
            row["cohort"] = account.cohort
            row["note"] = row["note"][:ROW_NOTE]
            rows.append(row)
    order = {"ready": 0, "signed": 1, "not_reached": 2}
    if learner is None:  # one learner's rows stay in programme order
        rows.sort(key=lambda r: (order[r["state"]], -r["done"] / max(r["total"], 1),
                                 r["learner"]))
    return rows[:MAX_ROWS], len(rows) > MAX_ROWS


def export_columns(store: Any, catalog: Any) -> dict[tuple[str, str], list[str]]:
    """For the progress export: per (learner, course), the course's milestone title, its state
    and who signed it when (empty strings when the course belongs to no milestone)."""
    milestone_of = {c: m for m in catalog.milestones() for c in m.courses}
    everyone = store.milestone_sign_offs()
    out: dict[tuple[str, str], list[str]] = {}
    for account in store.list_accounts("learner"):
        progress = store.progress(account.name)
        found = {s.id: s for s in statuses(catalog, progress, everyone.get(account.name, {}))}
        for course_id, milestone in milestone_of.items():
            status = found[milestone.id]
            out[(account.name, course_id)] = [
                milestone.title,
                status.state,
                status.signed_by or "",
                status.signed_at or "",
            ]
    return out


# -- the console's requests ----------------------------------------------------------------------

Handler = Callable[[Any], Awaitable[protocol.Reply]]


class MilestoneDesk:
    """An instructor's or admin's milestone requests (registered by the staff desk).

    Args:
        services: the server's shared services (store, catalog, audit through ``live``).
        live: the live class (audit rows with the session, pushes to online learners).
        link: this staff session.
    """

    def __init__(self, services: Any, live: Any, link: Any) -> None:
        self.services = services
        self.live = live
        self.link = link

    def handlers(self) -> dict[type[protocol.Request], Handler]:
        return {
            protocol.Milestones: self.milestones,
            protocol.MilestoneSignOff: self.sign_off,
            protocol.MilestoneUndo: self.undo,
        }

    def _refuse(self, what: str, reason: str, says: str, **detail: Any) -> RequestError:
        """Audit a refusal and return the error to raise (plain words for the instructor)."""
        self.live.record("milestone_refused", self.link, request=what, reason=reason, **detail)
        return RequestError(says)

    def _staff_only(self, what: str, **detail: Any) -> None:
        """The session's role, and the account as it is now (demoted or disabled since the
        session began: refused), must be staff."""
        if self.link.role not in STAFF_ROLES:  # the control channel already refuses; and again
            raise self._refuse(what, "not staff", "That is not available here.", **detail)
        try:
            account = self.services.store.get_account(self.link.user)
        except Exception:
            account = None
        if account is None or account.role not in STAFF_ROLES or account.disabled:
            raise self._refuse(what, "account no longer staff",
                               "Your account may no longer do this.", **detail)

    def _catalog(self) -> Any:
        try:
            return self.services.catalog()
        except Exception as exc:
            log.exception("catalog failed to load")
            raise RequestError("The courses could not be loaded.") from exc

    async def milestones(self, request: protocol.Milestones) -> protocol.MilestonesReply:
        self._staff_only("milestones")
        catalog = self._catalog()
        store = self.services.store
        rows, truncated = await asyncio.to_thread(
            class_rows, store, catalog, request.cohort, request.learner
        )
        found = [
            {
                "id": m.id,
                "title": m.title,
                "stage": m.stage,
                "courses": list(m.courses),
                "total": sum(len(catalog.course(c).exercises) for c in m.courses),
            }
            for m in catalog.milestones()
        ]
        return protocol.MilestonesReply(milestones=found, rows=rows, truncated=truncated)

    def _status(
        self, what: str, learner: str, milestone: str
    ) -> tuple[Any, MilestoneStatus]:
        """The learner's status on the milestone, or an audited refusal."""
        catalog = self._catalog()
        store = self.services.store
        shown = {"learner": sanitize(learner, 64), "milestone": sanitize(milestone, 64)}
        account = store.get_account(learner)
        if account is None or account.role != "learner":
            raise self._refuse(what, "not a learner",
                               f"There is no learner called {shown['learner']}.",
                               **shown)
        for status in for_learner(store, catalog, learner):
            if status.id == milestone:
                return account, status
        raise self._refuse(what, "unknown milestone", "There is no such milestone.", **shown)

    async def sign_off(self, request: protocol.MilestoneSignOff) -> protocol.MilestoneReply:
        what = "milestone_sign_off"
        self._staff_only(what, learner=sanitize(request.learner, 64))
        _account, status = self._status(what, request.learner, request.milestone)
        where = {"learner": request.learner, "milestone": status.id}
        if status.state == "signed":
            raise self._refuse(
                what, "already signed off",
                f"{request.learner} was signed off by {status.signed_by} on "
                f"{_day(status.signed_at)}.", **where)
        if status.state != "ready":
            raise self._refuse(
                what, "not ready",
                f"{request.learner} has done {status.done} of {status.total} exercises of "
                f"{status.title}; a sign-off needs all of them.", done=status.done,
                total=status.total, **where)
        note = sanitize(request.note, protocol.NOTE)
        try:
            signed = await asyncio.to_thread(
                self.services.store.sign_off_milestone, request.learner, status.id,
                self.link.user, note,
            )
        except MilestoneError as exc:
            raise self._refuse(what, sanitize(str(exc), 200), f"Not signed off: {exc}.",
                               **where) from None
        self.live.record("milestone_signed_off", self.link, title=status.title,
                         done=status.done, total=status.total, note=note, **where)
        self._tell(request.learner, status, "signed", signed["signed_at"])
        return protocol.MilestoneReply(
            learner=request.learner, milestone=status.id, state="signed",
            signed_by=signed["signed_by"], signed_at=signed["signed_at"],
        )

    async def undo(self, request: protocol.MilestoneUndo) -> protocol.MilestoneReply:
        what = "milestone_undo"
        self._staff_only(what, learner=sanitize(request.learner, 64))
        _account, status = self._status(what, request.learner, request.milestone)
        where = {"learner": request.learner, "milestone": status.id}
        reason = sanitize(request.reason, protocol.NOTE)
        if not reason.strip():
            raise self._refuse(what, "no reason", "Say why the sign-off is taken back.",
                               **where)
        if status.state != "signed":
            raise self._refuse(what, "not signed off",
                               f"{request.learner} is not signed off for {status.title}.",
                               **where)
        try:
            undone = await asyncio.to_thread(
                self.services.store.undo_milestone_sign_off, request.learner, status.id,
                self.link.user, reason,
            )
        except MilestoneError as exc:
            raise self._refuse(what, sanitize(str(exc), 200), f"Not undone: {exc}.",
                               **where) from None
        self.live.record("milestone_sign_off_undone", self.link, title=status.title,
                         signed_by=undone["signed_by"], signed_at=undone["signed_at"],
                         reason=reason, **where)
        state = "ready" if status.done == status.total and status.total else "not_reached"
        self._tell(request.learner, status, state, undone["undone_at"])
        return protocol.MilestoneReply(
            learner=request.learner, milestone=status.id, state=state,
        )

    def _tell(self, learner: str, status: MilestoneStatus, state: str, at: str) -> None:
        """Push the change to the learner (if online) and to every staff console."""
        update = protocol.MilestoneUpdate(
            learner=learner, milestone=status.id, title=status.title[:200], state=state,
            by=self.link.user, at=at,
        )
        targets = list(getattr(self.live, "staff", {}).values())
        state_of = getattr(self.live, "learners", {}).get(learner)
        if state_of is not None and state_of.session is not None:
            targets.append(state_of.session)
        for target in targets:
            try:
                target.push(update)
            except Exception:  # one closed channel must not stop the others hearing it
                log.exception("milestone push failed")


def _day(stamp: str | None) -> str:
    """The date part of a stored UTC time (``2026-11-30T19:40:00Z`` -> ``2026-11-30``)."""
    return (stamp or "")[:10] or "an unknown day"
