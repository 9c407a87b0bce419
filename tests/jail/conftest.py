"""Fixtures for the jail tests: real bubblewrap sandboxes in both uid modes.

``mode`` runs a test twice: "shared" (host_uid None: the server's own uid, as in a demo) and
"per-learner" (a host uid of its own from 3000000 up, as in production; needs root). Folders that
a sandbox binds live directly under /tmp (not pytest's 0700 tmp tree), so a learner's uid can
reach them, and are owned by that uid in per-learner mode.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jail.run import Limits, RunResult, RunSpec, run_async

IS_ROOT = os.geteuid() == 0
_UIDS = itertools.count(3_000_000 + (os.getpid() % 5000) * 100)


def fresh_uid() -> int:
    """A host uid no one else uses (per-learner mode)."""
    return next(_UIDS)


@dataclass
class Mode:
    """How this test's sandboxes run."""

    name: str
    host_uid: int | None

    @property
    def inside_uid(self) -> int:
        """The uid the program has: its own host uid when bwrap is launched by root (the
        learner's, or nobody), else the user namespace's mapped 1000."""
        if os.geteuid() == 0:
            return self.host_uid if self.host_uid is not None else 65534
        return 1000

    def spec(self, argv: list[str], **kwargs: object) -> RunSpec:
        """A RunSpec in this mode (kwargs as RunSpec fields; ``limits`` may be a dict)."""
        limits = kwargs.pop("limits", None)
        if isinstance(limits, dict):
            limits = Limits(**limits)
        return RunSpec(
            argv=argv,
            host_uid=self.host_uid,
            limits=limits or Limits(),
            **kwargs,  # type: ignore[arg-type]
        )

    async def run(self, argv: list[str], **kwargs: object) -> RunResult:
        """Run ``argv`` in a fresh sandbox in this mode."""
        return await run_async(self.spec(argv, **kwargs))

    def own(self, path: Path) -> None:
        """Give ``path`` (recursively) to the uid this mode's programs run as, where the host
        uid differs from ours (as root: the learner's uid, or nobody)."""
        if os.geteuid() != 0:
            return
        uid = self.inside_uid
        for root, dirs, files in os.walk(path):
            os.chown(root, uid, uid)
            for name in dirs + files:
                os.lchown(os.path.join(root, name), uid, uid)


@pytest.fixture(params=["shared", "per-learner"])
def mode(request: pytest.FixtureRequest) -> Mode:
    """Both uid modes; per-learner is skipped when not root."""
    if request.param == "per-learner":
        if not IS_ROOT:
            pytest.skip("per-learner host uids need root")
        return Mode("per-learner", fresh_uid())
    return Mode("shared", None)


@pytest.fixture
def host_dir() -> Iterator[Path]:
    """A world-traversable folder under /tmp (a learner uid can reach binds made from it)."""
    path = Path(tempfile.mkdtemp(prefix="slate-jail-test-", dir="/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def python(code: str) -> list[str]:
    """argv running ``code`` with the sandbox's system python3."""
    return ["python3", "-c", code]


def processes_with(marker: str) -> list[int]:
    """Host pids whose command line contains ``marker``."""
    found = []
    needle = marker.encode()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as handle:
                if needle in handle.read():
                    found.append(int(name))
        except OSError:
            continue
    return found


def processes_of_uid(uid: int) -> list[int]:
    """Host pids owned by ``uid``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid == uid:
                found.append(int(name))
        except OSError:
            continue
    return found
