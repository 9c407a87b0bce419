"""Milestone sign-off end to end: real OpenSSH clients on ptys, the real gateway, the learner's
and the instructor's TUIs in their sandboxes, the real store and audit chain.

What a reviewer should see here: a learner who has passed every exercise of the Foundations
milestone sees "ready for sign-off" on the course map; an instructor opens Milestones (F), sees
them READY and signs them off (S, Enter); the learner is told at once and the map says "signed
off by <instructor>"; the audit has the sign-off and `slate progress export` carries it.
"""

from __future__ import annotations

import csv
import io

from courses.catalog import load_catalog
from server.store import Store

from .conftest import Server, Terminal, signed_in, ssh_argv


def _pass_foundations(server: Server, learner: str) -> int:
    """Record a passed Check for every exercise the Foundations milestone covers (what the
    server writes after real Checks; the Checks themselves are tested elsewhere)."""
    catalog = load_catalog(strict=False)
    milestone = next(m for m in catalog.milestones() if m.id == "javascript")
    store = Store(server.data_dir / "slate.db")
    count = 0
    try:
        for course_id in milestone.courses:
            for ex in catalog.course(course_id).exercises:
                store.record_attempt(learner, course_id, ex.id, True, {"status": "passed"})
                count += 1
    finally:
        store.close()
    return count


def test_instructor_signs_off_a_ready_learner_who_sees_it_live(
    server: Server, terminals: list[Terminal]
) -> None:
    learner, lpw = server.add_user("learner")
    total = _pass_foundations(server, learner)
    lt = Terminal(ssh_argv(server, learner, lpw, "-tt"), 120, 40)
    terminals.append(lt)
    lt.wait_for(signed_in(learner), timeout=30)
    lt.wait_for(r"JavaScript: your first programs  \(13 of 13 done\)", timeout=20)
    lt.wait_for(r"\[!\] Milestone: Foundations: HTML, CSS and JavaScript", timeout=10)
    lt.wait_for(f"all {total} exercises done: ready for sign-off, ask your instructor",
                timeout=10)

    teacher, tpw = server.add_user("instructor")
    it = Terminal(ssh_argv(server, teacher, tpw, "-tt"), 80, 24)
    terminals.append(it)
    it.wait_for(signed_in(teacher, "instructor"), timeout=30)
    it.wait_for("learners,", timeout=20)
    it.send("f")
    it.wait_for(r"\d+ ready for sign-off", timeout=10)
    it.wait_for(rf"{learner}\s+Foundations: HTML, CSS and Ja~\s+{total}/{total}\s+READY",
                timeout=10)
    print(f"--- the instructor's Milestones view over ssh at 80x24 ---\n{it.text()}")
    it.send("s")
    it.wait_for("for the record", timeout=10)
    it.send("ready for the browser course\r")
    it.wait_for(rf"Signed off {learner}", timeout=10)
    it.wait_for(rf"{learner}.*signed {teacher}", timeout=10)

    row = server.wait_audit("milestone_signed_off", actor=teacher, learner=learner)
    assert row["detail"]["milestone"] == "javascript"
    assert row["detail"]["done"] == row["detail"]["total"] == total
    assert row["detail"]["note"] == "ready for the browser course"

    # The learner is told at once, and the map (redrawn by the push) says who and when.
    lt.wait_for("Milestone signed off", timeout=10)
    lt.wait_for(r"\[\*\] Milestone: Foundations: HTML, CSS and JavaScript", timeout=10)
    lt.wait_for(rf"signed off by {teacher} on 20\d\d-\d\d-\d\d", timeout=10)
    print(f"--- the learner's course map over ssh at 120x40, live after the sign-off ---\n"
          f"{lt.text()}")

    out = server.slate("progress", "export", "--csv").stdout.decode()
    rows = [r for r in csv.DictReader(io.StringIO(out)) if r["learner"] == learner]
    js = [r for r in rows if r["course"] == "javascript"]
    assert js and all(r["milestone_state"] == "signed" and r["milestone_signed_by"] == teacher
                      for r in js)
    assert all(r["milestone"] == "Foundations: HTML, CSS and JavaScript" for r in js)
