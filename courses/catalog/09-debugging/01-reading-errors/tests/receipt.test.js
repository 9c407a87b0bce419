// Reading an error message: the learner writes down the file, line and kind of the error,
// then fixes the program. Answers are data read from answers.txt, never run.
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
      '(F5), read the first lines of the error, and write your answer after the colon.');
  }
  return given;
}

// Run the learner's program once, the way the Run key does.
let ran;
function run() {
  for (let tries = 0; tries < 2 && (ran === undefined || (ran.status !== 0 && !ran.stderr)); tries++) {
    ran = spawnSync(process.execPath, ['receipt.js'], {
      cwd: __dirname, encoding: 'utf8', timeout: 10000,
    });
  }
  return ran;
}

function stoppedWith(result, file) {
  const stderr = result.stderr || '';
  const where = stderr.match(new RegExp(`${file.replace('.', '\\.')}:(\\d+)`));
  const what = stderr.split('\n').find((l) => /^[A-Za-z]*Error\b/.test(l));
  return `${file} still stops with an error` + (where ? ` on line ${where[1]}` : '') +
    (what ? ` (${what.trim()})` : '') + '. Press Run (F5) to see it.';
}

test('answers.txt: the file with the error', () => {
  const given = answer('Which file has the error');
  if (/^\d+$/.test(given)) {
    assert.fail(`You wrote a number (${given}). This answer is a file name: it is ` +
      'on the first line of the error, just before the colon and the line number.');
  }
  assert.ok(/(^|\/)receipt\.js\b/i.test(given),
    `You wrote "${given}". Look at the very first line of the error: it names the ` +
    'file (ending in .js), then a colon, then the line number.');
});

test('answers.txt: the line number', () => {
  const given = answer('Which line number');
  const number = given.match(/\d+/);
  if (number === null) {
    assert.fail(`You wrote "${given}". Write the line number: it is the number just ` +
      'after "receipt.js:" on the first line of the error.');
  }
  if (number[0] === '11') {
    assert.fail('Line 11 is where total() was called. The error itself happened on the ' +
      'line named first: the number after "receipt.js:" on the very first line.');
  }
  assert.equal(number[0], '8', `You wrote ${number[0]}. The first line of the error ` +
    'says receipt.js, a colon, then the line number. Write that number.');
});

test('answers.txt: the kind of error', () => {
  const given = answer('What kind of error');
  const squashed = given.replace(/[\s.:]/g, '').toLowerCase();
  if (squashed === 'referenceerror') return;
  if (/notdefined|summ/.test(squashed)) {
    assert.fail('That is what the error says about the problem. Its kind is the one ' +
      'word just before it, ending in Error, at the start of that line.');
  }
  assert.fail(`You wrote "${given}". The kind is one word ending in Error, at the start ` +
    'of the line that explains the problem.');
});

test('receipt.js runs without an error', () => {
  const result = run();
  if (result.error && result.error.code === 'ETIMEDOUT') {
    assert.fail('receipt.js took too long to finish. Press Run to see what it does.');
  }
  if (result.status !== 0) {
    assert.fail(stoppedWith(result, 'receipt.js'));
  }
});

test('total([1.2, 0.85, 2]) adds up to 4.05', () => {
  let total;
  try {
    ({ total } = require('./receipt.js'));
  } catch (err) {
    assert.fail(`receipt.js could not run: ${err.message}. Press Run to see where.`);
  }
  if (typeof total !== 'function') {
    assert.fail('There is no function called total. Keep the module.exports line.');
  }
  const sum = total([1.2, 0.85, 2]);
  assert.ok(typeof sum === 'number' && Math.abs(sum - 4.05) < 1e-9,
    `total([1.2, 0.85, 2]) gave ${JSON.stringify(sum)}; it should give 4.05. ` +
    'The function should return the sum it added up.');
  assert.equal(total([]), 0, 'total([]) should give 0: an empty receipt costs nothing.');
});
