// The editor jobs: each test looks at the lines of one job in jobs.txt.
// One plain message per mistake; no test ever mentions a program's internals.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const AGAIN = 'Ctrl+Z undoes your last change, or press F8 (Alt+Y) and ' +
  'choose "Start again" to get the starting file back.';

function lines() {
  const text = fs.readFileSync(path.join(__dirname, 'jobs.txt'), 'utf8');
  return text.replace(/\r\n/g, '\n').split('\n');
}

function tidy(line) {
  return line.trim().replace(/\s+/g, ' ');
}

// The lines from "Job n:" up to the next job (or the Name line).
function job(n) {
  const all = lines();
  const start = all.findIndex((line) => line.trim().startsWith(`Job ${n}:`));
  if (start < 0) {
    assert.fail(`The line that starts "Job ${n}:" is missing. ${AGAIN}`);
  }
  let end = start + 1;
  while (end < all.length && !/^\s*(Job \d+:|Name:)/.test(all[end])) {
    end += 1;
  }
  return all.slice(start + 1, end).map(tidy);
}

test('Job 1: your name after Name: on the last line', () => {
  const all = lines();
  const at = all.findIndex((line) => /^\s*Name\s*:/.test(line));
  if (at < 0) {
    assert.fail(`The line that starts "Name:" is missing. ${AGAIN}`);
  }
  const name = all[at].replace(/^\s*Name\s*:/, '').trim();
  if (name === '') {
    const below = all.slice(at + 1).map(tidy).filter((line) => line !== '');
    if (below.length > 0) {
      assert.fail(`Your name went on a line under "Name:". Put it on the same line: ` +
        'press End on the "Name:" line, type a space and your name, then delete ' +
        'the extra line.');
    }
    assert.fail('Nothing is written after "Name:" yet. Press Ctrl+End to jump to the ' +
      'last line, then type your first name after "Name:".');
  }
});

test('Job 2: the line that does not belong is gone', () => {
  const part = job(2);
  if (!part.some((line) => line.toLowerCase() === 'keep this line.' ||
      line.toLowerCase() === 'keep this line')) {
    assert.fail('The line "Keep this line." was deleted as well. Ctrl+Z brings it back. ' +
      'Then select only the line in capitals: Home, then Shift+Down once.');
  }
  const left = part.find((line) => /SHOULD|NOT BE HERE|^THIS/.test(line));
  if (left === 'THIS LINE SHOULD NOT BE HERE') {
    assert.fail('The line "THIS LINE SHOULD NOT BE HERE" is still there. Put the ' +
      'cursor at its start (Home), hold Shift and press Down once, then press Backspace.');
  }
  if (left !== undefined) {
    assert.fail(`Part of the line is still there: "${left}". Select what is left ` +
      '(Home, then Shift+End) and press Backspace.');
  }
});

test('Job 3: the tea steps are in order 1, 2, 3', () => {
  const part = job(3);
  const steps = [
    '1. Boil the water',
    '2. Put a tea bag in the cup',
    '3. Pour the water on the tea bag',
  ];
  const where = steps.map((step) => part.reduce(
    (found, line, i) => (line === step ? [...found, i] : found), []));
  for (let i = 0; i < steps.length; i += 1) {
    if (where[i].length === 0) {
      assert.fail(`The line "${steps[i]}" is missing or changed. ${AGAIN}`);
    }
    if (where[i].length > 1) {
      assert.fail(`There are ${where[i].length} lines "${steps[i]}". Ctrl+X cuts ` +
        '(the line moves); Ctrl+C copies (the line stays). Delete the extra one.');
    }
  }
  if (!(where[0][0] < where[1][0] && where[1][0] < where[2][0])) {
    const order = part.filter((line) => /^[123]\./.test(line)).map((l) => l[0]).join(', ');
    assert.fail(`The steps are in the order ${order}. "1. Boil the water" goes ` +
      'first: cut it (Home, Shift+Down, Ctrl+X), put the cursor at the start of ' +
      '"2. Put a tea bag in the cup" and press Ctrl+V.');
  }
});

test('Job 4: three lines that say Thank you!', () => {
  const part = job(4);
  const count = part.filter((line) => line === 'Thank you!').length;
  const joined = part.find((line) => /Thank you!.*Thank you!/.test(line));
  if (joined !== undefined) {
    assert.fail('Two Thank you! went on the same line. Each one needs a line of its ' +
      'own: put the cursor between them and press Enter.');
  }
  if (count === 1) {
    assert.fail('There is still one Thank you! line. Select it (Home, then Shift+Down), ' +
      'press Ctrl+C to copy, press Home once (so the selection goes away), then ' +
      'Ctrl+V twice to paste it two times.');
  }
  if (count === 2) {
    assert.fail('There are two Thank you! lines: paste it once more (Ctrl+V). A paste ' +
      'while a line is selected replaces it, so press Home before each Ctrl+V.');
  }
  if (count > 3) {
    assert.fail(`There are ${count} Thank you! lines: three are enough. Delete the ` +
      'extra ones.');
  }
  if (count === 0) {
    assert.fail(`The line "Thank you!" is missing or changed. ${AGAIN}`);
  }
});

test('Job 5: the cat became a dog', () => {
  const part = job(5);
  const line = part.find((l) => /sat on the mat/i.test(l) || /^The /.test(l));
  if (line === undefined) {
    assert.fail(`The line "The cat sat on the mat." is missing. ${AGAIN}`);
  }
  const said = line.replace(/\.$/, '');
  if (said === 'The dog sat on the mat') {
    return;
  }
  if (/cat/.test(said)) {
    assert.fail(`The line says "${line}": the word cat is still there. Put the cursor ` +
      'just before cat, hold Shift and press Right three times, then type dog.');
  }
  assert.fail(`The line says "${line}" but it should say "The dog sat on the mat." ` +
    'Check the spaces around dog.');
});

test('Job 6: the xyz was undone', () => {
  const part = job(6);
  const line = part.find((l) => /^Undo/i.test(l));
  if (line === undefined) {
    assert.fail(`The line "Undo brings it back." is missing. ${AGAIN}`);
  }
  if (/xyz|xy|yz/i.test(line)) {
    assert.fail(`The line still says "${line}". Put the cursor in the editor and press ` +
      'Ctrl+Z a few times, until the xyz is gone.');
  }
  if (line.replace(/\.$/, '') !== 'Undo brings it back') {
    assert.fail(`The line says "${line}" but it should say "Undo brings it back." ` +
      'again. Ctrl+Y redoes what Ctrl+Z undid, and Ctrl+Z undoes again.');
  }
});
