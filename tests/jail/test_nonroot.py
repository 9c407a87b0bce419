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
    "tests/jail/test_sec_disk.py",
    "tests/jail/test_sec_isolation.py",
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
    traversable = _Traversable()
    try:
        traversable.open_up()
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
        traversable.restore()
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
    traversable = _Traversable()
    traversable.open_up()
    try:
        proc = subprocess.run(
            [*AS_NOBODY, sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
    finally:
        traversable.restore()
    assert proc.stdout.startswith("REFUSED"), proc.stdout + proc.stderr
    assert "namespace" in proc.stdout


class _Traversable:
    """The unprivileged user of this test runs the checkout's own venv straight from the host
    (not through a sandbox, which would bind it as root): if CI cloned into a private folder,
    its parents get o+x (search only, never read) for the test's length, then their old modes
    back."""

    def __init__(self) -> None:
        self._changed: list[tuple[Path, int]] = []

    def open_up(self) -> None:
        for top in (ROOT, Path(sys.prefix)):
            for folder in [top, *top.parents]:
                mode = folder.stat().st_mode
                if not mode & 0o001:
                    self._changed.append((folder, mode))
                    os.chmod(folder, (mode & 0o7777) | 0o001)

    def restore(self) -> None:
        for folder, mode in reversed(self._changed):
            os.chmod(folder, mode & 0o7777)
        self._changed.clear()
