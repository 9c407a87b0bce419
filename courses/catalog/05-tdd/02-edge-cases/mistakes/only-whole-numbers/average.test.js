const test = require('node:test');
const assert = require('node:assert');
const { average } = require('./average.js');

test('the average of 2, 4 and 6 is 4', () => {
  assert.strictEqual(average([2, 4, 6]), 4);
});

test('the average of an empty list is 0', () => {
  assert.strictEqual(average([]), 0);
});

test('zeros count as numbers', () => {
  assert.strictEqual(average([0, 0, 3]), 1);
});

test('negative numbers stay negative', () => {
  assert.strictEqual(average([-2, -4]), -3);
});
