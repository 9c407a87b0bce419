const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { basketTotal } = require('./basket.js');

const cases = [
  ['an empty basket', [], 0],
  ['quantity counts', [{ price: 2.5, quantity: 4 }], 10],
  ['exactly 50 gets 10% off', [{ price: 25, quantity: 2 }], 45],
  ['49.99 gets no discount', [{ price: 49.99, quantity: 1 }], 49.99],
  ['rounded to pennies', [{ price: 33.33, quantity: 2 }], 59.99],
];

describe('basketTotal', () => {
  for (const [what, items, expected] of cases) {
    it(what, () => {
      assert.equal(basketTotal(items), expected);
    });
  }
});
