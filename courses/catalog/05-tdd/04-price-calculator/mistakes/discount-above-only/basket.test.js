const test = require('node:test');
const assert = require('node:assert');
const { basketTotal } = require('./basket.js');

test('an empty basket costs 0', () => {
  assert.strictEqual(basketTotal([]), 0);
});

test('the price is multiplied by the quantity', () => {
  assert.strictEqual(basketTotal([{ price: 2.5, quantity: 4 }]), 10);
});

test('a big basket gets 10% off', () => {
  assert.strictEqual(basketTotal([{ price: 30, quantity: 2 }]), 54);
});

test('a basket just under 50 gets no discount', () => {
  assert.strictEqual(basketTotal([{ price: 49.99, quantity: 1 }]), 49.99);
});

test('the total is rounded to whole pennies', () => {
  assert.strictEqual(basketTotal([{ price: 33.33, quantity: 2 }]), 59.99);
});
