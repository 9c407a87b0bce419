"""`slate doctor` on this machine: every probe, the jail's real limit attempts included, reports
ok (CI installs everything the product needs, so nothing here may be missing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.gateway.conftest import reachable_dir

SLATE = str(Path(sys.executable).parent / "slate")


def test_doctor_reports_every_check_ok() -> None:
    data = reachable_dir() / "data"
    # A data dir with a host key, as a server leaves it.
    subprocess.run(
        [
            SLATE,
            "--data-dir",
            str(data),
            "user",
            "add",
            "doc",
            "--role",
            "learner",
            "--password-stdin",
        ],
        input=b"correct horse battery\n",
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [SLATE, "--data-dir", str(data), "doctor"], capture_output=True, text=True, timeout=300
    )
    lines = result.stdout.splitlines()
    failed = [line for line in lines if line.startswith("FAIL")]
    assert result.returncode == 0 and not failed, result.stdout + result.stderr
    for probe in ("memory limit", "pids limit", "cpu limit", "wall limit", "output limit"):
        assert any(line.startswith("ok") and probe in line for line in lines), probe
