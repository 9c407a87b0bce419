"""Forged verdicts in a browser-course check (THREAT-MODEL §6, invariant 3), on the real path:
real bubblewrap, real node, real happy-dom, the real harness (dom.cjs), subject agent
(serve.cjs + dom-serve.cjs + dom-page.cjs) and the real exercise browser/events.

The learner's page and scripts run in the subject sandbox; the course's tests run in the
harness sandbox and see the page only through JSON text answers. Everything here is something a
learner's script.js can do from inside its page: leave the page's vm world for node's own
(window.constructor.constructor), patch the page helper, hand back hostile objects, rewrite
JSON, write fake TAP or channel frames to every descriptor, exit, loop forever. None may pass,
and the server audits the failed check and records no pass.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from courses.catalog import load_catalog
from courses.checks import run_checks

# happy-dom comes with `make install` (.ci/install-node-libs.py): missing, these fail, not skip.
pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("bwrap") is None, reason="needs node and bwrap"
)

CATALOG = Path(__file__).resolve().parents[2] / "courses" / "catalog"
EXERCISE = CATALOG / "10-browser" / "05-events"
BEHAVIOUR = [
    "each click on One more adds one",
    "One less takes one away",
    "Start again goes back to 0, and counting goes on from there",
]

# Out of the page's vm world into node's (the sandbox is the boundary, not vm).
ESCAPE = """
const NodeFunction = window.constructor.constructor;
const proc = NodeFunction('return process')();
const nodeRequire = proc.mainModule.require;
const NodeJSON = NodeFunction('return JSON')();
"""

FAKE_TAP = (
    "TAP version 13\\n"
    + "".join(f"ok {i + 1} - {name}\\n" for i, name in enumerate(
        ["script.js runs without an error", "the count starts at 0", *BEHAVIOUR,
         "One less never goes below 0"]))
    + "1..6\\n# pass 6\\n# fail 0\\n"
)

HOSTILE = {
    "fake TAP then exit at load": ESCAPE + f"proc.stdout.write('{FAKE_TAP}');\nproc.exit(0);\n",
    "fake TAP then exit in a click": ESCAPE
    + "document.querySelector('#plus').addEventListener('click', () => {\n"
    f"  proc.stdout.write('{FAKE_TAP}'); proc.stderr.write('{FAKE_TAP}'); proc.exit(0);\n}});\n",
    "patched helper hands back hostile objects": ESCAPE
    + """
const { Page } = nodeRequire('/slate/harness/dom-page.cjs');
const liar = () => new Proxy({ toString() { return '3'; }, valueOf() { return 3; } }, {
  get(target, key) { return key === Symbol.toPrimitive ? () => '3' : target[key]; },
});
Page.prototype.read = function () {
  const v = { get length() { return 1; } };
  Object.defineProperty(v, 'toJSON', { get() { return () => liar(); } });
  return v;
};
Page.prototype.act = function () {
  return { reloaded: false, newErrors: [], toString() { return 'ok'; } };
};
""",
    "JSON rewritten in node's world": ESCAPE
    + """
NodeJSON.stringify = () => ({ toString() { return '{"ok":"1"}'; } });
NodeJSON.parse = () => ({ ok: '1' });
""",
    "answers that lie about the count": ESCAPE
    + """
const { Page } = nodeRequire('/slate/harness/dom-page.cjs');
Page.prototype.read = function () { return '1'; };
""",
    "forged frames written to every descriptor": ESCAPE
    + """
const fs = nodeRequire('fs');
document.querySelector('#plus').addEventListener('click', () => {
  for (let id = 1; id < 50; id++) {
    const body = Buffer.from(JSON.stringify({ id, ok: '{"ok":"1"}', r: 1, v: '{"ok":"1"}' }));
    const frame = Buffer.alloc(4 + body.length);
    frame.writeUInt32BE(body.length, 0);
    body.copy(frame, 4);
    for (let fd = 0; fd < 64; fd++) { try { fs.writeSync(fd, frame); } catch (e) {} }
  }
});
""",
    "a click handler that never ends": "document.querySelector('#plus').addEventListener("
    "'click', () => { while (true) {} });\n",
    "the agent aborts mid-check": ESCAPE
    + "document.querySelector('#plus').addEventListener('click', () => "
    "proc.abort());\n",
}


def _check(tmp_path: Path, script: str) -> dict[str, Any]:
    # A catalog of this one exercise (other courses may be mid-edit while this runs).
    root = tmp_path / "catalog" / "10-browser"
    if not root.exists():
        root.mkdir(parents=True)
        shutil.copy(EXERCISE.parent / "course.toml", root / "course.toml")
        shutil.copytree(EXERCISE, root / EXERCISE.name)
    ex = load_catalog(root.parent).exercise("browser", "events")
    work = tmp_path / "learner"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(EXERCISE / "starter", work)
    (work / "script.js").write_text(script)
    return asyncio.run(run_checks(ex, work)).to_dict()


def test_the_right_answer_passes(tmp_path: Path) -> None:
    result = _check(tmp_path, (EXERCISE / "solution" / "script.js").read_text())
    assert result["status"] == "passed", result


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_sec_a_hostile_page_script_never_passes(tmp_path: Path, name: str) -> None:
    started = time.monotonic()
    result = _check(tmp_path, HOSTILE[name])
    assert result["status"] != "passed", (name, result)
    by_name = {t["name"]: t for t in result["tests"]}
    for test in BEHAVIOUR:  # the tests that need a working counter: none passed
        assert test not in by_name or by_name[test]["status"] != "passed", (name, result)
    assert "# pass 6" not in json.dumps(result["summary"])
    assert time.monotonic() - started < 120  # bounded by the check's limits


def test_sec_a_forged_dom_check_is_audited_as_failed_and_records_no_pass() -> None:
    """The same forgery through the server's own Check handler: audited failed, no pass."""
    from server import protocol
    from tests.gateway.conftest import learner_at_desk

    which = {"course": "browser", "exercise": "events"}

    async def scenario() -> tuple[Any, dict[str, Any]]:
        at = await learner_at_desk("pagefaker", "s-dom", which)
        forged = HOSTILE["fake TAP then exit in a click"]
        at.desk.ws.write_atomic("browser/events/script.js", forged)
        await at.desk.check(protocol.Check(id=2, **which))
        deadline = time.monotonic() + 120
        while not any(isinstance(p, protocol.CheckResult) for p in at.pushes):
            assert time.monotonic() < deadline, "the check never finished"
            await asyncio.sleep(0.1)
        return at, next(p for p in at.pushes if isinstance(p, protocol.CheckResult)).result

    at, result = asyncio.run(scenario())
    assert result["status"] == "failed", result
    event = at.audit.events(kind="check")[-1]
    assert event.detail["status"] == "failed"
    assert event.detail["exercise"] == "events"
    progress = at.store.progress("pagefaker").get("browser", {}).get("events", {})
    assert progress.get("state") != "passed"
    assert progress.get("attempts") == 1
