"""What a session's TUI may ask the server for: the control-channel request handlers per role.

Keeps invariants 2, 3 and 4: learner code runs only in fresh sandboxes started here (never in the
TUI, never on the host); progress is written only from results the server computed itself
(server-run checks, hints it revealed); every save the TUI reports is snapshotted into the learner's
history repository outside the workspace, and restore/reset snapshot first so nothing is lost.
Deny by default: a role gets only the handlers listed for it in
:meth:`SessionServices.handlers_for`;
every field a request carries is validated before use.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from courses import gitops
from courses.catalog import exercise_view, load_catalog
from courses.checks import run_checks
from courses.gitops import OP_ARGS, SANDBOX_FILES
from courses.model import CheckResult, TestOutcome
from jail.history import History, HistoryError
from jail.profiles import SLATE_ROOT, tool_module
from jail.run import Limits, run_async, run_in_workspace
from jail.workspace import Workspace, WorkspaceError
from server import protocol as P
from server.audit import AuditLog, sanitize
from server.audit_desk import AuditDesk
from server.config import Config
from server.control import Handlers, RequestError
from server.interfaces import LiveSession, Room
from server.milestones import add_to_stages
from server.milestones import statuses as milestone_statuses
from server.staff_desk import classroom_handlers, classroom_session_ended, live_class_for
from server.store import Store
from server.tasks import SessionTasks
from server.teaching_console import ConsoleContext, Refused, run_line

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

log = logging.getLogger("slate.services")

SANDBOX_WORKSPACE = "/workspace"
# How long a request waits for the learner's previous one (a Run, a Check, a reset...) before
# it is refused; below the TUI's 20 s request timeout, so the learner gets words, not a timeout.
SERIAL_WAIT = 15.0


class SessionServices:
    """Shared by every session: builds each session's handler table and owns workspace access."""

    def __init__(self, config: Config, store: Store, audit: AuditLog) -> None:
        self.config = config
        self.store = store
        self.audit = audit
        self.room: Room | None = None
        self._desks: dict[str, LearnerDesk] = {}  # session id -> the learner desk serving it
        self._catalog: Any = None
        self._history_locks: dict[str, asyncio.Lock] = {}
        self._learner_locks: dict[str, asyncio.Lock] = {}
        self._learner_doing: dict[str, str] = {}
        self._refused_seen: dict[str, tuple[str, ...]] = {}
        # The live class: roster, watching, help queue, pairing, locks (server.classroom).
        self.live_class = live_class_for(store, audit, config.classroom)

    @property
    def data_dir(self) -> Path:
        return Path(self.config.server.data_dir)

    # -- workspaces and history ---------------------------------------------------------------

    def workspace(self, account: Any, host_uid: int | None) -> Any:
        """The learner's :class:`jail.workspace.Workspace` (provisioned on first use)."""

        cfg = self.config.workspace
        ws = Workspace(
            self.data_dir / "workspaces" / account.name,
            host_uid=host_uid,
            quota_bytes=cfg.quota_mb << 20,
            quota_files=cfg.quota_files,
        )
        ws.provision()
        return ws

    def workspace_dir(self, account: Any, host_uid: int | None) -> Path:
        """Provision the learner's workspace and return its directory (bound at /workspace)."""
        return Path(self.workspace(account, host_uid).root)

    def history(self, account: Any) -> Any:
        """The learner's history repository: ``history/<learner>.git``, server-owned."""

        return History(self.data_dir / "history" / f"{account.name}.git")

    def history_lock(self, name: str) -> asyncio.Lock:
        """The learner's history-repository lock (held only while one snapshot is written)."""
        return self._history_locks.setdefault(name, asyncio.Lock())

    async def acquire(self, name: str, doing: str, wait: float | None = None) -> None:
        """Take the learner's own lock: their Run, Check, reset, restore, exercise opening, Git
        operation and history request happen one at a time (invariant 8), across all their
        sessions, so no program of theirs runs while the server works on their files.

        Args:
            name: the learner.
            doing: what takes the lock, in words for the learner ("your program").
            wait: seconds to wait for the previous request (default ``SERIAL_WAIT``).

        Raises:
            RequestError: the previous request is still going after ``wait`` (plain words).
        """
        lock = self._learner_locks.setdefault(name, asyncio.Lock())
        try:
            await asyncio.wait_for(lock.acquire(), SERIAL_WAIT if wait is None else wait)
        except TimeoutError:
            busy = self._learner_doing.get(name, "something else")
            raise RequestError(
                f"Please wait: {busy} is still going. Press Stop (F9), or try again in a "
                "moment."
            ) from None
        self._learner_doing[name] = doing

    def release(self, name: str) -> None:
        """Give back the lock :meth:`acquire` took."""
        self._learner_doing.pop(name, None)
        self._learner_locks[name].release()

    @contextlib.asynccontextmanager
    async def serial(
        self, name: str, doing: str, wait: float | None = None
    ) -> AsyncIterator[None]:
        """:meth:`acquire` … :meth:`release` around a block."""
        await self.acquire(name, doing, wait)
        try:
            yield
        finally:
            self.release(name)

    async def snapshot(
        self, account: Any, ws: Any, paths: list[str] | None, message: str
    ) -> str | None:
        """Commit the named workspace files (all when None) to the learner's history.

        Files the snapshot would not read (a planted link, FIFO, device or hardlink) keep their
        last saved content; they are audited when they change, not on every save.
        """
        async with self.history_lock(account.name):
            history = self.history(account)
            version = await asyncio.to_thread(history.snapshot, ws, paths, message)
            if history.pruned:  # the store reached its bound: the oldest snapshots went
                self.audit.append("history_trimmed", actor=account.name, dropped=history.pruned)
            if history.trim_error:
                log.warning("history of %s: %s", account.name, history.trim_error)
            refused = tuple(sorted({sanitize(r, 200) for r in history.refused}))[:20]
            if refused and refused != self._refused_seen.get(account.name):
                self.audit.append(
                    "path_refused", actor=account.name, op="snapshot", reasons=list(refused)
                )
            self._refused_seen[account.name] = refused
            return version

    def catalog(self) -> Any:
        """The course catalog, loaded once (lazily: CLI paths that don't need it never load it)."""
        if self._catalog is None:

            catalog = load_catalog(strict=False)
            if catalog.problems:
                # Learners still get every sound exercise; staff get the list to fix.
                log.error("catalog problems (left out): %s", "; ".join(catalog.problems[:20]))
                self.audit.append(
                    "catalog_problems",
                    count=len(catalog.problems),
                    first=[sanitize(p, 300) for p in catalog.problems[:10]],
                )
            self._catalog = catalog
        return self._catalog

    def exercise_for(self, message: P.ExerciseRequest) -> Any:
        course_id, exercise_id = message.course, message.exercise
        try:
            exercise = self.catalog().exercise(course_id, exercise_id)
        except (KeyError, LookupError):
            exercise = None
        if exercise is None:
            raise RequestError("That exercise does not exist.")
        return exercise

    # -- per-session handlers -----------------------------------------------------------------

    def handlers_for(self, session: LiveSession, account: Any) -> Handlers:
        """The request handlers this session's role may use (everything else is refused)."""

        async def hello(_message: P.Hello) -> P.HelloReply:
            return P.HelloReply(
                user=account.name,
                role=account.role,
                session=session.session_id,
                uid_mode="per-learner" if os.geteuid() == 0 else "shared",
            )

        handlers: Handlers = {P.Hello: hello}
        if account.role == "learner":
            desk = self._desks[session.session_id] = LearnerDesk(self, session, account)
            handlers.update(desk.handlers())
        if account.role in ("auditor", "admin"):  # read-only audit desk (H8); deny by default

            handlers.update(AuditDesk(self, session, account).handlers())
        # The live class: the console for instructor/admin, hand and pairing for learners.
        handlers.update(classroom_handlers(self, session, account))
        return handlers

    def session_ended(self, session: LiveSession) -> None:
        """Session end: stop its runs and snapshot the workspace one last time."""
        classroom_session_ended(self, session)
        desk = self._desks.pop(session.session_id, None)
        if desk is not None:
            desk.close()


