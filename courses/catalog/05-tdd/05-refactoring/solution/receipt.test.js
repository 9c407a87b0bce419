const test = require('node:test');
const assert = require('node:assert');
const { receipt } = require('./receipt.js');

test('one item: its line, then the total', () => {
  assert.strictEqual(receipt([{ name: 'Tea', price: 2.5, qty: 2 }]),
    'Tea x2: 5.00\nTOTAL: 5.00');
});

test('two items: a line each, and the total of both', () => {
  const items = [{ name: 'Bread', price: 1.2, qty: 1 }, { name: 'Jam', price: 0.75, qty: 2 }];
  assert.strictEqual(receipt(items), 'Bread x1: 1.20\nJam x2: 1.50\nTOTAL: 2.70');
});

test('an empty list gives a total of 0.00', () => {
  assert.strictEqual(receipt([]), 'TOTAL: 0.00');
});
