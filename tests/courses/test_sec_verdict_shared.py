"""The forged-verdict tests again in shared-uid mode (a demo run by a non-root user: every
sandbox under that one host uid, unprivileged user namespaces, no writable cgroups). There the
harness and the learner's code share a host uid, so what keeps the verdict apart is that each
runs in its own user, pid, mount and network namespace: no /proc of the harness, no file of it,
no fd of it is reachable from the learner's sandbox. Re-runs tests/courses/test_sec_verdict.py
under ``setpriv --reuid=65534 --regid=65534 --clear-groups``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.jail.test_nonroot import _assert_clear_refusal, _Traversable, _unprivileged_userns_works

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="already unprivileged (this is the re-run)")
def test_sec_verdict_suite_in_shared_uid_mode() -> None:
    if not _unprivileged_userns_works():
        _assert_clear_refusal()  # no sandbox at all there: refused plainly, never unsandboxed
        return
    base = Path("/tmp") / f"slate-verdict-shared-{os.getpid()}"
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
                "tests/courses/test_sec_verdict.py",
            ],
            cwd=ROOT,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(base),
                "COLUMNS": "250",
                "LANG": "C.UTF-8",
                "PYTHONDONTWRITEBYTECODE": "1",
            },
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    finally:
        traversable.restore()
        shutil.rmtree(base, ignore_errors=True)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
    assert proc.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail
