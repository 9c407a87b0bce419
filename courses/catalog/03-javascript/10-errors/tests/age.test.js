const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./age.js');
  } catch (err) {
    assert.fail(`age.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['parseAge', 'safeParseAge']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

const MESSAGE = 'Age must be a whole number from 0 to 150';

function expectThrow(text) {
  const { parseAge } = load();
  const call = `parseAge(${JSON.stringify(text)})`;
  let thrown;
  let value;
  try {
    value = parseAge(text);
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) {
    assert.fail(`${call} gave ${JSON.stringify(value)}; it should throw new Error("${MESSAGE}")`);
  }
  const said = thrown instanceof Error ? thrown.message : String(thrown);
  assert.ok(
    thrown instanceof Error && said === MESSAGE,
    `${call} threw "${said}"; it should throw new Error("${MESSAGE}") with exactly those words`,
  );
}

test("parseAge('42') returns the number 42", () => {
  const { parseAge } = load();
  assert.equal(parseAge('42'), 42, "parseAge('42') should return the number 42, not the text '42'");
  assert.equal(parseAge('0'), 0, "parseAge('0') should return 0");
  assert.equal(parseAge('150'), 150, "parseAge('150') should return 150");
});

test('parseAge throws for text that is not a number', () => {
  expectThrow('old');
});

test('parseAge throws for a negative age, a too-large age and a half', () => {
  expectThrow('-1');
  expectThrow('151');
  expectThrow('2.5');
});

test("safeParseAge('30') returns 30", () => {
  const { safeParseAge } = load();
  assert.equal(safeParseAge('30'), 30, "safeParseAge('30') should return 30");
});

test("safeParseAge('old') returns null instead of throwing", () => {
  const { safeParseAge } = load();
  let result;
  assert.doesNotThrow(() => {
    result = safeParseAge('old');
  }, "safeParseAge('old') should catch the error, not let it out");
  assert.equal(result, null, "safeParseAge('old') should return null");
});
