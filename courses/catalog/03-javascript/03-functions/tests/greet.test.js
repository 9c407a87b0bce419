const test = require('node:test');
const assert = require('node:assert/strict');

// Load greet.js inside each test, so a mistake in it fails the tests with a clear message.
function load() {
  let mod;
  try {
    mod = require('./greet.js');
  } catch (err) {
    assert.fail(`greet.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['greet', 'double']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line at the end.`);
    }
  }
  return mod;
}

test("greet('Sam') returns 'Hello, Sam!'", () => {
  const { greet } = load();
  assert.equal(greet('Sam'), 'Hello, Sam!', "greet('Sam') should return 'Hello, Sam!'. Did you write return (not console.log)?");
});

test("greet('Ada') returns 'Hello, Ada!'", () => {
  const { greet } = load();
  assert.equal(greet('Ada'), 'Hello, Ada!', "greet('Ada') should return 'Hello, Ada!'");
});

test('double(4) returns 8', () => {
  const { double } = load();
  assert.equal(double(4), 8, 'double(4) should return 8. Did you write return?');
});

test('double(0) returns 0 and double(-3) returns -6', () => {
  const { double } = load();
  assert.equal(double(0), 0, 'double(0) should return 0');
  assert.equal(double(-3), -6, 'double(-3) should return -6');
});
