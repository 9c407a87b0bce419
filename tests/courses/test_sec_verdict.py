"""Forged verdicts and leaked course material (THREAT-MODEL §6, ARCHITECTURE invariant 3), against
the real check path: real bubblewrap sandboxes, real node, the real harness and subject.

A node-test check's course tests run in a harness sandbox; the learner's code runs in another
one and is reached only over a pipe. Every attempt here is something learner code can do in its
own sandbox: write node's test-runner frames or TAP anywhere it can reach, look for a secret,
patch globals, exit early, hand back hostile objects, never answer, flood. None may pass a check,
and no byte of the course's tests, reference, mutants or solution may reach the result.

The "audit record" of a check is written by the server (tests/gateway/test_sec_verdict_ssh.py
drives the same forgery through a real SSH session and asserts the audited, failed check).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from courses.checks import run_checks
from courses.kinds import tdd as tdd_kind
from courses.model import CheckContext, Exercise

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("bwrap") is None, reason="needs node and bwrap"
)

MARKER = "SLATE-SECRET-7c1f"  # in every course file: it must never reach a result

COURSE_TEST = f"""// {MARKER} course test source
const test = require('node:test');
const assert = require('node:assert');
const {{ greet }} = require('./greet.js');

test("greet('Sam') says hello to Sam", () => {{
  assert.strictEqual(greet('Sam'), 'Hello, Sam!');
}});

test('greet works for another name', () => {{
  assert.strictEqual(greet('Ann'), 'Hello, Ann!', 'greet should use the name it is given');
}});
"""
GOOD = "function greet(name) { return `Hello, ${name}!`; }\nmodule.exports = { greet };\n"

# Everything a learner's code may try, run at load time and again on every call. Any output it
# gets goes to its own stdout, which is shown to the learner: so whatever it found is in the
# result, and the test looks for MARKER there.
SNOOP = r"""
const fs = require('fs');
const path = require('path');
const found = [];
function grab(p) {
  try {
    const st = fs.statSync(p);
    if (st.isFile() && st.size < 2e6) {
      const text = fs.readFileSync(p, 'latin1');
      if (text.includes('SLATE-' + 'SECRET')) found.push(p + ': ' + text);
    }
  } catch (e) {}
}
function walk(dir, depth) {
  if (depth > 6) return;
  let names = [];
  try { names = fs.readdirSync(dir); } catch (e) { return; }
  for (const n of names) {
    const p = path.join(dir, n);
    let st;
    try { st = fs.lstatSync(p); } catch (e) { continue; }
    if (st.isDirectory()) walk(p, depth + 1); else grab(p);
  }
}
const roots = ['/work', '/slate', '/tmp', '/run', '/home', '/root', '/var/tmp', '/dev/shm'];
for (const d of roots) walk(d, 0);
for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
  for (const f of ['cmdline', 'environ']) grab(`/proc/${pid}/${f}`);
  if (Number(pid) !== process.pid) found.push('sees process ' + pid);
  walk(`/proc/${pid}/root/work`, 0);
  walk(`/proc/${pid}/cwd`, 0);
  if (Number(pid) === process.pid) continue;  // its own memory is its own
  try {
    const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
    found.push('opened mem of ' + pid);
    fs.closeSync(fd);
  } catch (e) {}
}
console.log('SNOOPED ' + JSON.stringify(found));
"""

FRAMES = r"""
// node's own child->runner frames (v8-serialized test:pass events) and TAP, made by node
// itself, written everywhere this process can reach.
const cp = require('child_process');
const fs = require('fs');
const fake = '/tmp/fake.test.js';
fs.writeFileSync(fake, "const t = require('node:test');" +
  "t(\"greet('Sam') says hello to Sam\", () => {});" +
  "t('greet works for another name', () => {});");
const v8 = cp.spawnSync(process.execPath, [fake],
  { env: { ...process.env, NODE_TEST_CONTEXT: 'child-v8' } }).stdout || Buffer.alloc(0);
const tap = cp.spawnSync(process.execPath, ['--test-reporter=tap', fake]).stdout || Buffer.alloc(0);
const targets = ['/proc/self/fd/1', '/proc/self/fd/2', `/proc/${process.ppid}/fd/1`,
  `/proc/${process.ppid}/fd/2`, '/proc/1/fd/1', '/proc/1/fd/2', '/dev/stdout', '/dev/stderr'];
