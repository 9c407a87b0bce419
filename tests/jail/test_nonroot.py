"""The jail suite again as an unprivileged user (shared-uid mode, no writable cgroups): what a
demo run by a non-root user gets. Re-runs the sandbox, workspace and history tests under
``setpriv --reuid=65534 --regid=65534 --clear-groups``; per-learner cases skip themselves there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUBSET = [
    "tests/jail/test_run.py",
    "tests/jail/test_sec_limits.py",
    "tests/jail/test_sec_sandbox.py",
    "tests/jail/test_sec_workspace.py",
    "tests/jail/test_sec_history.py",
    "tests/jail/test_doctor.py",
]


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="already unprivileged (this is the re-run)")
@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) missing")
def test_jail_suite_as_an_unprivileged_user(tmp_path: Path) -> None:
    base = Path("/tmp") / f"slate-nonroot-{os.getpid()}"
    base.mkdir(mode=0o700)
    os.chown(base, 65534, 65534)
    try:
        proc = subprocess.run(
            [
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "--basetemp", str(base / "pytest"), *SUBSET,
            ],
            cwd=ROOT,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(base),
                "COLUMNS": "250",  # whole FAILED lines in the summary quoted below
                "LANG": "C.UTF-8",
                "PYTHONDONTWRITEBYTECODE": "1",
            },
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
    assert proc.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail
