"""The instructor console's requests, and the learner's side of the class (hand, pairing).

Owns the control-channel handlers for the live class: :func:`classroom_handlers` gives an
instructor or admin session the console's requests (roster, watch, messages, help queue,
pairing, locks, learner detail, progress export) and a learner session its few class requests
(raise or lower a hand, answer or end a pairing). Auditors get none of them. Deny by default: a
request is served only if its handler is registered for the session's role, so a learner or an
auditor asking to watch is refused by the control channel and audited there.

Also owns the progress export (``slate progress export`` and the console's Export key): one CSV
row per learner and exercise they have touched, columns a programme office pastes into a
spreadsheet. Every text field is sanitised and spreadsheet formulas are defused.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import csv
import io
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from jail.history import History
from jail.workspace import WorkspaceError, check_name
from server import protocol
from server.audit import sanitize
from server.classroom import LiveClass, StuckRules
from server.control import RequestError
from server.interfaces import DeskServices
from server.milestones import MilestoneDesk, export_columns
from server.vocabulary import STAFF_ROLES

Handler = Callable[[Any], Awaitable[protocol.Reply]]
MAX_PAIR_KEYS = 4096
"""Bytes of keystrokes one pair_keys request may carry (a paste is split by the console)."""


class GatewayLink:
    """Adapts a gateway session to :class:`server.classroom.LiveSession`."""

    def __init__(self, session: Any, account: Any) -> None:
        self._session = session
        self.session_id: str = session.session_id
        self.user: str = account.name
        self.role: str = account.role

    @property
    def observers(self) -> set[Callable[[bytes], None]]:
        return self._session.observers

    @property
    def keys_locked(self) -> bool:
        return bool(self._session.keys_locked)

    @keys_locked.setter
    def keys_locked(self, value: bool) -> None:
        self._session.keys_locked = value

    @property
    def size(self) -> tuple[int, int]:
        return int(self._session.cols), int(self._session.rows)

    def push(self, message: protocol.Push) -> None:
        control = self._session.control
        if control is not None:
            control.push(message)
        elif not self._session_over():
            # The handlers are made just before the session's control channel exists: send it
            # on the next loop turn (the gateway sets the channel in the same step).
            asyncio.get_running_loop().call_soon(self._push_soon, message)

    def _push_soon(self, message: protocol.Push) -> None:
        control = self._session.control
        if control is not None:
            control.push(message)

    def _session_over(self) -> bool:
        return bool(getattr(self._session, "_ended", False))

    def pending_bytes(self) -> int:
        control = self._session.control
        return int(control.backlog()) if control is not None else 0

    def request_repaint(self) -> None:
        self._session.request_repaint()

    def inject_input(self, data: bytes, by: str) -> None:
        self._session.inject_input(data, by)

    def idle_seconds(self) -> float:
        return float(self._session.idle_seconds())


def _learner_name(value: str | None) -> str:
    if not value:
        raise RequestError("Choose a learner first.")
    return value


def classroom_handlers(
    services: DeskServices, session: Any, account: Any
) -> dict[type[protocol.Request], Handler]:
    """The live-class requests this session's role may use (none for auditors).

    Registers the session with the live class as a side effect (a learner appears in the
    roster; a staff console subscribes when it asks for the roster).
    """
    live: LiveClass = services.live_class
    link = GatewayLink(session, account)
    session.live_link = link
    if account.role == "learner":
        live.learner_joined(link)
        return LearnerClassDesk(live, link).handlers()
    if account.role in STAFF_ROLES:
        # Subscribed from the start, so whatever this console does (watch, pair, demo) is
        # cleaned up when the session ends, even if it never asked for the roster.
        live.staff_joined(link)
        return StaffDesk(services, live, link).handlers()
    return {}


def live_class_for(store: Any, audit: Any, section: Any = None) -> LiveClass:
    """The server's live class (one per server), reading cohorts from the store.

    Args:
        store: the store (cohorts).
        audit: the audit log.
        section: the ``[classroom]`` configuration (stuck and idle thresholds); None: defaults.
    """

    def cohort_of(name: str) -> str | None:
        try:
            account = store.get_account(name)
        except Exception:
            return None
        return account.cohort if account is not None else None

    rules = StuckRules()
    if section is not None:
        rules = StuckRules(
            failed_checks=section.stuck_failed_checks,
            minutes_on_exercise=float(section.stuck_minutes),
            idle_minutes=float(section.idle_minutes),
        )
    return LiveClass(audit, rules, cohort_of=cohort_of)


def classroom_session_ended(services: DeskServices, session: Any) -> None:
    """Tell the live class a session ended (watchers, pairings, queue places are dropped)."""
    link = getattr(session, "live_link", None)
    if link is not None:
        services.live_class.session_ended(link)


class LearnerClassDesk:
    """A learner's requests about the class: the raised hand and pairing consent."""

    def __init__(self, live: LiveClass, link: GatewayLink) -> None:
        self.live = live
        self.link = link

    def handlers(self) -> dict[type[protocol.Request], Handler]:
        return {
            protocol.RaiseHand: self.raise_hand,
            protocol.LowerHand: self.lower_hand,
            protocol.PairAnswer: self.pair_answer,
            protocol.PairEnd: self.pair_end,
        }

    async def raise_hand(self, request: protocol.RaiseHand) -> protocol.HandReply:
        return protocol.HandReply(position=self.live.raise_hand(self.link, request.text))

    async def lower_hand(self, _request: protocol.LowerHand) -> protocol.Reply:
        self.live.lower_hand(self.link)
        return protocol.Reply()

    async def pair_answer(self, request: protocol.PairAnswer) -> protocol.Reply:
        if self.live.pair_answer(self.link, request.accept) is None:
            raise RequestError("Nobody is asking to pair with you now.")
        return protocol.Reply()

    async def pair_end(self, _request: protocol.PairEnd) -> protocol.Reply:
        self.live.pair_end_by_learner(self.link)
        return protocol.Reply()