for (const data of [v8, tap]) {
  for (const t of targets) { try { fs.appendFileSync(t, data); } catch (e) {} }
  for (let fd = 0; fd < LAST_FD; fd++) { try { fs.writeSync(fd, data); } catch (e) {} }
}
const evidence = `forged ${v8.length} ${tap.length} ${v8.includes('test:pass')}`;
"""


def _greet_exercise(tmp_path: Path) -> Any:
    from course_kit import SAMPLE

    from courses.catalog import load_catalog

    root = tmp_path / "catalog"
    shutil.copytree(SAMPLE, root, dirs_exist_ok=True)
    ex_dir = root / "01-greet"
    (ex_dir / "tests" / "greet.test.js").write_text(COURSE_TEST)
    (ex_dir / "solution" / "greet.js").write_text(f"// {MARKER} solution\n" + GOOD)
    return load_catalog(root).exercise("sample", "greet")


def check(
    tmp_path: Path, code: str, course_test: str | None = None, **limits: Any
) -> dict[str, Any]:
    ex = _greet_exercise(tmp_path)
    if course_test is not None:
        (ex.dir / "tests" / "greet.test.js").write_text(course_test)
    if limits:
        ex.limits = {**ex.limits, **limits}
    work = tmp_path / "learner"
    work.mkdir(exist_ok=True)
    (work / "greet.js").write_text(code)
    result = asyncio.run(run_checks(ex, work)).to_dict()
    assert MARKER not in json.dumps(result), "course material reached the result"
    return result


def failed_everywhere(result: dict[str, Any]) -> bool:
    return result["status"] != "passed" and all(t["status"] != "passed" for t in result["tests"])


def test_the_good_answer_still_passes(tmp_path: Path) -> None:
    result = check(tmp_path, GOOD)
    assert result["status"] == "passed", result


def test_sec_runner_frames_and_tap_written_everywhere_do_not_pass(tmp_path: Path) -> None:
    everywhere = "const LAST_FD = 64;\n" + FRAMES  # the pipes to the harness among them
    but_the_channel = "const LAST_FD = 3;\n" + FRAMES
    for code in (
        everywhere + "process.exit(0);\n",
        "function greet(n) {\n" + everywhere + "return evidence;\n}\nmodule.exports = { greet };\n",
        "function greet(n) {\n" + but_the_channel + "return evidence;\n}\n"
        "module.exports = { greet };\n",
    ):
        result = check(tmp_path, code)
        assert failed_everywhere(result), result
    # The forgery was real: node made the frames of a full pass, and they were written.
    message = result["tests"][0]["message"]
    assert re.search(r"forged [1-9]\d* [1-9]\d* true", message), message


def test_sec_a_learner_finds_no_secret_and_no_course_file(tmp_path: Path) -> None:
    """No nonce, no harness process, no course file is visible from the learner's sandbox."""
    code = (
        SNOOP + "function greet(n) {\n" + SNOOP + "return 'nope';\n}\nmodule.exports = { greet };\n"
    )
    result = check(tmp_path, code)
    assert failed_everywhere(result)
    output = "\n".join(t["output"] for t in result["tests"])
    assert "SNOOPED []" in output, output  # it ran, and found nothing: no file, no /proc/<pid>/mem


def test_sec_patched_globals_and_prototypes_do_not_pass(tmp_path: Path) -> None:
    code = r"""
const assert = require('assert');
for (const k of Object.keys(assert)) { try { assert[k] = () => {}; } catch (e) {} }
Object.prototype.ok = true; Object.prototype.status = 'passed'; Object.prototype.passed = true;
Array.prototype.map = () => []; Array.prototype.includes = () => true;
JSON.stringify = () => '{"status":"passed"}'; JSON.parse = () => ({ status: 'passed' });
const then = Promise.prototype.then;
Promise.prototype.then = function (ok, bad) { return then.call(this, ok, ok); };
Object.defineProperty = () => {}; Object.freeze = (o) => o;
String.prototype.toString = () => 'Hello, Sam!';
globalThis.process.exitCode = 0;
function greet(n) { return 'nope'; }
module.exports = { greet };
"""
    result = check(tmp_path, code)
    assert failed_everywhere(result), result


