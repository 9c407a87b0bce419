const test = require('node:test');
const assert = require('node:assert');
const { average } = require('./average.js');

test('the average of 2, 4 and 6 is 4', () => {
  assert.strictEqual(average([2, 4, 6]), 4);
});

test('zeros count as numbers', () => {
  assert.strictEqual(average([0, 0, 3]), 1);
});

test('negative numbers stay negative', () => {
  assert.strictEqual(average([-2, -4]), -3);
});

test('the answer can have a decimal point', () => {
  assert.strictEqual(average([1, 2]), 1.5);
});
