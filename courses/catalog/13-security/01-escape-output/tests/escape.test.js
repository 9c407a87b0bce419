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

// Reads HTML text back the way a browser shows it, so any correct
// spelling of a code (&#39; &#x27; &apos;) is accepted.
function decode(html) {
  return String(html).replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, code) => {
    const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return String.fromCodePoint(n);
    }
    return named[code.toLowerCase()] ?? whole;
  });
}

const DANGER = /[<>"']/;
const HOSTILE = [
  "<script>alert('got you')</script>",
  '<img src=x onerror=alert(1)>',
  'cake" autofocus onfocus="alert(1)',
  "it's & <b>bold</b>",
];

test("escapeHtml('<b>Hi</b>') gives &lt;b&gt;Hi&lt;/b&gt;", () => {
  const { escapeHtml } = load('escape.js', ['escapeHtml']);
  assert.equal(escapeHtml('<b>Hi</b>'), '&lt;b&gt;Hi&lt;/b&gt;');
});

test("escapeHtml('Fish & chips') gives Fish &amp; chips", () => {
  const { escapeHtml } = load('escape.js', ['escapeHtml']);
  assert.equal(escapeHtml('Fish & chips'), 'Fish &amp; chips');
  assert.equal(escapeHtml('&lt;'), '&amp;lt;',
    "escapeHtml('&lt;') should give &amp;lt; so the page shows &lt; as typed. Replace & first, before the others");
});

test('escapeHtml changes both kinds of quote', () => {
  const { escapeHtml } = load('escape.js', ['escapeHtml']);
  const out = escapeHtml(`say "hi" and 'bye'`);
  assert.ok(!out.includes('"'), `escapeHtml should change " into &quot; but gave ${out}`);
  assert.ok(!out.includes("'"), `escapeHtml should change ' into &#39; but gave ${out}`);
  assert.equal(decode(out), `say "hi" and 'bye'`, `The page should still show say "hi" and 'bye', but your codes read back differently: ${out}`);
});

test('escapeHtml changes every dangerous letter, not just the first', () => {
  const { escapeHtml } = load('escape.js', ['escapeHtml']);
  for (const text of HOSTILE.concat(['<<>>', '&&', '""', "''"])) {
    const out = escapeHtml(text);
    assert.ok(!DANGER.test(out), `escapeHtml(${JSON.stringify(text)}) gave ${out}: a < > " or ' is left. Use replaceAll (replace only changes the first one)`);
    assert.equal(decode(out), text, `escapeHtml(${JSON.stringify(text)}) gave ${out}, which a browser shows differently from the text typed`);
  }
});

test('escapeHtml leaves ordinary text alone and works on numbers', () => {
  const { escapeHtml } = load('escape.js', ['escapeHtml']);
  assert.equal(escapeHtml('See you on Monday!'), 'See you on Monday!');
  assert.equal(escapeHtml(42), '42', 'escapeHtml(42) should give the text 42: start with String(text)');
});

test('renderComments shows friendly comments as a list', () => {
  const { renderComments } = load('view.js', ['renderComments']);
  const html = renderComments([{ name: 'Ada', text: 'Nice!' }, { name: 'Sam', text: 'Hello' }]).replace(/>\s+</g, '><');
  assert.ok(html.includes('<li><strong>Ada</strong>: Nice!</li>'), 'renderComments should show <li><strong>Ada</strong>: Nice!</li>');
  assert.ok(html.includes('<li><strong>Sam</strong>: Hello</li>'), 'renderComments should show one <li> per comment');
});

test('a hostile comment text shows as text and never becomes a tag', () => {
  const { renderComments } = load('view.js', ['renderComments']);
  const html = renderComments([{ name: 'Eve', text: "<script>alert('got you')</script>" }, { name: 'Mal', text: '<img src=x onerror=alert(1)>' }]);
  assert.ok(!/<script/i.test(html), 'A comment turned into a real <script> tag! Put the text through escapeHtml');
  assert.ok(!/<img/i.test(html), 'A comment turned into a real <img> tag! Put the text through escapeHtml');
  assert.ok(html.includes('&lt;script&gt;'), 'The comment should show as text: &lt;script&gt;...');
});

test('a hostile name shows as text and never becomes a tag', () => {
  const { renderComments } = load('view.js', ['renderComments']);
  const html = renderComments([{ name: '<b>Mal</b>', text: 'hi' }]);
  const items = html.match(/<li/g) || [];
  assert.equal(items.length, 1, 'One comment should make one <li>');
  assert.ok(!html.includes('<b>'), 'The name <b>Mal</b> became a real tag. Put the name through escapeHtml too');
  assert.ok(html.includes('&lt;b&gt;Mal&lt;/b&gt;'), 'The name should show as &lt;b&gt;Mal&lt;/b&gt;');
});

test('renderSearch keeps a query with quotes inside the value', () => {
  const { renderSearch } = load('view.js', ['renderSearch']);
  assert.equal(decode((renderSearch('cake').match(/value=(["'])(.*?)\1/) || [])[2] ?? ''), 'cake',
    'renderSearch(\'cake\') should give <input name="q" value="cake">');
  const query = 'cake" autofocus onfocus="alert(1)';
  const html = renderSearch(query);
  const found = html.match(/^<input name="q" value="([^"]*)"\s*\/?>$/);
  assert.ok(found, `The query broke out of value="...": your HTML was ${html}. Put the query through escapeHtml`);
  assert.equal(decode(found[1]), query, 'The box should show the query exactly as it was typed');
});