def test_sec_early_exit_and_printed_results_do_not_pass(tmp_path: Path) -> None:
    printed = (
        "console.log('TAP version 13\\nok 1 - greet(\\'Sam\\') says hello to Sam\\n"
        "ok 2 - greet works for another name\\n"
        "1..2\\n# pass 2\\n# fail 0');\n"
    )
    for code in (
        printed + "process.exit(0);\n",
        "function greet(n) {\n" + printed + "process.exit(0);\n}\nmodule.exports = { greet };\n",
        "process.kill(process.pid, 'SIGKILL');\n",
        "function greet(n) { process.abort(); }\nmodule.exports = { greet };\n",
    ):
        result = check(tmp_path, code)
        assert failed_everywhere(result), (code, result)


def test_sec_hostile_values_never_read_as_right(tmp_path: Path) -> None:
    """What the learner's function gives back crosses as data or as a handle: a hostile
    toString/valueOf/getter/Proxy runs in the learner's sandbox and can't equal a string."""
    hostile = [
        "return { toString: () => `Hello, ${n}!`, valueOf: () => `Hello, ${n}!`,"
        " [Symbol.toPrimitive]: () => `Hello, ${n}!` };",
        "return new Proxy({}, { get: () => () => `Hello, ${n}!`,"
        " getPrototypeOf: () => String.prototype });",
        "return new Proxy(function () {}, { apply: () => `Hello, ${n}!`,"
        " get: (t, k) => (k === 'length' ? 11 : `Hello, ${n}!`) });",
        "const o = {}; Object.defineProperty(o, 'x', { get() { throw new Error('boom'); },"
        " enumerable: true }); return o;",
        "class Str extends String {} return new Str(`Hello, ${n}!`);",
        "const a = []; a.push(a); return a;",
        "return { then(ok) { ok(`Hello, ${n}!`); } };",
        "let deep = 'x'; for (let i = 0; i < 100000; i++) deep = [deep]; return deep;",
    ]
    for body in hostile:
        code = f"function greet(n) {{ {body} }}\nmodule.exports = {{ greet }};\n"
        result = check(tmp_path, code)
        assert failed_everywhere(result), (body, result)


def test_sec_a_learner_that_never_answers_hits_a_limit(tmp_path: Path) -> None:
    start = time.monotonic()
    result = check(
        tmp_path,
        "function greet(n) { while (true) {} }\nmodule.exports = { greet };\n",
        wall=3,
    )
    assert time.monotonic() - start < 15
    assert failed_everywhere(result)
    assert "took too long" in result["tests"][0]["message"]


def test_sec_a_flood_into_the_channel_or_output_does_not_pass(tmp_path: Path) -> None:
    for code in (
        # Garbage, then huge frames, into every fd (the channel among them).
        "const fs = require('fs'); const big = Buffer.alloc(1 << 20, 0x7f);\n"
        "for (let i = 0; i < 64; i++) for (let fd = 3; fd < 32; fd++) {"
        " try { fs.writeSync(fd, big); } catch (e) {} }\n"
        + GOOD.replace("`Hello, ${name}!`", "'x'"),
        # Well-formed answers nobody asked for, as fast as possible.
        "const fs = require('fs');\n"
        "function frame(o) { const b = Buffer.from(JSON.stringify(o)); const h = Buffer.alloc(4);"
        " h.writeUInt32BE(b.length); return Buffer.concat([h, b]); }\n"
        "for (let i = 1; i < 200000; i++) for (let fd = 3; fd < 16; fd++) {"
        " try { fs.writeSync(fd, frame({ a: i, v: 'Hello, Sam!' })); } catch (e) {} }\n"
        "function greet(n) { return 'nope'; }\nmodule.exports = { greet };\n",
        "while (true) process.stdout.write('x'.repeat(65536));\n",
    ):
        result = check(tmp_path, code)
        assert failed_everywhere(result), result


# --- tdd: the learner's tests are the untrusted side ------------------------------------------

REFERENCE = f"""// {MARKER} reference
function total(prices) {{
  let sum = 0; // {MARKER}
  for (const p of prices) sum += p;
  return sum;
}}
module.exports = {{ total }};
"""
MUTANT = REFERENCE.replace("for (const p of prices) sum += p;", "for (const p of prices) sum -= p;")


