// The bug hunt: four bugs of the kinds met in this course (a typo, text that should be
// numbers, a loop that starts too late, a made-up answer for an empty week).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');

const show = (value) => JSON.stringify(value);

function load() {
  let mod;
  try {
    mod = require('./fares.js');
  } catch (err) {
    assert.fail(`fares.js stops with an error when it runs: ${err.message}. Press Run ` +
      '(F5) and read the error: which line, and what kind?');
  }
  for (const name of ['parseRides', 'dayCost', 'weekCost', 'busiestDay', 'report']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

test('fares.js runs without an error', () => {
  let ran;
  for (let tries = 0; tries < 2 && (ran === undefined || (ran.status !== 0 && !ran.stderr)); tries++) {
    ran = spawnSync(process.execPath, ['fares.js'], { cwd: __dirname, encoding: 'utf8', timeout: 10000 });
  }
  if (ran.error && ran.error.code === 'ETIMEDOUT') {
    assert.fail('fares.js took too long to finish. Is there a loop that never ends?');
  }
  if (ran.status !== 0) {
    const stderr = ran.stderr || '';
    const where = stderr.match(/fares\.js:(\d+)/);
    const what = stderr.split('\n').find((l) => /^[A-Za-z]*Error\b/.test(l));
    assert.fail('fares.js stops with an error' + (where ? ` on line ${where[1]}` : '') +
      (what ? ` (${what.trim()})` : '') + '. Press Run (F5) and read it.');
  }
});

test('parseRides("2,10,9") gives the numbers 2, 10 and 9', () => {
  const { parseRides } = load();
  const got = parseRides('2,10,9');
  if (Array.isArray(got) && got.every((x) => typeof x === 'string')) {
    assert.fail(`parseRides("2,10,9") gives ${show(got)}: text, not numbers (see the ` +
      'quote marks). Text compares letter by letter, so "9" counts as more than "10". ' +
      'Turn each piece into a number.');
  }
  assert.deepEqual(got, [2, 10, 9], `parseRides("2,10,9") gave ${show(got)}; it should ` +
    'give [2, 10, 9].');
});

test('dayCost: 2 rides cost 3, and 10 rides are capped at 4', () => {
  const { dayCost } = load();
  assert.equal(dayCost(2), 3, `dayCost(2) gave ${show(dayCost(2))}; two rides at 1.50 ` +
    'cost 3. dayCost was right at the start: leave it as it was.');
  assert.equal(dayCost(10), 4, `dayCost(10) gave ${show(dayCost(10))}; a day never costs ` +
    'more than 4.');
});

test('weekCost([2, 10, 9, 0, 1, 0, 0]) is 12.5', () => {
  const { weekCost } = load();
  const got = weekCost([2, 10, 9, 0, 1, 0, 0]);
  if (got === 9.5) {
    assert.fail('weekCost gave 9.5: the 3.00 for Monday is missing, so the first day ' +
      'is skipped. Where does the loop in weekCost start?');
  }
  assert.equal(got, 12.5, `weekCost([2, 10, 9, 0, 1, 0, 0]) gave ${show(got)}; it should ` +
    'give 12.5 (3 + 4 + 4 + 0 + 1.5 + 0 + 0).');
});

test('busiestDay([]) gives null', () => {
  const { busiestDay } = load();
  let got;
  try {
    got = busiestDay([]);
  } catch (err) {
    assert.fail(`busiestDay([]) stops with an error: ${err.message}. With no days there ` +
      'is no busiest day: put a guard at the start of busiestDay that returns null.');
  }
  if (got !== null) {
    assert.fail(`busiestDay([]) gave ${show(got)}, but with no days there is no busiest ` +
      'day. Put a guard at the start of busiestDay that returns null when the list ' +
      'is empty.');
  }
});

test('report("2,10,9,0,1,0,0") says Week: 12.50, busiest: Tue', () => {
  const { report } = load();
  const got = report('2,10,9,0,1,0,0');
  assert.equal(got, 'Week: 12.50, busiest: Tue', `report gave ${show(got)}; it should ` +
    'give "Week: 12.50, busiest: Tue". Tuesday has the most rides (10).');
});