class StaffDesk:
    """An instructor's or admin's console requests."""

    def __init__(self, services: DeskServices, live: LiveClass, link: GatewayLink) -> None:
        self.services = services
        self.live = live
        self.link = link

    def handlers(self) -> dict[type[protocol.Request], Handler]:
        return {
            protocol.Roster: self.roster,
            protocol.Watch: self.watch,
            protocol.Unwatch: self.unwatch,
            protocol.SendMessage: self.message,
            protocol.HelpDone: self.help_done,
            protocol.PairAsk: self.pair_ask,
            protocol.PairKeys: self.pair_keys,
            protocol.PairEnd: self.pair_end,
            protocol.Lock: self.lock,
            protocol.Unlock: self.unlock,
            protocol.LoginUnlock: self.login_unlock,
            protocol.LearnerDetail: self.learner_detail,
            protocol.ExportProgress: self.export_progress,
            protocol.ReleaseHint: self.release_hint,
            protocol.LearnerHistory: self.learner_history,
            protocol.LearnerDiff: self.learner_diff,
            protocol.DemoStart: self.demo_start,
            protocol.DemoStop: self.demo_stop,
            **MilestoneDesk(self.services, self.live, self.link).handlers(),
        }

    async def roster(self, _request: protocol.Roster) -> protocol.RosterReply:
        self.live.staff_joined(self.link)
        self._add_offline_learners()
        rules = self.live.rules
        return protocol.RosterReply(
            learners=self.live.roster(),
            queue=self.live.queue_rows(),
            now=self.live.clock(),  # the clock the rows' timestamps come from
            rules={
                "failed_checks": rules.failed_checks,
                "minutes_on_exercise": rules.minutes_on_exercise,
                "idle_minutes": rules.idle_minutes,
            },
        )

    def _add_offline_learners(self) -> None:
        """Every learner account appears in the roster (offline ones after the online)."""
        try:
            accounts = self.services.store.list_accounts("learner")
        except Exception:
            return
        for account in accounts[:2000]:
            if not account.disabled:
                self.live.state_of(account.name)

    async def watch(self, request: protocol.Watch) -> protocol.WatchReply:
        learner = _learner_name(request.learner)
        try:
            cols, rows = self.live.watch(self.link, learner)
        except LookupError:
            raise RequestError(f"{learner} is not online.") from None
        return protocol.WatchReply(cols=cols, rows=rows)

    async def unwatch(self, request: protocol.Unwatch) -> protocol.Reply:
        self.live.unwatch(self.link, _learner_name(request.learner))
        return protocol.Reply()

    async def message(self, request: protocol.SendMessage) -> protocol.CountReply:
        if not request.text.strip():
            raise RequestError("The message is empty.")
        count = self.live.message(self.link, request.learner, request.text)
        if request.learner is not None and count == 0:
            raise RequestError(f"{request.learner} is not online; the message was not sent.")
        return protocol.CountReply(count=count)

    async def help_done(self, request: protocol.HelpDone) -> protocol.Reply:
        learner = _learner_name(request.learner)
        if not self.live.help_done(self.link, learner):
            raise RequestError(f"{learner} is not in the help queue.")
        return protocol.Reply()

    async def pair_ask(self, request: protocol.PairAsk) -> protocol.Reply:
        learner = _learner_name(request.learner)
        try:
            self.live.pair_ask(self.link, learner)
        except LookupError:
            raise RequestError(f"{learner} is not online.") from None
        except PermissionError:
            raise RequestError(f"Someone else is pairing with {learner}.") from None
        return protocol.Reply()

    async def pair_keys(self, request: protocol.PairKeys) -> protocol.Reply:
        learner = _learner_name(request.learner)
        try:
            data = base64.b64decode(request.data, validate=True)
        except (binascii.Error, ValueError):
            raise RequestError("Those keys were not understood.") from None
        if len(data) > MAX_PAIR_KEYS:
            raise RequestError("Too many keys at once.")
        if not self.live.pair_keys(self.link, learner, data):
            raise RequestError(f"You are not pairing with {learner}.")
        return protocol.Reply()

    async def pair_end(self, request: protocol.PairEnd) -> protocol.Reply:
        self.live.pair_end_by_staff(self.link, _learner_name(request.learner))
        return protocol.Reply()

    async def lock(self, request: protocol.Lock) -> protocol.CountReply:
        try:
            count = self.live.lock(self.link, request.learner, request.message)
        except LookupError:
            raise RequestError(f"{request.learner} is not online.") from None
        return protocol.CountReply(count=count)

    async def unlock(self, request: protocol.Unlock) -> protocol.CountReply:
        try:
            count = self.live.unlock(self.link, request.learner)
        except LookupError:
            raise RequestError(f"{request.learner} is not online.") from None
        return protocol.CountReply(count=count)

    async def login_unlock(self, request: protocol.LoginUnlock) -> protocol.LoginUnlockReply:
        """Lift a learner's login locks from the console, as ``slate user unlock`` does: checked
        against the staff account as it is now; an instructor only for a learner's account."""
        name = sanitize(_learner_name(request.learner), 64)  # shown and audited as neutral text
        store = self.services.store

        def refuse(reason: str, says: str) -> RequestError:
            self.live.record("login_unlock_refused", self.link, name=name, reason=reason)
            return RequestError(says)

        try:
            staff = store.get_account(self.link.user)
            target = store.get_account(request.learner)
        except Exception:
            raise refuse("account lookup failed", "The accounts could not be read.") from None
        if staff is None or staff.role not in STAFF_ROLES or staff.disabled:
            raise refuse("account no longer staff", "Your account may no longer do this.")
        if target is None:
            raise refuse("no such account", f"There is no account called {name}.")
        if target.role != "learner" and staff.role != "admin":
            raise refuse("not a learner",
                         f"{name} is not a learner; an admin can let them in.")
        removed = store.unlock_logins(target.name)
        now = time.time()
        locked = [address for address, _, until in removed if until > now]
        failures = sum(f for _, f, _ in removed)
        self.live.record("user_unlock", self.link, name=name, locked_addresses=locked,
                         failures=failures, via="console")
        return protocol.LoginUnlockReply(locked_from=locked, failures=failures)

    async def release_hint(self, request: protocol.ReleaseHint) -> protocol.CountReply:
        """The next hint of each target's open exercise, revealed by the server (the learner's
        own hint ladder: progress counts it) and sent to them as a notification."""
        if request.learner is not None:
            state = self.live.learners.get(request.learner)
            if state is None or not state.online:
                raise RequestError(f"{request.learner} is not online.")
            targets = [state]
        else:
            targets = [s for s in self.live.learners.values() if s.online]
        count = 0
        for state in targets:
            if not state.course or not state.exercise:
                continue
            try:
                exercise = self.services.catalog().exercise(state.course, state.exercise)
            except Exception:
                continue
            hints = list(exercise.hints)
            if not hints:
                continue
            index = self.services.store.reveal_hint(
                state.name, state.course, state.exercise, len(hints)
            )
            self.live.hint_used(state.name, state.course, state.exercise, index)
            if state.session is not None:
                state.session.push(protocol.Notify(
                    title=f"Hint from {self.link.user}",
                    text=f"Hint {index} of {len(hints)}: {hints[index - 1]}",
                    severity="information",
                ))
            self.live.record("hint_released", self.link, learner=state.name,
                             course=state.course, exercise=state.exercise, index=index)
            count += 1
        if request.learner is not None and count == 0:
            raise RequestError(f"{request.learner} has no exercise with hints open.")
        return protocol.CountReply(count=count)

    def _history(self, request: Any) -> tuple[Any, str]:
        """The learner's history repository and the exercise prefix, or a refusal (audited)."""

        account = self.services.store.get_account(request.learner)
        prefix = f"{request.course}/{request.exercise}"
        reason = ""
        if account is None or account.role != "learner":
            reason = "not a learner"
        else:
            try:
                check_name(prefix)  # the workspace's own name rule: no "..", no absolute path
            except WorkspaceError:
                reason = "bad exercise path"
        if reason:
            self.live.record("learner_history_refused", self.link, learner=request.learner,
                             path=sanitize(prefix, 200), reason=reason)
            raise RequestError("That history could not be read.")
        root = Path(self.services.config.server.data_dir) / "history" / f"{request.learner}.git"
        return History(root), prefix

    async def learner_history(self, request: protocol.LearnerHistory) -> protocol.HistoryReply:
        """A learner's saved versions of one exercise (the server's own history repository)."""
        history, prefix = self._history(request)
        try:
            versions = await asyncio.to_thread(history.versions, prefix)
        except Exception as exc:
            raise RequestError("That history could not be read.") from exc
        self.live.record("learner_history_viewed", self.link, learner=request.learner,
                         course=request.course, exercise=request.exercise)
        return protocol.HistoryReply(versions=[
            {"id": v.id, "time": v.time, "message": sanitize(v.message, 200),
             "files": [sanitize(f, 255) for f in v.files][:50]}
            for v in versions[:200]
        ])

    async def learner_diff(self, request: protocol.LearnerDiff) -> protocol.DiffReply:
        """The diff between two of a learner's versions (text shown escaped by the console)."""
        history, prefix = self._history(request)
        try:
            diff = await asyncio.to_thread(history.diff, request.version, request.against, prefix)
        except Exception as exc:
            raise RequestError("Those versions could not be compared.") from exc
        return protocol.DiffReply(diff=diff[:200_000])

    async def demo_start(self, _request: protocol.DemoStart) -> protocol.CountReply:
        try:
            return protocol.CountReply(count=self.live.demo_start(self.link))
        except PermissionError as exc:
            raise RequestError(f"{exc} is showing a demo now.") from None

    async def demo_stop(self, _request: protocol.DemoStop) -> protocol.Reply:
        self.live.demo_stop(self.link)
        return protocol.Reply()

    async def learner_detail(self, request: protocol.LearnerDetail) -> protocol.DetailReply:
        learner = _learner_name(request.learner)
        store = self.services.store
        account = store.get_account(learner)
        if account is None or account.role != "learner":
            raise RequestError(f"There is no learner called {learner}.")
        progress = await asyncio.to_thread(store.progress, learner)
        checks = await asyncio.to_thread(store.check_runs, learner, None, None, 50)
        titles = _titles(self.services)
        rows = []
        for course, exercises in progress.items():
            for exercise, entry in exercises.items():
                rows.append(
                    {
                        "course": course,
                        "exercise": exercise,
                        "title": titles.get((course, exercise), exercise),
                        "state": entry["state"],
                        "attempts": entry["attempts"],
                        "hints": entry["hints_revealed"],
                        "updated": entry["updated"],
                    }
                )
        history = [
            {
                "course": c["course"],
                "exercise": c["exercise"],
                "passed": c["passed"],
                "ts": c["ts"],
                "summary": sanitize((c["result"] or {}).get("summary", ""), 200)
                if isinstance(c["result"], dict)
                else "",
            }
            for c in checks
        ]
        self.live.record("learner_viewed", self.link, learner=learner)
        return protocol.DetailReply(
            learner=learner, cohort=account.cohort, progress=rows, checks=history
        )

    async def export_progress(self, request: protocol.ExportProgress) -> protocol.ExportReply:
        text, count = await asyncio.to_thread(
            progress_csv, self.services.store, _titles(self.services), request.cohort,
            _milestone_cells(self.services),
        )
        folder = Path(self.services.config.server.data_dir) / "exports"
        folder.mkdir(mode=0o700, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        label = f"-{request.cohort}" if request.cohort else ""
        path = folder / f"progress{label}-{stamp}.csv"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        self.live.record(
            "progress_export", self.link, cohort=request.cohort, rows=count, path=str(path)
        )
        return protocol.ExportReply(path=str(path), rows=count)


def _titles(services: DeskServices) -> dict[tuple[str, str], str]:
    try:
        catalog = services.catalog()
        return {(ex.course_id, ex.id): ex.title for ex in catalog.exercises()}
    except Exception:
        return {}


def _milestone_cells(services: DeskServices) -> dict[tuple[str, str], list[str]]:
    try:
        return export_columns(services.store, services.catalog())
    except Exception:
        return {}


# -- progress export ----------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "learner",
    "cohort",
    "course",
    "exercise",
    "exercise_title",
    "state",
    "passed",
    "checks_tried",
    "checks_passed",
    "hints_used",
    "last_activity_utc",
    "milestone",
    "milestone_state",
    "milestone_signed_by",
    "milestone_signed_utc",
]


