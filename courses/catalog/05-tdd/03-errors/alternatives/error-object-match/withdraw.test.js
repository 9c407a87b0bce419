const test = require('node:test');
const assert = require('node:assert');
const { withdraw } = require('./withdraw.js');

test('taking 30 from 100 leaves 70', () => {
  assert.deepStrictEqual(withdraw(100, 30), 70);
});

test('taking out everything leaves 0', () => {
  assert.deepStrictEqual(withdraw(50, 50), 0);
});

test('0 is refused', () => {
  assert.throws(() => withdraw(100, 0), Error);
});

test('more than the balance is refused', () => {
  assert.throws(() => withdraw(50, 51), { name: 'Error' });
});
