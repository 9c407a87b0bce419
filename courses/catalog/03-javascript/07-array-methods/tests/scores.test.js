const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./scores.js');
  } catch (err) {
    assert.fail(`scores.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['doubled', 'passing', 'sum']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}


test('doubled([1, 2, 3]) returns [2, 4, 6]', () => {
  const { doubled } = load();
  assert.deepEqual(doubled([1, 2, 3]), [2, 4, 6], 'doubled([1, 2, 3]) should return [2, 4, 6]');
  assert.deepEqual(doubled([]), [], 'doubled([]) should return an empty array []');
});

test('doubled does not change the array it is given', () => {
  const { doubled } = load();
  const numbers = [5, 6];
  doubled(numbers);
  assert.deepEqual(numbers, [5, 6], 'doubled should make a new array and leave the old one alone');
});

test('passing([30, 50, 80]) returns [50, 80]', () => {
  const { passing } = load();
  assert.deepEqual(passing([30, 50, 80]), [50, 80], 'passing should keep scores of 50 or more');
  assert.deepEqual(passing([10, 49]), [], 'passing([10, 49]) should return []');
});

test('sum([1, 2, 3]) returns 6 and sum([]) returns 0', () => {
  const { sum } = load();
  assert.equal(sum([1, 2, 3]), 6, 'sum([1, 2, 3]) should return 6');
  assert.equal(sum([]), 0, 'sum([]) should return 0: give reduce a starting value of 0');
});
