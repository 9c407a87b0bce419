const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, firstError } = require('/slate/harness/dom.cjs');

test('script.js runs without an error', () => {
  const error = firstError(openPage());
  assert.ok(error === '', error);
});

test('Eggs and Rice are new <li> items at the end of the list', () => {
  const page = openPage();
  const items = page.texts('#shopping > li').filter((t) => t !== "Last week's list");
  assert.deepEqual(items, ['Milk', 'Bread', 'Eggs', 'Rice'],
    `The list holds: ${items.join(', ')}. It should end with Eggs, then Rice, each in its own <li>: createElement('li') for each, then append.`);
});

test("the old item is gone from the page", () => {
  const page = openPage();
  assert.equal(page.count('.old'), 0, 'The item with the class old is still on the page. Find it, then call .remove() on it.');
  assert.equal(page.count('#shopping > li'), 4, `The list should have 4 items; it has ${page.count('#shopping > li')}.`);
});

test('#info holds a new paragraph that says 2 things added', () => {
  const page = openPage();
  assert.equal(page.count('#info > p'), 1, 'Make one <p> with createElement and append it to #info.');
  assert.equal(page.text('#info > p'), '2 things added', `The paragraph says "${page.text('#info > p')}".`);
});
