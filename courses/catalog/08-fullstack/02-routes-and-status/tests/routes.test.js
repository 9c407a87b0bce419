const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./app.js');
  } catch (err) {
    assert.fail(`app.js could not run: ${err.message}. Press Run to see where.`);
  }
  assert.equal(typeof mod.createApp, 'function', 'app.js should export createApp');
  return mod.createApp;
}

// ---- helpers: start the learner's server and ask it things ----
// During a check the learner's code runs in a sandbox of its own: check.cjs asks that sandbox
// to start the server on its loopback and to send it each request there.
const check = require('/slate/harness/check.cjs');

// Once the server has failed to answer, later requests fail at once instead of waiting again.
let serverHung = false;
const ANSWER_MS = 2000;

async function request(port, method, path, { body = '', headers = {} } = {}) {
  if (serverHung) {
    throw new Error('The server did not answer an earlier request, so this one was not tried.');
  }
  const res = await check.request(port, method, path, { body, headers, timeout: ANSWER_MS });
  if (res.timeout) {
    serverHung = true;
    throw new Error(`${method} ${path} got no answer within ${ANSWER_MS / 1000} seconds. ` +
      'Does every path through your code end with res.end(...)?');
  }
  return res;
}

function postForm(port, path, fields) {
  const body = new URLSearchParams(fields).toString();
  return request(port, 'POST', path, {
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
  });
}

// Start a server from createApp on a free port, run fn(port), then always stop the server.
async function withServer(createApp, options, fn) {
  let server;
  try {
    server = createApp(options);
  } catch (err) {
    assert.fail(`createApp() stopped with an error: ${err.message}`);
  }
  assert.ok(check.isServer(server), 'createApp() should return the server made by http.createServer(...)');
  let port;
  try {
    port = await check.listen(server);
  } catch (err) {
    if (/more than once|ERR_SERVER_ALREADY_LISTEN|EADDRINUSE/.test(String(err && (err.code || '') + ' ' + err.message))) {
      assert.fail('createApp() should make the server and give it back without starting it: '
        + 'the tests (and try.js) call listen themselves. Remove the .listen(...) line from createApp.');
    }
    throw err;
  }
  try {
    return await fn(port);
  } finally {
    await check.close(server);
  }
}
// ---- end of helpers ----

function expectAnswer(res, what, status, type, body) {
  assert.equal(res.status, status, `${what} should answer with status ${status}`);
  const shownType = String(res.headers['content-type'] || '').toLowerCase().replace(/\s+/g, '');
  assert.equal(shownType, `${type};charset=utf-8`, `${what} should have Content-Type ${type}; charset=utf-8`);
  if (type === 'application/json') {
    // JSON is compared by what it means: spaces and key order do not matter.
    let parsed;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      assert.fail(`${what} should answer with JSON like ${body}, but the answer is not JSON`);
    }
    assert.deepEqual(parsed, JSON.parse(body), `${what} should answer: ${body}`);
    return;
  }
  assert.equal(res.body, body, `${what} should answer: ${body}`);
}

test("GET / answers 200 'Welcome to the timetable'", async () => {
  await withServer(load(), undefined, async (port) => {
    expectAnswer(await request(port, 'GET', '/'), 'GET /', 200, 'text/plain', 'Welcome to the timetable');
  });
});

test("GET /about answers 200 'This server tells you what is on'", async () => {
  await withServer(load(), undefined, async (port) => {
    expectAnswer(await request(port, 'GET', '/about'), 'GET /about', 200, 'text/plain', 'This server tells you what is on');
  });
});

test('GET /health answers 200 with the JSON {"ok":true}', async () => {
  await withServer(load(), undefined, async (port) => {
    const res = await request(port, 'GET', '/health');
    expectAnswer(res, 'GET /health', 200, 'application/json', '{"ok":true}');
    assert.deepEqual(JSON.parse(res.body), { ok: true }, 'The body should be JSON.stringify({ ok: true })');
  });
});

test('a path the server does not know answers 404 Not found', async () => {
  await withServer(load(), undefined, async (port) => {
    expectAnswer(await request(port, 'GET', '/nowhere'), 'GET /nowhere', 404, 'text/plain', 'Not found');
    expectAnswer(await request(port, 'GET', '/about/more'), 'GET /about/more', 404, 'text/plain', 'Not found');
  });
});

test('POST / answers 405 with the header Allow: GET', async () => {
  await withServer(load(), undefined, async (port) => {
    const res = await request(port, 'POST', '/');
    expectAnswer(res, 'POST /', 405, 'text/plain', 'Method not allowed');
    assert.equal(res.headers.allow, 'GET', 'A 405 answer should have the header Allow: GET');
  });
});

test('DELETE /health also answers 405, and POST to an unknown path answers 404', async () => {
  await withServer(load(), undefined, async (port) => {
    expectAnswer(await request(port, 'DELETE', '/health'), 'DELETE /health', 405, 'text/plain', 'Method not allowed');
    expectAnswer(await request(port, 'POST', '/nowhere'), 'POST /nowhere', 404, 'text/plain', 'Not found');
  });
});
