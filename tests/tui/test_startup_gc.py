"""`python -m tui` keeps the cyclic garbage collector off while it imports and builds the app
(issue 15: fewer passes over start-up's objects), then freezes those objects and turns the
collector back on before the app runs: a session left with it off would never free a cycle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, os, socket, sys
a, b = socket.socketpair()
os.environ["SLATE_CONTROL_FD"] = str(a.fileno())
import tui.__main__ as entry
seen = {"during_import": gc.isenabled()}
import textual.app

def run(self, *args, **kwargs):
    seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count())
    print(json.dumps(seen))

textual.app.App.run = run
sys.exit(entry.main(["learner"]))
"""


def test_collector_is_off_while_starting_and_on_when_the_app_runs() -> None:
    env = {**os.environ, "SLATE_USER": "ada", "SLATE_ROLE": "learner", "SLATE_SESSION": "s1"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["during_import"] is False
    assert seen["enabled"] is True
    assert seen["frozen"] > 10_000  # the modules, classes and app built at start-up
