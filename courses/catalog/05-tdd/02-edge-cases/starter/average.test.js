const test = require('node:test');
const assert = require('node:assert');
const { average } = require('./average.js');

test('the average of 2, 4 and 6 is 4', () => {
  assert.strictEqual(average([2, 4, 6]), 4);
});

// Add tests for the awkward cases below.
