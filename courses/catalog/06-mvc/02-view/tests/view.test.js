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

// Spaces and new lines between tags do not matter, nor the case of tag names, nor which of a
// character's safe spellings is used (&#39; = &#x27; = &apos;): a browser shows them the same.
const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const SAFE = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function sameSpelling(text) {
  return String(text).replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    let ch;
    if (name[0] === '#') {
      const code = name[1].toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      ch = String.fromCodePoint(code);
    } else {
      ch = NAMED[name.toLowerCase()];
    }
    return ch !== undefined && SAFE[ch] ? SAFE[ch] : whole;
  });
}
function tidy(html) {
  const tags = String(html).replace(/<(\/?)([A-Za-z][A-Za-z0-9]*)/g, (m, slash, tag) => `<${slash}${tag.toLowerCase()}`);
  return sameSpelling(tags.replace(/>\s+</g, '><').trim());
}

function book(id, title, author, onLoan = false) {
  return Object.freeze({ id, title, author, onLoan });
}

test("escapeHtml('<b>') returns '&lt;b&gt;'", () => {
  const { escapeHtml } = load();
  assert.equal(sameSpelling(escapeHtml('<b>')), '&lt;b&gt;', "escapeHtml('<b>') should return '&lt;b&gt;'");
});

test('escapeHtml swaps all five special characters', () => {
  const { escapeHtml } = load();
  assert.equal(
    sameSpelling(escapeHtml(`Tom & Jerry say "hi" and 'bye' <3`)),
    'Tom &amp; Jerry say &quot;hi&quot; and &#39;bye&#39; &lt;3',
    'escapeHtml should swap & < > " and \' for their safe spellings',
  );
});

test('escapeHtml swaps & first, so nothing is escaped twice', () => {
  const { escapeHtml } = load();
  assert.equal(sameSpelling(escapeHtml('&lt;')), '&amp;lt;', "escapeHtml('&lt;') should return '&amp;lt;'");
  assert.equal(sameSpelling(escapeHtml('<')), '&lt;', "escapeHtml('<') should return '&lt;', not '&amp;lt;'");
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
  assert.ok(!/<script/i.test(html), 'A title must never reach the page as a real <script> tag: escape it');
  const shown = sameSpelling(html);
  assert.ok(shown.includes('&lt;script&gt;steal()&lt;/script&gt;'), 'The title should appear escaped: &lt;script&gt;');
  assert.ok(shown.includes('Fish &amp; Co'), 'The author should appear escaped: Fish &amp; Co');
});

test('the view does not change the books it is given', () => {
  const { bookListView } = load();
  const books = [{ id: 1, title: 'Small Island', author: 'Andrea Levy', onLoan: true }];
  const before = JSON.stringify(books);
  bookListView(books);
  assert.equal(JSON.stringify(books), before, 'bookListView should only read the books, never change them');
});
