"""Binds at their own host path (the venv, Slate's packages) must be readable by the sandbox's
uid even when their host parents are private (a checkout under a 0700 folder, e.g. in /tmp):
bwrap binds them, and the folders it makes on the way are 0755."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from jail.run import RunSpec, run_async
from jail.sandbox import Bind

from .conftest import Mode


async def test_bind_under_a_private_host_folder_is_readable(mode: Mode) -> None:
    private = Path(tempfile.mkdtemp(prefix="slate-private-", dir="/tmp"))
    try:
        package = private / "checkout" / "pkg"
        package.mkdir(parents=True)
        (package / "hello.txt").write_text("readable\n")
        os.chmod(package, 0o755)
        os.chmod(package / "hello.txt", 0o644)
        os.chmod(private, 0o700)
        spec = mode.spec(["cat", str(package / "hello.txt")])
        spec = RunSpec(**{**spec.__dict__, "binds": [Bind(str(package), str(package))]})
        result = await run_async(spec)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == b"readable\n"
    finally:
        for root, dirs, files in os.walk(private, topdown=False):
            for name in files:
                os.unlink(os.path.join(root, name))
            for name in dirs:
                os.rmdir(os.path.join(root, name))
        os.rmdir(private)
