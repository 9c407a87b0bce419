const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./view.js');
  } catch (err) {
    assert.fail(`view.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['escapeHtml', 'bookListView']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`view.js should export a function called ${name}`);
    }
  }
  return mod;
}

// Spaces and new lines between tags do not matter.
function tidy(html) {
  return String(html).replace(/>\s+</g, '><').trim();
}

function book(id, title, author, onLoan = false) {
  return Object.freeze({ id, title, author, onLoan });
}

test("escapeHtml('<b>') returns '&lt;b&gt;'", () => {
  const { escapeHtml } = load();
  assert.equal(escapeHtml('<b>'), '&lt;b&gt;', "escapeHtml('<b>') should return '&lt;b&gt;'");
});

test('escapeHtml swaps all five special characters', () => {
  const { escapeHtml } = load();
  assert.equal(
    escapeHtml(`Tom & Jerry say "hi" and 'bye' <3`),
    'Tom &amp; Jerry say &quot;hi&quot; and &#39;bye&#39; &lt;3',
    'escapeHtml should swap & < > " and \' for their safe spellings',
  );
});

test('escapeHtml swaps & first, so nothing is escaped twice', () => {
  const { escapeHtml } = load();
  assert.equal(escapeHtml('&lt;'), '&amp;lt;', "escapeHtml('&lt;') should return '&amp;lt;'");
  assert.equal(escapeHtml('<'), '&lt;', "escapeHtml('<') should return '&lt;', not '&amp;lt;'");
});

test('bookListView shows each book as Title by Author in a list', () => {
  const { bookListView } = load();
  const html = bookListView([book(1, 'Small Island', 'Andrea Levy'), book(2, 'Beloved', 'Toni Morrison')]);
  assert.equal(
    tidy(html),
    '<ul><li>Small Island by Andrea Levy</li><li>Beloved by Toni Morrison</li></ul>',
    'Two books should give <ul><li>Small Island by Andrea Levy</li><li>Beloved by Toni Morrison</li></ul>',
  );
});

test("a book on loan shows ' (on loan)'", () => {
  const { bookListView } = load();
  const html = bookListView([book(2, 'Matilda', 'Roald Dahl', true)]);
  assert.equal(tidy(html), '<ul><li>Matilda by Roald Dahl (on loan)</li></ul>',
    'A book on loan should read: Matilda by Roald Dahl (on loan)');
});

test("an empty list shows '<p>No books yet.</p>'", () => {
  const { bookListView } = load();
  assert.equal(tidy(bookListView([])), '<p>No books yet.</p>', 'No books should give <p>No books yet.</p>');
});

test('titles and authors are escaped', () => {
  const { bookListView } = load();
  const html = bookListView([book(1, '<script>steal()</script>', 'Fish & Co')]);
  assert.ok(!html.includes('<script>'), 'A title must never reach the page as a real <script> tag: escape it');
  assert.ok(html.includes('&lt;script&gt;steal()&lt;/script&gt;'), 'The title should appear escaped: &lt;script&gt;');
  assert.ok(html.includes('Fish &amp; Co'), 'The author should appear escaped: Fish &amp; Co');
});

test('the view does not change the books it is given', () => {
  const { bookListView } = load();
  const books = [{ id: 1, title: 'Small Island', author: 'Andrea Levy', onLoan: true }];
  const before = JSON.stringify(books);
  bookListView(books);
  assert.equal(JSON.stringify(books), before, 'bookListView should only read the books, never change them');
});
