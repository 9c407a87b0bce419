const test = require('node:test');
const assert = require('node:assert/strict');
// During a check your code runs in a sandbox of its own: check.cjs
// starts a small server there with the answers below, for your fetch.
const check = require('/slate/harness/check.cjs');

const BOOK = { id: 4, title: 'Things Fall Apart', author: 'Chinua Achebe', year: 1958 };

function load() {
  let mod;
  try {
    mod = require('./books.js');
  } catch (err) {
    assert.fail(`books.js could not run: ${err.message}. Press Run to see where.`);
  }
  if (typeof mod.loadBook !== 'function') {
    assert.fail('There is no function called loadBook. Keep the module.exports line.');
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

async function calm(what, promise, hint) {
  try {
    return await promise;
  } catch (err) {
    assert.fail(`${what} stopped with an error (${err.message}) instead of giving back { ok: false, message }. ${hint}`);
  }
}

test('loadBook gives { ok: true, book } when the server sends the book', async () => {
  const { loadBook } = load();
  await withServer([{ path: '/books/4', json: BOOK }], async (server) => {
    const result = await calm('loadBook', loadBook(server.url, 4), '');
    assert.deepEqual(result, { ok: true, book: BOOK }, 'For book 4 loadBook should give back { ok: true, book } with the book the server sent');
  });
});

test('A 404 answer gives { ok: false, message: "No such book" }', async () => {
  const { loadBook } = load();
  await withServer([{ path: '/books/4', json: BOOK }], async (server) => {
    const result = await calm('loadBook', loadBook(server.url, 77), 'Look at response.status before reading the body.');
    assert.deepEqual(result, { ok: false, message: 'No such book' },
      'The server answered 404 (Not found) for book 77: check whether response.status is 404 (a number)');
  });
});

test('Another bad status, such as 500, names the status code', async () => {
  const { loadBook } = load();
  const routes = [
    { path: '/books/5', status: 500, json: { error: 'Disk full' } },
    { path: '/books/6', status: 503, body: 'Closed for lunch' },
  ];
  await withServer(routes, async (server) => {
    const result = await calm('loadBook', loadBook(server.url, 5), 'Check response.ok before reading the body.');
    assert.deepEqual(result, { ok: false, message: 'The library server has a problem (500)' },
      'The server answered 500: response.ok is false, so give back the message with the status in brackets');
    const other = await calm('loadBook', loadBook(server.url, 6), 'Check response.ok before reading the body.');
    assert.deepEqual(other, { ok: false, message: 'The library server has a problem (503)' },
      'The server answered 503: the message should show 503 (use response.status)');
  });
});

test('An answer that is not JSON gives { ok: false, message: "The answer was not valid JSON" }', async () => {
  const { loadBook } = load();
  const routes = [{ path: '/books/4', body: '{"id": 4, "title": "Things Fa', headers: { 'Content-Type': 'application/json' } }];
  await withServer(routes, async (server) => {
    const result = await calm('loadBook', loadBook(server.url, 4), 'Put await response.json() inside try { ... } catch.');
    assert.deepEqual(result, { ok: false, message: 'The answer was not valid JSON' },
      'The server sent broken JSON: catch the error from response.json()');
  });
});

test('No server at all gives { ok: false, message: "Could not reach the library server" }', async () => {
  const { loadBook } = load();
  // A server that has just been stopped: nothing answers at its address.
  const gone = await check.fixture([]);
  await gone.close();
  const result = await calm('loadBook', loadBook(gone.url, 4), 'Put the fetch itself inside try { ... } catch.');
  assert.deepEqual(result, { ok: false, message: 'Could not reach the library server' },
    'When nothing answers, fetch throws an error: catch it and give back this message');
});