def _check_words(result: Any) -> str:
    """A check result in a few words for the history list ("passed", "2 of 5 tests pass")."""
    if result.status == "passed":
        return "passed"
    tests = list(result.tests or [])
    if result.status == "error" or not tests:
        return "could not run"
    passing = sum(1 for t in tests if t.status == "passed")
    return f"{passing} of {len(tests)} tests pass"


class LearnerDesk:
    """One learner session's requests: exercises, saves, runs, checks, hints, history, git."""

    def __init__(self, services: SessionServices, session: LiveSession, account: Any) -> None:
        self.services = services
        self.session = session
        self.account = account
        self.room = services.room
        self.host_uid = self.room.host_uid(account) if self.room is not None else None
        self._ws: Any = None
        self.runs: dict[str, asyncio.Event] = {}
        self.busy = False
        self.tasks = SessionTasks(f"desk of session {session.session_id}")

    def handlers(self) -> Handlers:
        return {
            P.CourseMap: self.course_map,
            P.OpenExercise: self.exercise,
            P.Saved: self.saved,
            P.Run: self.run,
            P.Check: self.check,
            P.Stop: self.stop,
            P.Hint: self.hint,
            P.History: self.history,
            P.HistoryDiff: self.history_diff,
            P.Restore: self.restore,
            P.Reset: self.reset,
            P.Git: self.git,
            P.ConsoleCommand: self.console,
            P.RenderPage: self.render_page,
        }

    @property
    def ws(self) -> Any:
        """The learner's workspace, provisioned once per session (not on every request)."""
        if self._ws is None:
            self._ws = self.services.workspace(self.account, self.host_uid)
        return self._ws

    def audit(self, kind: str, **detail: Any) -> None:
        self.services.audit.append(
            kind,
            actor=self.account.name,
            address=self.session.server.address,
            session=self.session.session_id,
            **detail,
        )

    def push(self, message: P.Push) -> None:
        if self.session.control is not None:
            self.session.control.push(message)

    def close(self) -> None:
        """Session end: stop its Run or Check, take the last snapshot, then close the group
        (a task still running after the grace period is cancelled)."""
        for stop in self.runs.values():
            stop.set()
        self.tasks.spawn(self._final_snapshot(), name="final snapshot")
        self.tasks.close(grace=30.0)

    async def _final_snapshot(self) -> None:
        try:
            await self.services.snapshot(self.account, self.ws, None, "session end")
        except Exception:
            log.exception("final snapshot failed for %s", self.account.name)

    # -- catalog and exercises ----------------------------------------------------------------

    async def course_map(self, _message: P.CourseMap) -> P.CourseMapReply:
        """The programme by stage, each exercise with this learner's progress (tui/course_view)."""
        try:
            catalog = self.services.catalog()
        except Exception as exc:
            log.exception("catalog failed to load")
            raise RequestError("The courses could not be loaded. Please tell staff.") from exc
        progress = self.services.store.progress(self.account.name)
        stages: dict[int, dict[str, Any]] = {}
        last: tuple[str, str, str] | None = None
        for course in catalog.course_map():
            stage = stages.setdefault(
                course["stage"],
                {
                    "stage": course["stage"],
                    "title": STAGE_TITLES.get(course["stage"], f"Stage {course['stage']}"),
                    "courses": [],
                },
            )
            exercises = []
            for ex in course["exercises"]:
                mine = progress.get(course["id"], {}).get(ex["id"])
                view = _progress_view(mine)
                exercises.append(
                    {
                        "id": ex["id"],
                        "title": ex["title"],
                        "state": view["state"],
                        "attempts": view["attempts"],
                        "hints_used": view["hints_used"],
                    }
                )
                if mine and (last is None or mine["updated"] > last[0]):
                    last = (mine["updated"], course["id"], ex["id"])
            stage["courses"].append(
                {
                    "id": course["id"],
                    "title": course["title"],
                    "summary": course["summary"],
                    "exercises": exercises,
                }
            )
        stage_list = [stages[k] for k in sorted(stages)]
        sign_offs = self.services.store.milestone_sign_offs(self.account.name)
        add_to_stages(stage_list, milestone_statuses(catalog, progress, sign_offs))
        return P.CourseMapReply(
            stages=stage_list,
            last={"course": last[1], "exercise": last[2]} if last else None,
        )

    async def exercise(self, message: P.OpenExercise) -> P.ExerciseReply:
        """Open an exercise: provision its starter files, return the lesson and progress."""

        ex = self._exercise(message)
        rel = self._exercise_dir(ex)
        async with self.services.serial(self.account.name, "opening an exercise"):
            ws = self.ws
            created = await self._provision_or_refuse(ws, ex, rel, "provision")
            if created:
                await self.services.snapshot(self.account, ws, None, f"start {rel}")
        self.services.store.touch_exercise(self.account.name, ex.course_id, ex.id)
        view = exercise_view(ex)
        progress = _progress_view(
            self.services.store.progress(self.account.name).get(ex.course_id, {}).get(ex.id)
        )
        self.services.live_class.exercise_opened(
            self.account.name, ex.course_id, ex.id, view["title"], progress
        )
        revealed = min(progress["hints_used"], len(ex.hints))
        return P.ExerciseReply(
            exercise={
                "course": ex.course_id,
                "id": ex.id,
                "title": view["title"],
                "learn": view["learn"],
                "lesson": view["lesson"],
                "files": view["files"],
                "readonly": view["readonly"],
                "run": view["run"] or False,
                "hints_total": len(ex.hints),
                "next": self._next(ex),
            },
            progress={**progress, "hints": list(ex.hints[:revealed])},
        )

    def _next(self, ex: Any) -> dict[str, str] | None:
        """The exercise after ``ex`` in programme order, or None after the last one."""
        found = False
        for other in self.services.catalog().exercises():
            if found:
                return {"course": other.course_id, "exercise": other.id}
            found = other.course_id == ex.course_id and other.id == ex.id
        return None

    def _exercise_dir(self, ex: Any) -> str:
        return f"{ex.course_id}/{ex.id}"

    def _exercise(self, message: P.ExerciseRequest) -> Any:
        return self.services.exercise_for(message)

    async def _provision_or_refuse(self, ws: Any, ex: Any, rel: str, op: str) -> bool:
        """Provision (op "provision") or reset (op "reset") the exercise folder.

        A link or special file standing exactly where the exercise's folders or starter files
        go holds no work: it is unlinked (never followed; a folder is never removed this way),
        audited as ``path_cleared`` and the learner told, so no one is locked out of an exercise
        by a link they cannot delete. Anything else in the way is refused, audited as
        ``path_refused``, and explained.
        """

        cleared: list[str] = []
        try:
            return await asyncio.to_thread(
                self._provision_exercise, ws, ex, rel, op == "reset", cleared
            )
        except WorkspaceError as exc:
            self.refused(op, ex, str(exc))
            doing = "reset" if op == "reset" else "set up"
            raise RequestError(f"Slate could not {doing} this exercise: {exc}") from exc
        finally:
            if cleared:
                shown = [sanitize(path, 200) for path in cleared[:10]]
                self.audit(
                    "path_cleared", op=op, course=ex.course_id, exercise=ex.id, paths=shown
                )
                self.push(
                    P.Notify(
                        title="Something was in the way",
                        text=f"{', '.join(shown[:3])} was a link or a special file, not your "
                        "work. Slate removed it (without following it) and put the exercise's "
                        "files back.",
                        severity="warning",
                    )
                )

    def refused(self, op: str, ex: Any, reason: str) -> None:
        """Audit a refusal to touch something planted in the workspace (a link, a FIFO...)."""
        self.audit(
            "path_refused",
            op=op,
            course=ex.course_id,
            exercise=ex.id,
            reason=sanitize(reason, 300),
        )

    @staticmethod
    def _provision_exercise(
        ws: Any, ex: Any, rel: str, force: bool = False, cleared: list[str] | None = None
    ) -> bool:
        """Copy starter files the learner does not have yet (all of them when ``force``).

        Everything goes through the workspace's descriptor-based API, never a host path as
        root (invariant 8): a folder on the way that is a link, or a link where a file goes,
        raises :class:`jail.workspace.WorkspaceError` and nothing is written through it. When
        ``cleared`` is a list, links and special files standing where the starter goes are
        unlinked first (see :func:`_clear_planted`) and named in it.
        """

        if cleared is not None:
            cleared += _clear_planted(ws, [f"{rel}/{name}" for name in [*ex.files, *ex.readonly]])
        created = False
        try:
            existing = set(ws.list_files(rel))
        except WorkspaceError:
            if ws.entry_type(rel) is not None:
                raise  # there, but not a plain folder (a link): refuse, never follow
            existing = set()  # not opened before
        for name in [*ex.files, *ex.readonly]:
            if name in existing and not force and name not in ex.readonly:
                continue
            data = (ex.starter_dir / name).read_bytes()  # the course's own (trusted) tree
            ws.write_atomic(f"{rel}/{name}", data)
            created = True
        if ex.is_git and (created or force):

            # Git exercises start from a scripted repository (or none: the learner inits one),
            # built in a private folder and installed through descriptors.
            gitops.provision(ex, ws, rel, reset=force)
        return created

    # -- saves and history --------------------------------------------------------------------

    async def saved(self, message: P.Saved) -> P.SavedReply:
        paths = message.paths
        if not paths or len(paths) > P.Saved.MAX_PATHS:
            raise RequestError("The save report named no files.")
        rel = [p.removeprefix(SANDBOX_WORKSPACE + "/") for p in paths if p]
        try:
            version = await self.services.snapshot(self.account, self.ws, rel, "save")
        except Exception as exc:
            log.warning("snapshot failed: %s", exc)
            raise RequestError(
                f"Your file is saved, but history could not record it: {exc}"
            ) from exc
        return P.SavedReply(version=version)

    async def history(self, message: P.History) -> P.HistoryReply:
        ex = self._exercise(message)
        async with self.services.serial(self.account.name, "a history request"):
            versions = await asyncio.to_thread(
                self.services.history(self.account).versions, self._exercise_dir(ex)
            )
        return P.HistoryReply(
            versions=[
                {"id": v.id, "time": v.time, "message": sanitize(v.message), "files": v.files,
                 "added": v.added, "removed": v.removed, "check": sanitize(v.check, 60)}
                for v in versions[:200]
            ]
        )

    async def history_diff(self, message: P.HistoryDiff) -> P.DiffReply:
        ex = self._exercise(message)
        version, other = message.version, message.against
        try:
            async with self.services.serial(self.account.name, "a history request"):
                diff = await asyncio.to_thread(
                    self.services.history(self.account).diff,
                    version,
                    other,
                    self._exercise_dir(ex),
                )
        except (KeyError, ValueError) as exc:
            raise RequestError("That version could not be found.") from exc
        return P.DiffReply(diff=diff[:200_000])

    async def restore(self, message: P.Restore) -> P.RestoredReply:
        ex = self._exercise(message)
        version, path = message.version, message.path or None

        ws = self.ws
        rel = self._exercise_dir(ex)
        async with self.services.serial(self.account.name, "restoring a version"):
            await self.services.snapshot(self.account, ws, None, f"before restore of {rel}")
            async with self.services.history_lock(self.account.name):
                try:
                    restored = await asyncio.to_thread(
                        self.services.history(self.account).restore, ws, version, rel, path
                    )
                except (KeyError, ValueError) as exc:
                    raise RequestError("That version could not be restored.") from exc
                except HistoryError as exc:
                    if "Could not restore" in str(exc):  # a link or special file in the way
                        self.refused("restore", ex, str(exc))
                    raise RequestError(str(exc)) from exc
            await self.services.snapshot(
                self.account, ws, None, f"restored {rel} to {version[:8]}"
            )
        self.audit("restore", course=ex.course_id, exercise=ex.id, version=version, path=path)
        return P.RestoredReply(restored=restored)

    async def reset(self, message: P.Reset) -> P.RestoredReply:
        ex = self._exercise(message)
        rel = self._exercise_dir(ex)
        async with self.services.serial(self.account.name, "a reset"):
            ws = self.ws
            await self.services.snapshot(self.account, ws, None, f"before reset of {rel}")
            await self._provision_or_refuse(ws, ex, rel, "reset")
            await self.services.snapshot(self.account, ws, None, f"reset {rel} to the starter")
        self.audit("reset", course=ex.course_id, exercise=ex.id)
        return P.RestoredReply(restored=[f"{rel}/{name}" for name in ex.files])

    # -- hints --------------------------------------------------------------------------------

    async def hint(self, message: P.Hint) -> P.HintReply:
        ex = self._exercise(message)
        total = len(ex.hints)
        if total == 0:
            raise RequestError("This exercise has no hints.")
        index = self.services.store.reveal_hint(self.account.name, ex.course_id, ex.id, total)
        self.audit("hint", course=ex.course_id, exercise=ex.id, index=index)
        self.services.live_class.hint_used(self.account.name, ex.course_id, ex.id, index)
        return P.HintReply(index=index, text=ex.hints[index - 1], total=total)

    # -- run and check ------------------------------------------------------------------------

    def _limits(self, ex: Any) -> Any:

        cfg = self.services.config.limits
        base = Limits(
            wall=cfg.wall,
            cpu=cfg.cpu,
            memory=cfg.memory_mb << 20,
            pids=cfg.pids,
            fsize=cfg.fsize_mb << 20,
            output=cfg.output_kb << 10,
        )
        overrides = {k: v for k, v in (ex.limits or {}).items() if hasattr(base, k)}
        return base.__class__(**{**base.__dict__, **overrides}) if overrides else base

    def _start(self) -> tuple[str, asyncio.Event]:
        if self.busy:
            raise RequestError("Something is already running. Press Stop first, or wait for it.")
        self.busy = True
        run_id = uuid.uuid4().hex[:12]
        stop = asyncio.Event()
        self.runs[run_id] = stop
        return run_id, stop

    def _finish(self, run_id: str) -> None:
        self.runs.pop(run_id, None)
        self.busy = False

    async def stop(self, message: P.Stop) -> P.Reply:
        stop = self.runs.get(message.run_id)
        if stop is None:
            raise RequestError("That program is not running any more.")
        stop.set()
        return P.Reply()

    async def run(self, message: P.Run) -> P.RunStarted:
        ex = self._exercise(message)
        if not ex.run:
            raise RequestError("This exercise has nothing to run; use Check instead.")
        run_id, stop = self._start()
        try:  # held until the run's last snapshot (released at the end of _run)
            await self.services.acquire(self.account.name, "your program")
        except RequestError:
            self._finish(run_id)
            raise
        self.tasks.spawn(self._run(ex, run_id, stop), name=f"run {run_id}")
        return P.RunStarted(run_id=run_id)

    async def _run(self, ex: Any, run_id: str, stop: asyncio.Event) -> None:

        rel = self._exercise_dir(ex)
        started = time.monotonic()
        result = None
        try:
            ws = self.ws
            await self.services.snapshot(self.account, ws, None, f"before run of {rel}")

            def on_output(stream: str, data: bytes) -> None:
                self.push(
                    P.RunOutput(
                        id=run_id,
                        stream="stderr" if stream == "stderr" else "stdout",
                        data=data.decode("utf-8", "replace"),
                    )
                )

            # The Run profile: a quota-sized tmpfs copy of the folder, changes saved back
            # through the workspace API within the quota (jail.run.run_in_workspace).
            result = await run_in_workspace(
                ws, rel, list(ex.run), limits=self._limits(ex), host_uid=self.host_uid,
                on_output=on_output, stop=stop,
            )
            if result.disk_refused:
                self.audit("quota_exceeded", refused=len(result.disk_refused))
                self.push(
                    P.Notify(title="Your workspace is full", text=result.describe(),
                             severity="warning")
                )
            self.push(
                P.RunEnd(
                    id=run_id,
                    exit_code=result.exit_code,
                    signal=result.signal,
                    limit=result.limit,
                    duration=result.duration,
                    truncated=result.truncated,
                )
            )
        except Exception as exc:
            log.exception("run failed")
            self.push(
                P.RunEnd(
                    id=run_id,
                    duration=time.monotonic() - started,
                    error=f"The program could not be started: {exc}",
                )
            )
        finally:
            try:
                self._finish(run_id)
                self.audit(
                    "run",
                    course=ex.course_id,
                    exercise=ex.id,
                    duration=round(time.monotonic() - started, 3),
                    exit_code=getattr(result, "exit_code", None),
                    limit=getattr(result, "limit", None),
                )
                await self._after_run_usage()
                await self.services.snapshot(self.account, self.ws, None, f"after run of {rel}")
            finally:  # whatever failed above, the learner's next request is never locked out
                self.services.release(self.account.name)

    async def _after_run_usage(self, who: str = "Your program") -> None:
        """After a Run or a Git action (``who`` wrote): if the workspace is over its quota, say
        so and record it. Nothing is deleted: the learner decides what goes."""
        ws = self.ws
        usage = await asyncio.to_thread(ws.usage)
        if usage.bytes > ws.quota_bytes or usage.files > ws.quota_files:
            self.audit("quota_exceeded", bytes=usage.bytes, files=usage.files, by=who)
            self.push(
                P.Notify(
                    title="Your workspace is full",
                    text=f"{who} wrote more than your space allows. Saving new files will "
                    "not work until you delete some; your existing files are safe.",
                    severity="warning",
                )
            )

    async def check(self, message: P.Check) -> P.RunStarted:
        ex = self._exercise(message)
        run_id, stop = self._start()
        try:  # held until the check is over (released at the end of _check)
            await self.services.acquire(self.account.name, "a check")
        except RequestError:
            self._finish(run_id)
            raise
        self.tasks.spawn(self._check(ex, run_id, stop), name=f"check {run_id}")
        return P.RunStarted(run_id=run_id)

    async def _check(self, ex: Any, run_id: str, stop: asyncio.Event) -> None:

        rel = self._exercise_dir(ex)
        started = time.monotonic()
        digest = ""
        checked: str | None = None
        try:
            ws = self.ws
            # The checked folder only: the check reads nothing else, and re-reading the whole
            # workspace cost ~60 ms of CPU per check for a learner 60 exercises in.
            checked = await self.services.snapshot(self.account, ws, [rel], f"check {rel}")
            if checked is None:
                checked = await asyncio.to_thread(self.services.history(self.account).latest)
            with tempfile.TemporaryDirectory(prefix="slate-learner-copy-") as tmp:
                copy = Path(tmp) / "files"
                # The safe file API copies regular files only: planted links/FIFOs are refused.
                await asyncio.to_thread(ws.copy_files_to, rel, copy)
                digest = _tree_digest(copy)
                repo_copy = None
                if ex.is_git:
                    # The git check reads a copy of the repository made through descriptors,
                    # never the learner's folder itself (a planted link is refused here).
                    repo_copy = Path(tmp) / "repo"
                    await asyncio.to_thread(
                        functools.partial(ws.copy_files_to, rel, repo_copy, include_git=True)
                    )
                # run_checks copies this again into a work dir of the learner's uid.
                result = await run_checks(
                    ex,
                    copy,
                    learner_dir=repo_copy,
                    host_uid=self.host_uid,
                    limits=self._limits(ex),
                    stop=stop,
                )
        except Exception as exc:
            if exc.__class__.__name__ == "WorkspaceError":  # planted: refused, no traceback
                message = str(exc)
                self.refused("check", ex, message)
            else:
                log.exception("check failed")
                message = "The check could not run. Please tell staff."
            result = CheckResult(
                status="error",
                summary=message,
                tests=[TestOutcome(name="Checking your work", status="error", message=message)],
            )
        finally:
            self._finish(run_id)
            self.services.release(self.account.name)
        data = result.to_dict()
        if stop.is_set():  # the learner stopped it: not an attempt, nothing to record
            self.push(P.CheckResult(id=run_id, result=data))
            self.audit("check", course=ex.course_id, exercise=ex.id, status="stopped",
                       duration=round(time.monotonic() - started, 3), digest=digest)
            return
        state = self.services.store.record_attempt(
            self.account.name, ex.course_id, ex.id, result.status == "passed", data
        )
        if checked is not None:  # each history entry of this content shows the result
            async with self.services.history_lock(self.account.name):
                with contextlib.suppress(HistoryError):
                    await asyncio.to_thread(
                        self.services.history(self.account).record_check,
                        rel, _check_words(result), checked,
                    )
        self.push(P.CheckResult(id=run_id, result=data))
        self.services.live_class.check_finished(self.account.name, ex.course_id, ex.id, data)
        view = _progress_view(state)
        self.push(
            P.Progress(
                course=ex.course_id,
                exercise=ex.id,
                state=view["state"],
                attempts=view["attempts"],
                hints_used=view["hints_used"],
            )
        )
        self.audit(
            "check",
            course=ex.course_id,
            exercise=ex.id,
            status=result.status,
            duration=round(time.monotonic() - started, 3),
            digest=digest,
        )

    # -- teaching console (server/teaching_console.py) -----------------------------------------

    async def console(self, message: P.ConsoleCommand) -> P.ConsoleReply:
        """One teaching-console line in the exercise folder: judged, run in a fresh sandbox."""
        ex = self._exercise(message)
        account, ws = self.account, self.ws
        ctx = ConsoleContext(
            learner=account.name, workspace=ws, folder=self._exercise_dir(ex),
            host_uid=self.host_uid, audit=self.audit, serial=self.services.serial,
            snapshot=lambda paths, why: self.services.snapshot(account, ws, paths, why),
        )
        try:
            out = await run_line(ctx, message.line)
        except Refused as exc:
            raise RequestError(str(exc)) from None
        return P.ConsoleReply(output=out.output, exit_code=out.exit_code, limit=out.limit,
                              files_changed=out.files_changed, truncated=out.truncated)

    # -- page preview of a page with scripts ---------------------------------------------------

    async def render_page(self, message: P.RenderPage) -> P.RenderPageReply:
        """The page after its scripts ran, for the preview: the same runner and the same Run
        sandbox as the Run key of a browser exercise (the learner's code runs as them, never in
        the TUI), disk-bounded and serialised like a Run. Audited as ``page_render``."""
        ex = self._exercise(message)
        page = message.page
        if page not in [*ex.files, *ex.readonly] or not page.endswith((".html", ".htm")):
            raise RequestError("That is not a page of this exercise.")
        rel = self._exercise_dir(ex)
        limits = dataclasses.replace(
            self._limits(ex), wall=min(10, self._limits(ex).wall), output=MAX_RENDERED_PAGE
        )
        # Behind a Run or an earlier preview still going (its limit is wall seconds), not refused.
        async with self.services.serial(
            self.account.name, "the page preview", wait=limits.wall + 5.0
        ):
            result = await run_in_workspace(
                self.ws, rel, ["node", str(DOM_PAGE), "--html", page],
                limits=limits, host_uid=self.host_uid,
            )  # fmt: skip
        self.audit(
            "page_render", course=ex.course_id, exercise=ex.id, page=page,
            exit_code=result.exit_code, limit=result.limit,
        )  # fmt: skip
        return P.RenderPageReply(
            html=result.stdout.decode("utf-8", "replace"),
            errors=result.stderr.decode("utf-8", "replace")[:4000],
            limit=result.limit,
        )

    # -- git panel ----------------------------------------------------------------------------

    async def git(self, message: P.Git) -> P.GitReply:
        """A Git panel operation on the exercise's repository, run by ``courses.gitops`` in a
        fresh sandbox as the learner (their repository is untrusted: a crafted object must not
        cost the server memory, and a swapped folder must not point it anywhere else)."""

        ex = self._exercise(message)
        op, args = message.op, message.args
        rel = self._exercise_dir(ex)
        ws = self.ws
        # The tool profile: the venv and gitops only (never the catalog), the whole workspace
        # (a folder the learner swapped for a link then resolves inside, never on the host).
        # -I and cwd "/": a courses/ folder the learner made in their workspace is never on
        # sys.path (nothing of theirs is ever executed by the Git panel).
        spec = tool_module(
            "courses.gitops",
            [f"{SANDBOX_WORKSPACE}/{rel}"],
            files=[SLATE_ROOT / name for name in SANDBOX_FILES],
            workspace=Path(ws.root),
            cwd="/",
            isolated=True,
            limits=Limits(wall=20, cpu=10, memory=256 << 20, output=1 << 20),
            host_uid=self.host_uid,
            prefix=Path(sys.prefix),
            stdin=json.dumps({"op": op, "args": _git_args(op, args, self.account.name)}).encode(),
        )
        async with self.services.serial(self.account.name, "a Git action"):
            result = await run_async(spec)
        try:
            reply = json.loads(result.stdout)
        except (ValueError, TypeError):
            reply = None
        if not isinstance(reply, dict) or result.limit is not None:
            log.warning("git %s failed: limit=%s exit=%s", op, result.limit, result.exit_code)
            self.audit(
                "git", course=ex.course_id, exercise=ex.id, op=op, ok=False, limit=result.limit
            )
            raise RequestError("Git could not finish that. Your files are safe; try again.")
        self.audit("git", course=ex.course_id, exercise=ex.id, op=op, ok=bool(reply.get("ok")))
        # A Git action writes into the workspace (objects, a checked-out branch): each file is
        # bounded by the tool sandbox's limits, and the whole is measured against the quota
        # here, as after a Run (audited, the learner told; nothing deleted).
        await self._after_run_usage("Git")
        if not reply.get("ok"):
            raise RequestError(str(reply.get("error") or "Git could not do that."))
        if op in {"commit", "merge", "switch", "restore", "revert", "init", "abort_merge"}:
            await self.services.snapshot(self.account, ws, None, f"git {op} in {ex.id}")
        out = reply.get("result")
        return P.GitReply(result=out if isinstance(out, dict) else {"output": str(out)})


