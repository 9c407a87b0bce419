const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { average } = require('./average.js');

describe('average', () => {
  it('works out 4 for 2, 4 and 6', () => {
    assert.equal(average([2, 4, 6]), 4);
  });
  it('gives 0 for no numbers', () => {
    assert.equal(average([]), 0);
  });
  it('counts zeros', () => {
    assert.equal(average([0, 0, 3]), 1);
  });
  it('keeps negatives negative', () => {
    assert.equal(average([-2, -4]), -3);
  });
  it('keeps halves', () => {
    assert.equal(average([1, 2]), 1.5);
  });
});
