const test = require('node:test');
const assert = require('node:assert/strict');

// The server's clock, moved by the tests: minutes(16) is 16 minutes on.
let clock = Date.UTC(2026, 0, 5, 9, 0, 0);
function now() {
  return clock;
}
function minutes(n) {
  clock = clock + n * 60 * 1000;
}

function createApp() {
  let mod;
  try {
    mod = require('./app.js');
  } catch (err) {
    assert.fail(`app.js could not run: ${err.message}. Press Run to see where.`);
  }
  assert.equal(typeof mod.createApp, 'function', 'app.js should export createApp');
  return mod.createApp({ now });
}

// ---- helpers: start the learner's server and ask it things ----
// During a check the learner's code runs in a sandbox of its own: check.cjs asks that sandbox
// to start the server on its loopback and to send it each request there.
const check = require('/slate/harness/check.cjs');

let serverHung = false;
const ANSWER_MS = 2000;

async function login(port, name, pin) {
  if (serverHung) {
    throw new Error('The server did not answer an earlier request, so this one was not tried.');
  }
  const body = new URLSearchParams({ name, pin }).toString();
  const res = await check.request(port, 'POST', '/login', {
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
    timeout: ANSWER_MS,
  });
  if (res.timeout) {
    serverHung = true;
    throw new Error(`POST /login got no answer within ${ANSWER_MS / 1000} seconds. ` +
      'Does every path through your code end with sendJson(...)?');
  }
  return res;
}

async function withServer(fn) {
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

async function wrongTries(port, name, n) {
  for (let i = 0; i < n; i++) {
    const res = await login(port, name, `000${i}`);
    assert.equal(res.status, 401, `Wrong try number ${i + 1} for ${name} should answer 401, not ${res.status}`);
  }
}

test('the right PIN logs in, a wrong one answers 401', async () => {
  await withServer(async (port) => {
    const ok = await login(port, 'Ada', '4321');
    assert.equal(ok.status, 200, 'Ada with PIN 4321 should answer 200');
    assert.deepEqual(JSON.parse(ok.body), { welcome: 'Ada' }, 'The answer should be { "welcome": "Ada" }');
    const wrong = await login(port, 'Ada', '1234');
    assert.equal(wrong.status, 401, 'Ada with PIN 1234 should answer 401');
  });
});

test('after 3 wrong PINs, even the right PIN is refused with 429', async () => {
  await withServer(async (port) => {
    await wrongTries(port, 'Ada', 3);
    const res = await login(port, 'Ada', '4321');
    assert.equal(res.status, 429,
      `After 3 wrong tries, Ada's next try should answer 429 (too many), even with the right PIN, but it answered ${res.status}. ` +
      'Otherwise an attacker just keeps guessing until one works');
    assert.match(String(JSON.parse(res.body).error || ''), /too many/i, 'The 429 answer should say: Too many tries. Please wait 15 minutes.');
    minutes(5);
    const later = await login(port, 'Ada', '4321');
    assert.equal(later.status, 429, 'Five minutes later, Ada should still be locked out (429): the lock lasts 15 minutes');
  });
});

test("one name's lock does not stop anybody else", async () => {
  await withServer(async (port) => {
    await wrongTries(port, 'Ada', 3);
    const sam = await login(port, 'Sam', '9876');
    assert.equal(sam.status, 200, 'Ada being locked out should not stop Sam: count the tries for each name');
  });
});

test('after 15 minutes the name can log in again', async () => {
  await withServer(async (port) => {
    await wrongTries(port, 'Ada', 3);
    minutes(16);
    const res = await login(port, 'Ada', '4321');
    assert.equal(res.status, 200,
      `16 minutes after the lock, Ada with the right PIN should answer 200, not ${res.status}. Use now() for the time`);
  });
});

test('a right login starts the count again', async () => {
  await withServer(async (port) => {
    await wrongTries(port, 'Ada', 2);
    const ok = await login(port, 'Ada', '4321');
    assert.equal(ok.status, 200, 'Two wrong tries, then the right PIN, should answer 200');
    await wrongTries(port, 'Ada', 2);
    const again = await login(port, 'Ada', '4321');
    assert.equal(again.status, 200,
      'After a right login the count starts again, so two more wrong tries should not lock Ada out');
  });
});

test('an unknown name and a wrong PIN get the same answer', async () => {
  await withServer(async (port) => {
    const unknown = await login(port, 'Zed', '4321');
    const wrong = await login(port, 'Sam', '1111');
    assert.equal(unknown.status, wrong.status, 'An unknown name and a wrong PIN should answer with the same status');
    assert.equal(unknown.body, wrong.body,
      'An unknown name and a wrong PIN should get exactly the same answer, or an attacker learns which names exist');
  });
});
