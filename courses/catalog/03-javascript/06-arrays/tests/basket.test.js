const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./basket.js');
  } catch (err) {
    assert.fail(`basket.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['addItem', 'lastItem', 'total']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

test('addItem puts the item on the end of the list', () => {
  const { addItem } = load();
  const list = ['bread', 'milk'];
  addItem(list, 'eggs');
  assert.deepEqual(list, ['bread', 'milk', 'eggs'], "After addItem(list, 'eggs') the list should end with 'eggs'");
});

test('addItem returns the same list', () => {
  const { addItem } = load();
  const list = [];
  const result = addItem(list, 'tea');
  assert.equal(result, list, 'addItem should return the list it was given (return list;)');
  assert.equal(list.length, 1, 'An empty list should have 1 item after addItem');
});

test("lastItem(['a', 'b', 'c']) returns 'c'", () => {
  const { lastItem } = load();
  assert.equal(lastItem(['a', 'b', 'c']), 'c', "lastItem(['a', 'b', 'c']) should return 'c'");
  assert.equal(lastItem(['only']), 'only', "lastItem(['only']) should return 'only'");
});

test('lastItem of an empty list returns undefined', () => {
  const { lastItem } = load();
  assert.equal(lastItem([]), undefined, 'lastItem([]) should return undefined');
});

test('total([2, 3, 5]) returns 10 and total([]) returns 0', () => {
  const { total } = load();
  assert.equal(total([2, 3, 5]), 10, 'total([2, 3, 5]) should return 10');
  assert.equal(total([7]), 7, 'total([7]) should return 7');
  assert.equal(total([]), 0, 'total([]) should return 0: start your sum at 0');
});
