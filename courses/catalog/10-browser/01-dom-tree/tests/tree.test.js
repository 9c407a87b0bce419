const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, firstError } = require('/slate/harness/dom.cjs');

test('script.js runs without an error', () => {
  const error = firstError(openPage());
  assert.ok(error === '', error);
});

test('#count shows how many children the fruit list has', () => {
  const page = openPage();
  const want = String(page.count('#fruit > *'));
  assert.equal(page.text('#count'), want,
    `#count shows "${page.text('#count')}" but the list has ${want} children. Use fruit.children.length.`);
});

test('#first shows the words of the first item', () => {
  const page = openPage();
  assert.equal(page.text('#first'), page.text('#fruit > li'),
    `#first shows "${page.text('#first')}". Use fruit.firstElementChild.textContent.`);
});

test('the section around "here" has the class found', () => {
  const page = openPage();
  assert.ok(page.classes('#box').includes('found'),
    'The <section id="box"> should get the class found. The parent of #here is a <p>; go up once more.');
  assert.ok(!page.classes('#here').includes('found') && page.count('.found') === 1,
    'Only the section should have the class found.');
});