DOM_PAGE = Path("/usr/local/lib/slate/dom-page.cjs")
"""The browser course's page runner (installed by make install beside its DOM library)."""

MAX_RENDERED_PAGE = 512 << 10
"""Bytes of a rendered page the preview gets (the preview renders at most this much)."""

_NO_PROGRESS = {"state": "not_started", "attempts": 0, "passes": 0, "hints_revealed": 0}


STAGE_TITLES = {1: "Foundations", 2: "Professional practice"}


def _progress_view(entry: dict[str, Any] | None) -> dict[str, Any]:
    """The progress fields the TUI shows (the last full result stays on the server)."""
    if not entry:
        entry = _NO_PROGRESS
    return {
        "state": entry["state"],
        "attempts": entry["attempts"],
        "passes": entry["passes"],
        "hints_used": entry["hints_revealed"],
    }


def _git_args(op: str, args: dict[str, Any], author: str) -> dict[str, Any]:
    """Keep only simple, bounded values; the author of any commit an action makes (a commit,
    a tag, a pull's merge) is always the logged-in learner."""
    clean: dict[str, Any] = {}
    for key, value in args.items():
        if not isinstance(key, str) or len(key) > 32 or key == "author_name":
            continue
        if isinstance(value, str) and len(value) <= 2000:
            clean[key] = value
        elif (
            isinstance(value, list)
            and len(value) <= 256
            and all(isinstance(v, str) and len(v) <= 255 for v in value)
        ):
            clean[key] = value
        elif isinstance(value, (int, bool)):
            clean[key] = value
    if "message" in clean or "author_name" in OP_ARGS.get(op, ()):
        clean["author_name"] = author
    return clean


def _clear_planted(ws: Any, paths: list[str]) -> list[str]:
    """Unlink links and special files standing where ``paths`` or their folders go.

    ``unlink`` (relative to a folder descriptor) never follows a link and cannot remove a
    folder, so a real folder swapped back meanwhile, or anything a link points to, is never
    touched. Returns the workspace-relative paths removed.
    """

    cleared: list[str] = []
    for path in paths:
        parts = path.split("/")
        for end in range(1, len(parts) + 1):
            sub = "/".join(parts[:end])
            kind = ws.entry_type(sub)
            if kind in ("link", "other"):
                try:
                    ws.remove(sub)
                except WorkspaceError:
                    break  # it changed meanwhile (a folder now): leave it, the write decides
                cleared.append(sub)
                break
            if kind != "folder":
                break
    return cleared


def _tree_digest(root: Path) -> str:
    """sha256 over the relative names and contents of the files under ``root`` (audit digest)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()
