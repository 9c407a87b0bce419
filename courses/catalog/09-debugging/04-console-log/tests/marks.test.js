// console.log debugging: the learner writes down what total held each round (answers.txt,
// data only), then fixes the bug (text joined instead of added).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

function answer(question) {
  const text = fs.readFileSync(path.join(__dirname, 'answers.txt'), 'utf8');
  const line = text.replace(/\r\n/g, '\n').split('\n')
    .find((l) => l.trim().toLowerCase().startsWith(question.toLowerCase()));
  if (line === undefined) {
    assert.fail(`The line "${question}:" is missing from answers.txt. Ctrl+Z undoes ` +
      'your last change, or F8 (Alt+Y) can start the file again.');
  }
  // "07", '07', "total 07", "total is 07" all give 07: the last word, without quotes.
  const words = line.slice(line.indexOf(':') + 1).trim().split(/\s+/);
  const given = words[words.length - 1].replace(/^["'`]|["'`]$/g, '');
  if (given === '') {
    assert.fail(`Nothing is written after "${question}:" in answers.txt yet. Add ` +
      'console.log(total); under the line that adds to total, press Run (F5) and ' +
      'copy what it prints.');
  }
  return given;
}

// What console.log(total) prints each round: before the fix, or after it.
const BROKEN = ['07', '078', '0789'];
const FIXED = ['7', '15', '24'];
const ABOVE = ['0', '07', '078'];

function rounds() {
  return [
    answer('First time round'),
    answer('Second time round'),
    answer('Third time round'),
  ];
}

test('answers.txt: what total held each time round', () => {
  const got = rounds();
  if (got.join() === BROKEN.join() || got.join() === FIXED.join()) return;
  if (got.join() === ABOVE.join() || got.join() === ['0', '7', '15'].join()) {
    assert.fail('Those are the values before each mark was added: your console.log is ' +
      'above the line that adds. Put it on the line under total = total + mark;');
  }
  if (got[2] === '263' || got[0] === '263') {
    assert.fail('263 is what the last line of the program prints. Put console.log(total); ' +
      'inside the loop, so it prints once each time round, and copy those three lines.');
  }
  assert.fail(`You wrote ${got.join(', ')}. Put console.log(total); on the line under ` +
    'total = total + mark; inside the loop, press Run and copy the first three lines ' +
    'it prints, exactly as they are.');
});

function load() {
  let mod;
  try {
    mod = require('./marks.js');
  } catch (err) {
    assert.fail(`marks.js could not run: ${err.message}. Press Run to see where.`);
  }
  if (typeof mod.average !== 'function') {
    assert.fail('There is no function called average. Keep the module.exports line.');
  }
  return mod.average;
}

test('average("7,8,9") is 8', () => {
  const average = load();
  const got = average('7,8,9');
  if (got === 263) {
    assert.fail('average("7,8,9") still gives 263. Each mark is text (a string), so + ' +
      'joins them: "0" "7" "8" "9". Turn each mark into a number before adding it.');
  }
  assert.equal(got, 8, `average("7,8,9") gave ${JSON.stringify(got)}; it should give 8.`);
});

test('average("10,5") is 7.5 and average("6") is 6', () => {
  const average = load();
  assert.equal(average('10,5'), 7.5, `average("10,5") gave ${JSON.stringify(average('10,5'))}; ` +
    'it should give 7.5. Divide the total by how many marks there are.');
  assert.equal(average('6'), 6, `average("6") gave ${JSON.stringify(average('6'))}; it ` +
    'should give 6.');
});
