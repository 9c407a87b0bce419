const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

function load() {
  let mod;
  try {
    mod = require('./model.js');
  } catch (err) {
    assert.fail(`model.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['quote', 'createModel']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`model.js should export a function called ${name}`);
    }
  }
  return mod;
}

// Look inside the database directly, without the learner's model.
function peek(dbPath, sql) {
  return check.sqlite(dbPath, sql);
}

// A fresh database file in a temporary folder, removed afterwards.
async function withDb(fn) {
  const folder = check.tempDir('slate-db-');
  try {
    return await fn(path.join(folder, 'guestbook.db'));
  } finally {
    check.removeDir(folder);
  }
}

function readyModel(dbPath) {
  const model = load().createModel(dbPath);
  assert.equal(typeof (model && model.setup), 'function', 'createModel(dbPath) should return an object with setup()');
  setUpAgain(model);
  return model;
}

// setup() runs every time the server starts, so it must work on a file that already has the table.
function setUpAgain(model) {
  try {
    model.setup();
  } catch (error) {
    const why = /already exists/.test(String(error && error.message)) ? ' (the table entries already exists)' : '';
    assert.fail(`setup() stopped with an error on a database that was set up before${why}. `
      + 'Write CREATE TABLE IF NOT EXISTS, so setup() can run every time the server starts.');
  }
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

test("quote('tea') returns 'tea' inside single quotes", () => {
  const { quote } = load();
  assert.equal(quote('tea'), "'tea'", "quote('tea') should return 'tea' with single quotes around it");
});

test("quote(\"O'Brien\") doubles the quote inside", () => {
  const { quote } = load();
  assert.equal(quote("O'Brien"), "'O''Brien'", "quote(\"O'Brien\") should return 'O''Brien'");
  assert.equal(quote("''"), "''''''", "quote(\"''\") should double both quotes: ''''''");
  assert.equal(quote(42), "'42'", "quote(42) should return '42'");
});

test('setup() creates the entries table, and running it twice is fine', async () => {
  await withDb(async (dbPath) => {
    const model = readyModel(dbPath);
    setUpAgain(model);
    const tables = peek(dbPath, "SELECT name FROM sqlite_master WHERE type = 'table'").map((row) => row.name);
    assert.ok(tables.includes('entries'), 'setup() should create a table called entries');
    const columns = peek(dbPath, 'PRAGMA table_info(entries)').map((row) => row.name);
    for (const column of ['id', 'name', 'message']) {
      assert.ok(columns.includes(column), `The entries table should have a column called ${column}`);
    }
  });
});

test("add('Ada', 'Hello') stores the entry and returns { id: 1, name, message }", async () => {
  await withDb(async (dbPath) => {
    const model = readyModel(dbPath);
    const entry = model.add('  Ada ', ' Hello ');
    assert.deepEqual(entry, { id: 1, name: 'Ada', message: 'Hello' }, 'add should trim and return the stored entry');
    const rows = peek(dbPath, 'SELECT id, name, message FROM entries');
    assert.deepEqual(rows, [{ id: 1, name: 'Ada', message: 'Hello' }], 'The entry should be in the database file');
  });
});

test('all() lists entries newest first and count() counts them', async () => {
  await withDb(async (dbPath) => {
    const model = readyModel(dbPath);
    assert.deepEqual(model.all(), [], 'all() on an empty table should return []');
    assert.equal(model.count(), 0, 'count() on an empty table should return 0');
    model.add('Ada', 'First');
    model.add('Sam', 'Second');
    const names = model.all().map((entry) => entry.name);
    assert.deepEqual(names, ['Sam', 'Ada'], 'all() should put the newest entry first');
    assert.equal(model.count(), 2, 'count() should return 2 after two entries');
  });
});

test("a name with a quote, like O'Brien, is stored exactly", async () => {
  await withDb(async (dbPath) => {
    const model = readyModel(dbPath);
    try {
      model.add("Pat O'Brien", "It's working, isn't it?");
    } catch (err) {
      assert.fail("add() broke on the name Pat O'Brien: the quote in it ended the SQL text early. " +
        'Put every value through quote().');
    }
    const rows = peek(dbPath, 'SELECT name, message FROM entries');
    assert.deepEqual(rows, [{ name: "Pat O'Brien", message: "It's working, isn't it?" }],
      'Quotes in names and messages should be stored exactly: use quote() on every value');
  });
});

test('SQL typed into a name is stored as text, never run', async () => {
  await withDb(async (dbPath) => {
    const model = readyModel(dbPath);
    const sneaky = "x', 'y'); DROP TABLE entries; --";
    try {
      model.add(sneaky, 'hello');
    } catch (err) {
      assert.fail('add() broke on a name with a quote in it. Put every value through quote().');
    }
    const tables = peek(dbPath, "SELECT name FROM sqlite_master WHERE type = 'table'").map((row) => row.name);
    assert.ok(tables.includes('entries'), 'The entries table was dropped by a name! Put every value through quote()');
    assert.deepEqual(peek(dbPath, 'SELECT name FROM entries'), [{ name: sneaky }], 'The sneaky name should be stored as plain text');
  });
});

test('an empty name or message is refused and nothing is stored', async () => {
  await withDb(async (dbPath) => {
    const model = readyModel(dbPath);
    assert.throws(() => model.add('  ', 'Hi'), { message: 'Please give your name' }, 'An empty name should throw "Please give your name"');
    assert.throws(() => model.add(null, 'Hi'), { message: 'Please give your name' }, 'A missing name should throw "Please give your name"');
    assert.throws(() => model.add('Ada', ''), { message: 'Please write a message' }, 'An empty message should throw "Please write a message"');
    assert.deepEqual(peek(dbPath, 'SELECT * FROM entries'), [], 'Refused entries should not be stored');
  });
});

test('the entries are still there for a new model on the same file', async () => {
  await withDb(async (dbPath) => {
    readyModel(dbPath).add('Ada', 'Still here?');
    const again = readyModel(dbPath);
    assert.deepEqual(again.all(), [{ id: 1, name: 'Ada', message: 'Still here?' }],
      'A second model on the same file should see the entry: keep the data in the database, not in an array');
  });
});

test('the routes in app.js work with your model', async () => {
  await withDb(async (dbPath) => {
    const { createApp } = require('./app.js');
    await withServer(createApp, { dbPath }, async (port) => {
      const created = await postForm(port, '/api/entries', { name: 'Sam', message: 'Hi from the server' });
      assert.equal(created.status, 201, 'POST /api/entries should answer 201 once add() works');
      const refused = await postForm(port, '/api/entries', { name: '', message: 'x' });
      assert.equal(refused.status, 400, 'POST /api/entries with no name should answer 400');
      const list = await request(port, 'GET', '/api/entries');
      assert.deepEqual(JSON.parse(list.body), [{ id: 1, name: 'Sam', message: 'Hi from the server' }],
        'GET /api/entries should list what was added');
    });
  });
});
