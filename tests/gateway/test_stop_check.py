"""Stop ends a running Check (issue 8): the learner's Stop reaches every sandbox the check
started, the result says it was stopped, and no attempt is recorded. Drives the server's own
request handlers (LearnerDesk) with a real store, workspace, catalog and sandboxes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from server import protocol

from .conftest import learner_at_desk

EXERCISE = {"course": "javascript", "exercise": "functions"}


async def test_stop_ends_a_running_check_and_records_no_attempt(tmp_path: Path) -> None:
    at = await learner_at_desk("stopper", "s-stop", EXERCISE)
    desk, store, audit, pushes = at.desk, at.store, at.audit, at.pushes
    # A learner's file that never finishes loading: the check would run to its wall limit.
    desk.ws.write_atomic("javascript/functions/greet.js", "while (true) {}\n")

    started = await desk.check(protocol.Check(id=2, **EXERCISE))
    await asyncio.sleep(1.0)  # the check's sandboxes are running
    pressed = time.monotonic()
    await desk.stop(protocol.Stop(id=3, run_id=started.run_id))
    # No timing bound here (a loaded machine is slow): "stopped" below, not "took too long",
    # is what shows Stop ended it; the deadline only keeps a broken Stop from hanging.
    while not any(isinstance(p, protocol.CheckResult) for p in pushes):
        assert time.monotonic() - pressed < 120, "the check never ended"
        await asyncio.sleep(0.05)

    result = next(p for p in pushes if isinstance(p, protocol.CheckResult)).result
    assert result["status"] == "error" and "stopped the check" in result["summary"]
    assert store.progress("stopper").get("javascript", {}).get("functions", {}).get(
        "attempts", 0
    ) == 0
    assert audit.events(kind="check")[-1].detail["status"] == "stopped"
    assert not desk.busy  # the learner can Check again
