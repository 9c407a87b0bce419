const test = require('node:test');
const assert = require('node:assert/strict');

function load(file, names) {
  let mod;
  try {
    mod = require(`./${file}`);
  } catch (err) {
    assert.fail(`${file} could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of names) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`${file} should export a function called ${name}`);
    }
  }
  return mod;
}

function newBook() {
  return load('model.js', ['createGuestbook']).createGuestbook();
}

function newController(book = newBook()) {
  const controller = load('controller.js', ['createController']).createController(book);
  assert.equal(typeof (controller && controller.handle), 'function',
    'createController(book) should return an object with handle(request)');
  return controller;
}

function expectThrows(fn, message, what) {
  assert.throws(fn, { message }, `${what} should throw "${message}"`);
}

// ---- model ----

test("sign('Ada', 'Hello') returns { id: 1, name: 'Ada', message: 'Hello' }", () => {
  const book = newBook();
  assert.deepEqual(book.sign('  Ada ', ' Hello  '), { id: 1, name: 'Ada', message: 'Hello' },
    'sign should trim both values and return the new entry with id 1');
});

test('sign refuses an empty name or message', () => {
  const book = newBook();
  expectThrows(() => book.sign('  ', 'Hi'), 'Please give your name', 'An empty name');
  expectThrows(() => book.sign(undefined, 'Hi'), 'Please give your name', 'A missing name');
  expectThrows(() => book.sign('Ada', ''), 'Please write a message', 'An empty message');
  assert.equal(book.count(), 0, 'A refused entry should not be stored');
});

test('sign refuses a name over 40 or a message over 200 characters', () => {
  const book = newBook();
  expectThrows(() => book.sign('x'.repeat(41), 'Hi'), 'Your name can be at most 40 characters', 'A 41-letter name');
  expectThrows(() => book.sign('Ada', 'y'.repeat(201)), 'Your message can be at most 200 characters', 'A 201-letter message');
  book.sign('x'.repeat(40), 'y'.repeat(200));
  assert.equal(book.count(), 1, 'A 40-letter name and a 200-letter message are allowed');
});

test('entries() lists the newest first and count() counts them', () => {
  const book = newBook();
  book.sign('Ada', 'First!');
  book.sign('Sam', 'Second');
  const names = book.entries().map((entry) => entry.name);
  assert.deepEqual(names, ['Sam', 'Ada'], 'entries() should put the newest entry first');
  assert.equal(book.count(), 2, 'count() should be 2 after two entries');
  book.entries()[0].name = 'Changed';
  assert.equal(book.entries()[0].name, 'Sam', 'entries() should hand out copies');
});

// ---- view ----

// The page read the way a browser reads it: tags and their attributes in any order, quoted
// or not, in any case. Each start tag becomes { name, attrs, end } (end: where it stops).
function startTags(html) {
  const found = [];
  const tag = /<([A-Za-z][A-Za-z0-9]*)((?:\s+[^\s=>\/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g;
  let m;
  while ((m = tag.exec(String(html))) !== null) {
    const attrs = {};
    const attr = /([^\s=>\/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
    let a;
    while ((a = attr.exec(m[2])) !== null) {
      const name = a[1].toLowerCase();
      if (!(name in attrs)) attrs[name] = a[2] ?? a[3] ?? a[4] ?? '';
    }
    found.push({ name: m[1].toLowerCase(), attrs, end: m.index + m[0].length });
  }
  return found;
}

// The text between a start tag and its end tag, spaces collapsed.
function textAfter(html, tag) {
  const rest = String(html).slice(tag.end);
  const close = rest.search(new RegExp(`</${tag.name}\\s*>`, 'i'));
  return (close === -1 ? rest : rest.slice(0, close)).replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
}

// A link's place: "/sign", "./sign" and "sign" all post to /sign from the home page.
const samePath = (value) => '/' + String(value || '').trim().replace(/^\.?\//, '');

test('pageView makes a whole page titled Guestbook', () => {
  const { pageView } = load('view.js', ['pageView']);
  const html = String(pageView([]));
  assert.match(html, /^\s*<!DOCTYPE html>/i, 'The page should start with <!DOCTYPE html>');
  assert.match(html, /<title>\s*Guestbook\s*<\/title>/, 'The page should have <title>Guestbook</title>');
  assert.match(html, /<h1>\s*Guestbook\s*<\/h1>/, 'The page should have <h1>Guestbook</h1>');
});

test('pageView has the form that posts to /sign', () => {
  const { pageView } = load('view.js', ['pageView']);
  const html = String(pageView([]));
  const tags = startTags(html);
  const form = tags.find((t) => t.name === 'form');
  assert.ok(form, 'The page should have <form method="post" action="/sign">');
  assert.equal(String(form.attrs.method || 'get').toLowerCase(), 'post', 'The form should have method="post"');
  assert.equal(samePath(form.attrs.action), '/sign', 'The form should have action="/sign"');
  const box = (field) => tags.find((t) => ['input', 'textarea'].includes(t.name) && t.attrs.name === field);
  assert.ok(box('name'), 'The form should have a box for the name: <input id="name" name="name">');
  assert.ok(box('message'), 'The form should have a box for the message: <textarea id="message" name="message">');
  for (const field of ['name', 'message']) {
    const id = box(field).attrs.id;
    const labelFor = id !== undefined && tags.some((t) => t.name === 'label' && t.attrs.for === id);
    const wrapped = new RegExp(`<label[^>]*>[^]*?name=["']?${field}\\b[^]*?</label>`, 'i').test(html);
    assert.ok(labelFor || wrapped || box(field).attrs['aria-label'],
      `The ${field} box should have a label: <label for="${field}"> and id="${field}" on the box`);
  }
  const sends = tags.some((t) => (t.name === 'button' && (t.attrs.type || 'submit').toLowerCase() === 'submit'
      && /^sign$/i.test(textAfter(html, t)))
    || (t.name === 'input' && String(t.attrs.type).toLowerCase() === 'submit' && /^sign$/i.test(String(t.attrs.value).trim())));
  assert.ok(sends, 'The form should have a <button>Sign</button>');
});

test('pageView lists entries as <li><strong>Name</strong>: message</li>', () => {
  const { pageView } = load('view.js', ['pageView']);
  const html = String(pageView([{ id: 2, name: 'Sam', message: 'Hi all' }, { id: 1, name: 'Ada', message: 'First!' }]));
  const tidy = html.replace(/>\s+</g, '><');
  assert.ok(tidy.includes('<ul class="entries"><li><strong>Sam</strong>: Hi all</li><li><strong>Ada</strong>: First!</li></ul>'),
    'Entries should be <ul class="entries"> with <li><strong>Sam</strong>: Hi all</li> for each, in the order given');
});

test("pageView with no entries says 'No entries yet. Be the first!'", () => {
  const { pageView } = load('view.js', ['pageView']);
  const html = String(pageView([]));
  assert.ok(html.includes('<p>No entries yet. Be the first!</p>'), 'With no entries, show <p>No entries yet. Be the first!</p>');
  assert.ok(!html.includes('class="error"'), 'With no error given, there should be no <p class="error">');
});

test('pageView shows an error, escaped, and escapes every entry', () => {
  const { pageView } = load('view.js', ['pageView']);
  const html = String(pageView([{ id: 1, name: '<i>Eve</i>', message: '<script>alert(1)</script>' }], 'Bad "input" <here>'));
  assert.ok(html.includes('<p class="error">Bad &quot;input&quot; &lt;here&gt;</p>'), 'The error should show as <p class="error">, escaped');
  assert.ok(!html.includes('<script>'), 'A message must never reach the page as a real <script>: escape it');
  assert.ok(html.includes('<strong>&lt;i&gt;Eve&lt;/i&gt;</strong>'), 'The name should be escaped too');
});

test("notFoundView has an <h1> that says 'Not found'", () => {
  const { notFoundView } = load('view.js', ['notFoundView']);
  assert.match(String(notFoundView()), /<h1>\s*Not found\s*<\/h1>/, 'notFoundView should have <h1>Not found</h1>');
});

// ---- controller ----

const HTML = 'text/html; charset=utf-8';

test('GET / gives 200 and the guestbook page', () => {
  const book = newBook();
  book.sign('Ada', 'First!');
  const response = newController(book).handle({ method: 'GET', path: '/', form: {} });
  assert.equal(response && response.status, 200, 'GET / should give status 200');
  assert.equal(response.headers && response.headers['Content-Type'], HTML, `GET / should send "Content-Type": "${HTML}"`);
  assert.ok(String(response.body).includes('<strong>Ada</strong>: First!'), 'GET / should show the entries');
});

test('POST /sign with a good form stores the entry and gives 303 to /', () => {
  const book = newBook();
  const response = newController(book).handle({ method: 'POST', path: '/sign', form: { name: 'Sam', message: 'Hello' } });
  assert.equal(response && response.status, 303, 'A good POST /sign should give status 303');
  assert.equal(response.headers && response.headers.Location, '/', 'A good POST /sign should send the header Location: "/"');
  assert.equal(book.count(), 1, 'A good POST /sign should call book.sign');
});

test('POST /sign with a bad form gives 400 and shows the reason', () => {
  const book = newBook();
  const response = newController(book).handle({ method: 'POST', path: '/sign', form: { name: '', message: 'Hello' } });
  assert.equal(response && response.status, 400, 'A POST /sign with no name should give status 400');
  assert.equal(response.headers && response.headers['Content-Type'], HTML, `The 400 page should send "Content-Type": "${HTML}"`);
  assert.ok(String(response.body).includes('<p class="error">Please give your name</p>'), "The 400 page should show the model's message");
});

test('an unknown path or method gives 404', () => {
  const controller = newController();
  for (const [method, path] of [['GET', '/admin'], ['GET', '/sign'], ['DELETE', '/']]) {
    const response = controller.handle({ method, path, form: {} });
    assert.equal(response && response.status, 404, `${method} ${path} should give status 404`);
    assert.match(String(response.body), /Not found/, `${method} ${path} should show the Not found page`);
  }
});
