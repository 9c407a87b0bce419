"""harness/fixture.cjs: the canned JSON service a fetch exercise's tests start in the learner's
check sandbox (real bubblewrap sandboxes, real node, real loopback HTTP), and promises handed
across the check channel that reject at once (they must reach the test, not end node)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from course_kit import COURSE, LESSON, make_exercise, write

from courses.catalog import load_catalog
from courses.checks import run_checks

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("bwrap") is None, reason="needs node and bwrap"
)

TOML = """title = "Fetch"
learn = "One thing."
files = ["api.js"]
hints = ["gentle", "specific"]

[[checks]]
kind = "node-test"
tests = ["tests/api.test.js"]
"""

TESTS = r"""
const test = require('node:test');
const assert = require('node:assert/strict');
const check = require('/slate/harness/check.cjs');
const api = require('./api.js');

test('GET gives the canned JSON', async () => {
  const server = await check.fixture([
    { method: 'GET', path: '/books', json: [{ title: 'Emma' }] },
  ]);
  try {
    assert.deepEqual(await api.titles(server.url), ['Emma']);
    assert.deepEqual(server.requests().map((r) => `${r.method} ${r.path}`), ['GET /books']);
  } finally {
    await server.close();
  }
});

test('POST body and content type are logged; unknown paths get 404', async () => {
  const server = await check.fixture([
    { method: 'POST', path: '/books', status: 201, json: { id: 4 } },
  ]);
  try {
    assert.deepEqual(
      await api.post(server.url, { title: 'Emma' }), { status: 201, body: { id: 4 } });
    assert.deepEqual(await api.post(server.url + '/nowhere', {}),
      { status: 404, body: { error: 'Not found' } });
    const [first] = server.requests();
    assert.equal(first.contentType, 'application/json');
    assert.deepEqual(JSON.parse(first.body), { title: 'Emma' });
  } finally {
    await server.close();
  }
});

test('a slow route can be given up on with AbortController', async () => {
  const server = await check.fixture([
    { path: '/slow', delay: 5000, json: [] }, { path: '/bad', body: '{ nope' },
  ]);
  try {
    const started = Date.now();
    assert.equal(await api.within(server.url + '/slow', 300), 'AbortError');
    assert.ok(Date.now() - started < 3000);
    assert.equal(await api.within(server.url + '/bad', 2000), 'SyntaxError');
  } finally {
    await server.close();
  }
});

test('a promise that rejects at once reaches the test', async () => {
  await assert.rejects(api.failsAtOnce(), { message: 'no such book' });
});
"""

GOOD = r"""
async function titles(url) {
  const response = await fetch(`${url}/books`);
  return (await response.json()).map((b) => b.title);
}
async function post(url, data) {
  const response = await fetch(url.endsWith('/nowhere') ? url : `${url}/books`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data),
  });
  return { status: response.status, body: await response.json() };
}
async function within(url, ms) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(ms) });
    await response.json();
    return 'ok';
  } catch (error) {
    return error.name === 'TimeoutError' ? 'AbortError' : error.name;
  }
}
async function failsAtOnce() { throw new Error('no such book'); }
module.exports = { titles, post, within, failsAtOnce };
"""


def exercise(tmp_path: Path, tests: str = TESTS):
    root = tmp_path / "catalog"
    write(root / "demo" / "course.toml", COURSE)
    make_exercise(
        root / "demo",
        "01-fetch",
        toml=TOML,
        starter={"api.js": "module.exports = {};\n"},
        solution={"api.js": GOOD},
        tests={"api.test.js": tests},
        lesson=LESSON,
    )
    return load_catalog(root).exercise("demo", "fetch")


def check(tmp_path: Path, code: str, tests: str = TESTS):
    ex = exercise(tmp_path, tests)
    work = tmp_path / "learner"
    work.mkdir(exist_ok=True)
    (work / "api.js").write_text(code)
    return asyncio.run(run_checks(ex, work))


def test_fixture_serves_logs_delays_and_rejections_cross(tmp_path: Path) -> None:
    result = check(tmp_path, GOOD)
    assert result.status == "passed", result.to_dict()
    assert len(result.tests) == 4


def test_fetch_that_never_asks_fails_on_the_log(tmp_path: Path) -> None:
    # Right values without asking the service: the request log (read by the tests) says so.
    code = GOOD.replace(
        "const response = await fetch(`${url}/books`);\n"
        "  return (await response.json()).map((b) => b.title);",
        "return ['Emma'];",
    )
    result = check(tmp_path, code)
    first = result.tests[0]
    assert first.name == "GET gives the canned JSON"
    assert first.status == "failed"


def test_sec_learner_stopping_the_fixture_cannot_pass(tmp_path: Path) -> None:
    # Learner code runs in the same process as the service: it can stop it or lie to it, which
    # only changes its own inputs; the verdict is made by the tests in the other sandbox.
    code = (
        "const fx = require('/slate/harness/fixture.cjs');\n"
        "for (let i = 1; i < 20; i++) fx.stop(i);\n"
        "fx.op = () => { throw new Error('gone'); };\n"
        "process.stdout.write('ok 1 - GET gives the canned JSON\\n');\n"
        "module.exports = { titles: async () => ['Emma'], post: async () => ({}),"
        " within: async () => 'AbortError', failsAtOnce: async () => { throw new Error('x'); } };\n"
    )
    result = check(tmp_path, code)
    assert result.status == "failed"
    assert [t.status for t in result.tests][:3] == ["failed", "failed", "failed"]


FLOOD_TESTS = r"""
const test = require('node:test');
const assert = require('node:assert/strict');
const check = require('/slate/harness/check.cjs');
const api = require('./api.js');

test('a flood of requests and a huge body leave the log bounded', async () => {
  const server = await check.fixture([
    { method: 'POST', path: '/books', status: 201, json: { id: 1 } },
  ]);
  try {
    assert.equal(await api.flood(server.url), 'done');
    const log = server.requests();
    assert.equal(log.length, 200);
    assert.ok(log.every((r) => r.body.length <= 64 * 1024));
  } finally {
    await server.close();
  }
});

test('too many routes are refused in plain words', async () => {
  const routes = Array.from({ length: 201 }, (_, i) => ({ path: `/r${i}` }));
  await assert.rejects(check.fixture(routes), { message: 'routes must be a list' });
});
"""

FLOOD = r"""
async function flood(url) {
  const big = 'x'.repeat(1 << 20);
  await fetch(`${url}/books`, { method: 'POST', body: big });
  for (let round = 0; round < 5; round++) {
    const all = [];
    for (let i = 0; i < 50; i++) {
      all.push(fetch(`${url}/books`, { method: 'POST', body: String(i) })
        .then((r) => r.text()));
    }
    await Promise.all(all);
  }
  return 'done';
}
module.exports = { flood };
"""


def test_sec_fixture_log_and_routes_are_bounded(tmp_path: Path) -> None:
    result = check(tmp_path, FLOOD, FLOOD_TESTS)
    assert result.status == "passed", result.to_dict()
