const test = require('node:test');
const assert = require('node:assert/strict');

// What the owner's log received, as text.
const logged = [];
function ownersLog(...parts) {
  logged.push(parts.map((part) => (part && typeof part === 'object' ? `${part.name || ''}: ${part.message || ''} ${part.stack || ''}` : String(part))).join(' '));
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

async function get(port, path) {
  if (serverHung) {
    throw new Error('The server did not answer an earlier request, so this one was not tried.');
  }
  let res;
  try {
    res = await check.request(port, 'GET', path, { timeout: ANSWER_MS });
  } catch (err) {
    serverHung = true;
    assert.fail(`GET ${path} got no answer: the server stopped. An error inside one request must never stop ` +
      'the whole server: catch it with try and catch around handle(req, res)');
  }
  if (res.timeout) {
    serverHung = true;
    throw new Error(`GET ${path} got no answer within ${ANSWER_MS / 1000} seconds. ` +
      'Does every path through your code end with res.end(...)? The catch part too?');
  }
  return res;
}

async function withServer(fn) {
  if (serverHung) {
    assert.fail('The server stopped during an earlier test (an error it did not catch), so this test could not run. ' +
      'Fix that one first: put try and catch around handle(req, res)');
  }
  let server;
  try {
    server = createApp();
  } catch (err) {
    assert.fail(`createApp() stopped with an error: ${err.message}`);
  }
  assert.ok(check.isServer(server), 'createApp() should return the server made by http.createServer(...)');
  const port = await check.listen(server);
  let failed = false;
  try {
    return await fn(port);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    await check.close(server).catch((err) => {
      if (!failed) throw err;
    });
  }
}
// ---- end of helpers ----

const BAD = '/search?q=' + encodeURIComponent('garden (new');
const INSIDE = /\bat\s+\S+\s*\(|\bat\s+\/|\.c?js\b|\/work\b|\/slate\b|node:|SyntaxError|TypeError|Error:|regular expression|Unterminated|RegExp/i;

test('a normal search answers 200 with the books', async () => {
  await withServer(async (port) => {
    const res = await get(port, '/search?q=secret');
    assert.equal(res.status, 200, 'GET /search?q=secret should answer 200');
    assert.deepEqual(JSON.parse(res.body), [{ title: 'The Secret Garden', author: 'Frances Hodgson Burnett' }],
      'GET /search?q=secret should find The Secret Garden');
  });
});

test('a search that trips the bug answers 500 with a polite message', async () => {
  await withServer(async (port) => {
    const res = await get(port, BAD);
    assert.equal(res.status, 500, `GET ${BAD} makes catalogue.js throw: the answer should be 500 (a problem on our side), not ${res.status}`);
    assert.match(res.body, /sorry|went wrong/i, 'The 500 answer should tell the visitor, politely, that something went wrong on our side');
  });
});

test('the 500 answer shows nothing of the inside of the program', async () => {
  await withServer(async (port) => {
    const res = await get(port, BAD);
    const found = res.body.match(INSIDE);
    assert.ok(!found, `The visitor's answer shows "${found && found[0]}", a detail of the inside of the program. ` +
      'Send the details to log(...) for the owner, and only a polite sentence to the visitor');
  });
});

test('the server keeps answering after an error', async () => {
  await withServer(async (port) => {
    await get(port, BAD);
    const res = await get(port, '/search?q=island');
    assert.equal(res.status, 200, 'After the error, GET /search?q=island should still answer 200');
    assert.deepEqual(JSON.parse(res.body), [{ title: 'Small Island', author: 'Andrea Levy' }],
      'After the error, the next search should still find Small Island');
  });
});

test("the details go to the owner's log", async () => {
  logged.length = 0;
  await withServer(async (port) => {
    await get(port, BAD);
  });
  assert.ok(logged.some((text) => /regular expression|Unterminated/i.test(text)),
    "The error's details should be written to the owner's log: call log(error.stack) in the catch part, " +
    'so someone can find and fix the bug later');
});
