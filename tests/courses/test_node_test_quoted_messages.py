"""A course's failure message reaches the learner as written, whatever quotes it holds.

node's TAP reporter quotes a one-line message the way util.inspect does: '...' normally,
"..." when the message holds an apostrophe, `...` when it holds both kinds of quote, with a
backslash before a quote or backslash inside. Before the fix, every message with an
apostrophe ("the loop's condition", "(reading 'name')") was shown wrapped in quote marks.
Runs real node and the real TAP parser; control escapes must stay visible text."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from courses.kinds.node_test import explain
from courses.tap import parse_tap

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")

MESSAGES = {
    "plain": "Plain words: check line 3.",
    "apostrophe": "Check the loop's condition.",
    "both": 'It\'s called "total" here.',
    "all-three": 'It\'s "total" and `sum`.',
    "backslash": "A path like a\\b is fine, isn't it?",
}


def _explained(tmp_path: Path, messages: dict[str, str]) -> dict[str, str]:
    lines = ["const test = require('node:test');", "const assert = require('node:assert');"]
    for name, message in messages.items():
        lines.append(f"test({name!r}, () => {{ assert.fail({_js(message)}); }});")
    (tmp_path / "m.test.js").write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        ["node", "--test", "--test-reporter=tap", "m.test.js"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return {leaf.name: explain(leaf, []) for leaf in parse_tap(out).leaves()}


def _js(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_messages_with_any_quotes_arrive_as_written(tmp_path: Path) -> None:
    got = _explained(tmp_path, MESSAGES)
    assert got == MESSAGES


def test_control_escapes_stay_visible_text(tmp_path: Path) -> None:
    got = _explained(tmp_path, {"escape": "it's \x1b[31mred"})
    assert "\x1b" not in got["escape"]
    assert got["escape"] == "it's \\x1B[31mred"
