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
def test_jail_suite_as_an_unprivileged_user(tmp_path: Path) -> None:
    if not _unprivileged_userns_works():
        # A host (or a chroot) where the kernel refuses user namespaces to ordinary users: a
        # non-root demo cannot sandbox anything there, and must say so plainly, never run
        # learner code unsandboxed.
        _assert_clear_refusal()
        return
    base = Path("/tmp") / f"slate-nonroot-{os.getpid()}"
    base.mkdir(mode=0o700)
    os.chown(base, 65534, 65534)
    try:
        proc = subprocess.run(
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--basetemp",
                str(base / "pytest"),
                *SUBSET,
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


AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _unprivileged_userns_works() -> bool:
    probe = subprocess.run(
        [*AS_NOBODY, "bwrap", "--unshare-user", "--ro-bind", "/", "/", "--", "true"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return probe.returncode == 0


def _assert_clear_refusal() -> None:
    code = (
        "from jail.run import JailError, RunSpec, run\n"
        "try:\n"
        "    run(RunSpec(argv=['true']))\n"
        "except JailError as exc:\n"
        "    print('REFUSED', exc)\n"
        "else:\n"
        "    print('RAN')\n"
    )
    proc = subprocess.run(
        [*AS_NOBODY, sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert proc.stdout.startswith("REFUSED"), proc.stdout + proc.stderr
    assert "namespace" in proc.stdout
