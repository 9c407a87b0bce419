// Reading a stack trace: the learner writes down where it broke, who called it, and where
// their own program started the chain (answers.txt, data only), then fixes the real cause.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
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
  const given = line.slice(line.indexOf(':') + 1).trim();
  if (given === '') {
    assert.fail(`Nothing is written after "${question}:" in answers.txt yet. Press Run ` +
      '(F5) and read the lines that start with "at", from the top down.');
  }
  return given;
}

// "share", "share()", "function share", "at share" all name the function share.
function functionName(given) {
  return given.toLowerCase().replace(/^(at|the|function)\s+/g, '').replace(/\(\)|[.\s]/g, '');
}

let ran;
function run() {
  for (let tries = 0; tries < 2 && (ran === undefined || (ran.status !== 0 && !ran.stderr)); tries++) {
    ran = spawnSync(process.execPath, ['party.js'], {
      cwd: __dirname, encoding: 'utf8', timeout: 10000,
    });
  }
  return ran;
}

function load() {
  let mod;
  try {
    mod = require('./party.js');
  } catch (err) {
    assert.fail(`party.js could not run: ${err.message}. Press Run to see where.`);
  }
  for (const name of ['share', 'plan']) {
    if (typeof mod[name] !== 'function') {
      assert.fail(`There is no function called ${name}. Keep the module.exports line.`);
    }
  }
  return mod;
}

test('answers.txt: the function where the error happened', () => {
  const given = functionName(answer('The error happened inside the function'));
  if (given === 'share') return;
  if (given === 'plan') {
    assert.fail('plan is on the second "at" line: it called the function that broke. ' +
      'The first "at" line is where the error happened.');
  }
  assert.fail('Look at the first line that starts with "at": the word after "at" is ' +
    'the name of the function where the error happened.');
});

test('answers.txt: the function that called it', () => {
  const given = functionName(answer('That function was called by the function'));
  if (given === 'plan') return;
  if (given === 'share') {
    assert.fail('share is where the error happened. The line under it, the second "at" ' +
      'line, names the function that called share.');
  }
  assert.fail('Read the second line that starts with "at": the word after "at" is the ' +
    'function that called the one that broke.');
});

test('answers.txt: the line where your program started it all', () => {
  const given = answer('The line where your program started it all');
  const number = given.match(/\d+/);
  if (number === null) {
    assert.fail(`You wrote "${given}". Write a line number: the number after ` +
      '"party.js:" on the last "at" line that names party.js.');
  }
  if (/internal|loader|run_main/.test(given) || ['1521', '1623', '1266', '1091', '164', '28']
    .includes(number[0])) {
    assert.fail('That line is inside node itself (its own workings, not your file). ' +
      'Skip those: the answer is the last "at" line that names party.js.');
  }
  if (number[0] === '4' || number[0] === '8') {
    assert.fail(`Line ${number[0]} is higher up the chain. Keep going down the "at" ` +
      'lines to the last one that names party.js: that is where your program started.');
  }
  assert.equal(number[0], '18', `You wrote ${number[0]}. Find the last "at" line that ` +
    'names party.js and write the number just after "party.js:".');
});

test('party.js runs without an error', () => {
  const result = run();
  if (result.error && result.error.code === 'ETIMEDOUT') {
    assert.fail('party.js took too long to finish. Press Run to see what it does.');
  }
  if (result.status !== 0) {
    const stderr = result.stderr || '';
    const where = stderr.match(/party\.js:(\d+)/);
    const what = stderr.split('\n').find((l) => /^[A-Za-z]*Error\b/.test(l));
    assert.fail('party.js still stops with an error' + (where ? ` on line ${where[1]}` : '') +
      (what ? ` (${what.trim()})` : '') + '. Press Run (F5) to see it.');
  }
});

test("party.js prints Ana's birthday: 20 each", () => {
  const result = run();
  if (result.status !== 0) {
    assert.fail('party.js stops with an error, so it prints no share yet. Press Run (F5).');
  }
  const printed = result.stdout.trim();
  assert.equal(printed, "Ana's birthday: 20 each",
    `party.js printed "${printed}"; it should print "Ana's birthday: 20 each". The ` +
    'party object calls its list guests. Does plan, on line 8, use that same name?');
});

test('share(60, four people) is 15', () => {
  const { share } = load();
  const each = share(60, ['Ana', 'Ben', 'Cal', 'Dee']);
  assert.equal(each, 15, `share(60, four people) gave ${JSON.stringify(each)}; it should ` +
    'give 15. Leave share as it was: the mistake is in what plan gives it.');
});
