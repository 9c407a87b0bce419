"""Opening an exercise marks it started and makes it "where I left off", without ever undoing
a pass."""

from __future__ import annotations

from pathlib import Path

from server.store import Store


def test_touch_marks_started_and_latest_but_keeps_a_pass(tmp_path: Path) -> None:
    store = Store(tmp_path / "slate.db")
    store.add_account("ada", "learner", password="a long enough password")
    store.touch_exercise("ada", "html", "first-page")
    assert store.progress("ada")["html"]["first-page"]["state"] == "in_progress"
    store.record_attempt("ada", "html", "first-page", True, {"status": "passed"})
    store.touch_exercise("ada", "html", "lists")
    before = store.progress("ada")["html"]["first-page"]["updated"]
    store.touch_exercise("ada", "html", "first-page")
    after = store.progress("ada")["html"]
    assert after["first-page"]["state"] == "passed"
    assert after["first-page"]["updated"] > before
    assert after["first-page"]["updated"] > after["lists"]["updated"]
    assert after["first-page"]["attempts"] == 1
