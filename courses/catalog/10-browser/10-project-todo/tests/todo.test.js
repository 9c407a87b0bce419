const test = require('node:test');
const assert = require('node:assert/strict');
const { openPage, firstError } = require('/slate/harness/dom.cjs');

const item = (n) => `#todos > li:nth-child(${n})`;
const tick = (n) => `${item(n)} input[type="checkbox"]`;

function add(page, text) {
  page.type('#todo-text', text);
  const result = page.submit('#new-todo');
  assert.ok(!result.reloaded,
    'Adding a to-do loaded the page again, so the list was lost. Call event.preventDefault() in the form\'s submit handler.');
}

// A page with three to-dos: Buy bread, Call Mum, Mend the coat.
function withThree() {
  const page = openPage();
  for (const text of ['Buy bread', 'Call Mum', 'Mend the coat']) add(page, text);
  return page;
}

test('script.js runs without an error', () => {
  const error = firstError(openPage());
  assert.ok(error === '', error);
});

test('the page has the form, the list, the three buttons and #left', () => {
  const page = openPage();
  for (const selector of ['form#new-todo', '#new-todo #todo-text', 'ul#todos', '#show-all', '#show-active', '#show-done', '#left']) {
    assert.ok(page.exists(selector), `The page has no ${selector}. Check the task's list of ids in index.html.`);
  }
});

test('adding a to-do puts it at the end of the list, with a checkbox and its text', () => {
  const page = openPage();
  add(page, 'Buy bread');
  add(page, '  Call Mum ');
  assert.deepEqual(page.texts('#todos > li .text'), ['Buy bread', 'Call Mum'],
    'Each to-do should be an <li> in #todos holding a <span class="text"> with the words (trimmed), in the order they were added.');
  assert.equal(page.count('#todos > li input[type="checkbox"]'), 2, 'Each to-do needs its own <input type="checkbox">.');
});

test('the text box is emptied after adding', () => {
  const page = openPage();
  add(page, 'Buy bread');
  assert.equal(page.value('#todo-text'), '', 'After adding, empty the text box so the next to-do can be typed.');
});

test('an empty to-do is not added', () => {
  const page = openPage();
  add(page, '   ');
  assert.equal(page.count('#todos > li'), 0, 'A to-do of only spaces should not be added. Trim the text and check it is not empty.');
});

test('ticking a to-do marks it done, and un-ticking un-marks it', () => {
  const page = withThree();
  page.click(tick(2));
  assert.ok(page.classes(item(2)).includes('done'), 'After ticking the second to-do, its <li> should have the class done.');
  assert.equal(page.count('#todos > li.done'), 1, 'Only the ticked to-do should be done.');
  page.click(tick(2));
  assert.ok(!page.classes(item(2)).includes('done'), 'Un-ticking should take the class done away.');
});

test('#left counts the to-dos not done yet', () => {
  const page = openPage();
  assert.equal(page.text('#left'), '0 left', `With no to-dos, #left should say "0 left"; it says "${page.text('#left')}".`);
  for (const text of ['Buy bread', 'Call Mum', 'Mend the coat']) add(page, text);
  assert.equal(page.text('#left'), '3 left', `With three to-dos, #left should say "3 left"; it says "${page.text('#left')}".`);
  page.click(tick(1));
  page.click(tick(3));
  assert.equal(page.text('#left'), '1 left', `With two of three done, #left should say "1 left"; it says "${page.text('#left')}".`);
});

test('Active shows only the to-dos not done', () => {
  const page = withThree();
  page.click(tick(2));
  page.click('#show-active');
  assert.ok(page.visible(item(1)) && page.visible(item(3)), 'After Active, the to-dos not done should still be shown.');
  assert.ok(!page.visible(item(2)), 'After Active, a done to-do should be hidden (li.hidden = true, or a class your CSS hides).');
});

test('Done shows only the finished to-dos', () => {
  const page = withThree();
  page.click(tick(2));
  page.click('#show-done');
  assert.ok(page.visible(item(2)), 'After Done, the finished to-do should be shown.');
  assert.ok(!page.visible(item(1)) && !page.visible(item(3)), 'After Done, the to-dos not done should be hidden.');
});

test('All shows every to-do again', () => {
  const page = withThree();
  page.click(tick(1));
  page.click('#show-done');
  page.click('#show-all');
  for (const n of [1, 2, 3]) assert.ok(page.visible(item(n)), `After All, to-do number ${n} should be shown again.`);
});
