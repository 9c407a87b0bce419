const test = require('node:test');
const assert = require('node:assert/strict');
// During a check your code runs in a sandbox of its own: check.cjs
// starts a small server there with the answers below, for your fetch.
const check = require('/slate/harness/check.cjs');

const BOOKS = [
  { id: 5, title: 'Wide Sargasso Sea', author: 'Jean Rhys', year: 1966 },
  { id: 6, title: 'Cry, the Beloved Country', author: 'Alan Paton', year: 1948 },
];
const STILL_WAITING = Symbol('still waiting');

function load() {
  let mod;
  try {
    mod = require('./books.js');
  } catch (err) {
    assert.fail(`books.js could not run: ${err.message}. Press Run to see where.`);
  }
  if (typeof mod.loadBooks !== 'function') {
    assert.fail('There is no function called loadBooks. Keep the module.exports line.');
  }
  return mod;
}

async function withServer(routes, fn) {
  const server = await check.fixture(routes);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

// The learner's answer, or STILL_WAITING when it takes longer than `seconds`.
async function within(seconds, promise) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(STILL_WAITING), seconds * 1000);
  });
  try {
    return await Promise.race([promise, late]);
  } catch (err) {
    assert.fail(`loadBooks stopped with an error (${err.message}) instead of giving back { ok: false, message }`);
  } finally {
    clearTimeout(timer);
  }
}

test('loadBooks gives { ok: true, books } when the server answers quickly', async () => {
  const { loadBooks } = load();
  await withServer([{ path: '/books', json: BOOKS }], async (server) => {
    const result = await within(6, loadBooks(server.url, 3000));
    assert.notEqual(result, STILL_WAITING, 'loadBooks(baseUrl, 3000) never finished, although the server answered at once');
    assert.deepEqual(result, { ok: true, books: BOOKS }, 'loadBooks should give back { ok: true, books } with the books from GET /books');
  });
});

test('loadBooks gives up on a server that is too slow', async () => {
  const { loadBooks } = load();
  await withServer([{ path: '/books', json: BOOKS, delay: 7000 }], async (server) => {
    const result = await within(4, loadBooks(server.url, 300));
    assert.notEqual(result, STILL_WAITING,
      'loadBooks(baseUrl, 300) was still waiting after 4 seconds. Make an AbortController, '
      + 'call controller.abort() after ms milliseconds, and give fetch { signal: controller.signal }');
    assert.deepEqual(result, { ok: false, message: 'The library server is too slow' },
      'When the wait is over, loadBooks should give back { ok: false, message: "The library server is too slow" }');
  });
});

test('loadBooks waits as long as it is told to', async () => {
  const { loadBooks } = load();
  await withServer([{ path: '/books', json: BOOKS, delay: 1500 }], async (server) => {
    const result = await within(6, loadBooks(server.url, 5000));
    assert.notEqual(result, STILL_WAITING, 'loadBooks(baseUrl, 5000) never finished, although the server answered after 1.5 seconds');
    assert.deepEqual(result, { ok: true, books: BOOKS },
      'The server answered after 1.5 seconds and loadBooks was told to wait 5 seconds (5000 ms): '
      + 'it should have the books. Use ms in setTimeout, not a number of your own');
  });
});

test('No server at all gives { ok: false, message: "Could not reach the library server" }', async () => {
  const { loadBooks } = load();
  const gone = await check.fixture([]);
  await gone.close();
  const result = await within(6, loadBooks(gone.url, 3000));
  assert.notEqual(result, STILL_WAITING, 'loadBooks never finished when no server was there');
  assert.deepEqual(result, { ok: false, message: 'Could not reach the library server' },
    'Nothing answered, which is not the same as too slow: look at error.name, which is "AbortError" only for your own abort');
});
