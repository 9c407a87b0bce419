const test = require('node:test');
const assert = require('node:assert/strict');
// During a check your code runs in a sandbox of its own: check.cjs
// starts a small server there with the answers below, for your fetch.
const check = require('/slate/harness/check.cjs');

const BROKEN = '<p class="error">Search is not working right now.</p>';
const FOUND = [
  { id: 8, title: 'Of Mice and Men', author: 'John Steinbeck', year: 1937 },
  { id: 12, title: 'Mice & <Men>', author: 'A. Parody', year: 2001 },
];
const STILL_WAITING = Symbol('still waiting');

function load() {
  let mod;
  try {
    mod = require('./search.js');
  } catch (err) {
    assert.fail(`search.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['searchUrl', 'searchPage']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

// Spaces and new lines between tags, and > written as &gt; or not,
// do not change the page: compare without them.
function tidy(html) {
  return String(html)
    .replace(/>\s+</g, '><')
    .replace(/=\s*'([^'<>]*)'/g, '="$1"')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .trim();
}

async function withServer(routes, fn) {
  const server = await check.fixture(routes);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

async function page(searchPage, baseUrl, words, seconds = 5) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(STILL_WAITING), seconds * 1000);
  });
  try {
    return await Promise.race([searchPage(baseUrl, words), late]);
  } catch (err) {
    assert.fail(`searchPage stopped with an error (${err.message}): catch it and give back BROKEN`);
  } finally {
    clearTimeout(timer);
  }
}

function wordsSent(server) {
  const asked = server.requests().find((r) => r.path.startsWith('/search'));
  assert.ok(asked, `searchPage should ask for GET /search?q=..., but it asked for: ${server.requests().map((r) => r.path).join(', ') || 'nothing'}`);
  return new URL(asked.path, 'http://library').searchParams.get('q');
}

test('searchUrl puts the words after /search?q=, encoded', () => {
  const { searchUrl } = load();
  const words = 'of mice & men?';
  let address;
  try {
    address = searchUrl('http://127.0.0.1:4000', words);
  } catch (err) {
    assert.fail(`searchUrl stopped with an error: ${err.message}`);
  }
  assert.equal(typeof address, 'string', 'searchUrl should give back the address as text');
  const url = new URL(address);
  assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:4000/search', `searchUrl gave ${address}: it should start with {baseUrl}/search?q=`);
  assert.equal(url.searchParams.get('q'), words,
    `searchUrl gave ${address}, so the server would read the words as ${JSON.stringify(url.searchParams.get('q'))}. `
    + 'Encode them with encodeURIComponent(words)');
});

test('searchPage lists the books the server finds', async () => {
  const { searchPage } = load();
  await withServer([{ path: '/search', json: FOUND }], async (server) => {
    const html = await page(searchPage, server.url, 'mice men');
    assert.notEqual(html, STILL_WAITING, 'searchPage never finished, although the server answered at once');
    assert.equal(wordsSent(server), 'mice men', 'searchPage should send the words it was given (use searchUrl)');
    assert.equal(tidy(html),
      '<ul class="results"><li>Of Mice and Men by John Steinbeck</li><li>Mice &amp; &lt;Men> by A. Parody</li></ul>',
      'searchPage should give <ul class="results"> with <li>Title by Author</li> for each book, every title and author escaped');
  });
});

test('searchPage says when nothing matches, with the words escaped', async () => {
  const { searchPage } = load();
  await withServer([{ path: '/search', json: [] }], async (server) => {
    const html = await page(searchPage, server.url, '<b>zebra</b>');
    assert.notEqual(html, STILL_WAITING, 'searchPage never finished, although the server answered at once');
    assert.equal(tidy(html), '<p>No books match: &lt;b>zebra&lt;/b></p>',
      'For an empty list searchPage should give <p>No books match: WORDS</p>, with the words put through escapeHtml');
  });
});

test('searchPage gives BROKEN for a bad status or broken JSON', async () => {
  const { searchPage } = load();
  await withServer([{ path: '/search', status: 500, json: { error: 'Disk full' } }], async (server) => {
    const html = await page(searchPage, server.url, 'mice');
    assert.equal(tidy(html), BROKEN, 'The server answered 500: searchPage should give back BROKEN (check response.ok)');
  });
  await withServer([{ path: '/search', body: '[{"title": "Of Mi' }], async (server) => {
    const html = await page(searchPage, server.url, 'mice');
    assert.equal(tidy(html), BROKEN, 'The server sent broken JSON: searchPage should catch that and give back BROKEN');
  });
});

test('searchPage gives BROKEN when no server is there', async () => {
  const { searchPage } = load();
  const gone = await check.fixture([]);
  await gone.close();
  const html = await page(searchPage, gone.url, 'mice');
  assert.equal(tidy(html), BROKEN, 'With no server there, searchPage should catch the error from fetch and give back BROKEN');
});

test('searchPage gives up after 2 seconds', async () => {
  const { searchPage } = load();
  await withServer([{ path: '/search', json: FOUND, delay: 9000 }], async (server) => {
    const html = await page(searchPage, server.url, 'mice', 6);
    assert.notEqual(html, STILL_WAITING,
      'searchPage was still waiting after 6 seconds. Stop the fetch after 2 seconds with an AbortController');
    assert.equal(tidy(html), BROKEN, 'When it gives up, searchPage should give back BROKEN');
  });
});
