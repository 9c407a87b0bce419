const test = require('node:test');
const assert = require('node:assert/strict');
// During a check your code runs in a sandbox of its own: check.cjs
// starts a small server there with the answers below, for your fetch.
const check = require('/slate/harness/check.cjs');

const SHELF = [
  { id: 7, title: 'Half of a Yellow Sun', author: 'Chimamanda Ngozi Adichie', year: 2006 },
  { id: 8, title: 'The Remains of the Day', author: 'Kazuo Ishiguro', year: 1989 },
  { id: 9, title: 'Cannery Row', author: 'John Steinbeck', year: 1945 },
];

function load() {
  let mod;
  try {
    mod = require('./books.js');
  } catch (err) {
    assert.fail(`books.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['getTitles', 'getBook']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
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

async function attempt(what, promise) {
  try {
    return await promise;
  } catch (err) {
    if (/is not a function/.test(err.message) && /json/.test(err.message)) {
      assert.fail(`${what} stopped: ${err.message}. Did you forget await before fetch(...)?`);
    }
    assert.fail(`${what} stopped with an error: ${err.message}`);
  }
}

function askedFor(server) {
  return server.requests().map((r) => `${r.method} ${r.path}`).join(', ') || 'nothing';
}

test('getTitles(baseUrl) gives the titles from GET /books', async () => {
  const { getTitles } = load();
  await withServer([{ method: 'GET', path: '/books', json: SHELF }], async (server) => {
    const titles = await attempt('getTitles', getTitles(server.url));
    const paths = server.requests().map((r) => r.path);
    assert.ok(paths.includes('/books'), `getTitles should ask for ${server.url}/books, but it asked for: ${askedFor(server)}`);
    assert.ok(Array.isArray(titles), 'getTitles should give back an array (use books.map(...))');
    assert.deepEqual(titles, ['Half of a Yellow Sun', 'The Remains of the Day', 'Cannery Row'],
      'getTitles should give back just the titles, in the order the server sent them');
  });
});

test('getTitles works with whatever the server sends, even an empty list', async () => {
  const { getTitles } = load();
  await withServer([{ method: 'GET', path: '/books', json: [] }], async (server) => {
    const titles = await attempt('getTitles', getTitles(server.url));
    assert.deepEqual(titles, [], 'When the server sends [], getTitles should give back []');
  });
  await withServer([{ method: 'GET', path: '/books', json: [SHELF[2]] }], async (server) => {
    const titles = await attempt('getTitles', getTitles(server.url));
    assert.deepEqual(titles, ['Cannery Row'], 'getTitles should read the titles from the server every time, not write them in');
  });
});

test('getBook(baseUrl, 8) gives the book from GET /books/8', async () => {
  const { getBook } = load();
  const routes = SHELF.map((book) => ({ method: 'GET', path: `/books/${book.id}`, json: book }));
  await withServer(routes, async (server) => {
    const book = await attempt('getBook', getBook(server.url, 8));
    const paths = server.requests().map((r) => r.path);
    assert.ok(paths.includes('/books/8'), `getBook(baseUrl, 8) should ask for ${server.url}/books/8, but it asked for: ${askedFor(server)}`);
    assert.deepEqual(book, SHELF[1], 'getBook should give back the whole book object the server sent (use await response.json())');
    const other = await attempt('getBook', getBook(server.url, 9));
    assert.deepEqual(other, SHELF[2], 'getBook(baseUrl, 9) should give back book 9');
  });
});
