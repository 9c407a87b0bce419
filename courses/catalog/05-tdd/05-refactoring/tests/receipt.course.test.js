const test = require('node:test');
const assert = require('node:assert/strict');
const { receipt } = require('./receipt.js');

test('receipt of one item', () => {
  assert.equal(receipt([{ name: 'Tea', price: 2.5, qty: 2 }]), 'Tea x2: 5.00\nTOTAL: 5.00');
});

test('receipt of two items', () => {
  const items = [{ name: 'Bread', price: 1.2, qty: 1 }, { name: 'Jam', price: 0.75, qty: 2 }];
  assert.equal(receipt(items), 'Bread x1: 1.20\nJam x2: 1.50\nTOTAL: 2.70');
});

test('receipt of nothing', () => {
  assert.equal(receipt([]), 'TOTAL: 0.00');
});

test('receipt rounds to pennies', () => {
  assert.equal(receipt([{ name: 'Nails', price: 0.333, qty: 3 }]), 'Nails x3: 1.00\nTOTAL: 1.00');
});
