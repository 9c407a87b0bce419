const test = require('node:test');
const assert = require('node:assert');
const { average } = require('./average.js');

test('average gives numbers', () => {
  assert.ok(average([2, 4, 6]));
});

test('empty list', () => {
  assert.ok(average([]) !== undefined);
});

test('negatives', () => {
  assert.ok(average([-2, -4]));
});
