const test = require('node:test');
const assert = require('node:assert');
const { average } = require('./average.js');

test('the average of 0, 3 and 6 is 3', () => {
  assert.strictEqual(average([0, 3, 6]), 3);
});

test('the average of an empty list is 0', () => {
  assert.strictEqual(average([]), 0);
});

test('negative numbers stay negative', () => {
  assert.strictEqual(average([0, -2, -4]), -2);
});

test('the answer can have a decimal point', () => {
  assert.strictEqual(average([0, 3]), 1.5);
});
