const test = require('node:test');
const assert = require('node:assert/strict');
const { basketTotal } = require('./basket.js');

test('basketTotal([]) gives 0', () => {
  assert.equal(basketTotal([]), 0);
});

test('basketTotal([{ price: 1.2, quantity: 3 }]) gives 3.6', () => {
  assert.equal(basketTotal([{ price: 1.2, quantity: 3 }]), 3.6);
});

test('basketTotal of two kinds of item adds them up', () => {
  const items = [{ price: 2, quantity: 3 }, { price: 0.5, quantity: 4 }];
  assert.equal(basketTotal(items), 8, 'basketTotal should give 8 for 3 x 2.00 and 4 x 0.50');
});

test('a basket of exactly 50 gets 10% off: 45', () => {
  assert.equal(basketTotal([{ price: 25, quantity: 2 }]), 45,
    'A basket worth exactly 50 should cost 45 after the discount');
});

test('a basket of 49.99 gets no discount', () => {
  assert.equal(basketTotal([{ price: 49.99, quantity: 1 }]), 49.99,
    'Below 50 there is no discount');
});

test('the total is rounded to whole pennies', () => {
  assert.equal(basketTotal([{ price: 33.33, quantity: 2 }]), 59.99,
    '66.66 minus 10% is 59.994, which rounds to 59.99');
});
