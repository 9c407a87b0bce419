// Empty input: cheapest([]) must give null, and board([]) a friendly sentence, not a crash.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');

function load() {
  let mod;
  try {
    mod = require('./shop.js');
  } catch (err) {
    assert.fail(`shop.js stops with an error when it runs: ${err.message}. It calls ` +
      'board([]) with an empty list near the end. Put a guard at the very start of ' +
      'cheapest: when items.length is 0, return null. Press Run (F5) to try it.');
  }
  for (const name of ['cheapest', 'board']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

const SHOP = [
  { name: 'bread', price: 1.2 },
  { name: 'milk', price: 0.9 },
  { name: 'eggs', price: 2.1 },
];

function call(what, fn, arg) {
  try {
    return fn(arg);
  } catch (err) {
    assert.fail(`${what} stops with an error: ${err.message}. With an empty list, ` +
      'items[0] is undefined. Put a guard at the very start of cheapest: when ' +
      'items.length is 0, return null.');
  }
}

test('cheapest finds the cheapest item', () => {
  const { cheapest } = load();
  const got = call('cheapest(shop)', cheapest, SHOP);
  assert.equal(got, 'milk', `cheapest gave ${JSON.stringify(got)} for bread 1.2, milk 0.9 ` +
    'and eggs 2.1; it should give "milk". Keep the loop as it was.');
  const one = call('cheapest of one item', cheapest, [{ name: 'tea', price: 3 }]);
  assert.equal(one, 'tea', `cheapest of just tea gave ${JSON.stringify(one)}; it should ` +
    'give "tea".');
});

test('cheapest([]) gives null', () => {
  const { cheapest } = load();
  const got = call('cheapest([])', cheapest, []);
  assert.equal(got, null, `cheapest([]) gave ${JSON.stringify(got)}; it should give ` +
    'null: return null when items.length is 0.');
});

test('board([]) says "Nothing for sale today."', () => {
  const { board } = load();
  let got;
  try {
    got = board([]);
  } catch (err) {
    assert.fail(`board([]) stops with an error: ${err.message}. Fix cheapest first, ` +
      'then make board check for null.');
  }
  if (got === 'Cheapest today: null') {
    assert.fail('board([]) says "Cheapest today: null". When cheapest gives null, board ' +
      'should return "Nothing for sale today." instead.');
  }
  assert.equal(got, 'Nothing for sale today.', `board([]) gave ${JSON.stringify(got)}; ` +
    'it should give "Nothing for sale today." (with a capital N and a full stop).');
});

test('board with items still names the cheapest', () => {
  const { board } = load();
  const got = board(SHOP);
  assert.equal(got, 'Cheapest today: milk', `board(shop) gave ${JSON.stringify(got)}; it ` +
    'should still give "Cheapest today: milk".');
});

test('shop.js runs to the end without an error', () => {
  let ran;
  for (let tries = 0; tries < 2 && (ran === undefined || (ran.status !== 0 && !ran.stderr)); tries++) {
    ran = spawnSync(process.execPath, ['shop.js'], { cwd: __dirname, encoding: 'utf8', timeout: 10000 });
  }
  if (ran.status !== 0) {
    const stderr = ran.stderr || '';
    const where = stderr.match(/shop\.js:(\d+)/);
    const what = stderr.split('\n').find((l) => /^[A-Za-z]*Error\b/.test(l));
    assert.fail('shop.js still stops with an error' + (where ? ` on line ${where[1]}` : '') +
      (what ? ` (${what.trim()})` : '') + '. Press Run (F5) to see it.');
  }
});
