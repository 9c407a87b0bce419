const test = require('node:test');
const assert = require('node:assert');
const { withdraw } = require('./withdraw.js');

function refuses(balance, amount) {
  try {
    withdraw(balance, amount);
  } catch (error) {
    return true;
  }
  return false;
}

test('withdraw takes money away', () => {
  assert.strictEqual(withdraw(100, 30), 70);
  assert.strictEqual(withdraw(50, 50), 0);
});

test('bad amounts are refused', () => {
  assert.ok(refuses(100, 0));
  assert.ok(refuses(100, -5));
  assert.ok(refuses(50, 51));
});

test('a good amount is not refused', () => {
  assert.ok(!refuses(50, 50));
});