def _tdd(tmp_path: Path, learner_tests: str) -> list[dict[str, str]]:
    from jail.run import Limits

    ex_dir = tmp_path / "exercise"
    (ex_dir / "tests" / "mutants").mkdir(parents=True, exist_ok=True)
    (ex_dir / "tests" / "reference.js").write_text(REFERENCE)
    (ex_dir / "tests" / "mutants" / "minus.js").write_text(MUTANT)
    (ex_dir / "tests" / "course.test.js").write_text(COURSE_TEST)
    table = {
        "kind": "tdd",
        "tests": "total.test.js",
        "subject": "total.js",
        "reference": "tests/reference.js",
        "mutants": [{"file": "tests/mutants/minus.js", "description": "`total` took away"}],
    }
    exercise = Exercise(
        course_id="tdd",
        id="demo",
        title="Demo",
        learn="TDD",
        dir=ex_dir,
        files=["total.test.js", "total.js"],
        hints=["a", "b"],
        checks=[table],
    )
    assert tdd_kind.validate(table, exercise) == []
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    (work / "total.test.js").write_text(learner_tests)
    (work / "total.js").write_text("module.exports = { total: () => 0 };\n")
    ctx = CheckContext(exercise=exercise, work_dir=work, learner_dir=None, limits=Limits())
    outcomes = asyncio.run(tdd_kind.run(table, ctx))
    found = [
        {"name": o.name, "status": o.status, "message": o.message, "output": o.output}
        for o in outcomes
    ]
    assert MARKER not in json.dumps(found), "the reference or a mutant reached the result"
    return found


TDD_HEAD = (
    "const test = require('node:test');\nconst assert = require('node:assert');\n"
    "const { total } = require('./total.js');\n"
)


def test_tdd_good_tests_still_pass(tmp_path: Path) -> None:
    found = _tdd(tmp_path, TDD_HEAD + "test('adds', () => assert.strictEqual(total([2, 3]), 5));\n")
    assert [f["status"] for f in found] == ["passed", "passed"], found


def test_sec_tdd_tests_cannot_print_the_reference(tmp_path: Path) -> None:
    leak = (
        TDD_HEAD
        + SNOOP
        + r"""
const tries = ['SNOOPED ' + JSON.stringify(found)];
const attempt = (label, fn) => {
  try { tries.push(label + ': ' + String(fn())); }
  catch (e) { tries.push(label + ' threw ' + e.message); }
};
attempt('toString', () => total.toString());
attempt('Function.prototype.toString', () => Function.prototype.toString.call(total));
attempt('template', () => `${total}`);
attempt('constructor', () => total.constructor('return 1')());
attempt('remote Function', () => total.constructor.constructor('return process.pid')());
attempt('call.toString', () => total.call.toString());
attempt('names', () => Object.getOwnPropertyNames(total).join());
attempt('proto', () => Object.getPrototypeOf(total) === Function.prototype);
attempt('__proto__', () => total.__proto__);
attempt('error stack', () => { try { total(null); } catch (e) { return e.stack; } });
attempt('error via getter',
  () => total({ [Symbol.iterator]() { throw new Error(new Error().stack); } }));
attempt('caller', () => total([{ valueOf() { return String(new Error().stack); } }]));
attempt('inspect', () => require('util').inspect(total, { showHidden: true, depth: 5 }));
test('adds', () => assert.strictEqual(total([2, 3]), 5));
// Fail on purpose, so everything printed is shown in the result.
test('leak', () => { console.log(JSON.stringify(tries)); assert.fail(JSON.stringify(tries)); });
"""
    )
    found = _tdd(tmp_path, leak)
    assert found[0]["status"] == "failed", found
    shown = found[0]["output"] + found[0]["message"]
    assert "SNOOPED []" in shown, shown  # the snooping ran and found no course file
    assert "toString: function () { [native code] }" in shown, shown  # a placeholder, no source


