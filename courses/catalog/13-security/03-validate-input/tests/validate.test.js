const test = require('node:test');
const assert = require('node:assert/strict');

function createApp() {
  let mod;
  try {
    mod = require('./app.js');
  } catch (err) {
    assert.fail(`app.js could not run: ${err.message}. Press Run to see where.`);
  }
  assert.equal(typeof mod.createApp, 'function', 'app.js should export createApp');
  return mod.createApp();
}

// ---- helpers: start the learner's server and ask it things ----
// During a check the learner's code runs in a sandbox of its own: check.cjs asks that sandbox
// to start the server on its loopback and to send it each request there.
const check = require('/slate/harness/check.cjs');

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

// Sends a raw form body, the way an attacker would: no page, no browser.
function postBody(port, body) {
  return request(port, 'POST', '/book', {
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
  });
}

function book(port, fields) {
  return postBody(port, new URLSearchParams(fields).toString());
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

function errorOf(res) {
  try {
    return String(JSON.parse(res.body).error ?? '');
  } catch (err) {
    return '';
  }
}

function show(value) {
  const text = String(value);
  return text.length > 45 ? `a ${text.length}-letter text` : JSON.stringify(text);
}

function describeForm(fields) {
  return typeof fields === 'string' ? `the body ${show(fields)}` : `name=${show(fields.name)} day=${show(fields.day)} hour=${show(fields.hour)}`;
}

// Every bad form must answer 400 and { "error": message }.
async function expectRefused(port, fields, message) {
  const res = typeof fields === 'string' ? await postBody(port, fields) : await book(port, fields);
  const what = describeForm(fields);
  assert.equal(res.status, 400, `POST /book with ${what} answered ${res.status}, but it should be refused with 400`);
  assert.equal(errorOf(res).trim().toLowerCase(), message.toLowerCase(),
    `POST /book with ${what} should answer { "error": "${message}" }, but the answer was ${res.body.slice(0, 120)}`);
}

async function bookings(port) {
  const res = await request(port, 'GET', '/bookings');
  return JSON.parse(res.body);
}

test('a good booking answers 201 with the clean booking', async () => {
  await withServer(async (port) => {
    const res = await book(port, { name: '  Ada ', day: 'Monday', hour: '10' });
    assert.equal(res.status, 201, 'POST /book with name=Ada day=Monday hour=10 should answer 201');
    assert.deepEqual(JSON.parse(res.body), { name: 'Ada', day: 'Monday', hour: 10 },
      'The answer should be the booking with the name trimmed and the hour as a number: { name: "Ada", day: "Monday", hour: 10 }');
    assert.deepEqual(await bookings(port), [{ name: 'Ada', day: 'Monday', hour: 10 }], 'GET /bookings should list the booking');
  });
});

test('a blank or missing name answers 400: Please give your name', async () => {
  await withServer(async (port) => {
    await expectRefused(port, { name: '', day: 'Monday', hour: '10' }, 'Please give your name');
    await expectRefused(port, { name: '    ', day: 'Monday', hour: '10' }, 'Please give your name');
    await expectRefused(port, 'day=Monday&hour=10', 'Please give your name');
    await expectRefused(port, '', 'Please give your name');
  });
});

test('a 41-letter name answers 400, and a 40-letter name is fine', async () => {
  await withServer(async (port) => {
    await expectRefused(port, { name: 'n'.repeat(41), day: 'Friday', hour: '9' }, 'Your name can be at most 40 characters');
    await expectRefused(port, { name: 'n'.repeat(5000), day: 'Friday', hour: '9' }, 'Your name can be at most 40 characters');
    const ok = await book(port, { name: 'n'.repeat(40), day: 'Friday', hour: '9' });
    assert.equal(ok.status, 201, 'A name of exactly 40 letters is allowed and should answer 201');
  });
});

test('a day that is not Monday to Friday answers 400', async () => {
  await withServer(async (port) => {
    for (const day of ['Sunday', 'Saturday', '', 'Funday', '<script>alert(1)</script>', "Monday'; DROP TABLE bookings; --"]) {
      await expectRefused(port, { name: 'Sam', day, hour: '10' }, 'Please choose a day from Monday to Friday');
    }
    await expectRefused(port, 'name=Sam&hour=10', 'Please choose a day from Monday to Friday');
    for (const day of ['Tuesday', 'Wednesday', 'Thursday']) {
      const ok = await book(port, { name: 'Sam', day, hour: '11' });
      assert.equal(ok.status, 201, `day=${day} is allowed and should answer 201`);
    }
  });
});

test('an hour that is not a whole number from 9 to 16 answers 400', async () => {
  await withServer(async (port) => {
    for (const hour of ['8', '17', '9.5', 'twelve', '', '-10', '10abc', '100']) {
      await expectRefused(port, { name: 'Sam', day: 'Friday', hour }, 'The hour must be a whole number from 9 to 16');
    }
    await expectRefused(port, 'name=Sam&day=Friday', 'The hour must be a whole number from 9 to 16');
    for (const hour of ['9', '16']) {
      const ok = await book(port, { name: 'Sam', day: 'Friday', hour });
      assert.equal(ok.status, 201, `hour=${hour} is allowed (9 to 16, both included) and should answer 201`);
      assert.strictEqual(JSON.parse(ok.body).hour, Number(hour), `hour=${hour} should be stored as the number ${hour}`);
    }
  });
});

test('refused bookings are never stored', async () => {
  await withServer(async (port) => {
    await book(port, { name: '', day: 'Monday', hour: '10' });
    await book(port, { name: 'Sam', day: 'Sunday', hour: '10' });
    await book(port, { name: 'Sam', day: 'Friday', hour: '3am' });
    await book(port, { name: 'x'.repeat(60), day: 'Friday', hour: '9' });
    assert.deepEqual(await bookings(port), [],
      'After four refused bookings, GET /bookings should still be []: check the form before bookings.push(...)');
  });
});
