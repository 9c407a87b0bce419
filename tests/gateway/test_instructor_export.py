"""Progress export for the programme office: `slate progress export --csv [--cohort]` (the real
CLI in a subprocess, on a real store) and the console's Export (file written on the server)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from server import protocol
from server.audit import AuditLog
from server.classroom import LiveClass
from server.staff_desk import EXPORT_COLUMNS, StaffDesk
from server.store import Store

SLATE = str(Path(sys.executable).parent / "slate")


def _store(data: Path) -> Store:
    store = Store(data / "slate.db")
    store.add_account("ada", "learner", "pw-ada-1")
    store.set_cohort("ada", "wing-a")
    store.add_account("bo", "learner", "pw-bo-12")
    store.set_cohort("bo", "wing-b")
    store.add_account("cy", "learner", "pw-cy-12")  # never started anything
    store.add_account("mary", "instructor", "pw-mary1")
    store.touch_exercise("ada", "html", "first-page")
    store.record_attempt("ada", "html", "first-page", False, {"status": "failed"})
    store.record_attempt("ada", "html", "first-page", True, {"status": "passed"})
    store.reveal_hint("ada", "html", "lists", 3)
    store.record_attempt("bo", "javascript", "loops", False, {"status": "failed"})
    return store


def test_cli_exports_csv_for_a_cohort_and_audits(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _store(data).close()
    out = subprocess.run([SLATE, "--data-dir", str(data), "progress", "export", "--csv"],
                         capture_output=True, text=True, check=True, timeout=60)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == EXPORT_COLUMNS
    by = {(r["learner"], r["exercise"]): r for r in rows}
    first = by[("ada", "first-page")]
    assert (first["state"], first["passed"], first["checks_tried"], first["checks_passed"]) == (
        "passed", "yes", "2", "1")
    assert first["exercise_title"] == "Your first web page"  # from the catalog
    assert by[("ada", "lists")]["hints_used"] == "1"
    assert by[("cy", "")]["checks_tried"] == "0"  # learners who started nothing still appear
    assert not any(r["learner"] == "mary" for r in rows)  # staff are not learners

    target = tmp_path / "wing-a.csv"
    subprocess.run([SLATE, "--data-dir", str(data), "progress", "export", "--csv",
                    "--cohort", "wing-a", "-o", str(target)], check=True, timeout=60,
                   capture_output=True)
    assert os.stat(target).st_mode & 0o777 == 0o600
    learners = {r["learner"] for r in csv.DictReader(io.StringIO(target.read_text()))}
    assert learners == {"ada"}
    store = Store(data / "slate.db")
    audits = [json.loads(d) for (d,) in store.query(
        "SELECT detail FROM audit_events WHERE kind = 'progress_export' ORDER BY id")]
    store.close()
    assert [a["rows"] for a in audits] == [4, 2] and audits[1]["cohort"] == "wing-a"


def test_console_export_writes_on_the_server_and_defuses_formulas(tmp_path: Path) -> None:
    store = _store(tmp_path)
    audit = AuditLog(store)
    live = LiveClass(audit)
    link = SimpleNamespace(session_id="s-mary", user="mary", role="instructor")
    services = SimpleNamespace(
        store=store, catalog=lambda: (_ for _ in ()).throw(LookupError()),
        config=SimpleNamespace(server=SimpleNamespace(data_dir=str(tmp_path))),
    )
    desk = StaffDesk(services, live, link)  # type: ignore[arg-type]
    reply = asyncio.run(desk.export_progress(protocol.ExportProgress(cohort="wing-b")))
    path = Path(reply.path)
    assert path.parent == tmp_path / "exports" and reply.rows == 1
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert "bo,wing-b,javascript,loops" in path.read_text()
    kinds = [k for (k,) in store.query("SELECT kind FROM audit_events")]
    assert "progress_export" in kinds
    store.close()


def test_cells_that_look_like_formulas_are_defused() -> None:
    from server.staff_desk import _cell

    assert _cell("=HYPERLINK(\"http://x\")").startswith("'=")
    assert _cell("+1") == "'+1" and _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("tab\there\x1b]0;x\x07") == "tab\\there\\x1b]0;x\\x07"
