const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./ticket.js');
  } catch (err) {
    assert.fail(`ticket.js could not run: ${err.message}. Press Run to see where.`);
  }
  if (typeof mod.ticketPrice !== 'function') {
    assert.fail('There is no function called ticketPrice. Keep the module.exports line.');
  }
  return mod.ticketPrice;
}

function expectPrice(age, price, why) {
  const ticketPrice = load();
  assert.equal(ticketPrice(age), price, `ticketPrice(${age}) should return ${price}: ${why}`);
}

test('a child under 5 goes free', () => {
  expectPrice(0, 0, 'under 5 is free');
  expectPrice(4, 0, 'under 5 is free');
});

test('ages 5 to 17 pay 5', () => {
  expectPrice(5, 5, 'age 5 is no longer free');
  expectPrice(12, 5, 'ages 5 to 17 pay 5');
  expectPrice(17, 5, 'age 17 is still under 18');
});

test('adults from 18 to 64 pay 10', () => {
  expectPrice(18, 10, 'age 18 is an adult');
  expectPrice(40, 10, 'adults pay 10');
  expectPrice(64, 10, 'age 64 is not yet 65');
});

test('people aged 65 or over pay 6', () => {
  expectPrice(65, 6, '65 and over pay 6');
  expectPrice(90, 6, '65 and over pay 6');
});
