const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

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

// Look inside the database directly, without the learner's model.
function peek(dbPath, sql) {
  return check.sqlite(dbPath, sql);
}

async function withDb(fn) {
  const folder = check.tempDir('slate-gb-');
  try {
    return await fn(path.join(folder, 'guestbook.db'));
  } finally {
    check.removeDir(folder);
  }
}

// A fresh database and the learner's server on it.
function withGuestbook(fn) {
  return withDb((dbPath) => withServer(createApp, { dbPath }, (port) => fn(port, dbPath)));
}

function sign(port, name, message) {
  return postForm(port, '/sign', { name, message });
}

function tidy(html) {
  return String(html).replace(/>\s+</g, '><');
}

const HTML = 'text/html; charset=utf-8';
// text/html; charset=utf-8 = text/html;charset=UTF-8
const sameType = (value) => String(value || '').toLowerCase().replace(/\s+/g, '');

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

test('GET / on a new guestbook shows the form and no entries', async () => {
  await withGuestbook(async (port) => {
    const res = await request(port, 'GET', '/');
    assert.equal(res.status, 200, 'GET / should answer 200');
    assert.equal(sameType(res.headers['content-type']), sameType(HTML), `GET / should be ${HTML}: send the controller's headers`);
    assert.match(res.body, /<form[^>]*action="\/sign"/, 'GET / should show the form from view.js');
    assert.ok(res.body.includes('No entries yet. Be the first!'), 'A new guestbook should say No entries yet. Be the first!');
  });
});

test('signing answers 303 to / and the entry then shows on the page', async () => {
  await withGuestbook(async (port) => {
    const res = await sign(port, 'Ada', 'Hello, everyone');
    assert.equal(res.status, 303, 'A good POST /sign should answer 303: send the status the controller returns');
    assert.equal(res.headers.location, '/', 'A good POST /sign should send the header Location: /');
    const page = await request(port, 'GET', '/');
    assert.ok(tidy(page.body).includes('<li><strong>Ada</strong>: Hello, everyone</li>'),
      'After signing, GET / should show <li><strong>Ada</strong>: Hello, everyone</li>');
  });
});

test('entries are kept in the SQLite file, newest first', async () => {
  await withGuestbook(async (port, dbPath) => {
    await sign(port, 'Ada', 'First');
    await sign(port, 'Sam', 'Second');
    let rows;
    try {
      rows = peek(dbPath, 'SELECT name, message FROM entries ORDER BY id');
    } catch (err) {
      assert.fail('There is no entries table in the database file. Does createApp call setup()?');
    }
    assert.deepEqual(rows, [{ name: 'Ada', message: 'First' }, { name: 'Sam', message: 'Second' }],
      'Both entries should be rows in the entries table of the database file');
    const page = tidy((await request(port, 'GET', '/')).body);
    assert.ok(page.indexOf('<strong>Sam</strong>') < page.indexOf('<strong>Ada</strong>') && page.includes('<strong>Sam</strong>'),
      'The page should show the newest entry (Sam) above the older one (Ada)');
  });
});

test('nothing is lost when the server stops and starts again', async () => {
  await withDb(async (dbPath) => {
    await withServer(createApp, { dbPath }, (port) => sign(port, 'Ada', 'Before the restart'));
    await withServer(createApp, { dbPath }, async (port) => {
      const page = await request(port, 'GET', '/');
      assert.ok(tidy(page.body).includes('<strong>Ada</strong>: Before the restart'),
        'After a restart on the same file, the old entry should still show');
    });
  });
});

test('a form with no name answers 400, says why, and stores nothing', async () => {
  await withGuestbook(async (port, dbPath) => {
    const res = await sign(port, '   ', 'Who am I?');
    assert.equal(res.status, 400, 'POST /sign with no name should answer 400');
    assert.equal(sameType(res.headers['content-type']), sameType(HTML), `The 400 page should be ${HTML}`);
    assert.ok(res.body.includes('<p class="error">Please give your name</p>'), 'The 400 page should say Please give your name');
    assert.deepEqual(peek(dbPath, 'SELECT * FROM entries'), [], 'A refused entry should not be stored');
  });
});

test('a 41-letter name and a 201-letter message are refused', async () => {
  await withGuestbook(async (port) => {
    const name = await sign(port, 'n'.repeat(41), 'Hi');
    assert.equal(name.status, 400, 'A 41-letter name should answer 400');
    assert.ok(name.body.includes('Your name can be at most 40 characters'), 'Say: Your name can be at most 40 characters');
    const message = await sign(port, 'Ada', 'm'.repeat(201));
    assert.equal(message.status, 400, 'A 201-letter message should answer 400');
    assert.ok(message.body.includes('Your message can be at most 200 characters'), 'Say: Your message can be at most 200 characters');
  });
});

test("quotes and SQL in the form are stored as plain text", async () => {
  await withGuestbook(async (port, dbPath) => {
    const sneaky = "x', 'y'); DROP TABLE entries; --";
    await sign(port, "Pat O'Brien", sneaky);
    let rows;
    try {
      rows = peek(dbPath, 'SELECT name, message FROM entries');
    } catch (err) {
      assert.fail('The entries table is gone! Put every value through quote() before it goes into SQL');
    }
    assert.deepEqual(rows, [{ name: "Pat O'Brien", message: sneaky }], 'The name and message should be stored exactly as typed');
  });
});

test('names and messages are escaped on the page', async () => {
  await withGuestbook(async (port) => {
    await sign(port, '<b>Eve</b>', '<script>alert("hi")</script>');
    const page = await request(port, 'GET', '/');
    assert.ok(!page.body.includes('<script>'), 'A message must never reach the page as a real <script>');
    assert.ok(page.body.includes('&lt;b&gt;Eve&lt;/b&gt;'), 'The name should show escaped');
  });
});

test('a body over 10000 bytes answers 413 and stores nothing', async () => {
  await withGuestbook(async (port, dbPath) => {
    const res = await sign(port, 'Ada', 'z'.repeat(20000));
    assert.equal(res.status, 413, 'A 20000-byte body should answer 413');
    assert.deepEqual(peek(dbPath, 'SELECT * FROM entries'), [], 'Nothing should be stored from a body that was too big');
  });
});

test('unknown paths answer 404 with the Not found page', async () => {
  await withGuestbook(async (port) => {
    for (const [method, urlPath] of [['GET', '/admin'], ['GET', '/sign'], ['POST', '/']]) {
      const res = await request(port, method, urlPath);
      assert.equal(res.status, 404, `${method} ${urlPath} should answer 404`);
      assert.match(res.body, /Not found/, `${method} ${urlPath} should show the Not found page`);
    }
  });
});
