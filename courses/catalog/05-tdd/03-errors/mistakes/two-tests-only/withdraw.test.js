const test = require('node:test');
const assert = require('node:assert');
const { withdraw } = require('./withdraw.js');

test('taking 30 from 100 leaves 70', () => {
  assert.strictEqual(withdraw(100, 30), 70);
});

test('0 is refused', () => {
  assert.throws(() => withdraw(100, 0));
});
