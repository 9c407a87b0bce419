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
  const folder = check.tempDir('slate-lost-');
  let failed = false;
  try {
    return await fn(path.join(folder, 'lost.db'));
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    try {
      check.removeDir(folder);
    } catch (err) {
      if (!failed) throw err;
    }
  }
}

// A fresh database and the learner's server on it.
function withBoard(fn) {
  return withDb((dbPath) => withServer(createApp, { dbPath }, (port) => fn(port, dbPath)));
}

function report(port, what, place) {
  return postForm(port, '/report', { what, place });
}

function tidy(html) {
  return String(html).replace(/>\s+</g, '><');
}

function items(dbPath) {
  try {
    return peek(dbPath, 'SELECT what, place FROM items ORDER BY id');
  } catch (err) {
    assert.fail('There is no items table in the database file. Does createApp call setup()?');
  }
}

const HTML = 'text/html; charset=utf-8';
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
  let failed = false;
  try {
    return await fn(port);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // When the test already failed, its message is the one to show,
    // even if a broken server can no longer be closed.
    await check.close(server).catch((err) => {
      if (!failed) throw err;
    });
  }
}
// ---- end of helpers ----

test('GET / on a new board shows the form and says nothing is handed in', async () => {
  await withBoard(async (port) => {
    const res = await request(port, 'GET', '/');
    assert.equal(res.status, 200, 'GET / should answer 200');
    assert.equal(sameType(res.headers['content-type']), sameType(HTML), `GET / should be ${HTML}`);
    assert.match(res.body, /<form[^>]*action="\/report"/, 'GET / should show the form that posts to /report');
    assert.ok(res.body.includes('Nothing handed in yet.'), 'A new board should say Nothing handed in yet.');
  });
});

test('handing in an item answers 303 to / and it then shows on the page', async () => {
  await withBoard(async (port) => {
    const res = await report(port, 'Blue umbrella', 'Hall');
    assert.equal(res.status, 303, 'A good POST /report should answer 303 (see other)');
    assert.equal(res.headers.location, '/', 'A good POST /report should send the header Location: /');
    const page = await request(port, 'GET', '/');
    assert.ok(tidy(page.body).includes('<li><strong>Blue umbrella</strong> found in Hall</li>'),
      'After handing in, GET / should show <li><strong>Blue umbrella</strong> found in Hall</li>');
  });
});

test('items are kept in the SQLite file, and the page shows the newest first', async () => {
  await withBoard(async (port, dbPath) => {
    await report(port, 'Keys', 'Library');
    await report(port, 'Red scarf', 'Kitchen');
    assert.deepEqual(items(dbPath), [{ what: 'Keys', place: 'Library' }, { what: 'Red scarf', place: 'Kitchen' }],
      'Both items should be rows in the items table of the database file');
    const page = tidy((await request(port, 'GET', '/')).body);
    assert.ok(page.includes('<strong>Red scarf</strong>') && page.indexOf('<strong>Red scarf</strong>') < page.indexOf('<strong>Keys</strong>'),
      'The page should show the newest item (Red scarf) above the older one (Keys): ORDER BY id DESC');
  });
});

test('nothing is lost when the server stops and starts again', async () => {
  await withDb(async (dbPath) => {
    await withServer(createApp, { dbPath }, (port) => report(port, 'Glasses', 'Garden'));
    await withServer(createApp, { dbPath }, async (port) => {
      const page = await request(port, 'GET', '/');
      assert.ok(tidy(page.body).includes('<strong>Glasses</strong> found in Garden'),
        'After a restart on the same file, the item should still show: keep it in the database, not in an array');
    });
  });
});

test('a blank answer is refused with 400 and the reason, and nothing is stored', async () => {
  await withBoard(async (port, dbPath) => {
    const what = await report(port, '   ', 'Hall');
    assert.equal(what.status, 400, 'POST /report with no "what" should answer 400');
    assert.ok(what.body.includes('Please say what was found'), 'With no "what", the page should say Please say what was found');
    const place = await report(port, 'Keys', '');
    assert.equal(place.status, 400, 'POST /report with no place should answer 400');
    assert.ok(place.body.includes('Please say where it was found'), 'With no place, the page should say Please say where it was found');
    const missing = await request(port, 'POST', '/report', {
      body: '', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': 0 },
    });
    assert.equal(missing.status, 400, 'POST /report with an empty body should answer 400');
    assert.deepEqual(items(dbPath), [], 'Refused items should not be stored');
  });
});

test('an answer over 60 letters is refused, and 60 is fine', async () => {
  await withBoard(async (port, dbPath) => {
    for (const [what, place] of [['w'.repeat(61), 'Hall'], ['Keys', 'p'.repeat(61)]]) {
      const res = await report(port, what, place);
      assert.equal(res.status, 400, `A ${what.length > 60 ? 'what' : 'place'} of 61 letters should answer 400`);
      assert.ok(res.body.includes('Keep each answer to 60 letters or fewer'), 'Say: Keep each answer to 60 letters or fewer');
    }
    assert.deepEqual(items(dbPath), [], 'Refused items should not be stored');
    const ok = await report(port, 'w'.repeat(60), 'p'.repeat(60));
    assert.equal(ok.status, 303, 'Answers of exactly 60 letters are allowed');
  });
});

test('quotes and SQL in the form are stored as plain text', async () => {
  await withBoard(async (port, dbPath) => {
    const sneaky = "x', 'y'); DROP TABLE items; --";
    let rows;
    try {
      await report(port, "Pat O'Brien's hat", sneaky);
      rows = items(dbPath);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      assert.fail("Handing in Pat O'Brien's hat stopped the server: the quote in it broke the SQL. " +
        'Use ? placeholders in the model, never glue values into SQL');
    }
    assert.deepEqual(rows, [{ what: "Pat O'Brien's hat", place: sneaky }],
      'What was typed should be stored exactly: use ? placeholders in the model, never glue values into SQL');
  });
});

test('what people type is escaped on the page', async () => {
  await withBoard(async (port) => {
    await report(port, '<script>alert("hi")</script>', '<b>Hall</b>');
    const page = await request(port, 'GET', '/');
    assert.ok(!page.body.includes('<script>'), 'An item must never reach the page as a real <script>: escape it in view.js');
    assert.ok(page.body.includes('&lt;b&gt;Hall&lt;/b&gt;'), 'The place should show escaped: &lt;b&gt;Hall&lt;/b&gt;');
  });
});

test('a body over 10000 bytes answers 413 and stores nothing', async () => {
  await withBoard(async (port, dbPath) => {
    const res = await report(port, 'Keys', 'z'.repeat(20000));
    assert.equal(res.status, 413, 'A 20000-byte body should answer 413');
    assert.deepEqual(items(dbPath), [], 'Nothing should be stored from a body that was too big');
  });
});

test('unknown paths answer 404', async () => {
  await withBoard(async (port) => {
    for (const [method, urlPath] of [['GET', '/admin'], ['GET', '/report'], ['POST', '/']]) {
      const res = await request(port, method, urlPath);
      assert.equal(res.status, 404, `${method} ${urlPath} should answer 404`);
    }
  });
});