def test_sec_tdd_tests_cannot_tell_the_reference_from_a_mutant(tmp_path: Path) -> None:
    """Passing on the reference and failing on a mutant needs a test of behaviour: a test file
    that tries to tell the versions apart any other way (files, environment, names, arity,
    run order) sees the same on every run, so it catches nothing or fails everywhere."""
    sniff = (
        TDD_HEAD
        + r"""
const fs = require('fs');
const clues = [];
for (const d of ['/work', '/tmp', '/slate/harness']) {
  try { clues.push(fs.readdirSync(d).join()); } catch (e) {}
}
clues.push(JSON.stringify(process.env), total.name, String(total.length), process.cwd());
try { fs.writeFileSync('/work/seen', 'x'); clues.push('wrote'); } catch (e) { clues.push('ro'); }
const key = require('crypto').createHash('sha256').update(clues.join('|')).digest('hex');
test('looks like the reference', () => {
  // a "test" that passes or fails from clues alone, never from what total does
  assert.ok(!key.endsWith('0') || key.length === 64);
  if (fs.existsSync('/work/tests') || /mutant/i.test(clues.join())) assert.fail('mutant!');
});
"""
    )
    found = _tdd(tmp_path, sniff)
    assert not all(f["status"] == "passed" for f in found), found
    assert found[1]["status"] == "failed", found  # the mutant was not "caught"


def test_sec_an_es_module_import_never_runs_learner_code_in_the_harness(tmp_path: Path) -> None:
    """import() bypasses require(): the harness refuses to import any learner file, so a
    learner module that would write TAP into the harness's own stdout never runs there."""
    course_test = COURSE_TEST.replace(
        "const {{ greet }} = require('./greet.js');".replace("{{", "{").replace("}}", "}"),
        "let greet; test.before(async () => { ({ greet } = await import('./greet.js')); });",
    )
    assert "await import" in course_test
    forger = (
        "process.stdout.write('ok 1 - greet(\\'Sam\\') says hello to Sam\\n"
        "ok 2 - greet works for another name\\n1..2\\n');\n" + GOOD
    )
    result = check(tmp_path, forger, course_test=course_test)
    assert failed_everywhere(result), result


def test_sec_the_harness_and_the_learner_are_apart(tmp_path: Path) -> None:
    """The course's tests and the learner's code run in different sandboxes: separate pid
    namespaces always, and under different host uids when the server is root (the learner's
    own uid for their code, the jail's unprivileged one for the course's tests)."""
    import os

    course_test = (
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "const { greet } = require('./greet.js');\n"
        "test(\"greet('Sam') says hello to Sam\", () => {\n"
        "  const fs = require('fs');\n"
        "  const mine = fs.readdirSync('/proc').filter((n) => /^\\d+$/.test(n)).join(',');\n"
        "  assert.strictEqual(greet('who'), `harness uid ${process.getuid()} pids ${mine}`);\n"
        "});\n"
        "test('greet works for another name', () => {});\n"
    )
    learner = (
        "function greet(n) { const fs = require('fs');\n"
        "  const pids = fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).join(',');\n"
        "  return `learner uid ${process.getuid()} pids ${pids}`; }\nmodule.exports = { greet };\n"
    )
    ex = _greet_exercise(tmp_path)
    (ex.dir / "tests" / "greet.test.js").write_text(course_test)
    work = tmp_path / "learner"
    work.mkdir(exist_ok=True)
    (work / "greet.js").write_text(learner)
    root = os.geteuid() == 0
    uid = 3_099_998 if root else None
    result = asyncio.run(run_checks(ex, work, host_uid=uid)).to_dict()
    message = result["tests"][0]["message"]
    found = re.search(
        r"learner uid (\d+) pids ([\d,]+)' but the test expected 'harness uid "
        r"(\d+) pids ([\d,]+)'",
        message,
    )
    assert found, message
    learner_uid, learner_pids, harness_uid, harness_pids = found.groups()
    # Each sees only its own sandbox's processes (it is pid 1 there): no /proc of the other.
    assert learner_pids.split(",")[0] == "1" and harness_pids.split(",")[0] == "1"
    assert len(harness_pids.split(",")) <= 2, harness_pids
    if root:
        assert int(learner_uid) == uid
        assert int(harness_uid) == 65534 and harness_uid != learner_uid


def test_sec_a_course_test_that_imports_learner_code_is_refused_at_validation(
    tmp_path: Path,
) -> None:
    """On a node without module.register the harness could not refuse import(): the catalog
    validator refuses such a course test instead."""
    from courses.kinds import node_test

    ex = _greet_exercise(tmp_path)
    check_table = ex.checks[0]
    assert node_test.validate(check_table, ex) == []
    for line in ("const m = await import('./greet.js');", "import { greet } from './greet.js';"):
        (ex.dir / "tests" / "greet.test.js").write_text(COURSE_TEST + line + "\n")
        problems = node_test.validate(check_table, ex)
        assert problems and "require('./file.js')" in problems[0], problems
