const test = require('node:test');
const assert = require('node:assert');
const { average } = require('./average.js');

test('ordinary lists', () => {
  assert.strictEqual(average([2, 4, 6]), 4);
  assert.strictEqual(average([3, 0, 0]), 1);
  assert.strictEqual(average([1, 2]), 1.5);
});

test('an empty list', () => {
  assert.strictEqual(average([]), 0);
});

test('minus numbers', () => {
  assert.strictEqual(average([-1, -2, -3]), -2);
});