def _cell(value: object) -> str:
    """A CSV cell safe to open in a spreadsheet: sanitised, formulas defused."""
    text = sanitize("" if value is None else value, 300)
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return text


def progress_csv(
    store: Any,
    titles: dict[tuple[str, str], str],
    cohort: str | None = None,
    milestones: dict[tuple[str, str], list[str]] | None = None,
) -> tuple[str, int]:
    """Every learner's progress as CSV text; returns (text, data rows).

    Args:
        store: the :class:`server.store.Store`.
        titles: exercise titles by (course, exercise), from the catalog.
        cohort: only learners of this cohort (None: everyone).
        milestones: per (learner, course) the milestone columns
            (:func:`server.milestones.export_columns`); None: left empty.
    """
    milestones = milestones or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for account in store.list_accounts("learner"):
        if cohort is not None and account.cohort != cohort:
            continue
        progress = store.progress(account.name)
        if not progress:
            writer.writerow([_cell(account.name), _cell(account.cohort)] + [""] * 4
                            + ["no", "0", "0", "0", ""] + [""] * 4)
            count += 1
            continue
        for course in sorted(progress):
            for exercise in sorted(progress[course]):
                entry = progress[course][exercise]
                writer.writerow(
                    [
                        _cell(account.name),
                        _cell(account.cohort),
                        _cell(course),
                        _cell(exercise),
                        _cell(titles.get((course, exercise), "")),
                        _cell(entry["state"]),
                        "yes" if entry["state"] == "passed" else "no",
                        str(entry["attempts"]),
                        str(entry["passes"]),
                        str(entry["hints_revealed"]),
                        _cell(entry["updated"]),
                        *[_cell(v) for v in milestones.get((account.name, course), [""] * 4)],
                    ]
                )
                count += 1
    return out.getvalue(), count
