const test = require('node:test');
const assert = require('node:assert');
const { withdraw } = require('./withdraw.js');

test('taking 30 from 100 leaves 70', () => {
  assert.strictEqual(withdraw(100, 30), 70);
});

test('taking out everything leaves 0', () => {
  assert.strictEqual(withdraw(50, 50), 0);
});

test('more than the balance is refused', () => {
  assert.throws(() => withdraw(50, 51));
});
