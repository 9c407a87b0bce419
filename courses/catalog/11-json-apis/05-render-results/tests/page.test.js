const test = require('node:test');
const assert = require('node:assert/strict');
// During a check your code runs in a sandbox of its own: check.cjs
// starts a small server there with the answers below, for your fetch.
const check = require('/slate/harness/check.cjs');

const CLOSED = '<p class="error">The library is closed right now.</p>';
const BOOKS = [
  { id: 1, title: 'Brick Lane', author: 'Monica Ali', year: 2003 },
  { id: 2, title: 'The Color Purple', author: 'Alice Walker', year: 1982 },
];

function load() {
  let mod;
  try {
    mod = require('./page.js');
  } catch (err) {
    assert.fail(`page.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['escapeHtml', 'renderBooks', 'booksPage']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

// Spaces and new lines between tags do not change the page, nor does
// writing > as &gt; or not, ' and " as entities, or class='x' for
// class="x": compare without them.
function tidy(html) {
  return String(html)
    .replace(/>\s+</g, '><')
    .replace(/=\s*'([^'<>]*)'/g, '="$1"')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#34;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&apos;', "'")
    .trim();
}

function calm(what, work) {
  try {
    return work();
  } catch (err) {
    assert.fail(`${what} stopped with an error: ${err.message}`);
  }
}

async function withServer(routes, fn) {
  const server = await check.fixture(routes);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

test('escapeHtml turns & and < into &amp; and &lt;', () => {
  const { escapeHtml } = load();
  const got = calm('escapeHtml', () => escapeHtml('Salt & <b>Pepper</b>'));
  assert.equal(tidy(got), 'Salt &amp; &lt;b>Pepper&lt;/b>',
    'escapeHtml("Salt & <b>Pepper</b>") should give Salt &amp; &lt;b&gt;Pepper&lt;/b&gt;');
  assert.equal(tidy(calm('escapeHtml', () => escapeHtml('&lt;'))), '&amp;lt;',
    'escapeHtml("&lt;") should give &amp;lt;: replace & first, before the others');
  assert.equal(calm('escapeHtml', () => escapeHtml('Plain words')), 'Plain words', 'Plain words should stay as they are');
});

test('renderBooks makes a <ul class="books"> with one <li> per book', () => {
  const { renderBooks } = load();
  const html = calm('renderBooks', () => renderBooks(BOOKS));
  assert.equal(typeof html, 'string', 'renderBooks should give back text (a string of HTML)');
  assert.equal(tidy(html),
    '<ul class="books"><li>Brick Lane by Monica Ali (2003)</li><li>The Color Purple by Alice Walker (1982)</li></ul>',
    'renderBooks should give <ul class="books"><li>Brick Lane by Monica Ali (2003)</li>...</ul>');
});

test('renderBooks of an empty list says No books yet.', () => {
  const { renderBooks } = load();
  const html = calm('renderBooks', () => renderBooks([]));
  assert.equal(tidy(html), '<p>No books yet.</p>', 'renderBooks([]) should give <p>No books yet.</p>');
});

test('renderBooks escapes titles and authors, so they cannot add tags', () => {
  const { renderBooks } = load();
  const odd = [{ id: 3, title: 'Salt & <i>Pepper</i>', author: '<script>Bo</script>', year: 2021 }];
  const html = calm('renderBooks', () => renderBooks(odd));
  assert.equal(tidy(html),
    '<ul class="books"><li>Salt &amp; &lt;i>Pepper&lt;/i> by &lt;script>Bo&lt;/script> (2021)</li></ul>',
    'Put every title and author through escapeHtml: a title like Salt & <i>Pepper</i> must show as text, not as tags');
});

test('booksPage shows the books the server sends', async () => {
  const { booksPage } = load();
  await withServer([{ path: '/books', json: [BOOKS[1]] }], async (server) => {
    let html;
    try {
      html = await booksPage(server.url);
    } catch (err) {
      assert.fail(`booksPage stopped with an error: ${err.message}`);
    }
    const asked = server.requests().map((r) => r.path);
    assert.ok(asked.includes('/books'), 'booksPage should ask for GET {baseUrl}/books');
    assert.equal(tidy(html), '<ul class="books"><li>The Color Purple by Alice Walker (1982)</li></ul>',
      'booksPage should give back renderBooks of the books the server sent');
  });
});

test('booksPage says the library is closed when the server fails', async () => {
  const { booksPage } = load();
  await withServer([{ path: '/books', status: 500, json: { error: 'Broken' } }], async (server) => {
    let html;
    try {
      html = await booksPage(server.url);
    } catch (err) {
      assert.fail(`booksPage stopped with an error (${err.message}): catch it and give back the closed message`);
    }
    assert.equal(tidy(html), CLOSED, 'The server answered 500: booksPage should give back ' + CLOSED);
  });
  const gone = await check.fixture([]);
  await gone.close();
  let html;
  try {
    html = await booksPage(gone.url);
  } catch (err) {
    assert.fail(`booksPage stopped with an error (${err.message}) when no server was there: put the fetch inside try { ... } catch`);
  }
  assert.equal(tidy(html), CLOSED, 'With no server there, booksPage should give back ' + CLOSED);
});
