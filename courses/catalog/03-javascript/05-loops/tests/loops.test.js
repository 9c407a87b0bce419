const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./loops.js');
  } catch (err) {
    assert.fail(`loops.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['sumTo', 'countdown']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}


test('sumTo(4) returns 10', () => {
  const { sumTo } = load();
  assert.equal(sumTo(4), 10, 'sumTo(4) should return 1 + 2 + 3 + 4, which is 10');
});

test('sumTo(1) returns 1, sumTo(0) returns 0 and sumTo(100) returns 5050', () => {
  const { sumTo } = load();
  assert.equal(sumTo(1), 1, 'sumTo(1) should return 1');
  assert.equal(sumTo(0), 0, 'sumTo(0) should return 0: the loop runs no rounds');
  assert.equal(sumTo(100), 5050, 'sumTo(100) should return 5050');
});

test("countdown(3) returns '3 2 1 Go!'", () => {
  const { countdown } = load();
  assert.equal(countdown(3), '3 2 1 Go!', "countdown(3) should return '3 2 1 Go!'");
});

test("countdown(1) returns '1 Go!' and countdown(0) returns 'Go!'", () => {
  const { countdown } = load();
  assert.equal(countdown(1), '1 Go!', "countdown(1) should return '1 Go!'");
  assert.equal(countdown(0), 'Go!', "countdown(0) should return just 'Go!'");
});
