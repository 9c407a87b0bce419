const test = require('node:test');
const assert = require('node:assert');
const { withdraw } = require('./withdraw.js');

test('70 is left from 100 after 30', () => {
  assert.equal(withdraw(100, 30), 70);
});

test('all of it', () => {
  assert.equal(withdraw(50, 50), 0);
});

test('zero is refused', () => {
  assert.throws(() => withdraw(100, 0));
});

test('too much is refused', () => {
  assert.throws(() => withdraw(50, 51));
});
