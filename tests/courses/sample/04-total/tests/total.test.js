const test = require('node:test');
const assert = require('node:assert');
const { total } = require('./total.js');

test('total([2, 3]) adds up to 5', () => {
  assert.strictEqual(total([2, 3]), 5);
});

test('total([]) is 0', () => {
  assert.strictEqual(total([]), 0);
});
