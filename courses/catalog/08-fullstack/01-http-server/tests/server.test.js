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

test('GET / answers with status 200', async () => {
  await withServer(load(), undefined, async (port) => {
    const res = await request(port, 'GET', '/');
    assert.equal(res.status, 200, 'The status should be 200: res.statusCode = 200;');
  });
});

test('the answer is plain text', async () => {
  await withServer(load(), undefined, async (port) => {
    const res = await request(port, 'GET', '/');
    assert.equal(String(res.headers['content-type'] || '').toLowerCase().replace(/\s+/g, ''), 'text/plain;charset=utf-8',
      'Set the header: res.setHeader("Content-Type", "text/plain; charset=utf-8");');
  });
});

test("the body is 'Hello from Slate!'", async () => {
  await withServer(load(), undefined, async (port) => {
    const res = await request(port, 'GET', '/');
    assert.equal(res.body, 'Hello from Slate!', 'End the answer with res.end("Hello from Slate!");');
  });
});

test('the server answers every request, not just the first', async () => {
  await withServer(load(), undefined, async (port) => {
    for (const path of ['/', '/another', '/']) {
      const res = await request(port, 'GET', path);
      assert.equal(res.body, 'Hello from Slate!', `GET ${path} should also get Hello from Slate!`);
    }
  });
});
