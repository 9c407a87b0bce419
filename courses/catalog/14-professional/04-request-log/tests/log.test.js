const test = require('node:test');
const assert = require('node:assert/strict');

// Every line the learner's server writes to the owner's log.
const lines = [];
function ownersLog(...parts) {
  lines.push(parts.map(String).join(' '));
}

function createApp() {
  let mod;
  try {
    mod = require('./app.js');
  } catch (err) {
    assert.fail(`app.js could not run: ${err.message}. Press Run to see where.`);
  }
  assert.equal(typeof mod.createApp, 'function', 'app.js should export createApp');
  return mod.createApp({ log: ownersLog });
}

// ---- helpers: start the learner's server and ask it things ----
// During a check the learner's code runs in a sandbox of its own: check.cjs asks that sandbox
// to start the server on its loopback and to send it each request there.
const check = require('/slate/harness/check.cjs');

let serverHung = false;
const ANSWER_MS = 2000;

async function request(port, method, path, body = '') {
  if (serverHung) {
    throw new Error('The server did not answer an earlier request, so this one was not tried.');
  }
  const res = await check.request(port, method, path, {
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
    timeout: ANSWER_MS,
  });
  if (res.timeout) {
    serverHung = true;
    throw new Error(`${method} ${path} got no answer within ${ANSWER_MS / 1000} seconds.`);
  }
  return res;
}

async function withServer(fn) {
  lines.length = 0;
  let server;
  try {
    server = createApp();
  } catch (err) {
    assert.fail(`createApp() stopped with an error: ${err.message}`);
  }
  assert.ok(check.isServer(server), 'createApp() should return the server made by http.createServer(...)');
  const port = await check.listen(server);
  try {
    return await fn(port);
  } finally {
    await check.close(server);
  }
}
// ---- end of helpers ----

// A log line may be written just after the answer leaves: wait for it (up to 3 seconds).
async function linesAfter(count) {
  for (let waited = 0; lines.length < count && waited < 3000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return lines.slice();
}

function lineFor(method, path, status) {
  return new RegExp(`\\b${method}\\s+${path.replace(/[/]/g, '\\/')}(?![\\w/?])\\b.*\\b${status}\\b`);
}

test('GET /books writes one line: GET /books 200', async () => {
  await withServer(async (port) => {
    await request(port, 'GET', '/books');
    const log = await linesAfter(1);
    assert.ok(log.length > 0, 'After GET /books, the log should have a line. Call log(...) once the answer is sent');
    assert.match(log[0], lineFor('GET', '/books', 200),
      `The line for GET /books should hold the method, the path and the status: GET /books 200. It was: ${log[0]}`);
  });
});

test('every answer is logged with its own status', async () => {
  await withServer(async (port) => {
    await request(port, 'GET', '/admin');
    await request(port, 'POST', '/login', 'name=Ada&pin=4321');
    const log = await linesAfter(2);
    assert.ok(log.some((line) => lineFor('GET', '/admin', 404).test(line)),
      `GET /admin should be logged as GET /admin 404. The log was: ${log.join(' | ') || '(empty)'}`);
    assert.ok(log.some((line) => lineFor('POST', '/login', 200).test(line)),
      `A right login should be logged as POST /login 200: log the status the answer really had (res.statusCode). The log was: ${log.join(' | ') || '(empty)'}`);
  });
});

test('exactly one line for each request', async () => {
  await withServer(async (port) => {
    await request(port, 'GET', '/books');
    await request(port, 'GET', '/books');
    await request(port, 'GET', '/nothing-here');
    await linesAfter(3);
    // a moment more, in case a fourth line is on its way
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(lines.length, 3, `Three requests should make three lines, not ${lines.length}: ${lines.join(' | ') || '(empty)'}`);
  });
});

test('the query string is never logged', async () => {
  await withServer(async (port) => {
    await request(port, 'GET', '/books?key=s3cret-key');
    const log = await linesAfter(1);
    assert.ok(log.length > 0, 'GET /books?key=... should be logged too');
    assert.ok(!log.join('\n').includes('s3cret'),
      `The log shows the query string: ${log[0]}. Addresses can carry keys and tokens: log url.pathname, not req.url`);
    assert.match(log[0], lineFor('GET', '/books', 200), 'The line should read GET /books 200');
  });
});

test('what a person typed is never logged', async () => {
  await withServer(async (port) => {
    await request(port, 'POST', '/login', 'name=Ada&pin=9731');
    const log = await linesAfter(1);
    assert.ok(log.length > 0, 'POST /login should be logged too');
    assert.ok(!log.join('\n').includes('9731'),
      `The log shows the PIN that was typed: ${log.join(' | ')}. Never write a request's body to the log`);
    assert.match(log[0], lineFor('POST', '/login', 401), 'A wrong login should be logged as POST /login 401');
  });
});
