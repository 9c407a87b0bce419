const test = require('node:test');
const assert = require('node:assert/strict');
// During a check your code runs in a sandbox of its own: check.cjs
// starts a small server there with the answers below, for your fetch.
const check = require('/slate/harness/check.cjs');

const BOOK = { title: 'Purple Hibiscus', author: 'Chimamanda Ngozi Adichie', year: 2003 };
const SAVED = { ...BOOK, id: 31 };

function load() {
  let mod;
  try {
    mod = require('./books.js');
  } catch (err) {
    assert.fail(`books.js could not run: ${err.message}. Press Run to see where.`);
  }
  if (typeof mod.addBook !== 'function') {
    assert.fail('There is no function called addBook. Keep the module.exports line.');
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

const SAVES = [{ method: 'POST', path: '/books', status: 201, json: SAVED }];

test('addBook sends POST /books', async () => {
  const { addBook } = load();
  await withServer(SAVES, async (server) => {
    let problem = null;
    await addBook(server.url, { ...BOOK }).catch((err) => {
      problem = err;
    });
    const sent = server.requests();
    if (sent.length === 0 && problem && /GET|HEAD/.test(problem.message)) {
      assert.fail('fetch refused to send: a GET cannot carry a body. Add method: "POST" to fetch\'s second argument');
    }
    assert.ok(sent.length > 0, `addBook did not send anything to the server${problem ? ` (it stopped with: ${problem.message})` : ''}`);
    const { method, path } = sent[0];
    assert.equal(`${method} ${path}`, 'POST /books',
      `addBook sent ${method} ${path}: give fetch a second argument with method: "POST"`);
  });
});

test('addBook sends the book as JSON, with Content-Type: application/json', async () => {
  const { addBook } = load();
  await withServer(SAVES, async (server) => {
    await addBook(server.url, { ...BOOK }).catch(() => {});
    const sent = server.requests().find((r) => r.method === 'POST');
    assert.ok(sent, 'addBook did not send a POST request');
    if (sent.body === '[object Object]') {
      assert.fail('The body arrived as [object Object]: turn the book into text with JSON.stringify(book)');
    }
    let body;
    try {
      body = JSON.parse(sent.body);
    } catch (err) {
      assert.fail(`The body that arrived is not JSON: ${sent.body.slice(0, 60) || '(empty)'}. Use body: JSON.stringify(book)`);
    }
    assert.deepEqual(body, BOOK, 'The body should be the book you were given, as JSON');
    assert.match(sent.contentType, /^application\/json/i,
      'Tell the server it is JSON: headers: { "Content-Type": "application/json" }');
  });
});

test('addBook gives back the saved book from the answer', async () => {
  const { addBook } = load();
  await withServer(SAVES, async (server) => {
    let saved;
    try {
      saved = await addBook(server.url, { ...BOOK });
    } catch (err) {
      assert.fail(`addBook stopped with an error: ${err.message}`);
    }
    assert.deepEqual(saved, SAVED, 'addBook should give back the book the server answered with (it has id 31)');
  });
});

test('addBook throws an Error with the server\'s words when the answer is 400', async () => {
  const { addBook } = load();
  const routes = [{ method: 'POST', path: '/books', status: 400, json: { error: 'A book needs a title' } }];
  await withServer(routes, async (server) => {
    let result;
    try {
      result = await addBook(server.url, { title: '', author: 'Nobody' });
    } catch (err) {
      assert.equal(err.message, 'A book needs a title',
        'The Error should carry the server\'s words: throw new Error(answer.error)');
      return;
    }
    assert.fail(`addBook gave back ${JSON.stringify(result)} but the server refused the book: check response.ok and throw new Error(answer.error)`);
  });
});
