const test = require('node:test');
const assert = require('node:assert/strict');
const { formPage, thanksPage } = require('./view.js');

function createApp(options) {
  let mod;
  try {
    mod = require('./app.js');
  } catch (err) {
    assert.fail(`app.js could not run: ${err.message}. Press Run to see where.`);
  }
  assert.equal(typeof mod.createApp, 'function', 'app.js should export createApp');
  return mod.createApp(options);
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

const HTML = 'text/html; charset=utf-8';
// text/html; charset=utf-8 = text/html;charset=UTF-8
const sameType = (value) => String(value || '').toLowerCase().replace(/\s+/g, '');

test('GET / still shows the form', async () => {
  await withServer(createApp, undefined, async (port) => {
    const res = await request(port, 'GET', '/');
    assert.equal(res.status, 200, 'GET / should answer 200');
    assert.equal(res.body, formPage(), 'GET / should send formPage()');
  });
});

test("POST /sign with name=Sam answers 200 'Thank you, Sam!'", async () => {
  await withServer(createApp, undefined, async (port) => {
    const res = await postForm(port, '/sign', { name: 'Sam' });
    assert.equal(res.status, 200, 'A good POST /sign should answer 200');
    assert.equal(sameType(res.headers['content-type']), sameType(HTML), `The thank-you page should be ${HTML}`);
    assert.equal(res.body, thanksPage('Sam'), "POST /sign with name=Sam should send thanksPage('Sam')");
  });
});

test('the name is decoded and trimmed', async () => {
  await withServer(createApp, undefined, async (port) => {
    const res = await postForm(port, '/sign', { name: '  Ada & Co ', other: 'x' });
    assert.equal(res.body, thanksPage('Ada & Co'),
      "The body name=++Ada+%26+Co+ should give the name 'Ada & Co': use URLSearchParams and trim()");
    const accent = await postForm(port, '/sign', { name: 'Zoë' });
    assert.equal(accent.body, thanksPage('Zoë'), "The name 'Zoë' should come through unchanged");
  });
});

test('an empty or missing name answers 400 with the form and a message', async () => {
  await withServer(createApp, undefined, async (port) => {
    for (const fields of [{ name: '   ' }, { nickname: 'Sam' }, {}]) {
      const res = await postForm(port, '/sign', fields);
      const sent = new URLSearchParams(fields).toString() || '(nothing)';
      assert.equal(res.status, 400, `POST /sign with ${sent} should answer 400`);
      assert.equal(sameType(res.headers['content-type']), sameType(HTML), `The 400 page should be ${HTML}`);
      assert.equal(res.body, formPage('Please give your name'), `POST /sign with ${sent} should send formPage("Please give your name")`);
    }
  });
});

test('a body over 10000 bytes answers 413', async () => {
  await withServer(createApp, undefined, async (port) => {
    const res = await postForm(port, '/sign', { name: 'x'.repeat(20000) });
    assert.equal(res.status, 413, 'A 20000-byte body should answer 413');
    assert.equal(res.body, 'That is too much text', "The 413 answer should say 'That is too much text'");
  });
});

test('a body of exactly 10000 bytes is still read', async () => {
  await withServer(createApp, undefined, async (port) => {
    const name = 'y'.repeat(10000 - 'name='.length);
    const res = await postForm(port, '/sign', { name });
    assert.equal(res.status, 200, 'A body of exactly 10000 bytes is within the limit and should answer 200');
  });
});

test('other paths answer 404', async () => {
  await withServer(createApp, undefined, async (port) => {
    const res = await request(port, 'GET', '/sign-up');
    assert.equal(res.status, 404, 'GET /sign-up should answer 404');
  });
});
