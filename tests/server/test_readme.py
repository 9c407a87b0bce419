"""The README shows what `slate demo` really prints (issue 13.4: the sample had drifted)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from server import cli
from server.config import Config

README = Path(__file__).resolve().parents[2] / "README.md"


def _shape(line: str) -> str:
    """A demo line with its variable parts (password, port, data dir) blanked."""
    line = re.sub(r"password \S+", "password P", line)
    line = re.sub(r"(-p |:)\d+", r"\g<1>N", line)
    return re.sub(r"data in \S+", "data in D", line).rstrip()


def test_readme_demo_sample_matches_the_real_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server import gateway

    async def fake_serve(config: Config, *, ready: Any = None, **kwargs: Any) -> None:
        ready("127.0.0.1", 2222)

    monkeypatch.setattr(gateway, "serve", fake_serve)
    monkeypatch.chdir(tmp_path)
    real = CliRunner().invoke(cli.main, ["demo"]).stdout
    block = README.read_text().split("`make run` prints", 1)[1].split("```")[1]
    sample = [_shape(line) for line in block.strip("\n").splitlines() if line.strip()]
    shown = [_shape(line) for line in real.splitlines() if line.strip()]
    assert sample and sample == shown[: len(sample)]
