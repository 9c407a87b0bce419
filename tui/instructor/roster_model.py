"""The roster as the instructor's console keeps it: rows from the server, sorted, filtered, worded.

Owns turning the server's roster rows (``roster`` reply and ``roster_update`` pushes) into what
the roster table shows, in words rather than colours (usable in monochrome): a hand and its place
in the queue, online / idle / offline / STUCK / LOCKED, the exercise, the last Check and how long
ago, tries on this exercise, time on it, idle time, hints. Times are computed here from the
row's timestamps each second, so the server pushes only when something happens. Every string
from the server passes :func:`tui.safe_text.visible` before it is shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tui.safe_text import visible

SORTS = ("attention", "name", "exercise", "idle")
"""Sort orders, cycled by the S key: who needs attention first, by name, by exercise, by idle."""

COLUMNS = ("Hand", "Learner", "State", "Exercise", "Last check", "Tries", "On it", "Idle", "Hints")


def _text(value: object, limit: int = 60) -> str:
    return visible(str(value or ""), keep_newlines=False)[:limit]


def ago(seconds: float | None) -> str:
    """A short duration: ``45s``, ``12m``, ``3h``, ``2d`` (empty for None)."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


@dataclass
class RosterModel:
    """Rows by learner name, the help queue, and the current sort and filter."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    queue: list[dict[str, Any]] = field(default_factory=list)
    sort: str = "attention"
    filter: str = ""
    online_only: bool = False
    skew: float = 0.0
    """Server clock minus ours (rows carry the server's timestamps)."""

    def load(self, reply: dict[str, Any]) -> None:
        """Take the whole roster from a ``roster`` reply."""
        self.rows = {}
        self.update(reply.get("learners") or [], reply.get("queue") or [])
        now = reply.get("now")
        if isinstance(now, (int, float)):
            self.skew = float(now) - time.time()

    def update(self, learners: list[Any], queue: list[Any] | None) -> None:
        """Apply a ``roster_update`` (changed rows; the whole queue when it changed)."""
        for row in learners:
            if isinstance(row, dict) and isinstance(row.get("name"), str):
                self.rows[row["name"]] = row
        if queue is not None:
            self.queue = [q for q in queue if isinstance(q, dict)]

    def now(self) -> float:
        return time.time() + self.skew

    # -- ordering and filtering ------------------------------------------------------------------

    def visible_names(self) -> list[str]:
        """Learner names in display order, after the filter."""
        needle = self.filter.strip().lower()
        names = []
        for name, row in self.rows.items():
            if self.online_only and not row.get("online"):
                continue
            if needle and needle not in " ".join(
                str(row.get(k) or "") for k in ("name", "exercise", "title", "course", "cohort")
            ).lower():
                continue
            names.append(name)
        return sorted(names, key=self._key)

    def _key(self, name: str) -> tuple[Any, ...]:
        row = self.rows[name]
        online = 0 if row.get("online") else 1
        if self.sort == "name":
            return (name,)
        if self.sort == "exercise":
            return (online, str(row.get("course") or "~"), str(row.get("exercise") or "~"), name)
        if self.sort == "idle":
            since = row.get("idle_since")
            return (online, since if isinstance(since, (int, float)) else float("inf"), name)
        hand = row.get("hand") or {}
        position = hand.get("position") if isinstance(hand, dict) else None
        return (
            online,
            position if isinstance(position, int) else 10_000,
            0 if row.get("stuck") else 1,
            name,
        )

    def next_sort(self) -> str:
        """Cycle to the next sort order; returns its name."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        return self.sort

    # -- words -------------------------------------------------------------------------------------

    def state_words(self, row: dict[str, Any]) -> str:
        """online / idle / offline, with STUCK and LOCKED and who watches or pairs."""
        if not row.get("online"):
            return "offline"
        words = ["idle" if row.get("idle") else "online"]
        if row.get("stuck"):
            words.append("STUCK")
        if row.get("locked"):
            words.append("LOCKED")
        if row.get("paired_with"):
            words.append("PAIRED")
        elif row.get("watchers"):
            words.append("watched")
        return " ".join(words)

    def cells(self, name: str) -> tuple[str, ...]:
        """The table cells of one learner, in :data:`COLUMNS` order."""
        row = self.rows[name]
        now = self.now()
        hand = row.get("hand")
        hand_text = f"#{hand.get('position')}" if isinstance(hand, dict) else ""
        exercise = _text(row.get("title") or row.get("exercise") or "", 40)
        check = row.get("last_check")
        if isinstance(check, dict):
            status = {"passed": "pass", "failed": "FAIL", "error": "error"}.get(
                str(check.get("status")), "?"
            )
            at = check.get("at")
            check_text = f"{status} {ago(now - at) if isinstance(at, (int, float)) else ''}"
        else:
            check_text = ""
        if row.get("passed"):
            check_text = (check_text + " done").strip() if check_text else "done"
        opened = row.get("opened_at")
        on_it = ago(now - opened) if isinstance(opened, (int, float)) and row.get("online") else ""
        since = row.get("idle_since")
        idle = ago(now - since) if isinstance(since, (int, float)) and row.get("online") else ""
        return (
            hand_text,
            _text(name, 32),
            self.state_words(row),
            exercise,
            check_text.strip(),
            str(row.get("checks") or 0) if row.get("exercise") else "",
            on_it,
            idle,
            str(row.get("hints") or 0) if row.get("exercise") else "",
        )

    def context_line(self, name: str) -> str:
        """One line about a learner, for the top of the watch view."""
        row = self.rows.get(name)
        if row is None:
            return _text(name, 32)
        cells = dict(zip(COLUMNS, self.cells(name), strict=True))
        parts = [cells["Learner"], cells["State"]]
        if cells["Hand"]:
            hand = row.get("hand") or {}
            note = _text(hand.get("text"), 60) if isinstance(hand, dict) else ""
            parts.append(f"HAND {cells['Hand']}" + (f': "{note}"' if note else ""))
        if row.get("stuck"):
            parts.append(_text(row.get("stuck"), 60))
        if cells["Exercise"]:
            parts.append(cells["Exercise"])
        if cells["Last check"]:
            parts.append(f"check {cells['Last check']}")
        failing = row.get("last_check", {}) or {}
        if isinstance(failing, dict) and failing.get("test") and failing.get("status") != "passed":
            parts.append(f"failing: {_text(failing.get('test'), 40)}")
        if cells["Tries"]:
            parts.append(f"{cells['Tries']} tries")
        return " | ".join(parts)

    def queue_lines(self) -> list[tuple[str, str]]:
        """(learner, line) for each raised hand, in arrival order."""
        now = self.now()
        out = []
        for item in self.queue:
            name = _text(item.get("learner"), 32)
            at = item.get("at")
            waited = ago(now - at) if isinstance(at, (int, float)) else ""
            row = self.rows.get(str(item.get("learner")), {})
            where = _text(row.get("title") or row.get("exercise") or "", 30)
            note = _text(item.get("text"), 80)
            line = f"{item.get('position')}. {name} — waiting {waited}"
            if where:
                line += f" — {where}"
            if note:
                line += f' — "{note}"'
            out.append((str(item.get("learner")), line))
        return out

    def queue_summary(self, most: int = 6) -> str:
        """The queue on one line: ``1. ana 3m  2. bo 40s``."""
        now = self.now()
        parts = []
        for item in self.queue[:most]:
            at = item.get("at")
            waited = ago(now - at) if isinstance(at, (int, float)) else ""
            parts.append(f"{item.get('position')}. {_text(item.get('learner'), 32)} {waited}")
        if len(self.queue) > most:
            parts.append(f"and {len(self.queue) - most} more")
        return "  ".join(parts)
