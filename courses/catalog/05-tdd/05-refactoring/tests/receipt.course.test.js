const test = require('node:test');
const assert = require('node:assert/strict');
const { receipt } = require('./receipt.js');

// Compare a receipt line by line, and name the first line that differs in plain words.
function sameReceipt(got, expected) {
  assert.equal(typeof got, 'string', 'receipt(...) should give back the text of the receipt');
  const mine = got.split('\n');
  const want = expected.split('\n');
  for (let i = 0; i < want.length; i++) {
    if (mine[i] === undefined) {
      assert.fail(`The receipt stops after ${mine.length} line(s); line ${i + 1} should be '${want[i]}'`);
    }
    if (mine[i] !== want[i]) {
      assert.fail(`Line ${i + 1} of the receipt should be '${want[i]}' but it is '${mine[i]}'`);
    }
  }
  if (mine.length > want.length) {
    assert.fail(`The receipt has ${mine.length} lines; it should have ${want.length}, ending with '${want[want.length - 1]}'`);
  }
}

test('receipt of one item', () => {
  sameReceipt(receipt([{ name: 'Tea', price: 2.5, qty: 2 }]), 'Tea x2: 5.00\nTOTAL: 5.00');
});

test('receipt of two items', () => {
  const items = [{ name: 'Bread', price: 1.2, qty: 1 }, { name: 'Jam', price: 0.75, qty: 2 }];
  sameReceipt(receipt(items), 'Bread x1: 1.20\nJam x2: 1.50\nTOTAL: 2.70');
});

test('receipt of nothing', () => {
  sameReceipt(receipt([]), 'TOTAL: 0.00');
});

test('receipt rounds to pennies', () => {
  sameReceipt(receipt([{ name: 'Nails', price: 0.333, qty: 3 }]), 'Nails x3: 1.00\nTOTAL: 1.00');
});
