// Off-by-one: one loop goes a round too many, the other a round too few.
const test = require('node:test');
const assert = require('node:assert/strict');

function load() {
  let mod;
  try {
    mod = require('./register.js');
  } catch (err) {
    assert.fail(`register.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['numbered', 'totalPaid']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

const show = (value) => JSON.stringify(value);

test('numbered(["Ana", "Ben", "Cal"]) makes one line per name', () => {
  const { numbered } = load();
  const got = numbered(['Ana', 'Ben', 'Cal']);
  const want = ['1. Ana', '2. Ben', '3. Cal'];
  if (!Array.isArray(got)) {
    assert.fail(`numbered(["Ana", "Ben", "Cal"]) gave ${show(got)}; it should give a list.`);
  }
  if (got.some((line) => String(line).includes('undefined'))) {
    assert.fail(`numbered(["Ana", "Ben", "Cal"]) gave ${show(got)}: a line with undefined ` +
      'means the loop went one round too many, past the last name. Check the loop\'s ' +
      'condition in numbered: i must stay below names.length.');
  }
  if (got.length < want.length) {
    assert.fail(`numbered(["Ana", "Ben", "Cal"]) gave ${show(got)}: a name is missing, so ` +
      'the loop stopped one round too early (or started too late). It should start at ' +
      '0 and run while i < names.length.');
  }
  assert.deepEqual(got, want, `numbered(["Ana", "Ben", "Cal"]) gave ${show(got)}; it ` +
    `should give ${show(want)}. The number shown is i + 1; the name is names[i].`);
});

test('numbered of one name and of no names', () => {
  const { numbered } = load();
  assert.deepEqual(numbered(['Dee']), ['1. Dee'],
    `numbered(["Dee"]) gave ${show(numbered(['Dee']))}; it should give ["1. Dee"].`);
  assert.deepEqual(numbered([]), [],
    `numbered([]) gave ${show(numbered([]))}; with no names there should be no lines: [].`);
});

test('totalPaid([5, 10, 20]) is 35', () => {
  const { totalPaid } = load();
  const got = totalPaid([5, 10, 20]);
  if (got === 30) {
    assert.fail('totalPaid([5, 10, 20]) gave 30: the first payment, 5, was skipped. ' +
      'Where does the loop in totalPaid start? The first index is 0.');
  }
  if (Number.isNaN(got)) {
    assert.fail('totalPaid([5, 10, 20]) gave NaN ("not a number"): the loop added ' +
      'undefined, from one place past the end of the list. Use i < payments.length.');
  }
  assert.equal(got, 35, `totalPaid([5, 10, 20]) gave ${show(got)}; it should give 35.`);
});

test('totalPaid of one payment and of none', () => {
  const { totalPaid } = load();
  assert.equal(totalPaid([7]), 7,
    `totalPaid([7]) gave ${show(totalPaid([7]))}; one payment of 7 makes 7.`);
  assert.equal(totalPaid([]), 0,
    `totalPaid([]) gave ${show(totalPaid([]))}; with no payments the total is 0.`);
});
